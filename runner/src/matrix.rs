//! Runs the matrix: runtime variants × workloads on one board, with
//! progress, appending each finished cell to the results file.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::boards::{self, Access};
use crate::host::HostBoard;
use crate::probe::ProbeBoard;
use crate::qemu::QemuBoard;
use crate::results::{Record, ResultsFile};
use crate::suite::{self, Workload};

/// A board the matrix runs cells on.
pub trait CellRunner {
    /// Runs one cell; never panics on bad input, a failure is a failed
    /// record with its reason.
    fn run_cell(&self, label: &str, w: &Workload, timeout: Duration) -> Record;
}

impl CellRunner for HostBoard {
    fn run_cell(&self, label: &str, w: &Workload, timeout: Duration) -> Record {
        HostBoard::run_cell(self, label, w, timeout)
    }
}

impl CellRunner for QemuBoard {
    fn run_cell(&self, label: &str, w: &Workload, timeout: Duration) -> Record {
        QemuBoard::run_cell(self, label, w, timeout)
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Board name.
    pub board: String,
    /// Runtime variant labels (empty: all the board can run).
    pub runtimes: Vec<String>,
    /// Suite names.
    pub suites: Vec<String>,
    /// Results file (appended to).
    pub out: PathBuf,
    /// Time budget per cell.
    pub timeout: Duration,
    /// Run cells again even when the results file has them as `ok`.
    pub rerun: bool,
    /// Build what is missing first.
    pub build: bool,
    /// Real boards: the debug probe, `VID:PID[:SERIAL]` (default: the
    /// first one found).
    pub probe: Option<String>,
}

/// How a run went.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Cells that ran and succeeded.
    pub ok: usize,
    /// Cells that ran and failed (each recorded with its reason).
    pub failed: usize,
    /// Cells skipped because the results file already had them.
    pub skipped: usize,
    /// Problems that are not a cell's (missing suites, failed builds).
    pub notes: Vec<String>,
}

/// The workloads of the requested suites; suites that are not built are
/// reported in `notes` and skipped.
pub fn workloads(suites: &[String], notes: &mut Vec<String>) -> Vec<Workload> {
    let mut all = Vec::new();
    for s in suites {
        match suite::discover(s) {
            Ok(w) => all.extend(w),
            Err(msg) => notes.push(msg),
        }
    }
    all
}

/// Runs `plan` on its board.
pub fn run(plan: &Plan) -> Result<Summary, String> {
    let board = boards::find(&plan.board)?;
    let mut summary = Summary::default();
    let wanted: Vec<&str> = if plan.runtimes.is_empty() {
        RUNTIMES.to_vec()
    } else {
        plan.runtimes.iter().map(String::as_str).collect()
    };
    for r in &wanted {
        if !RUNTIMES.contains(r) {
            return Err(format!(
                "unknown runtime `{r}` (known: {})",
                RUNTIMES.join(", ")
            ));
        }
    }
    if plan.build && plan.suites.iter().any(|s| s == "own") {
        crate::build::own_workloads()?;
    }
    let runner: Box<dyn CellRunner> = match (board.access, plan.build) {
        (Access::Host, true) => {
            let (b, problems) = HostBoard::build(&wanted);
            summary.notes.extend(problems);
            Box::new(b)
        }
        (Access::Host, false) => Box::new(HostBoard::existing()),
        (Access::Qemu(_), true) => {
            let (b, problems) = QemuBoard::build(board, &wanted)?;
            summary.notes.extend(problems);
            Box::new(b)
        }
        (Access::Qemu(_), false) => Box::new(QemuBoard::existing(board)?),
        (Access::Probe(_), true) => {
            let (b, problems) = ProbeBoard::build(board, &wanted, plan.probe.clone())?;
            summary.notes.extend(problems);
            Box::new(b)
        }
        (Access::Probe(_), false) => Box::new(ProbeBoard::existing(board, plan.probe.clone())?),
    };
    let workloads = workloads(&plan.suites, &mut summary.notes);
    let mut out = ResultsFile::open(&plan.out)
        .map_err(|e| format!("cannot open {}: {e}", plan.out.display()))?;
    let total = wanted.len() * workloads.len();
    let started = Instant::now();
    let mut i = 0;
    for label in &wanted {
        for w in &workloads {
            i += 1;
            if !plan.rerun && out.has_ok(board.name, label, &w.suite, &w.name) {
                summary.skipped += 1;
                continue;
            }
            let rec = runner.run_cell(label, w, plan.timeout);
            progress(i, total, &rec, started);
            if rec.is_ok() {
                summary.ok += 1;
            } else {
                summary.failed += 1;
            }
            out.append(&rec)
                .map_err(|e| format!("cannot append to {}: {e}", plan.out.display()))?;
        }
    }
    Ok(summary)
}

/// Runtime variant labels, in the order tables use.
pub const RUNTIMES: &[&str] = trevm_bench::runtimes::ALL;

fn progress(i: usize, total: usize, rec: &Record, started: Instant) {
    let what = match (&rec.error, rec.metrics.get("interval")) {
        (None, Some(m)) => format!("ok {} {}", m.value, m.unit),
        (Some(e), _) => format!("FAILED {}: {}", e.kind, first_line(&e.message)),
        (None, None) => "ok".into(),
    };
    eprintln!(
        "[{i:>4}/{total}] {:>7.1}s  {:<17} {:<9} {:<18} {what}",
        started.elapsed().as_secs_f64(),
        rec.runtime,
        rec.suite,
        rec.workload
    );
}

fn first_line(s: &str) -> &str {
    let l = s.lines().next().unwrap_or("");
    if l.len() > 120 {
        &l[..l.char_indices().nth(120).map_or(l.len(), |(i, _)| i)]
    } else {
        l
    }
}
