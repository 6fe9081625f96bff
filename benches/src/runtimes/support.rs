//! Small helpers shared by runtime adapters: allocation that tolerates a
//! refused allocation (errors are often built right when the heap budget is
//! exhausted), C-string conversions for the C runtimes, and a minimal reader for the Wasm binary format.
#![allow(dead_code)]

use alloc_crate::boxed::Box;
use alloc_crate::string::String;
use alloc_crate::vec::Vec;
use core::ffi::{c_char, CStr};

use crate::error::{Error, ErrorKind, Stage};

/// `Box::new` that returns the value instead of aborting when the
/// allocator refuses.
pub(crate) fn try_box<T>(value: T) -> Result<Box<T>, T> {
    let layout = core::alloc::Layout::new::<T>();
    if layout.size() == 0 {
        return Ok(Box::new(value));
    }
    // SAFETY: non-zero size; the block is initialised before `Box` owns it,
    // and `Box` frees it with the same global allocator and layout.
    unsafe {
        let p = alloc_crate::alloc::alloc(layout).cast::<T>();
        if p.is_null() {
            return Err(value);
        }
        p.write(value);
        Ok(Box::from_raw(p))
    }
}

/// An error whose message is `parts` joined; an empty message when the
/// heap cannot hold it.
pub(crate) fn error(kind: ErrorKind, stage: Stage, parts: &[&str]) -> Error {
    let mut message = String::new();
    if message
        .try_reserve_exact(parts.iter().map(|p| p.len()).sum())
        .is_ok()
    {
        parts.iter().for_each(|p| message.push_str(p));
    }
    Error {
        kind,
        stage,
        message,
    }
}

/// `n` in decimal, in `buf`, without allocating.
pub(crate) fn fmt_u64(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    core::str::from_utf8(&buf[i..]).unwrap_or("?")
}

/// # Safety
/// `p` is null or a NUL-terminated string that outlives the result.
pub(crate) unsafe fn c_str<'s>(p: *const c_char) -> &'s str {
    if p.is_null() {
        return "";
    }
    unsafe { CStr::from_ptr(p) }
        .to_str()
        .unwrap_or("(not UTF-8)")
}

/// Calls `f` with `s` as a NUL-terminated string (on the stack when short).
pub(crate) fn with_c_str<R>(s: &str, f: impl FnOnce(*const c_char) -> R) -> Option<R> {
    if s.as_bytes().contains(&0) {
        return None;
    }
    let mut buf = [0u8; 128];
    if s.len() < buf.len() {
        buf[..s.len()].copy_from_slice(s.as_bytes());
        return Some(f(buf.as_ptr().cast()));
    }
    let mut v = Vec::new();
    v.try_reserve_exact(s.len() + 1).ok()?;
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    Some(f(v.as_ptr().cast()))
}

/// A cursor over Wasm binary-format bytes.
pub(crate) struct Reader<'b> {
    /// The bytes.
    pub(crate) bytes: &'b [u8],
    /// Where the next read starts.
    pub(crate) pos: usize,
}

impl<'b> Reader<'b> {
    /// One byte.
    pub(crate) fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// An unsigned LEB128 number.
    pub(crate) fn leb(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    /// A length-prefixed name.
    pub(crate) fn name(&mut self) -> Option<&'b [u8]> {
        let len = self.leb()? as usize;
        let bytes = self.bytes.get(self.pos..self.pos.checked_add(len)?)?;
        self.pos += len;
        Some(bytes)
    }
}

/// A reader over the contents of the first section with `id` of the Wasm
/// binary `wasm` (`None` when there is none or the framing is broken).
pub(crate) fn section(wasm: &[u8], id: u8) -> Option<Reader<'_>> {
    let mut r = Reader {
        bytes: wasm,
        pos: 8,
    };
    while r.pos < wasm.len() {
        let this = r.byte()?;
        let len = usize::try_from(r.leb()?).ok()?;
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

/// Size of a Wasm page in bytes.
pub(crate) const WASM_PAGE: u64 = 65536;

/// The limits of the linear memory a module defines (not imports), in
/// pages, as declared in its memory section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MemoryLimits {
    /// Initial size.
    pub(crate) min: u64,
    /// Maximum size, when declared.
    pub(crate) max: Option<u64>,
}

