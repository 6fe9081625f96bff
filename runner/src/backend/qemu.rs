//! The emulated boards: each cell boots the board's firmware in a fresh
//! QEMU with the module in its slot (`-device loader`), time counted in
//! instructions (`-icount shift=0`), and its report read over RTT through
//! QEMU's GDB stub with the same RTT code a debug probe uses
//! ([`crate::target::rtt`]).
//!
//! The guest is halted only at `trevm_rtt_flush`, which the firmware calls
//! after each protocol line, outside any measured interval; it never is
//! interrupted while it runs.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use trevm_catalog::board::{Access, Board, Qemu};
use trevm_catalog::os::BARE;
use trevm_catalog::profile::Profile;
use trevm_catalog::record::Record;
use wait_timeout::ChildExt;

use super::bare::{self, Firmware, FirmwareSet};
use super::{slot_file, Backend, End, Load, Prepared, Run};
use crate::error::{Error, Result};
use crate::meta;
use crate::prepare::Preparer;
use crate::suite::Workload;
use crate::target::gdb::{BreakpointKind, GdbClient, StopReason};
use crate::target::rtt::{ControlBlock, LineAssembler};
use crate::target::TargetError;

/// An emulated board, its firmwares, and the preparer of its modules.
pub struct QemuBackend {
    board: &'static Board,
    qemu: Qemu,
    firmwares: FirmwareSet,
    preparer: Preparer,
}

impl QemuBackend {
    /// Builds (when needed) the firmwares serving `labels`, linked with
    /// `profile`'s memory layout. A firmware that does not build (or does
    /// not fit the chip) leaves its variants failing with the reason.
    pub fn build(
        board: &'static Board,
        profile: &'static Profile,
        labels: &[&str],
        preparer: Preparer,
    ) -> Result<Self> {
        let qemu = machine(board)?;
        Ok(QemuBackend {
            board,
            qemu,
            firmwares: FirmwareSet::build(board, &BARE, profile, labels),
            preparer,
        })
    }

    /// Uses the firmwares of `profile` already built under
    /// `build/firmware/<board>/`.
    pub fn existing(
        board: &'static Board,
        profile: &'static Profile,
        preparer: Preparer,
    ) -> Result<Self> {
        let qemu = machine(board)?;
        Ok(QemuBackend {
            board,
            qemu,
            firmwares: FirmwareSet::existing(board, &BARE, profile),
            preparer,
        })
    }

    /// The firmware that runs `label`.
    pub fn firmware(&self, label: &str) -> Option<&Firmware> {
        self.firmwares.get(label).ok()
    }
}

/// The board's QEMU, when it is emulated and QEMU is installed.
pub fn machine(board: &'static Board) -> Result<Qemu> {
    let Access::Qemu(qemu) = board.access else {
        return Err(Error::WrongBoard {
            board: board.name.into(),
            why: "is not emulated",
            choose: crate::select::board_names(|b| b.emulated()),
        });
    };
    if Command::new(qemu.program)
        .arg("--version")
        .output()
        .is_err()
    {
        return Err(Error::Emulator {
            program: qemu.program,
            package: qemu.package,
        });
    }
    Ok(qemu)
}

impl Backend for QemuBackend {
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
            "{} -M {}{}",
            self.qemu.program,
            self.qemu.machine,
            self.qemu
                .cpu
                .map(|c| format!(" -cpu {c}"))
                .unwrap_or_default()
        )];
        lines.extend(bare::firmware_lines(&self.firmwares, labels));
        lines
    }

    fn prepare(&self, label: &str, w: &Workload) -> Result<Prepared, Box<Record>> {
        let mut rec = meta::preamble(
            self.board,
            self.firmwares.os(),
            self.firmwares.profile(),
            label,
            &w.suite,
            &w.name,
        );
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
        let Some(file) = slot_file(self.board.name, label, w, &image, &mut rec) else {
            return Err(Box::new(rec));
        };
        Ok(Prepared {
            record: rec,
            load: Load::Firmware {
                firmware: fw.clone(),
                address: fw.slot.0,
            },
            image,
            file: Some(file),
        })
    }

    fn run(&self, cell: &Prepared, timeout: Duration) -> Run {
        let (Load::Firmware { firmware, address }, Some(file)) = (&cell.load, &cell.file) else {
            return Run::ended(End::Harness("not a firmware cell".into()));
        };
        run_qemu(&self.qemu, firmware, file, *address, timeout)
    }
}

/// A per-process counter so that concurrent cells get their own sockets.
static SESSION: AtomicU32 = AtomicU32::new(0);

