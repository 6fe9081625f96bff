//! Cortex-M (M33F, M4F): cortex-m-rt entry, the HardFault report, SysTick
//! extended to 64 bits, and the DWT cycle counter extended by it.
//!
//! QEMU implements no DWT cycle counter, so time under emulation is read
//! from SysTick, which QEMU's icount drives at a fixed number of
//! instructions per tick (see the QEMU board modules). The real boards
//! count core cycles with DWT CYCCNT ([`dwt_cycles`]).

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m_rt::{entry, exception, ExceptionFrame};

/// The stack exception handlers run on, apart from the program's: a fault
/// caused by a stack overflow can still be reported.
const HANDLER_STACK_BYTES: usize = 4096;
static mut HANDLER_STACK: [u64; HANDLER_STACK_BYTES / 8] = [0; HANDLER_STACK_BYTES / 8];

#[entry]
fn entry() -> ! {
    // Thread mode moves to the process stack pointer at the same address
    // (nothing in this frame changes), and the main stack pointer, which
    // exceptions use, to a stack of its own. A program-stack overflow then
    // runs off the bottom of RAM into a bus fault, and the HardFault
    // handler still has a stack to report it from.
    // SAFETY: SP keeps its value across the switch; MSP is unused by thread
    // code once SPSEL is set.
    unsafe {
        cortex_m::register::psp::write(cortex_m::register::msp::read());
        core::arch::asm!(
            "mrs {t}, CONTROL",
            "orr {t}, {t}, #2",
            "msr CONTROL, {t}",
            "isb",
            t = out(reg) _,
        );
        let top = (&raw mut HANDLER_STACK)
            .cast::<u64>()
            .add(HANDLER_STACK_BYTES / 8);
        core::arch::asm!("msr MSP, {}", in(reg) top);
    }
    crate::bare::main()
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    let psp = cortex_m::register::psp::read() as usize;
    if psp < crate::bare::stack::bottom() + 64 {
        // The exception frame itself could not be stacked: do not read it.
        crate::bare::fatal(
            "crash",
            format_args!(
                "stack overflow: the {} B stack ran out (HardFault, sp {psp:#010x})",
                crate::bare::stack::budget()
            ),
        )
    }
    // Volatile reads after the check: the compiler may not hoist them.
    let words = (frame as *const ExceptionFrame).cast::<u32>();
    let (lr, pc) = unsafe { (words.add(5).read_volatile(), words.add(6).read_volatile()) };
    crate::bare::fatal(
        "crash",
        format_args!("HardFault at pc {pc:#010x} (lr {lr:#010x})"),
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

#[allow(dead_code)] // boards use either the QEMU or the hardware parts
/// Ends the program under QEMU through Arm semihosting (QEMU exits with 0 or
/// 1). Needs `-semihosting-config enable=on`.
pub fn semihosting_exit(ok: bool) -> ! {
    use cortex_m_semihosting::debug;
    debug::exit(if ok {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    loop {
        cortex_m::asm::wfi();
    }
}

#[allow(dead_code)] // boards use either the QEMU or the hardware parts
fn icount_now<const PER_TICK: u64>() -> u64 {
    systick_ticks() * PER_TICK
}

#[allow(dead_code)] // boards use either the QEMU or the hardware parts
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

#[allow(dead_code)] // boards use either the QEMU or the hardware parts
/// CYCCNT when [`dwt_start`] started it, with SysTick.
static DWT_ORIGIN: AtomicU32 = AtomicU32::new(0);

#[allow(dead_code)] // boards use either the QEMU or the hardware parts
/// Starts the DWT cycle counter and SysTick on the core clock; SysTick's
/// wrap count extends CYCCNT to 64 bits ([`dwt_cycles`]).
pub fn dwt_start() {
    // SAFETY: called once at start-up, before anything else uses DCB/DWT.
    let mut p = unsafe { cortex_m::Peripherals::steal() };
    p.DCB.enable_trace();
    p.DWT.enable_cycle_counter();
    DWT_ORIGIN.store(cortex_m::peripheral::DWT::cycle_count(), Relaxed);
    systick_start();
}

#[allow(dead_code)] // boards use either the QEMU or the hardware parts
/// Core cycles since [`dwt_start`]: DWT CYCCNT (32 bits, wraps every
/// 2^32 cycles, 28.6 s at 150 MHz) extended to 64 bits with SysTick, which
/// counts the same clock with an interrupt at each wrap. SysTick picks the
/// wrap; the cycles themselves are CYCCNT's.
pub fn dwt_cycles() -> u64 {
    let ticks = systick_ticks();
    let low = cortex_m::peripheral::DWT::cycle_count().wrapping_sub(DWT_ORIGIN.load(Relaxed));
    trevm_bench::Clock::extend32(ticks, low)
}

#[allow(dead_code)] // boards use either the QEMU or the hardware parts
/// Ends the program on a real board: with a debugger attached (DHCSR
/// C_DEBUGEN) a breakpoint halts the core where the host sees it, else the
/// core spins. The host has read the last line (`bye`) before this.
pub fn debugger_exit(_ok: bool) -> ! {
    const DHCSR: *const u32 = 0xE000_EDF0 as *const u32;
    // SAFETY: DHCSR is readable from privileged code on every Cortex-M.
    if unsafe { DHCSR.read_volatile() } & 1 != 0 {
        cortex_m::asm::bkpt();
    }
    loop {
        core::hint::spin_loop();
    }
}
