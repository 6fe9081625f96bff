//! `native`: the workload compiled for the target itself, no Wasm at all:
//! the physical limit every runtime is compared with.
//!
//! The "module" handed to [`Runtime::instantiate`] names the workload
//! (UTF-8): `name` or `own/name` for the `own` suite (Rust, linked from
//! `own-workloads`), `suite/name` for the C suites (`coremark`, `embench`,
//! `embench-current`; linked from `trevm-native-c` when `make suites`
//! prepared their sources). Their host calls (triggers, `clock_ms`) go to
//! the same [`Host`] the Wasm runtimes' imports do, so intervals are
//! measured identically, and they answer to the same export names as their
//! Wasm modules.

use alloc_crate::boxed::Box;
use alloc_crate::format;

use own_workloads::Triggers;

use crate::engine::{Host, HostFn, Instance, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

/// The native "runtime".
#[derive(Default)]
pub struct Native;

impl Native {
    /// The native runtime.
    pub fn new() -> Self {
        Native
    }
}

impl Runtime for Native {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: "native",
            crate_name: "own-workloads",
            version: env!("TREVM_VERSION_NATIVE"),
            features: &[],
        }
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        let text = core::str::from_utf8(module).map_err(|_| {
            Error::new(
                ErrorKind::Malformed,
                Stage::Load,
                "native module name is not UTF-8",
            )
        })?;
        let (suite, name) = text.trim().split_once('/').unwrap_or(("own", text.trim()));
        let code = if suite == "own" {
            own_workloads::find(name).map(Code::Own)
        } else {
            trevm_native_c::find(suite, name).map(Code::C)
        };
        let code = code.ok_or_else(|| {
            let hint = if suite == "own" {
                ""
            } else {
                " (the C suites are compiled in only with TREVM_NATIVE_C=all after `make suites`; `make bench SUITE=<suite>` does that)"
            };
            Error::new(
                ErrorKind::Link,
                Stage::Load,
                format!("no native workload `{name}` in suite `{suite}`{hint}"),
            )
        })?;
        Ok(Box::new(NativeInstance { code, host }))
    }
}

/// The code behind a native instance.
enum Code {
    /// A Rust workload of the `own` suite.
    Own(&'static own_workloads::Workload),
    /// A C benchmark (CoreMark, Embench).
    C(&'static trevm_native_c::Workload),
}

struct NativeInstance {
    code: Code,
    host: Host,
}

impl Triggers for Host {
    fn initialise_board(&mut self) {
        self.call(HostFn::InitialiseBoard);
    }
    fn start_trigger(&mut self) {
        self.call(HostFn::StartTrigger);
    }
    fn stop_trigger(&mut self) {
        self.call(HostFn::StopTrigger);
    }
}

impl trevm_native_c::Env for Host {
    fn initialise_board(&mut self) {
        self.call(HostFn::InitialiseBoard);
    }
    fn start_trigger(&mut self) {
        self.call(HostFn::StartTrigger);
    }
    fn stop_trigger(&mut self) {
        self.call(HostFn::StopTrigger);
    }
    fn clock_ms(&mut self) -> i64 {
        self.call(HostFn::ClockMs)
    }
}

impl Instance for NativeInstance {
    fn has_export(&mut self, name: &str) -> bool {
        match self.code {
            Code::Own(_) => name == "__original_main",
            Code::C(w) => w.exports().contains(&name),
        }
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
        let value = match self.code {
            Code::Own(w) if name == "__original_main" => Some(Value::I32((w.run)(&mut self.host))),
            Code::Own(_) => None,
            Code::C(w) => w.call(name, &mut self.host).map(|v| match v {
                trevm_native_c::Value::I32(v) => Value::I32(v),
                trevm_native_c::Value::F32(v) => Value::F32(v),
            }),
        };
        match value {
            Some(v) => Ok(Some(v)),
            None => Err(Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("this native workload has no export `{name}`"),
            )),
        }
    }

    fn host(&self) -> &Host {
        &self.host
    }

    fn memory_size(&mut self) -> Option<usize> {
        None
    }
}
