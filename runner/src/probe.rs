//! The real boards: each cell writes the module into the board's flash
//! slot through a debug probe (probe-rs), resets the board, and reads the
//! report over RTT with the same reader the emulated boards use
//! ([`crate::target::rtt`]), through [`CoreMemory`], the second
//! [`MemoryAccess`] implementation (the GDB client is the first).
//!
//! A probe reads a running core, so the runner polls the RTT channel while
//! the firmware runs; the firmware waits at each line end until the host
//! has read the line, and signals its end with `bye`. The firmware itself
//! is written once per process and firmware build: later cells with the
//! same firmware write only the module slot.
//!
//! Everything but the probe-rs calls builds and is tested without the
//! `probe` feature: the board's plan (`trevm bench --dry-run`), the poll
//! loop and the RTT drain over a fake core ([`CoreOps`]).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use trevm_protocol::{parse, Line};

use crate::boards::{Access, Board, Probe};
use crate::build::{self, FirmwareSet, FirmwareVariant};
use crate::host::HostBoard;
use crate::matrix::{CellRunner, Plan};
use crate::qemu::{slot_image, Firmware};
use crate::results::Record;
use crate::suite::Workload;
use crate::target::elf::FirmwareElf;
use crate::target::rtt::{ControlBlock, LineAssembler, UpChannel};
use crate::target::{MemoryAccess, TargetError};
use crate::{meta, session};

/// How often the runner reads the RTT channel of a running core.
#[cfg_attr(not(feature = "probe"), allow(dead_code))]
const POLL: Duration = Duration::from_millis(10);

/// A real board's firmware: what [`Firmware`] reads from the ELF, plus
/// where the probe writes the slot.
#[derive(Clone, Debug)]
pub struct ProbeFirmware {
    /// Symbols and sizes.
    pub fw: Firmware,
    /// The address the probe writes the slot image at: the slot's own
    /// address, or `__trevm_slot_load` where the CPU sees the slot through
    /// a flash MMU (ESP32-C6: a flash offset).
    pub slot_load: u64,
}

impl ProbeFirmware {
    /// Reads a firmware ELF.
    pub fn inspect(elf: &std::path::Path, v: &'static FirmwareVariant) -> Result<Self, String> {
        let fw = Firmware::inspect(elf, v)?;
        let f = FirmwareElf::read(elf).map_err(|e| format!("{}: {e}", elf.display()))?;
        let slot_load = f.symbol_address("__trevm_slot_load").unwrap_or(fw.slot.0);
        Ok(ProbeFirmware { fw, slot_load })
    }
}

/// Checks a `--probe` selector: `VID:PID` or `VID:PID:SERIAL`, VID and PID
/// in hex (as `probe-rs list` prints them).
pub fn check_selector(s: &str) -> Result<(), String> {
    let mut parts = s.splitn(3, ':');
    let hex = |p: Option<&str>| {
        p.is_some_and(|p| !p.is_empty() && p.len() <= 4 && u16::from_str_radix(p, 16).is_ok())
    };
    if hex(parts.next()) && hex(parts.next()) && parts.next().is_none_or(|s| !s.is_empty()) {
        Ok(())
    } else {
        Err(format!(
            "bad probe selector `{s}`: expected VID:PID or VID:PID:SERIAL, VID and PID in hex (see `probe-rs list`)"
        ))
    }
}

/// A real board, its firmwares, the host programs that prepare modules for
/// it, and the probe to reach it with.
pub struct ProbeBoard {
    board: &'static Board,
    probe: Probe,
    selector: Option<String>,
    firmwares: FirmwareSet<ProbeFirmware>,
    preparer: HostBoard,
    /// The firmware this process last wrote to the board.
    #[cfg_attr(not(feature = "probe"), allow(dead_code))]
    flashed: Mutex<Option<PathBuf>>,
}

impl ProbeBoard {
    /// Builds (when needed) the firmwares serving `labels` and the host
    /// programs that prepare modules. A firmware that does not build (or
    /// does not fit the chip) leaves its variants failing with the reason;
    /// a board whose toolchain is missing is an error.
    pub fn build(
        board: &'static Board,
        labels: &[&str],
        selector: Option<String>,
    ) -> Result<(Self, Vec<String>), String> {
        let mut b = Self::empty(board, selector)?;
        let target = board.target.expect("real boards have a target");
        let (preparer, problems) = HostBoard::build(labels);
        b.preparer = preparer;
        b.firmwares = FirmwareSet::build(board.name, target, labels, ProbeFirmware::inspect);
        Ok((b, problems))
    }

