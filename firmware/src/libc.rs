//! The few C library hooks the C runtimes (WAMR, wasm3) pull in through
//! newlib or picolibc on bare metal. Their `malloc` & co. already go to the
//! Rust global allocator (see `trevm-bench`); these only keep the libc's
//! own fallbacks from linking against an operating system.

/// newlib's `malloc` (reached from `printf`-family internals) asks for more
/// core here: refuse, there is no `sbrk` heap, all heap is the allocator's.
#[cfg(target_arch = "arm")]
#[unsafe(no_mangle)]
pub extern "C" fn _sbrk(_increment: isize) -> *mut u8 {
    usize::MAX as *mut u8
}
