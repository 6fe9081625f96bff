//! The wasmtime adapter (Pulley interpreter), written once and compiled
//! against each wasmtime version the catalog has: `wasmtime.rs` (the
//! current version: `wasmtime`, `wasmtime-no-simd`, `trevm`) and
//! `wasmtime_42.rs` (the paper's 42.0.1 in the paper's configuration:
//! `wasmtime@42.0.1`, `wasmtime-no-simd@42.0.1`). Each names its crate as
//! `api` and lists its variants in [`super::VARIANTS`], then mounts this
//! file.
//!
//! Modules are precompiled on the host with Cranelift for `pulley32` (boards)
//! or `pulley64` (host) by [`Runtime::prepare`], and loaded on the target
//! with `Module::deserialize_raw`, which runs the precompiled code in place
//! (from flash on a board) instead of copying it to RAM. The engine
//! configuration must be identical on both sides, so it is built by one
//! function, [`config`], for both.
//!
//! The configurations ([`Setup`]):
//! - [`Setup::Ours`]: Pulley with or without its interpreter's SIMD support
//!   (`--cfg pulley_disable_interp_simd`, as in the paper; the SIMD proposal
//!   is then disabled in the engine too), the Wasm stack
//!   [`Limits::stack`];
//! - [`Setup::Trevm`]: treVM's host configuration, the reference runtime:
//!   Pulley without SIMD, fuel metering on, custom page sizes allowed, and a
//!   small Wasm stack;
//! - [`Setup::Paper`]: the paper's configuration: `max_wasm_stack` 2048 B
//!   for CoreMark and 4096 B for Embench (by the module's ABI,
//!   [`Limits::abi`]), linear memory that never moves, tables initialised
//!   eagerly, custom page sizes on, Cranelift optimising for speed.
//!
//! Limits: linear memory is capped at [`Limits::max_memory`] by the store's
//! `ResourceLimiter`, which refuses a memory (initial or grown) past it and
//! records that it did; a refused `memory.grow` traps (as wasmi's
//! `trap_on_grow_failure` does), so the budget, not the guest, ends the
//! cell: [`ErrorKind::OutOfMemory`]. Growth past the module's own maximum is
//! left to wasmtime (`memory.grow` returns -1).
//!
//! Errors are classified by type (`classify`): the limiter's record,
//! [`Trap`] codes (a stack overflow, the Wasm stack budget running out, is
//! [`ErrorKind::OutOfMemory`]), wasmtime's `OutOfMemory` and
//! `UnknownImportError`. Imports are checked by name and type before
//! instantiating ([`ErrorKind::Link`]).

use alloc_crate::boxed::Box;
use alloc_crate::format;
use core::ptr::NonNull;

use super::api::{Config, Engine, Linker, Module, Store, Trap, Val, ValType};

use crate::abi::Abi;
use crate::engine::{Host, HostFn, HostFnSet, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

/// How a variant configures the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    /// This project's configuration; `simd`: Pulley's SIMD interpreter.
    Ours {
        /// Pulley built with its SIMD support (and the proposal on).
        simd: bool,
    },
    /// treVM's host configuration (no SIMD, fuel, custom page sizes).
    Trevm,
    /// The paper's configuration.
    Paper {
        /// Pulley built with its SIMD support (and the proposal on).
        simd: bool,
    },
}

impl Setup {
    fn simd(self) -> bool {
        matches!(
            self,
            Setup::Ours { simd: true } | Setup::Paper { simd: true }
        )
    }
}

/// One variant built from this adapter.
#[derive(Clone, Copy, Debug)]
pub struct Variant {
    /// The label in results.
    pub label: &'static str,
    /// The engine configuration.
    pub setup: Setup,
    /// Cargo features and switches, as results record them.
    pub features: &'static [&'static str],
}

/// One of the wasmtime/Pulley variants of [`super::VARIANTS`].
pub struct Wasmtime {
    variant: &'static Variant,
    limits: Limits,
    engine: Engine,
}

/// The Wasm stack of the paper's configuration, by benchmark ABI.
fn paper_stack(abi: Option<Abi>) -> usize {
    match abi {
        Some(Abi::CoreMark) => 2048,
        Some(Abi::Embench | Abi::Capsule) | None => 4096,
    }
}

