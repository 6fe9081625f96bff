//! The one board interface, [`Backend`], and its implementations: the
//! host board ([`host`], a process per cell), the emulated boards
//! ([`qemu`], a QEMU per cell, RTT over its GDB stub) and the real boards
//! ([`probe`], a debug probe, RTT read while the core runs); [`bare`] is
//! what the bare-metal backends share (the firmware ELF, its slot image).
//!
//! A cell goes through three stages: *prepare* (the record's preamble, the
//! module prepared and put into a slot image; no target is touched, so a
//! dry run is exactly this stage), *run* (the target runs the cell: how the
//! run ended as an [`End`], and every line it printed) and *conclude* (the
//! lines decoded into the record; when the cell did not report its end,
//! [`conclude`] turns the [`End`] into the failure: the one place that
//! does).

use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::time::Duration;

use trevm_catalog::board::{Access, Board};
use trevm_catalog::record::{Metric, Record};
use trevm_catalog::{Kind, Stage};

use crate::prepare::Preparer;
use crate::session::{self, Transcript};
use crate::suite::Workload;
use crate::target::TargetError;
use crate::workspace;

pub mod bare;
pub mod host;
pub mod probe;
pub mod qemu;

use bare::Firmware;

/// How cells run on one board.
///
/// # Contract
///
/// Implementations MUST follow these rules; the matrix, `--dry-run` and the
/// tests rely on them.
///
/// - **Failures are results.** No method panics on bad input or a
///   misbehaving target: whatever goes wrong with a cell ends as a failed
///   record with its `kind`, `stage` and a message that says what
///   happened. Problems that are not a cell's (a firmware that did not
///   build) are known before any cell runs ([`missing`](Backend::missing))
///   and fail each of their cells at [`prepare`](Backend::prepare).
/// - [`prepare`](Backend::prepare) MUST NOT touch the target: it starts the
///   record from [`crate::meta::preamble`], prepares the module with the
///   backend's [`Preparer`] and returns the cell ready to run, or the
///   failed record (stage `build` when nothing here runs the variant,
///   `prepare` when the module cannot be prepared, `load` when it does not
///   fit the firmware's slot). It MAY write files under `build/` (prepared
///   modules, slot files). It is all a dry run does, so what it returns
///   MUST be what [`run`](Backend::run) uses, unchanged.
/// - [`run`](Backend::run) MUST return within the time budget plus a
///   bounded grace, stopping the target when the budget runs out
///   ([`End::TimedOut`]). It MUST deliver every line the target printed, in
///   order and undecoded, a partial last line included, and the target's
///   own diagnostics separately ([`Run::log`]); it MUST say how the run
///   ended with an [`End`] and MUST NOT judge the cell itself (no record
///   is touched). It MUST leave the board ready for the next cell.
/// - [`conclude`](Backend::conclude) MUST decode the lines into the
///   prepared record and, when the cell did not report its end, fail it
///   with [`conclude`]; the provided method does exactly that, and an
///   implementation that overrides it MAY only add to the record.
/// - [`describe`](Backend::describe) MUST NOT touch the target; it lists
///   what a plan shows besides the cells (firmwares, addresses, images).
/// - [`run_cell`](Backend::run_cell) is the three stages in order; it is
///   provided and not meant to be overridden.
/// - Cells may run at once from several threads, up to
///   [`concurrency`](Backend::concurrency): each MUST stay isolated (its
///   own process, QEMU, socket and files) and keep its own time budget.
pub trait Backend: Send + Sync {
    /// The board it runs cells on.
    fn board(&self) -> &'static Board;

    /// How many cells can run at once: independent processes (the host,
    /// QEMU) as many as asked; one board behind one probe, one.
    fn concurrency(&self) -> usize {
        usize::MAX
    }

    /// The runtime variant labels it can run (a program or firmware is
    /// built), in table order.
    fn labels(&self) -> Vec<&'static str>;

