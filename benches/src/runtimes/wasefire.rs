//! wasefire's interpreter (crate `wasefire-interpreter`, nightly only): an
//! in-place interpreter that runs the module where it lies, guided by a side
//! table that [`Runtime::prepare`] adds on the host
//! (`wasefire_interpreter::prepare`). The device only verifies it
//! (`Module::new`).
//!
//! Host functions are linked by name and signature (`Store::link_func_custom`);
//! when Wasm calls one, execution returns to the embedder as
//! [`RunResult::Host`] and resumes with `Call::resume`. [`Instance::call`]
//! drives that loop.
//!
//! Limits:
//! - Linear memory is a caller-provided, 16-byte-aligned buffer that never
//!   moves or grows. The adapter allocates it from the heap once, at
//!   instantiation: the module's declared maximum when it declares one,
//!   otherwise its initial size, never more than `Limits::max_memory`. An
//!   initial size above the budget, or a heap that cannot provide the
//!   buffer, fails cleanly with [`ErrorKind::OutOfMemory`].
//! - `memory.grow` succeeds up to the module's own maximum, whatever the
//!   buffer's size: wasefire records the new size, does not expose it, and
//!   bounds accesses by the buffer. A module that grows past the buffer (the
//!   budget) therefore runs on until it touches the new pages, which traps
//!   without a reason; the adapter cannot tell that trap from another, so
//!   it stays a [`ErrorKind::Trap`] whose message says that the buffer may
//!   be the cause (only for modules that can grow past it).
//! - Stacks: wasefire keeps values, locals and frames in `Vec`s that grow on
//!   demand; `Limits::stack` does not apply (there is no setting). The call
//!   depth is bounded by wasefire itself (1000 frames, then a trap), which
//!   bounds the stacks too; a heap that refuses to grow them aborts the
//!   process on the host (`Vec`). A frame holds at most [`MAX_LOCALS`]
//!   locals (parameters included); wasefire rejects a function with more as
//!   an unsupported feature, without saying which, so the adapter counts
//!   them itself and reports [`ErrorKind::OutOfMemory`] (the frame limit,
//!   a resource) when preparing or loading such a module.
//! - Fuel: none.
//! - Start functions: wasefire panics when a start function calls a host
//!   function (it asserts that the start function completes without one).
//!   The adapter cannot see what a start function calls without decoding
//!   the code, so it refuses, with [`ErrorKind::Unsupported`], every module
//!   that has both a start function and function imports. (Benchmark
//!   modules have no start function: toolchains export `_initialize`.)
//!
//! Errors are classified by wasefire's [`WfError`] variants; wasefire's
//! `Trap` carries no reason.

use alloc_crate::boxed::Box;
use alloc_crate::format;
use alloc_crate::string::String;
use alloc_crate::vec::Vec;

use wasefire_interpreter::{
    Error as WfError, FuncType, InstId, Module, ResultType, RunResult, Store, Val, ValType,
    MEMORY_ALIGN,
};