impl MemoryLimits {
    /// The initial size in bytes (saturating).
    pub(crate) fn min_bytes(&self) -> u64 {
        self.min.saturating_mul(WASM_PAGE)
    }

    /// `true` when the module may grow its memory beyond `pages`.
    pub(crate) fn may_exceed(&self, pages: u64) -> bool {
        self.max.is_none_or(|max| max > pages)
    }
}

/// The first memory the module defines, read from its memory section.
/// Used to compare a module's declared needs with the budgets before a
/// runtime allocates them.
pub(crate) fn defined_memory(wasm: &[u8]) -> Option<MemoryLimits> {
    let mut r = section(wasm, 5)?;
    if r.leb()? == 0 {
        return None;
    }
    let flags = r.byte()?;
    let min = r.leb()?;
    let max = if flags & 1 != 0 { Some(r.leb()?) } else { None };
    Some(MemoryLimits { min, max })
}

/// The error for a module whose initial linear memory (`limits`) is larger
/// than the budget of `budget` bytes, or `None` when it fits. Every adapter
/// checks this before instantiating, from the declared size, so that the
/// outcome does not depend on whether the runtime caps, allocates lazily,
/// or aborts on a refused allocation.
pub(crate) fn initial_memory_over_budget(
    limits: Option<MemoryLimits>,
    budget: usize,
) -> Option<Error> {
    let bytes = limits?.min_bytes();
    if bytes <= budget as u64 {
        return None;
    }
    let (mut have, mut max) = ([0u8; 20], [0u8; 20]);
    Some(error(
        ErrorKind::OutOfMemory,
        Stage::Instantiate,
        &[
            "initial linear memory of ",
            fmt_u64(bytes, &mut have),
            " B exceeds the budget of ",
            fmt_u64(budget as u64, &mut max),
            " B (Limits::max_memory)",
        ],
    ))
}

/// Heap bytes the tracking allocator's budget still allows
/// ([`crate::alloc`]; `usize::MAX` without a budget).
pub(crate) fn heap_headroom() -> usize {
    crate::alloc::limit().saturating_sub(crate::alloc::current())
}

/// A heap block, zeroed or not, freed on drop, that hands out a slice of
/// any lifetime: for runtimes that borrow a buffer (a linear memory) for as
/// long as their store lives, where the store and the buffer are fields of
/// one instance.
pub(crate) struct HeapBuffer {
    ptr: core::ptr::NonNull<u8>,
    layout: core::alloc::Layout,
}

impl HeapBuffer {
    /// `len` bytes aligned to `align`; `None` when the allocator refuses.
    pub(crate) fn new(len: usize, align: usize) -> Option<Self> {
        let layout = core::alloc::Layout::from_size_align(len, align).ok()?;
        if len == 0 {
            // A dangling, aligned pointer: nothing to allocate or free.
            let ptr = core::ptr::NonNull::new(core::ptr::without_provenance_mut(align))?;
            return Some(HeapBuffer { ptr, layout });
        }
        // SAFETY: non-zero size.
        let ptr = core::ptr::NonNull::new(unsafe { alloc_crate::alloc::alloc(layout) })?;
        Some(HeapBuffer { ptr, layout })
    }

    /// The size in bytes.
    pub(crate) fn len(&self) -> usize {
        self.layout.size()
    }

    /// The buffer as a slice of any lifetime.
    ///
    /// # Safety
    ///
    /// The slice must not be used after `self` is dropped, must be the only
    /// access to the buffer, and the runtime it is handed to must write
    /// bytes before reading them (the block is not initialised).
    pub(crate) unsafe fn slice<'x>(&self) -> &'x mut [u8] {
        // SAFETY: `ptr` is valid for `len` bytes (or dangling and aligned
        // for 0); the caller upholds lifetime, uniqueness and initialisation.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len()) }
    }
}

impl Drop for HeapBuffer {
    fn drop(&mut self) {
        if self.layout.size() != 0 {
            // SAFETY: allocated in `new` with this layout.
            unsafe { alloc_crate::alloc::dealloc(self.ptr.as_ptr(), self.layout) };
        }
    }
}
