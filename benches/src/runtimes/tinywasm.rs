//! tinywasm: parses and validates the module into its own compact bytecode,
//! then interprets that.
//!
//! Limits:
//! - Stacks: tinywasm keeps four stacks (32-, 64- and 128-bit value lanes and
//!   call frames) whose sizes the [`Config`] sets at run time. The default
//!   preallocates ~256 KiB; here they are fixed (allocated once when the
//!   store is created, never grown) and together take about
//!   `Limits::stack` bytes, split by [`stack_config`]. Overflowing them
//!   (`Trap::ValueStackOverflow`, `Trap::CallStackOverflow`) is reported as
//!   [`ErrorKind::OutOfMemory`]: the stack budget ran out (the spec calls it
//!   resource exhaustion).
//! - Linear memory: a custom memory backend ([`CappedMemory`], a
//!   [`VecMemory`] underneath) refuses to grow past `Limits::max_memory`, and
//!   `trap_on_oom` turns a refused growth into a trap instead of
//!   `memory.grow` returning -1, so the cell fails with
//!   [`ErrorKind::OutOfMemory`]. tinywasm grows memory with `try_reserve`, so
//!   a heap refusal is clean as well.
//! - Allocation failures elsewhere (parsing, the fixed stacks at store
//!   creation, instance data) go through `Vec`/`Box` and abort the process on
//!   the host; the adapter checks the tracking allocator's headroom for the
//!   stacks and the initial memory first and fails with `OutOfMemory` instead.
//! - Fuel: not used (tinywasm's `call` runs unmetered).
//!
//! Errors are classified by tinywasm's [`TwError`] and [`Trap`] variants.
//! tinywasm reports a call with the wrong number of arguments only as
//! `Error::Other`, so the adapter refuses exports it cannot call (not of
//! type `() -> ()` or `() -> T`) itself, from the module's export types.

use alloc_crate::boxed::Box;
use alloc_crate::format;
use alloc_crate::rc::Rc;
use alloc_crate::string::ToString;
use alloc_crate::sync::Arc;
use alloc_crate::vec::Vec;
use core::cell::RefCell;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use tinywasm::engine::{Config, StackConfig};
use tinywasm::types::{ExportType, FuncType, ImportType, MemoryType, WasmType, WasmValue};
use tinywasm::{
    Engine, Error as TwError, ExternItem, FuncContext, HostFunction, Imports, LinearMemory,
    MemoryBackend, ModuleInstance, Store, Trap, VecMemory,
};

use crate::engine::{Host, HostFn, Instance, Limits, Runtime, RuntimeInfo, Value};
use crate::error::{Error, ErrorKind, Stage};

/// Bytes one call frame takes (instruction pointer, function address, three
/// stack bases and three value counts, padded).
const FRAME_BYTES: usize = 32;

/// The stack configuration for a budget of `bytes`: half for the 32-bit
/// lane (i32, f32, references), a quarter for the 64-bit lane (i64, f64),
/// 1/16 for the 128-bit lane (v128, unused by the benchmarks) and the rest
/// for call frames.
pub fn stack_config(bytes: usize) -> Config {
    let lane32 = (bytes / 2 / 4).max(64);
    let lane64 = (bytes / 4 / 8).max(32);
    let lane128 = (bytes / 16 / 16).max(8);
    let frames = (bytes * 3 / 16 / FRAME_BYTES).max(16);
    Config::new()
        .with_value_stack_32(StackConfig::fixed(lane32))
        .with_value_stack_64(StackConfig::fixed(lane64))
        .with_value_stack_128(StackConfig::fixed(lane128))
        .with_call_stack(StackConfig::fixed(frames))
}

/// The `tinywasm` runtime variant.
pub struct TinyWasm {
    limits: Limits,
}

impl TinyWasm {
    /// A runtime with the given budgets.
    pub fn new(limits: Limits) -> Self {
        TinyWasm { limits }
    }
}