    /// The variants that cannot run here, with why (e.g. a firmware that
    /// does not fit the chip).
    fn missing(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    /// Lines of a plan for `labels` beyond the cells: programs or
    /// firmwares, their addresses and images.
    fn describe(&self, labels: &[&str]) -> Vec<String>;

    /// Stage 1: the cell of `label` × `w`, ready to run, or its failed
    /// record.
    fn prepare(&self, label: &str, w: &Workload) -> Result<Prepared, Box<Record>>;

    /// Stage 2: runs a prepared cell within `timeout`.
    fn run(&self, cell: &Prepared, timeout: Duration) -> Run;

    /// Stage 3: the cell's record from what the run delivered.
    fn conclude(&self, cell: Prepared, run: Run, timeout: Duration) -> Record {
        let mut rec = cell.record;
        let t = session::decode(run.lines.iter().map(String::as_str), &mut rec);
        conclude(&run.end, &t, &run.log, timeout, &mut rec);
        rec
    }

    /// The three stages in order: one cell's record.
    fn run_cell(&self, label: &str, w: &Workload, timeout: Duration) -> Record {
        match self.prepare(label, w) {
            Ok(cell) => {
                let run = self.run(&cell, timeout);
                self.conclude(cell, run, timeout)
            }
            Err(failed) => *failed,
        }
    }
}

/// Makes `cmd`'s process (a cell process, a QEMU) die with the runner:
/// on Linux it gets `SIGKILL` when the runner's thread that started it
/// ends, so that a runner killed mid-cell (`kill -9`, no clean-up) leaves
/// nothing running. Elsewhere, unchanged.
pub fn dies_with_runner(cmd: &mut Command) -> &mut Command {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: the hook only calls async-signal-safe functions
        // (prctl, getppid) between fork and exec.
        let runner = unsafe { libc::getpid() };
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The runner died before the signal was set up.
                if libc::getppid() != runner {
                    return Err(std::io::Error::other("the runner is gone"));
                }
                Ok(())
            });
        }
    }
    cmd
}

/// A cell ready to run: what [`Backend::prepare`] made.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The record so far: preamble, firmware sizes, `wasm_bytes`.
    pub record: Record,
    /// The slot image (header and prepared module).
    pub image: Vec<u8>,
    /// Where the image was written, when the target loads it from a file.
    pub file: Option<PathBuf>,
    /// What runs it.
    pub load: Load,
}

/// What runs a prepared cell.
#[derive(Clone, Debug)]
pub enum Load {
    /// A host program, given the slot file.
    Program(PathBuf),
    /// A firmware, with the slot image written at `address`.
    Firmware {
        /// The firmware.
        firmware: Firmware,
        /// Where the image goes (in the target's address space, or a flash
        /// offset).
        address: u64,
    },
}

impl Prepared {
    /// The runtime variant label.
    pub fn label(&self) -> &str {
        &self.record.runtime
    }

    /// One line for a plan: what would be loaded where.
    pub fn describe(&self) -> String {
        match &self.load {
            Load::Program(p) => {
                format!("slot image {} B, run by {}", self.image.len(), p.display())
            }
            Load::Firmware { firmware, address } => format!(
                "slot image {} B at {address:#010x} (firmware {})",
                self.image.len(),
                firmware.build.name
            ),
        }
    }
}

/// What a run delivered.
#[derive(Debug)]
pub struct Run {
    /// How it ended.
    pub end: End,
    /// Every line the target printed, in order, a partial last line
    /// included.
    pub lines: Vec<String>,
    /// The target's own diagnostics (a process's stderr, QEMU's verdict),
    /// most telling last.
    pub log: Vec<String>,
}

impl Run {
    /// A run that ended before the target printed anything.
    pub fn ended(end: End) -> Self {
        Run {
            end,
            lines: Vec::new(),
            log: Vec::new(),
        }
    }
}

/// Why a process aborted, as Rust's standard library said it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abort {
    /// An allocation was refused (the heap budget).
    OutOfMemory,
    /// The native stack overflowed.
    StackOverflow,
}

/// How a run ended, whatever the backend.
#[derive(Debug)]
pub enum End {
    /// The target ended its session on its own terms (the firmware said
    /// `bye`).
    Finished,
    /// The cell process or emulator exited (`None`: it had to be killed
    /// after the session ended).
    Exited {
        /// Its exit status.
        status: Option<ExitStatus>,
    },
    /// The cell process aborted, and said why.
    Aborted(Abort),
    /// It ran past the time budget and was stopped.
    TimedOut,
    /// Talking to the target failed (the GDB stub).
    Transport(TargetError),
    /// The core halted before the end (breakpoint, fault with a debugger
    /// attached, watchpoint); the reason as the probe gives it.
    Halted(String),
    /// The core locked up (a fault while handling a fault).
    LockedUp,
    /// The core was reset, or the firmware started again, mid-cell.
    Reset,
    /// The debug probe failed or went away.
    ProbeLost(String),
    /// The RTT control block or channel is corrupt.
    Rtt(String),
    /// The firmware never set up RTT within the time budget.
    NoRtt,
    /// Attaching to, flashing or starting the board failed.
    NotLoaded(String),
    /// This build of the runner cannot run the cell (a cargo feature is
    /// off).
    Unsupported(String),
    /// The harness could not start or watch the target.
    Harness(String),
}

