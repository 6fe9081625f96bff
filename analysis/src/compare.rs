//! Regression gate: compares a current results file with a baseline.
//!
//! Quantities compared:
//! Cells are matched by their whole key, OS included: a board's bare-metal
//! and Ariel OS firmware are compared each with its own baseline, never
//! with each other; lines name the platform (`nrf52840dk-ariel-os`).
//!
//! * footprint records (`suite == "footprint"`), per (board, OS, runtime):
//!   **flash** = `text + rodata + data` and **static RAM** = `data + bss`;
//! * run records, per (board, runtime, suite, workload): **peak heap**
//!   (`peak_heap`);
//! * with `--instructions`: **instructions** (`interval` when its unit is
//!   `instructions`, i.e. QEMU icount runs).
//!
//! A quantity *regresses* when it grows by more than the threshold (percent
//! of the baseline; default 1 %; growth exactly at the threshold passes).
//! Also counted as regressions: a cell that was ok and now failed, and a
//! quantity the baseline has but the current file lacks (or reports in
//! another unit). Cells only in one file are listed as added/removed and do
//! not fail the gate. Comparing two files with nothing in common is an input
//! error ([`GateError::NothingCompared`]).

use crate::dataset::{sort_boards, sum_value, Dataset, Key, Value};
use crate::platform::Platform;
use crate::record::Record;
use crate::tables::fmt_num;
use std::collections::BTreeSet;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use trevm_catalog::os::BARE;

/// Default growth threshold, percent.
pub const DEFAULT_THRESHOLD_PCT: f64 = 1.0;

/// Gate settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GateOptions {
    /// Growth above this percentage of the baseline fails the gate.
    pub threshold_pct: f64,
    /// Also compare instruction counts.
    pub instructions: bool,
}

impl Default for GateOptions {
    fn default() -> Self {
        GateOptions {
            threshold_pct: DEFAULT_THRESHOLD_PCT,
            instructions: false,
        }
    }
}

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Quantity {
    /// `.text + .rodata + .data` of a footprint record.
    Flash,
    /// `.data + .bss` of a footprint record.
    StaticRam,
    /// `peak_heap` of a run record.
    PeakHeap,
    /// `interval` in instructions.
    Instructions,
}

impl Quantity {
    /// Display name.
    pub fn label(self) -> &'static str {
        match self {
            Quantity::Flash => "flash",
            Quantity::StaticRam => "static RAM",
            Quantity::PeakHeap => "peak heap",
            Quantity::Instructions => "instructions",
        }
    }

    fn value(self, r: &Record) -> Value {
        match self {
            Quantity::Flash => sum_value(r, &["text", "rodata", "data"]),
            Quantity::StaticRam => sum_value(r, &["data", "bss"]),
            Quantity::PeakHeap => sum_value(r, &["peak_heap"]),
            Quantity::Instructions => sum_value(r, &["interval"]),
        }
    }
}

/// Outcome for one cell and quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// Grew past the threshold: fails the gate.
    Regressed,
    /// Was ok, now failed: fails the gate.
    NowFailed,
    /// The baseline has the quantity, the current file does not (or in
    /// another unit): fails the gate.
    Incomplete,
    /// Grew, within the threshold.
    Grew,
    /// Shrank.
    Shrank,
    /// Same value.
    Unchanged,
    /// Failed, now ok.
    Fixed,
    /// Failed in both.
    StillFailed,
    /// Only in the current file.
    Added,
    /// Only in the baseline.
    Removed,
}

impl Verdict {
    /// Whether this verdict fails the gate.
    pub fn fails(self) -> bool {
        matches!(
            self,
            Verdict::Regressed | Verdict::NowFailed | Verdict::Incomplete
        )
    }

    fn label(self) -> &'static str {
        match self {
            Verdict::Regressed => "REGRESSED",
            Verdict::NowFailed => "NOW FAILED",
            Verdict::Incomplete => "MISSING",
            Verdict::Grew => "grew",
            Verdict::Shrank => "shrank",
            Verdict::Unchanged => "same",
            Verdict::Fixed => "fixed",
            Verdict::StillFailed => "still failed",
            Verdict::Added => "added",
            Verdict::Removed => "removed",
        }
    }
}

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The cell.
    pub key: Key,
    /// The quantity (`None` for whole-cell lines: added, removed, failed).
    pub quantity: Option<Quantity>,
    /// Baseline value.
    pub baseline: Option<f64>,
    /// Current value.
    pub current: Option<f64>,
    /// Unit of the values.
    pub unit: String,
    /// Outcome.
    pub verdict: Verdict,
    /// Extra detail (failure reason, unit change).
    pub detail: String,
}

