//! The ESP32-C6's module slot: the flash pages the runner writes the
//! module to, mapped through the flash MMU at the virtual range the linker
//! script names (`__trevm_slot_start`..`__trevm_slot_end`, loaded from flash
//! offset `__trevm_slot_load`). Shared by the bare-metal and the Ariel OS
//! firmware of the board.

unsafe extern "C" {
    static __trevm_slot_start: u8;
    static __trevm_slot_end: u8;
    static __trevm_slot_load: u8;
}

/// The C6's flash MMU: 256 entries of 64 KiB pages for the virtual range
/// 0x42000000..0x43000000 (SPI0 MMU_ITEM_INDEX/CONTENT; an entry is the
/// physical page number with bit 9 "valid").
const MMU_ITEM_CONTENT: *mut u32 = 0x6000_237C as *mut u32;
const MMU_ITEM_INDEX: *mut u32 = 0x6000_2380 as *mut u32;
const MMU_VALID: u32 = 1 << 9;
const MMU_PAGE: usize = 0x1_0000;
const MMU_VADDR: usize = 0x4200_0000;

/// Maps the module slot's flash pages at `__trevm_slot_start`: the
/// second-stage bootloader maps only the app's own segments.
pub fn map() {
    let start = (&raw const __trevm_slot_start) as usize;
    let end = (&raw const __trevm_slot_end) as usize;
    let flash = (&raw const __trevm_slot_load) as usize;
    for (i, vaddr) in (start..end).step_by(MMU_PAGE).enumerate() {
        let entry = ((vaddr - MMU_VADDR) / MMU_PAGE) as u32;
        let page = (flash / MMU_PAGE + i) as u32;
        // SAFETY: entries of a virtual range nothing else uses (see the
        // linker script); the slot was never read before, so no cache line
        // holds stale data for it.
        unsafe {
            MMU_ITEM_INDEX.write_volatile(entry);
            MMU_ITEM_CONTENT.write_volatile(page | MMU_VALID);
        }
    }
}
