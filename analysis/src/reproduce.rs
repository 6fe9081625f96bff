//! The reproduction page (`trevm-analysis reproduce`): how close our
//! results are to the paper's, on one page.
//!
//! Layout of `<out>/`:
//! * `index.md`, `index.html` — the page: a summary table (one row per
//!   board pairing × version set × memory profile in the data), the
//!   definitions and cause rules, per pairing the details (current and
//!   pinned side by side, ρ per benchmark, failure sets, divergences with
//!   their likely causes), then Table I and Figures 1-6, ours beside the
//!   paper's;
//! * `agreement.json` — the summary table's numbers, machine-readable
//!   ([`Summary`]);
//! * `ours/` (`ours-<profile>/` for a memory profile other than
//!   `default`), `paper/` — the report's tables and figures
//!   ([`crate::report::render_set`]);
//! * `agreement/` — per comparison, the geomean Embench time relative to
//!   the reference, here vs the paper (chart and table);
//! * `footprint/<ours subfolder>/` — per board, Figure 5 with our builds on
//!   each OS beside the paper's
//!   ([`crate::report::render_footprint_comparison`]).
//!
//! The numbers are defined in [`crate::agreement`]. Partial data is shown
//! as far as it goes: a board without CoreMark or Embench records gets the
//! command that builds the suites, and whatever it has (footprint, own
//! suite) is still drawn.

use crate::agreement::{self, Agreement, Cause, Context, Target, VersionSet, Versions, TARGET};
use crate::dataset::{sort_boards, Dataset};
use crate::pairing;
use crate::plots;
use crate::record::LocatedRecord;
use crate::report::{self, esc, md_inline_to_html, url, ReportError};
use crate::tables::{Table, TableCell};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Memory profile that reproduces the paper's layout (`meta.profile`).
pub const PAPER_PROFILE: &str = "paper";

/// Schema tag of `agreement.json`.
pub const SUMMARY_SCHEMA: &str = "trevm-agreement/1";

/// The command that builds the C suites, as the page names it.
pub const SUITES_COMMAND: &str =
    "make suites COREMARK_SRC=<coremark checkout> EMBENCH_SRC=<embench-iot checkout>";

/// The command that runs everything and rewrites this page.
pub const REPRODUCE_COMMAND: &str = "make reproduce";

/// Options of [`build`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReproduceOptions {
    /// Output folder (rewritten).
    pub out: PathBuf,
    /// Reference runtime of the ratio error (a paper label).
    pub reference: String,
    /// Paper labels compared.
    pub runtimes: Vec<String>,
    /// The version sets: current and pinned.
    pub sets: Vec<VersionSet>,
    /// The target reported against.
    pub target: Target,
    /// Results files read (listed on the page).
    pub inputs: Vec<PathBuf>,
    /// Where the paper's data came from (listed on the page).
    pub paper_dir: Option<PathBuf>,
}

impl ReproduceOptions {
    /// Defaults: the paper's five runtimes, `wamr-fast` as reference, the
    /// catalog's version sets, the target.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        ReproduceOptions {
            out: out.into(),
            reference: agreement::DEFAULT_REFERENCE.to_string(),
            runtimes: agreement::paper_runtimes()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            sets: Versions::ALL
                .iter()
                .map(|v| VersionSet::catalog(*v))
                .collect(),
            target: TARGET,
            inputs: Vec::new(),
            paper_dir: None,
        }
    }
}

/// One row of the summary table and of `agreement.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SummaryRow {
    /// Our board.
    pub ours_board: String,
    /// The paper's board.
    pub paper_board: String,
    /// Version set (`None`: no results for the board).
    pub versions: Option<Versions>,
    /// Memory profile (`None`: no results for the board).
    pub profile: Option<String>,
    /// Mean Embench ρ over benchmarks.
    pub embench_rho_mean: Option<f64>,
    /// Lowest Embench ρ.
    pub embench_rho_min: Option<f64>,
    /// Benchmarks with a ρ.
    pub embench_benchmarks: usize,
    /// Ratio error factor, `exp(median e)`.
    pub ratio_error: Option<f64>,
    /// Cells in the ratio error.
    pub ratio_cells: usize,
    /// CoreMark ρ.
    pub coremark_rho: Option<f64>,
    /// Cells failed or absent here.
    pub failed_here: Option<usize>,
    /// Cells the paper lacks.
    pub failed_paper: Option<usize>,
    /// Size of the symmetric difference.
    pub failed_difference: Option<usize>,
    /// Target met (`None`: some number missing, none missed).
    pub target_met: Option<bool>,
    /// The verdict in words.
    pub verdict: String,
    /// Divergences listed, per likely cause.
    pub causes: BTreeMap<String, usize>,
    /// Suites (CoreMark, Embench) without records for the board.
    pub missing_suites: Vec<String>,
}

/// `agreement.json`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    /// [`SUMMARY_SCHEMA`].
    pub schema: String,
    /// Reference runtime of the ratio error.
    pub reference: String,
    /// Paper labels compared.
    pub runtimes: Vec<String>,
    /// The target.
    pub target: Target,
    /// One row per pairing × version set × profile.
    pub rows: Vec<SummaryRow>,
    /// Our boards (of the pairings) without CoreMark or Embench records.
    pub boards_without_suites: Vec<String>,
}

