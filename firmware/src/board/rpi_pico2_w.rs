//! `rpi-pico2-w`: Raspberry Pi Pico 2 W, RP2350A (Cortex-M33F) at 150 MHz.
//! Memory map and boot block placement: `memory/rpi-pico2-w.x`; the
//! IMAGE_DEF block the boot ROM needs comes from embassy-rp
//! (`imagedef-secure-exe`). Stand-in under QEMU: `qemu-m33`.

use trevm_bench::Clock;

use crate::arch::cortex_m;
pub use cortex_m::debugger_exit as exit;

/// Board name in results.
pub const NAME: &str = "rpi-pico2-w";

/// The system clock the paper ran the RP2350 at.
const HZ: u32 = 150_000_000;

/// Core cycles.
pub const CLOCK: Clock = Clock {
    now: cortex_m::dwt_cycles,
    hz: HZ as u64,
    unit: "cycles",
    source: "DWT CYCCNT, clk_sys 150 MHz (pll_sys from the 12 MHz crystal)",
};

/// Clocks to 150 MHz (embassy-rp's crystal configuration: 12 MHz x 125 /
/// 5 / 2), the stack limit, and the cycle counter.
pub fn init() {
    let _peripherals = embassy_rp::init(Default::default());
    // Armv8-M's stack limit: a program-stack overflow faults at the bottom
    // of the stack region instead of running into the XIP alias below RAM.
    // SAFETY: the limit is the bottom of the region the stack lives in.
    unsafe {
        core::arch::asm!("msr PSPLIM, {}", in(reg) crate::bare::stack::bottom());
    }
    cortex_m::dwt_start();
    let hz = embassy_rp::clocks::clk_sys_freq();
    if hz != HZ {
        crate::bare::fatal(
            "internal",
            format_args!("clk_sys runs at {hz} Hz, not the {HZ} Hz the results claim"),
        );
    }
}