    /// Uses the firmwares already built under `build/firmware/<board>/`.
    pub fn existing(board: &'static Board, selector: Option<String>) -> Result<Self, String> {
        let mut b = Self::empty(board, selector)?;
        b.preparer = HostBoard::existing();
        b.firmwares = FirmwareSet::existing(board.name, ProbeFirmware::inspect);
        Ok(b)
    }

    fn empty(board: &'static Board, selector: Option<String>) -> Result<Self, String> {
        let Access::Probe(probe) = board.access else {
            return Err(format!(
                "board `{}` is not reached through a debug probe",
                board.name
            ));
        };
        // A board whose firmware cannot be built here (the ESP32 without
        // the Xtensa toolchain) stops with one message.
        build::check_target(board.target.unwrap_or_default())?;
        if let Some(s) = &selector {
            check_selector(s)?;
        }
        Ok(ProbeBoard {
            board,
            probe,
            selector,
            firmwares: FirmwareSet::new(board.name),
            preparer: HostBoard::default(),
            flashed: Mutex::new(None),
        })
    }

    /// The variant labels with a firmware.
    pub fn labels(&self) -> Vec<&str> {
        self.firmwares.labels()
    }

    /// The variants whose firmware did not build (or not fit), with why.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.firmwares.failures()
    }

    /// The firmware that runs `label`.
    pub fn firmware(&self, label: &str) -> Option<&ProbeFirmware> {
        self.firmwares.get(label).ok()
    }

    fn record(&self, label: &str, w: &Workload) -> Record {
        let mut rec = Record::new(self.board.name, label, &w.suite, &w.name);
        rec.meta.started = meta::now_utc();
        rec.meta.git_commit = meta::git_commit().into();
        rec.meta.board = self.board.name.into();
        rec.meta.emulated = false;
        rec.meta
            .extra
            .insert("probe_chip".into(), self.probe.chip.into());
        if let Some(s) = &self.selector {
            rec.meta.extra.insert("probe".into(), s.clone().into());
        }
        rec
    }

    /// Runs one cell on the board and returns its record, failed with a
    /// reason when anything went wrong.
    pub fn run_cell(&self, label: &str, w: &Workload, timeout: Duration) -> Record {
        let mut rec = self.record(label, w);
        let fw = match self.firmwares.get(label) {
            Ok(fw) => fw,
            Err(why) => {
                rec.fail("build", "build", why);
                return rec;
            }
        };
        let Some(image) = slot_image(&self.preparer, self.board, &fw.fw, label, w, &mut rec) else {
            return rec;
        };
        self.run_on_board(fw, &image, timeout, &mut rec);
        rec
    }

    #[cfg(not(feature = "probe"))]
    fn run_on_board(
        &self,
        _fw: &ProbeFirmware,
        _image: &[u8],
        _timeout: Duration,
        rec: &mut Record,
    ) {
        rec.fail(
            "unsupported",
            "run",
            "this trevm was built without the `probe` feature: build it with `cargo build --release -p trevm-runner --features probe`",
        );
    }

    #[cfg(feature = "probe")]
    fn run_on_board(&self, fw: &ProbeFirmware, image: &[u8], timeout: Duration, rec: &mut Record) {
        hw::run(self, fw, image, timeout, rec)
    }

    /// The plan of a run, without a probe: firmwares with their slot and
    /// RTT addresses and sizes, and per cell the prepared module and its
    /// slot image.
    pub fn plan(&self, labels: &[&str], workloads: &[Workload]) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "plan for {} (probe-rs chip {}, probe {}): {} runtime variant(s) x {} workload(s); connect {}",
            self.board.name,
            self.probe.chip,
            self.selector.as_deref().unwrap_or("the first one found"),
            labels.len(),
            workloads.len(),
            self.probe.probe,
        );
        let mut seen = Vec::new();
        for label in labels {
            let fw = match self.firmwares.get(label) {
                Ok(fw) => fw,
                Err(why) => {
                    let _ = writeln!(s, "{label}: no firmware: {why}");
                    continue;
                }
            };
            if !seen.contains(&fw.fw.elf) {
                seen.push(fw.fw.elf.clone());
                #[cfg(feature = "probe")]
                if self.probe.image == crate::boards::ProbeImage::EspIdf {
                    let segments = idf_segments(&fw.fw.elf, self.probe.chip).and_then(|s| {
                        clear_of_slot(&s, (fw.slot_load, fw.fw.slot.1))?;
                        Ok(s)
                    });
                    let what = match segments {
                        Ok(s) => s
                            .iter()
                            .map(|(a, n)| format!("{n} B at {a:#x}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        Err(e) => format!("FAILS: {e}"),
                    };
                    let _ = writeln!(s, "ESP-IDF image of {}: {what}", fw.fw.variant.name);
                }
                let z = &fw.fw.sizes;
                let _ = writeln!(
                    s,
                    "firmware {}: {} (text {} rodata {} data {} bss {} B); slot {:#010x}+{:#x} written at {:#010x}; RTT control block {:#010x}",
                    fw.fw.variant.name,
                    fw.fw.elf.display(),
                    z.text,
                    z.rodata,
                    z.data,
                    z.bss,
                    fw.fw.slot.0,
                    fw.fw.slot.1,
                    fw.slot_load,
                    fw.fw.rtt,
                );
            }
            for w in workloads {
                let mut rec = self.record(label, w);
                let what = match slot_image(&self.preparer, self.board, &fw.fw, label, w, &mut rec)
                {
                    Some(image) => {
                        format!("slot image {} B at {:#010x}", image.len(), fw.slot_load)
                    }
                    None => {
                        let e = rec.error.as_ref().expect("a failed record");
                        format!("would fail: {} ({})", e.kind, e.message)
                    }
                };
                let _ = writeln!(s, "  {label} {}/{}: {what}", w.suite, w.name);
            }
        }
        s
    }
}

