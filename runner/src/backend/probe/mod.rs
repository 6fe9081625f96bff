//! The real boards: each cell writes the module into the board's flash
//! slot through a debug probe (probe-rs), resets the board, and reads the
//! report over RTT with the same reader the emulated boards use
//! ([`crate::target::rtt`]), through [`watch::CoreMemory`], the second
//! [`crate::target::MemoryAccess`] implementation (the GDB client is the
//! first).
//!
//! A probe reads a running core, so the runner polls the RTT channel while
//! the firmware runs ([`watch`]); the firmware waits at each line end until
//! the host has read the line, and signals its end with `bye`. The firmware
//! itself is written once per process and firmware build: later cells with
//! the same firmware write only the module slot.
//!
//! By job: [`select`] picks the probe, [`idf`] lays out the ESP-IDF image
//! of Espressif chips, [`watch`] watches a running core, `hw` (feature
//! `probe`) is the probe-rs glue, and this module is the backend. All but
//! `hw` build and are tested without the `probe` feature: the board's plan
//! (`trevm bench --dry-run`), the poll loop and the RTT drain over a fake
//! core ([`watch::CoreOps`]).

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use trevm_catalog::board::{Access, Board, Probe, ProbeImage};
use trevm_catalog::os::Os;
use trevm_catalog::profile::Profile;
use trevm_catalog::record::Record;

use super::bare::{self, Firmware, FirmwareSet};
use super::{Backend, End, Load, Prepared, Run};
use crate::error::{Error, Result};
use crate::meta;
use crate::prepare::Preparer;
use crate::suite::Workload;

#[cfg(feature = "probe")]
mod hw;
pub mod idf;
pub mod select;
pub mod watch;

/// Why a cell could not be put on the board (the cell fails with kind
/// `transport` at stage `load`).
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// No probe is connected.
    #[error(
        "no debug probe found: connect {wiring} (or choose one with --probe VID:PID[:SERIAL])"
    )]
    NoProbe {
        /// What to connect.
        wiring: String,
    },
    /// The probe could not be opened.
    #[error("cannot open probe {probe}: {message} (is it in use, or does it need a udev rule?)")]
    Open {
        /// The probe.
        probe: String,
        /// probe-rs's reason.
        message: String,
    },
    /// The chip could not be reached through the probe.
    #[error("cannot attach to the {chip} through the probe: {message}{hint}")]
    Attach {
        /// The probe-rs chip.
        chip: &'static str,
        /// probe-rs's reason.
        message: String,
        /// What may help.
        hint: &'static str,
    },
    /// The ESP-IDF image is not usable.
    #[error(transparent)]
    Image(#[from] idf::IdfError),
    /// Writing flash failed.
    #[error("flashing failed: {0}")]
    Flash(String),
    /// Resetting or starting the core failed.
    #[error("{what}: {message}")]
    Start {
        /// The step.
        what: &'static str,
        /// probe-rs's reason.
        message: String,
    },
}

/// A real board, its firmwares, the preparer of its modules, and the probe
/// to reach it with.
pub struct ProbeBackend {
    board: &'static Board,
    probe: Probe,
    selector: Option<String>,
    firmwares: FirmwareSet,
    preparer: Preparer,
    /// The firmware this process last wrote to the board.
    #[cfg_attr(not(feature = "probe"), allow(dead_code))]
    flashed: Mutex<Option<PathBuf>>,
}

impl ProbeBackend {
    /// Builds (when needed) the firmwares serving `labels`, linked with
    /// `profile`'s memory layout. A firmware that does not build (or does not fit the chip) leaves its variants
    /// failing with the reason; a board whose toolchain is missing, or a
    /// bad selector, is an error.
    pub fn build(
        board: &'static Board,
        os: &'static Os,
        profile: &'static Profile,
        labels: &[&str],
        selector: Option<String>,
        preparer: Preparer,
    ) -> Result<Self> {
        let probe = Self::check(board, selector.as_deref())?;
        Ok(Self::with(
            board,
            probe,
            selector,
            FirmwareSet::build(board, os, profile, labels),
            preparer,
        ))
    }

