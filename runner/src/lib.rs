//! The host runner of treVM bench, as a library with a thin CLI (`trevm`)
//! on top.
//!
//! The data flows through these modules in order:
//! - [`workspace`]: where things are (repository root, build folders);
//! - [`suite`]: which workloads exist (built Wasm modules per suite);
//! - [`build`]: builds what is missing (guest modules, host cell programs,
//!   firmware) with cargo;
//! - [`host`]: the host board: prepares modules and runs each cell in its own
//!   process with a time budget;
//! - [`session`]: turns the protocol lines a cell printed (over any
//!   transport) into a [`results::Record`];
//! - [`results`]: the self-describing JSON Lines results, appended and
//!   flushed cell by cell, and resumed;
//! - [`meta`]: tool version, git commit and toolchain for every record;
//! - [`matrix`]: runs boards × runtimes × workloads with progress.

pub mod build;
pub mod host;
pub mod matrix;
pub mod meta;
pub mod results;
pub mod session;
pub mod suite;
pub mod target;
pub mod workspace;
