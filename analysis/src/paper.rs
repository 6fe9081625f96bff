//! Importer for the treVM paper's published raw results (DCOSS-IoT 2026).
//!
//! The directory given holds one folder per board (`pico2w`, `nrf52840dk`,
//! `esp32`, `esp32-c6`) with comma-separated text files:
//!
//! | file | rows |
//! |---|---|
//! | `coremark.txt` | `coremark, score, runtime` (iterations/s) |
//! | `<runtime>.txt` | Embench: `bench, score, score geo-std, time ms, time geo-std` |
//! | `peakRAM-<runtime>.txt` | `bench, peak heap, .data, .bss` (bytes) |
//! | `static-size-coremark.txt` | `runtime, .text, .data, .rodata, file` (bytes; `file` = size of the module the runtime loaded) |
//!
//! What the importer tolerates, because the published files do it: lines
//! starting with `#` (a board title or a commented header), a header line
//! or none, a trailing comma (an empty last field), blank lines. Anything
//! else that does not fit (wrong field count, a number that does not parse,
//! an unknown runtime or benchmark name, a repeated row) is an error with
//! file and line.
//!
//! Names are mapped onto this project's labels:
//! * runtimes are the same labels (`wasmtime`, `wasmtime-no-simd`, `wasmi`,
//!   `wamr`, `wamr-fast`, `wasm-interpreter`, `wasefire`), except that
//!   `esp32-c6/coremark.txt` names the two WAMR variants `wamr-slow` and
//!   `wamr`: in a file that has `wamr-slow`, `wamr-slow` is WAMR classic
//!   (`wamr`) and `wamr` is the fast interpreter (`wamr-fast`). Its scores
//!   (5.3 and 8.0) match that reading: on every other board `wamr-fast`
//!   beats `wamr` on CoreMark.
//! * Embench benchmarks keep their upstream names; the paper's files spell
//!   `nettle-aes` and `nettle-sha256` as `neetle-...`.
//!
//! The importer turns everything into ordinary [`Record`]s (board = the
//! paper's folder name) so that the same tables and plots serve both data
//! sets: CoreMark `score` (`iterations/s`), Embench `interval` (`ms`) plus
//! `embench_score` and `interval_gsd`, peak RAM as `peak_heap`, `data`,
//! `bss` on the Embench record of the same benchmark, and static sizes as a
//! `footprint`/`firmware` record with `text`, `rodata`, `data` and
//! `module_bytes` (the paper gives no `.bss` for it and has no no-runtime
//! build, so the runtime's own share cannot be computed from it).

use crate::dataset::Dataset;
use crate::record::{
    LoadErrors, LocatedRecord, Meta, Metric, ParseError, Record, Source, FOOTPRINT_SUITE,
    FOOTPRINT_WORKLOAD,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The paper's board folders, in the order the report shows them (the
/// catalog's [`trevm_catalog::board::PAPER_BOARDS`]).
pub fn paper_boards() -> impl Iterator<Item = &'static str> {
    trevm_catalog::board::PAPER_BOARDS.iter().map(|b| b.name)
}

/// Runtime labels that may appear in the paper's files: the paper's labels
/// of the catalog's variants it measured.
pub fn paper_runtimes() -> impl Iterator<Item = &'static str> {
    trevm_catalog::runtime::paper_set(false).map(|r| r.paper.map_or(r.label, |p| p.label))
}

/// The 19 programs of Embench 1.0 (upstream spelling).
pub const EMBENCH_1_0: &[&str] = &[
    "aha-mont64",
    "crc32",
    "cubic",
    "edn",
    "huffbench",
    "matmult-int",
    "minver",
    "nbody",
    "nettle-aes",
    "nettle-sha256",
    "nsichneu",
    "picojpeg",
    "qrduino",
    "sglib-combined",
    "slre",
    "st",
    "statemate",
    "ud",
    "wikisort",
];

/// Linear-memory size of the paper's Embench modules: two 64 KiB pages.
/// This is not in the raw files; it is what the paper gave its modules (and
/// what this project's `.cargo/config.toml` reproduces for Wasm guests). It
/// is attached to the imported Embench records as `linear_memory` so that
/// Figure 6 can mark it.
pub const PAPER_EMBENCH_LINEAR_MEMORY: f64 = 131072.0;

/// Environment variable that overrides the paper data directory.
pub const ENV_PAPER_DATA: &str = "TREVM_PAPER_DATA";

