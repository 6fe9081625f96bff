//! `native`: the workload compiled for the target itself, no Wasm at all:
//! the physical limit every runtime is compared with.
//!
//! The "module" handed to [`Runtime::instantiate`] is the workload's name
//! (UTF-8); the workload's code is linked into the program. Its triggers
//! call the same [`Host`] the Wasm runtimes' imports do, so intervals are
//! measured identically.

use alloc_crate::boxed::Box;
use alloc_crate::format;

use own_workloads::{Triggers, Workload};

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
            version: env!("TREVM_VERSION_OWN_WORKLOADS"),
            features: &[],
        }
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        let name = core::str::from_utf8(module).map_err(|_| {
            Error::new(
                ErrorKind::Malformed,
                Stage::Load,
                "native module name is not UTF-8",
            )
        })?;
        let workload = own_workloads::find(name.trim()).ok_or_else(|| {
            Error::new(
                ErrorKind::Link,
                Stage::Load,
                format!("no native workload named `{name}`"),
            )
        })?;
        Ok(Box::new(NativeInstance { workload, host }))
    }
}

struct NativeInstance {
    workload: &'static Workload,
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

impl Instance for NativeInstance {
    fn has_export(&mut self, name: &str) -> bool {
        name == "__original_main"
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
        match name {
            "__original_main" => Ok(Some(Value::I32((self.workload.run)(&mut self.host)))),
            _ => Err(Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("native workloads have no export `{name}`"),
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
