//! Tracking global allocator: measures peak heap and enforces a heap budget.
//!
//! Wrap the platform's allocator (`std::alloc::System` on the host,
//! `embedded_alloc` on the boards) in [`Tracking`] and install it as the
//! `#[global_allocator]`. The counters are module-level because a program has
//! exactly one global allocator; they are read with [`current`], [`peak`],
//! [`requested`], [`peak_requested`] and [`refusals`].
//!
//! Two byte counts are kept side by side:
//!
//! - *reserved* ([`current`], [`peak`]): what the allocator really reserves:
//!   each request is rounded by the function given to
//!   [`Tracking::with_rounding`] (for example to the block size of a
//!   linked-list allocator); the heap budget applies to it;
//! - *requested* ([`requested`], [`peak_requested`]): the sum of the live
//!   allocations' `layout.size()` as the program asked for them, which is
//!   how the paper counted its peak heap.
//!
//! An allocation that would go past the budget set with [`set_limit`] is
//! refused (returns null) and counted, so that the harness can tell an
//! out-of-memory guest from other traps even when the runtime reports it
//! vaguely.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
static REFUSED: AtomicUsize = AtomicUsize::new(0);
static REFUSED_SIZE: AtomicUsize = AtomicUsize::new(0);
static REQUESTED: AtomicUsize = AtomicUsize::new(0);
static PEAK_REQUESTED: AtomicUsize = AtomicUsize::new(0);

/// Counts `bytes` more requested bytes live (a granted allocation).
fn request(bytes: usize) {
    let now = REQUESTED.fetch_add(bytes, Relaxed) + bytes;
    PEAK_REQUESTED.fetch_max(now, Relaxed);
}

/// Counts `bytes` requested bytes freed.
fn release(bytes: usize) {
    REQUESTED.fetch_sub(bytes, Relaxed);
}

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
        } else {
            request(layout.size());
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
        } else {
            request(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { self.inner.dealloc(ptr, layout) };
        CURRENT.fetch_sub((self.rounding)(layout), Relaxed);
        release(layout.size());
    }

    // A reallocation counts as the old request freed and the new one made
    // at once (requested bytes); the reserved count above lets old and new
    // block coexist while the allocator copies, as they do.

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
                resize_request(layout.size(), new_size);
            }
            p
        } else {
            let p = unsafe { self.inner.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                CURRENT.fetch_sub(old - new, Relaxed);
                resize_request(layout.size(), new_size);
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

/// Starts new peak measurements (reserved and requested) from the current
/// levels.
pub fn reset_peak() {
    PEAK.store(CURRENT.load(Relaxed), Relaxed);
    PEAK_REQUESTED.store(REQUESTED.load(Relaxed), Relaxed);
}

/// Requested bytes currently live: the sum of the live allocations'
/// `layout.size()`, before any rounding.
pub fn requested() -> usize {
    REQUESTED.load(Relaxed)
}

/// Highest [`requested`] since the last [`reset_peak`] (the paper's peak
/// heap accounting).
pub fn peak_requested() -> usize {
    PEAK_REQUESTED.load(Relaxed)
}

/// A granted reallocation from `old` to `new` requested bytes.
fn resize_request(old: usize, new: usize) {
    if new >= old {
        request(new - old);
    } else {
        release(old - new);
    }
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

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    /// Rounds like a linked-list allocator on a 32-bit board: at least 8
    /// bytes, a multiple of 4.
    fn rounded(layout: Layout) -> usize {
        layout.size().max(8).next_multiple_of(4)
    }

    // The counters are global, but the unit-test binary does not install
    // `Tracking` as its global allocator: only this test moves them.
    #[test]
    fn requested_bytes_are_counted_beside_reserved_ones() {
        let t = Tracking::with_rounding(std::alloc::System, rounded);
        reset_peak();
        let (c0, r0) = (current(), requested());
        let small = Layout::from_size_align(3, 1).unwrap();
        let big = Layout::from_size_align(101, 4).unwrap();
        unsafe {
            let a = t.alloc(small);
            let b = t.alloc_zeroed(big);
            assert_eq!(current() - c0, 8 + 104);
            assert_eq!(requested() - r0, 3 + 101);
            let b2 = t.realloc(b, big, 201);
            assert_eq!(requested() - r0, 3 + 201);
            t.dealloc(a, small);
            t.dealloc(b2, Layout::from_size_align(201, 4).unwrap());
        }
        assert_eq!((current(), requested()), (c0, r0));
        assert_eq!(peak_requested() - r0, 3 + 201);
        // The reserved peak saw the old and new block of the realloc at once.
        assert_eq!(peak() - c0, 8 + 104 + 204);
    }
}
