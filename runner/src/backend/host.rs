//! The host board: each cell runs in its own process (a host program's
//! `run` subcommand), so a hung or crashed runtime is killed without
//! touching the rest of the matrix, and peak heap is measured per cell.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use trevm_catalog::board::{Access, Board, BOARDS};
use trevm_catalog::os::{Os, BARE};
use trevm_catalog::profile::DEFAULT;
use trevm_catalog::record::Record;
use trevm_catalog::{Kind, Stage};
use wait_timeout::ChildExt;

use super::{slot_file, slot_image, Abort, Backend, End, Load, Prepared, Run};
use crate::build;
use crate::meta;
use crate::prepare::Preparer;
use crate::programs::HostPrograms;
use crate::suite::Workload;

/// The backend of a board whose cells are processes on the build machine:
/// the host board (bare: the host programs) and `ariel-native` (Ariel OS:
/// one Ariel OS application per firmware build, run the same way).
#[derive(Clone, Debug)]
pub struct HostBackend {
    board: &'static Board,
    os: &'static Os,
    programs: HostPrograms,
    preparer: Preparer,
    /// Heap budget per cell, bytes (default: the board's RAM budget).
    pub heap_limit: usize,
    /// Fuel budget for variants that meter fuel (`None`: the variant's
    /// default, practically unlimited).
    pub fuel: Option<u64>,
}

/// The catalog's host board.
pub fn host_board() -> &'static Board {
    BOARDS
        .iter()
        .find(|b| b.access == Access::Host)
        .expect("the catalog has a host board")
}

impl HostBackend {
    /// Runs cells with `programs`, preparing modules with `preparer`.
    pub fn new(programs: HostPrograms, preparer: Preparer) -> Self {
        Self::on(host_board(), &BARE, programs, preparer)
    }

    /// Runs cells of `board` (a process board) on `os` with `programs`.
    pub fn on(
        board: &'static Board,
        os: &'static Os,
        programs: HostPrograms,
        preparer: Preparer,
    ) -> Self {
        HostBackend {
            board,
            os,
            programs,
            preparer,
            heap_limit: board.budget.ram as usize,
            fuel: None,
        }
    }

    /// Over the host programs already built.
    pub fn existing() -> Self {
        let programs = HostPrograms::existing();
        HostBackend::new(programs.clone(), Preparer::new(programs))
    }

    /// The program that runs `label`.
    pub fn program(&self, label: &str) -> Option<&Path> {
        self.programs.program(label)
    }
}

impl Backend for HostBackend {
    fn board(&self) -> &'static Board {
        self.board
    }

    fn labels(&self) -> Vec<&'static str> {
        self.programs.labels()
    }

    fn describe(&self, labels: &[&str]) -> Vec<String> {
        if self.os.is_ariel() {
            return labels
                .iter()
                .map(|l| match self.programs.program(l) {
                    Some(p) => format!("Ariel OS program for {l}: {}", p.display()),
                    None => format!(
                        "{l}: no Ariel OS program built (make firmware BOARD={})",
                        self.board.name
                    ),
                })
                .collect();
        }
        build::host_programs()
            .into_iter()
            .filter(|p| labels.iter().any(|l| p.serves.contains(l)))
            .map(|p| {
                let state = if p.path().exists() {
                    ""
                } else {
                    " (not built)"
                };
                format!(
                    "host program {}: {}{state}, runs {}",
                    p.env.name,
                    p.path().display(),
                    p.serves.join(", ")
                )
            })
            .collect()
    }

    fn prepare(&self, label: &str, w: &Workload) -> Result<Prepared, Box<Record>> {
        // A process has no memory layout: always the default profile.
        let mut rec = meta::preamble(self.board, self.os, &DEFAULT, label, &w.suite, &w.name);
        let Some(program) = self.programs.program(label) else {
            let how = if self.os.is_ariel() {
                format!("make firmware BOARD={}", self.board.name)
            } else {
                "make host-programs".into()
            };
            let why = match self.programs.why_missing(label) {
                Some(why) => why.to_string(),
                None => format!(
                    "runtime `{label}` is not built for {}: run `{how}`",
                    self.board.name
                ),
            };
            rec.fail(Kind::Build, Stage::Build, why);
            return Err(Box::new(rec));
        };
        let Some(image) = slot_image(&self.preparer, self.board.pointer_width, label, w, &mut rec)
        else {
            return Err(Box::new(rec));
        };
        let Some(file) = slot_file(self.board.name, label, w, &image, &mut rec) else {
            return Err(Box::new(rec));
        };
        Ok(Prepared {
            record: rec,
            image,
            file: Some(file),
            load: Load::Program(program.to_path_buf()),
        })
    }

    fn run(&self, cell: &Prepared, timeout: Duration) -> Run {
        let (Load::Program(program), Some(file)) = (&cell.load, &cell.file) else {
            return Run::ended(End::Harness("not a host cell".into()));
        };
        let mut cmd = Command::new(program);
        cmd.arg("run")
            .arg(cell.label())
            .arg(file)
            .arg(self.heap_limit.to_string());
        if let Some(fuel) = self.fuel {
            cmd.arg(fuel.to_string());
        }
        run_process(&mut cmd, timeout)
    }
}