use crate::engine::{Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

use super::support::{defined_memory, initial_memory_over_budget, section, HeapBuffer, WASM_PAGE};

const PAGE: usize = WASM_PAGE as usize;

const SECTION_TYPE: u8 = 1;
const SECTION_IMPORT: u8 = 2;
const SECTION_FUNCTION: u8 = 3;
const SECTION_EXPORT: u8 = 7;
const SECTION_START: u8 = 8;
const SECTION_CODE: u8 = 10;

/// Most locals (parameters included) a function may have in wasefire 0.5
/// (its parser's `MAX_LOCALS`).
pub const MAX_LOCALS: u64 = 1000;

/// The host functions in the order they are linked: wasefire wants them
/// sorted by (module, name), and a host call names its function by this
/// index.
const LINKED: [HostFn; 4] = [
    HostFn::ClockMs,
    HostFn::InitialiseBoard,
    HostFn::StartTrigger,
    HostFn::StopTrigger,
];

/// The `wasefire` runtime variant.
pub struct Wasefire {
    limits: Limits,
}

impl Wasefire {
    /// A runtime with the given budgets.
    pub fn new(limits: Limits) -> Self {
        Wasefire { limits }
    }
}

impl Runtime for Wasefire {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: "wasefire",
            crate_name: "wasefire-interpreter",
            version: env!("TREVM_VERSION_WASEFIRE"),
            features: &["default-features=off", "float-types", "heap-memory-buffer"],
        }
    }

    #[cfg(feature = "prepare")]
    fn prepare(&self, wasm: &[u8], pointer_width: u32) -> Result<Vec<u8>, Error> {
        // The side table is made of fixed-width integers: the same on every target.
        let _ = pointer_width;
        check_locals(wasm, Stage::Prepare)?;
        wasefire_interpreter::prepare(wasm).map_err(|e| match e {
            WfError::Unsupported(_) => Error::new(
                ErrorKind::Unsupported,
                Stage::Prepare,
                "wasefire: the module uses an unsupported feature",
            ),
            e => Error::new(
                ErrorKind::Malformed,
                Stage::Prepare,
                format!("wasefire: invalid module ({e:?})"),
            ),
        })
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        check_locals(module, Stage::Load)?;
        let parsed = Module::new(module).map_err(|e| match e {
            WfError::Unsupported(_) => Error::new(
                ErrorKind::Unsupported,
                Stage::Load,
                "wasefire: the module uses an unsupported feature",
            ),
            e => Error::new(
                ErrorKind::Malformed,
                Stage::Load,
                format!(
                    "wasefire: invalid module or side table ({e:?}); was it run through `prepare`?"
                ),
            ),
        })?;

        let imports = check_imports(module)?;
        if imports.functions > 0 && section(module, SECTION_START).is_some() {
            return Err(Error::new(
                ErrorKind::Unsupported,
                Stage::Instantiate,
                "wasefire: a module with both a start function and imported functions \
                 (wasefire panics when a start function calls a host function)",
            ));
        }

        // Size the linear memory buffer: the pages it serves, plus the sentinel.
        let budget = self.limits.max_memory;
        let memory = defined_memory(module);
        if let Some(e) = initial_memory_over_budget(memory, budget) {
            return Err(e);
        }
        let buffer_len = memory.map_or(0, |m| {
            let initial = m.min_bytes() as usize;
            let wanted = m.max.map_or(initial, |max| {
                usize::try_from(max.saturating_mul(WASM_PAGE)).unwrap_or(usize::MAX)
            });
            (wanted.min(budget) / PAGE * PAGE).max(initial)
        });
        // Without a maximum the module may grow to 4 GiB.
        let may_outgrow = memory.is_some_and(|m| m.may_exceed(buffer_len as u64 / WASM_PAGE));
        let buffer = HeapBuffer::new(buffer_len, MEMORY_ALIGN).ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfMemory,
                Stage::Instantiate,
                format!("the heap cannot provide the {buffer_len} B linear memory buffer"),
            )
        })?;

        let mut store = Store::default();
        for f in LINKED {
            store
                .link_func_custom(HostFn::MODULE, f.name(), host_type(f))
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Internal,
                        Stage::Instantiate,
                        format!("wasefire: linking `{}`: {e:?}", f.name()),
                    )
                })?;
        }
        // SAFETY: the buffer outlives the store: both end up in the
        // `WasefireInstance`, whose `store` field is declared (and thus
        // dropped) before `buffer`, and nothing else reaches the buffer.
        // wasefire zeroes it before use.
        let slice: &'a mut [u8] = unsafe { buffer.slice() };
        let inst = store.instantiate(parsed, slice).map_err(|e| match e {
            WfError::NotFound => Error::new(
                ErrorKind::Link,
                Stage::Instantiate,
                "wasefire: an import did not resolve (wrong signature for an `env` function?)",
            ),
            // A segment out of bounds or a start function that trapped.
            WfError::Trap => Error::new(
                ErrorKind::Trap,
                Stage::Instantiate,
                "wasefire: trap during instantiation (a segment out of bounds, or the start function)",
            ),
            WfError::Unsupported(_) => Error::new(
                ErrorKind::Unsupported,
                Stage::Instantiate,
                "wasefire: unsupported feature at instantiation",
            ),
            WfError::Invalid => Error::new(
                ErrorKind::Link,
                Stage::Instantiate,
                "wasefire: invalid instantiation",
            ),
        })?;

        let hint = if may_outgrow {
            format!(
                "; the module may grow its memory beyond the {buffer_len} B buffer wasefire runs it in \
                 (budget {budget} B, Limits::max_memory), and accesses there trap"
            )
        } else {
            String::new()
        };
        Ok(Box::new(WasefireInstance {
            store,
            inst,
            host,
            module,
            hint,
            buffer,
        }))
    }
}

