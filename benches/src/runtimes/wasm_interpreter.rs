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
//!   `Limits::stack` at run time. Overflowing them is
//!   `RuntimeError::StackExhaustion`, reported as [`ErrorKind::OutOfMemory`]
//!   (the stack budget ran out; the spec calls it resource exhaustion).
//! - Linear memory: the crate has no limiter, and grows memory with
//!   `Vec::resize`, so a growth the heap cannot serve aborts the process on
//!   the host (`handle_alloc_error`) and panics on the boards. The adapter
//!   therefore
//!   - rejects a module whose *initial* memory exceeds `Limits::max_memory`
//!     ([`ErrorKind::OutOfMemory`]) before instantiating it, and checks the
//!     tracking allocator's headroom ([`crate::alloc`]) for the initial
//!     memory and, before each call, for the stacks;
//!   - on the host (feature `std`; boards report a refused allocation as
//!     out-of-memory, and a second configuration would double the
//!     interpreter's code in flash), runs a module that may grow its memory
//!     beyond what the budgets allow
//!     (no declared maximum, or one above them) with [`GuardedConfig`]: the
//!     interpreter's fuel metering with every instruction free except
//!     `memory.grow`, which costs one unit per page, and as much fuel per
//!     call as there are pages left in the budget. A growth past the budget
//!     then stops the call with `RunState::Resumable` (out of fuel) before
//!     any allocation, reported as [`ErrorKind::OutOfMemory`]. A module with
//!     a fixed memory (all benchmark modules) runs with [`BenchConfig`], the
//!     measured configuration, without fuel.
//! - Fuel: otherwise off (the measured configuration). The runner bounds
//!   hangs with a time budget.
//!
//! Errors are classified by the crate's [`RuntimeError`] variants.

use alloc_crate::boxed::Box;
use alloc_crate::format;
use alloc_crate::string::ToString;
use alloc_crate::vec::Vec;

use dlr_wasm_interpreter::{
    decode_and_validate, instructions, Config, ExternType, ExternVal, FuncType, ModuleAddr,
    NumType, ResultType, RunState, RuntimeError, Store, ValType, Value as DlrValue,
};

use crate::engine::{Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

use super::support::{
    defined_memory, heap_headroom, initial_memory_over_budget, MemoryLimits, WASM_PAGE,
};

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

/// The configuration for modules that may grow their memory past the
/// budget: [`BenchConfig`]'s stacks, and fuel that only `memory.grow`
/// consumes, one unit per page (see the module documentation).
pub struct GuardedConfig;

impl Config for GuardedConfig {
    const MAX_VALUE_STACK_SIZE: usize = VALUE_SLOTS;
    const MAX_CALL_STACK_SIZE: usize = CALL_FRAMES;

    fn get_flat_cost(_instr: u8) -> u64 {
        0
    }

    fn get_fc_extension_flat_cost(_instr: u32) -> u64 {
        0
    }

    fn get_fd_extension_flat_cost(_instr: u32) -> u64 {
        0
    }

    fn get_cost_per_element(instr: u8) -> u64 {
        u64::from(instr == instructions::MEMORY_GROW)
    }
}

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

/// Memory the stacks take (allocated in full on every invocation).
fn stacks_bytes() -> usize {
    STACK_BUDGET
}

impl Runtime for WasmInterpreter {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: "wasm-interpreter",
            crate_name: "dlr-wasm-interpreter",
            version: env!("TREVM_VERSION_WASM_INTERPRETER"),
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
        let memory = defined_memory(module);
        let budget = Budget::new(&self.limits, memory);
        // Host only: a second configuration is a second copy of the
        // interpreter (+110 KiB of flash on Cortex-M), which would count
        // as the runtime's footprint. On a board a growth past the heap is
        // a refused allocation, which the firmware reports as out-of-memory.
        #[cfg(feature = "std")]
        if budget.may_be_exceeded {
            return instantiate_with::<GuardedConfig>(GuardedConfig, module, host, memory, budget);
        }
        instantiate_with::<BenchConfig>(BenchConfig, module, host, memory, budget)
    }
}

/// How far the linear memory may grow.
#[derive(Clone, Copy)]
struct Budget {
    /// `Limits::max_memory`.
    max_memory: usize,
    /// `Limits::max_memory` in whole pages.
    cap_pages: u64,
    /// The module may grow its memory beyond what the budgets allow: run it
    /// with [`GuardedConfig`].
    may_be_exceeded: bool,
}

impl Budget {
    fn new(limits: &Limits, memory: Option<MemoryLimits>) -> Budget {
        let cap_pages = limits.max_memory as u64 / WASM_PAGE;
        let may_be_exceeded = memory.is_some_and(|m| {
            let max = m.max.unwrap_or(u64::MAX);
            max > m.min && (max > cap_pages || max > heap_pages(m.min))
        });
        Budget {
            max_memory: limits.max_memory,
            cap_pages,
            may_be_exceeded,
        }
    }
}

/// Pages a memory of `current` pages may grow to without the heap budget
/// refusing: `Vec::resize` may double the capacity and copies while both
/// blocks are alive, so a memory of `n` pages may need `3n` pages of heap
/// at once, besides the stacks of the running call.
fn heap_pages(current: u64) -> u64 {
    let free =
        (heap_headroom().saturating_sub(stacks_bytes()) as u64 / WASM_PAGE).saturating_add(current);
    free / 3
}

