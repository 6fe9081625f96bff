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

/// picolibc's `abort` (WAMR calls it) raises SIGABRT through `getpid` and
/// `kill`, then calls `_exit`: there is no process, so an abort ends the
/// cell as a crash.
#[cfg(target_arch = "riscv32")]
#[unsafe(no_mangle)]
pub extern "C" fn getpid() -> i32 {
    1
}

/// See [`getpid`]: no signal is delivered.
#[cfg(target_arch = "riscv32")]
#[unsafe(no_mangle)]
pub extern "C" fn kill(_pid: i32, _signal: i32) -> i32 {
    -1
}

/// See [`getpid`].
#[cfg(target_arch = "riscv32")]
#[unsafe(no_mangle)]
pub extern "C" fn _exit(code: i32) -> ! {
    crate::fatal(
        "crash",
        format_args!("the C library ended the program (abort, exit code {code})"),
    )
}
