//! The heap under Ariel OS.
//!
//! Cortex-M: Ariel OS's allocator (`embedded-alloc`'s TLSF, as its `alloc`
//! module sets up) over the RAM Ariel OS leaves for the heap (`[__sheap,
//! __eheap)`, all RAM after `.bss`, Ariel OS's `eheap.x`), wrapped in the
//! tracking allocator. Ariel OS's own `alloc` module is not selected there,
//! so this is the global allocator.
//!
//! ESP32-C6: Ariel OS's heap is esp-alloc's, whose crate declares the
//! global allocator itself (it is linked whatever the modules), so it
//! cannot be wrapped: the `alloc` module is selected with the paper's heap
//! size (`ariel/laze.yml`) and no peak heap is reported
//! ([`TRACKED`] is false).

/// Whether the global allocator is the tracking allocator.
pub const TRACKED: bool = cfg!(context = "cortex-m");

#[cfg(context = "cortex-m")]
mod tracked {
    use core::alloc::Layout;

    use embedded_alloc::TlsfHeap;
    use trevm_bench::alloc::Tracking;

    /// What TLSF reserves for a request: a one-word block header, the size
    /// rounded up to its granularity (four words), at least one granule.
    fn reserved(layout: Layout) -> usize {
        let word = core::mem::size_of::<usize>();
        let granule = 4 * word;
        (layout.size() + word)
            .max(granule)
            .next_multiple_of(granule)
    }

    #[global_allocator]
    static HEAP: Tracking<TlsfHeap> = Tracking::with_rounding(TlsfHeap::empty(), reserved);

    fn bounds() -> (usize, usize) {
        unsafe extern "C" {
            static __sheap: u8;
            static __eheap: u8;
        }
        ((&raw const __sheap) as usize, (&raw const __eheap) as usize)
    }

    /// Heap size in bytes.
    pub fn size() -> usize {
        let (start, end) = bounds();
        end - start
    }

    /// Hands the region to the allocator. Called once, before any
    /// allocation.
    pub fn init() {
        let (start, _) = bounds();
        // SAFETY: called once, first thing in the cell task; nothing
        // allocated before (Ariel OS's `alloc` module is not selected) and
        // the region belongs to nothing else.
        unsafe { HEAP.inner().init(start, size()) }
    }
}
#[cfg(context = "cortex-m")]
pub use tracked::{init, size};

/// esp-alloc's heap as Ariel OS sets it up: `max(64 KiB, CONFIG_HEAPSIZE)`
/// (docs/paper-profile.md), CONFIG_HEAPSIZE from laze.
#[cfg(context = "esp")]
pub fn size() -> usize {
    const CONFIG_HEAPSIZE: Option<&str> = option_env!("CONFIG_HEAPSIZE");
    let asked = match CONFIG_HEAPSIZE {
        Some(s) => parse(s),
        None => 0,
    };
    asked.max(64 * 1024)
}

#[cfg(context = "esp")]
const fn parse(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            n = n * 10 + (b[i] - b'0') as usize;
        }
        i += 1;
    }
    n
}

/// Ariel OS set the heap up before the task started.
#[cfg(context = "esp")]
pub fn init() {}