struct WasefireInstance<'a> {
    // Declared before `buffer`: dropped first, as it borrows the buffer.
    store: Store<'a>,
    inst: InstId,
    host: Host,
    module: &'a [u8],
    /// Why a trap may be the budget's doing (empty when it cannot be).
    hint: String,
    buffer: HeapBuffer,
}

impl WasefireInstance<'_> {
    fn run(&mut self, name: &str) -> Result<Vec<Val>, Error> {
        let WasefireInstance {
            store,
            inst,
            host,
            hint,
            ..
        } = self;
        let mut result = store
            .invoke(*inst, name, Vec::new())
            .map_err(|e| run_error(e, name, hint))?;
        loop {
            let call = match result {
                RunResult::Done(values) => return Ok(values),
                RunResult::Host(call) => call,
            };
            let f = *LINKED.get(call.index()).ok_or_else(|| {
                Error::new(
                    ErrorKind::Internal,
                    Stage::Run,
                    format!("wasefire called unknown host function {}", call.index()),
                )
            })?;
            let ret = host.call(f);
            let results: &[Val] = if f.returns_i64() {
                &[Val::I64(ret as u64)]
            } else {
                &[]
            };
            result = call.resume(results).map_err(|e| run_error(e, name, hint))?;
        }
    }
}

impl Instance for WasefireInstance<'_> {
    fn has_export(&mut self, name: &str) -> bool {
        has_func_export(self.module, name)
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
        match self.run(name)?.as_slice() {
            [] => Ok(None),
            [Val::I32(v)] => Ok(Some(Value::I32(*v as i32))),
            [Val::I64(v)] => Ok(Some(Value::I64(*v as i64))),
            [Val::F32(v)] => Ok(Some(Value::F32(f32::from_bits(*v)))),
            [Val::F64(v)] => Ok(Some(Value::F64(f64::from_bits(*v)))),
            other => Err(Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("export `{name}` returned {other:?}"),
            )),
        }
    }

    fn host(&self) -> &Host {
        &self.host
    }

    fn memory_size(&mut self) -> Option<usize> {
        // The buffer wasefire runs the module in (its logical size after
        // `memory.grow` is not exposed).
        if self.buffer.len() == 0 {
            return None;
        }
        self.store.memory(self.inst).ok().map(|m| m.len())
    }
}

fn host_type(f: HostFn) -> FuncType<'static> {
    let results: ResultType<'static> = if f.returns_i64() {
        ValType::I64.into()
    } else {
        ().into()
    };
    FuncType {
        params: ().into(),
        results,
    }
}

/// Classifies an error of `invoke`/`resume` by its variant; `hint` says
/// when a trap may be an access beyond the linear memory buffer.
fn run_error(e: WfError, name: &str, hint: &str) -> Error {
    match e {
        WfError::Trap => Error::new(ErrorKind::Trap, Stage::Run, format!("wasefire: trap{hint}")),
        WfError::NotFound => Error::new(
            ErrorKind::Link,
            Stage::Run,
            format!("the module exports no function `{name}`"),
        ),
        WfError::Invalid => Error::new(
            ErrorKind::Link,
            Stage::Run,
            format!("export `{name}` is not a nullary function"),
        ),
        WfError::Unsupported(_) => Error::new(
            ErrorKind::Unsupported,
            Stage::Run,
            "wasefire: unsupported operation",
        ),
    }
}

// --- A few reads of the module's sections, which wasefire keeps private. ---

