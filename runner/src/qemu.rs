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
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use crate::boards::{Access, Board, Qemu};
use crate::build::{FirmwareSet, FirmwareVariant};
use crate::host::HostBoard;
use crate::results::{Metric, Record};
use crate::suite::Workload;
use crate::target::elf::{FirmwareElf, SectionSizes};
use crate::target::gdb::{BreakpointKind, GdbClient, StopReason};
use crate::target::rtt::{ControlBlock, LineAssembler};
use crate::target::TargetError;
use crate::{meta, session, workspace};

/// Where the firmware keeps what the runner needs: read from its ELF.
#[derive(Clone, Debug)]
pub struct Firmware {
    /// The ELF file.
    pub elf: PathBuf,
    /// The build it came from.
    pub variant: &'static FirmwareVariant,
    /// Module slot address and length.
    pub slot: (u64, u64),
    /// The RTT control block (`_SEGGER_RTT`).
    pub rtt: u64,
    /// The host's drain point (`trevm_rtt_flush`).
    pub flush: u64,
    /// Section sizes.
    pub sizes: SectionSizes,
}

impl Firmware {
    /// Reads what the runner needs from a firmware ELF.
    pub fn inspect(elf: &Path, variant: &'static FirmwareVariant) -> Result<Self, String> {
        let f = FirmwareElf::read(elf).map_err(|e| format!("{}: {e}", elf.display()))?;
        let sym = |name: &str| {
            f.symbol_address(name)
                .map_err(|e| format!("{}: {e}", elf.display()))
        };
        let start = sym("__trevm_slot_start")?;
        Ok(Firmware {
            elf: elf.to_path_buf(),
            variant,
            slot: (start, sym("__trevm_slot_end")? - start),
            rtt: sym("_SEGGER_RTT")?,
            flush: sym("trevm_rtt_flush")?,
            sizes: f.sizes(),
        })
    }
}

/// Adds a firmware's section sizes to a record.
pub fn add_sizes(rec: &mut Record, s: &SectionSizes) {
    for (name, v) in [
        ("text", s.text),
        ("rodata", s.rodata),
        ("data", s.data),
        ("bss", s.bss),
    ] {
        rec.metrics.insert(name.into(), Metric::int(v, "B"));
    }
}

/// What every bare-metal cell does before it runs, emulated or real: notes
/// the firmware in `rec` (toolchain, build, section sizes), prepares the
/// module for the board and returns its slot image, or fails `rec` (the
/// module cannot be prepared, or does not fit the firmware's slot).
pub fn slot_image(
    preparer: &HostBoard,
    board: &Board,
    fw: &Firmware,
    label: &str,
    w: &Workload,
    rec: &mut Record,
) -> Option<Vec<u8>> {
    rec.meta.toolchain = meta::rustc_version(fw.variant.env.toolchain);
    rec.meta
        .extra
        .insert("firmware".into(), fw.variant.name.into());
    add_sizes(rec, &fw.sizes);
    if let Ok(wasm) = std::fs::read(&w.wasm) {
        rec.metrics
            .insert("wasm_bytes".into(), Metric::int(wasm.len() as u64, "B"));
    }
    let payload = match preparer.prepare(label, w, board.pointer_width) {
        Ok(p) => p,
        Err((kind, msg)) => {
            rec.fail(&kind, "prepare", msg);
            return None;
        }
    };
    let image = trevm_protocol::slot::write(w.abi, &w.suite, &w.name, label, &payload);
    if image.len() as u64 > fw.slot.1 {
        rec.fail(
            "out-of-memory",
            "load",
            format!(
                "the module ({} B with its slot header) does not fit the {} B module slot in flash",
                image.len(),
                fw.slot.1
            ),
        );
        return None;
    }
    Some(image)
}

/// An emulated board, its firmwares, and the host programs that prepare
/// modules for it (precompiling for Pulley, wasefire's side tables).
pub struct QemuBoard {
    board: &'static Board,
    qemu: Qemu,
    firmwares: FirmwareSet<Firmware>,
    preparer: HostBoard,
}

impl QemuBoard {
    /// Builds (when needed) the firmwares serving `labels`, and the host
    /// programs that prepare modules. A firmware that does not build (or
    /// does not fit the chip) leaves its variants failing with the reason.
    pub fn build(board: &'static Board, labels: &[&str]) -> Result<(Self, Vec<String>), String> {
        let mut b = Self::empty(board)?;
        let target = board.target.expect("bare-metal boards have a target");
        let (preparer, problems) = HostBoard::build(labels);
        b.preparer = preparer;
        b.firmwares = FirmwareSet::build(board.name, target, labels, Firmware::inspect);
        Ok((b, problems))
    }

    /// Uses the firmwares already built under `build/firmware/<board>/`.
    pub fn existing(board: &'static Board) -> Result<Self, String> {
        let mut b = Self::empty(board)?;
        b.preparer = HostBoard::existing();
        b.firmwares = FirmwareSet::existing(board.name, Firmware::inspect);
        Ok(b)
    }

