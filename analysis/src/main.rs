//! `trevm-analysis`: command-line front end of the results pipeline.
//!
//! Exit codes: 0 success / gate passed, 1 gate failed (regression),
//! 2 bad input or usage (malformed file, missing baseline, ...).

use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use trevm_analysis::compare::{self, GateOptions};
use trevm_analysis::dataset::Dataset;
use trevm_analysis::paper;
use trevm_analysis::record;
use trevm_analysis::report::{self, ReportOptions};
use trevm_analysis::reproduce::{self, ReproduceOptions};

const EXIT_REGRESSION: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser)]
#[command(
    name = "trevm-analysis",
    version,
    about = "treVM bench results: report, side-by-side with the paper, regression gate"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build the report folder (tables, figures, side-by-side, index page).
    Report(ReportArgs),
    /// One page of how close the results are to the paper: agreement per board
    /// pairing, version set and memory profile, Table I and Figures 1-6 ours
    /// beside the paper's (index.md, index.html, agreement.json).
    Reproduce(ReproduceArgs),
    /// Compare two results files; exit 1 when a footprint grew past the threshold.
    Compare(CompareArgs),
    /// Run the gate for each board against its committed baseline
    /// (`<baseline-dir>/<board>-size.jsonl`; `<board>-<os>-size.jsonl` for
    /// a firmware on another OS than bare metal, e.g. `nrf52840dk-ariel-os`).
    SizeCheck(SizeCheckArgs),
    /// Validate results files: report every bad line with file:line.
    Check {
        /// JSONL results files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Import the paper's raw results and print what was found (or write them as JSONL).
    Paper {
        /// Paper data folder (default: $TREVM_PAPER_DATA or results/paper/dcoss2026 in the repository).
        #[arg(long)]
        paper: Option<PathBuf>,
        /// Write the imported records as trevm-bench/1 JSONL to this file.
        #[arg(long)]
        jsonl: Option<PathBuf>,
    },
}

#[derive(Args)]
struct ReportArgs {
    /// Output folder (rewritten).
    #[arg(long)]
    out: PathBuf,
    /// Paper data folder (default: $TREVM_PAPER_DATA or results/paper/dcoss2026 in the repository).
    #[arg(long, conflicts_with = "no_paper")]
    paper: Option<PathBuf>,
    /// Leave the paper's data out.
    #[arg(long)]
    no_paper: bool,
    /// Boards to show (ours and/or the paper's; comma-separated or repeated).
    /// Our boards bring their paper partners along.
    #[arg(long, value_delimiter = ',')]
    boards: Option<Vec<String>>,
    /// Reference runtime of the side-by-side ratios.
    #[arg(long, default_value = trevm_analysis::pairing::DEFAULT_REFERENCE)]
    reference: String,
    /// Reference runtime of the overhead tables.
    #[arg(long, default_value = "native")]
    overhead_reference: String,
    /// JSONL results files (later files override earlier ones for the same cell).
    files: Vec<PathBuf>,
}

#[derive(Args)]
struct ReproduceArgs {
    /// Output folder (rewritten).
    #[arg(long)]
    out: PathBuf,
    /// Paper data folder (default: $TREVM_PAPER_DATA or results/paper/dcoss2026 in the repository).
    #[arg(long)]
    paper: Option<PathBuf>,
    /// Reference runtime of the ratio error (one of the paper's labels).
    #[arg(long, default_value = trevm_analysis::agreement::DEFAULT_REFERENCE)]
    reference: String,
    /// JSONL results files (later files override earlier ones for the same cell and profile).
    files: Vec<PathBuf>,
}

#[derive(Args)]
struct GateArgs {
    /// Growth threshold in percent of the baseline.
    #[arg(long, default_value_t = compare::DEFAULT_THRESHOLD_PCT)]
    threshold: f64,
    /// Also gate instruction counts (`interval` in `instructions`).
    #[arg(long)]
    instructions: bool,
    /// Also print unchanged quantities.
    #[arg(long)]
    all: bool,
}

#[derive(Args)]
struct CompareArgs {
    /// Baseline results file.
    #[arg(long)]
    baseline: PathBuf,
    /// Current results file.
    #[arg(long)]
    current: PathBuf,
    #[command(flatten)]
    gate: GateArgs,
}

