//! `qemu-m33`: QEMU `mps2-an505` (Cortex-M33F), stand-in for the RP2350.
//! Memory map: `memory/qemu-m33.x`.

use crate::arch::cortex_m;
pub use cortex_m::{semihosting_exit as exit, systick_start as init};

/// Board name in results.
pub const NAME: &str = "qemu-m33";

/// Instructions: the an505's SysTick runs at 20 MHz, one tick per 50.
pub const CLOCK: trevm_bench::Clock =
    cortex_m::icount_clock::<50>("SysTick x50 (QEMU icount shift=0)");
