//! RV32IMAC: riscv-rt entry, the exception report and `mcycle`.
//!
//! Boards whose HAL brings its own runtime (esp-hal on the ESP32-C6) leave
//! out the riscv-rt entry (feature `rt-riscv`) and give their own, which
//! ends in the same [`crate::bare::main`] and [`exception`] report.

#[cfg(feature = "rt-riscv")]
#[riscv_rt::entry]
fn entry() -> ! {
    // SAFETY: first thing, before any C code can touch its TLS.
    unsafe { tls_init() };
    crate::bare::main()
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

#[cfg(feature = "rt-riscv")]
#[unsafe(export_name = "ExceptionHandler")]
fn exception_handler(_frame: &riscv_rt::TrapFrame) -> ! {
    exception()
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
