//! The paper's two benchmark ABIs, implemented once above the engines.
//!
//! - **CoreMark style**: the module imports `env.clock_ms() -> i64` and
//!   exports `run() -> f32` (the score it computed from `clock_ms`). Modules
//!   built by this project also export `iterations() -> i32` and
//!   `validated() -> i32` (1 when CoreMark's CRC checks passed); the
//!   paper's module has neither, and counts as verified when its score is
//!   a positive number. The measured interval is the whole `run()` call;
//!   `_initialize` is called before it when exported (an Emscripten build).
//! - **Embench style**: the module imports `env.initialise_board`,
//!   `env.start_trigger` and `env.stop_trigger` (all `() -> ()`) and exports
//!   `__original_main() -> i32`, which returns 0 when its result verified.
//!   `_initialize` is called first when exported (Emscripten's reactor
//!   start). The measured interval is `start_trigger` to `stop_trigger`.
//!
//! - **Capsule**: a Wasm component, a treVM capsule (`crate::capsule`):
//!   ephemeral capsules export `run() -> s32` (0: verified), persistent
//!   ones a CoAP `handler` that answers a scripted series of requests.
//!
//! Intervals are in the ticks of the platform [`Clock`] (nanoseconds on the
//! host, cycles or instructions on the boards), never whole milliseconds.

use crate::alloc;
use crate::engine::{Clock, Host, Runtime, Value};
use crate::error::{Error, ErrorKind, Stage};

/// Which benchmark ABI a module follows: the catalog's list.
pub use trevm_catalog::suite::Abi;

/// What an exported function the harness calls returns (none takes
/// parameters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returns {
    /// Nothing.
    Nothing,
    /// An `i32`.
    I32,
    /// An `f32` or an `f64`.
    Float,
}

/// A function a benchmark module exports and [`run`] calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Export {
    /// The export's name.
    pub name: &'static str,
    /// What it returns.
    pub returns: Returns,
    /// Whether a module of the ABI must export it.
    pub required: bool,
}

/// Emscripten's reactor start, called first when exported.
pub const INITIALIZE: &str = "_initialize";
/// The Embench entry point.
pub const MAIN: &str = "__original_main";
/// The CoreMark entry point (returns the score).
pub const RUN: &str = "run";
/// CoreMark: iterations run (optional).
pub const ITERATIONS: &str = "iterations";
/// CoreMark: 1 when its CRC checks passed (optional).
pub const VALIDATED: &str = "validated";

const fn export(name: &'static str, returns: Returns, required: bool) -> Export {
    Export {
        name,
        returns,
        required,
    }
}

/// The exports [`run`] calls for `abi` (the core-module ABIs; a capsule
/// is a component and has none). Modules may import any [`HostFn`] from
/// [`HostFn::MODULE`], nothing else.
///
/// [`HostFn`]: crate::engine::HostFn
/// [`HostFn::MODULE`]: crate::engine::HostFn::MODULE
pub fn exports(abi: Abi) -> &'static [Export] {
    const EMBENCH: &[Export] = &[
        export(INITIALIZE, Returns::Nothing, false),
        export(MAIN, Returns::I32, true),
    ];
    const COREMARK: &[Export] = &[
        export(INITIALIZE, Returns::Nothing, false),
        export(RUN, Returns::Float, true),
        export(ITERATIONS, Returns::I32, false),
        export(VALIDATED, Returns::I32, false),
    ];
    match abi {
        Abi::Embench => EMBENCH,
        Abi::CoreMark => COREMARK,
        Abi::Capsule => &[],
    }
}

/// What one benchmark run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The workload's self-check passed.
    pub verified: bool,
    /// The measured interval in clock ticks.
    pub interval: u64,
    /// Load + validate + instantiate, in clock ticks.
    pub load: u64,
    /// CoreMark: the score the module computed from `clock_ms`.
    pub score: Option<f64>,
    /// CoreMark: iterations run, when the module tells.
    pub iterations: Option<u64>,
    /// Linear memory size after the run, when the runtime tells.
    pub linear_memory: Option<usize>,
    /// The value `__original_main` returned (Embench) or 0.
    pub exit_code: i32,
}

