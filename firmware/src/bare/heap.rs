//! The heap: `embedded-alloc`'s linked-list allocator over the rest of RAM
//! (from the end of `.bss` to the end of the RAM region), wrapped in the
//! tracking allocator so that peaks count what the allocator really
//! reserves.

use core::alloc::Layout;

use embedded_alloc::LlffHeap;
use trevm_bench::alloc::Tracking;

/// What the linked-list allocator reserves for a request: at least two
/// words (its free-list node), rounded up to a word.
fn reserved(layout: Layout) -> usize {
    let word = core::mem::size_of::<usize>();
    layout.size().max(2 * word).next_multiple_of(word)
}

#[global_allocator]
static HEAP: Tracking<LlffHeap> = Tracking::with_rounding(LlffHeap::empty(), reserved);

unsafe extern "C" {
    /// End of `.bss` (cortex-m-rt and riscv-rt both define it).
    static __sheap: u8;
    static __trevm_heap_end: u8;
}

fn bounds() -> (usize, usize) {
    (
        (&raw const __sheap) as usize,
        (&raw const __trevm_heap_end) as usize,
    )
}

/// Heap size in bytes.
pub fn size() -> usize {
    let (start, end) = bounds();
    end - start
}

/// Hands the rest of RAM to the allocator. Called once, first thing.
pub fn init() {
    let (start, _) = bounds();
    // SAFETY: called once before any allocation; the region belongs to
    // nothing else (the linker script ends RAM there).
    unsafe { HEAP.inner().init(start, size()) }
}
