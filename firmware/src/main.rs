//! treVM bench firmware: one program per board × runtime variant.
//!
//! The runtime variant is chosen by cargo feature, the board by a board
//! module (`board-*` feature): memory map, clock, transport and exit. All
//! else is shared: [`cell`] by every board, [`bare`] by the bare-metal
//! ones, [`arch`] by the boards of one processor family. On the host board
//! the "firmware" is a process: the module slot is a file, the transport is
//! stdout, and several runtime variants may be compiled in at once.
#![cfg_attr(target_os = "none", no_std, no_main)]

extern crate alloc;

#[cfg(target_os = "none")]
mod arch;
#[cfg(target_os = "none")]
mod bare;
mod board;
// A device firmware (feature `device`) serves requests instead of running
// a cell: the cell runner and the slot stay unused there.
#[cfg_attr(feature = "device", allow(dead_code))]
mod cell;
#[cfg(target_os = "none")]
mod libc;
#[cfg(target_os = "none")]
#[cfg_attr(feature = "device", allow(dead_code))]
mod slot;

/// Ends the cell on a fault, reported in the protocol (the C library's
/// hooks call it; see `bare::fatal`).
#[cfg(target_os = "none")]
#[cfg_attr(feature = "device", allow(unused_imports))]
use bare::fatal;

#[cfg(feature = "board-host")]
fn main() {
    board::host::main()
}

#[cfg(not(any(feature = "board-host", target_os = "none")))]
fn main() {
    eprintln!("trevm-firmware was built without a board: build it with `--features board-host,<runtimes>` (see the Makefile)");
    std::process::exit(2)
}
