//! Runs the matrix: runtime variants × workloads on one board, cells in
//! parallel where the board allows it, each repeated where asked, with a
//! progress line per finished cell, appending each to the results file;
//! or, dry, prints its plan. Both go through [`setup`] and each cell's
//! [`Backend::prepare`], so the plan is what a run would do.
//!
//! The cells are ordered label by label, workload by workload; a shard
//! ([`Shard`]) is a contiguous part of that order, so that each shard
//! builds only the firmwares of its own variants.

use std::fmt::Write as _;
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use trevm_catalog::record::Record;
use trevm_catalog::results::ResultsFile;
use trevm_catalog::stats::Spread;
use trevm_catalog::suite::{Source, Suite};
use trevm_catalog::{Kind, Stage};

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
    /// Time budget per cell (per sample when repeated).
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
    /// Cells run at once (0: the machine's cores); the board may allow
    /// fewer ([`Backend::concurrency`]).
    pub jobs: usize,
    /// Samples of each cell's measurements (`None`: the board's default,
    /// [`trevm_catalog::board::Board::default_repeat`]).
    pub repeat: Option<u32>,
    /// Only this part of the matrix.
    pub shard: Option<Shard>,
    /// Only the workloads of these names, in whichever suite (empty: all).
    pub workloads: Vec<String>,
    /// The user's modules, already checked against their ABI
    /// ([`crate::module::user_workloads`]), run beside the suites.
    pub extra: Vec<Workload>,
}

impl Options {
    /// Running `suites` on `board` into `out`, with the defaults of the
    /// command line for everything else.
    pub fn new(board: &str, suites: &[&str], out: PathBuf) -> Self {
        Options {
            board: board.into(),
            runtimes: Vec::new(),
            suites: suites.iter().map(|s| s.to_string()).collect(),
            out,
            timeout: Duration::from_secs(120),
            rerun: false,
            build: true,
            probe: None,
            profile: trevm_catalog::profile::DEFAULT.name.into(),
            os: None,
            jobs: 0,
            repeat: None,
            shard: None,
            workloads: Vec::new(),
            extra: Vec::new(),
        }
    }
}

/// Part `index` of `count` of the matrix (`--shard index/count`, from 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which part, from 1.
    pub index: usize,
    /// Of how many.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = || Error::Shard(s.into());
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// The cells of this shard among `total`: a contiguous range; the
    /// shards of one count cover every cell exactly once.
    pub fn range(&self, total: usize) -> Range<usize> {
        total * (self.index - 1) / self.count..total * self.index / self.count
    }
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
    /// The cells of the matrix (this shard's), `(label, suite, workload)`,
    /// for the summary table ([`crate::summary`]).
    pub cells: Vec<(String, String, String)>,
}

