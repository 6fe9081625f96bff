//! treVM bench capsules: Wasm components written in Rust against the WIT
//! contract in `capsules/wit/capsule.wit`.
//!
//! One capsule per world, one file each in `src/bin/` (feature `guest`,
//! target `wasm32v1-none`; `trevm capsules` builds them and turns each core
//! module into a component):
//!
//! * `fib` (`ephemeral`): Fibonacci numbers in a loop, checked;
//! * `sensor-log` (`ephemeral-bindings`): sensor readings with noise, logged;
//! * `counter` (`persistent`): a CoAP handler keeping a sum ([`counter`]);
//! * `sensor-server` (`persistent-bindings`): the counter plus a sensor
//!   resource.
//!
//! This library holds what they share, plain Rust that the host tests too:
//! the counter's logic, the noise, a text buffer and (feature `guest`, on
//! wasm32) the heap and the panic handler.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod counter;
#[cfg(all(feature = "guest", target_arch = "wasm32"))]
mod guest;
pub mod text;

/// CoAP response codes (class × 32 + detail).
pub mod code {
    /// 2.04 Changed.
    pub const CHANGED: u8 = 2 * 32 + 4;
    /// 2.05 Content.
    pub const CONTENT: u8 = 2 * 32 + 5;
    /// 4.00 Bad Request.
    pub const BAD_REQUEST: u8 = 4 * 32;
    /// 4.04 Not Found.
    pub const NOT_FOUND: u8 = 4 * 32 + 4;
    /// 5.03 Service Unavailable.
    pub const SERVICE_UNAVAILABLE: u8 = 5 * 32 + 3;
}

/// The largest noise [`noise`] adds, either way.
pub const NOISE: i32 = 10;

/// Noise in `-NOISE..=NOISE` from 32 random bits (multiply-shift, so every
/// value is about equally likely).
pub fn noise(random: u32) -> i32 {
    let span = (2 * NOISE + 1) as u64;
    ((u64::from(random) * span) >> 32) as i32 - NOISE
}

/// `value` with noise from `random` added (saturating at the ends of `i32`).
pub fn noisy(value: i32, random: u32) -> i32 {
    value.saturating_add(noise(random))
}

/// Whether `noisy` is within [`NOISE`] of `value`.
pub fn within_noise(value: i32, noisy: i32) -> bool {
    (i64::from(noisy) - i64::from(value)).abs() <= i64::from(NOISE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_covers_its_range_and_no_more() {
        assert_eq!(noise(0), -NOISE);
        assert_eq!(noise(u32::MAX), NOISE);
        let mut seen = [false; 21];
        let mut x = 1u32;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let n = noise(x);
            assert!((-NOISE..=NOISE).contains(&n));
            seen[(n + NOISE) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert!(within_noise(i32::MAX, noisy(i32::MAX, u32::MAX)));
        assert!(!within_noise(0, 11));
    }
}
