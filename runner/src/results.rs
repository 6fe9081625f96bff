//! Results: one JSON object per line and per cell (`docs/results-format.md`).
//!
//! Files are only ever appended to, one flushed and synced line per
//! finished cell, so stopping a run loses nothing finished; a new run into
//! the same file skips the cells that already succeeded there (resume).

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The `schema` value of this format version.
pub const SCHEMA: &str = "trevm-bench/1";

/// One measured number with its unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The number.
    pub value: serde_json::Number,
    /// Its unit (`ns`, `instructions`, `B`, ...).
    pub unit: String,
}

impl Metric {
    /// A metric from an integer.
    pub fn int(value: u64, unit: &str) -> Self {
        Metric {
            value: value.into(),
            unit: unit.into(),
        }
    }
    /// A metric from a float (non-finite values become absent in JSON as
    /// they cannot be represented; callers should not record them).
    pub fn float(value: f64, unit: &str) -> Option<Self> {
        Some(Metric {
            value: serde_json::Number::from_f64(value)?,
            unit: unit.into(),
        })
    }
}

/// Why a cell failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellError {
    /// `trap`, `out-of-memory`, `timeout`, ... (see the format doc).
    pub kind: String,
    /// `build`, `prepare`, `load`, `instantiate`, `run`, `transport`.
    pub stage: String,
    /// Detail.
    pub message: String,
}

/// How a record was made.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Always `trevm-bench`.
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
    /// Anything else worth keeping (e.g. the firmware heap size).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// One cell's result: the unit of the results format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Board.
    pub board: String,
    /// Runtime variant label.
    pub runtime: String,
    /// Suite.
    pub suite: String,
    /// Workload.
    pub workload: String,
    /// `ok` or `failed`.
    pub status: String,
    /// The workload's self-check passed.
    pub verified: bool,
    /// Why it failed, when it did.
    pub error: Option<CellError>,
    /// Named numbers.
    pub metrics: BTreeMap<String, Metric>,
    /// How it was made.
    pub meta: Meta,
}

impl Record {
    /// A record for a cell, failed until told otherwise.
    pub fn new(board: &str, runtime: &str, suite: &str, workload: &str) -> Self {
        Record {
            schema: SCHEMA.into(),
            board: board.into(),
            runtime: runtime.into(),
            suite: suite.into(),
            workload: workload.into(),
            status: "failed".into(),
            verified: false,
            error: None,
            metrics: BTreeMap::new(),
            meta: Meta {
                tool: "trevm-bench".into(),
                tool_version: crate::meta::TOOL_VERSION.into(),
                ..Meta::default()
            },
        }
    }

    /// Marks the record failed with `kind` at `stage`.
    pub fn fail(&mut self, kind: &str, stage: &str, message: impl Into<String>) {
        self.status = "failed".into();
        self.verified = false;
        self.error = Some(CellError {
            kind: kind.into(),
            stage: stage.into(),
            message: message.into(),
        });
    }

    /// `(board, runtime, suite, workload)`.
    pub fn key(&self) -> (String, String, String, String) {
        (
            self.board.clone(),
            self.runtime.clone(),
            self.suite.clone(),
            self.workload.clone(),
        )
    }

    /// `true` when the cell succeeded.
    pub fn is_ok(&self) -> bool {
        self.status == "ok"
    }
}

/// An append-only results file.
pub struct ResultsFile {
    path: PathBuf,
    file: File,
    done: HashSet<(String, String, String, String)>,
}

impl ResultsFile {
    /// Opens (creating) `path` for appending and reads which cells already
    /// succeeded in it. Unreadable lines are reported and kept, never
    /// rewritten.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut done = HashSet::new();
        if path.exists() {
            let reader = BufReader::new(File::open(path)?);
            for (n, line) in reader.lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Record>(&line) {
                    Ok(r) if r.is_ok() => {
                        done.insert(r.key());
                    }
                    Ok(_) => {}
                    Err(e) => eprintln!(
                        "warning: {}:{}: not a result record ({e}); kept as is",
                        path.display(),
                        n + 1
                    ),
                }
            }
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(ResultsFile {
            path: path.to_path_buf(),
            file,
            done,
        })
    }

    /// `true` when the cell already succeeded in this file.
    pub fn has_ok(&self, board: &str, runtime: &str, suite: &str, workload: &str) -> bool {
        self.done
            .contains(&(board.into(), runtime.into(), suite.into(), workload.into()))
    }

    /// Appends one record and makes it durable before returning.
    pub fn append(&mut self, record: &Record) -> std::io::Result<()> {
        let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
        line.push('\n');
        self.file.write_all(line.as_bytes())?;
        self.file.sync_data()?;
        if record.is_ok() {
            self.done.insert(record.key());
        }
        Ok(())
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads every record of a results file; a line that is not a record is an
/// error naming the file and line.
pub fn read_all(path: &Path) -> Result<Vec<Record>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1))
        })
        .collect()
}
