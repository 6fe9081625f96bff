//! RV32IMAC: riscv-rt entry, the stack guard, the exception report and
//! `mcycle`.
//!
//! Boards whose HAL brings its own runtime (esp-hal on the ESP32-C6, whose
//! stack guard is esp-hal's watchpoint) leave out the riscv-rt entry
//! (feature `rt-riscv`) and give their own, which ends in the same
//! [`crate::bare::main`] and [`exception`] report.
//!
//! **Stack guard** (riscv-rt boards: `qemu-rv32`). The stack has a region
//! of its own at the bottom of RAM; below it are flash and the module slot
//! (on `qemu-rv32` all of it is RAM to QEMU). A locked PMP region makes
//! `[flash start, stack bottom)` read and execute only, for machine mode
//! too, so that a native stack overflow faults on its first store, as it
//! does on Cortex-M (where the stack's bottom is RAM's), instead of
//! writing over the module. The trap entry moves back to the top of the
//! stack first (every trap ends the cell, so the frames there are not
//! needed any more), so that the overflow can be reported: `crash`,
//! "stack overflow: the N B stack ran out".

#[cfg(feature = "rt-riscv")]
#[riscv_rt::entry]
fn entry() -> ! {
    // SAFETY: first thing, before any C code can touch its TLS; then the
    // guard, before anything runs deep.
    unsafe {
        tls_init();
        stack_guard();
    }
    crate::bare::main()
}

#[cfg(feature = "rt-riscv")]
unsafe extern "C" {
    static __trevm_flash_start: u8;
}

/// PMP configuration bits (the privileged spec's `pmpcfg` fields).
#[cfg(feature = "rt-riscv")]
mod pmp {
    pub const R: usize = 1 << 0;
    pub const X: usize = 1 << 2;
    /// Address matching: top of range (from the previous entry's address).
    pub const TOR: usize = 1 << 3;
    /// Locked: applies to machine mode too, until reset.
    pub const L: usize = 1 << 7;
}

/// Makes `[flash start, stack bottom)` read and execute only (PMP entries
/// 0 and 1: entry 0 only gives the range's start, entry 1 matches up to
/// the stack's bottom).
///
/// # Safety
///
/// Call once at start-up; nothing may write below the stack afterwards.
#[cfg(feature = "rt-riscv")]
unsafe fn stack_guard() {
    let start = (&raw const __trevm_flash_start) as usize;
    let end = crate::bare::stack::bottom();
    let cfg = (pmp::L | pmp::TOR | pmp::R | pmp::X) << 8;
    // SAFETY: machine mode at start-up; the locked range holds code,
    // read-only data and the slot, which nothing writes.
    unsafe {
        core::arch::asm!(
            "csrw pmpaddr0, {a}",
            "csrw pmpaddr1, {b}",
            "csrw pmpcfg0, {c}",
            a = in(reg) start >> 2,
            b = in(reg) end >> 2,
            c = in(reg) cfg,
        );
    }
}

// Every trap: the faulting sp kept in mscratch, sp moved back to the top
// of the stack, then the report (which never returns). Every trap ends
// the cell, so the frames there are not needed any more, and the trap
// needs no stack (and no RAM) of its own.
#[cfg(feature = "rt-riscv")]
core::arch::global_asm!(
    ".section .text.trevm_trap_entry, \"ax\"",
    ".balign 4",
    ".global trevm_trap_entry",
    "trevm_trap_entry:",
    "csrw mscratch, sp",
    "la sp, __trevm_stack_top",
    "j trevm_trap",
);

/// Points the trap vector at `trevm_trap_entry` (direct mode), in place
/// of riscv-rt's handler, which would save the registers on the stack
/// that may have run out.
#[cfg(feature = "rt-riscv")]
#[unsafe(export_name = "_setup_interrupts")]
fn setup_interrupts() {
    unsafe extern "C" {
        fn trevm_trap_entry();
    }
    // SAFETY: the entry is 4-byte aligned (direct mode: low bits 0).
    unsafe { core::arch::asm!("csrw mtvec, {}", in(reg) trevm_trap_entry as usize) };
}

/// Machine-mode store access fault.
#[cfg(feature = "rt-riscv")]
const STORE_ACCESS_FAULT: usize = 7;

#[cfg(feature = "rt-riscv")]
#[unsafe(no_mangle)]
extern "C" fn trevm_trap() -> ! {
    let sp = riscv::register::mscratch::read();
    let cause = riscv::register::mcause::read().bits();
    let tval = riscv::register::mtval::read();
    let bottom = crate::bare::stack::bottom();
    let guarded = (&raw const __trevm_flash_start) as usize..bottom;
    if cause == STORE_ACCESS_FAULT && guarded.contains(&tval) && sp < bottom + 64 {
        crate::bare::fatal(
            "crash",
            format_args!(
                "stack overflow: the {} B stack ran out (PMP store fault at {tval:#010x}, sp {sp:#010x})",
                crate::bare::stack::budget()
            ),
        )
    }
    exception()
}

unsafe extern "C" {
    static __trevm_tls_block: u8;
    static __trevm_tdata_start: u8;
    static __trevm_tdata_size: u8;
    static __trevm_tbss_size: u8;
}

/// Sets up the one thread-local block (the C library's errno & co.): the
/// `.tdata` template copied, `.tbss` zeroed, `tp` pointing at it (RISC-V
/// TLS variant I, local-exec: offsets from the block's start).
///
/// # Safety
///
/// Call once at start-up, before any code uses thread-locals.
#[allow(dead_code)]
pub unsafe fn tls_init() {
    let block = (&raw const __trevm_tls_block).cast_mut();
    let tdata = (&raw const __trevm_tdata_size) as usize;
    let tbss = (&raw const __trevm_tbss_size) as usize;
    // SAFETY: the linker script reserves tdata + tbss bytes at the block.
    unsafe {
        core::ptr::copy_nonoverlapping(&raw const __trevm_tdata_start, block, tdata);
        core::ptr::write_bytes(block.add(tdata), 0, tbss);
        core::arch::asm!("mv tp, {}", in(reg) block);
    }
}

/// Any exception ends the cell: report the cause and where.
pub fn exception() -> ! {
    let cause = riscv::register::mcause::read().bits();
    let pc = riscv::register::mepc::read();
    let tval = riscv::register::mtval::read();
    crate::bare::fatal(
        "crash",
        format_args!("exception mcause {cause} at pc {pc:#010x} (mtval {tval:#010x})"),
    )
}

/// Cycles since reset (under QEMU icount: instructions retired).
#[allow(dead_code)]
pub fn mcycle() -> u64 {
    riscv::register::mcycle::read64()
}
