//! The wasmi adapter, written once and compiled against each wasmi version
//! the catalog has: `wasmi.rs` (the current version) and `wasmi_1.rs` (the
//! paper's 1.0.9) each name their crate as `api` and describe their variant
//! in [`super::VARIANT`], then mount this file.
//!
//! wasmi is a register-based interpreter written in Rust.
//!
//! Configuration: wasmi's defaults (lazy translation), no fuel metering (as
//! in the paper); modules are validated, except in the paper's
//! configuration ([`Variant::unchecked`]), which loads them with
//! `Module::new_unchecked` as the paper did. Linear memory is capped with wasmi's
//! `StoreLimits` at [`Limits::max_memory`], and a refused growth traps, so an
//! out-of-memory guest is reported as such.
//!
//! Each instance has an engine of its own, created when the module is
//! loaded: a wasmi engine keeps what it translated (function bodies, types)
//! until it is dropped, so an engine shared by the instances of one runtime
//! would grow with every module loaded.
//!
//! Errors are classified by wasmi's typed errors (`classify`): trap codes
//! (a stack overflow, the Wasm stack running out, is
//! [`ErrorKind::OutOfMemory`]), and the memory, table, linker and
//! instantiation errors.

use alloc_crate::boxed::Box;
use alloc_crate::format;

use super::api::{
    Config, Engine, Linker, Module, Store, StoreLimits, StoreLimitsBuilder, Val, ValType,
};

use crate::engine::{Host, HostFn, HostFnSet, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

/// What distinguishes the variants built from this adapter.
pub struct Variant {
    /// The label in results.
    pub label: &'static str,
    /// The crate's version (the catalog's, which a test checks against
    /// `Cargo.lock`).
    pub version: &'static str,
    /// Its cargo features and configuration, as results record them.
    pub features: &'static [&'static str],
    /// Load modules with `Module::new_unchecked` (no validation), as the
    /// paper did.
    pub unchecked: bool,
}

/// The wasmi runtime.
pub struct Wasmi {
    limits: Limits,
    config: Config,
}

impl Wasmi {
    /// wasmi in the configuration of [`super::VARIANT`].
    pub fn new(limits: Limits) -> Self {
        Wasmi {
            limits,
            config: Config::default(),
        }
    }
}

struct Data {
    host: Host,
    limits: StoreLimits,
}