/// The engine configuration of `variant` for a target of the given pointer
/// width. Used both to precompile on the host and to load on the target, so
/// that the two always match.
pub fn config(variant: &Variant, limits: &Limits, pointer_width: u32) -> Result<Config, Error> {
    let mut c = Config::new();
    let target = if pointer_width == 64 {
        "pulley64"
    } else {
        "pulley32"
    };
    c.target(target)
        .map_err(|e| Error::new(ErrorKind::Unsupported, Stage::Load, e))?;
    // No virtual memory or signal handlers on a microcontroller: explicit
    // bounds checks, no reservations, no guard pages.
    c.signals_based_traps(false);
    c.memory_reservation(0);
    c.memory_guard_size(0);
    c.memory_reservation_for_growth(0);
    c.guard_before_linear_memory(false);
    c.memory_init_cow(false);
    c.max_wasm_stack(limits.stack);
    let simd = variant.setup.simd();
    c.wasm_simd(simd);
    c.wasm_relaxed_simd(simd);
    // The Component Model only where the variant hosts capsules, so that
    // a build with it compiled in precompiles core modules exactly as one
    // without it loads them.
    super::component_model(&mut c, variant.setup == Setup::Trevm);
    match variant.setup {
        Setup::Ours { .. } => {}
        Setup::Trevm => {
            c.consume_fuel(true);
            c.wasm_custom_page_sizes(true);
            // treVM runs capsules with a small Wasm stack.
            c.max_wasm_stack(limits.stack.min(16 * 1024));
        }
        Setup::Paper { .. } => {
            c.max_wasm_stack(paper_stack(limits.abi));
            c.memory_may_move(false);
            c.table_lazy_init(false);
            c.wasm_custom_page_sizes(true);
            #[cfg(feature = "prepare")]
            c.cranelift_opt_level(super::api::OptLevel::Speed);
        }
    }
    Ok(c)
}

impl Wasmtime {
    /// The variant `label` of [`super::VARIANTS`].
    ///
    /// Pulley's SIMD support is a compile-time switch, so a build offers
    /// either the SIMD variants or the others; asking for the wrong one is
    /// an [`ErrorKind::Unsupported`] error.
    pub fn variant(label: &str, limits: Limits) -> Result<Self, Error> {
        let Some(variant) = super::VARIANTS.iter().find(|v| v.label == label) else {
            return Err(Error::new(
                ErrorKind::Unsupported,
                Stage::Load,
                format!("not a variant of this wasmtime: {label}"),
            ));
        };
        let simd = variant.setup.simd();
        if simd == super::super::PULLEY_NO_SIMD {
            return Err(Error::new(
                ErrorKind::Unsupported,
                Stage::Load,
                format!(
                    "`{label}` needs Pulley built {} `--cfg pulley_disable_interp_simd`",
                    if simd { "without" } else { "with" }
                ),
            ));
        }
        let width = usize::BITS;
        let engine = Engine::new(&config(variant, &limits, width)?)
            .map_err(|e| Error::new(ErrorKind::Internal, Stage::Load, e))?;
        Ok(Wasmtime {
            variant,
            limits,
            engine,
        })
    }
}

/// Store data: the host state and the linear-memory budget.
pub(crate) struct Data {
    host: Host,
    max_memory: usize,
    /// The largest linear memory the limiter allowed, in bytes.
    pub(crate) largest: usize,
    /// The limiter refused a memory past [`Limits::max_memory`]: how large
    /// it was to be, in bytes.
    refused: Option<usize>,
    /// The growth the limiter last allowed: (from, to) bytes, and whether
    /// it is past the module's own maximum (then its failure is the
    /// guest's -1, not an out-of-memory).
    growing: Option<(usize, usize, bool)>,
    /// wasmtime could not grow a memory the limiter allowed (from, to
    /// bytes): no room to grow in place when memory may not move (the
    /// paper's configuration), or the heap refused.
    grow_failed: Option<(usize, usize)>,
}

/// The error the limiter fails a `memory.grow` with (wasmtime turns it into
/// a trap); the classification reads [`Data::refused`], not this.
#[derive(Debug)]
struct BudgetExceeded;

impl core::fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("linear memory budget exceeded (Limits::max_memory)")
    }
}

impl core::error::Error for BudgetExceeded {}

