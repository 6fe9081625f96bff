//! treVM bench firmware as an Ariel OS application.
//!
//! The cell code is the bare-metal firmware's, compiled in here unchanged
//! (`firmware/src/cell.rs`: read the module slot, run one cell, report it in
//! the line protocol). What Ariel OS changes is what a board module does
//! (see [`board`]): Ariel OS starts the system, and the cell runs in its
//! autostart task; the heap is Ariel OS's allocator (TLSF on Cortex-M) under
//! the tracking allocator; time comes from the core's cycle counter, not
//! Ariel OS's `Instant`; the protocol lines go out on Ariel OS's log
//! channel (RTT on the probe-rs boards, stdout on `native`).
//!
//! On `native` the application is a process on the build machine, run per
//! cell like the host board (`board/host.rs` of the firmware, also compiled
//! in here): `trevm-ariel run RUNTIME SLOT_FILE [HEAP [FUEL]]`.
// `native` is a process: std, and the host board's code, as they are.
#![cfg_attr(not(context = "native"), no_std)]
#![no_main]

extern crate alloc;

#[path = "../../firmware/src/cell.rs"]
mod cell;

mod board;
// The treVM device over CoAP (the laze apps trevm-coap and coap-minimal).
#[cfg(feature = "coap")]
mod coap;
// The C library hooks of the C runtimes (WAMR, wasm3), as on bare metal.
#[cfg(not(context = "native"))]
#[path = "../../firmware/src/libc.rs"]
mod libc;

/// Ends the cell on a fault (the C library's hooks call it): a panic, which
/// Ariel OS prints on its log channel before it stops the program.
#[cfg(not(context = "native"))]
fn fatal(kind: &str, what: core::fmt::Arguments<'_>) -> ! {
    panic!("{kind}: {what}")
}

#[ariel_os::task(autostart)]
async fn main() {
    #[cfg(feature = "coap")]
    coap::serve().await;
    #[cfg(not(feature = "coap"))]
    board::main()
}
