//! The reliability campaign (`trevm fuzz`, `make fuzz`): generated and
//! mutated modules through every runtime variant of a board, checking the
//! harness's promise that bad input is a result.
//!
//! A campaign of `count` and `seed` makes `count` valid modules
//! ([`generate`]: wasm-smith, the Embench ABI, metered so that they end)
//! and `count` mutants of them ([`mutate`]: mostly invalid), or replays
//! modules given to it (its corpus), and runs each on every variant that
//! loads modules, through the same [`matrix`](crate::matrix) code as
//! `trevm bench`. Then it checks:
//!
//! - **the invariant** ([`Violation`]): every cell ends as a record, `ok`
//!   or failed with a kind of the vocabulary other than `internal`; no
//!   cell runs past its time budget plus [`GRACE`]; the runner does not
//!   panic; no QEMU outlives the campaign. A violating module is copied
//!   into the corpus folder with what it violated and how it was made;
//!   `trevm fuzz --replay` runs it again, and `make test` replays the
//!   corpus;
//! - **agreement** ([`Finding`]): runtimes that ran a module to its end
//!   must agree on what `__original_main` returned. A disagreement is a
//!   finding, listed in the report with the module and who said what (it
//!   may be a runtime's bug); it does not fail the campaign.
//!
//! Everything goes into the campaign's folder: `modules/`, `results.jsonl`
//! (the records, as `trevm bench` writes them) and `report.md`.

pub mod check;
pub mod generate;
pub mod mutate;
pub mod report;
mod rng;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use trevm_catalog::record::Record;
use trevm_catalog::results::ResultsFile;
use trevm_catalog::runtime::Preparation;
use trevm_catalog::suite::FUZZ;
use trevm_protocol::slot::SlotAbi;

use crate::error::{Error, Result};
use crate::matrix;
use crate::select;
use crate::suite::Workload;

pub use check::{Broken, Finding, Violation, GRACE};
pub use report::Report;

/// What to run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Board name.
    pub board: String,
    /// Runtime variant labels (empty: every variant that loads modules).
    pub runtimes: Vec<String>,
    /// Generated modules, and as many mutants.
    pub count: u64,
    /// The campaign's seed: the same seed makes the same modules.
    pub seed: u64,
    /// Modules (or folders of `.wasm` files) to run instead of generating.
    pub replay: Vec<PathBuf>,
    /// The campaign's folder.
    pub dir: PathBuf,
    /// Where violating modules are copied.
    pub corpus: PathBuf,
    /// Time budget per cell.
    pub timeout: Duration,
    /// Cells at once (0: the machine's cores).
    pub jobs: usize,
    /// Build the board's programs or firmwares when missing.
    pub build: bool,
}

impl Options {
    /// A campaign of `count` on `board`, with the command line's defaults:
    /// seed 1, folder `build/fuzz/<board>-<seed>`, corpus `fuzz/corpus`.
    pub fn new(board: &str, count: u64) -> Options {
        Options {
            board: board.into(),
            runtimes: Vec::new(),
            count,
            seed: 1,
            replay: Vec::new(),
            dir: default_dir(board, 1),
            corpus: crate::workspace::root().join("fuzz").join("corpus"),
            timeout: Duration::from_secs(10),
            jobs: 0,
            build: true,
        }
    }
}

/// `build/fuzz/<board>-<seed>`.
pub fn default_dir(board: &str, seed: u64) -> PathBuf {
    crate::workspace::build_dir()
        .join("fuzz")
        .join(format!("{board}-{seed}"))
}

/// `build/fuzz/<board>-replay`: where a replay's records go.
pub fn replay_dir(board: &str) -> PathBuf {
    crate::workspace::build_dir()
        .join("fuzz")
        .join(format!("{board}-replay"))
}

/// Where a campaign's module came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// [`generate::module`]`(seed, index)`.
    Generated { seed: u64, index: u64 },
    /// [`mutate::module`]`(seed, index, base)`, `base` a generated module.
    Mutated { seed: u64, index: u64, base: String },
    /// Given to `--replay`.
    Replayed { from: PathBuf },
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Generated { seed, index } => {
                write!(f, "generated: wasm-smith, seed {seed}, index {index}")
            }
            Origin::Mutated { seed, index, base } => {
                write!(f, "mutated: seed {seed}, index {index}, from {base}")
            }
            Origin::Replayed { from } => write!(f, "replayed from {}", from.display()),
        }
    }
}

