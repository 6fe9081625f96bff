//! Tracking global allocator: measures peak heap and enforces a heap budget.
//!
//! Wrap the platform's allocator (`std::alloc::System` on the host,
//! `embedded_alloc` on the boards) in [`Tracking`] and install it as the
//! `#[global_allocator]`. The counters are module-level because a program has
//! exactly one global allocator; they are read with [`current`], [`peak`] and
//! [`refusals`].
//!
//! Byte counts are what the allocator *really reserves*: each request is
//! rounded by the function given to [`Tracking::with_rounding`] (for example
//! to the block size of a linked-list allocator). An allocation that would go
//! past the budget set with [`set_limit`] is refused (returns null) and
//! counted, so that the harness can tell an out-of-memory guest from other
//! traps even when the runtime reports it vaguely.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static REFUSED: AtomicUsize = AtomicUsize::new(0);
static REFUSED_SIZE: AtomicUsize = AtomicUsize::new(0);

/// A global allocator that counts what `A` reserves.
pub struct Tracking<A> {
    inner: A,
    rounding: fn(Layout) -> usize,
}

fn exact(layout: Layout) -> usize {
    layout.size()
}

impl<A> Tracking<A> {
    /// Counts requested sizes as they are.
    pub const fn new(inner: A) -> Self {
        Tracking {
            inner,
            rounding: exact,
        }
    }

    /// Counts each request as `rounding(layout)` bytes: what `A` really
    /// reserves for it.
    pub const fn with_rounding(inner: A, rounding: fn(Layout) -> usize) -> Self {
        Tracking { inner, rounding }
    }

    /// The wrapped allocator.
    pub const fn inner(&self) -> &A {
        &self.inner
    }

    fn grant(&self, bytes: usize) -> bool {
        let limit = LIMIT.load(Relaxed);
        let mut cur = CURRENT.load(Relaxed);
        loop {
            let next = match cur.checked_add(bytes) {
                Some(n) if n <= limit => n,
                _ => return false,
            };
            match CURRENT.compare_exchange_weak(cur, next, Relaxed, Relaxed) {
                Ok(_) => {
                    PEAK.fetch_max(next, Relaxed);
                    return true;
                }
                Err(seen) => cur = seen,
            }
        }
    }

    fn refuse(&self, bytes: usize) {
        REFUSED.fetch_add(1, Relaxed);
        REFUSED_SIZE.store(bytes, Relaxed);
    }
}

unsafe impl<A: GlobalAlloc> GlobalAlloc for Tracking<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let bytes = (self.rounding)(layout);
        if !self.grant(bytes) {
            self.refuse(bytes);
            return core::ptr::null_mut();
        }
        let p = unsafe { self.inner.alloc(layout) };
        if p.is_null() {
            CURRENT.fetch_sub(bytes, Relaxed);
            self.refuse(bytes);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let bytes = (self.rounding)(layout);
        if !self.grant(bytes) {
            self.refuse(bytes);
            return core::ptr::null_mut();
        }
        let p = unsafe { self.inner.alloc_zeroed(layout) };
        if p.is_null() {
            CURRENT.fetch_sub(bytes, Relaxed);
            self.refuse(bytes);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.inner.dealloc(ptr, layout) };
        CURRENT.fetch_sub((self.rounding)(layout), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = (self.rounding)(layout);
        // SAFETY: the caller guarantees `new_size` with `layout.align()` is a valid layout.
        let new =
            (self.rounding)(unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) });
        if new > old {
            // Old and new block may coexist while the allocator copies.
            if !self.grant(new) {
                self.refuse(new);
                return core::ptr::null_mut();
            }
            let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
            if p.is_null() {
                CURRENT.fetch_sub(new, Relaxed);
                self.refuse(new);
            } else {
                CURRENT.fetch_sub(old, Relaxed);
            }
            p
        } else {
            let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                CURRENT.fetch_sub(old - new, Relaxed);
            }
            p
        }
    }
}

/// Bytes currently allocated.
pub fn current() -> usize {
    CURRENT.load(Relaxed)
}

/// Highest [`current`] since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Relaxed)
}

/// Starts a new peak measurement from the current level.
pub fn reset_peak() {
    PEAK.store(CURRENT.load(Relaxed), Relaxed);
}

/// Sets the heap budget in bytes (`usize::MAX` for none). Allocations that
/// would take [`current`] past it are refused.
pub fn set_limit(bytes: usize) {
    LIMIT.store(bytes, Relaxed);
}

/// The heap budget in bytes.
pub fn limit() -> usize {
    LIMIT.load(Relaxed)
}

/// How many allocations were refused so far, and the size of the last one.
pub fn refusals() -> (usize, usize) {
    (REFUSED.load(Relaxed), REFUSED_SIZE.load(Relaxed))
}
