//! The probe-rs glue (feature `probe`): attach through the probe, write
//! the firmware (once per process and firmware build) and the slot, reset,
//! and watch the running core ([`super::watch`]) through [`ProbeCore`],
//! the [`CoreOps`] of a probe-rs core.

use std::fs::File;
use std::time::{Duration, Instant};

use probe_rs::flashing::{DownloadOptions, ElfOptions, Format, IdfOptions};
use probe_rs::{Architecture, Core, CoreStatus, MemoryInterface, Permissions, Session};
use trevm_catalog::board::ProbeImage;

use super::watch::{watch, CoreError, CoreOps, CoreState, POLL};
use super::{idf, select, ProbeBackend, ProbeError};
use crate::backend::bare::Firmware;
use crate::backend::{End, Run};

/// Cortex-M Debug Halting Control and Status Register.
const DHCSR: u64 = 0xE000_EDF0;
const S_RESET_ST: u32 = 1 << 25;
const S_LOCKUP: u32 = 1 << 19;

/// A probe-rs core as [`CoreOps`].
struct ProbeCore<'a> {
    core: Core<'a>,
    arm: bool,
}

impl ProbeCore<'_> {
    fn dhcsr(&mut self) -> Result<u32, CoreError> {
        self.core
            .read_word_32(DHCSR)
            .map_err(|e| CoreError(e.to_string()))
    }
}

impl CoreOps for ProbeCore<'_> {
    fn read_8(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), CoreError> {
        self.core
            .read_8(addr, buf)
            .map_err(|e| CoreError(e.to_string()))
    }
    fn write_8(&mut self, addr: u64, data: &[u8]) -> Result<(), CoreError> {
        self.core
            .write_8(addr, data)
            .map_err(|e| CoreError(e.to_string()))
    }
    fn state(&mut self) -> Result<CoreState, CoreError> {
        if self.arm {
            // Read before probe-rs does: reading DHCSR clears S_RESET_ST.
            let d = self.dhcsr()?;
            if d & S_RESET_ST != 0 {
                return Ok(CoreState::Reset);
            }
            if d & S_LOCKUP != 0 {
                return Ok(CoreState::LockedUp);
            }
        }
        match self.core.status().map_err(|e| CoreError(e.to_string()))? {
            CoreStatus::Halted(r) => Ok(CoreState::Halted(format!("{r:?}"))),
            CoreStatus::LockedUp => Ok(CoreState::LockedUp),
            CoreStatus::Running | CoreStatus::Sleeping | CoreStatus::Unknown => {
                Ok(CoreState::Running)
            }
        }
    }
}

fn attach(b: &ProbeBackend) -> Result<Session, ProbeError> {
    let probe = select::open(b.selector.as_deref(), b.probe.probe)?;
    probe
        .attach(b.probe.chip, Permissions::default())
        .map_err(|e| ProbeError::Attach {
            chip: b.probe.chip,
            message: e.to_string(),
            hint: if b.probe.chip.starts_with("nRF") {
                " (an nRF52840 with APPROTECT set: `probe-rs erase --chip nRF52840_xxAA --allow-erase-all` once)"
            } else {
                ""
            },
        })
}

/// Writes the firmware (unless this process already did) and the slot.
fn flash(
    b: &ProbeBackend,
    session: &mut Session,
    fw: &Firmware,
    address: u64,
    image: &[u8],
) -> Result<(), ProbeError> {
    let mut flashed = b.flashed.lock().unwrap_or_else(|e| e.into_inner());
    let mut loader = session.target().flash_loader();
    if flashed.as_deref() != Some(fw.elf.as_path()) {
        *flashed = None;
        if b.probe.image == ProbeImage::EspIdf {
            idf::checked_segments(&fw.elf, b.probe.chip, (fw.slot_load, fw.slot.1))?;
        }
        let mut f = File::open(&fw.elf)
            .map_err(|e| ProbeError::Flash(format!("{}: {e}", fw.elf.display())))?;
        let format = match b.probe.image {
            ProbeImage::Elf => Format::Elf(ElfOptions::default()),
            ProbeImage::EspIdf => Format::Idf(IdfOptions::default()),
        };
        loader
            .load_image(session, &mut f, format, None)
            .map_err(|e| ProbeError::Flash(format!("reading {}: {e}", fw.elf.display())))?;
    }
    loader
        .add_data(address, image)
        .map_err(|e| ProbeError::Flash(format!("the slot at {address:#x}: {e}")))?;
    loader
        .commit(session, DownloadOptions::default())
        .map_err(|e| ProbeError::Flash(e.to_string()))?;
    *flashed = Some(fw.elf.clone());
    Ok(())
}

/// Halts the core right after reset, wipes the RTT control block's ID (RAM
/// survives a reset: the last cell's block must not be read), clears the
/// sticky reset flag, and lets it run.
fn start(core: &mut ProbeCore<'_>, fw: &Firmware) -> Result<(), ProbeError> {
    let failed = |what: &'static str| {
        move |e: probe_rs::Error| ProbeError::Start {
            what,
            message: e.to_string(),
        }
    };
    core.core
        .reset_and_halt(Duration::from_secs(3))
        .map_err(failed("reset"))?;
    core.core
        .write_8(fw.rtt, &[0; 16])
        .map_err(failed("clearing the RTT control block"))?;
    if core.arm {
        core.dhcsr().map_err(|e| ProbeError::Start {
            what: "reading DHCSR",
            message: e.0,
        })?;
    }
    core.core.run().map_err(failed("run"))
}

/// Runs one cell on the board: attach, flash, reset, watch.
pub(super) fn run(
    b: &ProbeBackend,
    fw: &Firmware,
    address: u64,
    image: &[u8],
    timeout: Duration,
) -> Run {
    let mut session = match attach(b) {
        Ok(s) => s,
        Err(e) => return Run::ended(End::NotLoaded(e.to_string())),
    };
    if let Err(e) = flash(b, &mut session, fw, address, image) {
        return Run::ended(End::NotLoaded(e.to_string()));
    }
    let core = match session.core(0) {
        Ok(c) => c,
        Err(e) => return Run::ended(End::NotLoaded(format!("no core 0: {e}"))),
    };
    let arm = core.architecture() == Architecture::Arm;
    let mut core = ProbeCore { core, arm };
    if let Err(e) = start(&mut core, fw) {
        return Run::ended(End::NotLoaded(e.to_string()));
    }
    let mut lines = Vec::new();
    let end = watch(
        &mut core,
        fw.rtt,
        Instant::now() + timeout,
        POLL,
        &mut lines,
    );
    if matches!(end, End::TimedOut | End::NoRtt) {
        let _ = core.core.halt(Duration::from_secs(1));
    }
    Run {
        end,
        lines,
        log: Vec::new(),
    }
}