/// One module of the campaign.
#[derive(Clone, Debug)]
pub struct Module {
    /// Its workload name.
    pub name: String,
    /// How it was made.
    pub origin: Origin,
    /// Its file under `modules/`.
    pub path: PathBuf,
}

/// Runs campaign `o`: makes (or takes) its modules, runs them, checks
/// them, writes `report.md` and saves violating modules in the corpus.
pub fn run(o: &Options) -> Result<Report> {
    let started = Instant::now();
    // The names first: nothing is written for a wrong command line.
    let board = select::board(&o.board)?;
    let asked = select::runtimes(&o.runtimes)?;
    let runtimes: Vec<String> = asked
        .iter()
        .filter(|l| loads_modules(l))
        .map(|l| l.to_string())
        .collect();
    if runtimes.is_empty() {
        return Err(Error::NoModules(asked.join(", ")));
    }
    let module_dir = o.dir.join("modules");
    // A campaign's folder holds its own modules only.
    let _ = std::fs::remove_dir_all(&module_dir);
    std::fs::create_dir_all(&module_dir)
        .map_err(|e| Error::io(format!("cannot create {}", module_dir.display()), e))?;
    let mut report = Report {
        board: board.name.into(),
        ..Report::default()
    };
    report.modules = if o.replay.is_empty() {
        make_modules(o, &module_dir, &mut report.not_generated)?
    } else {
        replayed_modules(&o.replay)?
    };
    let results = o.dir.join("results.jsonl");
    let _ = std::fs::remove_file(&results);
    let mut out = ResultsFile::open(&results)
        .map_err(|e| Error::io(format!("cannot open {}", results.display()), e))?;

    let mut mo = matrix::Options::new(board.name, &[], results.clone());
    mo.runtimes = runtimes;
    mo.timeout = o.timeout;
    mo.rerun = true;
    mo.build = o.build;
    mo.jobs = o.jobs;
    mo.repeat = Some(1);
    mo.extra = report
        .modules
        .iter()
        .map(|m| Workload {
            suite: FUZZ.into(),
            name: m.name.clone(),
            abi: SlotAbi::Embench,
            wasm: m.path.clone(),
        })
        .collect();
    let setup = matrix::setup(&mo)?;
    report.notes = setup.notes.clone();
    let jobs = matrix::jobs(o.jobs, &*setup.backend, setup.cells.len());
    let cells: Vec<&(&'static str, Workload)> = setup.cells.iter().collect();
    eprintln!(
        "fuzz: {} module(s) × {} variant(s) on {}: {} cell(s), {jobs} at a time, {} s budget each",
        report.modules.len(),
        setup.labels.len(),
        board.name,
        cells.len(),
        o.timeout.as_secs()
    );

    let slots: BTreeSet<String> = cells
        .iter()
        .map(|(l, w)| {
            crate::backend::slot_path(board.name, l, w)
                .display()
                .to_string()
        })
        .collect();
    let qemus_before = check::qemu_processes(&slots);
    let mut records: Vec<Option<(Record, Duration)>> = vec![None; cells.len()];
    let mut done = 0;
    matrix::execute(
        &*setup.backend,
        &cells,
        jobs,
        o.timeout,
        1,
        |i, rec, took| {
            done += 1;
            if done % 100 == 0 || done == cells.len() {
                eprintln!(
                    "fuzz: [{done}/{}] {:.0} s",
                    cells.len(),
                    started.elapsed().as_secs_f64()
                );
            }
            out.append(&rec)
                .map_err(|e| Error::io(format!("cannot append to {}", results.display()), e))?;
            records[i] = Some((rec, took));
            Ok(())
        },
    )?;
    report.cells = cells.len();

    let cell_names: Vec<(String, String)> = cells
        .iter()
        .map(|(l, w)| (l.to_string(), w.name.clone()))
        .collect();
    report.violations = check::check(&cell_names, &records, o.timeout);
    let left: Vec<u32> = check::qemu_processes(&slots)
        .into_iter()
        .filter(|p| !qemus_before.contains(p))
        .collect();
    if !left.is_empty() {
        report.violations.push(Violation {
            module: "-".into(),
            runtime: "-".into(),
            what: Broken::QemuLeft(left),
        });
    }
    for (rec, _) in records.iter().flatten() {
        *report
            .outcomes
            .entry(rec.runtime.clone())
            .or_default()
            .entry(check::outcome(rec))
            .or_default() += 1;
    }
    let finished: Vec<&Record> = records.iter().flatten().map(|(r, _)| r).collect();
    let (findings, compared) = check::differ(&finished);
    report.findings = findings;
    report.compared = compared;
    report.saved = save_violations(o, &report)?;
    report.took = started.elapsed();
    let md = o.dir.join("report.md");
    std::fs::write(&md, report.markdown())
        .map_err(|e| Error::io(format!("cannot write {}", md.display()), e))?;
    Ok(report)
}

/// Whether variant `label` loads modules (`native` runs its own code).
fn loads_modules(label: &str) -> bool {
    trevm_catalog::runtime::find(label).is_some_and(|r| r.caps.preparation != Preparation::Native)
}

/// The campaign's own modules, written under `dir`.
fn make_modules(
    o: &Options,
    dir: &Path,
    not_generated: &mut Vec<(u64, String)>,
) -> Result<Vec<Module>> {
    let write = |name: &str, bytes: &[u8]| -> Result<PathBuf> {
        let path = dir.join(format!("{name}.wasm"));
        std::fs::write(&path, bytes)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        Ok(path)
    };
    let mut generated = Vec::new();
    for index in 0..o.count {
        match generate::module(o.seed, index) {
            Ok(bytes) => {
                let name = format!("gen-{}-{index}", o.seed);
                let path = write(&name, &bytes)?;
                generated.push((
                    Module {
                        name,
                        origin: Origin::Generated {
                            seed: o.seed,
                            index,
                        },
                        path,
                    },
                    bytes,
                ));
            }
            Err(why) => not_generated.push((index, why)),
        }
    }
    let mut modules: Vec<Module> = generated.iter().map(|(m, _)| m.clone()).collect();
    if generated.is_empty() {
        return Ok(modules);
    }
    for index in 0..o.count {
        let (base, bytes) = &generated[index as usize % generated.len()];
        let name = format!("mut-{}-{index}", o.seed);
        let path = write(&name, &mutate::module(o.seed, index, bytes))?;
        modules.push(Module {
            name,
            origin: Origin::Mutated {
                seed: o.seed,
                index,
                base: base.name.clone(),
            },
            path,
        });
    }
    Ok(modules)
}

/// The modules of `paths`: files, or every `.wasm` in a folder, by name.
fn replayed_modules(paths: &[PathBuf]) -> Result<Vec<Module>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::io(format!("cannot read {}", p.display()), e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "wasm"))
                .collect();
            inside.sort();
            files.extend(inside);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            return Err(Error::io(
                format!("cannot replay {}", p.display()),
                std::io::Error::from(std::io::ErrorKind::NotFound),
            ));
        }
    }
    Ok(files
        .into_iter()
        .map(|f| Module {
            name: f
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            origin: Origin::Replayed { from: f.clone() },
            path: f,
        })
        .collect())
}

