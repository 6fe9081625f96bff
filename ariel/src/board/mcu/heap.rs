//! The heap under Ariel OS: Ariel OS's allocator (`embedded-alloc`'s TLSF,
//! as its `alloc` module sets up on Cortex-M) over the RAM Ariel OS leaves
//! for the heap, wrapped in the tracking allocator; Ariel OS's own `alloc`
//! module is not selected, so this is the global allocator.
//!
//! Cortex-M: `[__sheap, __eheap)`, all RAM after `.bss` (Ariel OS's
//! `eheap.x`), as Ariel OS's heap. ESP32-C6: Ariel OS's heap there is
//! esp-alloc's, which cannot be wrapped; this heap is a static region of
//! [`ESP_HEAP_BYTES`] instead.

use core::alloc::Layout;

use embedded_alloc::TlsfHeap;
use trevm_bench::alloc::Tracking;

/// What TLSF reserves for a request: a one-word block header, the size
/// rounded up to its granularity (four words), at least one granule.
fn reserved(layout: Layout) -> usize {
    let word = core::mem::size_of::<usize>();
    let granule = 4 * word;
    (layout.size() + word).max(granule).next_multiple_of(granule)
}

#[global_allocator]
static HEAP: Tracking<TlsfHeap> = Tracking::with_rounding(TlsfHeap::empty(), reserved);

#[cfg(context = "cortex-m")]
fn bounds() -> (usize, usize) {
    unsafe extern "C" {
        static __sheap: u8;
        static __eheap: u8;
    }
    ((&raw const __sheap) as usize, (&raw const __eheap) as usize)
}

/// The ESP32-C6's heap: the paper's 240000 B (docs/paper-profile.md).
#[cfg(context = "esp")]
pub const ESP_HEAP_BYTES: usize = 240_000;

#[cfg(context = "esp")]
fn bounds() -> (usize, usize) {
    static mut REGION: [u8; ESP_HEAP_BYTES] = [0; ESP_HEAP_BYTES];
    let start = (&raw mut REGION) as usize;
    (start, start + ESP_HEAP_BYTES)
}

/// Heap size in bytes.
pub fn size() -> usize {
    let (start, end) = bounds();
    end - start
}

/// Hands the region to the allocator. Called once, before any allocation.
pub fn init() {
    let (start, _) = bounds();
    // SAFETY: called once, first thing in the cell task; nothing allocated
    // before (Ariel OS's `alloc` module is not selected) and the region
    // belongs to nothing else.
    unsafe { HEAP.inner().init(start, size()) }
}