    /// Uses the firmwares of `profile` already built under
    /// `build/firmware/<board>/`.
    pub fn existing(
        board: &'static Board,
        os: &'static Os,
        profile: &'static Profile,
        selector: Option<String>,
        preparer: Preparer,
    ) -> Result<Self> {
        let probe = Self::check(board, selector.as_deref())?;
        Ok(Self::with(
            board,
            probe,
            selector,
            FirmwareSet::existing(board, os, profile),
            preparer,
        ))
    }

    fn with(
        board: &'static Board,
        probe: Probe,
        selector: Option<String>,
        firmwares: FirmwareSet,
        preparer: Preparer,
    ) -> Self {
        ProbeBackend {
            board,
            probe,
            selector,
            firmwares,
            preparer,
            flashed: Mutex::new(None),
        }
    }

    fn check(board: &'static Board, selector: Option<&str>) -> Result<Probe> {
        let Access::Probe(probe) = board.access else {
            return Err(Error::WrongBoard {
                board: board.name.into(),
                why: "is not reached through a debug probe",
                choose: crate::select::board_names(|b| matches!(b.access, Access::Probe(_))),
            });
        };
        // A board whose firmware cannot be built here (the ESP32 without
        // the Xtensa toolchain) stops with one message.
        crate::build::check_target(board)?;
        if let Some(s) = selector {
            select::check_selector(s)?;
        }
        Ok(probe)
    }

    /// The firmware that runs `label`.
    pub fn firmware(&self, label: &str) -> Option<&Firmware> {
        self.firmwares.get(label).ok()
    }
}

impl Backend for ProbeBackend {
    fn concurrency(&self) -> usize {
        1
    }

    fn board(&self) -> &'static Board {
        self.board
    }

    fn labels(&self) -> Vec<&'static str> {
        self.firmwares.labels()
    }

    fn missing(&self) -> Vec<(&'static str, String)> {
        self.firmwares.failures()
    }

    fn describe(&self, labels: &[&str]) -> Vec<String> {
        let mut lines = vec![format!(
            "probe-rs chip {}, probe {}; connect {}",
            self.probe.chip,
            self.selector.as_deref().unwrap_or("the first one found"),
            self.probe.probe,
        )];
        if self.probe.image == ProbeImage::EspIdf {
            let mut seen = Vec::new();
            for fw in labels.iter().filter_map(|l| self.firmwares.get(l).ok()) {
                if seen.contains(&fw.build.name) {
                    continue;
                }
                seen.push(fw.build.name);
                let what = match idf::checked_segments(
                    &fw.elf,
                    self.probe.chip,
                    (fw.slot_load, fw.slot.1),
                ) {
                    Ok(s) => s
                        .iter()
                        .map(|(a, n)| format!("{n} B at {a:#x}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    Err(e) => format!("FAILS: {e}"),
                };
                lines.push(format!("ESP-IDF image of {}: {what}", fw.build.name));
            }
        }
        lines.extend(bare::firmware_lines(&self.firmwares, labels));
        lines
    }

    fn prepare(&self, label: &str, w: &Workload) -> std::result::Result<Prepared, Box<Record>> {
        let mut rec = meta::preamble(
            self.board,
            self.firmwares.os(),
            self.firmwares.profile(),
            label,
            &w.suite,
            &w.name,
        );
        if let Some(s) = &self.selector {
            rec.meta.extra.insert("probe".into(), s.clone().into());
        }
        let Some((fw, image)) = bare::slot_image(
            &self.firmwares,
            &self.preparer,
            self.board,
            label,
            w,
            &mut rec,
        ) else {
            return Err(Box::new(rec));
        };
        Ok(Prepared {
            record: rec,
            load: Load::Firmware {
                firmware: fw.clone(),
                address: fw.slot_load,
            },
            image,
            file: None,
        })
    }

    fn run(&self, cell: &Prepared, timeout: Duration) -> Run {
        let Load::Firmware { firmware, address } = &cell.load else {
            return Run::ended(End::Harness("not a firmware cell".into()));
        };
        #[cfg(feature = "probe")]
        return hw::run(self, firmware, *address, &cell.image, timeout);
        #[cfg(not(feature = "probe"))]
        {
            let _ = (firmware, address, timeout);
            Run::ended(End::Unsupported(
                "this trevm was built without the `probe` feature: build it with `cargo build --release -p trevm-runner --features probe`".into(),
            ))
        }
    }
}