/// Runs one benchmark module on `runtime` following `abi`, timing with
/// `clock`.
///
/// Peak heap is measured by the caller around this call (see
/// [`crate::alloc`]). A failure the runtime reports as a trap or a load error
/// is reported as [`ErrorKind::OutOfMemory`] when the tracking allocator
/// refused an allocation during the call: the heap budget, not the guest,
/// ended the run.
pub fn run(
    runtime: &mut dyn Runtime,
    abi: Abi,
    module: &[u8],
    clock: Clock,
) -> Result<Outcome, Error> {
    let (refused_before, _) = alloc::refusals();
    run_inner(runtime, abi, module, clock).map_err(|e| blame_heap_budget(e, refused_before))
}

fn blame_heap_budget(e: Error, refused_before: usize) -> Error {
    let (refused, size) = alloc::refusals();
    if refused == refused_before || e.kind == ErrorKind::OutOfMemory {
        return e;
    }
    let budget = match alloc::limit() {
        // No budget set: the heap itself (a board's RAM) ran out.
        usize::MAX => alloc_crate::format!("the heap ran out with {} B in use", alloc::current()),
        limit => alloc_crate::format!("heap budget of {limit} B exceeded"),
    };
    Error::new(
        ErrorKind::OutOfMemory,
        e.stage,
        alloc_crate::format!(
            "{budget} (an allocation of {size} B was refused); runtime said: {}",
            e.message
        ),
    )
}

fn run_inner(
    runtime: &mut dyn Runtime,
    abi: Abi,
    module: &[u8],
    clock: Clock,
) -> Result<Outcome, Error> {
    let core = match abi {
        Abi::Capsule => return crate::capsule::run(runtime, module, clock),
        Abi::Embench => CoreAbi::Embench,
        Abi::CoreMark => CoreAbi::CoreMark,
    };
    let t0 = (clock.now)();
    let mut inst = runtime.instantiate(module, Host::new(clock))?;
    let load = (clock.now)().wrapping_sub(t0);

    match core {
        CoreAbi::Embench => {
            if inst.has_export(INITIALIZE) {
                inst.call(INITIALIZE)?;
            }
            let ret = match inst.call(MAIN)? {
                Some(Value::I32(v)) => v,
                other => return Err(bad_signature(MAIN, "i32", other)),
            };
            let host = inst.host();
            if let Some(why) = host.misuse() {
                return Err(Error::new(ErrorKind::Verify, Stage::Run, why));
            }
            let interval = host.interval().ok_or_else(|| {
                Error::new(
                    ErrorKind::Verify,
                    Stage::Run,
                    "the module never called env.start_trigger and env.stop_trigger",
                )
            })?;
            let linear_memory = inst.memory_size();
            Ok(Outcome {
                verified: ret == 0,
                interval,
                load,
                score: None,
                iterations: None,
                linear_memory,
                exit_code: ret,
            })
        }
        CoreAbi::CoreMark => {
            if inst.has_export(INITIALIZE) {
                inst.call(INITIALIZE)?;
            }
            let a = (clock.now)();
            let score = match inst.call(RUN)? {
                Some(v @ (Value::F32(_) | Value::F64(_))) => v.as_f64(),
                other => return Err(bad_signature(RUN, "f32", other)),
            };
            let interval = (clock.now)().wrapping_sub(a);
            let iterations = optional_i32(&mut *inst, ITERATIONS)?.map(|n| n as u64);
            let verified = match optional_i32(&mut *inst, VALIDATED)? {
                Some(v) => v == 1,
                None => score.is_finite() && score > 0.0,
            };
            let linear_memory = inst.memory_size();
            Ok(Outcome {
                verified,
                interval,
                load,
                score: Some(score),
                iterations,
                linear_memory,
                exit_code: 0,
            })
        }
    }
}

/// The two ABIs of core modules.
enum CoreAbi {
    Embench,
    CoreMark,
}

fn optional_i32(inst: &mut dyn crate::engine::Instance, name: &str) -> Result<Option<i32>, Error> {
    if !inst.has_export(name) {
        return Ok(None);
    }
    match inst.call(name)? {
        Some(Value::I32(v)) => Ok(Some(v)),
        other => Err(bad_signature(name, "i32", other)),
    }
}

fn bad_signature(name: &str, want: &str, got: Option<Value>) -> Error {
    Error::new(
        ErrorKind::Link,
        Stage::Run,
        alloc_crate::format!("export `{name}` should return {want}, returned {got:?}"),
    )
}
