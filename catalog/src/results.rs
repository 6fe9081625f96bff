//! Results files: JSON Lines, one [`Record`] per line and cell, only ever
//! appended to. [`ResultsFile`] saves (one flushed and synced line per
//! finished cell, so stopping a run loses nothing finished, and a new run
//! into the same file skips what already succeeded there); [`load_jsonl`]
//! loads, reporting every problem with its file and line.

use std::collections::HashSet;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;
use std::{eprintln, format, vec};

use crate::record::{CellKey, Record};

/// An append-only results file.
pub struct ResultsFile {
    path: PathBuf,
    file: File,
    done: HashSet<CellKey>,
}

impl ResultsFile {
    /// Opens (creating) `path` for appending and reads which cells already
    /// succeeded in it. Lines that are not records are reported with their
    /// line number and kept, never rewritten.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut done = HashSet::new();
        let mut torn = false;
        if path.exists() {
            let text = String::from_utf8_lossy(&std::fs::read(path)?).into_owned();
            // A run killed while writing leaves a last line without its
            // newline: end it, so that the next record starts a line of
            // its own (the torn one stays, reported and skipped by readers).
            torn = !text.is_empty() && !text.ends_with('\n');
            let (records, errors) = parse_jsonl(&text, path);
            for e in errors {
                eprintln!("warning: {e}; kept as is");
            }
            done.extend(
                records
                    .iter()
                    .filter(|r| r.record.is_ok())
                    .map(|r| r.record.key()),
            );
        }
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        if torn {
            file.write_all(b"\n")?;
            file.sync_data()?;
        }
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

/// Parses the text of one JSON Lines results file: every record that parsed
/// and every error (with `path` and line). Blank lines are passed over; a
/// last line without newline that does not parse is reported as
/// *truncated* (a run killed while writing it).
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

/// Reads one results file. A file that cannot be read, is not UTF-8, holds
/// no record or has any bad line is an error (all of its bad lines are
/// listed).
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

/// What tells cells apart across results files: the record's cell key and
/// its OS.
pub type OutcomeKey = (CellKey, String);

/// The [`OutcomeKey`] of `r`.
pub fn outcome_key(r: &Record) -> OutcomeKey {
    (r.key(), r.os().to_string())
}

/// Each cell's outcome among `records` (one file's), in the order the
/// cells first appear: its last `ok` record, else its last record (what a
/// resumed run skips, or runs again). Cells are told apart by board, OS,
/// runtime, suite and workload.
pub fn outcomes(records: Vec<LocatedRecord>) -> Vec<LocatedRecord> {
    let mut order: Vec<OutcomeKey> = Vec::new();
    let mut best: std::collections::HashMap<OutcomeKey, LocatedRecord> = Default::default();
    for r in records {
        let k = outcome_key(&r.record);
        match best.get(&k) {
            None => {
                order.push(k.clone());
                best.insert(k, r);
            }
            Some(old) if r.record.is_ok() || !old.record.is_ok() => {
                best.insert(k, r);
            }
            Some(_) => {}
        }
    }
    order.into_iter().filter_map(|k| best.remove(&k)).collect()
}

/// The records of one file, without their places (for callers that only
/// need the records, e.g. tests).
pub fn read_records(path: &Path) -> Result<Vec<Record>, LoadErrors> {
    Ok(load_jsonl(path)?.into_iter().map(|r| r.record).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::failure::{Kind, Stage};

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

    #[test]
    fn a_torn_last_line_is_ended_before_the_next_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let ok = Record::ok("host", "wasmi", "own", "crc32");
        let line = serde_json::to_string(&ok).unwrap();
        // A killed run: one whole record, then half of the next.
        std::fs::write(&path, format!("{line}\n{}", &line[..line.len() / 2])).unwrap();
        let next = Record::ok("host", "wamr", "own", "crc32");
        ResultsFile::open(&path).unwrap().append(&next).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let (records, errors) = parse_jsonl(&text, &path);
        assert_eq!(
            records.into_iter().map(|r| r.record).collect::<Vec<_>>(),
            vec![ok, next]
        );
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, Some(2), "the torn line, by its number");
    }

    #[test]
    fn the_file_saves_resumes_and_loads_what_it_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs/r.jsonl");
        let ok = Record::ok("host", "wasmi", "own", "crc32").with_metric("interval", 7.0, "ns");
        let mut bad = Record::new("host", "wasm3", "own", "crc32");
        bad.fail(Kind::Trap, Stage::Run, "unreachable");
        {
            let mut f = ResultsFile::open(&path).unwrap();
            f.append(&ok).unwrap();
            f.append(&bad).unwrap();
        }
        let f = ResultsFile::open(&path).unwrap();
        assert!(f.has_ok("host", "wasmi", "own", "crc32"));
        assert!(!f.has_ok("host", "wasm3", "own", "crc32"));
        assert_eq!(read_records(&path).unwrap(), vec![ok, bad]);
    }
}