/// The one place that turns how a run ended into a failure: when the
/// transcript holds the cell's end (`done` or `fail`) or a garbled line,
/// the record already says everything; otherwise `end` says what happened,
/// with the last lines the target and the firmware printed.
pub fn conclude(end: &End, t: &Transcript, log: &[String], timeout: Duration, rec: &mut Record) {
    if t.finished || !t.garbled.is_empty() {
        return;
    }
    let last: Vec<&str> = t
        .text
        .iter()
        .chain(log)
        .map(String::as_str)
        .rev()
        .take(3)
        .collect();
    // A Rust panic's message, wherever it is in the log (a backtrace may
    // follow it): the line saying where, and the next, saying what.
    let panic = log
        .iter()
        .position(|l| l.contains(" panicked at "))
        .map(|i| {
            format!(
                "; {}",
                log[i..]
                    .iter()
                    .take(2)
                    .map(|l| l.trim())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        })
        .unwrap_or_default();
    let tail = if last.is_empty() {
        panic
    } else {
        format!("{panic}; last output: {}", last.join(" | "))
    };
    let who = match trevm_catalog::board::find(&rec.board).map(|b| b.access) {
        Some(Access::Host) => "the cell process",
        Some(Access::Qemu(_)) => "QEMU",
        _ => "the board",
    };
    let secs = timeout.as_secs();
    let (kind, stage, message) = match end {
        End::Finished => (
            Kind::Transport,
            Stage::Transport,
            "the firmware said bye without reporting the cell's end".to_string(),
        ),
        End::Exited { status } => (
            Kind::Crash,
            Stage::Run,
            format!(
                "{who} ended ({}) before the cell reported its end",
                status.map_or("killed".into(), |s| s.to_string())
            ),
        ),
        End::Aborted(Abort::OutOfMemory) => (
            Kind::OutOfMemory,
            Stage::Run,
            "the runtime aborted on a refused allocation".to_string(),
        ),
        End::Aborted(Abort::StackOverflow) => (
            Kind::Crash,
            Stage::Run,
            "native stack overflow in the runtime".to_string(),
        ),
        End::TimedOut => (
            Kind::Timeout,
            Stage::Run,
            format!("no result within the time budget of {secs} s; {who} was stopped"),
        ),
        End::Transport(e) => (
            Kind::Transport,
            Stage::Transport,
            format!("reading the report failed: {e}"),
        ),
        End::Halted(why) => (
            Kind::Crash,
            Stage::Run,
            format!("the core halted ({why}) before the cell reported its end"),
        ),
        End::LockedUp => (
            Kind::Crash,
            Stage::Run,
            "the core locked up (a fault while handling a fault)".to_string(),
        ),
        End::Reset => (
            Kind::Crash,
            Stage::Run,
            "the board reset before the cell reported its end (watchdog, brown-out or reset button)"
                .to_string(),
        ),
        End::ProbeLost(e) => (
            Kind::Transport,
            Stage::Transport,
            format!("lost the debug probe: {e}"),
        ),
        End::Rtt(e) => (Kind::Transport, Stage::Transport, format!("RTT: {e}")),
        End::NoRtt => (
            Kind::Crash,
            Stage::Run,
            format!("the firmware never set up its RTT channel within {secs} s (did it boot?)"),
        ),
        End::NotLoaded(e) => (Kind::Transport, Stage::Load, e.clone()),
        End::Unsupported(e) => (Kind::Unsupported, Stage::Run, e.clone()),
        End::Harness(e) => (Kind::Internal, Stage::Run, e.clone()),
    };
    rec.fail(kind, stage, format!("{message}{tail}"));
}

/// What every cell does to get its slot image, whatever the board: notes
/// the original module's size, prepares the module for a target of
/// `pointer_width` bits and wraps it in the slot header; or fails `rec` at
/// stage `prepare`.
pub fn slot_image(
    preparer: &Preparer,
    pointer_width: u32,
    label: &str,
    w: &Workload,
    rec: &mut Record,
) -> Option<Vec<u8>> {
    if let Ok(meta) = std::fs::metadata(&w.wasm) {
        rec.metrics
            .insert("wasm_bytes".into(), Metric::int(meta.len(), "B"));
    }
    match preparer.prepare(label, w, pointer_width) {
        Ok(payload) => Some(trevm_protocol::slot::write(
            w.abi, &w.suite, &w.name, label, &payload,
        )),
        Err(refused) => {
            rec.fail(refused.kind, Stage::Prepare, refused.message);
            None
        }
    }
}

/// Where the slot image of `label` × `w` on `board` goes:
/// `build/slots/<board>/<label>/<suite>-<name>.slot`.
pub fn slot_path(board: &str, label: &str, w: &Workload) -> PathBuf {
    workspace::build_dir()
        .join("slots")
        .join(board)
        .join(label)
        .join(format!("{}-{}.slot", w.suite, w.name))
}

/// Writes a slot image to its [`slot_path`] for targets that load it from
/// a file; or fails `rec`.
pub fn slot_file(
    board: &str,
    label: &str,
    w: &Workload,
    image: &[u8],
    rec: &mut Record,
) -> Option<PathBuf> {
    let path = slot_path(board, label, w);
    let made = match path.parent() {
        Some(dir) => std::fs::create_dir_all(dir),
        None => Ok(()),
    };
    match made.and_then(|_| std::fs::write(&path, image)) {
        Ok(()) => Some(path),
        Err(e) => {
            rec.fail(
                Kind::Internal,
                Stage::Prepare,
                format!("{}: {e}", path.display()),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trevm_protocol::Message;

    fn line(m: Message<&str>) -> String {
        let mut s = String::new();
        m.write(&mut s).unwrap();
        s.trim_end().to_string()
    }

    fn hello() -> String {
        line(Message::Hello {
            board: "b",
            runtime: "wasmi",
            crate_name: "",
            version: "",
            features: "",
            clock_unit: "cycles",
            clock_source: "x",
            clock_hz: 1,
            heap: 1,
        })
    }

    fn concluded(board: &str, end: End, lines: &[String], log: &[&str]) -> Record {
        let mut rec = Record::new(board, "wasmi", "own", "w");
        let t = session::decode(lines, &mut rec);
        let log: Vec<String> = log.iter().map(|s| s.to_string()).collect();
        conclude(&end, &t, &log, Duration::from_secs(5), &mut rec);
        rec
    }

    #[test]
    fn every_end_becomes_a_failed_record_with_the_last_output() {
        let lines = vec![hello(), "panicked at x".to_string()];
        let exit = || {
            use std::os::unix::process::ExitStatusExt;
            ExitStatus::from_raw(1 << 8)
        };
        for (end, kind, stage) in [
            (End::Finished, Kind::Transport, Stage::Transport),
            (
                End::Exited {
                    status: Some(exit()),
                },
                Kind::Crash,
                Stage::Run,
            ),
            (End::Exited { status: None }, Kind::Crash, Stage::Run),
            (
                End::Aborted(Abort::OutOfMemory),
                Kind::OutOfMemory,
                Stage::Run,
            ),
            (End::Aborted(Abort::StackOverflow), Kind::Crash, Stage::Run),
            (End::TimedOut, Kind::Timeout, Stage::Run),
            (
                End::Transport(TargetError::Closed),
                Kind::Transport,
                Stage::Transport,
            ),
            (End::Halted("Exception".into()), Kind::Crash, Stage::Run),
            (End::LockedUp, Kind::Crash, Stage::Run),
            (End::Reset, Kind::Crash, Stage::Run),
            (
                End::ProbeLost("usb".into()),
                Kind::Transport,
                Stage::Transport,
            ),
            (
                End::Rtt("corrupt".into()),
                Kind::Transport,
                Stage::Transport,
            ),
            (End::NoRtt, Kind::Crash, Stage::Run),
            (End::NotLoaded("flash".into()), Kind::Transport, Stage::Load),
            (
                End::Unsupported("no probe".into()),
                Kind::Unsupported,
                Stage::Run,
            ),
            (End::Harness("spawn".into()), Kind::Internal, Stage::Run),
        ] {
            let what = format!("{end:?}");
            let rec = concluded("rpi-pico2-w", end, &lines, &["stderr says"]);
            let e = rec.error.as_ref().unwrap();
            assert_eq!((e.kind, e.stage), (kind, stage), "{what}: {}", e.message);
            assert!(
                e.message.contains("stderr says | panicked at x"),
                "{what}: {}",
                e.message
            );
        }
    }

    #[test]
    fn a_reported_end_or_a_garbled_line_is_not_overruled() {
        let done = line(Message::Done {
            verified: true,
            exit: 0,
        });
        let rec = concluded("host", End::TimedOut, &[hello(), done], &[]);
        assert!(rec.is_ok(), "{:?}", rec.error);
        let rec = concluded(
            "host",
            End::TimedOut,
            &[hello(), "@T1 done garbage".into()],
            &[],
        );
        assert_eq!(rec.error.unwrap().kind, Kind::Transport);
    }

    #[test]
    fn messages_name_what_stopped() {
        let rec = concluded("qemu-m33", End::TimedOut, &[], &[]);
        assert!(rec.error.unwrap().message.contains("QEMU was stopped"));
        let rec = concluded("host", End::Exited { status: None }, &[], &[]);
        let m = rec.error.unwrap().message;
        assert!(m.starts_with("the cell process ended (killed)"), "{m}");
        assert!(!m.contains("last output"), "{m}");
        let rec = concluded(
            "host",
            End::Exited { status: None },
            &[],
            &[
                "thread 'main' (1) panicked at src/x.rs:3:9:",
                "assertion failed: ok",
                "note: run with `RUST_BACKTRACE=1`",
            ],
        );
        let m = rec.error.unwrap().message;
        assert!(
            m.contains(
                "; thread 'main' (1) panicked at src/x.rs:3:9: assertion failed: ok; last output"
            ),
            "{m}"
        );
    }
}
