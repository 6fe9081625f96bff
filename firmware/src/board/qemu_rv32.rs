//! `qemu-rv32`: QEMU `virt` with a `sifive-e31` core (RV32IMAC), stand-in
//! for the ESP32-C6. Memory map: `memory/qemu-rv32.x`.

use trevm_bench::Clock;

use crate::arch::riscv;

/// Board name in results.
pub const NAME: &str = "qemu-rv32";

/// Instructions (QEMU icount: `mcycle` counts instructions retired).
pub const CLOCK: Clock = Clock {
    now: riscv::mcycle,
    hz: 1_000_000_000,
    unit: "instructions",
    source: "mcycle (QEMU icount shift=0)",
};

/// `mcycle` runs from reset: nothing to start.
pub fn init() {}

/// The `virt` machine's SiFive test device: writing it ends QEMU.
const SIFIVE_TEST: *mut u32 = 0x0010_0000 as *mut u32;

/// Ends the run: QEMU exits with 0 when the cell verified, else 1.
pub fn exit(ok: bool) -> ! {
    let code = if ok { 0x5555 } else { (1 << 16) | 0x3333 };
    // SAFETY: the sifive_test MMIO register of QEMU's virt machine.
    unsafe { SIFIVE_TEST.write_volatile(code) };
    loop {
        core::hint::spin_loop();
    }
}
