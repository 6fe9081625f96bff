//! wasmtime with the Pulley interpreter: the `wasmtime`, `wasmtime-no-simd`
//! and `trevm` variants.
//!
//! Modules are precompiled on the host with Cranelift for `pulley32` (boards)
//! or `pulley64` (host) by [`Runtime::prepare`], and loaded on the target
//! with `Module::deserialize_raw`, which runs the precompiled code in place
//! (from flash on a board) instead of copying it to RAM. The engine
//! configuration must be identical on both sides, so it is built by one
//! function, [`config`], for both.
//!
//! The variants:
//! - `wasmtime`: Pulley with its interpreter's SIMD support (the default);
//! - `wasmtime-no-simd`: Pulley built with `--cfg pulley_disable_interp_simd`,
//!   as in the paper; the SIMD proposal is then disabled in the engine too;
//! - `trevm`: treVM's host configuration, the reference runtime: Pulley
//!   without SIMD, fuel metering on, custom page sizes allowed, and a small
//!   Wasm stack.
//!
//! Limits: linear memory is capped at [`Limits::max_memory`] by the store's
//! [`wasmtime::ResourceLimiter`], which refuses a memory (initial or grown)
//! past it and records that it did; a refused `memory.grow` traps (as
//! wasmi's `trap_on_grow_failure` does), so the budget, not the guest, ends
//! the cell: [`ErrorKind::OutOfMemory`]. Growth past the module's own
//! maximum is left to wasmtime (`memory.grow` returns -1).
//!
//! Errors are classified by type (`classify`): the limiter's record,
//! [`Trap`] codes (a stack overflow, the Wasm stack budget
//! [`Limits::stack`] running out, is [`ErrorKind::OutOfMemory`]),
//! [`wasmtime::OutOfMemory`] and [`wasmtime::UnknownImportError`]. Imports
//! are checked by name and type before instantiating ([`ErrorKind::Link`]).

use alloc_crate::boxed::Box;
use alloc_crate::format;
use core::ptr::NonNull;

use wasmtime::{Config, Engine, Linker, Module, Store, Trap, Val, ValType};

use crate::engine::{Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

/// One of the three wasmtime/Pulley variants.
pub struct Wasmtime {
    label: &'static str,
    limits: Limits,
    engine: Engine,
}

const FEATURES_SIMD: &[&str] = &["runtime", "pulley", "interp-simd"];
const FEATURES_NO_SIMD: &[&str] = &["runtime", "pulley", "cfg(pulley_disable_interp_simd)"];
const FEATURES_TREVM: &[&str] = &[
    "runtime",
    "pulley",
    "cfg(pulley_disable_interp_simd)",
    "consume_fuel",
    "custom-page-sizes",
];

/// The engine configuration of `label` for a target of the given pointer
/// width. Used both to precompile on the host and to load on the target, so
/// that the two always match.
pub fn config(label: &str, limits: &Limits, pointer_width: u32) -> Result<Config, Error> {
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
    let simd = label == "wasmtime";
    c.wasm_simd(simd);
    c.wasm_relaxed_simd(simd);
    if label == "trevm" {
        c.consume_fuel(true);
        c.wasm_custom_page_sizes(true);
        // treVM runs capsules with a small Wasm stack.
        c.max_wasm_stack(limits.stack.min(16 * 1024));
    }
    Ok(c)
}

impl Wasmtime {
    /// The variant `label` (`wasmtime`, `wasmtime-no-simd` or `trevm`).
    ///
    /// Pulley's SIMD support is a compile-time switch, so a build offers
    /// either `wasmtime` or the two others; asking for the wrong one is an
    /// [`ErrorKind::Unsupported`] error.
    pub fn variant(label: &str, limits: Limits) -> Result<Self, Error> {
        let label: &'static str = match label {
            "wasmtime" => "wasmtime",
            "wasmtime-no-simd" => "wasmtime-no-simd",
            "trevm" => "trevm",
            other => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    Stage::Load,
                    format!("not a wasmtime variant: {other}"),
                ))
            }
        };
        let wants_no_simd = label != "wasmtime";
        if wants_no_simd != super::PULLEY_NO_SIMD {
            return Err(Error::new(
                ErrorKind::Unsupported,
                Stage::Load,
                format!(
                    "`{label}` needs Pulley built {} `--cfg pulley_disable_interp_simd`",
                    if wants_no_simd { "with" } else { "without" }
                ),
            ));
        }
        let width = usize::BITS;
        let engine = Engine::new(&config(label, &limits, width)?)
            .map_err(|e| Error::new(ErrorKind::Internal, Stage::Load, e))?;
        Ok(Wasmtime {
            label,
            limits,
            engine,
        })
    }
}

