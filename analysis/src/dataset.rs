//! A set of cells keyed by (board, OS, runtime, suite, workload), with the
//! look-ups the tables and plots need.
//!
//! The look-ups take a *platform name* where they say `board`: a board
//! under one OS, `nrf52840dk` (bare metal, or the board's only OS) or
//! `nrf52840dk-ariel-os` (see [`crate::platform`]). So every table, figure
//! and comparison keeps the OSes of a board apart, and records without
//! `meta.os` (bare metal) keep their board's name.
//!
//! Results files are append-only logs: a run that is resumed or repeated
//! appends a new line for a cell that already has one. A [`Dataset`] keeps
//! the **last** record for each key, in the order the records are given
//! (files in command-line order, lines in file order); the earlier ones are
//! counted in [`Dataset::superseded`].

use crate::platform::Platform;
use crate::record::{LocatedRecord, Record, Source, FOOTPRINT_SUITE, FOOTPRINT_WORKLOAD};
use std::collections::{BTreeMap, BTreeSet};

/// Identity of a cell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// Board.
    pub board: String,
    /// Operating system (`meta.os`; `bare` for records without it).
    pub os: String,
    /// Runtime variant.
    pub runtime: String,
    /// Suite.
    pub suite: String,
    /// Workload.
    pub workload: String,
}

impl Key {
    /// The key of a record.
    pub fn of(r: &Record) -> Self {
        Key {
            board: r.board.clone(),
            os: r.os().to_string(),
            runtime: r.runtime.clone(),
            suite: r.suite.clone(),
            workload: r.workload.clone(),
        }
    }

    /// The platform (board and OS) of the cell.
    pub fn platform(&self) -> Platform {
        Platform::new(&self.board, &self.os)
    }

    /// The platform's name, as tables and messages show it.
    pub fn platform_name(&self) -> String {
        self.platform().name()
    }

    /// Whether the cell is on the platform called `name`.
    pub fn is_on(&self, name: &str) -> bool {
        crate::platform::is_name_of(name, &self.board, &self.os)
    }
}

/// The value of one metric of one cell, as tables and plots show it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Measured.
    Ok {
        /// The number.
        value: f64,
        /// Its unit.
        unit: String,
    },
    /// The cell failed (reason: error kind, or `unverified`): shown as
    /// failed, never as zero.
    Failed(String),
    /// No cell, or the metric was not measured.
    Missing,
}

impl Value {
    /// The number when measured.
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Ok { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// The unit when measured.
    pub fn unit(&self) -> Option<&str> {
        match self {
            Value::Ok { unit, .. } => Some(unit),
            _ => None,
        }
    }

    /// Whether the cell failed.
    pub fn is_failed(&self) -> bool {
        matches!(self, Value::Failed(_))
    }
}

/// Cells keyed by (board, OS, runtime, suite, workload), last record wins.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    cells: BTreeMap<Key, LocatedRecord>,
    /// Platform name → platform, for every platform with a cell.
    platforms: BTreeMap<String, Platform>,
    /// How many records were replaced by a later one with the same key.
    pub superseded: usize,
}

fn order_by(names: impl IntoIterator<Item = String>, pos: impl Fn(&str) -> usize) -> Vec<String> {
    let mut v: Vec<String> = names
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    v.sort_by_key(|n| (pos(n), n.clone()));
    v
}

/// Sorts runtime labels in the catalog's table order (`none`, then
/// unknown labels alphabetically, last), deduplicated.
pub fn sort_runtimes(names: impl IntoIterator<Item = String>) -> Vec<String> {
    order_by(names, trevm_catalog::runtime::order)
}

/// Sorts board (platform) names in the catalog's order (each of the
/// paper's boards after the first real board compared with it; the OSes of
/// a board in the catalog's order), deduplicated.
pub fn sort_boards(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = names
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    v.sort_by_cached_key(|n| (Platform::parse(n).order(), n.clone()));
    v
}

