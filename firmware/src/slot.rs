//! The module slot: the flash region the runner writes the module into,
//! `[__trevm_slot_start, __trevm_slot_end)` as the linker script reserves
//! it (`memory/<board>.x` on bare metal, `trevm-ariel.x` under Ariel OS).
//! Shared by the bare-metal and the Ariel OS firmware.

unsafe extern "C" {
    static __trevm_slot_start: u8;
    static __trevm_slot_end: u8;
}

/// The slot's bytes.
pub fn region() -> &'static [u8] {
    let start = &raw const __trevm_slot_start;
    let end = &raw const __trevm_slot_end;
    // SAFETY: the linker script reserves [start, end) for the slot; nothing
    // in the firmware writes it.
    unsafe { core::slice::from_raw_parts(start, end as usize - start as usize) }
}
