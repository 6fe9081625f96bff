//! Opens the backend of a board: the one place that knows which backend
//! serves which way of reaching a board ([`Access`]).

use trevm_catalog::board::{Access, Board};
use trevm_catalog::os::Os;
use trevm_catalog::profile::{self, Profile};

use crate::backend::host::HostBackend;
use crate::backend::probe::{select::check_selector, ProbeBackend};
use crate::backend::qemu::{self, QemuBackend};
use crate::backend::Backend;
use crate::build;
use crate::error::{Error, Result};
use crate::prepare::Preparer;
use crate::programs::HostPrograms;

/// A board's backend, ready for cells.
pub struct Opened {
    /// The backend.
    pub backend: Box<dyn Backend>,
    /// Problems that are not a cell's (a host program that did not build).
    pub notes: Vec<String>,
}

/// How to open a backend.
#[derive(Clone, Debug)]
pub struct Options {
    /// Build (when needed) the host programs and firmwares serving the
    /// labels; else use what is built.
    pub build: bool,
    /// Real boards: the debug probe, `VID:PID[:SERIAL]` (default: the
    /// first one found).
    pub probe: Option<String>,
    /// The memory profile the firmwares are linked with (bare-metal
    /// boards; the host and Ariel OS take only the default).
    pub profile: &'static Profile,
    /// The operating system of the firmwares (`None`: the board's default,
    /// [`trevm_catalog::board::Board::default_os`]).
    pub os: Option<&'static Os>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            build: false,
            probe: None,
            profile: &profile::DEFAULT,
            os: None,
        }
    }
}

impl Options {
    /// The operating system for `board`: the one asked for, else the
    /// board's default.
    pub fn os_for(&self, board: &Board) -> Result<&'static Os> {
        crate::select::os(board, self.os.map(|o| o.name))
    }
}

/// Whether `board` can be used here at all: its firmware's toolchain and
/// its emulator are installed, the probe selector is well-formed, the
/// memory profile applies to it (the host has no memory layout: only the
/// default profile). Cheap; [`open`] checks it first, callers that build
/// something before opening check it earlier.
pub fn check(board: &'static Board, o: &Options) -> Result<()> {
    let os = o.os_for(board)?;
    crate::select::profile_for(board, o.profile)?;
    if os.is_ariel() && !o.profile.is_default() {
        return Err(Error::ProfileOs {
            profile: o.profile.name,
            os: os.name,
        });
    }
    build::check_target(board)?;
    if os.is_ariel() {
        crate::build::ariel::check()?;
    }
    if let Access::Qemu(_) = board.access {
        qemu::machine(board)?;
    }
    if let Some(s) = &o.probe {
        check_selector(s)?;
    }
    Ok(())
}

/// Opens `board`'s backend for the runtime variants `labels`. A board
/// that cannot be used here at all ([`check`]) is an error, before
/// anything is built.
pub fn open(board: &'static Board, labels: &[&str], o: &Options) -> Result<Opened> {
    check(board, o)?;
    let os = o.os_for(board)?;
    let mut notes = Vec::new();
    let programs = if o.build {
        let (programs, problems) = HostPrograms::build(labels);
        notes.extend(problems);
        programs
    } else {
        HostPrograms::existing()
    };
    let preparer = Preparer::new(programs.clone());
    let backend: Box<dyn Backend> = match (board.access, o.build) {
        (Access::Host, _) if os.is_ariel() => {
            let (ariel, problems) = HostPrograms::ariel(board, labels, o.build);
            notes.extend(problems);
            Box::new(HostBackend::on(board, os, ariel, preparer))
        }
        (Access::Host, _) => Box::new(HostBackend::on(board, os, programs, preparer)),
        (Access::Qemu(_), true) => {
            Box::new(QemuBackend::build(board, o.profile, labels, preparer)?)
        }
        (Access::Qemu(_), false) => Box::new(QemuBackend::existing(board, o.profile, preparer)?),
        (Access::Probe(_), true) => Box::new(ProbeBackend::build(
            board,
            os,
            o.profile,
            labels,
            o.probe.clone(),
            preparer,
        )?),
        (Access::Probe(_), false) => Box::new(ProbeBackend::existing(
            board,
            os,
            o.profile,
            o.probe.clone(),
            preparer,
        )?),
    };
    Ok(Opened { backend, notes })
}
