//! The results record (`trevm-bench/1`, `docs/results-format.md`): one
//! board × runtime × suite × workload cell. The runner writes it and the
//! analysis reads it; this is the one type both use.

use std::collections::BTreeMap;
use std::string::{String, ToString};
use std::vec::Vec;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::failure::{Kind, Stage};
use crate::suite::FOOTPRINT;

/// The `schema` value of this format version.
pub const SCHEMA: &str = "trevm-bench/1";

/// The tool name in every record's `meta.tool`.
pub const TOOL: &str = "trevm-bench";

/// One measured number with its unit, e.g. `{"value": 1234, "unit": "ns"}`.
/// Whole numbers are written as JSON integers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The number.
    #[serde(serialize_with = "whole_as_integer")]
    pub value: f64,
    /// Its unit (`ns`, `cycles`, `instructions`, `B`, `iterations/s`, ...).
    pub unit: String,
    /// When the cell was repeated (`--repeat`): every sample and their
    /// spread; `value` is then their median.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<crate::stats::Spread>,
}

fn whole_as_integer<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    // 2^53: every integer below is exact in an f64.
    if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
        if *v >= 0.0 {
            s.serialize_u64(*v as u64)
        } else {
            s.serialize_i64(*v as i64)
        }
    } else {
        s.serialize_f64(*v)
    }
}

impl Metric {
    /// A metric.
    pub fn new(value: f64, unit: impl Into<String>) -> Self {
        Metric {
            value,
            unit: unit.into(),
            spread: None,
        }
    }

    /// A metric from a count.
    pub fn int(value: u64, unit: &str) -> Self {
        Metric::new(value as f64, unit)
    }

    /// A metric from a float; `None` when it is not finite (JSON cannot
    /// hold it, and a record never holds a made-up number).
    pub fn float(value: f64, unit: &str) -> Option<Self> {
        value.is_finite().then(|| Metric::new(value, unit))
    }
}

/// Outcome of one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The cell ran to completion.
    Ok,
    /// The cell failed; `error` says why.
    Failed,
}

/// Why a cell failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellError {
    /// What went wrong.
    pub kind: Kind,
    /// Where in the cell's life.
    pub stage: Stage,
    /// Detail, usually the runtime's own message.
    pub message: String,
}

/// How a record was made.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Meta {
    /// Always [`TOOL`] for records this tool made.
    pub tool: String,
    /// Harness version.
    pub tool_version: String,
    /// Git commit of the harness (`-dirty` suffix for uncommitted trees).
    pub git_commit: String,
    /// Runtime crate.
    pub runtime_crate: String,
    /// Runtime crate version.
    pub runtime_version: String,
    /// Runtime crate features and switches.
    pub runtime_features: Vec<String>,
    /// `rustc --version` of the build.
    pub toolchain: String,
    /// Board name.
    pub board: String,
    /// The operating system the firmware runs on (`bare`, `ariel-os`;
    /// records from before the OS axis, without it, are `bare`). Ariel OS
    /// records also carry `ariel_os_commit`.
    #[serde(default = "bare_os")]
    pub os: String,
    /// Ran under QEMU.
    pub emulated: bool,
    /// What the clock counts.
    pub clock_source: String,
    /// Unit of `interval` and `load`.
    pub clock_unit: String,
    /// Nominal clock rate.
    pub clock_hz: u64,
    /// When the cell started (UTC).
    pub started: String,
    /// Anything else worth keeping (the firmware heap size, the firmware
    /// build, the QEMU machine, the suite's upstream, ...).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

fn bare_os() -> String {
    crate::os::BARE.name.into()
}

/// One cell's result: the unit of the results format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Board.
    pub board: String,
    /// Runtime variant label (`none`: the no-runtime footprint baseline).
    pub runtime: String,
    /// Suite.
    pub suite: String,
    /// Workload.
    pub workload: String,
    /// `ok` or `failed`.
    pub status: Status,
    /// The workload's self-check passed.
    #[serde(default)]
    pub verified: bool,
    /// What the module's entry point returned, when it returned
    /// (`__original_main`'s value; 0 for the CoreMark ABI and capsules):
    /// the value the reliability campaign compares across runtimes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<i64>,
    /// Why it failed, when it did.
    #[serde(default)]
    pub error: Option<CellError>,
    /// Named numbers; a metric that could not be measured is absent.
    #[serde(default)]
    pub metrics: BTreeMap<String, Metric>,
    /// How it was made.
    #[serde(default, deserialize_with = "meta_or_null")]
    pub meta: Meta,
}

fn meta_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Meta, D::Error> {
    Ok(Option::<Meta>::deserialize(d)?.unwrap_or_default())
}

/// The key of a cell: `(board, runtime, suite, workload)`.
pub type CellKey = (String, String, String, String);