impl Runtime for TinyWasm {
    fn info(&self) -> RuntimeInfo {
        RuntimeInfo {
            label: "tinywasm",
            crate_name: "tinywasm",
            version: env!("TREVM_VERSION_TINYWASM"),
            features: if cfg!(feature = "std") {
                &[
                    "parser",
                    "std",
                    "fixed-stacks",
                    "capped-vec-memory",
                    "trap-on-oom",
                ]
            } else {
                &["parser", "fixed-stacks", "capped-vec-memory", "trap-on-oom"]
            },
        }
    }

    fn instantiate<'a>(
        &'a mut self,
        module: &'a [u8],
        host: Host,
    ) -> Result<Box<dyn Instance + 'a>, Error> {
        let parsed = tinywasm::parse_bytes(module)
            .map_err(|e| Error::new(ErrorKind::Malformed, Stage::Load, format!("tinywasm: {e}")))?;

        let max_memory = self.limits.max_memory;
        let mut initial_memory = 0usize;
        for ty in parsed.memory_types.iter() {
            let bytes = usize::try_from(ty.initial_size()).unwrap_or(usize::MAX);
            initial_memory = initial_memory.saturating_add(bytes);
        }
        if initial_memory > max_memory {
            return Err(Error::new(
                ErrorKind::OutOfMemory,
                Stage::Instantiate,
                format!("initial linear memory of {initial_memory} B exceeds the budget of {max_memory} B"),
            ));
        }
        heap_headroom(
            self.limits.stack.saturating_add(initial_memory),
            Stage::Instantiate,
        )?;

        let refused = Arc::new(AtomicUsize::new(0));
        let backend = {
            let refused = refused.clone();
            MemoryBackend::custom(move |ty: MemoryType| {
                CappedMemory::try_new(ty, max_memory, refused.clone()).map_err(TwError::Trap)
            })
        };
        let config = stack_config(self.limits.stack)
            .with_memory_backend(backend)
            .with_trap_on_oom(true);
        let mut store = Store::new(Engine::new(config));

        let host = Rc::new(RefCell::new(host));
        let mut imports = Imports::new();
        for import in parsed.imports() {
            let f = match (HostFn::lookup(import.module, import.name), &import.ty) {
                (Some(f), ImportType::Func(ty)) if **ty == host_type(f) => f,
                _ => {
                    return Err(Error::new(
                        ErrorKind::Link,
                        Stage::Instantiate,
                        format!("unsupported import `{}.{}`", import.module, import.name),
                    ))
                }
            };
            let state = host.clone();
            let func = HostFunction::from_untyped(
                &mut store,
                &host_type(f),
                move |_: FuncContext<'_>, _| {
                    let ret = state.borrow_mut().call(f);
                    Ok(if f.returns_i64() {
                        alloc_crate::vec![WasmValue::I64(ret)]
                    } else {
                        Vec::new()
                    })
                },
            );
            imports.define(import.module, import.name, func);
        }

        // Exported functions the harness cannot call (tinywasm would fail
        // the call with an untyped `Error::Other`).
        let not_nullary: Vec<Box<str>> = parsed
            .exports()
            .filter_map(|export| match export.ty {
                ExportType::Func(ty) if !ty.params().is_empty() || ty.results().len() > 1 => {
                    Some(export.name.into())
                }
                _ => None,
            })
            .collect();

        let instance = ModuleInstance::instantiate(&mut store, &parsed, Some(imports))
            .map_err(|e| tw_error(e, Stage::Instantiate, max_memory, &refused))?;
        drop(parsed);
        Ok(Box::new(TinyWasmInstance {
            store,
            instance,
            host,
            max_memory,
            refused,
            not_nullary,
        }))
    }
}

struct TinyWasmInstance {
    store: Store,
    instance: ModuleInstance,
    host: Rc<RefCell<Host>>,
    max_memory: usize,
    refused: Arc<AtomicUsize>,
    /// Exported functions that take parameters or return several values.
    not_nullary: Vec<Box<str>>,
}

impl Instance for TinyWasmInstance {
    fn has_export(&mut self, name: &str) -> bool {
        matches!(self.instance.extern_item(name), Ok(ExternItem::Func(_)))
    }