impl Change {
    /// Growth in percent of the baseline (infinite from 0 to more).
    pub fn percent(&self) -> Option<f64> {
        let (b, c) = (self.baseline?, self.current?);
        if b == 0.0 {
            return Some(if c == 0.0 { 0.0 } else { f64::INFINITY });
        }
        Some((c - b) / b * 100.0)
    }
}

/// Result of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct GateReport {
    /// Settings used.
    pub options: GateOptions,
    /// One entry per compared cell and quantity.
    pub changes: Vec<Change>,
}

/// A comparison that cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GateError {
    /// The two files share no comparable cell.
    NothingCompared,
}

impl fmt::Display for GateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GateError::NothingCompared => f.write_str(
                "nothing to compare: the baseline and the current file share no footprint, \
                 peak-heap or instruction-count cell (wrong board or wrong file?)",
            ),
        }
    }
}

impl std::error::Error for GateError {}

fn quantities(r: &Record, opts: &GateOptions) -> Vec<Quantity> {
    if r.is_footprint() {
        return vec![Quantity::Flash, Quantity::StaticRam];
    }
    let mut q = Vec::new();
    if r.metric("peak_heap").is_some() || r.failure().is_some() {
        q.push(Quantity::PeakHeap);
    }
    if opts.instructions
        && (r
            .metric("interval")
            .is_some_and(|m| m.unit == "instructions")
            || r.failure().is_some())
    {
        q.push(Quantity::Instructions);
    }
    q
}

fn relevant(r: &Record, opts: &GateOptions) -> bool {
    if r.is_footprint() {
        return true;
    }
    r.metric("peak_heap").is_some()
        || (opts.instructions
            && r.metric("interval")
                .is_some_and(|m| m.unit == "instructions"))
}

/// Compares `current` against `baseline`.
pub fn compare(
    baseline: &Dataset,
    current: &Dataset,
    opts: &GateOptions,
) -> Result<GateReport, GateError> {
    let mut keys: BTreeSet<Key> = BTreeSet::new();
    for (k, c) in baseline.iter().chain(current.iter()) {
        if relevant(&c.record, opts) {
            keys.insert(k.clone());
        }
    }
    let mut changes = Vec::new();
    let mut compared_any = false;
    for key in keys {
        let (b, c) = (baseline.get_key(&key), current.get_key(&key));
        let whole = |verdict, detail: String| Change {
            key: key.clone(),
            quantity: None,
            baseline: None,
            current: None,
            unit: String::new(),
            verdict,
            detail,
        };
        let (b, c) = match (b, c) {
            (Some(b), Some(c)) => (&b.record, &c.record),
            (Some(_), None) => {
                changes.push(whole(Verdict::Removed, String::new()));
                continue;
            }
            (None, Some(_)) => {
                changes.push(whole(Verdict::Added, String::new()));
                continue;
            }
            (None, None) => continue,
        };
        compared_any = true;
        match (b.failure(), c.failure()) {
            (None, Some(why)) => {
                changes.push(whole(Verdict::NowFailed, why));
                continue;
            }
            (Some(_), Some(why)) => {
                changes.push(whole(Verdict::StillFailed, why));
                continue;
            }
            (Some(_), None) => {
                changes.push(whole(Verdict::Fixed, String::new()));
                continue;
            }
            (None, None) => {}
        }
        let qs: BTreeSet<Quantity> = quantities(b, opts)
            .into_iter()
            .chain(quantities(c, opts))
            .collect();
        for q in qs {
            let (vb, vc) = (q.value(b), q.value(c));
            let mut ch = Change {
                key: key.clone(),
                quantity: Some(q),
                baseline: vb.number(),
                current: vc.number(),
                unit: vb.unit().or(vc.unit()).unwrap_or("").to_string(),
                verdict: Verdict::Unchanged,
                detail: String::new(),
            };
            let unit_ok =
                |v: &Value| q != Quantity::Instructions || v.unit() == Some("instructions");
            ch.verdict = match (&vb, &vc) {
                (Value::Ok { .. }, Value::Ok { .. }) if !(unit_ok(&vb) && unit_ok(&vc)) => {
                    ch.detail = format!(
                        "unit changed from `{}` to `{}`",
                        vb.unit().unwrap_or(""),
                        vc.unit().unwrap_or("")
                    );
                    Verdict::Incomplete
                }
                (Value::Ok { value: x, .. }, Value::Ok { value: y, .. }) => {
                    let pct = ch.percent().unwrap_or(0.0);
                    if pct > opts.threshold_pct {
                        Verdict::Regressed
                    } else if y > x {
                        Verdict::Grew
                    } else if y < x {
                        Verdict::Shrank
                    } else {
                        Verdict::Unchanged
                    }
                }
                (Value::Ok { .. }, _) => {
                    ch.detail = "not in the current file".to_string();
                    Verdict::Incomplete
                }
                (_, Value::Ok { .. }) => Verdict::Added,
                _ => continue,
            };
            changes.push(ch);
        }
    }
    if !compared_any {
        return Err(GateError::NothingCompared);
    }
    Ok(GateReport {
        options: *opts,
        changes,
    })
}

