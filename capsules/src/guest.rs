//! Wasm guest support (feature `guest`, wasm32 only): the heap behind
//! `cabi_realloc` and the panic handler.
//!
//! The heap is a first-fit free list ([`linked_list_allocator`]) over a
//! static arena of [`ARENA`] bytes, claimed on the first allocation (the
//! host may call `cabi_realloc` before any export). Freed blocks return to
//! the list, so a persistent capsule serves any number of requests.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::mem::MaybeUninit;
use core::ptr::{self, NonNull};

use linked_list_allocator::Heap;

/// The heap's size in bytes.
pub const ARENA: usize = 4096;

struct Arena {
    heap: UnsafeCell<Heap>,
    memory: UnsafeCell<[MaybeUninit<u8>; ARENA]>,
}

// SAFETY: a capsule is single-threaded (wasm32v1-none has no threads), so
// the cells are never accessed concurrently.
unsafe impl Sync for Arena {}

unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded, and no reference to the heap outlives
        // this call.
        let heap = unsafe { &mut *self.heap.get() };
        if heap.size() == 0 {
            // SAFETY: the arena is used by this heap only, and claimed once
            // (its size is not 0 afterwards).
            unsafe { heap.init(self.memory.get().cast(), ARENA) };
        }
        heap.allocate_first_fit(layout)
            .map_or(ptr::null_mut(), NonNull::as_ptr)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this `layout` (the
        // `GlobalAlloc` contract), so it is non-null and the heap is claimed.
        unsafe { (*self.heap.get()).deallocate(NonNull::new_unchecked(ptr), layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Arena = Arena {
    heap: UnsafeCell::new(Heap::empty()),
    memory: UnsafeCell::new([MaybeUninit::uninit(); ARENA]),
};

/// A panic traps (`unreachable`): the host sees a trap, never a wrong
/// result.
#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
