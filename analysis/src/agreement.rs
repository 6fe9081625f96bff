//! How close our results are to the paper's: for one board pairing (our
//! board ↔ the paper board it stands in for), one *version set* (our
//! current versions of the paper's runtimes, or the paper-pinned ones) and
//! one memory *profile* (the layout the firmware was built with), the
//! numbers `trevm-analysis reproduce` puts on its page:
//!
//! * **Embench ρ** — per Embench 1.0 benchmark, Spearman's ρ of the
//!   runtimes' order by time (ours vs the paper's), over the runtimes with
//!   a time on both sides (at least [`MIN_RUNTIMES`]); mean and min over
//!   the benchmarks.
//! * **Ratio error** — times normalised to one reference runtime on each
//!   side; per benchmark and runtime `r ≠ ref`,
//!   `e = |ln((t_r/t_ref)_ours / (t_r/t_ref)_paper)|`; the factor
//!   `exp(median e)` over all those cells (`×1.00` = the same ratios).
//! * **CoreMark ρ** — Spearman's ρ of the runtimes' order by CoreMark
//!   score, one score per runtime (at least [`MIN_RUNTIMES`]).
//! * **Failure set** — the (runtime, benchmark) cells failed or absent
//!   here, and those the paper lacks (a runtime file without that
//!   benchmark's line); both sets, their symmetric difference and its size.
//!   Only runtimes that ran Embench on both sides count.
//! * **Divergences** — failures in one set only, swapped pairs, the largest
//!   ratio errors, each with a likely [`Cause`] from a small rule table
//!   ([`attribute`]).
//!
//! Runtimes are the paper's labels ([`paper_runtimes`]); ours are mapped
//! onto them through a [`VersionSet`] (from the catalog's
//! [`trevm_catalog::runtime::paper_set`]) by [`translate`], so that both
//! sides use the same labels before anything is compared.

use crate::dataset::{normalise_time, Dataset, Value};
use crate::paper::EMBENCH_1_0;
use crate::record::LocatedRecord;
use crate::stats;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use trevm_catalog::runtime::PaperRef;

/// The paper's runtimes compared (paper labels, table order): those its
/// figures plot on every board (the catalog's [`PaperRef::plotted`];
/// `wasm-interpreter`, Embench on one board only, and `wasefire`, no
/// Embench times, are left out).
pub fn paper_runtimes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Vec::new();
    for r in trevm_catalog::runtime::reproduced() {
        let label = r.paper.map_or(r.label, |p| p.label);
        if !v.contains(&label) {
            v.push(label);
        }
    }
    v
}

/// Default reference runtime of the ratio error (a paper label): WAMR's
/// fast interpreter is the same build in both version sets.
pub const DEFAULT_REFERENCE: &str = "wamr-fast";

/// Fewest runtimes a Spearman ρ is computed over (with two, ρ is ±1 and
/// says little).
pub const MIN_RUNTIMES: usize = 3;

/// Memory profile of records without `meta.profile`.
pub const DEFAULT_PROFILE: &str = "default";

/// The `meta` key naming the memory profile.
pub const PROFILE_KEY: &str = "profile";

/// A divergence in a runtime's ratio error of at least this factor counts
/// in the rules of [`attribute`] (a drop between the version sets, or a
/// residual error on every runtime).
pub const NOTABLE_FACTOR: f64 = 1.05;

/// The benchmark target the page reports against (not a test).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Target {
    /// Embench ρ, mean over benchmarks, at least this.
    pub embench_rho_mean: f64,
    /// Ratio error factor at most this.
    pub ratio_error: f64,
    /// CoreMark ρ at least this (1: the same order).
    pub coremark_rho: f64,
    /// Failure-set symmetric difference at most this many cells.
    pub failure_difference: usize,
}

/// The target of the issue: ρ ≥ 0.95, ratio error ≤ ×1.15, CoreMark ρ = 1,
/// failed cells within ±2 of the paper's.
pub const TARGET: Target = Target {
    embench_rho_mean: 0.95,
    ratio_error: 1.15,
    coremark_rho: 1.0,
    failure_difference: 2,
};

/// Which versions of the paper's runtimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Versions {
    /// This project's current versions.
    Current,
    /// The paper's own versions and configurations where the catalog has
    /// them, current ones elsewhere.
    Pinned,
}

impl Versions {
    /// Both, current first.
    pub const ALL: [Versions; 2] = [Versions::Current, Versions::Pinned];

