//! The report folder: every table (Markdown + CSV) and figure (SVG + PNG)
//! for our results and for the paper's, the side-by-side comparisons, and an
//! index page (`index.html` and `index.md`) that links them all.
//!
//! Layout of `<out>/`:
//! * `index.html`, `index.md` — the index;
//! * `ours/` — tables and figures from the results files given;
//! * `paper/` — the same from the paper's raw results;
//! * `side-by-side/` — one set per board pairing (see [`crate::pairing`]),
//!   and per board Figure 5 with our builds on each OS beside the paper's.
//!
//! Boards are platforms (a board under one OS, [`crate::platform`]): each
//! OS of a board gets its own tables and figures, and a board with results
//! on several OSes also a Figure 5 with its builds per OS side by side.
//!
//! The folder is rewritten on every run; a folder that exists, is not
//! empty and was not made by this tool (no `.trevm-report` marker) is left
//! alone and reported as an error.

use crate::dataset::Dataset;
use crate::figures;
use crate::pairing::{self, PairComparison};
use crate::platform::Platform;
use crate::plots;
use crate::tables::{self, Table};
use crate::views;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};

/// The file that marks a folder as made by this tool (safe to rewrite).
pub(crate) const MARKER: &str = ".trevm-report";

/// A report could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportError(pub String);

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReportError {}

impl From<plots::PlotError> for ReportError {
    fn from(e: plots::PlotError) -> Self {
        ReportError(e.0)
    }
}

fn io<E: fmt::Display>(path: &Path) -> impl FnOnce(E) -> ReportError + '_ {
    move |e| ReportError(format!("{}: {e}", path.display()))
}

/// Which part of the paper an artifact reproduces (index sections).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    /// Table I: CoreMark.
    Table1,
    /// Figures 1-4: Embench time per board.
    Embench,
    /// The same for the `own` suite.
    Own,
    /// Figure 5: flash footprint.
    Footprint,
    /// Figure 6: peak RAM.
    Ram,
    /// Overhead versus native.
    Overhead,
    /// Table II: treVM capsules.
    Table2,
    /// Side by side with the paper.
    SideBySide,
}

impl Group {
    /// Section heading.
    pub fn title(self) -> &'static str {
        match self {
            Group::Table1 => "Table I — CoreMark per runtime and board",
            Group::Embench => "Figures 1–4 — Embench time per benchmark per runtime (log scale)",
            Group::Own => "Own suite — time per benchmark per runtime (log scale)",
            Group::Footprint => {
                "Figure 5 — flash footprint per runtime (whole firmware and runtime share)"
            }
            Group::Ram => "Figure 6 — peak RAM per benchmark per runtime (linear memory marked)",
            Group::Overhead => {
                "Overhead versus native (geometric mean and geometric standard deviation)"
            }
            Group::Table2 => "Table II — treVM capsule footprints",
            Group::SideBySide => "Side by side with the paper",
        }
    }
}

/// One table and/or figure of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    /// Index section.
    pub group: Group,
    /// Title.
    pub title: String,
    /// Files written, relative to the report folder.
    pub files: Vec<PathBuf>,
    /// Its tables (shown inline in the HTML index).
    pub tables: Vec<Table>,
    /// Generated text (side-by-side summaries), Markdown.
    pub summary: Option<String>,
}

/// Options of [`build_report`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// Output folder.
    pub out: PathBuf,
    /// Boards to show; `None` = every board in the data. See
    /// [`select_boards`].
    pub boards: Option<Vec<String>>,
    /// Reference runtime of the side-by-side ratios.
    pub reference: String,
    /// Reference runtime of the overhead tables.
    pub overhead_reference: String,
    /// Results files read (listed in the index).
    pub inputs: Vec<PathBuf>,
    /// Where the paper's data came from (listed in the index).
    pub paper_dir: Option<PathBuf>,
}

