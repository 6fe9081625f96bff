//! Runs the matrix: runtime variants × workloads on one board, with a
//! progress line per cell, appending each finished cell to the results
//! file; or, dry, prints its plan. Both go through [`setup`] and each
//! cell's [`Backend::prepare`], so the plan is what a run would do.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use trevm_catalog::record::Record;
use trevm_catalog::results::ResultsFile;
use trevm_catalog::suite::{Source, Suite};

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::factory;
use crate::select;
use crate::suite::{self, Workload};

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Board name.
    pub board: String,
    /// Runtime variant labels (empty: all of the catalog).
    pub runtimes: Vec<String>,
    /// Suite names (`all`: every suite).
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
    /// Memory profile name (`default`, `paper`; the catalog's profiles).
    pub profile: String,
    /// Operating system name (`bare`, `ariel-os`; `None`: the board's
    /// default).
    pub os: Option<String>,
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

/// A board's backend with the cells to run on it.
pub struct Setup {
    /// The backend.
    pub backend: Box<dyn Backend>,
    /// The runtime variant labels, in order.
    pub labels: Vec<&'static str>,
    /// The workloads, suite by suite.
    pub workloads: Vec<Workload>,
    /// Problems that are not a cell's.
    pub notes: Vec<String>,
}

impl Setup {
    /// The cells, in the order they run: label by label, every workload
    /// the variant runs (capsules only where it hosts components).
    pub fn cells(&self) -> impl Iterator<Item = (&'static str, &Workload)> + '_ {
        self.labels.iter().flat_map(move |l| {
            self.workloads
                .iter()
                .filter(move |w| w.runs_on(l))
                .map(move |w| (*l, w))
        })
    }
}

/// The workloads of `suites`; suites that are not built are reported in
/// `notes` and skipped.
pub fn workloads(suites: &[&'static Suite], notes: &mut Vec<String>) -> Vec<Workload> {
    let mut all = Vec::new();
    for s in suites {
        match suite::discover(s) {
            Ok(w) => all.extend(w),
            Err(e) => notes.push(e.to_string()),
        }
    }
    all
}

/// Checks `o`'s names against the catalog, builds what is missing (when
/// asked) and opens the board's backend.
pub fn setup(o: &Options) -> Result<Setup> {
    let board = select::board(&o.board)?;
    let suites = select::suites(&o.suites)?;
    // Only the variants that run one of the suites (capsules need the
    // Component Model): nothing is built for the others.
    let mut labels = select::runtimes(&o.runtimes)?;
    let without: Vec<&str> = labels
        .iter()
        .copied()
        .filter(|l| {
            trevm_catalog::runtime::find(l).is_some_and(|r| !suites.iter().any(|s| r.runs(s.abi)))
        })
        .collect();
    labels.retain(|l| !without.contains(l));
    let how = factory::Options {
        build: o.build,
        probe: o.probe.clone(),
        profile: select::profile(&o.profile)?,
        os: Some(select::os(board, o.os.as_deref())?),
    };
    factory::check(board, &how)?;
    if o.build && suites.iter().any(|s| s.source == Source::Own) {
        crate::build::own_workloads()?;
    }
    let opened = factory::open(board, &labels, &how)?;
    let mut notes = opened.notes;
    let workloads = workloads(&suites, &mut notes);
    for s in &suites {
        let not_run: Vec<&str> = labels
            .iter()
            .chain(&without)
            .copied()
            .filter(|l| trevm_catalog::runtime::find(l).is_some_and(|r| !r.runs(s.abi)))
            .collect();
        if !not_run.is_empty() && workloads.iter().any(|w| w.suite == s.name) {
            notes.push(format!(
                "suite `{}` ({} ABI) is not run by {} (no Component Model)",
                s.name,
                s.abi.as_str(),
                not_run.join(", ")
            ));
        }
    }
    Ok(Setup {
        backend: opened.backend,
        labels,
        workloads,
        notes,
    })
}

/// Runs `o` on its board.
pub fn run(o: &Options) -> Result<Summary> {
    let s = setup(o)?;
    let mut summary = Summary {
        notes: s.notes.clone(),
        ..Summary::default()
    };
    let mut out = ResultsFile::open(&o.out)
        .map_err(|e| Error::io(format!("cannot open {}", o.out.display()), e))?;
    let board = s.backend.board().name;
    let total = s.cells().count();
    let started = Instant::now();
    for (i, (label, w)) in s.cells().enumerate() {
        if !o.rerun && out.has_ok(board, label, &w.suite, &w.name) {
            summary.skipped += 1;
            continue;
        }
        let rec = s.backend.run_cell(label, w, o.timeout);
        eprintln!("{}", progress(i + 1, total, &rec, started));
        if rec.is_ok() {
            summary.ok += 1;
        } else {
            summary.failed += 1;
        }
        out.append(&rec)
            .map_err(|e| Error::io(format!("cannot append to {}", o.out.display()), e))?;
    }
    Ok(summary)
}

/// `--dry-run`: the plan of `o`, from the same setup and the same
/// preparation a run does (the module of every cell is prepared and its
/// slot image made), without running a cell.
pub fn plan(o: &Options) -> Result<String> {
    let s = setup(o)?;
    let board = s.backend.board();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "plan for {}: {} runtime variant(s) x {} workload(s), {} cell(s)",
        board.name,
        s.labels.len(),
        s.workloads.len(),
        s.cells().count()
    );
    for line in s.backend.describe(&s.labels) {
        let _ = writeln!(text, "{line}");
    }
    for (label, w) in s.cells() {
        let what = match s.backend.prepare(label, w) {
            Ok(cell) => cell.describe(),
            Err(rec) => {
                let e = rec.error.as_ref().expect("a failed record says why");
                format!("would fail: {} at {} ({})", e.kind, e.stage, e.message)
            }
        };
        let _ = writeln!(text, "  {label} {}/{}: {what}", w.suite, w.name);
    }
    for n in &s.notes {
        let _ = writeln!(text, "note: {n}");
    }
    Ok(text)
}

/// The progress line of a finished cell.
pub fn progress(i: usize, total: usize, rec: &Record, started: Instant) -> String {
    let what = match (&rec.error, rec.metrics.get("interval")) {
        (None, Some(m)) => format!("ok {} {}", m.value, m.unit),
        (Some(e), _) => format!("FAILED {}: {}", e.kind, first_line(&e.message)),
        (None, None) => "ok".into(),
    };
    format!(
        "[{i:>4}/{total}] {:>7.1}s  {:<17} {:<9} {:<18} {what}",
        started.elapsed().as_secs_f64(),
        rec.runtime,
        rec.suite,
        rec.workload
    )
}

fn first_line(s: &str) -> &str {
    let l = s.lines().next().unwrap_or("");
    match l.char_indices().nth(120) {
        Some((i, _)) => &l[..i],
        None => l,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trevm_catalog::{Kind, Stage};

    #[test]
    fn progress_lines_say_ok_or_why_not() {
        let t = Instant::now();
        let ok = Record::ok("host", "wasmi", "own", "crc32").with_metric("interval", 1234.0, "ns");
        let line = progress(3, 10, &ok, t);
        assert!(
            line.starts_with("[   3/10]") && line.ends_with("ok 1234 ns"),
            "{line}"
        );
        let mut bad = Record::new("host", "wasmi", "own", "crc32");
        bad.fail(
            Kind::Trap,
            Stage::Run,
            format!("{}\nsecond line", "x".repeat(200)),
        );
        let line = progress(4, 10, &bad, t);
        assert!(
            line.ends_with(&format!("FAILED trap: {}", "x".repeat(120))),
            "{line}"
        );
    }

    #[test]
    fn bad_names_stop_before_anything_is_built() {
        let o = Options {
            board: "qemu-m99".into(),
            runtimes: vec![],
            suites: vec!["own".into()],
            out: PathBuf::from("/nonexistent/x.jsonl"),
            timeout: Duration::from_secs(1),
            rerun: false,
            build: true,
            probe: None,
            profile: "default".into(),
            os: None,
        };
        assert!(matches!(run(&o), Err(Error::UnknownBoard { .. })));
        let o = Options {
            board: "qemu-m4f".into(),
            profile: "papers".into(),
            ..o
        };
        assert!(matches!(run(&o), Err(Error::UnknownProfile { .. })));
        let o = Options {
            board: "host".into(),
            profile: "paper".into(),
            ..o
        };
        assert!(matches!(plan(&o), Err(Error::WrongBoard { .. })));
        let o = Options {
            board: "host".into(),
            runtimes: vec!["wasm9".into()],
            profile: "default".into(),
            ..o
        };
        assert!(matches!(plan(&o), Err(Error::UnknownRuntime { .. })));
        // Ariel OS has no QEMU board; the host runs bare metal only.
        let o = Options {
            board: "qemu-m4f".into(),
            runtimes: vec![],
            os: Some("ariel-os".into()),
            ..o
        };
        let e = plan(&o).err().unwrap();
        assert!(matches!(e, Error::WrongOs { .. }) && e.is_usage(), "{e}");
        assert!(e.to_string().contains("--os bare"), "{e}");
        let o = Options {
            board: "nrf52840dk".into(),
            os: Some("zephyr".into()),
            ..o
        };
        assert!(matches!(plan(&o), Err(Error::UnknownOs { .. })));
        // Ariel OS lays out memory itself: no paper profile.
        let o = Options {
            os: Some("ariel-os".into()),
            profile: "paper".into(),
            ..o
        };
        assert!(matches!(plan(&o), Err(Error::ProfileOs { .. })));
    }
}