    /// `current` or `pinned`.
    pub fn as_str(self) -> &'static str {
        match self {
            Versions::Current => "current",
            Versions::Pinned => "pinned",
        }
    }

    /// The other set.
    pub fn other(self) -> Versions {
        match self {
            Versions::Current => Versions::Pinned,
            Versions::Pinned => Versions::Current,
        }
    }
}

impl fmt::Display for Versions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of our variants standing for one of the paper's runtimes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Our variant label (what our records name).
    pub variant: String,
    /// The paper's label.
    pub paper: String,
    /// The variant is the paper's own version and configuration.
    pub pinned: bool,
}

/// Our variants standing for the paper's runtimes, one per paper label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSet {
    /// Current or pinned.
    pub versions: Versions,
    /// The members, in table order.
    pub members: Vec<Member>,
}

impl VersionSet {
    /// The set the catalog defines ([`trevm_catalog::runtime::paper_set`]).
    pub fn catalog(versions: Versions) -> Self {
        let refs: Vec<(&str, PaperRef)> =
            trevm_catalog::runtime::paper_set(versions == Versions::Pinned)
                .filter_map(|v| Some((v.label, v.paper?)))
                .collect();
        Self::from_refs(versions, &refs)
    }

    /// A set from (our label, how the paper measured it) pairs, already
    /// chosen (tests build sets with labels the catalog may not have).
    pub fn from_refs(versions: Versions, refs: &[(&str, PaperRef)]) -> Self {
        VersionSet {
            versions,
            members: refs
                .iter()
                .map(|(label, p)| Member {
                    variant: label.to_string(),
                    paper: p.label.to_string(),
                    pinned: p.pinned,
                })
                .collect(),
        }
    }

    /// Our variant standing for the paper's `label`.
    pub fn variant_for(&self, label: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|m| m.paper == label)
            .map(|m| m.variant.as_str())
    }

    /// The members not in `other` (same variant for the same paper label).
    pub fn distinct_from<'a>(&'a self, other: &VersionSet) -> Vec<&'a Member> {
        self.members
            .iter()
            .filter(|m| !other.members.contains(m))
            .collect()
    }

    /// Whether `ds` holds records of this set on `board`: of a member only
    /// this set has (compared with `other`), or of any member when the two
    /// sets are the same.
    pub fn present(&self, other: &VersionSet, ds: &Dataset, board: &str) -> bool {
        let distinct = self.distinct_from(other);
        let look: Vec<&Member> = if distinct.is_empty() {
            if self.versions == Versions::Pinned {
                // Same as the current set: shown once, as current.
                return false;
            }
            self.members.iter().collect()
        } else {
            distinct
        };
        ds.iter()
            .any(|(k, _)| k.is_on(board) && look.iter().any(|m| m.variant == k.runtime))
    }
}

/// The memory profile of a record: `meta.profile`, [`DEFAULT_PROFILE`] when
/// absent or not a string.
pub fn profile_of(r: &crate::record::Record) -> String {
    r.meta
        .extra
        .get(PROFILE_KEY)
        .and_then(|v| v.as_str())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(DEFAULT_PROFILE)
        .to_string()
}

/// Splits records by memory profile, one [`Dataset`] each (a cell may be
/// measured in both layouts; within a profile the last record wins).
pub fn split_by_profile(
    records: impl IntoIterator<Item = LocatedRecord>,
) -> BTreeMap<String, Dataset> {
    let mut out: BTreeMap<String, Dataset> = BTreeMap::new();
    for r in records {
        out.entry(profile_of(&r.record)).or_default().insert(r);
    }
    out
}

/// The records of `board` in `ds` of the set's members for the paper
/// labels in `runtimes`, relabelled with the paper's labels.
pub fn translate(ds: &Dataset, board: &str, set: &VersionSet, runtimes: &[String]) -> Dataset {
    let mut out = Dataset::default();
    for (k, r) in ds.iter().filter(|(k, _)| k.is_on(board)) {
        let Some(m) = set
            .members
            .iter()
            .find(|m| m.variant == k.runtime && runtimes.contains(&m.paper))
        else {
            continue;
        };
        let mut r = r.clone();
        r.record.runtime = m.paper.clone();
        out.insert(r);
    }
    out
}

