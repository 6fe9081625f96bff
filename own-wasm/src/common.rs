//! Helpers shared by the workloads: a deterministic generator, a checksum,
//! guarded static scratch buffers and the fault injection used by the tests.

use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

/// Marsaglia's xorshift32: small, fast and identical on every target.
#[derive(Clone)]
pub(crate) struct XorShift32(u32);

impl XorShift32 {
    /// A generator started from `seed` (0 is replaced, xorshift never leaves 0).
    pub(crate) const fn new(seed: u32) -> Self {
        Self(if seed == 0 { 0x9E37_79B9 } else { seed })
    }

    /// The next 32 pseudo-random bits.
    pub(crate) fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    /// A value in `0..n` (`n > 0`), by multiply-shift.
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        ((u64::from(self.next_u32()) * u64::from(n)) >> 32) as u32
    }

    /// Fills `buf` with pseudo-random bytes.
    pub(crate) fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(4) {
            let w = self.next_u32().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
    }
}

/// 32-bit FNV-1a, used to condense a result into one constant.
#[derive(Clone, Copy)]
pub(crate) struct Fnv1a(u32);

impl Fnv1a {
    pub(crate) const fn new() -> Self {
        Self(0x811C_9DC5)
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }

    pub(crate) fn finish(self) -> u32 {
        self.0
    }
}

/// Where the tests inject a fault to prove that verification can fail.
/// Production runs always use [`Fault::None`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Fault {
    /// Run as in production.
    None,
    /// Flip one bit of the generated input after set-up, before the
    /// measured region.
    Input,
    /// Flip one bit of the result after the measured region, before
    /// verification.
    Output,
}

/// The workload status: 0 when verified, 1 otherwise.
pub(crate) fn status(verified: bool) -> i32 {
    if verified {
        0
    } else {
        1
    }
}

/// A statically allocated working buffer (kept off the small Wasm stack).
///
/// Access goes through [`Scratch::with`], which holds a flag for the
/// duration: a single-threaded guest never waits, host test threads take
/// turns.
pub(crate) struct Scratch<T> {
    busy: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the value is only reached through `with`, which gives out one
// `&mut T` at a time (guarded by `busy`); `T: Send` lets it move between
// threads in that way.
unsafe impl<T: Send> Sync for Scratch<T> {}

impl<T> Scratch<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self {
            busy: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` with exclusive access to the buffer.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        struct Release<'a>(&'a AtomicBool);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Release);
            }
        }
        while self
            .busy
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        let _release = Release(&self.busy);
        // SAFETY: `busy` was false and is now ours until `_release` drops, so
        // no other reference to the value exists.
        f(unsafe { &mut *self.value.get() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xorshift_known_sequence() {
        // Marsaglia's xorshift32 (13, 17, 5) from 1: first outputs.
        let mut r = XorShift32::new(1);
        assert_eq!(r.next_u32(), 270369);
        assert_eq!(r.next_u32(), 67634689);
        let mut r = XorShift32::new(0);
        assert_ne!(r.next_u32(), 0);
    }

    #[test]
    fn fnv1a_known_values() {
        let h = |s: &[u8]| {
            let mut f = Fnv1a::new();
            f.bytes(s);
            f.finish()
        };
        assert_eq!(h(b""), 0x811C_9DC5);
        assert_eq!(h(b"a"), 0xE40C_292C);
        assert_eq!(h(b"foobar"), 0xBF9C_F968);
    }

    #[test]
    fn scratch_is_exclusive_across_threads() {
        static S: Scratch<u64> = Scratch::new(0);
        let threads: std::vec::Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..1000 {
                        S.with(|v| {
                            let x = *v;
                            std::hint::black_box(());
                            *v = x + 1;
                        });
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(S.with(|v| *v), 4000);
    }
}
