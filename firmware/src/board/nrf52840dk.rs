//! `nrf52840dk`: nRF52840 DK, nRF52840 (Cortex-M4F) at 64 MHz, no
//! SoftDevice. Memory map: `memory/nrf52840dk.x`. Stand-in under QEMU:
//! `qemu-m4f`.

use trevm_bench::Clock;

use crate::arch::cortex_m;
pub use cortex_m::debugger_exit as exit;

/// Board name in results.
pub const NAME: &str = "nrf52840dk";

/// Core cycles.
pub const CLOCK: Clock = Clock {
    now: cortex_m::dwt_cycles,
    hz: 64_000_000,
    unit: "cycles",
    source: "DWT CYCCNT, CPU 64 MHz (HFCLK from the 32 MHz crystal)",
};

/// The high-frequency clock from the DK's 32 MHz crystal (the CPU always
/// runs at 64 MHz; the crystal makes it accurate), debug access kept open
/// for the probe, and the cycle counter.
pub fn init() {
    let mut config = embassy_nrf::config::Config::default();
    config.hfclk_source = embassy_nrf::config::HfclkSource::ExternalXtal;
    config.debug = embassy_nrf::config::Debug::Allowed;
    let _peripherals = embassy_nrf::init(config);
    cortex_m::dwt_start();
}