/// Keeps the cells of `board` whose runtime is in `runtimes`.
pub fn restrict(ds: &Dataset, board: &str, runtimes: &[String]) -> Dataset {
    Dataset::from_records(
        ds.iter()
            .filter(|(k, _)| k.is_on(board) && runtimes.contains(&k.runtime))
            .map(|(_, r)| r.clone()),
    )
}

/// What is compared: the pairing, the set, the profile, the runtimes.
#[derive(Debug, Clone, PartialEq)]
pub struct Context {
    /// Our board.
    pub ours_board: String,
    /// The paper's board.
    pub paper_board: String,
    /// Version set.
    pub versions: Versions,
    /// Memory profile of our records.
    pub profile: String,
    /// Paper labels compared.
    pub runtimes: Vec<String>,
    /// Reference runtime of the ratio error (a paper label).
    pub reference: String,
    /// Our board is emulated (QEMU: times are instruction counts).
    pub emulated: bool,
}

impl Context {
    /// A context for a pairing; `emulated` from the catalog.
    pub fn new(
        ours_board: &str,
        paper_board: &str,
        versions: Versions,
        profile: &str,
        runtimes: &[String],
        reference: &str,
    ) -> Self {
        Context {
            ours_board: ours_board.to_string(),
            paper_board: paper_board.to_string(),
            versions,
            profile: profile.to_string(),
            runtimes: runtimes.to_vec(),
            reference: reference.to_string(),
            emulated: crate::platform::Platform::parse(ours_board)
                .catalog_board()
                .is_some_and(|b| b.emulated()),
        }
    }
}

/// ρ of one benchmark.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchRho {
    /// Benchmark.
    pub bench: String,
    /// Runtimes with a time on both sides.
    pub runtimes: usize,
    /// Spearman ρ (`None`: fewer than [`MIN_RUNTIMES`], or a side constant).
    pub rho: Option<f64>,
}

/// One cell of the ratio error.
#[derive(Debug, Clone, PartialEq)]
pub struct RatioCell {
    /// Benchmark.
    pub bench: String,
    /// Runtime (≠ reference).
    pub runtime: String,
    /// `t_r / t_ref` here.
    pub ours: f64,
    /// `t_r / t_ref` in the paper.
    pub paper: f64,
}

impl RatioCell {
    /// `|ln(ours / paper)|`.
    pub fn log_error(&self) -> f64 {
        (self.ours / self.paper).ln().abs()
    }

    /// `exp(log_error)`: ×1 = the same ratio.
    pub fn factor(&self) -> f64 {
        self.log_error().exp()
    }
}

/// A pair of runtimes in one order here and the other in the paper.
#[derive(Debug, Clone, PartialEq)]
pub struct Swap {
    /// Benchmark.
    pub bench: String,
    /// Faster here (slower in the paper).
    pub faster_here: String,
    /// Slower here (faster in the paper).
    pub slower_here: String,
    /// `t_faster / t_slower` here (< 1).
    pub here: f64,
    /// The same in the paper (> 1).
    pub paper: f64,
}

impl Swap {
    /// How clearly the order is reversed: `|ln here| + |ln paper|`.
    pub fn strength(&self) -> f64 {
        self.here.ln().abs() + self.paper.ln().abs()
    }
}

/// A (runtime, benchmark) cell.
pub type Cell = (String, String);

/// The failed or absent Embench cells on both sides.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FailureSets {
    /// Runtimes that ran Embench on both sides (the cells counted).
    pub runtimes: Vec<String>,
    /// Runtimes with Embench only in the paper (not run here).
    pub not_run_here: Vec<String>,
    /// Runtimes with Embench only here.
    pub not_in_paper: Vec<String>,
    /// Cells failed or absent here, with why (`error.kind`, `unverified`,
    /// `absent` or `no time`).
    pub here: BTreeMap<Cell, String>,
    /// Cells the paper lacks.
    pub paper: BTreeSet<Cell>,
}

impl FailureSets {
    /// Failed here, not in the paper.
    pub fn here_only(&self) -> Vec<&Cell> {
        self.here
            .keys()
            .filter(|c| !self.paper.contains(*c))
            .collect()
    }

    /// Failed in the paper, not here.
    pub fn paper_only(&self) -> Vec<&Cell> {
        self.paper
            .iter()
            .filter(|c| !self.here.contains_key(*c))
            .collect()
    }

    /// Size of the symmetric difference.
    pub fn difference(&self) -> usize {
        self.here_only().len() + self.paper_only().len()
    }
}