/// Default location of the paper data, relative to the repository root: the
/// paper's raw result files, committed as published with it.
pub const DEFAULT_RELATIVE_TO_REPO: &str = "results/paper/dcoss2026";

/// The paper data directory to use when none is given on the command line:
/// `$TREVM_PAPER_DATA` if set, else [`DEFAULT_RELATIVE_TO_REPO`] from the
/// repository root (found by walking up from the current directory to the
/// `Cargo.toml` that declares `[workspace]`), else the same path relative to
/// the root this crate was built in.
pub fn default_paper_dir() -> PathBuf {
    if let Some(p) = std::env::var_os(ENV_PAPER_DATA) {
        if !p.is_empty() {
            return PathBuf::from(p);
        }
    }
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            let manifest = dir.join("Cargo.toml");
            if let Ok(text) = std::fs::read_to_string(&manifest) {
                if text.lines().any(|l| l.trim() == "[workspace]") {
                    return dir.join(DEFAULT_RELATIVE_TO_REPO);
                }
            }
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(DEFAULT_RELATIVE_TO_REPO)
}

/// Maps a paper benchmark name onto the upstream Embench name.
pub fn embench_name(raw: &str) -> String {
    match raw.strip_prefix("neetle-") {
        Some(rest) => format!("nettle-{rest}"),
        None => raw.to_string(),
    }
}

/// One row of an Embench file.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbenchRow {
    /// Embench speed score (relative to Embench's reference platform).
    pub score: f64,
    /// Geometric standard deviation of the score.
    pub score_gsd: f64,
    /// Time per run, milliseconds.
    pub time_ms: f64,
    /// Geometric standard deviation of the time.
    pub time_gsd: f64,
    /// Where the row is.
    pub source: Source,
}

/// One row of a `peakRAM-<runtime>.txt` file (bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct RamRow {
    /// Peak heap during the run.
    pub peak_heap: f64,
    /// `.data` size.
    pub data: f64,
    /// `.bss` size.
    pub bss: f64,
    /// Where the row is.
    pub source: Source,
}

/// One row of `static-size-coremark.txt` (bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct SizeRow {
    /// `.text`.
    pub text: f64,
    /// `.data`.
    pub data: f64,
    /// `.rodata`.
    pub rodata: f64,
    /// Size of the module file the runtime loaded (`.wasm`, or `.cwasm` for
    /// wasmtime).
    pub file: f64,
    /// Where the row is.
    pub source: Source,
}

/// A CoreMark score and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    /// Iterations per second.
    pub score: f64,
    /// Where the row is.
    pub source: Source,
}

/// Everything the paper published for one board.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PaperBoard {
    /// Folder name (`pico2w`, ...).
    pub name: String,
    /// The board title given in a `#` line of `coremark.txt`, if any.
    pub title: Option<String>,
    /// CoreMark score per runtime.
    pub coremark: BTreeMap<String, ScoreRow>,
    /// Embench rows per runtime, per benchmark.
    pub embench: BTreeMap<String, BTreeMap<String, EmbenchRow>>,
    /// Peak RAM rows per runtime, per benchmark.
    pub peak_ram: BTreeMap<String, BTreeMap<String, RamRow>>,
    /// Static sizes of the CoreMark firmware per runtime.
    pub static_size: BTreeMap<String, SizeRow>,
}

/// The paper's data for all boards found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PaperData {
    /// The directory it was read from.
    pub root: PathBuf,
    /// Per board folder name.
    pub boards: BTreeMap<String, PaperBoard>,
}

struct Line {
    no: usize,
    fields: Vec<String>,
}

fn err(path: &Path, line: Option<usize>, message: impl Into<String>) -> ParseError {
    ParseError {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Reads a comma-separated file: skips blank and `#` lines (returned as
/// comments), trims fields, drops one empty trailing field (a trailing
/// comma).
fn read_rows(path: &Path) -> Result<(Vec<Line>, Vec<String>), ParseError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| err(path, None, format!("cannot read: {e}")))?;
    let mut rows = Vec::new();
    let mut comments = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            comments.push(c.trim().to_string());
            continue;
        }
        let mut fields: Vec<String> = line.split(',').map(|f| f.trim().to_string()).collect();
        if fields.len() > 1 && fields.last().is_some_and(|f| f.is_empty()) {
            fields.pop();
        }
        if let Some(pos) = fields.iter().position(|f| f.is_empty()) {
            return Err(err(
                path,
                Some(i + 1),
                format!("field {} is empty", pos + 1),
            ));
        }
        rows.push(Line { no: i + 1, fields });
    }
    Ok((rows, comments))
}