/// Store data: the host state and the linear-memory budget.
struct Data {
    host: Host,
    max_memory: usize,
    /// The limiter refused a memory past [`Limits::max_memory`]: how large
    /// it was to be, in bytes.
    refused: Option<usize>,
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

impl wasmtime::ResourceLimiter for Data {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if maximum.is_some_and(|max| desired > max) {
            // Past the module's own maximum: wasmtime refuses it (-1), the
            // guest's business, not the budget's.
            return Ok(true);
        }
        if desired > self.max_memory {
            self.refused = Some(desired);
            return Err(wasmtime::Error::new(BudgetExceeded));
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(true)
    }
}

impl Runtime for Wasmtime {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: self.label,
            crate_name: "wasmtime",
            version: env!("TREVM_VERSION_WASMTIME"),
            features: match self.label {
                "wasmtime" => FEATURES_SIMD,
                "wasmtime-no-simd" => FEATURES_NO_SIMD,
                _ => FEATURES_TREVM,
            },
        }
    }

    #[cfg(feature = "prepare")]
    fn prepare(&self, wasm: &[u8], pointer_width: u32) -> Result<alloc_crate::vec::Vec<u8>, Error> {
        let engine = Engine::new(&config(self.label, &self.limits, pointer_width)?)
            .map_err(|e| Error::new(ErrorKind::Internal, Stage::Prepare, e))?;
        engine
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
            let r = if f.returns_i64() {
                linker.func_wrap(
                    HostFn::MODULE,
                    f.name(),
                    move |mut c: wasmtime::Caller<'_, Data>| -> i64 { c.data_mut().host.call(f) },
                )
            } else {
                linker.func_wrap(
                    HostFn::MODULE,
                    f.name(),
                    move |mut c: wasmtime::Caller<'_, Data>| {
                        c.data_mut().host.call(f);
                    },
                )
            };
            r.map_err(|e| Error::new(ErrorKind::Internal, Stage::Instantiate, e))?;
        }

        let data = Data {
            host,
            max_memory: self.limits.max_memory,
            refused: None,
        };
        let mut store = Store::new(&self.engine, data);
        store.limiter(|d| d);
        if self.label == "trevm" {
            store
                .set_fuel(self.limits.fuel)
                .map_err(|e| Error::new(ErrorKind::Internal, Stage::Instantiate, e))?;
        }
        let instance = linker
            .instantiate(&mut store, &module)
            .map_err(|e| classify(e, Stage::Instantiate, store.data()))?;
        Ok(Box::new(WasmtimeInstance { store, instance }))
    }
}

struct WasmtimeInstance {
    store: Store<Data>,
    instance: wasmtime::Instance,
}

/// Classifies a wasmtime error by its type: the limiter's record of a
/// refused memory first (the trap or error that follows is its
/// consequence), then the [`Trap`] code, then wasmtime's error types;
/// anything else is [`ErrorKind::Internal`].
fn classify(e: wasmtime::Error, stage: Stage, data: &Data) -> Error {
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
    let kind = match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => ErrorKind::OutOfFuel,
        // The Wasm stack (`Limits::stack`) ran out: deep recursion or a
        // frame larger than the stack.
        Some(Trap::StackOverflow) => ErrorKind::OutOfMemory,
        Some(_) => ErrorKind::Trap,
        // wasmtime's own allocation failed (the heap budget refused it).
        None if e.is::<wasmtime::OutOfMemory>() => ErrorKind::OutOfMemory,
        // (Imports are checked by name and type before instantiating.)
        None if e.is::<wasmtime::UnknownImportError>() => ErrorKind::Link,
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

// wasmtime without `std` asks the embedder for thread-local pointers, by
// slot number. Firmware is single-threaded, so statics serve.
#[cfg(not(feature = "std"))]
mod tls {
    use core::sync::atomic::{AtomicPtr, Ordering};

    const NULL: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
    static SLOTS: [AtomicPtr<u8>; 4] = [NULL; 4];

    #[unsafe(no_mangle)]
    extern "C" fn wasmtime_tls_get(slot: usize) -> *mut u8 {
        SLOTS
            .get(slot)
            .map_or(core::ptr::null_mut(), |s| s.load(Ordering::Relaxed))
    }

    #[unsafe(no_mangle)]
    extern "C" fn wasmtime_tls_set(slot: usize, ptr: *mut u8) {
        if let Some(s) = SLOTS.get(slot) {
            s.store(ptr, Ordering::Relaxed)
        }
    }
}