/// Likely cause of a divergence (see [`attribute`] for the rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// The runtime's version or configuration (ours vs the paper's).
    Version,
    /// The firmware's memory layout (heap, stacks, linear memory).
    MemoryLayout,
    /// QEMU icount counts instructions; the boards count time (wait
    /// states, caches, multi-cycle instructions).
    InstructionsVsCycles,
    /// The cell has no record here: not run.
    NotRun,
    /// None of the rules applies.
    Unexplained,
}

impl Cause {
    /// Every cause, in rule order.
    pub const ALL: [Cause; 5] = [
        Cause::NotRun,
        Cause::Version,
        Cause::MemoryLayout,
        Cause::InstructionsVsCycles,
        Cause::Unexplained,
    ];

    /// Short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Version => "version/configuration",
            Cause::MemoryLayout => "memory layout",
            Cause::InstructionsVsCycles => "instructions vs cycles",
            Cause::NotRun => "not run here",
            Cause::Unexplained => "unexplained",
        }
    }

    /// The rule that gives it, one line (the page's rule table).
    pub fn rule(self) -> &'static str {
        match self {
            Cause::NotRun => "a cell failed here only because it has no record here",
            Cause::Version => "in the current set: the runtime's variant differs from the pinned one, and with the pinned variant the cell runs or the runtime's ratio error drops by ×1.05 or more; a cell the paper lacks that runs here with the paper's memory profile",
            Cause::MemoryLayout => "a cell failed here only with out-of-memory or crash (budget or stack); a cell the paper lacks that runs here with another memory profile than the paper's",
            Cause::InstructionsVsCycles => "a swap or ratio error on an emulated board where every runtime's ratio error is ×1.05 or more (a residual error everywhere)",
            Cause::Unexplained => "none of the above",
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What diverges.
#[derive(Debug, Clone, PartialEq)]
pub enum DivergenceKind {
    /// The cell failed (or is absent) here, not in the paper.
    FailedHereOnly {
        /// Why here.
        reason: String,
    },
    /// The paper lacks the cell; it ran here.
    FailedPaperOnly,
    /// Two runtimes in opposite order.
    Swap(Swap),
    /// A ratio far from the paper's.
    RatioError(RatioCell),
}

/// One divergence with its likely cause.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// Benchmark.
    pub bench: String,
    /// Runtimes involved (paper labels).
    pub runtimes: Vec<String>,
    /// What.
    pub kind: DivergenceKind,
    /// Likely cause.
    pub cause: Cause,
    /// The data the cause was read from, one phrase.
    pub why: String,
}

impl Divergence {
    /// One line describing it (Markdown, no cause).
    pub fn describe(&self) -> String {
        match &self.kind {
            DivergenceKind::FailedHereOnly { reason } => format!(
                "{} / {}: failed here ({reason}), ran in the paper",
                self.runtimes[0], self.bench
            ),
            DivergenceKind::FailedPaperOnly => format!(
                "{} / {}: not in the paper, ran here",
                self.runtimes[0], self.bench
            ),
            DivergenceKind::Swap(s) => {
                format!(
                "{}: {} vs {} swapped ({} takes {:.2}× the time of {} here, {:.2}× in the paper)",
                s.bench, s.faster_here, s.slower_here, s.faster_here, s.here, s.slower_here, s.paper
            )
            }
            DivergenceKind::RatioError(c) => format!(
                "{} / {}: ratio to the reference {:.3} here vs {:.3} in the paper (×{:.2})",
                c.runtime,
                c.bench,
                c.ours,
                c.paper,
                c.factor()
            ),
        }
    }
}

/// Whether the target is met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every number is there and within the target.
    Met,
    /// Some number misses it (which).
    NotMet(Vec<&'static str>),
    /// Some number could not be computed (which); the others are within.
    Incomplete(Vec<&'static str>),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Met => f.write_str("yes"),
            Verdict::NotMet(v) => write!(f, "no ({})", v.join(", ")),
            Verdict::Incomplete(v) => write!(f, "n/a (no {})", v.join(", ")),
        }
    }
}