impl ReportOptions {
    /// Defaults: all boards, `wasmi` as side-by-side reference, `native` as
    /// overhead reference.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        ReportOptions {
            out: out.into(),
            boards: None,
            reference: pairing::DEFAULT_REFERENCE.to_string(),
            overhead_reference: "native".to_string(),
            inputs: Vec::new(),
            paper_dir: None,
        }
    }
}

fn rel(out: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(out)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| p.to_path_buf())
}

fn write_table(out: &Path, dir: &Path, t: &Table) -> Result<Vec<PathBuf>, ReportError> {
    let files = t.write(dir).map_err(io(dir))?;
    Ok(files.iter().map(|f| rel(out, f)).collect())
}

fn render_chart<T: plots::Drawable>(
    out: &Path,
    dir: &Path,
    chart: &T,
    stem: &str,
) -> Result<Vec<PathBuf>, ReportError> {
    let files = plots::render(chart, dir, stem)?;
    Ok(files.iter().map(|f| rel(out, f)).collect())
}

/// Renders every table and figure of one data set (ours or the paper's)
/// for `boards` into `<out>/<subdir>/`. `label` names the data set in
/// titles.
pub fn render_set(
    ds: &Dataset,
    boards: &[String],
    out: &Path,
    subdir: &str,
    label: &str,
    overhead_reference: &str,
) -> Result<Vec<Artifact>, ReportError> {
    let dir = out.join(subdir);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut arts = Vec::new();

    let g = views::coremark_grid(ds, boards);
    let t = tables::table1_coremark(&g, label);
    arts.push(table_artifact(out, &dir, Group::Table1, t)?);

    for b in boards {
        for (suite, group) in [("embench", Group::Embench), ("own", Group::Own)] {
            if let Some(g) = views::time_grid(ds, b, suite) {
                let stem = format!("{suite}-time-{b}");
                let t = tables::grid_table(
                    &stem,
                    &format!(
                        "{} time per run on {b} ({label})",
                        if suite == "own" {
                            "Own-suite"
                        } else {
                            "Embench"
                        }
                    ),
                    "benchmark",
                    &g,
                );
                let mut files = write_table(out, &dir, &t)?;
                files.extend(render_chart(
                    out,
                    &dir,
                    &figures::time_chart(&g, suite, label),
                    &stem,
                )?);
                arts.push(Artifact {
                    group,
                    title: format!(
                        "{b}: {} time per benchmark",
                        if suite == "own" {
                            "own-suite"
                        } else {
                            "Embench"
                        }
                    ),
                    files,
                    tables: vec![t],
                    summary: None,
                });
            }
        }
        if let Some(v) = views::footprint_view(ds, b) {
            let stem = format!("footprint-{b}");
            let t = tables::footprint_table(&v);
            let mut files = write_table(out, &dir, &t)?;
            files.extend(render_chart(
                out,
                &dir,
                &figures::footprint_chart(&v, label),
                &stem,
            )?);
            arts.push(Artifact {
                group: Group::Footprint,
                title: format!("{b}: flash footprint"),
                files,
                tables: vec![t],
                summary: None,
            });
        }
        if let Some(board) = last_of_several_oses(boards, b) {
            arts.extend(render_footprint_comparison(
                ds, None, &board, out, &dir, label,
            )?);
        }
        for suite in ["embench", "own"] {
            if let Some(g) = views::ram_grid(ds, b, suite) {
                let stem = format!("peak-ram-{suite}-{b}");
                let t = tables::grid_table(
                    &stem,
                    &format!("Peak RAM per benchmark, {suite}, on {b} ({label})"),
                    "benchmark",
                    &g,
                );
                let mut files = write_table(out, &dir, &t)?;
                files.extend(render_chart(
                    out,
                    &dir,
                    &figures::ram_chart(&g, suite, label),
                    &stem,
                )?);
                arts.push(Artifact {
                    group: Group::Ram,
                    title: format!("{b}: peak RAM, {suite}"),
                    files,
                    tables: vec![t],
                    summary: None,
                });
            }
        }
        for suite in ["embench", "own", "coremark"] {
            let Some(o) = views::overhead(ds, b, suite, overhead_reference) else {
                continue;
            };
            let t = tables::overhead_table(b, suite, overhead_reference, Some(&o));
            arts.push(table_artifact(out, &dir, Group::Overhead, t)?);
        }
    }
    if !arts.iter().any(|a| a.group == Group::Overhead) {
        let mut t = tables::overhead_table("all boards", "any suite", overhead_reference, None);
        t.id = format!("overhead-{overhead_reference}");
        t.notes = vec![format!(
            "no data: no board has both `{overhead_reference}` and runtime times in the same suite"
        )];
        arts.push(table_artifact(out, &dir, Group::Overhead, t)?);
    }
    if let Some(t) = tables::dispersion(ds) {
        arts.push(table_artifact(out, &dir, Group::Overhead, t)?);
    }
    for t in [
        tables::table2_from(ds, boards),
        tables::table2_share(&views::trevm_share(ds, boards)),
    ] {
        arts.push(table_artifact(out, &dir, Group::Table2, t)?);
    }
    Ok(arts)
}

