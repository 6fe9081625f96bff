//! Processor-family code shared by the boards of a family: reset entry,
//! fault handlers and the cycle/instruction counter.

#[cfg(target_arch = "arm")]
pub mod cortex_m;
#[cfg(target_arch = "riscv32")]
pub mod riscv;

/// A 32-bit counter extended to 64 bits: `estimate` is the same count from
/// a coarser or wrap-tracked 64-bit source that runs at the same rate and
/// started with it, `low` the 32-bit counter's exact value. The result is
/// `low` with the wraps of `estimate`; right while the two agree within
/// 2^31 counts.
#[allow(dead_code)]
pub fn extend32(estimate: u64, low: u32) -> u64 {
    let skew = low.wrapping_sub(estimate as u32) as i32;
    estimate.wrapping_add_signed(i64::from(skew))
}