fn drain_thread<R: Read + Send + 'static>(r: Option<R>) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(mut r) = r {
            let _ = r.read_to_end(&mut v);
        }
        v
    })
}

/// Boots `fw` with the slot image `slot` loaded at `address` in QEMU, and
/// reads the cell's lines.
pub fn run_qemu(q: &Qemu, fw: &Firmware, slot: &Path, address: u64, timeout: Duration) -> Run {
    let socket = std::env::temp_dir().join(format!(
        "trevm-{}-{}.gdb",
        std::process::id(),
        SESSION.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&socket);
    let mut cmd = Command::new(q.program);
    cmd.args(["-M", q.machine]);
    if let Some(cpu) = q.cpu {
        cmd.args(["-cpu", cpu]);
    }
    cmd.args(q.args)
        .args(["-display", "none", "-monitor", "none", "-serial", "null"])
        .args(["-icount", "shift=0,align=off,sleep=off"])
        .arg("-kernel")
        .arg(&fw.elf)
        .arg("-device")
        .arg(format!("loader,file={},addr={address:#x}", slot.display()))
        .arg("-S")
        .arg("-chardev")
        .arg(format!(
            "socket,path={},server=on,wait=off,id=gdb0",
            socket.display()
        ))
        .args(["-gdb", "chardev:gdb0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Run::ended(End::Harness(format!("cannot start {}: {e}", q.program))),
    };
    let out = drain_thread(child.stdout.take());
    let err = drain_thread(child.stderr.take());
    let mut lines = Vec::new();
    let session = session_over_gdb(&socket, fw, timeout, &mut lines);
    let status = reap(&mut child, session.is_none());
    let _ = std::fs::remove_file(&socket);
    let _ = out.join();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    // QEMU's own verdict ("qemu: fatal: Lockup ...") beats its register
    // dump; else what it printed, without its icount notice.
    let log = match stderr.lines().find(|l| l.contains("fatal:")) {
        Some(fatal) => vec![fatal.trim().to_string()],
        None => stderr
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.contains("icount sleep disabled"))
            .map(String::from)
            .collect(),
    };
    Run {
        end: session.unwrap_or(End::Exited { status }),
        lines,
        log,
    }
}

/// Runs the guest to its end, draining RTT at each stop at the flush
/// point; `None` when the guest exited (or QEMU closed the connection),
/// else how the session broke off.
fn session_over_gdb(
    socket: &Path,
    fw: &Firmware,
    timeout: Duration,
    lines: &mut Vec<String>,
) -> Option<End> {
    let deadline = Instant::now() + timeout;
    let mut gdb = match GdbClient::connect_unix(socket, Duration::from_secs(10)) {
        Ok(g) => g,
        Err(e) => return Some(End::Transport(e)),
    };
    if let Err(e) = gdb.insert_breakpoint(fw.flush, BreakpointKind::Software) {
        return Some(End::Transport(e));
    }
    let mut assembler = LineAssembler::new();
    let mut channel = None;
    let end = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match gdb.continue_and_wait(left) {
            Ok(StopReason::TimedOut) => {
                let _ = gdb.kill(Duration::from_secs(2));
                break Some(End::TimedOut);
            }
            Ok(StopReason::Exited(_) | StopReason::Signalled(_) | StopReason::Closed) => {
                break None
            }
            Ok(StopReason::Halted { .. }) => {
                let ch = match &mut channel {
                    Some(ch) => ch,
                    None => match ControlBlock::read(&mut gdb, fw.rtt)
                        .and_then(|cb| cb.up_channel(&mut gdb, 0))
                    {
                        Ok(ch) => channel.insert(ch),
                        Err(e) => break Some(End::Transport(e)),
                    },
                };
                match ch.drain(&mut gdb) {
                    Ok(bytes) => lines.extend(assembler.push(&bytes)),
                    Err(e) => break Some(End::Transport(e)),
                }
            }
            Err(TargetError::Closed | TargetError::Exited(_) | TargetError::Signalled(_)) => {
                break None
            }
            Err(e) => break Some(End::Transport(e)),
        }
    };
    lines.extend(assembler.finish());
    end
}

/// Waits for QEMU to end (briefly, when the guest already exited) and kills
/// it otherwise.
fn reap(child: &mut Child, exited: bool) -> Option<std::process::ExitStatus> {
    let grace = if exited {
        Duration::from_secs(5)
    } else {
        Duration::from_millis(200)
    };
    match child.wait_timeout(grace) {
        Ok(Some(st)) => Some(st),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            None
        }
    }
}