/// What [`build`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Reproduction {
    /// `<out>/index.html`.
    pub index_html: PathBuf,
    /// `<out>/index.md`.
    pub index_md: PathBuf,
    /// `<out>/agreement.json`.
    pub agreement_json: PathBuf,
    /// Its content.
    pub summary: Summary,
}

/// One pairing's comparisons.
struct PairingResult {
    ours: String,
    paper: String,
    /// Agreements (with the chart files of each), default profile first,
    /// current before pinned.
    agreements: Vec<(Agreement, Vec<PathBuf>)>,
    /// `coremark`/`embench` without records for our board (any profile).
    missing_suites: Vec<String>,
    /// Our board has any record.
    has_data: bool,
    /// Version sets without results here.
    absent_sets: Vec<Versions>,
}

/// A piece of the page, rendered to both Markdown and HTML.
enum Block {
    /// A heading (level, text with `code`).
    H(usize, String),
    /// A paragraph (text with `code`).
    P(String),
    /// A bullet list.
    List(Vec<String>),
    /// A table.
    Table(Table),
    /// Two figures side by side: (caption, image) here and in the paper.
    Pair([(String, Option<PathBuf>); 2]),
    /// One figure with a caption.
    Img(String, PathBuf),
}

fn io<E: std::fmt::Display>(path: &Path) -> impl FnOnce(E) -> ReportError + '_ {
    move |e| ReportError(format!("{}: {e}", path.display()))
}

/// Our boards paired with the paper's: the emulated stand-ins always, the
/// real boards when the results have them.
pub fn pairings(our_boards: &[String]) -> Vec<(String, String)> {
    pairing::board_pairs()
        .into_iter()
        .filter(|(o, _)| {
            crate::platform::Platform::parse(o)
                .catalog_board()
                .is_some_and(|b| b.emulated())
                || our_boards.iter().any(|b| b == o)
        })
        .map(|(o, p)| (o, p.to_string()))
        .collect()
}

/// Sub-folder of our figures for a memory profile.
fn ours_subdir(profile: &str) -> String {
    if profile == agreement::DEFAULT_PROFILE {
        "ours".to_string()
    } else {
        let clean: String = profile
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        format!("ours-{clean}")
    }
}

/// Profiles in display order: `default` first.
fn profile_order(profiles: &BTreeMap<String, Dataset>) -> Vec<&String> {
    let mut v: Vec<&String> = profiles.keys().collect();
    v.sort_by_key(|p| (p.as_str() != agreement::DEFAULT_PROFILE, p.to_string()));
    v
}