impl Record {
    /// A record for a cell, failed until told otherwise, with this tool's
    /// name and version in `meta`.
    pub fn new(board: &str, runtime: &str, suite: &str, workload: &str) -> Self {
        Record {
            schema: SCHEMA.into(),
            board: board.into(),
            runtime: runtime.into(),
            suite: suite.into(),
            workload: workload.into(),
            status: Status::Failed,
            verified: false,
            returned: None,
            error: None,
            metrics: BTreeMap::new(),
            meta: Meta {
                tool: TOOL.into(),
                board: board.into(),
                os: bare_os(),
                ..Meta::default()
            },
        }
    }

    /// The operating system the firmware ran on (`bare` when unset).
    pub fn os(&self) -> &str {
        if self.meta.os.is_empty() {
            crate::os::BARE.name
        } else {
            &self.meta.os
        }
    }

    /// A successful, verified record with no metrics (for importers and
    /// tests).
    pub fn ok(board: &str, runtime: &str, suite: &str, workload: &str) -> Self {
        let mut r = Record::new(board, runtime, suite, workload);
        r.status = Status::Ok;
        r.verified = true;
        r
    }

    /// Adds a metric (builder style).
    pub fn with_metric(mut self, name: &str, value: f64, unit: &str) -> Self {
        self.metrics.insert(name.into(), Metric::new(value, unit));
        self
    }

    /// The metric called `name`, if measured.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.get(name)
    }

    /// Marks the record failed with `kind` at `stage`.
    pub fn fail(&mut self, kind: Kind, stage: Stage, message: impl Into<String>) {
        self.status = Status::Failed;
        self.verified = false;
        self.error = Some(CellError {
            kind,
            stage,
            message: message.into(),
        });
    }

    /// Marks the record ok and verified.
    pub fn succeed(&mut self) {
        self.status = Status::Ok;
        self.verified = true;
        self.error = None;
    }

    /// `(board, runtime, suite, workload)`.
    pub fn key(&self) -> CellKey {
        (
            self.board.clone(),
            self.runtime.clone(),
            self.suite.clone(),
            self.workload.clone(),
        )
    }

    /// `true` when the cell succeeded.
    pub fn is_ok(&self) -> bool {
        self.status == Status::Ok
    }

    /// Whether this is a footprint (section size) record.
    pub fn is_footprint(&self) -> bool {
        self.suite == FOOTPRINT
    }

    /// `Some(reason)` when the cell must be shown as failed: status
    /// `failed` (its kind), or a run cell that is `ok` but not verified.
    pub fn failure(&self) -> Option<String> {
        match self.status {
            Status::Failed => Some(match &self.error {
                Some(e) => e.kind.as_str().to_string(),
                None => "failed".to_string(),
            }),
            Status::Ok if !self.is_footprint() && !self.verified => Some("unverified".to_string()),
            Status::Ok => None,
        }
    }

    /// Checks what serde cannot: the schema tag, non-empty key fields and
    /// finite metric values.
    pub fn validate(&self) -> Result<(), String> {
        if self.schema != SCHEMA {
            return Err(std::format!(
                "unknown schema `{}` (this tool reads `{SCHEMA}`)",
                self.schema
            ));
        }
        for (name, v) in [
            ("board", &self.board),
            ("runtime", &self.runtime),
            ("suite", &self.suite),
            ("workload", &self.workload),
        ] {
            if v.trim().is_empty() {
                return Err(std::format!("field `{name}` is empty"));
            }
        }
        for (name, m) in &self.metrics {
            if !m.value.is_finite() {
                return Err(std::format!("metric `{name}` is not a finite number"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_integers_kept_integers() {
        let mut r = Record::new("qemu-m33", "wasmi", "own", "crc32");
        r.metrics
            .insert("interval".into(), Metric::int(1234, "instructions"));
        r.metrics
            .insert("score".into(), Metric::float(2.5, "iterations/s").unwrap());
        r.fail(Kind::OutOfMemory, Stage::Instantiate, "no room");
        let line = serde_json::to_string(&r).unwrap();
        assert!(
            line.contains(r#""interval":{"value":1234,"unit":"instructions"}"#),
            "{line}"
        );
        assert!(
            line.contains(r#""kind":"out-of-memory","stage":"instantiate""#),
            "{line}"
        );
        let back: Record = serde_json::from_str(&line).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.failure().as_deref(), Some("out-of-memory"));
    }

    #[test]
    fn unknown_kinds_are_refused_by_name() {
        let line = r#"{"schema":"trevm-bench/1","board":"host","runtime":"wasmi","suite":"own","workload":"x","status":"failed","error":{"kind":"segfault","stage":"run","message":""},"metrics":{},"meta":null}"#;
        let e = serde_json::from_str::<Record>(line)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown failure kind `segfault`") && e.contains("out-of-memory"),
            "{e}"
        );
    }
}
