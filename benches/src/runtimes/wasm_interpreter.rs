//! DLR's `wasm-interpreter` (crate `dlr-wasm-interpreter`), the paper's
//! "Wasm-interpreter": an in-place interpreter with "returning host
//! functions" — when Wasm calls an import, `Store::invoke` returns
//! [`RunState::HostCalled`] and the embedder resumes it with
//! `Store::finish_host_call`. [`Instance::call`] drives that loop.
//!
//! Limits:
//! - Stacks: the interpreter sizes its value and call stacks from compile-time
//!   constants of its `Config` trait and allocates both in full on every
//!   invocation (the default is ~1.5 MiB). [`BenchConfig`] sizes them for
//!   [`STACK_BUDGET`] bytes (the 32 KiB of [`Limits::EMBEDDED`] and
//!   [`Limits::HOST`]). Being constants, they cannot follow a different
//!   `Limits::stack` at run time; overflowing them traps with
//!   "either the call stack or the value stack overflowed".
//! - Linear memory: the crate has no limiter and no public way to lower a
//!   memory's maximum. A module whose *initial* memory exceeds
//!   `Limits::max_memory` fails at instantiation with
//!   [`ErrorKind::OutOfMemory`]; `memory.grow` is only bounded by the module's
//!   own maximum. Memory is a `Vec<u8>` grown with `Vec::resize`, so a growth
//!   the heap cannot serve aborts the process on the host (`handle_alloc_error`)
//!   and panics on the boards. Before instantiating and before each call the
//!   adapter checks the tracking allocator's headroom ([`crate::alloc`]) for the
//!   initial memory and the stacks, and fails cleanly with `OutOfMemory`
//!   instead of letting the interpreter abort.
//! - Fuel: the interpreter meters fuel only when asked; it is off here (the
//!   measured configuration). The runner bounds hangs with a time budget.

use alloc_crate::boxed::Box;
use alloc_crate::format;
use alloc_crate::string::ToString;
use alloc_crate::vec::Vec;

use dlr_wasm_interpreter::{
    decode_and_validate, Config, ExternType, ExternVal, FuncType, ModuleAddr, NumType, ResultType,
    RunState, RuntimeError, Store, ValType, Value as DlrValue,
};

