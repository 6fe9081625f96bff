//! Results records (`trevm-bench/1`, see `docs/results-format.md`) and the
//! JSON Lines reader.
//!
//! Every problem in an input file is reported with the file and the line it
//! is on ([`ParseError`]); nothing is skipped in silence. Blank lines are the
//! only lines that are passed over, because they carry no record. A file
//! whose last line has no newline and does not parse is reported as
//! *truncated* (a run that was killed while writing its last cell).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The only schema version this crate understands.
pub const SCHEMA: &str = "trevm-bench/1";

/// Suite name of footprint (section size) records.
pub const FOOTPRINT_SUITE: &str = "footprint";

/// Workload name of footprint records.
pub const FOOTPRINT_WORKLOAD: &str = "firmware";

/// Runtime label of the no-runtime baseline firmware (footprint records).
pub const NO_RUNTIME: &str = "none";

/// A named number of a record, e.g. `{"value": 1234, "unit": "ns"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The measured value.
    pub value: f64,
    /// Its unit (`ns`, `cycles`, `instructions`, `B`, `iterations/s`, ...).
    pub unit: String,
}

impl Metric {
    /// Builds a metric.
    pub fn new(value: f64, unit: impl Into<String>) -> Self {
        Metric {
            value,
            unit: unit.into(),
        }
    }
}

/// Outcome of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The cell ran to completion.
    Ok,
    /// The cell failed; `error` says why.
    Failed,
}

/// Why a cell failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// `malformed`, `link`, `trap`, `out-of-fuel`, `out-of-memory`, `timeout`,
    /// `crash`, `verify`, `unsupported`, `build`, `transport` or `internal`.
    #[serde(default)]
    pub kind: String,
    /// `build`, `prepare`, `load`, `instantiate`, `run` or `transport`.
    #[serde(default)]
    pub stage: String,
    /// Human-readable detail.
    #[serde(default)]
    pub message: String,
}

/// One line of a results file: one board × runtime × suite × workload cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Board the cell ran on (`host`, `qemu-m33`, `rpi-pico2-w`, ...).
    pub board: String,
    /// Runtime variant label (`wasmtime`, `wasmi`, `native`, `none`, ...).
    pub runtime: String,
    /// Suite (`own`, `coremark`, `embench`, `test`, `footprint`).
    pub suite: String,
    /// Benchmark name inside the suite (`firmware` for footprint records).
    pub workload: String,
    /// `ok` or `failed`.
    pub status: Status,
    /// The workload's own self-check passed.
    #[serde(default)]
    pub verified: Option<bool>,
    /// Why the cell failed (`null` when ok).
    #[serde(default)]
    pub error: Option<ErrorInfo>,
    /// Named measurements; a metric that could not be measured is absent.
    #[serde(default)]
    pub metrics: BTreeMap<String, Metric>,
    /// How the numbers were made (free-form object).
    #[serde(default)]
    pub meta: serde_json::Value,
}

impl Record {
    /// A successful record with no metrics (builder used by the paper
    /// importer and by tests).
    pub fn ok(board: &str, runtime: &str, suite: &str, workload: &str) -> Self {
        Record {
            schema: SCHEMA.to_string(),
            board: board.to_string(),
            runtime: runtime.to_string(),
            suite: suite.to_string(),
            workload: workload.to_string(),
            status: Status::Ok,
            verified: Some(true),
            error: None,
            metrics: BTreeMap::new(),
            meta: serde_json::Value::Null,
        }
    }

    /// Adds a metric (builder style).
    pub fn with_metric(mut self, name: &str, value: f64, unit: &str) -> Self {
        self.metrics
            .insert(name.to_string(), Metric::new(value, unit));
        self
    }

    /// The metric called `name`, if measured.
    pub fn metric(&self, name: &str) -> Option<&Metric> {
        self.metrics.get(name)
    }

    /// Whether this is a footprint (section size) record.
    pub fn is_footprint(&self) -> bool {
        self.suite == FOOTPRINT_SUITE
    }

    /// `Some(reason)` when the cell must be shown as failed: status `failed`,
    /// or (for run suites) status `ok` with `verified: false`.
    pub fn failure(&self) -> Option<String> {
        match self.status {
            Status::Failed => Some(match &self.error {
                Some(e) if !e.kind.is_empty() => e.kind.clone(),
                _ => "failed".to_string(),
            }),
            Status::Ok if !self.is_footprint() && self.verified == Some(false) => {
                Some("unverified".to_string())
            }
            Status::Ok => None,
        }
    }

    /// Checks what serde cannot: the schema tag, non-empty key fields and
    /// finite metric values.
    pub fn validate(&self) -> Result<(), String> {
        if self.schema != SCHEMA {
            return Err(format!(
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
                return Err(format!("field `{name}` is empty"));
            }
        }
        for (name, m) in &self.metrics {
            if !m.value.is_finite() {
                return Err(format!("metric `{name}` is not a finite number"));
            }
        }
        Ok(())
    }
}

/// Where a record came from: file and 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number.
    pub line: usize,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// A record and where it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedRecord {
    /// The record.
    pub record: Record,
    /// Its file and line.
    pub source: Source,
}