/// ESP-IDF boards: the flash writes probe-rs makes for the firmware ELF
/// (second-stage bootloader, partition table, app image), built offline the
/// way probe-rs builds them (espflash, a 4 MiB flash), as (address, bytes).
#[cfg(feature = "probe")]
pub fn idf_segments(elf: &std::path::Path, chip: &str) -> Result<Vec<(u64, u64)>, String> {
    use std::str::FromStr;

    use espflash::flasher::{FlashData, FlashSettings, FlashSize};
    use espflash::image_format::idf::{check_idf_bootloader, IdfBootloaderFormat};

    let data = std::fs::read(elf).map_err(|e| format!("{}: {e}", elf.display()))?;
    check_idf_bootloader(&data).map_err(|e| format!("{}: {e}", elf.display()))?;
    let chip = espflash::target::Chip::from_str(chip).map_err(|e| format!("chip {chip}: {e}"))?;
    let mut settings = FlashSettings::default();
    settings.size = Some(FlashSize::_4Mb);
    let flash = FlashData::new(settings, 0, None, chip, chip.default_xtal_frequency());
    let image = IdfBootloaderFormat::new(&data, &flash, None, None, None, None)
        .map_err(|e| format!("the ESP-IDF image of {}: {e}", elf.display()))?;
    Ok(image
        .flash_segments()
        .map(|s| (u64::from(s.addr), s.data.len() as u64))
        .collect())
}

/// Checks that no flash write of the firmware touches the module slot.
#[cfg_attr(not(feature = "probe"), allow(dead_code))]
fn clear_of_slot(segments: &[(u64, u64)], slot: (u64, u64)) -> Result<(), String> {
    match segments
        .iter()
        .find(|(a, n)| *a < slot.0 + slot.1 && slot.0 < a + n)
    {
        Some((a, n)) => Err(format!(
            "the firmware image ({n} B at {a:#x}) overlaps the module slot at {:#x}",
            slot.0
        )),
        None => Ok(()),
    }
}

impl CellRunner for ProbeBoard {
    fn run_cell(&self, label: &str, w: &Workload, timeout: Duration) -> Record {
        ProbeBoard::run_cell(self, label, w, timeout)
    }
}

/// `trevm bench --dry-run`: builds what is missing (unless told not to),
/// prepares every module and prints the plan; no probe needed.
pub fn dry_run(plan: &Plan, probe: Option<String>) -> Result<String, String> {
    let board = crate::boards::find(&plan.board)?;
    if !matches!(board.access, Access::Probe(_)) {
        return Err(format!(
            "--dry-run prints the plan of a real board; `{}` is not one",
            board.name
        ));
    }
    let labels: Vec<&str> = if plan.runtimes.is_empty() {
        crate::matrix::RUNTIMES.to_vec()
    } else {
        plan.runtimes.iter().map(String::as_str).collect()
    };
    let mut notes = Vec::new();
    if plan.build && plan.suites.iter().any(|s| s == "own") {
        build::own_workloads()?;
    }
    let b = if plan.build {
        let (b, problems) = ProbeBoard::build(board, &labels, probe)?;
        notes.extend(problems);
        b
    } else {
        ProbeBoard::existing(board, probe)?
    };
    let workloads = crate::matrix::workloads(&plan.suites, &mut notes);
    let mut s = b.plan(&labels, &workloads);
    for n in notes {
        let _ = writeln!(s, "note: {n}");
    }
    Ok(s)
}

/// Why a core operation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreError(pub String);

/// What the runner sees of a core between two polls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoreState {
    /// Running (or sleeping).
    Running,
    /// Halted; the reason as the probe gives it.
    Halted(String),
    /// Locked up (Cortex-M: a fault in the fault handler).
    LockedUp,
    /// Reset since the last poll.
    Reset,
}