use crate::engine::{Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

use super::support::Reader;

/// Bytes of interpreter stack the compile-time [`BenchConfig`] is sized for.
pub const STACK_BUDGET: usize = Limits::EMBEDDED.stack;

/// Call frames (nesting depth of Wasm calls) the call stack holds.
pub const CALL_FRAMES: usize = 256;

/// Size of one call frame: six word-sized fields (return function, return
/// pc, return side-table pointer, two stack indices, return arity).
const FRAME_BYTES: usize = 6 * core::mem::size_of::<usize>();

/// Value-stack slots (locals and operands of all active frames): the budget
/// left after the call frames.
pub const VALUE_SLOTS: usize =
    (STACK_BUDGET - CALL_FRAMES * FRAME_BYTES) / core::mem::size_of::<DlrValue>();

/// The interpreter configuration the benchmarks run with: small stacks, no
/// instruction hook, default fuel costs (fuel itself is off).
pub struct BenchConfig;

impl Config for BenchConfig {
    const MAX_VALUE_STACK_SIZE: usize = VALUE_SLOTS;
    const MAX_CALL_STACK_SIZE: usize = CALL_FRAMES;
}

const PAGE: usize = 65536;

/// The `wasm-interpreter` runtime variant.
pub struct WasmInterpreter {
    limits: Limits,
}

impl WasmInterpreter {
    /// A runtime with the given budgets.
    pub fn new(limits: Limits) -> Self {
        WasmInterpreter { limits }
    }
}

impl Runtime for WasmInterpreter {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: "wasm-interpreter",
            crate_name: "dlr-wasm-interpreter",
            version: env!("TREVM_VERSION_DLR_WASM_INTERPRETER"),
            features: &[
                "default-features=off",
                "stack-budget=32KiB",
                "call-frames=256",
                "fuel=off",
            ],
        }
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        let validated = decode_and_validate(module, &mut ()).map_err(|e| {
            Error::new(
                ErrorKind::Malformed,
                Stage::Load,
                format!("wasm-interpreter: {e}"),
            )
        })?;

        let mut store: Store<'a, BenchConfig> = Store::new(BenchConfig);
        let mut externs = Vec::new();
        for (import_module, name, ty) in validated.imports() {
            let f = match (HostFn::lookup(import_module, name), &ty) {
                (Some(f), ExternType::Func(actual)) if *actual == host_type(f) => f,
                _ => {
                    return Err(Error::new(
                        ErrorKind::Link,
                        Stage::Instantiate,
                        format!("unsupported import `{import_module}.{name}` of type {ty:?}"),
                    ))
                }
            };
            externs.push(ExternVal::Func(store.func_alloc(host_type(f), hostcode(f))));
        }

        let initial = initial_memory_bytes(module);
        if initial > self.limits.max_memory {
            return Err(Error::new(
                ErrorKind::OutOfMemory,
                Stage::Instantiate,
                format!(
                    "initial linear memory of {initial} B exceeds the budget of {} B",
                    self.limits.max_memory
                ),
            ));
        }
        heap_headroom(initial, Stage::Instantiate, "initial linear memory")?;

        // SAFETY: every extern value was allocated in `store` just above.
        let outcome = unsafe { store.module_instantiate(&validated, externs, None) }
            .map_err(|e| runtime_error(e, Stage::Instantiate))?;
        drop(validated);
        Ok(Box::new(DlrInstance {
            store,
            module: outcome.module_addr,
            host,
        }))
    }
}

struct DlrInstance<'a> {
    store: Store<'a, BenchConfig>,
    module: ModuleAddr,
    host: Host,
}

impl Instance for DlrInstance<'_> {
    fn has_export(&mut self, name: &str) -> bool {
        // SAFETY: `self.module` was returned by `self.store`.
        matches!(
            unsafe { self.store.instance_export(self.module, name) },
            Ok(ExternVal::Func(_))
        )
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
        // SAFETY: `self.module` was returned by `self.store`.
        let func = match unsafe { self.store.instance_export(self.module, name) } {
            Ok(ExternVal::Func(f)) => f,
            _ => {
                return Err(Error::new(
                    ErrorKind::Link,
                    Stage::Run,
                    format!("the module exports no function `{name}`"),
                ))
            }
        };
        // The stacks are allocated in full for every invocation.
        heap_headroom(STACK_BUDGET, Stage::Run, "interpreter stacks")?;
        // SAFETY: `func` comes from `self.store`; there are no parameters.
        let mut state = unsafe { self.store.invoke(func, Vec::new(), None) }
            .map_err(|e| runtime_error(e, Stage::Run))?;
        loop {
            state = match state {
                RunState::Finished { values, .. } => return result(name, values),
                RunState::HostCalled {
                    host_call,
                    resumable,
                } => {
                    let f = HostFn::ALL[host_call.hostcode];
                    let ret = self.host.call(f);
                    let results = if f.returns_i64() {
                        alloc_crate::vec![DlrValue::I64(ret as u64)]
                    } else {
                        Vec::new()
                    };
                    // SAFETY: the resumable comes from `self.store`; the results
                    // match the host function's type (see `host_type`).
                    unsafe { self.store.finish_host_call(resumable, results) }
                }
                // Only returned when fuel runs out; fuel is off, but resuming is
                // the right answer anyway.
                // SAFETY: the resumable comes from `self.store`.
                RunState::Resumable { resumable, .. } => unsafe {
                    self.store.resume_wasm(resumable)
                },
            }
            .map_err(|e| runtime_error(e, Stage::Run))?;
        }
    }

    fn host(&self) -> &Host {
        &self.host
    }

    fn memory_size(&mut self) -> Option<usize> {
        // The crate exposes memories only through exports.
        // SAFETY: `self.module` was returned by `self.store`.
        let exports = unsafe { self.store.instance_exports(self.module) };
        let mem = exports.into_iter().find_map(|(_, e)| e.as_mem())?;
        // SAFETY: `mem` comes from `self.store`.
        Some(unsafe { self.store.mem_size(mem) } as usize * PAGE)
    }
}