fn number(path: &Path, line: &Line, idx: usize, what: &str) -> Result<f64, ParseError> {
    let f = &line.fields[idx];
    match f.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(err(
            path,
            Some(line.no),
            format!("{what} `{f}` is not a non-negative number"),
        )),
    }
}

fn expect_fields(path: &Path, line: &Line, n: usize, layout: &str) -> Result<(), ParseError> {
    if line.fields.len() != n {
        return Err(err(
            path,
            Some(line.no),
            format!(
                "expected {n} fields ({layout}), found {}",
                line.fields.len()
            ),
        ));
    }
    Ok(())
}

/// A header line: its first field names a column instead of holding data.
fn is_header(line: &Line, first: &[&str]) -> bool {
    let f = line.fields[0].to_ascii_lowercase();
    first.contains(&f.as_str())
}

fn check_runtime(path: &Path, line: Option<usize>, rt: &str) -> Result<(), ParseError> {
    if paper_runtimes().any(|r| r == rt) {
        Ok(())
    } else {
        Err(err(path, line, format!("unknown runtime `{rt}`")))
    }
}

fn check_bench(path: &Path, line: &Line, raw: &str) -> Result<String, ParseError> {
    let name = embench_name(raw);
    if EMBENCH_1_0.contains(&name.as_str()) {
        Ok(name)
    } else {
        Err(err(
            path,
            Some(line.no),
            format!("unknown Embench benchmark `{raw}`"),
        ))
    }
}

fn source(path: &Path, line: &Line) -> Source {
    Source {
        path: path.to_path_buf(),
        line: line.no,
    }
}

fn read_coremark(path: &Path, board: &mut PaperBoard) -> Result<(), ParseError> {
    let (rows, comments) = read_rows(path)?;
    board.title = comments.into_iter().next();
    let raw_names: Vec<&str> = rows
        .iter()
        .filter(|l| l.fields.len() == 3)
        .map(|l| l.fields[2].as_str())
        .collect();
    let has_slow = raw_names.contains(&"wamr-slow");
    for line in &rows {
        if is_header(line, &["bench", "benchmark", "suite"]) {
            continue;
        }
        expect_fields(path, line, 3, "coremark, score, runtime")?;
        if !line.fields[0].eq_ignore_ascii_case("coremark") {
            return Err(err(
                path,
                Some(line.no),
                format!("first field is `{}`, expected `coremark`", line.fields[0]),
            ));
        }
        let score = number(path, line, 1, "score")?;
        let raw = line.fields[2].as_str();
        let rt = match (has_slow, raw) {
            (true, "wamr-slow") => "wamr",
            (true, "wamr") => "wamr-fast",
            _ => raw,
        };
        check_runtime(path, Some(line.no), rt)?;
        let row = ScoreRow {
            score,
            source: source(path, line),
        };
        if board.coremark.insert(rt.to_string(), row).is_some() {
            return Err(err(
                path,
                Some(line.no),
                format!("second CoreMark row for `{rt}`"),
            ));
        }
    }
    Ok(())
}

fn read_static_size(path: &Path, board: &mut PaperBoard) -> Result<(), ParseError> {
    let (rows, _) = read_rows(path)?;
    for line in &rows {
        if is_header(line, &["runtime"]) {
            continue;
        }
        expect_fields(path, line, 5, "runtime, .text, .data, .rodata, file")?;
        let rt = line.fields[0].clone();
        check_runtime(path, Some(line.no), &rt)?;
        let row = SizeRow {
            text: number(path, line, 1, ".text")?,
            data: number(path, line, 2, ".data")?,
            rodata: number(path, line, 3, ".rodata")?,
            file: number(path, line, 4, "file size")?,
            source: source(path, line),
        };
        if board.static_size.insert(rt.clone(), row).is_some() {
            return Err(err(
                path,
                Some(line.no),
                format!("second size row for `{rt}`"),
            ));
        }
    }
    Ok(())
}

fn read_peak_ram(path: &Path, rt: &str) -> Result<BTreeMap<String, RamRow>, ParseError> {
    let (rows, _) = read_rows(path)?;
    let mut out = BTreeMap::new();
    for line in &rows {
        if is_header(line, &["bench", "benchmark"]) {
            continue;
        }
        expect_fields(path, line, 4, "bench, peak heap, .data, .bss")?;
        let bench = check_bench(path, line, &line.fields[0])?;
        let row = RamRow {
            peak_heap: number(path, line, 1, "peak heap")?,
            data: number(path, line, 2, ".data")?,
            bss: number(path, line, 3, ".bss")?,
            source: source(path, line),
        };
        if out.insert(bench.clone(), row).is_some() {
            return Err(err(
                path,
                Some(line.no),
                format!("second row for `{bench}` ({rt})"),
            ));
        }
    }
    Ok(out)
}

