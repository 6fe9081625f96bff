//! Cortex-M (M33F, M4F): cortex-m-rt entry, the HardFault report, and
//! SysTick extended to 64 bits.
//!
//! QEMU implements no DWT cycle counter, so time under emulation is read
//! from SysTick, which QEMU's icount drives at a fixed number of
//! instructions per tick (see the QEMU board modules).

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception, ExceptionFrame};

#[entry]
fn entry() -> ! {
    crate::bare::main()
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    crate::bare::fatal(
        "crash",
        format_args!("HardFault at pc {:#010x} (lr {:#010x})", frame.pc(), frame.lr()),
    )
}

/// SysTick wraps since [`systick_start`].
static WRAPS: AtomicU32 = AtomicU32::new(0);
const RELOAD: u32 = 0x00FF_FFFF;

#[exception]
fn SysTick() {
    WRAPS.fetch_add(1, Relaxed);
}

/// Starts SysTick on the processor clock, free-running, with an interrupt
/// at each wrap so that [`systick_ticks`] is 64 bits wide.
pub fn systick_start() {
    // SAFETY: called once at start-up, before anything else uses SysTick.
    let mut p = unsafe { cortex_m::Peripherals::steal() };
    p.SYST.set_clock_source(SystClkSource::Core);
    p.SYST.set_reload(RELOAD);
    p.SYST.clear_current();
    p.SYST.enable_interrupt();
    p.SYST.enable_counter();
}

/// SysTick ticks since [`systick_start`].
pub fn systick_ticks() -> u64 {
    loop {
        let before = WRAPS.load(Relaxed);
        let current = cortex_m::peripheral::SYST::get_current();
        let after = WRAPS.load(Relaxed);
        if before == after {
            return (u64::from(before) << 24) + u64::from(RELOAD - current);
        }
    }
}

/// Ends the program under QEMU through Arm semihosting (QEMU exits with 0 or
/// 1). Needs `-semihosting-config enable=on`.
pub fn semihosting_exit(ok: bool) -> ! {
    use cortex_m_semihosting::debug;
    debug::exit(if ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    loop {
        cortex_m::asm::wfi();
    }
}

fn icount_now<const PER_TICK: u64>() -> u64 {
    systick_ticks() * PER_TICK
}

/// QEMU time: under `-icount shift=0` one instruction is 1 ns of virtual
/// time, and SysTick ticks every `PER_TICK` instructions (the machine's
/// SysTick clock period in ns).
pub const fn icount_clock<const PER_TICK: u64>(source: &'static str) -> trevm_bench::Clock {
    trevm_bench::Clock {
        now: icount_now::<PER_TICK>,
        hz: 1_000_000_000,
        unit: "instructions",
        source,
    }
}
