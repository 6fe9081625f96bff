//! The host runner of treVM bench, as a library with a thin CLI (`trevm`,
//! `src/bin/trevm/`) on top.
//!
//! Every list it works with (runtime variants, firmware builds, boards,
//! suites, failure kinds) and the results record come from the catalog
//! (`trevm-catalog`); the runner keeps none of its own. The data flows
//! through these modules in order:
//!
//! - [`workspace`]: where things are (repository root, build folders);
//! - [`select`]: command-line names (boards, runtime variants, suites)
//!   checked against the catalog;
//! - [`suite`]: which workloads exist (built Wasm modules per suite);
//! - [`module`]: the user's own modules, checked against their ABI;
//! - [`build`]: builds what is missing (guest modules, host programs,
//!   firmware) with cargo, and the Ariel OS firmwares with laze
//!   ([`build::ariel`]); the host programs are derived from the catalog's
//!   firmware builds;
//! - [`programs`]: the built host programs and which runtime variant each
//!   runs;
//! - [`prepare`]: module preparation on the host (precompiling, side
//!   tables), a stage of its own that every backend uses;
//! - [`backend`]: the one board interface ([`backend::Backend`]) and its
//!   implementations: the host (a process per cell), QEMU (the emulated
//!   boards) and a debug probe (the real boards), with what the bare-metal
//!   ones share ([`backend::bare`]);
//! - [`factory`]: opens the backend of a board;
//! - [`target`]: target access shared by QEMU and debug probes: memory
//!   access, the GDB client, the RTT reader, the firmware ELF;
//! - [`session`]: turns the protocol lines a cell printed (over any
//!   transport) into a [`trevm_catalog::record::Record`];
//! - [`meta`]: tool version, git commit, toolchain, and the meta preamble
//!   of every record;
//! - [`matrix`]: runs (or, dry, plans) boards × runtimes × workloads with
//!   progress, cells in parallel and in shards, repeated where asked,
//!   appending to a [`trevm_catalog::results::ResultsFile`];
//! - [`summary`]: what a person reads at the end of a run; [`merge`]
//!   joins the results files of shards;
//! - [`fuzz`]: the reliability campaign: generated and mutated modules
//!   through the matrix, the invariant checked, the runtimes compared;
//! - [`size`]: footprint records from firmware ELFs;
//! - [`error`]: what can go wrong outside a cell (a cell's failure is a
//!   result, not an error).

pub mod backend;
pub mod build;
pub mod deploy;
pub mod error;
pub mod factory;
pub mod fuzz;
pub mod matrix;
pub mod merge;
pub mod meta;
pub mod module;
pub mod prepare;
pub mod programs;
pub mod select;
pub mod session;
pub mod size;
pub mod suite;
pub mod summary;
pub mod target;
pub mod workspace;

pub use error::{Error, Result};
