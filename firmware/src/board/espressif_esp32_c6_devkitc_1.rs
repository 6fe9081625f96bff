//! `espressif-esp32-c6-devkitc-1`: ESP32-C6-DevKitC-1, ESP32-C6 (RV32IMAC)
//! at 160 MHz. esp-hal brings the runtime (esp-riscv-rt), the memory map
//! (`linkall.x`, plus `memory/espressif-esp32-c6-devkitc-1.x`) and the
//! clocks; the app descriptor is esp-bootloader-esp-idf's. This module
//! gives the board its entry (on the shared stack layout), its exception
//! report, the cycle counter and the module slot's flash mapping; the rest
//! is the shared bare-metal code. Stand-in under QEMU: `qemu-rv32`.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use esp_hal::clock::CpuClock;
use esp_hal::time::Instant;
use trevm_bench::Clock;

/// The module slot's flash mapping (shared with the Ariel OS firmware).
#[path = "esp32c6_slot.rs"]
mod slot;

esp_bootloader_esp_idf::esp_app_desc!();

/// Board name in results.
pub const NAME: &str = "espressif-esp32-c6-devkitc-1";

/// The CPU clock the paper ran the ESP32-C6 at.
const MHZ: u64 = 160;

/// Core cycles.
pub const CLOCK: Clock = Clock {
    now: cycles,
    hz: MHZ * 1_000_000,
    unit: "cycles",
    source: "PCCR (CSR 0x7e2) extended by SYSTIMER, CPU 160 MHz (PLL)",
};

unsafe extern "C" {
    static __trevm_stack_top: u8;
    static __stack_chk_guard: u32;
}

/// esp-riscv-rt starts here (through esp-hal) on its stack at the top of
/// RAM; the shared layout wants the stack at the bottom of that region,
/// under esp-hal's guard word, and the heap above it. Nothing on the old
/// stack is needed again.
#[esp_hal::main]
fn main() -> ! {
    // SAFETY: the new stack is the linker script's stack region, unused so
    // far; `start` never returns.
    unsafe {
        core::arch::asm!(
            "mv sp, {top}",
            "tail {start}",
            top = in(reg) (&raw const __trevm_stack_top) as usize,
            start = sym start,
            options(noreturn),
        )
    }
}

extern "C" fn start() -> ! {
    // SAFETY: first thing on the new stack, before any C code runs.
    unsafe { crate::arch::riscv::tls_init() };
    crate::bare::main()
}

/// Any exception ends the cell; a write to esp-hal's stack guard word (a
/// watchpoint, mcause 3) is a stack overflow.
#[unsafe(no_mangle)]
unsafe extern "C" fn ExceptionHandler(_frame: *mut u8) -> ! {
    let cause = riscv::register::mcause::read().bits() & 0x1f;
    let tval = riscv::register::mtval::read();
    if cause == 3 && tval == (&raw const __stack_chk_guard) as usize {
        crate::bare::fatal(
            "crash",
            format_args!(
                "stack overflow: the {} B stack ran out (stack guard watchpoint)",
                crate::bare::stack::budget()
            ),
        )
    }
    crate::arch::riscv::exception()
}

/// SYSTIMER microseconds (since boot: well under 2^32) and PCCR when the
/// counter was started.
static ORIGIN_US: AtomicU32 = AtomicU32::new(0);
static ORIGIN_CYCLES: AtomicU32 = AtomicU32::new(0);

fn pccr() -> u32 {
    let c: u32;
    // SAFETY: reads the machine performance counter (CSR 0x7e2).
    unsafe { core::arch::asm!("csrr {0}, 0x7e2", out(reg) c) };
    c
}

/// Core cycles since [`init`]: the 32-bit performance counter PCCR (wraps
/// every 26.8 s at 160 MHz) extended to 64 bits by SYSTIMER, which runs
/// from the same crystal (the microseconds pick the wrap; the cycles are
/// PCCR's).
fn cycles() -> u64 {
    let us = Instant::now().duration_since_epoch().as_micros();
    let estimate = us.saturating_sub(u64::from(ORIGIN_US.load(Relaxed))) * MHZ;
    let low = pccr().wrapping_sub(ORIGIN_CYCLES.load(Relaxed));
    trevm_bench::Clock::extend32(estimate, low)
}

/// Clocks to 160 MHz (esp-hal turns the watchdogs off), the cycle counter,
/// and the module slot's mapping.
pub fn init() {
    let _peripherals = esp_hal::init(esp_hal::Config::default().with_cpu_clock(CpuClock::_160MHz));
    // SAFETY: PCER = count cycles, PCMR = enabled (the ESP-IDF start-up
    // does the same).
    unsafe { core::arch::asm!("csrw 0x7e0, {0}", "csrw 0x7e1, {0}", in(reg) 1u32) };
    ORIGIN_US.store(
        Instant::now().duration_since_epoch().as_micros() as u32,
        Relaxed,
    );
    ORIGIN_CYCLES.store(pccr(), Relaxed);
    slot::map();
}

/// Ends the program: the host has read the last line (`bye`); the core
/// spins until the probe stops or resets it.
pub fn exit(_ok: bool) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