/// The artifact of one table `t` of `group`, its files written.
fn table_artifact(out: &Path, dir: &Path, group: Group, t: Table) -> Result<Artifact, ReportError> {
    Ok(Artifact {
        group,
        title: t.title.clone(),
        files: write_table(out, dir, &t)?,
        tables: vec![t],
        summary: None,
    })
}

/// When `b` is the last of `boards` (platform names) of its board and the
/// board has several of them (several OSes): the board, whose builds per
/// OS are then drawn side by side.
fn last_of_several_oses(boards: &[String], b: &str) -> Option<String> {
    let board = Platform::parse(b).board;
    let same: Vec<&String> = boards
        .iter()
        .filter(|x| Platform::parse(x).board == board)
        .collect();
    (same.len() > 1 && same.last().is_some_and(|x| *x == b)).then_some(board)
}

/// Renders the side-by-side comparison of each pairing into
/// `<out>/side-by-side/`.
pub fn render_side_by_side(
    ours: &Dataset,
    paper: &Dataset,
    pairs: &[(String, String)],
    out: &Path,
    reference: &str,
) -> Result<(Vec<Artifact>, Vec<PairComparison>), ReportError> {
    let dir = out.join("side-by-side");
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let mut arts = Vec::new();
    let mut comps = Vec::new();
    for (o, p) in pairs {
        let c = pairing::compare_pair(ours, o, paper, p, reference);
        let stem = format!("{o}-vs-{p}");
        let summary = c.summary();
        let summary_path = dir.join(format!("summary-{stem}.md"));
        std::fs::write(&summary_path, &summary).map_err(io(&summary_path))?;
        let mut files = vec![rel(out, &summary_path)];
        let tables = vec![c.coremark_table(), c.embench_table(), c.flash_table()];
        for t in &tables {
            files.extend(write_table(out, &dir, t)?);
        }
        files.extend(render_chart(
            out,
            &dir,
            &c.chart(),
            &format!("sbs-embench-{stem}"),
        )?);
        arts.push(Artifact {
            group: Group::SideBySide,
            title: format!("{o} (here) ↔ {p} (paper)"),
            files,
            tables,
            summary: Some(summary),
        });
        comps.push(c);
    }
    let mut boards: Vec<(String, &str)> = Vec::new();
    for (o, p) in pairs {
        let board = Platform::parse(o).board;
        if !boards.iter().any(|(b, _)| *b == board) {
            boards.push((board, p));
        }
    }
    for (board, p) in boards {
        arts.extend(render_footprint_comparison(
            ours,
            Some((paper, p)),
            &board,
            out,
            &dir,
            "this project",
        )?);
    }
    Ok((arts, comps))
}

/// File stem of Figure 5 across OSes for `board`:
/// `footprint-<board>-vs-<paper board>`, or `footprint-<board>-per-os`
/// without the paper.
pub fn footprint_comparison_stem(board: &str, paper_board: Option<&str>) -> String {
    match paper_board {
        Some(p) => format!("footprint-{board}-vs-{p}"),
        None => format!("footprint-{board}-per-os"),
    }
}