fn prepare(out: &Path) -> Result<(), ReportError> {
    if out.exists() {
        let mut entries = std::fs::read_dir(out).map_err(io(out))?.peekable();
        if entries.peek().is_some() && !out.join(report::MARKER).exists() {
            return Err(ReportError(format!(
                "refusing to write into {}: it is not empty and was not made by trevm-analysis",
                out.display()
            )));
        }
        for e in entries.flatten() {
            if e.path().is_dir() {
                std::fs::remove_dir_all(e.path()).map_err(io(&e.path()))?;
            }
        }
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    std::fs::write(
        out.join(report::MARKER),
        "made by trevm-analysis reproduce\n",
    )
    .map_err(io(out))?;
    Ok(())
}

/// Builds the reproduction page from our records and the paper's data.
pub fn build(
    records: Vec<LocatedRecord>,
    paper: &Dataset,
    opts: &ReproduceOptions,
) -> Result<Reproduction, ReportError> {
    if !opts.runtimes.contains(&opts.reference) {
        return Err(ReportError(format!(
            "reference `{}` is not one of the runtimes compared ({})",
            opts.reference,
            opts.runtimes.join(", ")
        )));
    }
    let out = &opts.out;
    prepare(out)?;
    let n_records = records.len();
    let profiles = agreement::split_by_profile(records);
    let our_boards = sort_boards(profiles.values().flat_map(|d| d.boards()));
    let pairs = pairings(&our_boards);

    let chart_dir = out.join("agreement");
    let mut results = Vec::new();
    for (o, p) in &pairs {
        let mut group = Vec::new();
        let mut sets_seen = Vec::new();
        for prof in profile_order(&profiles) {
            let ds = &profiles[prof];
            for set in &opts.sets {
                let other = opts
                    .sets
                    .iter()
                    .find(|s| s.versions != set.versions)
                    .unwrap_or(set);
                if !set.present(other, ds, o) {
                    continue;
                }
                sets_seen.push(set.versions);
                let ctx = Context::new(o, p, set.versions, prof, &opts.runtimes, &opts.reference);
                let a = agreement::agree(ds, paper, set, &ctx);
                let files = if a.has_embench {
                    render_agreement_chart(out, &chart_dir, ds, paper, set, &ctx)?
                } else {
                    Vec::new()
                };
                group.push((a, files));
            }
        }
        let mut ags: Vec<Agreement> = group.iter().map(|g| g.0.clone()).collect();
        agreement::attribute(&mut ags, PAPER_PROFILE);
        for (g, a) in group.iter_mut().zip(ags) {
            g.0 = a;
        }
        let has = |suite: &str| profiles.values().any(|d| d.has_suite(o, suite));
        results.push(PairingResult {
            ours: o.clone(),
            paper: p.clone(),
            agreements: group,
            missing_suites: ["coremark", "embench"]
                .into_iter()
                .filter(|s| !has(s))
                .map(str::to_string)
                .collect(),
            has_data: profiles.values().any(|d| d.boards().contains(o)),
            absent_sets: Versions::ALL
                .into_iter()
                .filter(|v| !sets_seen.contains(v))
                .collect(),
        });
    }

    // The report's tables and figures, ours (per profile) and the paper's.
    let mut ours_arts = Vec::new();
    for prof in profile_order(&profiles) {
        let ds = &profiles[prof];
        let label = if prof == agreement::DEFAULT_PROFILE {
            "this project".to_string()
        } else {
            format!("this project, `{prof}` memory profile")
        };
        let arts = report::render_set(ds, &ds.boards(), out, &ours_subdir(prof), &label, "native")?;
        ours_arts.push((prof.clone(), arts));
    }
    let mut paper_boards: Vec<String> = Vec::new();
    for (_, p) in &pairs {
        if !paper_boards.contains(p) {
            paper_boards.push(p.clone());
        }
    }
    let paper_boards: Vec<String> = paper_boards
        .into_iter()
        .filter(|b| paper.boards().contains(b))
        .collect();
    let paper_arts = report::render_set(
        &paper.filter_boards(&paper_boards),
        &paper_boards,
        out,
        "paper",
        "paper",
        "native",
    )?;

    let footprints = render_footprints(&pairs, &profiles, paper, out)?;

    let summary = summarise(&results, opts);
    let blocks = page(
        &results,
        &summary,
        opts,
        &profiles,
        n_records,
        &ours_arts,
        &paper_arts,
        &footprints,
        out,
    );
    let index_md = out.join("index.md");
    let index_html = out.join("index.html");
    let agreement_json = out.join("agreement.json");
    std::fs::write(&index_md, to_markdown(&blocks)).map_err(io(&index_md))?;
    std::fs::write(&index_html, to_html(&blocks)).map_err(io(&index_html))?;
    let json = serde_json::to_string_pretty(&summary).map_err(io(&agreement_json))?;
    std::fs::write(&agreement_json, json + "\n").map_err(io(&agreement_json))?;
    Ok(Reproduction {
        index_html,
        index_md,
        agreement_json,
        summary,
    })
}

/// Figure 5 across OSes, ours beside the paper's, for each of our boards
/// in the pairings and each memory profile with footprint records of it:
/// into `<out>/footprint/<ours subfolder>/` (see
/// [`report::render_footprint_comparison`]).
fn render_footprints(
    pairs: &[(String, String)],
    profiles: &BTreeMap<String, Dataset>,
    paper: &Dataset,
    out: &Path,
) -> Result<Vec<report::Artifact>, ReportError> {
    let mut boards: Vec<(String, &str)> = Vec::new();
    for (o, p) in pairs {
        let board = crate::platform::Platform::parse(o).board;
        if !boards.iter().any(|(b, _)| *b == board) {
            boards.push((board, p.as_str()));
        }
    }
    let mut arts = Vec::new();
    for (board, p) in &boards {
        for prof in profile_order(profiles) {
            let dir = out.join("footprint").join(ours_subdir(prof));
            std::fs::create_dir_all(&dir).map_err(io(&dir))?;
            let label = if prof == agreement::DEFAULT_PROFILE {
                "this project".to_string()
            } else {
                format!("this project, `{prof}` memory profile")
            };
            arts.extend(report::render_footprint_comparison(
                &profiles[prof],
                Some((paper, p)),
                board,
                out,
                &dir,
                &label,
            )?);
        }
    }
    Ok(arts)
}

/// The geomean relative Embench time chart and the relative-time table of
/// one comparison ([`pairing::compare_pair`] on the translated records).
fn render_agreement_chart(
    out: &Path,
    dir: &Path,
    ds: &Dataset,
    paper: &Dataset,
    set: &VersionSet,
    ctx: &Context,
) -> Result<Vec<PathBuf>, ReportError> {
    let t = agreement::translate(ds, &ctx.ours_board, set, &ctx.runtimes);
    let p = agreement::restrict(paper, &ctx.paper_board, &ctx.runtimes);
    let c = pairing::compare_pair(&t, &ctx.ours_board, &p, &ctx.paper_board, &ctx.reference);
    let stem = format!(
        "{}-vs-{}-{}-{}",
        ctx.ours_board,
        ctx.paper_board,
        ctx.versions,
        ours_subdir(&ctx.profile)
            .trim_start_matches("ours")
            .trim_start_matches('-')
    );
    let stem = stem.trim_end_matches('-').to_string();
    let mut table = c.embench_table();
    table.id = format!("relative-{stem}");
    let mut files = table.write(dir).map_err(io(dir))?;
    files.extend(plots::render(&c.chart(), dir, &stem)?);
    Ok(files
        .into_iter()
        .map(|f| f.strip_prefix(out).map(Path::to_path_buf).unwrap_or(f))
        .collect())
}

fn summary_row(r: &PairingResult, a: &Agreement, t: &Target) -> SummaryRow {
    let f = a.failures.as_ref();
    let verdict = a.verdict(t);
    let mut causes = BTreeMap::new();
    for d in &a.divergences {
        *causes.entry(d.cause.as_str().to_string()).or_insert(0) += 1;
    }
    SummaryRow {
        ours_board: r.ours.clone(),
        paper_board: r.paper.clone(),
        versions: Some(a.ctx.versions),
        profile: Some(a.ctx.profile.clone()),
        embench_rho_mean: a.rho_mean(),
        embench_rho_min: a.rho_min(),
        embench_benchmarks: a.rho_benchmarks(),
        ratio_error: a.ratio_error(),
        ratio_cells: a.ratios.len(),
        coremark_rho: a.coremark_rho,
        failed_here: f.map(|f| f.here.len()),
        failed_paper: f.map(|f| f.paper.len()),
        failed_difference: f.map(|f| f.difference()),
        target_met: match verdict {
            agreement::Verdict::Met => Some(true),
            agreement::Verdict::NotMet(_) => Some(false),
            agreement::Verdict::Incomplete(_) => None,
        },
        verdict: verdict.to_string(),
        causes,
        missing_suites: r.missing_suites.clone(),
    }
}

fn summarise(results: &[PairingResult], opts: &ReproduceOptions) -> Summary {
    let mut rows = Vec::new();
    for r in results {
        if r.agreements.is_empty() {
            rows.push(SummaryRow {
                ours_board: r.ours.clone(),
                paper_board: r.paper.clone(),
                versions: None,
                profile: None,
                embench_rho_mean: None,
                embench_rho_min: None,
                embench_benchmarks: 0,
                ratio_error: None,
                ratio_cells: 0,
                coremark_rho: None,
                failed_here: None,
                failed_paper: None,
                failed_difference: None,
                target_met: None,
                verdict: "n/a (no results)".to_string(),
                causes: BTreeMap::new(),
                missing_suites: r.missing_suites.clone(),
            });
        }
        for (a, _) in &r.agreements {
            rows.push(summary_row(r, a, &opts.target));
        }
    }
    Summary {
        schema: SUMMARY_SCHEMA.to_string(),
        reference: opts.reference.clone(),
        runtimes: opts.runtimes.clone(),
        target: opts.target,
        rows,
        boards_without_suites: results
            .iter()
            .filter(|r| !r.missing_suites.is_empty())
            .map(|r| r.ours.clone())
            .collect(),
    }
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map(|x| format!("{x:.digits$}"))
        .unwrap_or_else(|| "–".to_string())
}

fn factor(v: Option<f64>) -> String {
    v.map(|x| format!("×{x:.2}"))
        .unwrap_or_else(|| "–".to_string())
}

fn rho_cell(mean: Option<f64>, min: Option<f64>) -> String {
    match mean {
        Some(_) => format!("{} ({})", num(mean, 2), num(min, 2)),
        None => "–".to_string(),
    }
}

fn failed_cell(here: Option<usize>, paper: Option<usize>, diff: Option<usize>) -> String {
    match (here, paper, diff) {
        (Some(h), Some(p), Some(d)) => format!("{h} / {p} / {d}"),
        _ => "–".to_string(),
    }
}

fn text(s: impl Into<String>) -> TableCell {
    TableCell::Text(s.into())
}

fn summary_table(s: &Summary) -> Table {
    let rows = s
        .rows
        .iter()
        .map(|r| {
            vec![
                text(format!("{} ↔ {}", r.ours_board, r.paper_board)),
                text(r.versions.map_or("–".to_string(), |v| v.to_string())),
                text(r.profile.clone().unwrap_or_else(|| "–".to_string())),
                text(rho_cell(r.embench_rho_mean, r.embench_rho_min)),
                text(factor(r.ratio_error)),
                text(num(r.coremark_rho, 2)),
                text(failed_cell(
                    r.failed_here,
                    r.failed_paper,
                    r.failed_difference,
                )),
                text(r.verdict.clone()),
            ]
        })
        .collect();
    Table {
        id: "summary".to_string(),
        title: "Summary: each board pairing, version set and memory profile".to_string(),
        header: vec![
            "pairing (here ↔ paper)".into(),
            "versions".into(),
            "profile".into(),
            "Embench ρ mean (min)".into(),
            "ratio error".into(),
            "CoreMark ρ".into(),
            "failed here / paper / difference".into(),
            "target met".into(),
        ],
        rows,
        notes: vec![format!(
            "target: Embench ρ (mean) ≥ {}, ratio error ≤ ×{:.2}, CoreMark ρ = {}, failure-set difference ≤ {} cells; reference runtime `{}`; machine-readable: agreement.json",
            s.target.embench_rho_mean, s.target.ratio_error, s.target.coremark_rho, s.target.failure_difference, s.reference
        )],
    }
}

fn definitions(opts: &ReproduceOptions) -> Vec<String> {
    vec![
        format!(
            "Runtimes: the paper's labels {}; ours are mapped onto them by the catalog (`paper_set`): `current` = this project's versions, `pinned` = the paper's own versions and configurations where the catalog has them (current ones elsewhere).",
            opts.runtimes.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
        ),
        format!(
            "Embench ρ: per Embench 1.0 benchmark, Spearman's ρ of the runtimes' order by time (ours vs the paper's) over the runtimes with a time on both sides (at least {}); mean (min) over the benchmarks.",
            agreement::MIN_RUNTIMES
        ),
        format!(
            "Ratio error: times normalised to `{0}` on each side; per benchmark and runtime r ≠ `{0}`, e = |ln((t_r/t_ref)_ours / (t_r/t_ref)_paper)|; shown as exp(median e) over all those cells (×1.00 = the same ratios).",
            opts.reference
        ),
        format!(
            "CoreMark ρ: Spearman's ρ of the runtimes' order by CoreMark score, one score per runtime (at least {}).",
            agreement::MIN_RUNTIMES
        ),
        "Failure set: the (runtime, benchmark) Embench 1.0 cells failed, unverified or absent here vs those the paper lacks (a runtime file without the benchmark's line), over the runtimes that ran Embench on both sides and the benchmarks the paper ran on that board for at least one of them (not nbody, which it ran nowhere); shown as here / paper / size of the symmetric difference.".to_string(),
        format!(
            "Memory profile: `meta.profile` of our records (`{}` when absent); `{PAPER_PROFILE}` reproduces the paper's memory layout.",
            agreement::DEFAULT_PROFILE
        ),
        "Times here are QEMU instruction counts on the emulated boards (icount), the paper's are milliseconds on the boards: only ratios and orders on the same side are compared.".to_string(),
    ]
}

fn cause_table() -> Table {
    Table {
        id: "causes".to_string(),
        title: "Likely causes of divergences: the rules (first match wins)".to_string(),
        header: vec!["cause".into(), "rule (from the data)".into()],
        rows: Cause::ALL
            .iter()
            .map(|c| vec![text(c.as_str()), text(c.rule())])
            .collect(),
        notes: vec![format!(
            "listed per comparison: every failure in one set only, the {} strongest swaps and the {} largest ratio errors (×{:.2} or more)",
            agreement::LIST_TOP,
            agreement::LIST_TOP,
            agreement::NOTABLE_FACTOR
        )],
    }
}

fn suites_hint() -> String {
    let up = |name: &str| -> String {
        match trevm_catalog::suite::find(name).map(|s| s.source) {
            Some(trevm_catalog::suite::Source::Upstream(u)) => format!(
                "{} at {} ({})",
                u.repo,
                &u.commit[..u.commit.len().min(7)],
                u.describe
            ),
            _ => "upstream".to_string(),
        }
    };
    format!(
        "Get the C suites' sources (CoreMark: {}; Embench 1.0: {}) and build them: `{SUITES_COMMAND}`, then `{REPRODUCE_COMMAND}`.",
        up("coremark"),
        up("embench")
    )
}

/// "CoreMark or Embench" for `["coremark", "embench"]`.
fn suite_names(suites: &[String]) -> String {
    suites
        .iter()
        .map(|s| match s.as_str() {
            "coremark" => "CoreMark",
            "embench" => "Embench",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

fn combo_label(a: &Agreement) -> String {
    format!("{} · {}", a.ctx.versions, a.ctx.profile)
}

fn order_of(a: &Agreement, side: usize) -> String {
    let mut v: Vec<(&String, f64)> = a
        .coremark
        .iter()
        .filter_map(|(rt, (h, p))| Some((rt, if side == 0 { (*h)? } else { (*p)? })))
        .collect();
    v.sort_by(|x, y| y.1.total_cmp(&x.1));
    if v.is_empty() {
        "–".to_string()
    } else {
        v.iter()
            .map(|x| x.0.as_str())
            .collect::<Vec<_>>()
            .join(" > ")
    }
}

fn details_table(r: &PairingResult, opts: &ReproduceOptions) -> Table {
    let ags: Vec<&Agreement> = r.agreements.iter().map(|x| &x.0).collect();
    let mut header = vec!["".to_string()];
    header.extend(ags.iter().map(|a| combo_label(a)));
    let mut rows = Vec::new();
    let mut row = |label: String, f: &dyn Fn(&Agreement) -> String| {
        let mut v = vec![text(label)];
        v.extend(ags.iter().map(|a| text(f(a))));
        rows.push(v);
    };
    for rt in &opts.runtimes {
        row(format!("variant for `{rt}`"), &|a: &Agreement| {
            a.variants
                .iter()
                .find(|(p, _)| p == rt)
                .map(|x| x.1.clone())
                .unwrap_or_else(|| "–".into())
        });
    }
    row("Embench ρ mean (min)".into(), &|a: &Agreement| {
        rho_cell(a.rho_mean(), a.rho_min())
    });
    row("benchmarks with a ρ".into(), &|a: &Agreement| {
        a.rho_benchmarks().to_string()
    });
    row(
        format!("ratio error (to `{}`)", opts.reference),
        &|a: &Agreement| factor(a.ratio_error()),
    );
    for rt in opts.runtimes.iter().filter(|r| **r != opts.reference) {
        row(format!("ratio error, `{rt}`"), &|a: &Agreement| {
            factor(a.runtime_error().get(rt).copied())
        });
    }
    row("CoreMark ρ".into(), &|a: &Agreement| {
        num(a.coremark_rho, 2)
    });
    row("CoreMark order here".into(), &|a: &Agreement| {
        order_of(a, 0)
    });
    row("CoreMark order in the paper".into(), &|a: &Agreement| {
        order_of(a, 1)
    });
    row(
        "failed here / paper / difference".into(),
        &|a: &Agreement| {
            let f = a.failures.as_ref();
            failed_cell(
                f.map(|f| f.here.len()),
                f.map(|f| f.paper.len()),
                f.map(|f| f.difference()),
            )
        },
    );
    row("target met".into(), &|a: &Agreement| {
        a.verdict(&opts.target).to_string()
    });
    Table {
        id: format!("details-{}-vs-{}", r.ours, r.paper),
        title: format!(
            "{} ↔ {}: the numbers, per version set and profile",
            r.ours, r.paper
        ),
        header,
        rows,
        notes: Vec::new(),
    }
}

fn rho_table(r: &PairingResult) -> Table {
    let ags: Vec<&Agreement> = r.agreements.iter().map(|x| &x.0).collect();
    let mut header = vec!["benchmark".to_string()];
    header.extend(ags.iter().map(|a| format!("ρ {}", combo_label(a))));
    let rows = crate::paper::EMBENCH_1_0
        .iter()
        .map(|b| {
            let mut v = vec![text(*b)];
            for a in &ags {
                v.push(match a.bench_rho.iter().find(|x| x.bench == *b) {
                    Some(x) => text(format!("{} ({} runtimes)", num(x.rho, 2), x.runtimes)),
                    None => TableCell::Missing,
                });
            }
            v
        })
        .collect();
    Table {
        id: format!("rho-{}-vs-{}", r.ours, r.paper),
        title: format!("{} ↔ {}: Embench ρ per benchmark", r.ours, r.paper),
        header,
        rows,
        notes: vec![format!(
            "– : no runtime with a time on both sides; ρ – : fewer than {} runtimes, or one side constant",
            agreement::MIN_RUNTIMES
        )],
    }
}

fn cells(list: &[&agreement::Cell]) -> String {
    if list.is_empty() {
        "none".to_string()
    } else {
        list.iter()
            .map(|(r, b)| format!("{r}/{b}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn failure_lines(a: &Agreement) -> Vec<String> {
    let Some(f) = &a.failures else {
        return vec![format!(
            "{}: no Embench on both sides, no failure set",
            combo_label(a)
        )];
    };
    let here: Vec<String> = f
        .here
        .iter()
        .map(|((r, b), why)| format!("{r}/{b} ({why})"))
        .collect();
    let paper: Vec<&agreement::Cell> = f.paper.iter().collect();
    let mut v = vec![format!(
        "{}: failed here ({}): {}; the paper lacks ({}): {}; difference {}: here only: {}; paper only: {}.",
        combo_label(a),
        f.here.len(),
        if here.is_empty() { "none".to_string() } else { here.join(", ") },
        f.paper.len(),
        cells(&paper),
        f.difference(),
        cells(&f.here_only()),
        cells(&f.paper_only()),
    )];
    if !f.not_run_here.is_empty() {
        v.push(format!(
            "{}: no Embench records here for {} (not counted)",
            combo_label(a),
            f.not_run_here.join(", ")
        ));
    }
    if !f.not_in_paper.is_empty() {
        v.push(format!(
            "{}: no Embench in the paper for {} (not counted)",
            combo_label(a),
            f.not_in_paper.join(", ")
        ));
    }
    v
}

fn divergence_table(r: &PairingResult, a: &Agreement) -> Table {
    Table {
        id: format!(
            "divergences-{}-vs-{}-{}-{}",
            r.ours, r.paper, a.ctx.versions, a.ctx.profile
        ),
        title: format!(
            "{} ↔ {}, {}: divergences and likely causes",
            r.ours,
            r.paper,
            combo_label(a)
        ),
        header: vec![
            "divergence".into(),
            "likely cause".into(),
            "from the data".into(),
        ],
        rows: a
            .divergences
            .iter()
            .map(|d| {
                vec![
                    text(d.describe()),
                    text(d.cause.as_str()),
                    text(d.why.clone()),
                ]
            })
            .collect(),
        notes: Vec::new(),
    }
}

fn png(out: &Path, subdir: &str, stem: &str) -> Option<PathBuf> {
    let p = Path::new(subdir).join(format!("{stem}.png"));
    out.join(&p).exists().then_some(p)
}

#[allow(clippy::too_many_arguments)]
fn page(
    results: &[PairingResult],
    summary: &Summary,
    opts: &ReproduceOptions,
    profiles: &BTreeMap<String, Dataset>,
    n_records: usize,
    ours_arts: &[(String, Vec<report::Artifact>)],
    paper_arts: &[report::Artifact],
    footprints: &[report::Artifact],
    out: &Path,
) -> Vec<Block> {
    let mut b = vec![Block::H(
        1,
        "treVM bench: reproducing the paper".to_string(),
    )];
    let mut inputs = vec![if opts.inputs.is_empty() {
        "results files: none given".to_string()
    } else {
        format!(
            "results files ({n_records} records): {}",
            opts.inputs
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }];
    inputs.push(format!(
        "memory profiles in the results: {}",
        if profiles.is_empty() {
            "none".to_string()
        } else {
            profile_order(profiles)
                .iter()
                .map(|p| format!("`{p}` ({} cells)", profiles[*p].len()))
                .collect::<Vec<_>>()
                .join(", ")
        }
    ));
    inputs.push(match &opts.paper_dir {
        Some(d) => format!("paper data: `{}`", d.display()),
        None => "paper data: given by the caller".to_string(),
    });
    let pinned: Vec<String> = opts
        .sets
        .iter()
        .filter(|s| s.versions == Versions::Pinned)
        .flat_map(|s| s.members.iter().filter(|m| m.pinned))
        .map(|m| format!("`{}` for `{}`", m.variant, m.paper))
        .collect();
    inputs.push(format!(
        "paper-pinned variants in the catalog: {}",
        if pinned.is_empty() {
            "none (the pinned set is the current one)".to_string()
        } else {
            pinned.join(", ")
        }
    ));
    b.push(Block::List(inputs));
    b.push(Block::Table(summary_table(summary)));

    if !summary.boards_without_suites.is_empty() {
        b.push(Block::H(2, "Missing suites".to_string()));
        let mut lines = Vec::new();
        for r in results.iter().filter(|r| !r.missing_suites.is_empty()) {
            let what = suite_names(&r.missing_suites);
            lines.push(if r.has_data {
                format!(
                    "`{}`: no {what} records in the results; shown below is what there is (footprint, own suite).",
                    r.ours
                )
            } else {
                format!(
                    "`{}`: no records at all in the results; `{REPRODUCE_COMMAND}` runs the paper's runtimes on it.",
                    r.ours
                )
            });
        }
        b.push(Block::List(lines));
        b.push(Block::P(suites_hint()));
    }

    b.push(Block::H(2, "Definitions".to_string()));
    b.push(Block::List(definitions(opts)));
    b.push(Block::Table(cause_table()));

    for r in results {
        b.push(Block::H(
            2,
            format!("{} (here) ↔ {} (paper)", r.ours, r.paper),
        ));
        if r.agreements.is_empty() {
            b.push(Block::P(format!(
                "No results for `{}`: nothing to compare. {}",
                r.ours,
                suites_hint()
            )));
            continue;
        }
        if !r.missing_suites.is_empty() {
            b.push(Block::P(format!(
                "No {} records for `{}`. {}",
                suite_names(&r.missing_suites),
                r.ours,
                suites_hint()
            )));
        }
        for v in &r.absent_sets {
            b.push(Block::P(format!(
                "No results of the {v} versions for `{}`{}.",
                r.ours,
                if *v == Versions::Pinned && pinned.is_empty() {
                    " (the catalog has no paper-pinned variants)".to_string()
                } else {
                    format!(": `{REPRODUCE_COMMAND}` runs them")
                }
            )));
        }
        b.push(Block::Table(details_table(r, opts)));
        if r.agreements.iter().all(|(a, _)| a.bench_rho.is_empty()) {
            continue;
        }
        b.push(Block::Table(rho_table(r)));
        b.push(Block::H(3, "Failure sets".to_string()));
        b.push(Block::List(
            r.agreements
                .iter()
                .flat_map(|(a, _)| failure_lines(a))
                .collect(),
        ));
        for (a, files) in &r.agreements {
            if a.divergences.is_empty() {
                b.push(Block::P(format!(
                    "{}: no divergence to list.",
                    combo_label(a)
                )));
            } else {
                b.push(Block::Table(divergence_table(r, a)));
            }
            let img = files
                .iter()
                .find(|f| f.extension().is_some_and(|e| e == "png"))
                .cloned();
            if img.is_some() {
                let links: Vec<String> = files.iter().map(|f| format!("`{}`", url(f))).collect();
                b.push(Block::P(format!(
                    "Geomean Embench time relative to `{}`, {}: {}",
                    opts.reference,
                    combo_label(a),
                    links.join(", ")
                )));
                if let Some(img) = img {
                    b.push(Block::Img(
                        format!("{} · here vs paper", combo_label(a)),
                        img,
                    ));
                }
            }
        }
    }

    // Table I and Figures 1-6, ours beside the paper's.
    b.push(Block::H(
        2,
        "Table I and Figures 1–6: ours beside the paper's".to_string(),
    ));
    for (_, arts) in ours_arts {
        if let Some(t) = arts
            .iter()
            .find(|a| a.group == report::Group::Table1)
            .and_then(|a| a.tables.first())
        {
            b.push(Block::Table(t.clone()));
        }
    }
    if let Some(t) = paper_arts
        .iter()
        .find(|a| a.group == report::Group::Table1)
        .and_then(|a| a.tables.first())
    {
        b.push(Block::Table(t.clone()));
    }
    let figures = [
        ("Figures 1–4: Embench time per benchmark", "embench-time"),
        ("Figure 5: flash footprint", "footprint"),
        ("Figure 6: peak RAM, Embench", "peak-ram-embench"),
        (
            "Own suite: time per benchmark (no paper counterpart)",
            "own-time",
        ),
        ("Own suite: peak RAM (no paper counterpart)", "peak-ram-own"),
    ];
    for r in results {
        b.push(Block::H(
            3,
            format!("{} (here) beside {} (paper)", r.ours, r.paper),
        ));
        let mut shown = false;
        for (prof, _) in ours_arts
            .iter()
            .filter(|(p, _)| profiles[p].boards().contains(&r.ours))
        {
            let sub = ours_subdir(prof);
            for (title, stem) in figures {
                let here = png(out, &sub, &format!("{stem}-{}", r.ours));
                let there = png(out, "paper", &format!("{stem}-{}", r.paper));
                if here.is_none() && there.is_none() {
                    continue;
                }
                shown = true;
                b.push(Block::Pair([
                    (format!("{title} — {} (`{prof}` profile)", r.ours), here),
                    (format!("{title} — {} (paper)", r.paper), there),
                ]));
            }
        }
        if !shown {
            for (title, stem) in figures {
                if let Some(there) = png(out, "paper", &format!("{stem}-{}", r.paper)) {
                    b.push(Block::Pair([
                        (format!("{title} — {} (no results)", r.ours), None),
                        (format!("{title} — {} (paper)", r.paper), Some(there)),
                    ]));
                }
            }
        }
    }
    if !footprints.is_empty() {
        b.push(Block::H(
            3,
            "Figure 5 per operating system: our builds on each OS beside the paper's".to_string(),
        ));
        b.push(Block::P(format!(
            "The runtime share of each build is its size minus the `none` build of the same board and OS; the paper's builds are {} firmware.",
            crate::views::PAPER_OS.name
        )));
        for a in footprints {
            if let Some(img) = a
                .files
                .iter()
                .find(|f| f.extension().is_some_and(|e| e == "png"))
            {
                b.push(Block::Img(a.title.clone(), img.clone()));
            }
            b.extend(a.tables.iter().cloned().map(Block::Table));
        }
    }
    b.push(Block::P(
        "Every table and figure (Markdown, CSV, SVG, PNG) is in `ours/` (`ours-<profile>/`) and `paper/`; per comparison, relative times and the chart in `agreement/`; Figure 5 per OS in `footprint/`.".to_string(),
    ));
    b
}

fn to_markdown(blocks: &[Block]) -> String {
    let mut s = String::new();
    for block in blocks {
        match block {
            Block::H(n, t) => {
                let _ = writeln!(s, "{} {t}\n", "#".repeat(*n));
            }
            Block::P(t) => {
                let _ = writeln!(s, "{t}\n");
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(s, "- {i}");
                }
                s.push('\n');
            }
            Block::Table(t) => {
                let _ = writeln!(s, "{}", t.to_markdown());
            }
            Block::Img(cap, p) => {
                let _ = writeln!(s, "![{cap}]({})\n", url(p));
            }
            Block::Pair([a, b]) => {
                let cell = |(cap, img): &(String, Option<PathBuf>)| match img {
                    Some(p) => format!("![{cap}]({})", url(p)),
                    None => "–".to_string(),
                };
                let _ = writeln!(
                    s,
                    "| {} | {} |\n|---|---|\n| {} | {} |\n",
                    a.0,
                    b.0,
                    cell(a),
                    cell(b)
                );
            }
        }
    }
    s
}

fn to_html(blocks: &[Block]) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>treVM bench: reproducing the paper</title>\n<style>\n{}table.pair td{{vertical-align:top;width:50%}}\n</style></head><body>\n",
        report::STYLE
    );
    for block in blocks {
        match block {
            Block::H(n, t) => {
                let _ = writeln!(s, "<h{n}>{}</h{n}>", md_inline_to_html(t));
            }
            Block::P(t) => {
                let _ = writeln!(s, "<p>{}</p>", md_inline_to_html(t));
            }
            Block::List(items) => {
                s.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(s, "<li>{}</li>", md_inline_to_html(i));
                }
                s.push_str("</ul>\n");
            }
            Block::Table(t) => s.push_str(&t.to_html()),
            Block::Img(cap, p) => {
                let _ = writeln!(
                    s,
                    "<p><a href=\"{0}\"><img src=\"{0}\" alt=\"{1}\"></a></p>",
                    url(p),
                    esc(cap)
                );
            }
            Block::Pair(pair) => {
                s.push_str("<table class=\"pair\"><tr>");
                for (cap, _) in pair {
                    let _ = write!(s, "<th>{}</th>", md_inline_to_html(cap));
                }
                s.push_str("</tr>\n<tr>");
                for (cap, img) in pair {
                    match img {
                        Some(p) => {
                            let _ = write!(
                                s,
                                "<td><a href=\"{0}\"><img src=\"{0}\" alt=\"{1}\"></a></td>",
                                url(p),
                                esc(cap)
                            );
                        }
                        None => s.push_str("<td class=\"missing\">no figure</td>"),
                    }
                }
                s.push_str("</tr></table>\n");
            }
        }
    }
    s.push_str("</body></html>\n");
    s
}
