//! The engine interface: what every runtime adapter implements, and what the
//! benchmark ABIs need from the platform.
//!
//! All benchmark exports the harness calls are nullary (`() -> T`), and all
//! imports live in module `env` and are nullary too, so the interface is
//! deliberately small: a [`Runtime`] turns module bytes into an [`Instance`]
//! whose imports are served by a [`Host`]; the instance calls exports by name.

use alloc_crate::boxed::Box;
use core::fmt;

use crate::error::Error;

/// A value returned by a nullary export.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// `i32`
    I32(i32),
    /// `i64`
    I64(i64),
    /// `f32`
    F32(f32),
    /// `f64`
    F64(f64),
}

impl Value {
    /// The value as `f64`, whatever its Wasm type.
    pub fn as_f64(self) -> f64 {
        match self {
            Value::I32(v) => v as f64,
            Value::I64(v) => v as f64,
            Value::F32(v) => v as f64,
            Value::F64(v) => v,
        }
    }
}

/// The host functions the benchmark ABIs import from module `env`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostFn {
    /// `env.clock_ms() -> i64` (CoreMark ABI): milliseconds of the platform clock.
    ClockMs,
    /// `env.initialise_board() -> ()` (Embench ABI).
    InitialiseBoard,
    /// `env.start_trigger() -> ()` (Embench ABI): start of the measured region.
    StartTrigger,
    /// `env.stop_trigger() -> ()` (Embench ABI): end of the measured region.
    StopTrigger,
}

impl HostFn {
    /// Every host function, in a fixed order.
    pub const ALL: [HostFn; 4] = [
        HostFn::ClockMs,
        HostFn::InitialiseBoard,
        HostFn::StartTrigger,
        HostFn::StopTrigger,
    ];

    /// The import module every host function lives in.
    pub const MODULE: &'static str = "env";

    /// The import field name.
    pub fn name(self) -> &'static str {
        match self {
            HostFn::ClockMs => "clock_ms",
            HostFn::InitialiseBoard => "initialise_board",
            HostFn::StartTrigger => "start_trigger",
            HostFn::StopTrigger => "stop_trigger",
        }
    }

    /// The host function imported as `module.name`, if there is one.
    pub fn lookup(module: &str, name: &str) -> Option<HostFn> {
        if module != Self::MODULE {
            return None;
        }
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// `true` when the function returns an `i64` (only `clock_ms`); the
    /// others return nothing.
    pub fn returns_i64(self) -> bool {
        matches!(self, HostFn::ClockMs)
    }
}

/// A set of host functions: those a linker has defined already (a module
/// may import the same function twice, and a linker refuses to define a
/// name twice).
#[derive(Clone, Copy, Debug, Default)]
pub struct HostFnSet(u8);

impl HostFnSet {
    /// Adds `f`; `true` when it was not in the set yet.
    pub fn insert(&mut self, f: HostFn) -> bool {
        let bit = 1u8 << (f as u8);
        let new = self.0 & bit == 0;
        self.0 |= bit;
        new
    }
}

/// The platform clock the measurements are taken with.
#[derive(Clone, Copy)]
pub struct Clock {
    /// Reads the clock. Monotonic, in [`Clock::unit`].
    pub now: fn() -> u64,
    /// Nominal ticks per second (used for `clock_ms` and CoreMark scores).
    pub hz: u64,
    /// What one tick is: `ns`, `cycles` or `instructions`.
    pub unit: &'static str,
    /// Where the ticks come from (for example `SysTick` or `mcycle`).
    pub source: &'static str,
}

impl Clock {
    /// A 32-bit counter extended to 64 bits: `estimate` is the same count
    /// from a coarser or wrap-tracked 64-bit source that runs at the same
    /// rate and started with it, `low` the 32-bit counter's exact value.
    /// The result is `low` with the wraps of `estimate`; right while the
    /// two agree within 2^31 counts. (The cycle counters of the real
    /// boards: DWT CYCCNT, the ESP32-C6's PCCR.)
    pub fn extend32(estimate: u64, low: u32) -> u64 {
        let skew = low.wrapping_sub(estimate as u32) as i32;
        estimate.wrapping_add_signed(i64::from(skew))
    }

    /// Milliseconds since the clock's origin.
    pub fn millis(&self) -> i64 {
        ((self.now)() as u128 * 1000 / self.hz.max(1) as u128) as i64
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock")
            .field("hz", &self.hz)
            .field("unit", &self.unit)
            .field("source", &self.source)
            .finish()
    }
}

/// State behind the host functions: the clock and the trigger readings.
///
/// Adapters keep the `Host` in their store (or next to their instance) and
/// forward every import call to [`Host::call`].
#[derive(Debug)]
pub struct Host {
    clock: Clock,
    start: Option<u64>,
    stop: Option<u64>,
    initialised: u32,
    misuse: Option<&'static str>,
}

impl Host {
    /// A host with no triggers seen yet.
    pub fn new(clock: Clock) -> Self {
        Host {
            clock,
            start: None,
            stop: None,
            initialised: 0,
            misuse: None,
        }
    }