impl super::api::ResourceLimiter for Data {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> super::api::Result<bool> {
        let past_own_maximum = maximum.is_some_and(|max| desired > max);
        self.growing = Some((current, desired, past_own_maximum));
        if past_own_maximum {
            // Past the module's own maximum: wasmtime refuses it (-1), the
            // guest's business, not the budget's.
            return Ok(true);
        }
        if desired > self.max_memory {
            self.refused = Some(desired);
            return Err(super::api::Error::new(BudgetExceeded));
        }
        self.largest = self.largest.max(desired);
        Ok(true)
    }

    fn memory_grow_failed(&mut self, error: super::api::Error) -> super::api::Result<()> {
        match self.growing.take() {
            // Past the module's own maximum: the guest gets -1.
            Some((_, _, true)) => Ok(()),
            // wasmtime could not provide an allowed growth: out of memory,
            // as when the budget refuses it (the cell ends).
            Some((from, to, false)) => {
                self.grow_failed = Some((from, to));
                Err(error)
            }
            None => Err(error),
        }
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> super::api::Result<bool> {
        Ok(true)
    }
}

impl Wasmtime {
    /// The engine.
    #[allow(dead_code)]
    pub(crate) fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Fresh store data under this runtime's budgets.
    pub(crate) fn data(&self, host: Host) -> Data {
        Data {
            host,
            max_memory: self.limits.max_memory,
            largest: 0,
            refused: None,
            growing: None,
            grow_failed: None,
        }
    }

    /// Fills the store's fuel tank, for the variants that meter fuel.
    pub(crate) fn fuel<T>(&self, store: &mut Store<T>) -> Result<(), Error> {
        if self.variant.setup == Setup::Trevm {
            store
                .set_fuel(self.limits.fuel)
                .map_err(|e| Error::new(ErrorKind::Internal, Stage::Instantiate, e))?;
        }
        Ok(())
    }

    /// A fresh engine configured as this variant's for a target of
    /// `pointer_width` bits (host-side preparation).
    #[cfg(feature = "prepare")]
    pub(crate) fn engine_for(&self, pointer_width: u32) -> Result<Engine, Error> {
        Engine::new(&config(self.variant, &self.limits, pointer_width)?)
            .map_err(|e| Error::new(ErrorKind::Internal, Stage::Prepare, e))
    }
}

impl Runtime for Wasmtime {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: self.variant.label,
            crate_name: "wasmtime",
            version: super::VERSION,
            features: self.variant.features,
        }
    }

    #[cfg(feature = "prepare")]
    fn prepare(&self, wasm: &[u8], pointer_width: u32) -> Result<alloc_crate::vec::Vec<u8>, Error> {
        self.engine_for(pointer_width)?
            .precompile_module(wasm)
            .map_err(|e| Error::new(ErrorKind::Malformed, Stage::Prepare, format!("{e:#}")))
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        // SAFETY: `module` outlives the returned instance (lifetime 'a), is
        // never modified while borrowed, and was produced by `prepare` with
        // the same configuration; wasmtime checks the header and rejects
        // artifacts of another version or configuration.
        let module = unsafe { Module::deserialize_raw(&self.engine, NonNull::from(module)) }
            .map_err(|e| Error::new(ErrorKind::Malformed, Stage::Load, format!("{e:#}")))?;

        let mut linker: Linker<Data> = Linker::new(&self.engine);
        let mut defined = HostFnSet::default();
        for import in module.imports() {
            let Some(f) = HostFn::lookup(import.module(), import.name()) else {
                return Err(Error::new(
                    ErrorKind::Link,
                    Stage::Instantiate,
                    format!("unknown import `{}.{}`", import.module(), import.name()),
                ));
            };
            let typed = import.ty().func().is_some_and(|ty| {
                let mut results = ty.results();
                let results = (results.next(), results.next());
                ty.params().len() == 0
                    && match results {
                        (None, None) => !f.returns_i64(),
                        (Some(ValType::I64), None) => f.returns_i64(),
                        _ => false,
                    }
            });
            if !typed {
                return Err(Error::new(
                    ErrorKind::Link,
                    Stage::Instantiate,
                    match import.ty().func() {
                        Some(ty) => format!(
                            "import `{}.{}` has the wrong type {ty} (expected {})",
                            import.module(),
                            import.name(),
                            if f.returns_i64() {
                                "() -> i64"
                            } else {
                                "() -> ()"
                            }
                        ),
                        None => format!(
                            "import `{}.{}` is not a function",
                            import.module(),
                            import.name(),
                        ),
                    },
                ));
            }
            if !defined.insert(f) {
                // Imported twice: one definition serves both.
                continue;
            }
            let r = if f.returns_i64() {
                linker.func_wrap(
                    HostFn::MODULE,
                    f.name(),
                    move |mut c: super::api::Caller<'_, Data>| -> i64 { c.data_mut().host.call(f) },
                )
            } else {
                linker.func_wrap(
                    HostFn::MODULE,
                    f.name(),
                    move |mut c: super::api::Caller<'_, Data>| {
                        c.data_mut().host.call(f);
                    },
                )
            };
            r.map_err(|e| Error::new(ErrorKind::Internal, Stage::Instantiate, e))?;
        }

        let mut store = Store::new(&self.engine, self.data(host));
        store.limiter(|d| d);
        self.fuel(&mut store)?;
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| classify(e, Stage::Instantiate, store.data()))?;
        Ok(Box::new(WasmtimeInstance { store, instance }))
    }
}