/// Figure 5 across OSes and its table for the catalog board `board`
/// ([`views::footprint_comparison`]): our builds on each OS, beside the
/// paper's (`paper`: its data set and board) when given, written into
/// `dir`. `None` when we have no footprint record of the board.
pub fn render_footprint_comparison(
    ours: &Dataset,
    paper: Option<(&Dataset, &str)>,
    board: &str,
    out: &Path,
    dir: &Path,
    label: &str,
) -> Result<Option<Artifact>, ReportError> {
    let Some(c) = views::footprint_comparison(ours, board, paper) else {
        return Ok(None);
    };
    if c.columns.iter().all(|col| col.paper) {
        return Ok(None);
    }
    let stem = footprint_comparison_stem(board, paper.map(|(_, p)| p));
    let t = tables::footprint_comparison_table(&c, &stem);
    let mut files = write_table(out, dir, &t)?;
    files.extend(render_chart(
        out,
        dir,
        &figures::footprint_comparison_chart(&c, label),
        &stem,
    )?);
    Ok(Some(Artifact {
        group: Group::Footprint,
        title: format!(
            "{board}: flash footprint per OS ({}){}",
            c.our_oses().join(", "),
            paper
                .map(|(_, p)| format!(" beside the paper's {p}"))
                .unwrap_or_default()
        ),
        files,
        tables: vec![t],
        summary: None,
    }))
}

/// Chooses the boards to show. Without a request: every board of each data
/// set. With one: our boards named in it, and the paper boards named in it
/// plus the paper partners of our chosen boards. A name that is in neither
/// data set is an error.
pub fn select_boards(
    ours: &Dataset,
    paper: Option<&Dataset>,
    requested: Option<&[String]>,
) -> Result<(Vec<String>, Vec<String>), ReportError> {
    let ob = ours.boards();
    let pb = paper.map(|p| p.boards()).unwrap_or_default();
    let Some(req) = requested else {
        return Ok((ob, pb));
    };
    let unknown: Vec<&String> = req
        .iter()
        .filter(|b| !ob.contains(b) && !pb.contains(b))
        .collect();
    if !unknown.is_empty() {
        return Err(ReportError(format!(
            "no data for board(s) {}; boards in the results: {}; in the paper: {}",
            unknown
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if ob.is_empty() {
                "none".to_string()
            } else {
                ob.join(", ")
            },
            if pb.is_empty() {
                "none".to_string()
            } else {
                pb.join(", ")
            },
        )));
    }
    let o: Vec<String> = ob.iter().filter(|b| req.contains(b)).cloned().collect();
    let p: Vec<String> = pb
        .iter()
        .filter(|b| {
            req.contains(b)
                || o.iter()
                    .any(|ours| pairing::paper_board_for(ours) == Some(b.as_str()))
        })
        .cloned()
        .collect();
    Ok((o, p))
}

fn prepare_out(out: &Path) -> Result<(), ReportError> {
    if out.exists() {
        let non_empty = std::fs::read_dir(out).map_err(io(out))?.next().is_some();
        if non_empty && !out.join(MARKER).exists() {
            return Err(ReportError(format!(
                "refusing to write into {}: it is not empty and was not made by trevm-analysis report",
                out.display()
            )));
        }
        for sub in ["ours", "paper", "side-by-side"] {
            let d = out.join(sub);
            if d.exists() {
                std::fs::remove_dir_all(&d).map_err(io(&d))?;
            }
        }
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    std::fs::write(out.join(MARKER), "made by trevm-analysis report\n").map_err(io(out))?;
    Ok(())
}

/// What [`build_report`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `<out>/index.html`.
    pub index_html: PathBuf,
    /// `<out>/index.md`.
    pub index_md: PathBuf,
    /// Everything written, by data set: ("ours" | "paper" | "side-by-side", artifacts).
    pub sections: Vec<(String, Vec<Artifact>)>,
}