    fn call(&mut self, name: &str) -> Result<Option<Value>, Error> {
        let func = match self.instance.extern_item(name) {
            Ok(ExternItem::Func(f)) => f,
            _ => {
                return Err(Error::new(
                    ErrorKind::Link,
                    Stage::Run,
                    format!("the module exports no function `{name}`"),
                ))
            }
        };
        if self.not_nullary.iter().any(|n| &**n == name) {
            return Err(Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("export `{name}` is not of type () -> () or () -> T"),
            ));
        }
        let values = func
            .call(&mut self.store, &[])
            .map_err(|e| tw_error(e, Stage::Run, self.max_memory, &self.refused))?;
        match values.as_slice() {
            [] => Ok(None),
            [WasmValue::I32(v)] => Ok(Some(Value::I32(*v))),
            [WasmValue::I64(v)] => Ok(Some(Value::I64(*v))),
            [WasmValue::F32(v)] => Ok(Some(Value::F32(*v))),
            [WasmValue::F64(v)] => Ok(Some(Value::F64(*v))),
            other => Err(Error::new(
                ErrorKind::Link,
                Stage::Run,
                format!("export `{name}` returned {other:?}"),
            )),
        }
    }

    fn host(&self) -> &Host {
        // SAFETY: the host is borrowed mutably only inside a host function,
        // which runs only during `call(&mut self)`; the shared borrow of
        // `self` that the returned reference lives in excludes that.
        unsafe { self.host.try_borrow_unguarded() }
            .expect("host state is not borrowed outside `call`")
    }

    fn memory_size(&mut self) -> Option<usize> {
        // tinywasm exposes memories only through exports.
        self.instance.exports().find_map(|(_, item)| match item {
            ExternItem::Memory(m) => m.len(&self.store).ok(),
            _ => None,
        })
    }
}

fn host_type(f: HostFn) -> FuncType {
    FuncType::new(
        &[],
        if f.returns_i64() {
            &[WasmType::I64]
        } else {
            &[]
        },
    )
}

/// Classifies a tinywasm error by its variant.
fn tw_error(e: TwError, stage: Stage, max_memory: usize, refused: &AtomicUsize) -> Error {
    match e {
        TwError::Trap(Trap::OutOfMemory) => {
            let wanted = refused.load(Relaxed);
            let message = if wanted > 0 {
                format!(
                    "tinywasm: out of memory: linear memory of {wanted} B would exceed the budget of {max_memory} B"
                )
            } else {
                "tinywasm: out of memory (the heap refused a linear memory or stack allocation)"
                    .to_string()
            };
            Error::new(ErrorKind::OutOfMemory, stage, message)
        }
        TwError::Trap(t @ (Trap::ValueStackOverflow | Trap::CallStackOverflow)) => Error::new(
            ErrorKind::OutOfMemory,
            stage,
            format!("tinywasm: {t} (the fixed stacks of Limits::stack)"),
        ),
        TwError::Trap(t) => Error::new(ErrorKind::Trap, stage, format!("tinywasm: {t}")),
        e @ TwError::Linker(_) => Error::new(ErrorKind::Link, stage, format!("tinywasm: {e}")),
        e @ TwError::Parser(_) => Error::new(ErrorKind::Malformed, stage, format!("tinywasm: {e}")),
        e @ TwError::UnsupportedFeature(_) => {
            Error::new(ErrorKind::Unsupported, stage, format!("tinywasm: {e}"))
        }
        e @ TwError::InvalidHostFnReturn { .. } => {
            Error::new(ErrorKind::Internal, stage, format!("tinywasm: {e}"))
        }
        e => Error::new(ErrorKind::Internal, stage, format!("tinywasm: {e}")),
    }
}

/// Fails with `OutOfMemory` when the tracking allocator's budget cannot take
/// `bytes` more: tinywasm would abort on the refused allocation.
fn heap_headroom(bytes: usize, stage: Stage) -> Result<(), Error> {
    let (limit, current) = (crate::alloc::limit(), crate::alloc::current());
    if current.saturating_add(bytes) > limit {
        return Err(Error::new(
            ErrorKind::OutOfMemory,
            stage,
            format!(
                "heap budget of {limit} B cannot hold the stacks and initial linear memory ({bytes} B, \
                 {current} B in use); tinywasm would abort on the refused allocation"
            ),
        ));
    }
    Ok(())
}