/// The few calls the runner makes on a probe-rs `Core`, so the poll loop
/// and [`CoreMemory`] are tested against an in-memory fake.
pub trait CoreOps {
    /// Reads `buf.len()` bytes at `addr` (the core may run).
    fn read_8(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), CoreError>;
    /// Writes `data` at `addr` (the core may run).
    fn write_8(&mut self, addr: u64, data: &[u8]) -> Result<(), CoreError>;
    /// The core's state since the last call.
    fn state(&mut self) -> Result<CoreState, CoreError>;
}

impl<C: CoreOps + ?Sized> CoreOps for &mut C {
    fn read_8(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), CoreError> {
        (**self).read_8(addr, buf)
    }
    fn write_8(&mut self, addr: u64, data: &[u8]) -> Result<(), CoreError> {
        (**self).write_8(addr, data)
    }
    fn state(&mut self) -> Result<CoreState, CoreError> {
        (**self).state()
    }
}

/// [`MemoryAccess`] over a probe's core: the RTT reader's view of a board.
pub struct CoreMemory<C>(pub C);

impl<C: CoreOps> MemoryAccess for CoreMemory<C> {
    fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), TargetError> {
        self.0
            .read_8(addr, buf)
            .map_err(|e| probe_error("read", addr, e))
    }
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), TargetError> {
        self.0
            .write_8(addr, data)
            .map_err(|e| probe_error("write", addr, e))
    }
}

fn probe_error(what: &str, addr: u64, e: CoreError) -> TargetError {
    TargetError::Io(std::io::Error::other(format!(
        "probe {what} at {addr:#010x}: {}",
        e.0
    )))
}

/// How a session on a board ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// The firmware said `bye`.
    Bye,
    /// It ran past the time budget.
    TimedOut,
    /// The core halted before `bye` (breakpoint, fault with a debugger
    /// attached, watchpoint).
    Halted(String),
    /// The core locked up.
    LockedUp,
    /// The core was reset (or the firmware started again) mid-cell.
    Reset,
    /// The probe failed or went away.
    Lost(String),
    /// The RTT control block or channel is corrupt.
    Rtt(String),
    /// The firmware never set up RTT before the time budget ran out.
    NoRtt,
}

/// Whether `line` is the protocol message of kind `kind` (`hello`, `bye`).
fn is_message(line: &str, kind: &str) -> bool {
    matches!(parse(line), Ok(Line::Message(m)) if m.kind() == kind)
}

/// Polls a running core until the firmware says `bye`, the core halts,
/// locks up or resets, the probe fails, or `deadline` passes; the lines
/// read go to `lines` (a partial last line included).
pub fn watch<C: CoreOps>(
    core: &mut C,
    rtt: u64,
    deadline: Instant,
    poll: Duration,
    lines: &mut Vec<String>,
) -> End {
    let mut mem = CoreMemory(core);
    let mut assembler = LineAssembler::new();
    let mut channel: Option<UpChannel> = None;
    let mut hellos = 0;
    let end = 'poll: loop {
        // The state first, then the channel: lines written before a halt
        // are still read.
        let state = match mem.0.state() {
            Ok(s) => s,
            Err(e) => break End::Lost(e.0),
        };
        if channel.is_none() {
            match ControlBlock::read(&mut mem, rtt) {
                // The ID is written last: a block with its ID and a bad
                // channel is corrupt.
                Ok(cb) => match cb.up_channel(&mut mem, 0) {
                    Ok(ch) => channel = Some(ch),
                    Err(TargetError::Protocol(m)) => break End::Rtt(m),
                    Err(e) => break End::Lost(e.to_string()),
                },
                // Not set up yet (the firmware paints its stack first).
                Err(TargetError::Protocol(_)) => {}
                Err(e) => break End::Lost(e.to_string()),
            }
        }
        if let Some(ch) = &mut channel {
            match ch.drain(&mut mem) {
                Ok(bytes) => {
                    for line in assembler.push(&bytes) {
                        if is_message(&line, "hello") {
                            hellos += 1;
                            if hellos > 1 {
                                break 'poll End::Reset;
                            }
                        }
                        let bye = is_message(&line, "bye");
                        lines.push(line);
                        if bye {
                            break 'poll End::Bye;
                        }
                    }
                }
                Err(TargetError::Protocol(m)) => break End::Rtt(m),
                Err(e) => break End::Lost(e.to_string()),
            }
        }
        match state {
            CoreState::Running => {}
            CoreState::Halted(why) => break End::Halted(why),
            CoreState::LockedUp => break End::LockedUp,
            CoreState::Reset => break End::Reset,
        }
        if Instant::now() >= deadline {
            break if channel.is_some() {
                End::TimedOut
            } else {
                End::NoRtt
            };
        }
        std::thread::sleep(poll);
    };
    lines.extend(assembler.finish());
    end
}

