//! `qemu-m4f`: QEMU `mps2-an386` (Cortex-M4F), stand-in for the nRF52840.
//! Memory map: `memory/qemu-m4f.x`.

use crate::arch::cortex_m;
pub use cortex_m::{semihosting_exit as exit, systick_start as init};

/// Board name in results.
pub const NAME: &str = "qemu-m4f";

/// Instructions: the an386's SysTick runs at 25 MHz, one tick per 40.
pub const CLOCK: trevm_bench::Clock =
    cortex_m::icount_clock::<40>("SysTick x40 (QEMU icount shift=0)");
