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
//!   buffer, fails cleanly with [`ErrorKind::OutOfMemory`]. `memory.grow`
//!   succeeds up to the module's own maximum, whatever the buffer's size;
//!   an access beyond the buffer then traps (wasefire reports no reason, so
//!   the error is a [`ErrorKind::Trap`] whose message points at the buffer
//!   size when that may be the cause).
//! - Stacks: wasefire keeps values, locals and frames in `Vec`s that grow on
//!   demand; `Limits::stack` does not apply (there is no setting). The call
//!   depth is bounded by wasefire itself (1000 frames, then a trap), which
//!   bounds the stacks too; a heap that refuses to grow them aborts the
//!   process on the host (`Vec`).
//! - Fuel: none.
//! - A start function that calls a host function makes wasefire panic
//!   (it asserts the start function completes without host calls).

use alloc_crate::alloc::{alloc, dealloc, Layout};
use alloc_crate::boxed::Box;
use alloc_crate::format;
use alloc_crate::string::String;
use alloc_crate::vec::Vec;
use core::ptr::NonNull;

use wasefire_interpreter::{
    Error as WfError, FuncType, InstId, Module, ResultType, RunResult, Store, Val, ValType,
    MEMORY_ALIGN,
};

use crate::engine::{Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

use super::support::Reader;

const PAGE: usize = 65536;

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
            version: env!("TREVM_VERSION_WASEFIRE_INTERPRETER"),
            features: &["default-features=off", "float-types", "heap-memory-buffer"],
        }
    }

    #[cfg(feature = "prepare")]
    fn prepare(&self, wasm: &[u8], pointer_width: u32) -> Result<Vec<u8>, Error> {
        // The side table is made of fixed-width integers: the same on every target.
        let _ = pointer_width;
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

        check_imports(module)?;

        // Size the linear memory buffer.
        let budget = self.limits.max_memory;
        let (memory_len, may_outgrow) = match memory_limits(module) {
            None => (0, false),
            Some((min, max)) => {
                let initial = (min as usize).saturating_mul(PAGE);
                if initial > budget {
                    return Err(Error::new(
                        ErrorKind::OutOfMemory,
                        Stage::Instantiate,
                        format!(
                            "initial linear memory of {initial} B exceeds the budget of {budget} B"
                        ),
                    ));
                }
                let wanted = max.map_or(initial, |m| (m as usize).saturating_mul(PAGE));
                let len = wanted.min(budget).max(initial);
                // Without a maximum the module may grow to 4 GiB.
                (
                    len,
                    max.is_none_or(|m| (m as usize).saturating_mul(PAGE) > len),
                )
            }
        };
        let memory = HeapMemory::new(memory_len).ok_or_else(|| {
            Error::new(
                ErrorKind::OutOfMemory,
                Stage::Instantiate,
                format!("the heap cannot provide the {memory_len} B linear memory buffer"),
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
        // dropped) before `memory`, and nothing else reaches the buffer.
        let buffer: &'a mut [u8] = unsafe { memory.slice() };
        let inst = store.instantiate(parsed, buffer).map_err(|e| match e {
            WfError::NotFound => Error::new(
                ErrorKind::Link,
                Stage::Instantiate,
                "wasefire: an import did not resolve (wrong signature for an `env` function?)",
            ),
            WfError::Trap => Error::new(
                ErrorKind::Trap,
                Stage::Instantiate,
                "wasefire: trap during instantiation",
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
                "; the module may grow its memory beyond the {memory_len} B buffer wasefire runs it in \
                 (budget {budget} B), and accesses there trap"
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
            memory,
        }))
    }
}

struct WasefireInstance<'a> {
    // Declared before `memory`: dropped first, as it borrows the buffer.
    store: Store<'a>,
    inst: InstId,
    host: Host,
    module: &'a [u8],
    hint: String,
    memory: HeapMemory,
}

impl Instance for WasefireInstance<'_> {
    fn has_export(&mut self, name: &str) -> bool {
        has_func_export(self.module, name)
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
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
        let values = loop {
            let call = match result {
                RunResult::Done(values) => break values,
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
        };
        match values.as_slice() {
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
        if self.memory.len == 0 {
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

/// A zeroed, [`MEMORY_ALIGN`]-aligned heap buffer for the linear memory.
struct HeapMemory {
    ptr: NonNull<u8>,
    len: usize,
}

#[repr(C, align(16))]
struct Aligned([u8; MEMORY_ALIGN]);

impl HeapMemory {
    /// `None` when the allocator refuses.
    fn new(len: usize) -> Option<Self> {
        if len == 0 {
            return Some(HeapMemory {
                ptr: NonNull::<Aligned>::dangling().cast(),
                len,
            });
        }
        let layout = Layout::from_size_align(len, MEMORY_ALIGN).ok()?;
        // SAFETY: `layout` has a non-zero size. wasefire zeroes the buffer itself.
        let ptr = NonNull::new(unsafe { alloc(layout) })?;
        Some(HeapMemory { ptr, len })
    }

    /// The buffer as a slice of any lifetime.
    ///
    /// # Safety
    ///
    /// The slice must not be used after `self` is dropped, and must be the
    /// only access to the buffer.
    unsafe fn slice<'x>(&self) -> &'x mut [u8] {
        // SAFETY: `ptr` is valid for `len` bytes (or dangling and aligned for
        // `len == 0`); the caller upholds lifetime and uniqueness. The bytes
        // may be uninitialised until wasefire zeroes them, which it does
        // before reading, and `u8` has no invalid values once written.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for HeapMemory {
    fn drop(&mut self) {
        if self.len != 0 {
            // SAFETY: allocated in `new` with this layout.
            unsafe {
                dealloc(
                    self.ptr.as_ptr(),
                    Layout::from_size_align_unchecked(self.len, MEMORY_ALIGN),
                )
            };
        }
    }
}

// --- A few reads of the module's sections, which wasefire keeps private. ---

/// Every import must be one of the `env` host functions, with its
/// signature (wasefire checks that too, but does not say which import failed).
fn check_imports(wasm: &[u8]) -> Result<(), Error> {
    let Some(mut r) = section(wasm, 2) else {
        return Ok(());
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
    Ok(())
}

/// Parameter and result value types (one byte each in the MVP encoding) of
/// type `idx`.
fn func_type(wasm: &[u8], idx: u64) -> Option<(&[u8], &[u8])> {
    let mut r = section(wasm, 1)?;
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

/// `(min, max)` pages of the memory the module defines.
fn memory_limits(wasm: &[u8]) -> Option<(u64, Option<u64>)> {
    let mut r = section(wasm, 5)?;
    if r.leb()? == 0 {
        return None;
    }
    let flags = r.byte()?;
    let min = r.leb()?;
    let max = if flags & 1 != 0 { Some(r.leb()?) } else { None };
    Some((min, max))
}

fn has_func_export(wasm: &[u8], wanted: &str) -> bool {
    let Some(mut r) = section(wasm, 7) else {
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

/// A reader over the contents of the first section with `id`.
fn section(wasm: &[u8], id: u8) -> Option<Reader<'_>> {
    let mut r = Reader {
        bytes: wasm,
        pos: 8,
    };
    while r.pos < wasm.len() {
        let this = r.byte()?;
        let len = r.leb()? as usize;
        let end = r.pos.checked_add(len)?;
        if this == id {
            return Some(Reader {
                bytes: wasm.get(..end)?,
                pos: r.pos,
            });
        }
        r.pos = end;
    }
    None
}