/// Builds the whole report folder.
pub fn build_report(
    ours: &Dataset,
    paper: Option<&Dataset>,
    opts: &ReportOptions,
) -> Result<Report, ReportError> {
    let out = &opts.out;
    prepare_out(out)?;
    let (ob, pb) = select_boards(ours, paper, opts.boards.as_deref())?;
    let mut sections = Vec::new();
    let ours_sel = ours.filter_boards(&ob);
    sections.push((
        "ours".to_string(),
        render_set(
            &ours_sel,
            &ob,
            out,
            "ours",
            "this project",
            &opts.overhead_reference,
        )?,
    ));
    if let Some(p) = paper {
        let paper_sel = p.filter_boards(&pb);
        sections.push((
            "paper".to_string(),
            render_set(
                &paper_sel,
                &pb,
                out,
                "paper",
                "paper",
                &opts.overhead_reference,
            )?,
        ));
        let pairs: Vec<(String, String)> = pairing::board_pairs()
            .iter()
            .filter(|(o, p)| ob.iter().any(|b| b == o) && pb.iter().any(|b| b == p))
            .map(|(o, p)| (o.to_string(), p.to_string()))
            .collect();
        let (arts, _) = render_side_by_side(&ours_sel, &paper_sel, &pairs, out, &opts.reference)?;
        sections.push(("side-by-side".to_string(), arts));
    }
    let index_md = out.join("index.md");
    let index_html = out.join("index.html");
    std::fs::write(&index_md, index_markdown(&sections, opts, ours, &ob, &pb))
        .map_err(io(&index_md))?;
    std::fs::write(
        &index_html,
        index_html_text(&sections, opts, ours, &ob, &pb),
    )
    .map_err(io(&index_html))?;
    Ok(Report {
        index_html,
        index_md,
        sections,
    })
}

fn set_title(name: &str) -> &'static str {
    match name {
        "ours" => "This project's results",
        "paper" => "The paper's results (DCOSS-IoT 2026 raw data)",
        _ => "Side by side with the paper",
    }
}

/// Link text of a file: its kind (`PNG`, `CSV`, ...) when all files of the
/// artifact share one stem, else its file name.
fn link_name(p: &Path, files: &[PathBuf]) -> String {
    let stems: std::collections::BTreeSet<_> = files.iter().map(|f| f.file_stem()).collect();
    if stems.len() > 1 {
        return p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
    }
    p.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("file")
        .to_uppercase()
}

/// A relative path as a URL.
pub(crate) fn url(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/").replace(' ', "%20")
}

fn inputs_lines(opts: &ReportOptions, ours: &Dataset, ob: &[String], pb: &[String]) -> Vec<String> {
    let mut v = Vec::new();
    if opts.inputs.is_empty() {
        v.push("results files: none given".to_string());
    } else {
        v.push(format!(
            "results files ({} cells; {} earlier records replaced by later ones with the same key): {}",
            ours.len(),
            ours.superseded,
            opts.inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        ));
    }
    v.push(format!(
        "our boards shown: {}",
        if ob.is_empty() {
            "none".into()
        } else {
            ob.join(", ")
        }
    ));
    match &opts.paper_dir {
        Some(d) => v.push(format!(
            "paper data: {} (boards shown: {})",
            d.display(),
            pb.join(", ")
        )),
        None => v.push("paper data: not used".to_string()),
    }
    v.push(format!(
        "conventions: FAILED = the cell failed (never drawn or counted as 0; a red ✕ in figures); – = no data; side-by-side ratios relative to `{}`, overhead relative to `{}`",
        opts.reference, opts.overhead_reference
    ));
    v
}