fn instantiate_with<'a, C: Config + 'static>(
    config: C,
    module: &'a [u8],
    host: Host,
    memory: Option<MemoryLimits>,
    budget: Budget,
) -> Result<Box<dyn Instance + 'a>, Error> {
    let validated = decode_and_validate(module, &mut ()).map_err(|e| {
        Error::new(
            ErrorKind::Malformed,
            Stage::Load,
            format!("wasm-interpreter: {e}"),
        )
    })?;

    let mut store: Store<'a, C> = Store::new(config);
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

    if let Some(e) = initial_memory_over_budget(memory, budget.max_memory) {
        return Err(e);
    }
    let initial = memory.map_or(0, |m| m.min_bytes() as usize);
    heap_room(initial, Stage::Instantiate, "initial linear memory")?;

    // SAFETY: every extern value was allocated in `store` just above.
    let outcome = unsafe { store.module_instantiate(&validated, externs, None) }
        .map_err(|e| runtime_error(e, Stage::Instantiate))?;
    drop(validated);
    let pages = memory.map_or(0, |m| m.min);
    Ok(Box::new(DlrInstance {
        store,
        module: outcome.module_addr,
        host,
        budget,
        pages,
    }))
}

struct DlrInstance<'a, C: Config> {
    store: Store<'a, C>,
    module: ModuleAddr,
    host: Host,
    budget: Budget,
    /// Pages of linear memory: exact when the memory is exported, otherwise
    /// an upper bound (see [`DlrInstance::fuel`]).
    pages: u64,
}

impl<C: Config> DlrInstance<'_, C> {
    /// The fuel for a call: `None` (unmetered) for [`BenchConfig`];
    /// otherwise the pages the memory may still grow by.
    fn fuel(&mut self) -> Option<u64> {
        if !self.budget.may_be_exceeded {
            return None;
        }
        if let Some(bytes) = self.memory_size() {
            self.pages = bytes as u64 / WASM_PAGE;
        }
        let limit = self.budget.cap_pages.min(heap_pages(self.pages));
        Some(limit.saturating_sub(self.pages))
    }

    /// Accounts for the fuel a call used: every unit is a page grown (or
    /// asked for in vain; an over-estimate is safe).
    fn fuel_used(&mut self, given: Option<u64>, left: Option<u64>) {
        if let (Some(given), Some(left)) = (given, left) {
            self.pages = self.pages.saturating_add(given.saturating_sub(left));
        }
    }

    fn over_budget(&self) -> Error {
        Error::new(
            ErrorKind::OutOfMemory,
            Stage::Run,
            format!(
                "memory.grow past the budget: linear memory of {} pages may grow to {} pages \
                 (Limits::max_memory {} pages, and what the heap budget can hold); \
                 wasm-interpreter has no memory limiter, so the adapter meters growth as fuel",
                self.pages,
                self.budget.cap_pages.min(heap_pages(self.pages)),
                self.budget.cap_pages
            ),
        )
    }
}

impl<C: Config> Instance for DlrInstance<'_, C> {
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
        // SAFETY: `func` comes from `self.store`.
        let ty = unsafe { self.store.func_type(func) };
        if !ty.params.valtypes.is_empty() || ty.returns.valtypes.len() > 1 {
            return Err(Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("export `{name}` is not of type () -> () or () -> T"),
            ));
        }
        // The stacks are allocated in full for every invocation.
        heap_room(stacks_bytes(), Stage::Run, "interpreter stacks")?;
        let fuel = self.fuel();
        // SAFETY: `func` comes from `self.store`; there are no parameters.
        let mut state = unsafe { self.store.invoke(func, Vec::new(), fuel) };
        loop {
            let next = match state {
                Err(e) => {
                    // How much fuel went is unknown: assume all of it.
                    self.fuel_used(fuel, Some(0));
                    return Err(runtime_error(e, Stage::Run));
                }
                Ok(RunState::Finished {
                    values,
                    maybe_remaining_fuel,
                }) => {
                    self.fuel_used(fuel, maybe_remaining_fuel);
                    return result(name, values);
                }
                Ok(RunState::HostCalled {
                    host_call,
                    resumable,
                }) => {
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
                // Out of fuel: only `GuardedConfig` meters fuel, and there
                // only `memory.grow` consumes it: a growth past the budget.
                Ok(RunState::Resumable {
                    required_fuel: Some(_),
                    ..
                }) => {
                    self.fuel_used(fuel, Some(0));
                    return Err(self.over_budget());
                }
                // Back from a host function: Wasm continues.
                Ok(RunState::Resumable {
                    resumable,
                    required_fuel: None,
                }) => {
                    // SAFETY: the resumable comes from `self.store`.
                    unsafe { self.store.resume_wasm(resumable) }
                }
            };
            state = next;
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
        Some(unsafe { self.store.mem_size(mem) } as usize * WASM_PAGE as usize)
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

/// Classifies the interpreter's error by its variant.
fn runtime_error(e: RuntimeError, stage: Stage) -> Error {
    let kind = match e {
        RuntimeError::Trap(_) => ErrorKind::Trap,
        // The stacks of `Config` ran out (deep recursion, a huge frame).
        RuntimeError::StackExhaustion => ErrorKind::OutOfMemory,
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
    let message = match kind {
        ErrorKind::OutOfMemory => format!("{e} (the interpreter stacks of {STACK_BUDGET} B)"),
        _ => e.to_string(),
    };
    Error::new(kind, stage, message)
}

/// Fails with `OutOfMemory` when the tracking allocator's budget cannot take
/// `bytes` more: the interpreter would abort on the refused allocation.
fn heap_room(bytes: usize, stage: Stage, what: &str) -> Result<(), Error> {
    if bytes > heap_headroom() {
        let (limit, current) = (crate::alloc::limit(), crate::alloc::current());
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
