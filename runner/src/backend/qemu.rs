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
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use trevm_catalog::board::{Access, Board, Qemu};
use trevm_catalog::os::BARE;
use trevm_catalog::profile::Profile;
use trevm_catalog::record::Record;
use trevm_protocol::{parse, Line, Message};
use wait_timeout::ChildExt;

use super::bare::{self, Firmware, FirmwareSet};
use super::{slot_file, Backend, End, Load, Prepared, Run};
use crate::error::{Error, Result};
use crate::meta;
use crate::prepare::Preparer;
use crate::suite::Workload;
use crate::target::gdb::{BreakpointKind, GdbClient, StopReason};
use crate::target::rtt::{ControlBlock, DownChannel, LineAssembler, UpChannel};
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

/// A fresh path for QEMU's GDB socket.
fn gdb_socket() -> PathBuf {
    let socket = std::env::temp_dir().join(format!(
        "trevm-{}-{}.gdb",
        std::process::id(),
        SESSION.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&socket);
    socket
}

/// QEMU booting `elf` halted (`-S`), with its GDB stub on `socket`, time
/// in instructions, and the slot image `slot.0` loaded at `slot.1`.
fn qemu_command(q: &Qemu, elf: &Path, slot: Option<(&Path, u64)>, socket: &Path) -> Command {
    let mut cmd = Command::new(q.program);
    cmd.args(["-M", q.machine]);
    if let Some(cpu) = q.cpu {
        cmd.args(["-cpu", cpu]);
    }
    cmd.args(q.args)
        .args(["-display", "none", "-monitor", "none", "-serial", "null"])
        .args(["-icount", "shift=0,align=off,sleep=off"])
        .arg("-kernel")
        .arg(elf);
    if let Some((file, address)) = slot {
        cmd.arg("-device")
            .arg(format!("loader,file={},addr={address:#x}", file.display()));
    }
    super::dies_with_runner(&mut cmd);
    cmd.arg("-S")
        .arg("-chardev")
        .arg(format!(
            "socket,path={},server=on,wait=off,id=gdb0",
            socket.display()
        ))
        .args(["-gdb", "chardev:gdb0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Boots `fw` with the slot image `slot` loaded at `address` in QEMU, and
/// reads the cell's lines.
pub fn run_qemu(q: &Qemu, fw: &Firmware, slot: &Path, address: u64, timeout: Duration) -> Run {
    let socket = gdb_socket();
    let mut cmd = qemu_command(q, &fw.elf, Some((slot, address)), &socket);
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

/// A device firmware (the catalog's `os::RTT_DEVICE`) running in QEMU:
/// requests ([`trevm_protocol::request`] frames) go down the RTT down
/// channel while the guest is stopped at its flush point (it stops there
/// whenever it has nothing to read), answers come back as `reply` lines on
/// the up channel. QEMU is stopped when this is dropped.
pub struct QemuDevice {
    child: Child,
    gdb: GdbClient<UnixStream>,
    socket: PathBuf,
    up: UpChannel,
    down: DownChannel,
    assembler: LineAssembler,
    /// What the firmware printed besides replies (its `hello` and `log`
    /// lines), in order.
    pub lines: Vec<String>,
}

impl QemuDevice {
    /// Boots the device firmware `elf` on the emulated `board` and waits
    /// until it serves (its first stop after start-up).
    pub fn start(board: &'static Board, elf: &Path) -> Result<Self> {
        let q = machine(board)?;
        let fw = Firmware::inspect(elf, trevm_catalog::os::rtt_device_build())?;
        let socket = gdb_socket();
        let mut child = qemu_command(&q, elf, None, &socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error::Deploy(format!("cannot start {}: {e}", q.program)))?;
        let session = (|| {
            let mut gdb = GdbClient::connect_unix(&socket, Duration::from_secs(10))?;
            gdb.insert_breakpoint(fw.flush, BreakpointKind::Software)?;
            expect_stop(gdb.continue_and_wait(Duration::from_secs(60))?)?;
            let cb = ControlBlock::read(&mut gdb, fw.rtt)?;
            let up = cb.up_channel(&mut gdb, 0)?;
            let down = cb.down_channel(&mut gdb, 0)?;
            Ok::<_, TargetError>((gdb, up, down))
        })();
        let (gdb, up, down) = match session {
            Ok(s) => s,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_file(&socket);
                return Err(Error::Deploy(format!(
                    "the device firmware {} did not start in QEMU: {e}",
                    elf.display()
                )));
            }
        };
        let mut device = QemuDevice {
            child,
            gdb,
            socket,
            up,
            down,
            assembler: LineAssembler::new(),
            lines: Vec::new(),
        };
        device
            .drain()
            .map_err(|e| Error::Deploy(format!("reading the device: {e}")))?;
        Ok(device)
    }

    /// Sends one request (`method`: the CoAP method code) and waits up to
    /// `timeout` for its reply: the response code and payload bytes.
    pub fn request(
        &mut self,
        method: u8,
        path: &str,
        payload: &[u8],
        timeout: Duration,
    ) -> std::result::Result<(u8, Vec<u8>), TargetError> {
        let frame = trevm_protocol::request::encode(method, path, payload)
            .ok_or_else(|| TargetError::protocol(format!("a path of {} bytes", path.len())))?;
        let deadline = Instant::now() + timeout;
        let mut sent = 0;
        loop {
            if sent < frame.len() {
                sent += self.down.write(&mut self.gdb, &frame[sent..])?;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            expect_stop(self.gdb.continue_and_wait(left)?)?;
            for m in self.drain()? {
                if let Message::Reply { code, payload } = m {
                    let bytes = trevm_protocol::request::unhex(&payload).ok_or_else(|| {
                        TargetError::protocol(format!("a reply payload that is not hex: {payload}"))
                    })?;
                    return Ok((code, bytes));
                }
            }
        }
    }

    /// Drains the up channel: the protocol messages it completes; other
    /// lines go to [`QemuDevice::lines`].
    fn drain(&mut self) -> std::result::Result<Vec<Message<String>>, TargetError> {
        let bytes = self.up.drain(&mut self.gdb)?;
        let mut out = Vec::new();
        for line in self.assembler.push(&bytes) {
            match parse(&line) {
                Ok(Line::Message(m @ Message::Reply { .. })) => out.push(m),
                Ok(_) => self.lines.push(line),
                Err(e) => return Err(TargetError::protocol(e.to_string())),
            }
        }
        Ok(out)
    }
}

impl Drop for QemuDevice {
    fn drop(&mut self) {
        let _ = self.gdb.kill(Duration::from_secs(2));
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.socket);
    }
}

/// A stop at the flush point is what a device session expects; anything
/// else ends it.
fn expect_stop(stop: StopReason) -> std::result::Result<(), TargetError> {
    match stop {
        StopReason::Halted { .. } => Ok(()),
        StopReason::TimedOut => Err(TargetError::Timeout("the device".into())),
        StopReason::Exited(c) => Err(TargetError::Exited(c)),
        StopReason::Signalled(s) => Err(TargetError::Signalled(s)),
        StopReason::Closed => Err(TargetError::Closed),
    }
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