/// A problem in an input file, with its file and (when known) line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line, `None` for whole-file problems (cannot open, empty).
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path.display(), l, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ParseError {}

/// All problems found in a set of input files.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LoadErrors(pub Vec<ParseError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

/// Parses the text of one JSONL results file. Returns every record that
/// parsed and every error (with `path` and line); callers must not ignore
/// the errors.
pub fn parse_jsonl(text: &str, path: &Path) -> (Vec<LocatedRecord>, Vec<ParseError>) {
    let mut records = Vec::new();
    let mut errors = Vec::new();
    let ends_with_newline = text.ends_with('\n');
    let lines: Vec<&str> = text.split('\n').collect();
    // `split` yields an empty last piece when the text ends in a newline.
    let n = if ends_with_newline {
        lines.len() - 1
    } else {
        lines.len()
    };
    for (i, raw) in lines.iter().take(n).enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let is_last_unterminated = i + 1 == n && !ends_with_newline;
        let err = |message: String| ParseError {
            path: path.to_path_buf(),
            line: Some(line_no),
            message,
        };
        match serde_json::from_str::<Record>(line) {
            Ok(rec) => match rec.validate() {
                Ok(()) => records.push(LocatedRecord {
                    record: rec,
                    source: Source {
                        path: path.to_path_buf(),
                        line: line_no,
                    },
                }),
                Err(m) => errors.push(err(m)),
            },
            Err(e) if e.is_eof() || (is_last_unterminated && e.is_syntax()) => errors.push(err(
                format!("truncated record (the line ends before the JSON object does): {e}"),
            )),
            Err(e) if e.is_data() => errors.push(err(format!("not a valid record: {e}"))),
            Err(e) => errors.push(err(format!("malformed JSON: {e}"))),
        }
    }
    (records, errors)
}

/// Reads one JSONL results file.
///
/// A file that cannot be read, is not UTF-8, holds no record or has any bad
/// line is an error (all of its bad lines are listed).
pub fn load_jsonl(path: &Path) -> Result<Vec<LocatedRecord>, LoadErrors> {
    let whole = |message: String| {
        LoadErrors(vec![ParseError {
            path: path.to_path_buf(),
            line: None,
            message,
        }])
    };
    let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read: {e}")))?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(LoadErrors(vec![ParseError {
                path: path.to_path_buf(),
                line: Some(line),
                message: "not valid UTF-8".to_string(),
            }]));
        }
    };
    let (records, errors) = parse_jsonl(&text, path);
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    if records.is_empty() {
        return Err(whole("holds no record (empty results file)".to_string()));
    }
    Ok(records)
}

/// Reads several results files in order, collecting the errors of all of
/// them before failing.
pub fn load_files<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<LocatedRecord>, LoadErrors> {
    let mut all = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        match load_jsonl(p.as_ref()) {
            Ok(mut r) => all.append(&mut r),
            Err(LoadErrors(mut e)) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(all)
    } else {
        Err(LoadErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"schema":"trevm-bench/1","board":"host","runtime":"wasmi","suite":"own","workload":"sha256","status":"ok","verified":true,"error":null,"metrics":{"interval":{"value":1234,"unit":"ns"}},"meta":{}}"#;

    #[test]
    fn parses_good_lines_and_skips_blank_ones() {
        let text = format!("{GOOD}\n\n{GOOD}\n");
        let (r, e) = parse_jsonl(&text, Path::new("a.jsonl"));
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].source.line, 3);
        assert_eq!(r[0].record.metric("interval").unwrap().value, 1234.0);
    }

    #[test]
    fn truncated_last_line_is_reported() {
        let text = format!("{GOOD}\n{}", &GOOD[..60]);
        let (r, e) = parse_jsonl(&text, Path::new("t.jsonl"));
        assert_eq!(r.len(), 1);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, Some(2));
        assert!(e[0].message.contains("truncated"), "{}", e[0]);
        assert!(e[0].to_string().starts_with("t.jsonl:2: "));
    }

    #[test]
    fn wrong_schema_and_missing_field_are_reported() {
        let bad_schema = GOOD.replace("trevm-bench/1", "trevm-bench/9");
        let no_board = GOOD.replace(r#""board":"host","#, "");
        let text = format!("{bad_schema}\n{no_board}\n");
        let (_, e) = parse_jsonl(&text, Path::new("x.jsonl"));
        assert_eq!(e.len(), 2);
        assert!(e[0].message.contains("schema"));
        assert!(e[1].message.contains("board"), "{}", e[1]);
    }
}