/// Decodes a session's lines into `rec` and, when the cell did not report
/// its end, fails it with what ended the session.
pub fn conclude(end: &End, lines: &[String], timeout: Duration, rec: &mut Record) {
    let t = session::decode(lines.iter().map(String::as_str), rec);
    if t.finished || !t.garbled.is_empty() {
        return;
    }
    let tail = t
        .text
        .iter()
        .rev()
        .take(3)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" | ");
    let tail = if tail.is_empty() {
        String::new()
    } else {
        format!("; the firmware printed: {tail}")
    };
    match end {
        End::TimedOut => rec.fail(
            "timeout",
            "run",
            format!(
                "no result within the time budget of {} s; the core was halted{tail}",
                timeout.as_secs()
            ),
        ),
        End::NoRtt => rec.fail(
            "crash",
            "run",
            format!(
                "the firmware never set up its RTT channel within {} s (did it boot?){tail}",
                timeout.as_secs()
            ),
        ),
        End::Halted(why) => rec.fail(
            "crash",
            "run",
            format!("the core halted ({why}) before the cell reported its end{tail}"),
        ),
        End::LockedUp => rec.fail(
            "crash",
            "run",
            format!("the core locked up (a fault while handling a fault){tail}"),
        ),
        End::Reset => rec.fail(
            "crash",
            "run",
            format!("the board reset before the cell reported its end (watchdog, brown-out or reset button){tail}"),
        ),
        End::Lost(e) => rec.fail(
            "transport",
            "transport",
            format!("lost the debug probe: {e}{tail}"),
        ),
        End::Rtt(e) => rec.fail("transport", "transport", format!("RTT: {e}{tail}")),
        End::Bye => rec.fail(
            "transport",
            "transport",
            format!("the firmware said bye without reporting the cell's end{tail}"),
        ),
    }
}

/// The probe-rs side: attach, flash, reset, poll.
#[cfg(feature = "probe")]
mod hw {
    use std::fs::File;
    use std::time::{Duration, Instant};

    use probe_rs::flashing::{DownloadOptions, ElfOptions, Format, IdfOptions};
    use probe_rs::probe::list::Lister;
    use probe_rs::probe::DebugProbeSelector;
    use probe_rs::{Architecture, Core, CoreStatus, MemoryInterface, Permissions, Session};

    use super::{
        conclude, watch, CoreError, CoreOps, CoreState, End, ProbeBoard, ProbeFirmware, POLL,
    };
    use crate::boards::ProbeImage;
    use crate::results::Record;

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

    fn attach(b: &ProbeBoard) -> Result<Session, String> {
        let lister = Lister::new();
        let probe = match &b.selector {
            Some(s) => {
                let sel =
                    DebugProbeSelector::try_from(s.as_str()).map_err(|e| format!("{s}: {e}"))?;
                lister
                    .open(sel)
                    .map_err(|e| format!("cannot open probe {s}: {e}"))?
            }
            None => {
                let all = lister.list_all();
                let first = all.first().ok_or_else(|| {
                    format!("no debug probe found: connect {} (or choose one with --probe VID:PID[:SERIAL])", b.probe.probe)
                })?;
                first
                    .open()
                    .map_err(|e| format!("cannot open probe {first}: {e}"))?
            }
        };
        probe.attach(b.probe.chip, Permissions::default()).map_err(|e| {
            format!(
                "cannot attach to the {} through the probe: {e}{}",
                b.probe.chip,
                if b.probe.chip.starts_with("nRF") {
                    " (an nRF52840 with APPROTECT set: `probe-rs erase --chip nRF52840_xxAA --allow-erase-all` once)"
                } else {
                    ""
                }
            )
        })
    }

    /// Writes the firmware (unless this process already did) and the slot.
    fn flash(
        b: &ProbeBoard,
        session: &mut Session,
        fw: &ProbeFirmware,
        image: &[u8],
    ) -> Result<(), String> {
        let mut flashed = b.flashed.lock().unwrap_or_else(|e| e.into_inner());
        let mut loader = session.target().flash_loader();
        if flashed.as_deref() != Some(fw.fw.elf.as_path()) {
            *flashed = None;
            if b.probe.image == ProbeImage::EspIdf {
                let segments = super::idf_segments(&fw.fw.elf, b.probe.chip)?;
                super::clear_of_slot(&segments, (fw.slot_load, image.len() as u64))?;
            }
            let mut f =
                File::open(&fw.fw.elf).map_err(|e| format!("{}: {e}", fw.fw.elf.display()))?;
            let format = match b.probe.image {
                ProbeImage::Elf => Format::Elf(ElfOptions::default()),
                ProbeImage::EspIdf => Format::Idf(IdfOptions::default()),
            };
            loader
                .load_image(session, &mut f, format, None)
                .map_err(|e| format!("reading {} for flashing: {e}", fw.fw.elf.display()))?;
        }
        loader
            .add_data(fw.slot_load, image)
            .map_err(|e| format!("the slot at {:#x}: {e}", fw.slot_load))?;
        loader
            .commit(session, DownloadOptions::default())
            .map_err(|e| format!("flashing failed: {e}"))?;
        *flashed = Some(fw.fw.elf.clone());
        Ok(())
    }