fn read_embench(path: &Path, rt: &str) -> Result<BTreeMap<String, EmbenchRow>, ParseError> {
    let (rows, _) = read_rows(path)?;
    let mut out = BTreeMap::new();
    for line in &rows {
        if is_header(line, &["bench", "benchmark"]) {
            continue;
        }
        expect_fields(
            path,
            line,
            5,
            "bench, score, score geo-std, time ms, time geo-std",
        )?;
        let bench = check_bench(path, line, &line.fields[0])?;
        let row = EmbenchRow {
            score: number(path, line, 1, "score")?,
            score_gsd: number(path, line, 2, "score geo-std")?,
            time_ms: number(path, line, 3, "time")?,
            time_gsd: number(path, line, 4, "time geo-std")?,
            source: source(path, line),
        };
        if out.insert(bench.clone(), row).is_some() {
            return Err(err(
                path,
                Some(line.no),
                format!("second row for `{bench}` ({rt})"),
            ));
        }
    }
    Ok(out)
}

fn import_board(dir: &Path, name: &str) -> Result<PaperBoard, Vec<ParseError>> {
    let mut board = PaperBoard {
        name: name.to_string(),
        ..Default::default()
    };
    let mut errors = Vec::new();
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => return Err(vec![err(dir, None, format!("cannot list: {e}"))]),
    };
    entries.sort();
    for path in entries {
        let Some(file) = path
            .file_name()
            .and_then(|f| f.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".txt") else {
            errors.push(err(
                &path,
                None,
                "unexpected file (not a .txt results file)",
            ));
            continue;
        };
        let result = if stem == "coremark" {
            read_coremark(&path, &mut board)
        } else if stem == "static-size-coremark" {
            read_static_size(&path, &mut board)
        } else if let Some(rt) = stem.strip_prefix("peakRAM-") {
            check_runtime(&path, None, rt)
                .and_then(|_| read_peak_ram(&path, rt))
                .map(|rows| {
                    board.peak_ram.insert(rt.to_string(), rows);
                })
        } else {
            check_runtime(&path, None, stem)
                .and_then(|_| read_embench(&path, stem))
                .map(|rows| {
                    board.embench.insert(stem.to_string(), rows);
                })
        };
        if let Err(e) = result {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(board)
    } else {
        Err(errors)
    }
}