fn index_markdown(
    sections: &[(String, Vec<Artifact>)],
    opts: &ReportOptions,
    ours: &Dataset,
    ob: &[String],
    pb: &[String],
) -> String {
    let mut s = String::from("# treVM bench report\n\n");
    for l in inputs_lines(opts, ours, ob, pb) {
        let _ = writeln!(s, "- {l}");
    }
    for (name, arts) in sections {
        let _ = writeln!(s, "\n## {}\n", set_title(name));
        let mut last = None;
        for a in arts {
            if last != Some(a.group) && name != "side-by-side" {
                let _ = writeln!(s, "\n### {}\n", a.group.title());
                last = Some(a.group);
            }
            let links: Vec<String> = a
                .files
                .iter()
                .map(|f| format!("[{}]({})", link_name(f, &a.files), url(f)))
                .collect();
            let _ = writeln!(s, "- **{}** — {}", a.title, links.join(" · "));
            if let Some(sum) = &a.summary {
                let _ = writeln!(s);
                for line in sum.lines().skip(1) {
                    let _ = writeln!(s, "  {line}");
                }
            }
            for f in a
                .files
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e == "png"))
            {
                let _ = writeln!(s, "\n  ![{}]({})\n", a.title, url(f));
            }
        }
    }
    s
}

/// Escapes text for HTML.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One line of Markdown with `code` spans as HTML.
pub(crate) fn md_inline_to_html(line: &str) -> String {
    // Summaries use `code` only; render it as <code>.
    let mut out = String::new();
    let mut code = false;
    for part in esc(line).split('`') {
        if code {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
        code = !code;
    }
    out
}

/// The pages' style sheet.
pub(crate) const STYLE: &str = "body{font-family:sans-serif;max-width:1500px;margin:1em auto;padding:0 1em}\ntable{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px}\ntd.num{text-align:right}td.failed{color:#b00;font-weight:bold}td.missing{color:#999;text-align:center}\nimg{max-width:100%;border:1px solid #eee}ul.notes{color:#555;font-size:90%}\nnav a{margin-right:1em}\n";

fn index_html_text(
    sections: &[(String, Vec<Artifact>)],
    opts: &ReportOptions,
    ours: &Dataset,
    ob: &[String],
    pb: &[String],
) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>treVM bench report</title>\n<style>\n{STYLE}</style></head><body>\n<h1>treVM bench report</h1>\n<ul>\n"
    );
    for l in inputs_lines(opts, ours, ob, pb) {
        let _ = writeln!(s, "<li>{}</li>", md_inline_to_html(&l));
    }
    s.push_str("</ul>\n<nav>");
    for (name, _) in sections {
        let _ = write!(s, "<a href=\"#{name}\">{}</a>", set_title(name));
    }
    s.push_str("</nav>\n");
    for (name, arts) in sections {
        let _ = writeln!(s, "<h2 id=\"{name}\">{}</h2>", set_title(name));
        let mut last = None;
        for a in arts {
            if last != Some(a.group) && name != "side-by-side" {
                let _ = writeln!(s, "<h3>{}</h3>", esc(a.group.title()));
                last = Some(a.group);
            }
            let links: Vec<String> = a
                .files
                .iter()
                .map(|f| format!("<a href=\"{}\">{}</a>", url(f), link_name(f, &a.files)))
                .collect();
            let _ = writeln!(
                s,
                "<h4>{}</h4>\n<p>files: {}</p>",
                esc(&a.title),
                links.join(" · ")
            );
            if let Some(sum) = &a.summary {
                s.push_str("<ul>\n");
                for line in sum.lines().skip(1).filter(|l| !l.trim().is_empty()) {
                    let t = line.trim_start();
                    let t = t.strip_prefix("- ").unwrap_or(t);
                    let _ = writeln!(s, "<li>{}</li>", md_inline_to_html(t));
                }
                s.push_str("</ul>\n");
            }
            for f in a
                .files
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e == "png"))
            {
                let _ = writeln!(
                    s,
                    "<p><a href=\"{0}\"><img src=\"{0}\" alt=\"{1}\"></a></p>",
                    url(f),
                    esc(&a.title)
                );
            }
            for t in &a.tables {
                s.push_str(&t.to_html());
            }
        }
    }
    s.push_str("</body></html>\n");
    s
}