/// A [`VecMemory`] that refuses to grow past a byte budget. Records the
/// refused size in `refused` so the error can say why.
pub struct CappedMemory {
    inner: VecMemory,
    max: usize,
    refused: Arc<AtomicUsize>,
}

impl CappedMemory {
    /// A memory of `ty`'s initial size, capped at `max` bytes.
    pub fn try_new(ty: MemoryType, max: usize, refused: Arc<AtomicUsize>) -> Result<Self, Trap> {
        let initial = usize::try_from(ty.initial_size()).unwrap_or(usize::MAX);
        if initial > max {
            refused.store(initial, Relaxed);
            return Err(Trap::OutOfMemory);
        }
        Ok(CappedMemory {
            inner: VecMemory::try_new(initial)?,
            max,
            refused,
        })
    }
}

impl LinearMemory for CappedMemory {
    #[inline(always)]
    fn len(&self) -> usize {
        self.inner.len()
    }

    #[inline]
    fn grow_to(&mut self, new_len: usize) -> Result<(), Trap> {
        if new_len > self.max {
            self.refused.store(new_len, Relaxed);
            return Err(Trap::OutOfMemory);
        }
        self.inner.grow_to(new_len)
    }

    #[inline(always)]
    fn read(&self, addr: usize, dst: &mut [u8]) -> usize {
        self.inner.read(addr, dst)
    }

    #[inline(always)]
    fn write(&mut self, addr: usize, src: &[u8]) -> usize {
        self.inner.write(addr, src)
    }

    #[inline(always)]
    fn write_all(&mut self, addr: usize, src: &[u8]) -> Option<()> {
        self.inner.write_all(addr, src)
    }

    #[inline(always)]
    fn fill(&mut self, addr: usize, len: usize, val: u8) -> Option<()> {
        self.inner.fill(addr, len, val)
    }

    #[inline(always)]
    fn copy_within(&mut self, dst: usize, src: usize, len: usize) -> Option<()> {
        self.inner.copy_within(dst, src, len)
    }

    #[inline(always)]
    fn read_exact(&self, addr: usize, dst: &mut [u8]) -> Option<()> {
        self.inner.read_exact(addr, dst)
    }

    #[inline(always)]
    fn read_vec(&self, addr: usize, len: usize) -> Option<Vec<u8>> {
        self.inner.read_vec(addr, len)
    }

    #[inline(always)]
    fn read_8(&self, addr: usize) -> Result<[u8; 1], Trap> {
        self.inner.read_8(addr)
    }

    #[inline(always)]
    fn read_16(&self, addr: usize) -> Result<[u8; 2], Trap> {
        self.inner.read_16(addr)
    }

    #[inline(always)]
    fn read_32(&self, addr: usize) -> Result<[u8; 4], Trap> {
        self.inner.read_32(addr)
    }

    #[inline(always)]
    fn read_64(&self, addr: usize) -> Result<[u8; 8], Trap> {
        self.inner.read_64(addr)
    }

    #[inline(always)]
    fn read_128(&self, addr: usize) -> Result<[u8; 16], Trap> {
        self.inner.read_128(addr)
    }

    #[inline(always)]
    fn write_8(&mut self, addr: usize, bytes: &[u8]) -> Result<(), Trap> {
        self.inner.write_8(addr, bytes)
    }

    #[inline(always)]
    fn write_16(&mut self, addr: usize, bytes: &[u8]) -> Result<(), Trap> {
        self.inner.write_16(addr, bytes)
    }

    #[inline(always)]
    fn write_32(&mut self, addr: usize, bytes: &[u8]) -> Result<(), Trap> {
        self.inner.write_32(addr, bytes)
    }

    #[inline(always)]
    fn write_64(&mut self, addr: usize, bytes: &[u8]) -> Result<(), Trap> {
        self.inner.write_64(addr, bytes)
    }

    #[inline(always)]
    fn write_128(&mut self, addr: usize, bytes: &[u8]) -> Result<(), Trap> {
        self.inner.write_128(addr, bytes)
    }
}
