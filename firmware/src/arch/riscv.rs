//! RV32IMAC: riscv-rt entry, the exception report and `mcycle`.

#[riscv_rt::entry]
fn entry() -> ! {
    crate::bare::main()
}

/// Any exception ends the cell: report the cause and where.
#[unsafe(export_name = "ExceptionHandler")]
fn exception(_frame: &riscv_rt::TrapFrame) -> ! {
    let cause = riscv::register::mcause::read().bits();
    let pc = riscv::register::mepc::read();
    let tval = riscv::register::mtval::read();
    crate::bare::fatal(
        "crash",
        format_args!("exception mcause {cause} at pc {pc:#010x} (mtval {tval:#010x})"),
    )
}

/// Cycles since reset (under QEMU icount: instructions retired).
pub fn mcycle() -> u64 {
    riscv::register::mcycle::read64()
}