struct WasmtimeInstance {
    store: Store<Data>,
    instance: super::api::Instance,
}

/// Classifies a wasmtime error by its type: the limiter's record of a
/// refused memory first (the trap or error that follows is its
/// consequence), then the [`Trap`] code, then wasmtime's error types;
/// anything else is [`ErrorKind::Internal`].
pub(crate) fn classify(e: super::api::Error, stage: Stage, data: &Data) -> Error {
    let message = format!("{e:#}");
    if let Some(desired) = data.refused {
        return Error::new(
            ErrorKind::OutOfMemory,
            stage,
            format!(
                "linear memory of {desired} B refused: the budget is {} B (Limits::max_memory); {message}",
                data.max_memory
            ),
        );
    }
    if let Some((from, to)) = data.grow_failed {
        return Error::new(
            ErrorKind::OutOfMemory,
            stage,
            format!(
                "linear memory could not grow from {from} B to {to} B (no room to grow in place \
                 when memory may not move, or the heap refused); {message}"
            ),
        );
    }
    let kind = match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => ErrorKind::OutOfFuel,
        // The Wasm stack (`Limits::stack`) ran out: deep recursion or a
        // frame larger than the stack.
        Some(Trap::StackOverflow) => ErrorKind::OutOfMemory,
        Some(_) => ErrorKind::Trap,
        // wasmtime's own allocation failed (the heap budget refused it).
        None if super::is_out_of_memory(&e) => ErrorKind::OutOfMemory,
        // (Imports are checked by name and type before instantiating.)
        None if e.is::<super::api::UnknownImportError>() => ErrorKind::Link,
        None => ErrorKind::Internal,
    };
    Error::new(kind, stage, message)
}

impl Instance for WasmtimeInstance {
    fn has_export(&mut self, name: &str) -> bool {
        self.instance.get_func(&mut self.store, name).is_some()
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
        let func = self
            .instance
            .get_func(&mut self.store, name)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Link,
                    Stage::Run,
                    format!("no exported function `{name}`"),
                )
            })?;
        let ty = func.ty(&self.store);
        if ty.params().len() != 0 || ty.results().len() > 1 {
            return Err(Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("export `{name}` is not nullary with at most one result"),
            ));
        }
        let mut results = [Val::I32(0)];
        let n = ty.results().len();
        let result_ty = ty.results().next();
        func.call(&mut self.store, &[], &mut results[..n])
            .map_err(|e| classify(e, Stage::Run, self.store.data()))?;
        Ok(match (result_ty, results[0]) {
            (None, _) => None,
            (Some(ValType::I32), Val::I32(v)) => Some(Value::I32(v)),
            (Some(ValType::I64), Val::I64(v)) => Some(Value::I64(v)),
            (Some(ValType::F32), Val::F32(v)) => Some(Value::F32(f32::from_bits(v))),
            (Some(ValType::F64), Val::F64(v)) => Some(Value::F64(f64::from_bits(v))),
            (Some(t), _) => {
                return Err(Error::new(
                    ErrorKind::Link,
                    Stage::Run,
                    format!("unsupported result type {t}"),
                ))
            }
        })
    }

    fn host(&self) -> &Host {
        &self.store.data().host
    }

    fn memory_size(&mut self) -> Option<usize> {
        let mem = self.instance.get_memory(&mut self.store, "memory")?;
        Some(mem.data_size(&self.store))
    }
}