/// A board's backend with the cells to run on it.
pub struct Setup {
    /// The backend.
    pub backend: Box<dyn Backend>,
    /// The runtime variant labels that have cells, in order.
    pub labels: Vec<&'static str>,
    /// The workloads, suite by suite.
    pub workloads: Vec<Workload>,
    /// The cells, in the order they run: label by label, every workload
    /// the variant runs (capsules only where it hosts components); only
    /// the shard's when sharded.
    pub cells: Vec<(&'static str, Workload)>,
    /// Problems that are not a cell's.
    pub notes: Vec<String>,
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
/// asked) and opens the board's backend for the variants that have cells.
pub fn setup(o: &Options) -> Result<Setup> {
    let board = select::board(&o.board)?;
    let suites = select::suites(&o.suites)?;
    let all_labels = select::runtimes(&o.runtimes)?;
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
    let mut notes = Vec::new();
    let mut workloads = workloads(&suites, &mut notes);
    workloads.extend(o.extra.iter().cloned());
    if !o.workloads.is_empty() {
        for name in &o.workloads {
            if !workloads.iter().any(|w| &w.name == name) {
                let mut known: Vec<&str> = workloads.iter().map(|w| w.name.as_str()).collect();
                known.sort();
                known.dedup();
                return Err(Error::UnknownWorkload {
                    name: name.clone(),
                    known: known.join(", "),
                });
            }
        }
        workloads.retain(|w| o.workloads.contains(&w.name));
    }
    let mut cells: Vec<(&'static str, Workload)> = all_labels
        .iter()
        .flat_map(|l| {
            workloads
                .iter()
                .filter(|w| w.runs_on(l))
                .map(|w| (*l, w.clone()))
        })
        .collect();
    if let Some(shard) = o.shard {
        cells = cells.drain(shard.range(cells.len())).collect();
    }
    // Only the variants with cells: nothing is built for the others.
    let labels: Vec<&'static str> = all_labels
        .iter()
        .copied()
        .filter(|l| cells.iter().any(|(c, _)| c == l))
        .collect();
    let opened = factory::open(board, &labels, &how)?;
    notes.splice(0..0, opened.notes);
    for s in &suites {
        let not_run: Vec<&str> = all_labels
            .iter()
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
        cells,
        notes,
    })
}

/// The number of cells to run at once: `asked` (0: the machine's cores),
/// no more than the backend allows nor than there are cells.
pub fn jobs(asked: usize, backend: &dyn Backend, cells: usize) -> usize {
    let asked = match asked {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    asked.min(backend.concurrency()).min(cells).max(1)
}

/// Runs `o` on its board: the cells not yet `ok` in the results file,
/// `jobs` at a time, each record appended as soon as its cell ends.
pub fn run(o: &Options) -> Result<Summary> {
    let s = setup(o)?;
    let mut out = ResultsFile::open(&o.out)
        .map_err(|e| Error::io(format!("cannot open {}", o.out.display()), e))?;
    let board = s.backend.board();
    let repeat = o.repeat.unwrap_or(board.default_repeat()).max(1);
    let mut summary = Summary {
        notes: s.notes.clone(),
        cells: s
            .cells
            .iter()
            .map(|(l, w)| (l.to_string(), w.suite.clone(), w.name.clone()))
            .collect(),
        ..Summary::default()
    };
    let todo: Vec<&(&'static str, Workload)> = s
        .cells
        .iter()
        .filter(|(l, w)| o.rerun || !out.has_ok(board.name, l, &w.suite, &w.name))
        .collect();
    summary.skipped = s.cells.len() - todo.len();
    let jobs = jobs(o.jobs, &*s.backend, todo.len());
    eprintln!(
        "bench: {} cell(s) on {}{}, {jobs} at a time, {repeat} sample(s) each{}",
        todo.len(),
        board.name,
        o.shard
            .map(|sh| format!(" (shard {}/{})", sh.index, sh.count))
            .unwrap_or_default(),
        match summary.skipped {
            0 => String::new(),
            n => format!("; {n} already ok in {}", o.out.display()),
        }
    );
    let started = Instant::now();
    let mut done = 0;
    execute(&*s.backend, &todo, jobs, o.timeout, repeat, |_, rec, _| {
        done += 1;
        eprintln!("{}", progress(done, todo.len(), &rec, started));
        if rec.is_ok() {
            summary.ok += 1;
        } else {
            summary.failed += 1;
        }
        out.append(&rec)
            .map_err(|e| Error::io(format!("cannot append to {}", o.out.display()), e))
    })?;
    Ok(summary)
}

/// Runs `cells` on `backend`, `jobs` at a time, each with `timeout` and
/// `repeat` samples ([`run_repeated`]), and hands every finished cell to
/// `done` on the calling thread, as they finish: its index in `cells`, its
/// record and how long it took (wall clock). A cell whose run panics
/// becomes its failed record (`internal`), never a lost cell. When `done`
/// returns an error, no further cell starts and the error is returned.
pub fn execute(
    backend: &dyn Backend,
    cells: &[&(&'static str, Workload)],
    jobs: usize,
    timeout: Duration,
    repeat: u32,
    mut done: impl FnMut(usize, Record, Duration) -> Result<()>,
) -> Result<()> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let mut failure = None;
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Record, Duration)>();
        for _ in 0..jobs.max(1) {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((label, w)) = cells.get(i) else {
                        break;
                    };
                    let t0 = Instant::now();
                    let rec = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        run_repeated(backend, label, w, timeout, repeat)
                    }))
                    .unwrap_or_else(|panic| panicked(backend, label, w, &*panic));
                    if tx.send((i, rec, t0.elapsed())).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, rec, took) in rx.iter() {
            if let Err(e) = done(i, rec, took) {
                stop.store(true, Ordering::Relaxed);
                failure = Some(e);
                break;
            }
        }
    });
    failure.map_or(Ok(()), Err)
}

/// The record of a cell whose run panicked: a harness bug, said as such.
fn panicked(
    backend: &dyn Backend,
    label: &str,
    w: &Workload,
    panic: &(dyn std::any::Any + Send),
) -> Record {
    let why = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into());
    let mut rec = Record::new(backend.board().name, label, &w.suite, &w.name);
    rec.fail(
        Kind::Internal,
        Stage::Run,
        format!("the runner panicked running this cell: {why}"),
    );
    rec
}

/// The metrics that are timed, and so sampled on every repeat.
const TIMED: &[&str] = &["interval", "load"];