    /// Serves one import call. Returns the value for `clock_ms` and 0 for
    /// the functions that return nothing.
    pub fn call(&mut self, f: HostFn) -> i64 {
        match f {
            HostFn::ClockMs => return self.clock.millis(),
            HostFn::InitialiseBoard => self.initialised += 1,
            HostFn::StartTrigger => {
                let now = (self.clock.now)();
                if self.start.is_some() {
                    self.misuse = Some("start_trigger called twice");
                }
                self.start = Some(now);
            }
            HostFn::StopTrigger => {
                let now = (self.clock.now)();
                if self.start.is_none() {
                    self.misuse = Some("stop_trigger called before start_trigger");
                }
                if self.stop.is_some() {
                    self.misuse = Some("stop_trigger called twice");
                }
                self.stop = Some(now);
            }
        }
        0
    }

    /// The measured interval `stop - start`, once both triggers fired in order.
    pub fn interval(&self) -> Option<u64> {
        match (self.start, self.stop) {
            (Some(a), Some(b)) if b >= a => Some(b - a),
            _ => None,
        }
    }

    /// How often `initialise_board` was called.
    pub fn initialised(&self) -> u32 {
        self.initialised
    }

    /// The first misuse of the trigger protocol, if any.
    pub fn misuse(&self) -> Option<&'static str> {
        self.misuse
    }

    /// The clock the host reads.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }
}

/// Resource budgets a runtime is created with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest linear memory a module may have or grow to, in bytes.
    /// Enforced by runtimes that offer a limiter; the heap budget of the
    /// tracking allocator ([`crate::alloc`]) is the backstop for the others.
    pub max_memory: usize,
    /// Fuel budget for runtime variants that meter fuel (`trevm`).
    pub fuel: u64,
    /// Budget for the Wasm value/call stack, in bytes, for runtimes that let
    /// the embedder size it.
    pub stack: usize,
    /// The benchmark ABI of the module to be run, when known: a variant in
    /// the paper's configuration sizes its Wasm stack by it, as the paper
    /// did (wasmtime: 2048 B for CoreMark, 4096 B for Embench).
    pub abi: Option<crate::abi::Abi>,
}

impl Limits {
    /// Budgets for a microcontroller: 2 linear-memory pages can be grown to 4,
    /// 32 KiB of Wasm stack.
    pub const EMBEDDED: Limits = Limits {
        max_memory: 4 * 65536,
        fuel: u64::MAX / 2,
        stack: 32 * 1024,
        abi: None,
    };
    /// Budgets for the host board.
    pub const HOST: Limits = Limits {
        max_memory: 16 * 1024 * 1024,
        fuel: u64::MAX / 2,
        stack: 32 * 1024,
        abi: None,
    };
}

/// What a runtime variant is and how it was built; recorded in every result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuntimeInfo {
    /// The variant label (`wasmtime`, `wasmi`, `wamr-fast`, ...).
    pub label: &'static str,
    /// The crate that provides the runtime.
    pub crate_name: &'static str,
    /// The crate version resolved in `Cargo.lock`.
    pub version: &'static str,
    /// Cargo features and configuration switches the variant is built with.
    pub features: &'static [&'static str],
}

/// A Wasm runtime variant: turns module bytes into a running instance.
pub trait Runtime {
    /// What this variant is.
    fn info(&self) -> RuntimeInfo;

    /// `true` when every heap allocation of the runtime goes through the
    /// Rust global allocator, so that [`crate::alloc`] measures its peak.
    /// A runtime that allocates elsewhere (a C runtime using the platform
    /// libc's `malloc` on the host) says `false`, and its peak heap is not
    /// reported rather than reported wrong.
    fn heap_counted(&self) -> bool {
        true
    }

    /// Host-side preparation of a `.wasm` for this runtime: precompiling,
    /// adding side tables. `pointer_width` is the target's (32 for the
    /// boards, 64 for the host). The default is the module unchanged.
    #[cfg(feature = "prepare")]
    fn prepare(&self, wasm: &[u8], pointer_width: u32) -> Result<alloc_crate::vec::Vec<u8>, Error> {
        let _ = pointer_width;
        Ok(wasm.to_vec())
    }

    /// Loads, validates and instantiates `module` (the prepared form), with
    /// the imports served by `host`. Unresolvable imports are an error here,
    /// not at call time.
    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error>;

    /// The variant's Component Model host, when it has one: it runs
    /// capsules ([`crate::capsule`]). The default is none.
    fn components(&self) -> Option<&dyn crate::capsule::Components> {
        None
    }
}

/// A module instance ready to be called.
pub trait Instance {
    /// `true` when the module exports a function `name`.
    fn has_export(&mut self, name: &str) -> bool;
    /// Calls the nullary export `name`; a trap is an error.
    fn call(&mut self, name: &str) -> Result<Option<Value>, Error>;
    /// The host state (trigger readings).
    fn host(&self) -> &Host;
    /// Size of the default linear memory in bytes, when the runtime tells.
    fn memory_size(&mut self) -> Option<usize>;
}