/// Copies each violating module into the corpus with a note beside it
/// (`<name>.txt`: how it was made, what it violated, how to replay it).
fn save_violations(o: &Options, report: &Report) -> Result<Vec<PathBuf>> {
    let mut by_module: BTreeMap<&str, Vec<&Violation>> = BTreeMap::new();
    for v in &report.violations {
        by_module.entry(&v.module).or_default().push(v);
    }
    let mut saved = Vec::new();
    for (name, vs) in by_module {
        let Some(m) = report.modules.iter().find(|m| m.name == name) else {
            continue;
        };
        if matches!(m.origin, Origin::Replayed { .. }) {
            continue;
        }
        std::fs::create_dir_all(&o.corpus)
            .map_err(|e| Error::io(format!("cannot create {}", o.corpus.display()), e))?;
        let to = o.corpus.join(format!("{name}.wasm"));
        std::fs::copy(&m.path, &to)
            .map_err(|e| Error::io(format!("cannot copy to {}", to.display()), e))?;
        let mut note = format!("{name}: {}\nboard: {}\n", m.origin, report.board);
        for v in vs {
            let _ = writeln!(note, "violation: {}: {}", v.runtime, v.what);
        }
        let root = crate::workspace::root();
        let _ = writeln!(
            note,
            "replay: make fuzz BOARD={} REPLAY={}",
            report.board,
            to.strip_prefix(&root).unwrap_or(&to).display()
        );
        let txt = to.with_extension("txt");
        std::fs::write(&txt, note)
            .map_err(|e| Error::io(format!("cannot write {}", txt.display()), e))?;
        saved.push(to);
    }
    Ok(saved)
}