/// Everything compared for one pairing × version set × profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Agreement {
    /// What was compared.
    pub ctx: Context,
    /// Our variant per paper label (of the runtimes compared).
    pub variants: Vec<(String, String)>,
    /// Our board has CoreMark records (in this profile).
    pub has_coremark: bool,
    /// Our board has Embench records (in this profile).
    pub has_embench: bool,
    /// ρ per Embench 1.0 benchmark.
    pub bench_rho: Vec<BenchRho>,
    /// Ratio cells (benchmark × runtime ≠ reference).
    pub ratios: Vec<RatioCell>,
    /// CoreMark score per runtime (here, paper).
    pub coremark: BTreeMap<String, (Option<f64>, Option<f64>)>,
    /// CoreMark ρ.
    pub coremark_rho: Option<f64>,
    /// Failure sets (`None`: no Embench here or in the paper).
    pub failures: Option<FailureSets>,
    /// Swapped pairs, strongest first.
    pub swaps: Vec<Swap>,
    /// The divergences listed on the page, with causes (filled by
    /// [`attribute`]).
    pub divergences: Vec<Divergence>,
}

/// Median of finite numbers (`None` when empty).
pub fn median(xs: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

impl Agreement {
    /// Mean Embench ρ over the benchmarks with one.
    pub fn rho_mean(&self) -> Option<f64> {
        let r: Vec<f64> = self.bench_rho.iter().filter_map(|b| b.rho).collect();
        (!r.is_empty()).then(|| r.iter().sum::<f64>() / r.len() as f64)
    }

    /// Lowest Embench ρ.
    pub fn rho_min(&self) -> Option<f64> {
        self.bench_rho.iter().filter_map(|b| b.rho).reduce(f64::min)
    }

    /// Benchmarks with a ρ.
    pub fn rho_benchmarks(&self) -> usize {
        self.bench_rho.iter().filter(|b| b.rho.is_some()).count()
    }

    /// `exp(median e)` over every ratio cell.
    pub fn ratio_error(&self) -> Option<f64> {
        let e: Vec<f64> = self.ratios.iter().map(RatioCell::log_error).collect();
        median(&e).map(f64::exp)
    }

    /// `exp(median e)` per runtime.
    pub fn runtime_error(&self) -> BTreeMap<String, f64> {
        let mut by: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for c in &self.ratios {
            by.entry(c.runtime.clone()).or_default().push(c.log_error());
        }
        by.into_iter()
            .filter_map(|(rt, e)| Some((rt, median(&e)?.exp())))
            .collect()
    }

    /// Whether the target is met.
    pub fn verdict(&self, t: &Target) -> Verdict {
        let mut missing = Vec::new();
        let mut missed = Vec::new();
        match self.rho_mean() {
            None => missing.push("Embench ρ"),
            Some(r) if r < t.embench_rho_mean - 1e-9 => missed.push("Embench ρ"),
            _ => {}
        }
        match self.ratio_error() {
            None => missing.push("ratio error"),
            Some(r) if r > t.ratio_error + 1e-9 => missed.push("ratio error"),
            _ => {}
        }
        match self.coremark_rho {
            None => missing.push("CoreMark ρ"),
            Some(r) if r < t.coremark_rho - 1e-9 => missed.push("CoreMark ρ"),
            _ => {}
        }
        match &self.failures {
            None => missing.push("failure set"),
            Some(f) if f.difference() > t.failure_difference => missed.push("failure set"),
            _ => {}
        }
        if !missed.is_empty() {
            Verdict::NotMet(missed)
        } else if !missing.is_empty() {
            Verdict::Incomplete(missing)
        } else {
            Verdict::Met
        }
    }
}

/// An Embench time (ms for time units, else the unit as it is).
fn time(ds: &Dataset, board: &str, rt: &str, bench: &str) -> Value {
    match ds.value(board, rt, "embench", bench, "interval") {
        Value::Ok { value, unit } => {
            let (value, unit) = normalise_time(value, &unit);
            if value > 0.0 {
                Value::Ok { value, unit }
            } else {
                Value::Missing
            }
        }
        other => other,
    }
}

/// The CoreMark score of `rt` on `board`.
fn coremark_score(ds: &Dataset, board: &str, rt: &str) -> Option<f64> {
    let w = ds.workloads(board, "coremark");
    let w = w.iter().find(|w| *w == "coremark").or(w.first())?;
    ds.value(board, rt, "coremark", w, "score")
        .number()
        .filter(|v| *v > 0.0)
}

/// Runtimes (of `runtimes`) with any Embench record on `board`.
fn embench_runtimes(ds: &Dataset, board: &str, runtimes: &[String]) -> Vec<String> {
    let have = ds.runtimes(board, "embench");
    runtimes
        .iter()
        .filter(|r| have.contains(r))
        .cloned()
        .collect()
}

/// Why an Embench cell counts as failed here, if it does.
fn failure_here(ds: &Dataset, board: &str, rt: &str, bench: &str) -> Option<String> {
    match ds.get(board, rt, "embench", bench) {
        None => Some("absent".to_string()),
        Some(c) => match c.record.failure() {
            Some(reason) => Some(reason),
            None if time(ds, board, rt, bench).number().is_none() => Some("no time".to_string()),
            None => None,
        },
    }
}

/// Compares our records (already [`translate`]d to the paper's labels)
/// with the paper's for one context. Divergences are left empty: fill them
/// with [`attribute`], which needs the other version set too.
pub fn compare(ours: &Dataset, paper: &Dataset, ctx: &Context) -> Agreement {
    let (ob, pb) = (ctx.ours_board.as_str(), ctx.paper_board.as_str());
    let rts = &ctx.runtimes;
    let has_coremark = ours.has_suite(ob, "coremark");
    let has_embench = ours.has_suite(ob, "embench");

    let mut bench_rho = Vec::new();
    let mut ratios = Vec::new();
    let mut swaps = Vec::new();
    for bench in EMBENCH_1_0 {
        let both: Vec<(String, f64, f64)> = rts
            .iter()
            .filter_map(|rt| {
                let (a, b) = (time(ours, ob, rt, bench), time(paper, pb, rt, bench));
                Some((rt.clone(), a.number()?, b.number()?))
            })
            .collect();
        if both.is_empty() {
            continue;
        }
        let xs: Vec<f64> = both.iter().map(|x| x.1).collect();
        let ys: Vec<f64> = both.iter().map(|x| x.2).collect();
        let rho = (both.len() >= MIN_RUNTIMES)
            .then(|| stats::spearman(&xs, &ys))
            .flatten();
        bench_rho.push(BenchRho {
            bench: bench.to_string(),
            runtimes: both.len(),
            rho,
        });
        for (i, a) in both.iter().enumerate() {
            for b in &both[i + 1..] {
                let (h, p) = (a.1 / b.1, a.2 / b.2);
                if h != 1.0 && p != 1.0 && (h < 1.0) != (p < 1.0) {
                    let (f, s, h, p) = if h < 1.0 {
                        (&a.0, &b.0, h, p)
                    } else {
                        (&b.0, &a.0, 1.0 / h, 1.0 / p)
                    };
                    swaps.push(Swap {
                        bench: bench.to_string(),
                        faster_here: f.clone(),
                        slower_here: s.clone(),
                        here: h,
                        paper: p,
                    });
                }
            }
        }
        // Ratio error: the reference on both sides, same unit on each side.
        let (ro, rp) = (
            time(ours, ob, &ctx.reference, bench),
            time(paper, pb, &ctx.reference, bench),
        );
        if let (Some(tro), Some(trp)) = (ro.number(), rp.number()) {
            for rt in rts.iter().filter(|r| **r != ctx.reference) {
                let (a, b) = (time(ours, ob, rt, bench), time(paper, pb, rt, bench));
                let same_unit = a.unit() == ro.unit() && b.unit() == rp.unit();
                if let (Some(ta), Some(tb), true) = (a.number(), b.number(), same_unit) {
                    ratios.push(RatioCell {
                        bench: bench.to_string(),
                        runtime: rt.clone(),
                        ours: ta / tro,
                        paper: tb / trp,
                    });
                }
            }
        }
    }
    swaps.sort_by(|a, b| b.strength().total_cmp(&a.strength()));

    let mut coremark = BTreeMap::new();
    for rt in rts {
        let (a, b) = (coremark_score(ours, ob, rt), coremark_score(paper, pb, rt));
        if a.is_some() || b.is_some() {
            coremark.insert(rt.clone(), (a, b));
        }
    }
    let both: Vec<(f64, f64)> = coremark
        .values()
        .filter_map(|(a, b)| Some(((*a)?, (*b)?)))
        .collect();
    let coremark_rho = (both.len() >= MIN_RUNTIMES)
        .then(|| {
            stats::spearman(
                &both.iter().map(|x| x.0).collect::<Vec<_>>(),
                &both.iter().map(|x| x.1).collect::<Vec<_>>(),
            )
        })
        .flatten();

    let failures = {
        let here = embench_runtimes(ours, ob, rts);
        let there = embench_runtimes(paper, pb, rts);
        let common: Vec<String> = here.iter().filter(|r| there.contains(r)).cloned().collect();
        (!common.is_empty()).then(|| {
            let mut f = FailureSets {
                not_run_here: there
                    .iter()
                    .filter(|r| !here.contains(r))
                    .cloned()
                    .collect(),
                not_in_paper: here
                    .iter()
                    .filter(|r| !there.contains(r))
                    .cloned()
                    .collect(),
                ..FailureSets::default()
            };
            // Benchmarks the paper ran on this board for none of the
            // runtimes (nbody: shorter than its millisecond timer) are not
            // failures of any runtime: left out.
            let paper_ran: Vec<&str> = EMBENCH_1_0
                .iter()
                .copied()
                .filter(|b| {
                    common
                        .iter()
                        .any(|rt| failure_here(paper, pb, rt, b).is_none())
                })
                .collect();
            for rt in &common {
                for bench in paper_ran.iter().copied() {
                    let cell = (rt.clone(), bench.to_string());
                    if let Some(why) = failure_here(ours, ob, rt, bench) {
                        f.here.insert(cell.clone(), why);
                    }
                    if failure_here(paper, pb, rt, bench).is_some() {
                        f.paper.insert(cell);
                    }
                }
            }
            f.runtimes = common;
            f
        })
    };

    Agreement {
        ctx: ctx.clone(),
        variants: Vec::new(),
        has_coremark,
        has_embench,
        bench_rho,
        ratios,
        coremark,
        coremark_rho,
        failures,
        swaps,
        divergences: Vec::new(),
    }
}

/// Maps our records onto the paper's labels through `set` ([`translate`]),
/// keeps the paper's records of the same runtimes, and [`compare`]s them.
pub fn agree(ours: &Dataset, paper: &Dataset, set: &VersionSet, ctx: &Context) -> Agreement {
    let t = translate(ours, &ctx.ours_board, set, &ctx.runtimes);
    let p = restrict(paper, &ctx.paper_board, &ctx.runtimes);
    let mut a = compare(&t, &p, ctx);
    a.variants = ctx
        .runtimes
        .iter()
        .filter_map(|r| Some((r.clone(), set.variant_for(r)?.to_string())))
        .collect();
    a
}

/// How many swaps and ratio errors [`attribute`] lists per comparison
/// (failures in one set only are all listed).
pub const LIST_TOP: usize = 5;

/// Fills `divergences` of every agreement of one pairing with the likely
/// cause of each. Rules, first match wins ([`Cause::rule`]):
///
/// 1. **not run here** — failed here only, and the cell has no record;
/// 2. **version/configuration** — in the current set, for a runtime whose
///    current variant differs from its pinned one, when the pinned set of
///    the same profile runs the cell (a failure) or brings the runtime's
///    ratio error down by [`NOTABLE_FACTOR`] or more (a swap or ratio
///    error); also a cell the paper lacks that runs here with the paper's
///    memory profile (same layout: the builds differ);
/// 3. **memory layout** — failed here only with `out-of-memory` or `crash`;
///    a cell the paper lacks that runs here with another profile;
/// 4. **instructions vs cycles** — a swap or ratio error on an emulated
///    board where every runtime's ratio error is [`NOTABLE_FACTOR`] or more;
/// 5. **unexplained** — the rest.
pub fn attribute(group: &mut [Agreement], paper_profile: &str) {
    let snapshot: Vec<Agreement> = group.to_vec();
    for a in group.iter_mut() {
        let sibling = snapshot.iter().find(|s| {
            s.ctx.versions == Versions::Pinned
                && a.ctx.versions == Versions::Current
                && s.ctx.profile == a.ctx.profile
        });
        let differs = |rt: &str| -> bool {
            sibling.is_some_and(|s| {
                let mine = a.variants.iter().find(|(p, _)| p == rt).map(|x| &x.1);
                let theirs = s.variants.iter().find(|(p, _)| p == rt).map(|x| &x.1);
                mine.is_some() && theirs.is_some() && mine != theirs
            })
        };
        let mine_err = a.runtime_error();
        let their_err = sibling.map(|s| s.runtime_error()).unwrap_or_default();
        let improves = |rt: &str| -> Option<String> {
            let (m, t) = (mine_err.get(rt)?, their_err.get(rt)?);
            (differs(rt) && m / t >= NOTABLE_FACTOR).then(|| {
                format!("{rt}'s ratio error ×{m:.2} here, ×{t:.2} with the pinned variant")
            })
        };
        let residual_everywhere = a.ctx.emulated
            && !mine_err.is_empty()
            && mine_err.values().all(|f| *f >= NOTABLE_FACTOR);
        let residual_why = || {
            format!(
                "emulated board; every runtime's ratio error is ×{NOTABLE_FACTOR:.2} or more (lowest ×{:.2})",
                mine_err.values().copied().fold(f64::INFINITY, f64::min)
            )
        };

        let mut out = Vec::new();
        if let Some(f) = &a.failures {
            for (rt, bench) in f.here_only() {
                let reason = f.here[&(rt.clone(), bench.clone())].clone();
                let pinned_runs = differs(rt)
                    && sibling.is_some_and(|s| {
                        s.failures.as_ref().is_some_and(|sf| {
                            sf.runtimes.contains(rt)
                                && !sf.here.contains_key(&(rt.clone(), bench.clone()))
                        })
                    });
                let (cause, why) = if reason == "absent" {
                    (Cause::NotRun, "no record of the cell here".to_string())
                } else if pinned_runs {
                    (
                        Cause::Version,
                        "the pinned variant runs it with the same profile".to_string(),
                    )
                } else if reason == "out-of-memory" || reason == "crash" {
                    (
                        Cause::MemoryLayout,
                        if a.ctx.profile == paper_profile {
                            format!("{reason} here, with the paper's memory profile")
                        } else {
                            format!("{reason} here; try the `{paper_profile}` memory profile")
                        },
                    )
                } else {
                    (Cause::Unexplained, format!("{reason} here"))
                };
                out.push(Divergence {
                    bench: bench.clone(),
                    runtimes: vec![rt.clone()],
                    kind: DivergenceKind::FailedHereOnly { reason },
                    cause,
                    why,
                });
            }
            for (rt, bench) in f.paper_only() {
                let (cause, why) = if a.ctx.profile == paper_profile {
                    (
                        Cause::Version,
                        "runs here with the paper's memory profile".to_string(),
                    )
                } else {
                    (
                        Cause::MemoryLayout,
                        format!("runs here with the `{}` profile", a.ctx.profile),
                    )
                };
                out.push(Divergence {
                    bench: bench.clone(),
                    runtimes: vec![rt.clone()],
                    kind: DivergenceKind::FailedPaperOnly,
                    cause,
                    why,
                });
            }
        }
        let timing_cause = |rts: &[&str]| -> (Cause, String) {
            if let Some(why) = rts.iter().find_map(|r| improves(r)) {
                (Cause::Version, why)
            } else if residual_everywhere {
                (Cause::InstructionsVsCycles, residual_why())
            } else {
                (
                    Cause::Unexplained,
                    "no rule applies (see the ratio errors per runtime)".to_string(),
                )
            }
        };
        for s in a.swaps.iter().take(LIST_TOP) {
            let (cause, why) = timing_cause(&[&s.faster_here, &s.slower_here]);
            out.push(Divergence {
                bench: s.bench.clone(),
                runtimes: vec![s.faster_here.clone(), s.slower_here.clone()],
                kind: DivergenceKind::Swap(s.clone()),
                cause,
                why,
            });
        }
        let mut worst: Vec<&RatioCell> = a.ratios.iter().collect();
        worst.sort_by(|x, y| y.log_error().total_cmp(&x.log_error()));
        for c in worst
            .into_iter()
            .filter(|c| c.factor() >= NOTABLE_FACTOR)
            .take(LIST_TOP)
        {
            let (cause, why) = timing_cause(&[&c.runtime]);
            out.push(Divergence {
                bench: c.bench.clone(),
                runtimes: vec![c.runtime.clone()],
                kind: DivergenceKind::RatioError(c.clone()),
                cause,
                why,
            });
        }
        a.divergences = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_runtimes_are_paper_labels() {
        let known: Vec<&str> = crate::paper::paper_runtimes().collect();
        for r in paper_runtimes() {
            assert!(known.contains(&r), "{r} is not a paper label");
        }
        assert!(paper_runtimes().contains(&DEFAULT_REFERENCE));
    }

    #[test]
    fn median_by_hand() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn catalog_sets_map_every_paper_runtime() {
        for v in Versions::ALL {
            let s = VersionSet::catalog(v);
            for r in paper_runtimes() {
                assert!(s.variant_for(r).is_some(), "{v}: no variant for {r}");
            }
        }
    }
}