impl Runtime for Wasmi {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: super::VARIANT.label,
            crate_name: "wasmi",
            version: super::VARIANT.version,
            features: super::VARIANT.features,
        }
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        let engine = Engine::new(&self.config);
        let module = if super::VARIANT.unchecked {
            // SAFETY: wasmi's contract is that the bytes are a valid Wasm
            // module; the paper's configuration, measured as it was. A
            // malformed module here is the harness's bad input, and the
            // conformance cases skip this variant for invalid modules.
            unsafe { Module::new_unchecked(&engine, module) }
        } else {
            Module::new(&engine, module)
        }
        .map_err(|e| classify(e, Stage::Load))?;
        let mut linker: Linker<Data> = Linker::new(&engine);
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
                ty.params().is_empty()
                    && ty.results()
                        == if f.returns_i64() {
                            &[ValType::I64][..]
                        } else {
                            &[]
                        }
            });
            if !typed {
                return Err(Error::new(
                    ErrorKind::Link,
                    Stage::Instantiate,
                    match import.ty().func() {
                        Some(ty) => format!(
                            "import `{}.{}` has the wrong type {:?} -> {:?} (expected {})",
                            import.module(),
                            import.name(),
                            ty.params(),
                            ty.results(),
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
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.max_memory)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(&engine, Data { host, limits });
        store.limiter(|d| &mut d.limits);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| classify(e, Stage::Instantiate))?;
        Ok(Box::new(WasmiInstance { store, instance }))
    }
}

/// Classifies a wasmi error by its kind: trap codes, and the typed errors
/// of memories, tables, linking and instantiation.
fn classify(e: super::api::Error, stage: Stage) -> Error {
    use super::api::errors::{ErrorKind as K, InstantiationError as I, MemoryError, TableError};
    use super::api::TrapCode;

    let memory = |m: &MemoryError| match m {
        // The store limiter (`Limits::max_memory`) or the heap refused.
        MemoryError::ResourceLimiterDeniedAllocation
        | MemoryError::OutOfSystemMemory
        | MemoryError::MinimumSizeOverflow
        | MemoryError::MaximumSizeOverflow => ErrorKind::OutOfMemory,
        // An active data segment beyond the memory.
        MemoryError::OutOfBoundsAccess => ErrorKind::Trap,
        MemoryError::OutOfFuel { .. } => ErrorKind::OutOfFuel,
        _ => ErrorKind::Internal,
    };
    let table = |t: &TableError| match t {
        TableError::ResourceLimiterDeniedAllocation
        | TableError::OutOfSystemMemory
        | TableError::MinimumSizeOverflow
        | TableError::MaximumSizeOverflow => ErrorKind::OutOfMemory,
        TableError::OutOfFuel { .. } => ErrorKind::OutOfFuel,
        TableError::ElementTypeMismatch => ErrorKind::Link,
        // An active element segment beyond the table.
        _ => ErrorKind::Trap,
    };
    let kind = match e.kind() {
        K::TrapCode(TrapCode::OutOfFuel) => ErrorKind::OutOfFuel,
        // The store limiter refused a `memory.grow` (trap_on_grow_failure).
        K::TrapCode(TrapCode::GrowthOperationLimited) => ErrorKind::OutOfMemory,
        // The Wasm stack ran out (deep recursion, a huge frame).
        K::TrapCode(TrapCode::StackOverflow) => ErrorKind::OutOfMemory,
        K::TrapCode(_) | K::Message(_) | K::I32ExitStatus(_) | K::Host(_) => ErrorKind::Trap,
        K::Memory(m) | K::Instantiation(I::FailedToInstantiateMemory(m)) => memory(m),
        K::Table(t) | K::Instantiation(I::FailedToInstantiateTable(t)) => table(t),
        K::Instantiation(I::ElementSegmentDoesNotFit { .. }) => ErrorKind::Trap,
        K::Instantiation(
            I::TooManyInstances
            | I::TooManyTables
            | I::TooManyMemories
            | I::UnexpectedStartFn { .. },
        ) => ErrorKind::Unsupported,
        K::Instantiation(_) | K::Linker(_) | K::Func(_) | K::Global(_) => ErrorKind::Link,
        K::Fuel(_) => ErrorKind::OutOfFuel,
        K::Read(_) | K::Wasm(_) | K::Translation(_) | K::Ir(_) => ErrorKind::Malformed,
        // What differs between wasmi versions (limits errors).
        other => super::other_kind(other),
    };
    let message = match kind {
        ErrorKind::OutOfMemory => format!("a memory budget was exceeded; {e}"),
        _ => format!("{e}"),
    };
    Error::new(kind, stage, message)
}

struct WasmiInstance {
    store: Store<Data>,
    instance: super::api::Instance,
}

impl Instance for WasmiInstance {
    fn has_export(&mut self, name: &str) -> bool {
        self.instance.get_func(&self.store, name).is_some()
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
        let func = self.instance.get_func(&self.store, name).ok_or_else(|| {
            Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("no exported function `{name}`"),
            )
        })?;
        let ty = func.ty(&self.store);
        if !ty.params().is_empty() || ty.results().len() > 1 {
            return Err(Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("export `{name}` is not nullary with at most one result"),
            ));
        }
        let n = ty.results().len();
        let mut results = [Val::I32(0)];
        func.call(&mut self.store, &[], &mut results[..n])
            .map_err(|e| classify(e, Stage::Run))?;
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(match results[0] {
            Val::I32(v) => Value::I32(v),
            Val::I64(v) => Value::I64(v),
            Val::F32(v) => Value::F32(v.to_float()),
            Val::F64(v) => Value::F64(v.to_float()),
            ref other => {
                return Err(Error::new(
                    ErrorKind::Link,
                    Stage::Run,
                    format!("unsupported result {other:?}"),
                ));
            }
        }))
    }

    fn host(&self) -> &Host {
        &self.store.data().host
    }

    fn memory_size(&mut self) -> Option<usize> {
        let mem = self.instance.get_memory(&self.store, "memory")?;
        Some(mem.data_size(&self.store))
    }
}
