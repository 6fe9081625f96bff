//! The host runner of treVM bench, as a library with a thin CLI (`trevm`)
//! on top.
//!
//! The data flows through these modules in order:
//! - [`workspace`]: where things are (repository root, build folders);
//! - [`suite`]: which workloads exist (built Wasm modules per suite);
//! - [`boards`]: the boards, and how cells reach each;
//! - [`build`]: builds what is missing (guest modules, host cell programs,
//!   firmware) with cargo;
//! - [`host`]: the host board: prepares modules and runs each cell in its own
//!   process with a time budget;
//! - [`qemu`]: the emulated boards: a QEMU per cell, the module in its slot,
//!   the report over RTT through the GDB stub;
//! - [`probe`]: the real boards: flash and slot through a debug probe
//!   (probe-rs, feature `probe`), the report over RTT read while the core
//!   runs;
//! - [`target`]: target access shared by QEMU and debug probes: memory
//!   access, the GDB client, the RTT reader, the firmware ELF;
//! - [`size`]: footprint records from firmware ELFs;
//! - [`session`]: turns the protocol lines a cell printed (over any
//!   transport) into a [`results::Record`];
//! - [`results`]: the self-describing JSON Lines results, appended and
//!   flushed cell by cell, and resumed;
//! - [`meta`]: tool version, git commit and toolchain for every record;
//! - [`matrix`]: runs boards × runtimes × workloads with progress.

pub mod boards;
pub mod build;
pub mod host;
pub mod matrix;
pub mod meta;
pub mod probe;
pub mod qemu;
pub mod results;
pub mod session;
pub mod size;
pub mod suite;
pub mod target;
pub mod workspace;