    pub(super) fn run(
        b: &ProbeBoard,
        fw: &ProbeFirmware,
        image: &[u8],
        timeout: Duration,
        rec: &mut Record,
    ) {
        let mut session = match attach(b) {
            Ok(s) => s,
            Err(e) => return rec.fail("transport", "load", e),
        };
        if let Err(e) = flash(b, &mut session, fw, image) {
            return rec.fail("transport", "load", e);
        }
        let core = match session.core(0) {
            Ok(c) => c,
            Err(e) => return rec.fail("transport", "load", format!("no core 0: {e}")),
        };
        let arm = core.architecture() == Architecture::Arm;
        let mut core = ProbeCore { core, arm };
        // Halt right after reset, wipe the RTT control block's ID (RAM
        // survives a reset: the last cell's block must not be read), clear
        // the sticky reset flag, and let it run.
        let started = (|| -> Result<(), String> {
            core.core
                .reset_and_halt(Duration::from_secs(3))
                .map_err(|e| format!("reset: {e}"))?;
            core.core
                .write_8(fw.fw.rtt, &[0; 16])
                .map_err(|e| format!("clearing the RTT control block: {e}"))?;
            if core.arm {
                core.dhcsr().map_err(|e| e.0)?;
            }
            core.core.run().map_err(|e| format!("run: {e}"))
        })();
        if let Err(e) = started {
            return rec.fail("transport", "load", e);
        }
        let mut lines = Vec::new();
        let end = watch(
            &mut core,
            fw.fw.rtt,
            Instant::now() + timeout,
            POLL,
            &mut lines,
        );
        if matches!(end, End::TimedOut | End::NoRtt) {
            let _ = core.core.halt(Duration::from_secs(1));
        }
        conclude(&end, &lines, timeout, rec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::rtt::ID;
    use trevm_protocol::Message;

    const BASE: u64 = 0x2000_0000;
    const CB: u64 = BASE + 0x100;
    const BUF: u64 = BASE + 0x400;
    const SIZE: u32 = 64;

    /// A core running a scripted firmware: each `state()` call is one poll
    /// interval, in which the firmware writes its next chunk into the RTT
    /// ring (waiting while the ring is full, as `BlockIfFull` does). The
    /// control block appears only after `boot` polls.
    struct FakeCore {
        mem: Vec<u8>,
        chunks: Vec<Vec<u8>>,
        polls: usize,
        boot: usize,
        /// What `state()` reports from poll `n` on.
        then: Option<(usize, CoreState)>,
        /// Reads fail from poll `n` on (probe unplugged).
        lose_at: Option<usize>,
        pending: Vec<u8>,
    }

    impl FakeCore {
        fn new(output: &[&str]) -> Self {
            FakeCore {
                mem: vec![0; 0x1000],
                chunks: output.iter().map(|s| s.as_bytes().to_vec()).collect(),
                polls: 0,
                boot: 2,
                then: None,
                lose_at: None,
                pending: Vec::new(),
            }
        }
        fn put32(&mut self, addr: u64, v: u32) {
            let s = (addr - BASE) as usize;
            self.mem[s..s + 4].copy_from_slice(&v.to_le_bytes());
        }
        fn get32(&self, addr: u64) -> u32 {
            let s = (addr - BASE) as usize;
            u32::from_le_bytes(self.mem[s..s + 4].try_into().unwrap())
        }
        fn init_rtt(&mut self) {
            let cb = (CB - BASE) as usize;
            self.mem[cb..cb + 10].copy_from_slice(ID);
            self.put32(CB + 16, 1);
            self.put32(CB + 20, 0);
            self.put32(CB + 28, BUF as u32);
            self.put32(CB + 32, SIZE);
        }
        /// The firmware's side: writes what fits of the pending output.
        fn produce(&mut self) {
            if self.pending.is_empty() && !self.chunks.is_empty() {
                self.pending = self.chunks.remove(0);
            }
            let mut w = self.get32(CB + 24 + 12);
            let r = self.get32(CB + 24 + 16);
            while !self.pending.is_empty() && (w + 1) % SIZE != r {
                let b = self.pending.remove(0);
                let at = (BUF - BASE) as usize + w as usize;
                self.mem[at] = b;
                w = (w + 1) % SIZE;
            }
            self.put32(CB + 24 + 12, w);
        }
        fn check(&self, addr: u64, len: usize) -> Result<usize, CoreError> {
            if self.lose_at.is_some_and(|n| self.polls >= n) {
                return Err(CoreError("probe disconnected".into()));
            }
            match addr.checked_sub(BASE) {
                Some(s) if s as usize + len <= self.mem.len() => Ok(s as usize),
                _ => Err(CoreError(format!("fault at {addr:#x}"))),
            }
        }
    }

    impl CoreOps for FakeCore {
        fn read_8(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), CoreError> {
            let s = self.check(addr, buf.len())?;
            buf.copy_from_slice(&self.mem[s..s + buf.len()]);
            Ok(())
        }
        fn write_8(&mut self, addr: u64, data: &[u8]) -> Result<(), CoreError> {
            let s = self.check(addr, data.len())?;
            self.mem[s..s + data.len()].copy_from_slice(data);
            Ok(())
        }
        fn state(&mut self) -> Result<CoreState, CoreError> {
            self.polls += 1;
            if self.lose_at.is_some_and(|n| self.polls >= n) {
                return Err(CoreError("probe disconnected".into()));
            }
            if let Some((n, s)) = &self.then {
                if self.polls >= *n {
                    return Ok(s.clone());
                }
            }
            if self.polls == self.boot {
                self.init_rtt();
            }
            if self.polls >= self.boot {
                self.produce();
            }
            Ok(CoreState::Running)
        }
    }

    fn line(m: Message<&str>) -> String {
        let mut s = String::new();
        m.write(&mut s).unwrap();
        s
    }

    fn hello() -> String {
        line(Message::Hello {
            board: "b",
            runtime: "r",
            crate_name: "",
            version: "",
            features: "",
            clock_unit: "cycles",
            clock_source: "x",
            clock_hz: 1,
            heap: 1,
        })
    }

    fn bye() -> String {
        line(Message::Bye)
    }

    fn run(core: &mut FakeCore, budget: Duration) -> (End, Vec<String>) {
        let mut lines = Vec::new();
        let end = watch(
            core,
            CB,
            Instant::now() + budget,
            Duration::ZERO,
            &mut lines,
        );
        (end, lines)
    }

    #[test]
    fn memory_access_over_a_core_reads_writes_and_reports_faults() {
        let mut core = FakeCore::new(&[]);
        let mut mem = CoreMemory(&mut core);
        mem.write(BASE + 8, b"abcd").unwrap();
        let mut b = [0u8; 4];
        mem.read(BASE + 8, &mut b).unwrap();
        assert_eq!(&b, b"abcd");
        let e = mem.read(BASE + 0x1000, &mut b).unwrap_err();
        assert!(
            matches!(&e, TargetError::Io(io) if io.to_string().contains("probe read at 0x20001000")),
            "{e}"
        );
        assert!(mem.write(0x10, b"x").is_err());
    }

    #[test]
    fn rtt_drains_over_the_probe_memory() {
        let mut core = FakeCore::new(&["hello, ", "world\n"]);
        core.init_rtt();
        let mut mem = CoreMemory(&mut core);
        let mut ch = ControlBlock::read(&mut mem, CB)
            .unwrap()
            .up_channel(&mut mem, 0)
            .unwrap();
        assert_eq!(ch.drain(&mut mem).unwrap(), b"");
        mem.0.produce();
        mem.0.produce();
        assert_eq!(ch.drain(&mut mem).unwrap(), b"hello, world\n");
        assert_eq!(mem.0.get32(CB + 24 + 16), 13, "RdOff stored back");
    }

    #[test]
    fn a_cell_ends_at_bye_across_ring_wraps() {
        // More output than the 64-byte ring holds: the fake firmware waits
        // for the host as BlockIfFull does.
        let long = format!("{}\n", "x".repeat(150));
        let (h, b) = (hello(), bye());
        let mut core = FakeCore::new(&[&h, &long, &b, "after\n"]);
        let (end, lines) = run(&mut core, Duration::from_secs(10));
        assert_eq!(end, End::Bye);
        assert!(is_message(&lines[0], "hello"), "{lines:?}");
        assert_eq!(lines[1], "x".repeat(150));
        assert_eq!(lines.last().unwrap(), b.trim_end());
    }

    #[test]
    fn halts_lockups_resets_and_probe_loss_end_the_session() {
        for (state, want) in [
            (
                CoreState::Halted("Breakpoint".into()),
                End::Halted("Breakpoint".into()),
            ),
            (CoreState::LockedUp, End::LockedUp),
            (CoreState::Reset, End::Reset),
        ] {
            let mut core = FakeCore::new(&[&hello(), "partial line"]);
            core.then = Some((5, state));
            let (end, lines) = run(&mut core, Duration::from_secs(10));
            assert_eq!(end, want);
            // What came before the stop was read, the partial line too.
            assert_eq!(lines.len(), 2, "{lines:?}");
            assert_eq!(lines[1], "partial line");
        }
        // The firmware started again: a second hello.
        let cell = line(Message::Cell {
            suite: "own",
            workload: "w",
            abi: "embench",
        });
        let mut core = FakeCore::new(&[&hello(), &cell, &hello()]);
        assert_eq!(run(&mut core, Duration::from_secs(10)).0, End::Reset);

        let mut core = FakeCore::new(&[&hello()]);
        core.lose_at = Some(4);
        let (end, _) = run(&mut core, Duration::from_secs(10));
        assert!(
            matches!(&end, End::Lost(m) if m.contains("disconnected")),
            "{end:?}"
        );
    }

    #[test]
    fn budget_and_missing_rtt() {
        let mut core = FakeCore::new(&[&hello()]);
        assert_eq!(run(&mut core, Duration::from_millis(30)).0, End::TimedOut);
        let mut core = FakeCore::new(&[]);
        core.boot = usize::MAX;
        assert_eq!(run(&mut core, Duration::from_millis(30)).0, End::NoRtt);
        // A block with its ID but a corrupt descriptor.
        let mut core = FakeCore::new(&[&hello()]);
        core.init_rtt();
        core.put32(CB + 32, 0);
        core.boot = usize::MAX;
        let (end, _) = run(&mut core, Duration::from_secs(1));
        assert!(
            matches!(&end, End::Rtt(m) if m.contains("buffer size 0")),
            "{end:?}"
        );
    }

    #[test]
    fn failed_sessions_become_failed_records() {
        let lines = vec![hello().trim_end().to_string(), "panicked at x".to_string()];
        for (end, kind) in [
            (End::TimedOut, "timeout"),
            (End::NoRtt, "crash"),
            (End::Halted("Exception".into()), "crash"),
            (End::LockedUp, "crash"),
            (End::Reset, "crash"),
            (End::Lost("usb".into()), "transport"),
            (End::Rtt("corrupt".into()), "transport"),
        ] {
            let mut rec = Record::new("b", "r", "own", "w");
            conclude(&end, &lines, Duration::from_secs(5), &mut rec);
            let e = rec.error.as_ref().unwrap();
            assert_eq!(e.kind, kind, "{end:?}: {}", e.message);
            assert!(e.message.contains("panicked at x"), "{}", e.message);
        }
    }

    #[test]
    fn firmware_writes_stay_clear_of_the_slot() {
        let slot = (0x30_0000, 0x10_0000);
        clear_of_slot(&[(0, 0x6000), (0x8000, 0xc00), (0x1_0000, 0x2e_0000)], slot).unwrap();
        let e = clear_of_slot(&[(0x1_0000, 0x2f_0001)], slot).unwrap_err();
        assert!(e.contains("overlaps the module slot"), "{e}");
    }

    /// The ESP-IDF image of a built ESP32-C6 firmware (when one is built:
    /// `trevm size --board espressif-esp32-c6-devkitc-1`).
    #[cfg(feature = "probe")]
    #[test]
    fn esp32c6_firmware_makes_an_idf_image_clear_of_the_slot() {
        let elf =
            crate::workspace::build_dir().join("firmware/espressif-esp32-c6-devkitc-1/none.elf");
        if !elf.exists() {
            eprintln!("skipped: {} not built", elf.display());
            return;
        }
        let v = build::firmware_variant("none").unwrap();
        let fw = ProbeFirmware::inspect(&elf, v).unwrap();
        assert_eq!(fw.slot_load, 0x30_0000);
        assert_eq!(fw.fw.slot, (0x42C0_0000, 0x10_0000));
        let segments = idf_segments(&elf, "esp32c6").unwrap();
        assert!(
            segments.iter().any(|(a, _)| *a == 0x1_0000),
            "{segments:x?}"
        );
        clear_of_slot(&segments, (fw.slot_load, fw.fw.slot.1)).unwrap();
    }

    #[test]
    fn probe_selectors() {
        for ok in [
            "2e8a:000c",
            "1366:1051:000683123456",
            "303a:1001:F4:12:FA:00:00:01",
        ] {
            check_selector(ok).unwrap();
        }
        for bad in ["", "2e8a", "xyz:000c", "2e8a:", "12345:1", "2e8a:000c:"] {
            assert!(check_selector(bad).is_err(), "{bad}");
        }
    }
}
