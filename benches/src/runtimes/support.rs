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
