//! Small helpers shared by runtime adapters: allocation that tolerates a
//! refused allocation (errors are often built right when the heap budget is
//! exhausted), and a minimal reader for the Wasm binary format.
#![allow(dead_code)]

use alloc_crate::boxed::Box;
use alloc_crate::string::String;

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