impl Dataset {
    /// Builds a dataset; for a repeated key the later record wins.
    pub fn from_records(records: impl IntoIterator<Item = LocatedRecord>) -> Self {
        let mut ds = Dataset::default();
        for r in records {
            ds.insert(r);
        }
        ds
    }

    /// Inserts one record, replacing an earlier one with the same key.
    pub fn insert(&mut self, r: LocatedRecord) {
        let key = Key::of(&r.record);
        let platform = key.platform();
        self.platforms.insert(platform.name(), platform);
        if self.cells.insert(key, r).is_some() {
            self.superseded += 1;
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether there is no cell.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// All cells in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &LocatedRecord)> {
        self.cells.iter()
    }

    /// Only the cells of the given boards (platform names: a board under
    /// one OS).
    pub fn filter_boards(&self, boards: &[String]) -> Dataset {
        let platforms: BTreeMap<String, Platform> = self
            .platforms
            .iter()
            .filter(|(name, _)| boards.contains(name))
            .map(|(n, p)| (n.clone(), p.clone()))
            .collect();
        Dataset {
            cells: self
                .cells
                .iter()
                .filter(|(k, _)| {
                    platforms
                        .values()
                        .any(|p| k.board == p.board && k.os == p.os)
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            platforms,
            superseded: self.superseded,
        }
    }

    /// Boards present (platform names), in the catalog's order.
    pub fn boards(&self) -> Vec<String> {
        sort_boards(self.platforms.keys().cloned())
    }

    /// The platform called `name`, when it has cells.
    pub fn platform(&self, name: &str) -> Option<&Platform> {
        self.platforms.get(name)
    }

    /// The platforms with cells of the catalog board `board` (one per OS),
    /// in table order.
    pub fn platforms_of(&self, board: &str) -> Vec<Platform> {
        let mut v: Vec<Platform> = self
            .platforms
            .values()
            .filter(|p| p.board == board)
            .cloned()
            .collect();
        v.sort_by_key(|p| p.order());
        v
    }

    /// Runtimes with at least one cell of `suite` on `board`.
    pub fn runtimes(&self, board: &str, suite: &str) -> Vec<String> {
        sort_runtimes(
            self.cells
                .keys()
                .filter(|k| k.suite == suite && k.is_on(board))
                .map(|k| k.runtime.clone()),
        )
    }

    /// Workloads of `suite` on `board`, sorted by name.
    pub fn workloads(&self, board: &str, suite: &str) -> Vec<String> {
        self.cells
            .keys()
            .filter(|k| k.suite == suite && k.is_on(board))
            .map(|k| k.workload.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Whether `board` has any cell of `suite`.
    pub fn has_suite(&self, board: &str, suite: &str) -> bool {
        self.cells
            .keys()
            .any(|k| k.suite == suite && k.is_on(board))
    }

    /// The cell, if any.
    pub fn get(
        &self,
        board: &str,
        runtime: &str,
        suite: &str,
        workload: &str,
    ) -> Option<&LocatedRecord> {
        let p = self.platforms.get(board)?;
        self.get_key(&Key {
            board: p.board.clone(),
            os: p.os.clone(),
            runtime: runtime.to_string(),
            suite: suite.to_string(),
            workload: workload.to_string(),
        })
    }

    /// The cell with this key, if any.
    pub fn get_key(&self, key: &Key) -> Option<&LocatedRecord> {
        self.cells.get(key)
    }

    /// The footprint record of `runtime` on `board`.
    pub fn footprint(&self, board: &str, runtime: &str) -> Option<&LocatedRecord> {
        self.get(board, runtime, FOOTPRINT_SUITE, FOOTPRINT_WORKLOAD)
    }

    /// One metric of one cell.
    pub fn value(
        &self,
        board: &str,
        runtime: &str,
        suite: &str,
        workload: &str,
        metric: &str,
    ) -> Value {
        match self.get(board, runtime, suite, workload) {
            None => Value::Missing,
            Some(c) => metric_value(&c.record, metric),
        }
    }

    /// The sum of several metrics of one cell (all must be measured and in
    /// the same unit, else [`Value::Missing`]).
    pub fn sum(
        &self,
        board: &str,
        runtime: &str,
        suite: &str,
        workload: &str,
        metrics: &[&str],
    ) -> Value {
        match self.get(board, runtime, suite, workload) {
            None => Value::Missing,
            Some(c) => sum_value(&c.record, metrics),
        }
    }

    /// Where a cell was read, for messages.
    pub fn source(&self, key: &Key) -> Option<&Source> {
        self.cells.get(key).map(|c| &c.source)
    }
}

/// One metric of a record as a [`Value`].
pub fn metric_value(r: &Record, metric: &str) -> Value {
    if let Some(reason) = r.failure() {
        return Value::Failed(reason);
    }
    match r.metric(metric) {
        Some(m) => Value::Ok {
            value: m.value,
            unit: m.unit.clone(),
        },
        None => Value::Missing,
    }
}

/// The sum of metrics of a record as a [`Value`].
pub fn sum_value(r: &Record, metrics: &[&str]) -> Value {
    if let Some(reason) = r.failure() {
        return Value::Failed(reason);
    }
    let mut total = 0.0;
    let mut unit: Option<&str> = None;
    for name in metrics {
        match r.metric(name) {
            None => return Value::Missing,
            Some(m) => {
                if let Some(u) = unit {
                    if u != m.unit {
                        return Value::Missing;
                    }
                }
                unit = Some(&m.unit);
                total += m.value;
            }
        }
    }
    Value::Ok {
        value: total,
        unit: unit.unwrap_or("").to_string(),
    }
}

/// Converts time units to milliseconds where possible (`ns`, `us`, `ms`,
/// `s`); other units (`cycles`, `instructions`) are returned unchanged.
pub fn normalise_time(value: f64, unit: &str) -> (f64, String) {
    match unit {
        "ns" => (value / 1e6, "ms".to_string()),
        "us" | "µs" => (value / 1e3, "ms".to_string()),
        "s" => (value * 1e3, "ms".to_string()),
        _ => (value, unit.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn located(r: Record, line: usize) -> LocatedRecord {
        LocatedRecord {
            record: r,
            source: Source {
                path: PathBuf::from("t.jsonl"),
                line,
            },
        }
    }

    #[test]
    fn last_record_wins() {
        let a = Record::ok("b", "wasmi", "own", "x").with_metric("interval", 1.0, "ns");
        let b = Record::ok("b", "wasmi", "own", "x").with_metric("interval", 2.0, "ns");
        let ds = Dataset::from_records([located(a, 1), located(b, 2)]);
        assert_eq!(ds.len(), 1);
        assert_eq!(ds.superseded, 1);
        assert_eq!(
            ds.value("b", "wasmi", "own", "x", "interval").number(),
            Some(2.0)
        );
    }

    #[test]
    fn failed_is_not_zero() {
        let mut r = Record::ok("b", "wasmi", "own", "x");
        r.status = crate::record::Status::Failed;
        r.error = Some(crate::record::CellError {
            kind: trevm_catalog::Kind::Trap,
            stage: trevm_catalog::Stage::Run,
            message: "unreachable".into(),
        });
        let ds = Dataset::from_records([located(r, 1)]);
        assert_eq!(
            ds.value("b", "wasmi", "own", "x", "interval"),
            Value::Failed("trap".into())
        );
        assert_eq!(
            ds.value("b", "wasmi", "own", "y", "interval"),
            Value::Missing
        );
    }

    #[test]
    fn runtime_order() {
        let v = sort_runtimes([
            "zzz".into(),
            "wasmi".into(),
            "native".into(),
            "wasmi".into(),
        ]);
        assert_eq!(v, ["native", "wasmi", "zzz"]);
    }
}