#[derive(Args)]
struct SizeCheckArgs {
    /// Folder of committed baselines.
    #[arg(long, default_value = "results/baseline")]
    baseline_dir: PathBuf,
    /// Folder of fresh measurements, one `<board>[-<os>]-size.jsonl` per
    /// board and OS.
    #[arg(long)]
    current_dir: PathBuf,
    /// Boards to check: `<board>` (bare metal) or `<board>-<os>` (default:
    /// every `<board>[-<os>]-size.jsonl` in --current-dir).
    #[arg(long = "board", value_delimiter = ',')]
    boards: Vec<String>,
    /// A board without committed baseline is a warning, not an error.
    #[arg(long)]
    allow_missing_baseline: bool,
    #[command(flatten)]
    gate: GateArgs,
}

fn load(files: &[PathBuf]) -> Result<Dataset, ExitCode> {
    match record::load_files(files) {
        Ok(r) => Ok(Dataset::from_records(r)),
        Err(e) => {
            eprintln!("error: bad results input:\n{e}");
            Err(ExitCode::from(EXIT_BAD_INPUT))
        }
    }
}

fn load_paper(dir: &Path) -> Result<paper::PaperData, ExitCode> {
    paper::import(dir).map_err(|e| {
        eprintln!("error: cannot import the paper's results:\n{e}");
        ExitCode::from(EXIT_BAD_INPUT)
    })
}

fn run_report(a: ReportArgs) -> Result<ExitCode, ExitCode> {
    let ours = load(&a.files)?;
    let (paper_ds, paper_dir) = if a.no_paper {
        (None, None)
    } else {
        let dir = a.paper.clone().unwrap_or_else(paper::default_paper_dir);
        (Some(load_paper(&dir)?.dataset()), Some(dir))
    };
    let mut opts = ReportOptions::new(&a.out);
    opts.boards = a.boards;
    opts.reference = a.reference;
    opts.overhead_reference = a.overhead_reference;
    opts.inputs = a.files;
    opts.paper_dir = paper_dir;
    match report::build_report(&ours, paper_ds.as_ref(), &opts) {
        Ok(r) => {
            let n: usize = r.sections.iter().map(|(_, a)| a.len()).sum();
            println!(
                "report: {n} tables/figures; open {}",
                r.index_html.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(EXIT_BAD_INPUT))
        }
    }
}

fn run_reproduce(a: ReproduceArgs) -> Result<ExitCode, ExitCode> {
    let records = record::load_files(&a.files).map_err(|e| {
        eprintln!("error: bad results input:\n{e}");
        ExitCode::from(EXIT_BAD_INPUT)
    })?;
    let dir = a.paper.clone().unwrap_or_else(paper::default_paper_dir);
    let paper_ds = load_paper(&dir)?.dataset();
    let mut opts = ReproduceOptions::new(&a.out);
    opts.reference = a.reference;
    opts.inputs = a.files;
    opts.paper_dir = Some(dir);
    match reproduce::build(records, &paper_ds, &opts) {
        Ok(r) => {
            for row in &r.summary.rows {
                println!(
                    "{} <-> {} [{} / {}]: target met: {}",
                    row.ours_board,
                    row.paper_board,
                    row.versions.map_or("-".to_string(), |v| v.to_string()),
                    row.profile.as_deref().unwrap_or("-"),
                    row.verdict
                );
            }
            println!(
                "reproduce: open {} (numbers in {})",
                r.index_html.display(),
                r.agreement_json.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(EXIT_BAD_INPUT))
        }
    }
}

/// The gate settings of the command line (the threshold checked).
fn gate_options(g: &GateArgs) -> Result<GateOptions, ExitCode> {
    if !(g.threshold.is_finite() && g.threshold >= 0.0) {
        eprintln!("error: --threshold must be a non-negative number of percent");
        return Err(ExitCode::from(EXIT_BAD_INPUT));
    }
    Ok(GateOptions {
        threshold_pct: g.threshold,
        instructions: g.instructions,
    })
}

/// Prints a gate's outcome; whether it passed.
fn print_gate(
    r: Result<compare::GateReport, compare::GateError>,
    g: &GateArgs,
) -> Result<bool, ExitCode> {
    match r {
        Ok(r) => {
            print!("{}", r.render(g.all));
            Ok(r.passed())
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(ExitCode::from(EXIT_BAD_INPUT))
        }
    }
}

fn gate(base: &Dataset, cur: &Dataset, g: &GateArgs) -> Result<bool, ExitCode> {
    let opts = gate_options(g)?;
    print_gate(compare::compare(base, cur, &opts), g)
}

/// The gate of one platform's size files (`board` is a platform name):
/// its cells alone, board and OS, on both sides.
fn size_gate(base: &Dataset, cur: &Dataset, board: &str, g: &GateArgs) -> Result<bool, ExitCode> {
    let opts = gate_options(g)?;
    print_gate(compare::size_gate(base, cur, board, &opts), g)
}