impl GateReport {
    /// The lines that fail the gate.
    pub fn regressions(&self) -> Vec<&Change> {
        self.changes.iter().filter(|c| c.verdict.fails()).collect()
    }

    /// Whether the gate passes.
    pub fn passed(&self) -> bool {
        self.regressions().is_empty()
    }

    /// A plain-text table of the changes (`all`: also unchanged lines) and a
    /// verdict line.
    pub fn render(&self, all: bool) -> String {
        let mut rows: Vec<[String; 8]> = vec![[
            "verdict".into(),
            "board".into(),
            "runtime".into(),
            "cell".into(),
            "quantity".into(),
            "baseline".into(),
            "current".into(),
            "change".into(),
        ]];
        let mut shown: Vec<&Change> = self
            .changes
            .iter()
            .filter(|c| all || c.verdict != Verdict::Unchanged)
            .collect();
        shown.sort_by_key(|c| (c.verdict, c.key.clone(), c.quantity));
        for c in &shown {
            let cell = if c.key.suite == "footprint" {
                "firmware".to_string()
            } else {
                format!("{}/{}", c.key.suite, c.key.workload)
            };
            let num = |v: Option<f64>| {
                v.map(|x| {
                    if c.unit.is_empty() {
                        fmt_num(x)
                    } else {
                        format!("{} {}", fmt_num(x), c.unit)
                    }
                })
                .unwrap_or_else(|| "–".into())
            };
            let change = match (c.baseline, c.current, c.percent()) {
                (Some(b), Some(x), Some(p)) => {
                    let d = x - b;
                    format!(
                        "{}{} ({p:+.2}%)",
                        if d >= 0.0 { "+" } else { "" },
                        fmt_num(d)
                    )
                }
                _ => c.detail.clone(),
            };
            rows.push([
                c.verdict.label().to_string(),
                c.key.platform_name(),
                c.key.runtime.clone(),
                cell,
                c.quantity
                    .map(|q| q.label().to_string())
                    .unwrap_or_else(|| "cell".into()),
                num(c.baseline),
                num(c.current),
                change,
            ]);
        }
        let mut widths = [0usize; 8];
        for r in &rows {
            for (i, f) in r.iter().enumerate() {
                widths[i] = widths[i].max(f.chars().count());
            }
        }
        let mut s = String::new();
        if rows.len() > 1 {
            for r in &rows {
                let line: Vec<String> = r
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("{f:<w$}", w = widths[i]))
                    .collect();
                let _ = writeln!(s, "{}", line.join("  ").trim_end());
            }
        }
        let unchanged = self
            .changes
            .iter()
            .filter(|c| c.verdict == Verdict::Unchanged)
            .count();
        let compared = self.changes.iter().filter(|c| c.quantity.is_some()).count();
        if !all && unchanged > 0 {
            let _ = writeln!(s, "({unchanged} unchanged not shown)");
        }
        let reg = self.regressions();
        if reg.is_empty() {
            let _ = writeln!(
                s,
                "gate: PASS — {compared} quantities compared, none grew by more than {}%",
                self.options.threshold_pct
            );
        } else {
            let _ = writeln!(
                s,
                "gate: FAIL — {} regression(s) (threshold {}%): {}",
                reg.len(),
                self.options.threshold_pct,
                reg.iter()
                    .map(|c| format!(
                        "{}/{} {}{}",
                        c.key.platform_name(),
                        c.key.runtime,
                        c.quantity.map(|q| q.label()).unwrap_or("cell"),
                        c.percent()
                            .map(|p| format!(" {p:+.2}%"))
                            .unwrap_or_else(|| format!(" ({})", c.verdict.label()))
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        s
    }
}

/// How the name of a size file ends: `<platform>-size.jsonl`, the platform
/// being a board under one OS (`nrf52840dk`, `nrf52840dk-ariel-os`; see
/// [`crate::platform`]).
pub const SIZE_FILE_SUFFIX: &str = "-size.jsonl";

/// File name of the size records of a platform: `<board>-size.jsonl` for
/// bare metal, `<board>-<os>-size.jsonl` for another OS.
pub fn size_file_name(board: &str) -> String {
    format!("{board}{SIZE_FILE_SUFFIX}")
}

/// The platform name of a size file (`nrf52840dk-ariel-os-size.jsonl` →
/// `nrf52840dk-ariel-os`), when the name is one.
pub fn size_file_platform(file_name: &str) -> Option<&str> {
    file_name
        .strip_suffix(SIZE_FILE_SUFFIX)
        .filter(|b| !b.is_empty())
}

/// File name of the committed size baseline of a platform (`board` is a
/// platform name): `<dir>/<board>[-<os>]-size.jsonl`.
pub fn baseline_path(dir: &Path, board: &str) -> PathBuf {
    dir.join(size_file_name(board))
}

/// The `make` command that writes the size records of a platform into
/// `out`: `make size BOARD=<board> [OS=<os>] OUT=<out>` (the OS is named
/// unless it is bare metal).
pub fn size_command(board: &str, out: &Path) -> String {
    let p = Platform::parse(board);
    let os = if p.os == BARE.name {
        String::new()
    } else {
        format!(" OS={}", p.os)
    };
    format!("make size BOARD={}{os} OUT={}", p.board, out.display())
}

/// The message printed when a platform has no committed baseline yet.
pub fn missing_baseline_message(dir: &Path, board: &str) -> String {
    let p = baseline_path(dir, board);
    format!(
        "no committed size baseline for board `{board}`: {} does not exist yet.\n  \
         Create it with `{}`, check it, and commit it \
         (see results/README.md).",
        p.display(),
        size_command(board, &p)
    )
}

/// Size files that cannot be found.
#[derive(Debug)]
pub enum SizeFilesError {
    /// The folder cannot be read.
    Unreadable {
        /// The folder.
        dir: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The folder holds no `<board>-size.jsonl`.
    None {
        /// The folder.
        dir: PathBuf,
    },
}

impl fmt::Display for SizeFilesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SizeFilesError::Unreadable { dir, error } => write!(f, "{}: {error}", dir.display()),
            SizeFilesError::None { dir } => write!(
                f,
                "no <board>{SIZE_FILE_SUFFIX} in {}: run `make size BOARD=<board> [OS=<os>] OUT=...` first",
                dir.display()
            ),
        }
    }
}

impl std::error::Error for SizeFilesError {}

/// The platforms (names) with a size file in `dir`, in table order.
pub fn size_files(dir: &Path) -> Result<Vec<String>, SizeFilesError> {
    let entries = std::fs::read_dir(dir).map_err(|error| SizeFilesError::Unreadable {
        dir: dir.to_path_buf(),
        error,
    })?;
    let names: Vec<String> = entries
        .flatten()
        .filter_map(|e| Some(size_file_platform(e.file_name().to_str()?)?.to_string()))
        .collect();
    if names.is_empty() {
        return Err(SizeFilesError::None {
            dir: dir.to_path_buf(),
        });
    }
    Ok(sort_boards(names))
}

/// The gate for one platform's size files: only the cells of that board
/// under that OS, on both sides (a file may hold other records too).
pub fn size_gate(
    baseline: &Dataset,
    current: &Dataset,
    board: &str,
    opts: &GateOptions,
) -> Result<GateReport, GateError> {
    let one = [board.to_string()];
    compare(
        &baseline.filter_boards(&one),
        &current.filter_boards(&one),
        opts,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{LocatedRecord, Source};

    fn fp(board: &str, rt: &str, text: f64) -> LocatedRecord {
        LocatedRecord {
            record: Record::ok(board, rt, "footprint", "firmware")
                .with_metric("text", text, "B")
                .with_metric("rodata", 1000.0, "B")
                .with_metric("data", 100.0, "B")
                .with_metric("bss", 500.0, "B"),
            source: Source {
                path: "x".into(),
                line: 1,
            },
        }
    }

    #[test]
    fn threshold() {
        let base = Dataset::from_records([fp("b", "wasmi", 98900.0)]); // flash 100000
        let plus2 = Dataset::from_records([fp("b", "wasmi", 100900.0)]);
        let plus_half = Dataset::from_records([fp("b", "wasmi", 99400.0)]);
        let o = GateOptions::default();
        assert!(!compare(&base, &plus2, &o).unwrap().passed());
        assert!(compare(&base, &plus_half, &o).unwrap().passed());
        assert!(compare(&base, &base, &o).unwrap().passed());
        let other = Dataset::from_records([fp("c", "wasmi", 1.0)]);
        assert_eq!(compare(&base, &other, &o), Err(GateError::NothingCompared));
    }
}