/// One cell, its measurements taken `n` times: prepared once, run `n`
/// times, each run concluded into a record. A failed run is the cell's
/// record (saying which sample failed); otherwise the first record with
/// every timed metric (and every metric that varied) given its samples'
/// [`Spread`] and their median as value. Under emulation the samples must
/// be identical: a difference is a harness failure.
pub fn run_repeated(
    backend: &dyn Backend,
    label: &str,
    w: &Workload,
    timeout: Duration,
    n: u32,
) -> Record {
    if n <= 1 {
        return backend.run_cell(label, w, timeout);
    }
    let cell = match backend.prepare(label, w) {
        Ok(cell) => cell,
        Err(failed) => return *failed,
    };
    let mut records = Vec::new();
    for k in 1..=n {
        let run = backend.run(&cell, timeout);
        let mut rec = backend.conclude(cell.clone(), run, timeout);
        if !rec.is_ok() {
            if let Some(e) = rec.error.as_mut() {
                e.message = format!("sample {k} of {n}: {}", e.message);
            }
            return rec;
        }
        records.push(rec);
    }
    combine(records, backend.board().emulated())
}

/// The record of a cell's `samples` (all `ok`, at least one).
pub fn combine(samples: Vec<Record>, emulated: bool) -> Record {
    let mut rec = samples[0].clone();
    rec.verified = samples.iter().all(|r| r.verified);
    let mut differ = Vec::new();
    for (name, metric) in rec.metrics.iter_mut() {
        let values: Vec<f64> = samples
            .iter()
            .filter_map(|r| r.metric(name).map(|m| m.value))
            .collect();
        if values.len() != samples.len() {
            continue;
        }
        let Some(spread) = Spread::of(&values) else {
            continue;
        };
        if !spread.exact() {
            differ.push(format!("{name} {}..{}", spread.min, spread.max));
        }
        if TIMED.contains(&name.as_str()) || !spread.exact() {
            metric.value = spread.median;
            metric.spread = Some(spread);
        }
    }
    if emulated && !differ.is_empty() {
        rec.fail(
            Kind::Internal,
            Stage::Run,
            format!(
                "under emulation (icount) the {} samples must be identical, they differ: {}",
                samples.len(),
                differ.join(", ")
            ),
        );
    }
    rec
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
        "plan for {}: {} runtime variant(s) x {} workload(s), {} cell(s){}",
        board.name,
        s.labels.len(),
        s.workloads.len(),
        s.cells.len(),
        o.shard
            .map(|sh| format!(" (shard {}/{})", sh.index, sh.count))
            .unwrap_or_default(),
    );
    for line in s.backend.describe(&s.labels) {
        let _ = writeln!(text, "{line}");
    }
    for (label, w) in &s.cells {
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
    fn shards_cover_the_cells_once() {
        assert_eq!(
            "2/3".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 3 }
        );
        for bad in ["0/2", "3/2", "1", "a/b", "1/0"] {
            assert!(
                matches!(bad.parse::<Shard>(), Err(Error::Shard(_))),
                "{bad}"
            );
        }
        for total in [0, 1, 7, 110] {
            for count in 1..=5 {
                let mut covered = Vec::new();
                for index in 1..=count {
                    covered.extend(Shard { index, count }.range(total));
                }
                assert_eq!(
                    covered,
                    (0..total).collect::<Vec<_>>(),
                    "{total} in {count}"
                );
            }
        }
    }

    #[test]
    fn repeated_samples_are_combined_and_must_agree_under_icount() {
        let sample = |interval: f64, heap: f64| {
            Record::ok("host", "wasmi", "own", "crc32")
                .with_metric("interval", interval, "ns")
                .with_metric("peak_heap", heap, "B")
        };
        let rec = combine(
            vec![sample(30.0, 8.0), sample(10.0, 8.0), sample(20.0, 8.0)],
            false,
        );
        let m = rec.metric("interval").unwrap();
        let spread = m.spread.as_ref().unwrap();
        assert_eq!(
            (m.value, spread.n, spread.min, spread.max),
            (20.0, 3, 10.0, 30.0)
        );
        assert_eq!(spread.samples, vec![30.0, 10.0, 20.0]);
        assert!(spread.geo_std.unwrap() > 1.0);
        assert!(
            rec.metric("peak_heap").unwrap().spread.is_none(),
            "the same every time"
        );
        assert!(rec.is_ok());
        let exact = combine(vec![sample(10.0, 8.0), sample(10.0, 8.0)], true);
        assert!(
            exact.is_ok()
                && exact
                    .metric("interval")
                    .unwrap()
                    .spread
                    .as_ref()
                    .unwrap()
                    .exact()
        );
        let differ = combine(vec![sample(10.0, 8.0), sample(10.0, 9.0)], true);
        let e = differ.error.unwrap();
        assert_eq!(e.kind, Kind::Internal);
        assert!(e.message.contains("peak_heap 8..9"), "{}", e.message);
    }

    #[test]
    fn bad_names_stop_before_anything_is_built() {
        let o = Options::new("qemu-m99", &["own"], PathBuf::from("/nonexistent/x.jsonl"));
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