/// Imports the paper's raw results from `dir` (the folder holding one
/// sub-folder per board). Every malformed line is reported with its file
/// and line; nothing is skipped.
pub fn import(dir: &Path) -> Result<PaperData, LoadErrors> {
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect(),
        Err(e) => {
            return Err(LoadErrors(vec![err(
                dir,
                None,
                format!(
                    "cannot read the paper's results folder: {e} (set --paper or {ENV_PAPER_DATA})"
                ),
            )]))
        }
    };
    names.sort();
    if names.is_empty() {
        return Err(LoadErrors(vec![err(dir, None, "no board folders found")]));
    }
    let mut data = PaperData {
        root: dir.to_path_buf(),
        boards: BTreeMap::new(),
    };
    let mut errors = Vec::new();
    for name in names {
        match import_board(&dir.join(&name), &name) {
            Ok(b) => {
                data.boards.insert(name, b);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(data)
    } else {
        Err(LoadErrors(errors))
    }
}

fn paper_meta(board: &str) -> Meta {
    Meta {
        tool: "dcoss2026-paper".into(),
        board: board.into(),
        emulated: false,
        clock_unit: "ms".into(),
        ..Meta::default()
    }
}

impl PaperData {
    /// Board names in display order (the catalog's order).
    pub fn board_names(&self) -> Vec<String> {
        crate::dataset::sort_boards(self.boards.keys().cloned())
    }

    /// The paper's data as records (see the module docs for the mapping).
    pub fn to_records(&self) -> Vec<LocatedRecord> {
        let mut out = Vec::new();
        for (name, b) in &self.boards {
            let meta = paper_meta(name);
            for (rt, row) in &b.coremark {
                let mut r = Record::ok(name, rt, "coremark", "coremark").with_metric(
                    "score",
                    row.score,
                    "iterations/s",
                );
                r.meta = meta.clone();
                out.push(LocatedRecord {
                    record: r,
                    source: row.source.clone(),
                });
            }
            // Embench time and peak RAM share one record per (runtime, bench).
            let mut embench: BTreeMap<(String, String), LocatedRecord> = BTreeMap::new();
            for (rt, rows) in &b.embench {
                for (bench, row) in rows {
                    let mut r = Record::ok(name, rt, "embench", bench)
                        .with_metric("interval", row.time_ms, "ms")
                        .with_metric("interval_gsd", row.time_gsd, "1")
                        .with_metric("embench_score", row.score, "1")
                        .with_metric("embench_score_gsd", row.score_gsd, "1");
                    r.meta = meta.clone();
                    embench.insert(
                        (rt.clone(), bench.clone()),
                        LocatedRecord {
                            record: r,
                            source: row.source.clone(),
                        },
                    );
                }
            }
            for (rt, rows) in &b.peak_ram {
                for (bench, row) in rows {
                    let entry = embench
                        .entry((rt.clone(), bench.clone()))
                        .or_insert_with(|| {
                            let mut r = Record::ok(name, rt, "embench", bench);
                            r.meta = meta.clone();
                            LocatedRecord {
                                record: r,
                                source: row.source.clone(),
                            }
                        });
                    let m = &mut entry.record.metrics;
                    m.insert("peak_heap".into(), Metric::new(row.peak_heap, "B"));
                    m.insert("data".into(), Metric::new(row.data, "B"));
                    m.insert("bss".into(), Metric::new(row.bss, "B"));
                    m.insert(
                        "linear_memory".into(),
                        Metric::new(PAPER_EMBENCH_LINEAR_MEMORY, "B"),
                    );
                }
            }
            out.extend(embench.into_values());
            for (rt, row) in &b.static_size {
                let mut r = Record::ok(name, rt, FOOTPRINT_SUITE, FOOTPRINT_WORKLOAD)
                    .with_metric("text", row.text, "B")
                    .with_metric("rodata", row.rodata, "B")
                    .with_metric("data", row.data, "B")
                    .with_metric("module_bytes", row.file, "B");
                r.meta = meta.clone();
                out.push(LocatedRecord {
                    record: r,
                    source: row.source.clone(),
                });
            }
        }
        out
    }

    /// The paper's data as a [`Dataset`].
    pub fn dataset(&self) -> Dataset {
        Dataset::from_records(self.to_records())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn tolerates_comments_headers_and_trailing_commas() {
        let t = tempfile::tempdir().unwrap();
        let b = t.path().join("boardx");
        std::fs::create_dir(&b).unwrap();
        write(
            &b,
            "coremark.txt",
            "# boardx\ncoremark, 2.5, wasmi,\ncoremark, 1.5, wamr-slow\ncoremark, 3, wamr\n",
        );
        write(
            &b,
            "static-size-coremark.txt",
            "runtime, .text, .data, .rodata, file,\nwasmi, 10, 2, 3, 7,\n",
        );
        write(&b, "wasmi.txt", "# boardx\nneetle-aes, 1, 1, 5.5, 1\n");
        write(
            &b,
            "peakRAM-wasmi.txt",
            "# benchmark, peak heap, .data, .bss\nneetle-aes, 100, 1, 2\n",
        );
        let d = import(t.path()).unwrap();
        let bx = &d.boards["boardx"];
        assert_eq!(bx.title.as_deref(), Some("boardx"));
        assert_eq!(bx.coremark["wamr"].score, 1.5);
        assert_eq!(bx.coremark["wamr-fast"].score, 3.0);
        assert_eq!(bx.static_size["wasmi"].file, 7.0);
        assert_eq!(bx.embench["wasmi"]["nettle-aes"].time_ms, 5.5);
        let ds = d.dataset();
        assert_eq!(
            ds.sum(
                "boardx",
                "wasmi",
                "embench",
                "nettle-aes",
                &["peak_heap", "data", "bss"]
            )
            .number(),
            Some(103.0)
        );
    }

    #[test]
    fn malformed_line_has_file_and_line() {
        let t = tempfile::tempdir().unwrap();
        let b = t.path().join("boardx");
        std::fs::create_dir(&b).unwrap();
        write(
            &b,
            "wasmi.txt",
            "# boardx\ncrc32, 1, 1, 5.5, 1\ncrc32, x, 1, 5.5, 1\n",
        );
        let e = import(t.path()).unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].line, Some(3));
        assert!(e.to_string().contains("wasmi.txt:3:"), "{e}");
    }
}