/// Runs a cell process with a time budget: its stdout lines, its stderr as
/// the log, and how it ended.
pub fn run_process(cmd: &mut Command, timeout: Duration) -> Run {
    let mut child = match super::dies_with_runner(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return Run::ended(End::Harness(format!("cannot start the cell process: {e}"))),
    };
    // Drain both pipes on threads so a chatty child never blocks.
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let waited = child.wait_timeout(timeout);
    if !matches!(waited, Ok(Some(_))) {
        let _ = child.kill();
        let _ = child.wait();
    }
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    let end = match waited {
        Ok(Some(status)) => ended(status, &stderr),
        Ok(None) => End::TimedOut,
        Err(e) => End::Harness(format!("waiting for the cell process failed: {e}")),
    };
    Run {
        end,
        lines: stdout.lines().map(String::from).collect(),
        log: stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(String::from)
            .collect(),
    }
}

fn drain<R: Read + Send + 'static>(r: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(mut r) = r {
            let _ = r.read_to_end(&mut v);
        }
        v
    })
}

/// How a cell process that ended on its own ended: its exit status, and
/// for an abort, why (see [`std_abort`]).
fn ended(status: ExitStatus, stderr: &str) -> End {
    use std::os::unix::process::ExitStatusExt;
    /// POSIX `SIGABRT` (6 on every platform the runner supports).
    const SIGABRT: i32 = 6;
    match (status.signal(), std_abort(stderr)) {
        (Some(SIGABRT), Some(why)) => End::Aborted(why),
        _ => End::Exited {
            status: Some(status),
        },
    }
}

/// Why Rust's standard library aborted a process, read from the message it
/// prints before `abort()`. Both causes end in the same `SIGABRT`, so no
/// typed signal tells them apart; this is the one place that reads them:
///
/// - `memory allocation of N bytes failed`: std's default allocation error
///   hook (the tracking allocator refused an allocation past the heap
///   budget);
/// - `thread '…' has overflowed its stack`: std's stack guard handler.
pub fn std_abort(stderr: &str) -> Option<Abort> {
    if stderr.contains("memory allocation of") {
        Some(Abort::OutOfMemory)
    } else if stderr.contains("overflowed its stack") {
        Some(Abort::StackOverflow)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> Run {
        run_process(Command::new("sh").args(["-c", script]), timeout)
    }

    #[test]
    fn process_ends_are_typed() {
        let r = sh("echo line; echo oops >&2; exit 3", Duration::from_secs(10));
        assert!(
            matches!(r.end, End::Exited { status: Some(s) } if s.code() == Some(3)),
            "{r:?}"
        );
        assert_eq!(
            (r.lines, r.log),
            (vec!["line".to_string()], vec!["oops".to_string()])
        );
        let r = sh(
            "echo 'memory allocation of 8 bytes failed' >&2; kill -ABRT $$",
            Duration::from_secs(10),
        );
        assert!(matches!(r.end, End::Aborted(Abort::OutOfMemory)), "{r:?}");
        let r = sh(
            "echo \"thread 'main' has overflowed its stack\" >&2; kill -ABRT $$",
            Duration::from_secs(10),
        );
        assert!(matches!(r.end, End::Aborted(Abort::StackOverflow)), "{r:?}");
        // The message alone is not an abort.
        let r = sh(
            "echo 'memory allocation of 8 bytes failed' >&2; exit 1",
            Duration::from_secs(10),
        );
        assert!(matches!(r.end, End::Exited { .. }), "{r:?}");
        let r = sh("sleep 5", Duration::from_millis(100));
        assert!(matches!(r.end, End::TimedOut), "{r:?}");
        let r = run_process(
            &mut Command::new("/nonexistent/program"),
            Duration::from_secs(1),
        );
        assert!(matches!(r.end, End::Harness(_)), "{r:?}");
    }
}
