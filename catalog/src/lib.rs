//! The catalog of treVM bench: every list the harness keeps, as data, once.
//!
//! The data flows catalog → workload → module → firmware (board × runtime
//! build) → transport → runner → results → analysis; every stage takes its
//! lists from here and keeps none of its own:
//!
//! - [`runtime`]: the runtime variants (label, crate, version, features,
//!   capabilities) in table order, and the firmware builds that serve them;
//! - [`board`]: the boards (target, access, RAM and flash budgets, clock,
//!   the real board a stand-in stands for, the paper's board it is compared
//!   with), and the paper's own boards;
//! - [`os`]: the operating systems a firmware runs on (bare metal, Ariel
//!   OS at its pinned commit);
//! - [`profile`]: the memory profiles: how a firmware splits RAM between
//!   its stack and its heap (this harness's layout, and the paper's);
//! - [`suite`]: the benchmark suites, their ABI and where their modules come
//!   from;
//! - [`failure`]: the failure vocabulary (`error.kind` and `error.stage`);
//! - [`record`] and [`results`] (feature `std`): the one results record
//!   type the runner writes and the analysis reads, and the append-only
//!   JSON Lines file that saves and loads it;
//! - [`stats`] (feature `std`): geometric mean and standard deviation, and
//!   the spread of a cell's repeated samples;
//! - [`emit`] (feature `std`): the files generated from the catalog
//!   (the laze projects `laze-project.yml` + `ariel/laze.yml` for Ariel OS
//!   and `firmware/laze-project.yml` for bare metal, `mk/catalog.mk`),
//!   checked by a test.
//!
//! A new runtime variant is one row of [`runtime::RUNTIMES`] plus one
//! adapter file in `benches/src/runtimes/`; a new board is one row of
//! [`board::BOARDS`] plus one board file in `firmware/src/board/` and its
//! memory map (and, for Ariel OS, its Ariel OS board name).
#![no_std]
#![warn(missing_docs)]

#[cfg(any(feature = "std", test))]
extern crate std;

pub mod board;
pub mod failure;
pub mod os;
pub mod profile;
pub mod runtime;
pub mod suite;

#[cfg(feature = "std")]
pub mod emit;
#[cfg(feature = "std")]
pub mod record;
#[cfg(feature = "std")]
pub mod results;
#[cfg(feature = "std")]
pub mod stats;

pub use board::{Board, BOARDS};
pub use failure::{Kind, Stage};
pub use os::{Os, OSES};
pub use profile::{Layout, Profile, PROFILES};
pub use runtime::{FirmwareBuild, RuntimeVariant, BUILDS, NO_RUNTIME, RUNTIMES};
pub use suite::{Suite, SUITES};

/// Byte-wise string equality usable in `const` contexts.
pub(crate) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}