fn host_type(f: HostFn) -> FuncType {
    let returns = if f.returns_i64() {
        alloc_crate::vec![ValType::NumType(NumType::I64)]
    } else {
        Vec::new()
    };
    FuncType {
        params: ResultType {
            valtypes: Vec::new(),
        },
        returns: ResultType { valtypes: returns },
    }
}

fn hostcode(f: HostFn) -> usize {
    HostFn::ALL.iter().position(|&g| g == f).unwrap_or(0)
}

fn result(name: &str, values: Vec<DlrValue>) -> Result<Option<Value>, Error> {
    match values.as_slice() {
        [] => Ok(None),
        [v] => match *v {
            DlrValue::I32(x) => Ok(Some(Value::I32(x as i32))),
            DlrValue::I64(x) => Ok(Some(Value::I64(x as i64))),
            DlrValue::F32(x) => Ok(Some(Value::F32(x.0))),
            DlrValue::F64(x) => Ok(Some(Value::F64(x.0))),
            other => Err(Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("export `{name}` returned {other:?}"),
            )),
        },
        more => Err(Error::new(
            ErrorKind::Link,
            Stage::Run,
            format!("export `{name}` returned {} values", more.len()),
        )),
    }
}

fn runtime_error(e: RuntimeError, stage: Stage) -> Error {
    let kind = match e {
        RuntimeError::Trap(_) | RuntimeError::StackExhaustion => ErrorKind::Trap,
        RuntimeError::OutOfFuel => ErrorKind::OutOfFuel,
        RuntimeError::InvalidImportType
        | RuntimeError::ExternValsLenMismatch
        | RuntimeError::UnknownExport
        | RuntimeError::FunctionNotFound
        | RuntimeError::FunctionInvocationSignatureMismatch
        | RuntimeError::HostFunctionSignatureMismatch => ErrorKind::Link,
        RuntimeError::MoreThanOneMemory | RuntimeError::UnsupportedHostCallDuringInstantiation => {
            ErrorKind::Unsupported
        }
        _ => ErrorKind::Internal,
    };
    Error::new(kind, stage, e.to_string())
}

/// Fails with `OutOfMemory` when the tracking allocator's budget cannot take
/// `bytes` more: the interpreter would abort on the refused allocation.
fn heap_headroom(bytes: usize, stage: Stage, what: &str) -> Result<(), Error> {
    let (limit, current) = (crate::alloc::limit(), crate::alloc::current());
    if current.saturating_add(bytes) > limit {
        return Err(Error::new(
            ErrorKind::OutOfMemory,
            stage,
            format!(
                "heap budget of {limit} B cannot hold the {what} ({bytes} B, {current} B in use); \
                 wasm-interpreter would abort on the refused allocation"
            ),
        ));
    }
    Ok(())
}

/// Initial size in bytes of the memory the module defines (0 without one).
/// The module has been validated, so the reader can be simple.
fn initial_memory_bytes(wasm: &[u8]) -> usize {
    let mut r = Reader {
        bytes: wasm,
        pos: 8,
    };
    while r.pos < wasm.len() {
        let (Some(id), Some(len)) = (r.byte(), r.leb()) else {
            return 0;
        };
        let end = r.pos.saturating_add(len as usize);
        if id == 5 {
            let count = r.leb().unwrap_or(0);
            if count == 0 {
                return 0;
            }
            let _flags = r.byte();
            return (r.leb().unwrap_or(0) as usize).saturating_mul(PAGE);
        }
        r.pos = end;
    }
    0
}
