//! Time under Ariel OS: the core's cycle counter (DWT CYCCNT on Cortex-M,
//! PCCR on the ESP32-C6), 32 bits wide, extended to 64 bits by Ariel OS's
//! `Instant`, which only picks the wrap: the cycles are the counter's.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use ariel_os::time::Instant;
use trevm_bench::Clock;

/// The core clock rate, the catalog's board's (`catalog/src/board.rs`,
/// passed on by `ariel/build.rs`).
const HZ: u64 = match u64::from_str_radix(env!("TREVM_CLOCK_HZ"), 10) {
    Ok(hz) => hz,
    Err(_) => panic!("TREVM_CLOCK_HZ is not a number"),
};

#[cfg(context = "cortex-m")]
const SOURCE: &str = "DWT CYCCNT extended by Ariel OS's Instant";
#[cfg(context = "esp32c6")]
const SOURCE: &str = "PCCR (CSR 0x7e2) extended by Ariel OS's Instant";

/// Core cycles.
pub(crate) const CLOCK: Clock = Clock {
    now: cycles,
    hz: HZ,
    unit: "cycles",
    source: SOURCE,
};

/// `Instant` microseconds at [`start`] (the cell starts within seconds of
/// boot: well under 2^32), and the counter then.
static ORIGIN_US: AtomicU32 = AtomicU32::new(0);
static ORIGIN_CYCLES: AtomicU32 = AtomicU32::new(0);

#[cfg(context = "cortex-m")]
fn counter() -> u32 {
    cortex_m::peripheral::DWT::cycle_count()
}

#[cfg(context = "esp32c6")]
fn counter() -> u32 {
    let c: u32;
    // SAFETY: reads the machine performance counter (CSR 0x7e2).
    unsafe { core::arch::asm!("csrr {0}, 0x7e2", out(reg) c) };
    c
}

/// Starts the counter and takes the origin of both clocks.
pub fn start() {
    #[cfg(context = "cortex-m")]
    {
        // SAFETY: nothing else in the firmware uses DCB/DWT.
        let mut p = unsafe { cortex_m::Peripherals::steal() };
        p.DCB.enable_trace();
        p.DWT.enable_cycle_counter();
    }
    // SAFETY: PCER = count cycles, PCMR = enabled (as ESP-IDF does).
    #[cfg(context = "esp32c6")]
    unsafe {
        core::arch::asm!("csrw 0x7e0, {0}", "csrw 0x7e1, {0}", in(reg) 1u32)
    };
    ORIGIN_US.store(Instant::now().as_micros() as u32, Relaxed);
    ORIGIN_CYCLES.store(counter(), Relaxed);
}

/// Core cycles since [`start`].
fn cycles() -> u64 {
    let us = Instant::now()
        .as_micros()
        .saturating_sub(u64::from(ORIGIN_US.load(Relaxed)));
    let low = counter().wrapping_sub(ORIGIN_CYCLES.load(Relaxed));
    Clock::extend32(us * (HZ / 1_000_000), low)
}