fn run_compare(a: CompareArgs) -> Result<ExitCode, ExitCode> {
    let base = load(std::slice::from_ref(&a.baseline))?;
    let cur = load(std::slice::from_ref(&a.current))?;
    println!(
        "baseline: {}\ncurrent:  {}",
        a.baseline.display(),
        a.current.display()
    );
    Ok(if gate(&base, &cur, &a.gate)? {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REGRESSION)
    })
}

fn run_size_check(a: SizeCheckArgs) -> Result<ExitCode, ExitCode> {
    // `--board` values are platform names: `<board>` (bare metal) or
    // `<board>-<os>`, as the size files are named.
    let boards = if a.boards.is_empty() {
        compare::size_files(&a.current_dir).map_err(|e| {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_BAD_INPUT)
        })?
    } else {
        a.boards.clone()
    };
    let (mut failed, mut bad, mut missing) = (Vec::new(), Vec::new(), Vec::new());
    for b in &boards {
        println!("== {b}");
        let bp = compare::baseline_path(&a.baseline_dir, b);
        if !bp.exists() {
            let msg = compare::missing_baseline_message(&a.baseline_dir, b);
            if a.allow_missing_baseline {
                println!("warning: {msg}");
            } else {
                eprintln!("error: {msg}");
            }
            missing.push(b.clone());
            continue;
        }
        let cp = a.current_dir.join(compare::size_file_name(b));
        let (Ok(base), Ok(cur)) = (
            load(std::slice::from_ref(&bp)),
            load(std::slice::from_ref(&cp)),
        ) else {
            bad.push(b.clone());
            continue;
        };
        match size_gate(&base, &cur, b, &a.gate) {
            Ok(true) => {}
            Ok(false) => failed.push(b.clone()),
            Err(_) => bad.push(b.clone()),
        }
    }
    println!(
        "size-check: {} board(s); regressions: {}; bad input: {}; no baseline: {}",
        boards.len(),
        if failed.is_empty() {
            "none".into()
        } else {
            failed.join(", ")
        },
        if bad.is_empty() {
            "none".into()
        } else {
            bad.join(", ")
        },
        if missing.is_empty() {
            "none".into()
        } else {
            missing.join(", ")
        },
    );
    if !bad.is_empty() || (!missing.is_empty() && !a.allow_missing_baseline) {
        Ok(ExitCode::from(EXIT_BAD_INPUT))
    } else if !failed.is_empty() {
        Ok(ExitCode::from(EXIT_REGRESSION))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

fn run_check(files: Vec<PathBuf>) -> Result<ExitCode, ExitCode> {
    let ds = load(&files)?;
    println!(
        "ok: {} files, {} cells ({} superseded records), boards: {}",
        files.len(),
        ds.len(),
        ds.superseded,
        ds.boards().join(", ")
    );
    Ok(ExitCode::SUCCESS)
}

fn run_paper(dir: Option<PathBuf>, jsonl: Option<PathBuf>) -> Result<ExitCode, ExitCode> {
    let dir = dir.unwrap_or_else(paper::default_paper_dir);
    let p = load_paper(&dir)?;
    println!("paper data: {}", dir.display());
    for name in p.board_names() {
        let b = &p.boards[&name];
        let benches: std::collections::BTreeSet<&String> =
            b.embench.values().flat_map(|m| m.keys()).collect();
        println!(
            "  {name}: CoreMark {} runtimes; Embench {} runtimes, {} benchmarks; peak RAM {} runtimes; static size {} runtimes",
            b.coremark.len(),
            b.embench.len(),
            benches.len(),
            b.peak_ram.len(),
            b.static_size.len()
        );
    }
    if let Some(out) = jsonl {
        let mut text = String::new();
        for r in p.to_records() {
            text.push_str(&serde_json::to_string(&r.record).expect("records serialise"));
            text.push('\n');
        }
        std::fs::write(&out, text).map_err(|e| {
            eprintln!("error: {}: {e}", out.display());
            ExitCode::from(EXIT_BAD_INPUT)
        })?;
        println!("wrote {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let r = match cli.cmd {
        Cmd::Report(a) => run_report(a),
        Cmd::Reproduce(a) => run_reproduce(a),
        Cmd::Compare(a) => run_compare(a),
        Cmd::SizeCheck(a) => run_size_check(a),
        Cmd::Check { files } => run_check(files),
        Cmd::Paper { paper, jsonl } => run_paper(paper, jsonl),
    };
    r.unwrap_or_else(|code| code)
}
