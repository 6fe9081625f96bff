//! The stack probe: the stack region is painted at start-up, and the peak
//! is where the paint stops. The stack lives in a region of its own below
//! RAM (see `memory/`), so the budget is that region's size.

const PAINT: u32 = 0x5AFE_C0DE;
/// Bytes below the current stack pointer left unpainted at start-up.
const MARGIN: usize = 256;

unsafe extern "C" {
    static __trevm_stack_bottom: u8;
    static __trevm_stack_top: u8;
}

fn bounds() -> (usize, usize) {
    (
        (&raw const __trevm_stack_bottom) as usize,
        (&raw const __trevm_stack_top) as usize,
    )
}

/// The lowest stack address.
#[allow(dead_code)] // used by the fault paths and stack guards
pub fn bottom() -> usize {
    bounds().0
}

/// The stack budget in bytes.
pub fn budget() -> usize {
    let (bottom, top) = bounds();
    top - bottom
}

/// Paints the unused part of the stack.
#[inline(never)]
pub fn paint() {
    let (bottom, _) = bounds();
    let marker = 0u8;
    let sp = (&raw const marker) as usize;
    let mut p = bottom as *mut u32;
    let end = (sp - MARGIN) as *mut u32;
    while p < end {
        // SAFETY: [bottom, sp - MARGIN) is stack no frame uses yet.
        unsafe {
            p.write_volatile(PAINT);
            p = p.add(1);
        }
    }
}

/// Peak stack use in bytes since [`paint`]: the budget when the stack
/// reached its bottom (it overflowed, or came within a word of it).
pub fn peak() -> usize {
    let (bottom, top) = bounds();
    let mut p = bottom as *const u32;
    // SAFETY: reads within the stack region.
    while (p as usize) < top && unsafe { p.read_volatile() } == PAINT {
        p = unsafe { p.add(1) };
    }
    top - p as usize
}
