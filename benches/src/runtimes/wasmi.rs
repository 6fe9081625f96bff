//! wasmi 2.x: a register-based interpreter written in Rust.
//!
//! Configuration: wasmi's defaults (lazy translation), validation on, no fuel
//! metering (as in the paper). Linear memory is capped with wasmi's
//! `StoreLimits` at [`Limits::max_memory`], and a refused growth traps, so an
//! out-of-memory guest is reported as such.
//!
//! On RISC-V firmware the crate must be built with its `portable-dispatch`
//! feature: the default tail-call dispatch overflows the stack there.

use alloc_crate::boxed::Box;
use alloc_crate::format;

use wasmi::{Config, Engine, Linker, Module, Store, StoreLimits, StoreLimitsBuilder, Val};

use crate::engine::{Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

/// The wasmi runtime.
pub struct Wasmi {
    limits: Limits,
    engine: Engine,
}

impl Wasmi {
    /// A wasmi engine with the project's configuration.
    pub fn new(limits: Limits) -> Self {
        let config = Config::default();
        Wasmi {
            limits,
            engine: Engine::new(&config),
        }
    }
}

struct Data {
    host: Host,
    limits: StoreLimits,
}

const FEATURES: &[&str] = if cfg!(target_arch = "riscv32") {
    &["validate", "portable-dispatch"]
} else {
    &["validate"]
};

impl Runtime for Wasmi {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: "wasmi",
            crate_name: "wasmi",
            version: env!("TREVM_VERSION_WASMI"),
            features: FEATURES,
        }
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        let module = Module::new(&self.engine, module)
            .map_err(|e| Error::new(ErrorKind::Malformed, Stage::Load, e))?;
        let mut linker: Linker<Data> = Linker::new(&self.engine);
        for import in module.imports() {
            let Some(f) = HostFn::lookup(import.module(), import.name()) else {
                return Err(Error::new(
                    ErrorKind::Link,
                    Stage::Instantiate,
                    format!("unknown import `{}.{}`", import.module(), import.name()),
                ));
            };
            let r = if f.returns_i64() {
                linker.func_wrap(
                    HostFn::MODULE,
                    f.name(),
                    move |mut c: wasmi::Caller<'_, Data>| -> i64 { c.data_mut().host.call(f) },
                )
            } else {
                linker.func_wrap(
                    HostFn::MODULE,
                    f.name(),
                    move |mut c: wasmi::Caller<'_, Data>| {
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
        let mut store = Store::new(&self.engine, Data { host, limits });
        store.limiter(|d| &mut d.limits);
        let instance = linker
            .instantiate_and_start(&mut store, &module)
            .map_err(|e| classify(e, Stage::Instantiate))?;
        Ok(Box::new(WasmiInstance { store, instance }))
    }
}

fn classify(e: wasmi::Error, stage: Stage) -> Error {
    let debug = format!("{e:?}");
    let kind = match e.kind() {
        wasmi::errors::ErrorKind::TrapCode(wasmi::TrapCode::OutOfFuel) => ErrorKind::OutOfFuel,
        // The store limiter refused a `memory.grow` (trap_on_grow_failure).
        wasmi::errors::ErrorKind::TrapCode(wasmi::TrapCode::GrowthOperationLimited) => {
            ErrorKind::OutOfMemory
        }
        wasmi::errors::ErrorKind::Memory(_) => ErrorKind::OutOfMemory,
        _ if debug.contains("Limiter") => ErrorKind::OutOfMemory,
        wasmi::errors::ErrorKind::TrapCode(_) => ErrorKind::Trap,
        _ if stage == Stage::Instantiate => ErrorKind::Link,
        _ => ErrorKind::Trap,
    };
    let message = match kind {
        ErrorKind::OutOfMemory => format!("linear memory budget exceeded; {e}"),
        _ => format!("{e}"),
    };
    Error::new(kind, stage, message)
}

struct WasmiInstance {
    store: Store<Data>,
    instance: wasmi::Instance,
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