/// Every import must be one of the `env` host functions, with its
/// signature (wasefire checks that too, but does not say which import failed).
fn check_imports(wasm: &[u8]) -> Result<Imports, Error> {
    let mut imports = Imports { functions: 0 };
    let Some(mut r) = section(wasm, SECTION_IMPORT) else {
        return Ok(imports);
    };
    let count = r.leb().unwrap_or(0);
    for _ in 0..count {
        let (Some(module), Some(name), Some(kind)) = (r.name(), r.name(), r.byte()) else {
            break;
        };
        let module = core::str::from_utf8(module).unwrap_or("?");
        let name = core::str::from_utf8(name).unwrap_or("?");
        if let (0x00, Some(f)) = (kind, HostFn::lookup(module, name)) {
            let type_idx = r.leb().unwrap_or(u64::MAX);
            let want: &[u8] = if f.returns_i64() { &[0x7e] } else { &[] };
            if let Some((params, results)) = func_type(wasm, type_idx) {
                if !params.is_empty() || results != want {
                    return Err(Error::new(
                        ErrorKind::Link,
                        Stage::Instantiate,
                        format!(
                            "import `{module}.{name}` has {} parameter(s) and result types {results:02x?}, \
                             expected none and {want:02x?}",
                            params.len()
                        ),
                    ));
                }
            }
            imports.functions += 1;
            continue;
        }
        let what = match kind {
            0x00 => "function",
            0x01 => "table",
            0x02 => "memory",
            0x03 => "global",
            _ => "item",
        };
        return Err(Error::new(
            ErrorKind::Link,
            Stage::Instantiate,
            format!("unsupported import `{module}.{name}` ({what})"),
        ));
    }
    Ok(imports)
}

/// What a module imports (all of it checked by [`check_imports`]).
struct Imports {
    /// Imported (host) functions.
    functions: usize,
}

/// Fails with [`ErrorKind::OutOfMemory`] when a function has more than
/// [`MAX_LOCALS`] locals (parameters included), which wasefire refuses.
fn check_locals(wasm: &[u8], stage: Stage) -> Result<(), Error> {
    let (Some(mut funcs), Some(mut code)) =
        (section(wasm, SECTION_FUNCTION), section(wasm, SECTION_CODE))
    else {
        return Ok(());
    };
    let count = funcs.leb().unwrap_or(0);
    if code.leb() != Some(count) {
        return Ok(()); // invalid: wasefire says so
    }
    for index in 0..count {
        let (Some(type_idx), Some(size)) = (funcs.leb(), code.leb()) else {
            return Ok(());
        };
        let end = code.pos.saturating_add(size as usize);
        let mut total = func_type(wasm, type_idx).map_or(0, |(params, _)| params.len() as u64);
        for _ in 0..code.leb().unwrap_or(0) {
            let (Some(n), Some(_ty)) = (code.leb(), code.byte()) else {
                return Ok(());
            };
            total = total.saturating_add(n);
        }
        if total > MAX_LOCALS {
            return Err(Error::new(
                ErrorKind::OutOfMemory,
                stage,
                format!(
                    "wasefire: function {index} has {total} locals (parameters included); \
                     wasefire's frames hold at most {MAX_LOCALS}"
                ),
            ));
        }
        code.pos = end;
    }
    Ok(())
}

/// Parameter and result value types (one byte each in the MVP encoding) of
/// type `idx`.
fn func_type(wasm: &[u8], idx: u64) -> Option<(&[u8], &[u8])> {
    let mut r = section(wasm, SECTION_TYPE)?;
    let count = r.leb()?;
    for i in 0..count {
        if r.byte()? != 0x60 {
            return None;
        }
        let params = r.name()?;
        let results = r.name()?;
        if i == idx {
            return Some((params, results));
        }
    }
    None
}

fn has_func_export(wasm: &[u8], wanted: &str) -> bool {
    let Some(mut r) = section(wasm, SECTION_EXPORT) else {
        return false;
    };
    let count = r.leb().unwrap_or(0);
    for _ in 0..count {
        let (Some(name), Some(kind), Some(_)) = (r.name(), r.byte(), r.leb()) else {
            return false;
        };
        if kind == 0x00 && name == wanted.as_bytes() {
            return true;
        }
    }
    false
}