    fn empty(board: &'static Board) -> Result<Self, String> {
        let Access::Qemu(qemu) = board.access else {
            return Err(format!("board `{}` is not emulated", board.name));
        };
        if Command::new(qemu.program)
            .arg("--version")
            .output()
            .is_err()
        {
            return Err(format!(
                "{} is not installed: run `make setup` (Debian package {})",
                qemu.program, qemu.package
            ));
        }
        Ok(QemuBoard {
            board,
            qemu,
            firmwares: FirmwareSet::new(board.name),
            preparer: HostBoard::default(),
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
    pub fn firmware(&self, label: &str) -> Option<&Firmware> {
        self.firmwares.get(label).ok()
    }

    /// Runs one cell in a fresh QEMU and returns its record, failed with a
    /// reason when anything went wrong.
    pub fn run_cell(&self, label: &str, w: &Workload, timeout: Duration) -> Record {
        let mut rec = Record::new(self.board.name, label, &w.suite, &w.name);
        rec.meta.started = meta::now_utc();
        rec.meta.git_commit = meta::git_commit().into();
        rec.meta.board = self.board.name.into();
        rec.meta.emulated = true;
        rec.meta
            .extra
            .insert("qemu_machine".into(), self.qemu.machine.into());
        let fw = match self.firmwares.get(label) {
            Ok(fw) => fw,
            Err(why) => {
                rec.fail("build", "build", why);
                return rec;
            }
        };
        let Some(image) = slot_image(&self.preparer, self.board, fw, label, w, &mut rec) else {
            return rec;
        };
        let dir = workspace::build_dir()
            .join("slots")
            .join(self.board.name)
            .join(label);
        let slot_path = dir.join(format!("{}-{}.slot", w.suite, w.name));
        if let Err(e) =
            std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(&slot_path, image))
        {
            rec.fail("internal", "prepare", e.to_string());
            return rec;
        }
        run_qemu(&self.qemu, fw, &slot_path, timeout, &mut rec);
        rec
    }
}

/// A per-process counter so that concurrent cells get their own sockets.
static SESSION: AtomicU32 = AtomicU32::new(0);

fn drain_thread<R: Read + Send + 'static>(mut r: R) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        v
    })
}

/// How the guest's session ended.
enum End {
    /// The guest exited or QEMU closed the connection.
    Exited,
    /// It ran past the time budget.
    TimedOut,
    /// Talking to it failed.
    Transport(TargetError),
}

/// Boots `fw` with `slot` in QEMU and decodes its report into `rec`.
pub fn run_qemu(q: &Qemu, fw: &Firmware, slot: &Path, timeout: Duration, rec: &mut Record) {
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
        .arg(format!(
            "loader,file={},addr={:#x}",
            slot.display(),
            fw.slot.0
        ))
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
        Err(e) => {
            return rec.fail(
                "internal",
                "run",
                format!("cannot start {}: {e}", q.program),
            )
        }
    };
    let out = drain_thread(child.stdout.take().unwrap());
    let err = drain_thread(child.stderr.take().unwrap());
    let mut lines = Vec::new();
    let end = session_over_gdb(&socket, fw, timeout, &mut lines);
    let status = reap(&mut child, matches!(end, End::Exited));
    let _ = std::fs::remove_file(&socket);
    let _ = out.join();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    let t = session::decode(lines.iter().map(String::as_str), rec);
    if t.finished || !t.garbled.is_empty() {
        return;
    }
    // QEMU's own verdict ("qemu: fatal: Lockup ...") beats its register
    // dump; else the last lines it or the guest printed.
    let tail: String = match stderr.lines().find(|l| l.contains("fatal:")) {
        Some(fatal) => fatal.trim().to_string(),
        None => stderr
            .lines()
            .filter(|l| !l.contains("icount sleep disabled"))
            .chain(t.text.iter().map(String::as_str))
            .rev()
            .take(3)
            .collect::<Vec<_>>()
            .join(" | "),
    };
    match end {
        End::TimedOut => rec.fail(
            "timeout",
            "run",
            format!(
                "no result within the time budget of {} s; QEMU was stopped",
                timeout.as_secs()
            ),
        ),
        End::Transport(e) => rec.fail(
            "transport",
            "transport",
            format!("reading the report over the GDB stub failed: {e}; QEMU: {tail}"),
        ),
        End::Exited => rec.fail(
            "crash",
            "run",
            format!(
                "QEMU ended ({}) before the cell reported its end{}",
                status.map_or("killed".into(), |s| s.to_string()),
                if tail.is_empty() {
                    String::new()
                } else {
                    format!(": {tail}")
                }
            ),
        ),
    }
}

/// Runs the guest to its end, draining RTT at each stop at the flush point.
fn session_over_gdb(
    socket: &Path,
    fw: &Firmware,
    timeout: Duration,
    lines: &mut Vec<String>,
) -> End {
    let deadline = Instant::now() + timeout;
    let mut gdb = match GdbClient::connect_unix(socket, Duration::from_secs(10)) {
        Ok(g) => g,
        Err(e) => return End::Transport(e),
    };
    if let Err(e) = gdb.insert_breakpoint(fw.flush, BreakpointKind::Software) {
        return End::Transport(e);
    }
    let mut assembler = LineAssembler::new();
    let mut channel = None;
    let end = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match gdb.continue_and_wait(left) {
            Ok(StopReason::TimedOut) => {
                let _ = gdb.kill(Duration::from_secs(2));
                break End::TimedOut;
            }
            Ok(StopReason::Exited(_) | StopReason::Signalled(_) | StopReason::Closed) => {
                break End::Exited
            }
            Ok(StopReason::Halted { .. }) => {
                let ch = match &mut channel {
                    Some(ch) => ch,
                    None => match ControlBlock::read(&mut gdb, fw.rtt)
                        .and_then(|cb| cb.up_channel(&mut gdb, 0))
                    {
                        Ok(ch) => channel.insert(ch),
                        Err(e) => break End::Transport(e),
                    },
                };
                match ch.drain(&mut gdb) {
                    Ok(bytes) => lines.extend(assembler.push(&bytes)),
                    Err(e) => break End::Transport(e),
                }
            }
            Err(TargetError::Closed | TargetError::Exited(_) | TargetError::Signalled(_)) => {
                break End::Exited
            }
            Err(e) => break End::Transport(e),
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
