//! Tables rendered as Markdown, CSV and HTML.
//!
//! Cell conventions, the same in every output: a failed cell is written
//! `FAILED (<kind>)` (CSV: `FAILED:<kind>`), a cell with no data `–` (CSV:
//! empty). A failed or missing cell is never written as 0.

use crate::dataset::Value;
use crate::views::{
    self, CapsuleRow, FootprintComparison, FootprintView, Grid, Overhead, Sections, PAPER_OS,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum TableCell {
    /// A label.
    Text(String),
    /// A number (shown rounded in Markdown/HTML, in full in CSV).
    Num(f64),
    /// A failed measurement, with its reason.
    Failed(String),
    /// No data.
    Missing,
}

impl From<&Value> for TableCell {
    fn from(v: &Value) -> Self {
        match v {
            Value::Ok { value, .. } => TableCell::Num(*value),
            Value::Failed(r) => TableCell::Failed(r.clone()),
            Value::Missing => TableCell::Missing,
        }
    }
}

impl From<Option<f64>> for TableCell {
    fn from(v: Option<f64>) -> Self {
        v.map(TableCell::Num).unwrap_or(TableCell::Missing)
    }
}

/// Formats a number for reading: integers as integers, others with about
/// four significant digits.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let a = v.abs();
    if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 10.0 {
        format!("{v:.2}")
    } else if a >= 1.0 {
        format!("{v:.3}")
    } else if a == 0.0 {
        "0".to_string()
    } else {
        let digits = (-a.log10().floor()) as usize + 3;
        format!("{v:.digits$}")
    }
}

impl TableCell {
    fn human(&self) -> String {
        match self {
            TableCell::Text(s) => s.clone(),
            TableCell::Num(v) => fmt_num(*v),
            TableCell::Failed(r) => format!("FAILED ({r})"),
            TableCell::Missing => "–".to_string(),
        }
    }

    fn csv(&self) -> String {
        match self {
            TableCell::Text(s) => csv_quote(s),
            TableCell::Num(v) => format!("{v}"),
            TableCell::Failed(r) => csv_quote(&format!("FAILED:{r}")),
            TableCell::Missing => String::new(),
        }
    }
}

fn csv_quote(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A titled table with notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File stem (`table1-coremark`, ...).
    pub id: String,
    /// Title.
    pub title: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows; each as long as `header`.
    pub rows: Vec<Vec<TableCell>>,
    /// Remarks printed under the table.
    pub notes: Vec<String>,
}

impl Table {
    /// Whether the table holds no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Markdown: a heading, the table (or *no data*), the notes.
    pub fn to_markdown(&self) -> String {
        let mut s = format!("### {}\n\n", self.title);
        if self.rows.is_empty() {
            s.push_str("_no data_\n");
        } else {
            let _ = writeln!(s, "| {} |", self.header.join(" | "));
            let _ = writeln!(
                s,
                "|{}",
                self.header
                    .iter()
                    .enumerate()
                    .map(|(i, _)| if i == 0 { "---|" } else { "---:|" })
                    .collect::<String>()
            );
            for row in &self.rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| match c {
                        TableCell::Failed(_) => format!("**{}**", c.human()),
                        _ => c.human().replace('|', "\\|"),
                    })
                    .collect();
                let _ = writeln!(s, "| {} |", cells.join(" | "));
            }
        }
        if !self.notes.is_empty() {
            s.push('\n');
            for n in &self.notes {
                let _ = writeln!(s, "- {n}");
            }
        }
        s
    }

    /// CSV: header line, then one line per row (no title, no notes).
    pub fn to_csv(&self) -> String {
        let mut s = String::new();
        let h: Vec<String> = self.header.iter().map(|h| csv_quote(h)).collect();
        let _ = writeln!(s, "{}", h.join(","));
        for row in &self.rows {
            let cells: Vec<String> = row.iter().map(TableCell::csv).collect();
            let _ = writeln!(s, "{}", cells.join(","));
        }
        s
    }

    /// An HTML fragment: heading, table, notes.
    pub fn to_html(&self) -> String {
        let mut s = format!("<h3 id=\"{}\">{}</h3>\n", self.id, html_escape(&self.title));
        if self.rows.is_empty() {
            s.push_str("<p><em>no data</em></p>\n");
        } else {
            s.push_str("<table>\n<tr>");
            for h in &self.header {
                let _ = write!(s, "<th>{}</th>", html_escape(h));
            }
            s.push_str("</tr>\n");
            for row in &self.rows {
                s.push_str("<tr>");
                for (i, c) in row.iter().enumerate() {
                    let class = match c {
                        TableCell::Failed(_) => " class=\"failed\"",
                        TableCell::Missing => " class=\"missing\"",
                        _ if i > 0 => " class=\"num\"",
                        _ => "",
                    };
                    let _ = write!(s, "<td{class}>{}</td>", html_escape(&c.human()));
                }
                s.push_str("</tr>\n");
            }
            s.push_str("</table>\n");
        }
        if !self.notes.is_empty() {
            s.push_str("<ul class=\"notes\">\n");
            for n in &self.notes {
                let _ = writeln!(s, "<li>{}</li>", html_escape(n));
            }
            s.push_str("</ul>\n");
        }
        s
    }

    /// Writes `<id>.md` and `<id>.csv` into `dir`; returns their paths.
    pub fn write(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let md = dir.join(format!("{}.md", self.id));
        let csv = dir.join(format!("{}.csv", self.id));
        std::fs::write(&md, self.to_markdown())?;
        std::fs::write(&csv, self.to_csv())?;
        Ok(vec![md, csv])
    }
}

/// A table of a [`Grid`]: first column the row labels.
pub fn grid_table(id: &str, title: &str, row_header: &str, g: &Grid) -> Table {
    let mut header = vec![row_header.to_string()];
    header.extend(g.cols.iter().cloned());
    let has_markers = !g.markers.is_empty();
    if has_markers {
        header.push("linear memory".to_string());
    }
    let rows = g
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![TableCell::Text(r.clone())];
            row.extend(g.cols.iter().map(|c| TableCell::from(&g.get(r, c))));
            if has_markers {
                row.push(g.markers.get(r).copied().into());
            }
            row
        })
        .collect();
    Table {
        id: id.to_string(),
        title: format!("{title} [{}]", g.unit),
        header,
        rows,
        notes: g.notes.clone(),
    }
}

/// Table I: CoreMark score per runtime × board.
pub fn table1_coremark(g: &Grid, source_label: &str) -> Table {
    grid_table(
        "table1-coremark",
        &format!("Table I — CoreMark score per runtime and board ({source_label})"),
        "runtime",
        g,
    )
}

/// The section columns of a footprint row: the sections, flash, static
/// RAM and the runtime's share of flash.
fn section_cells(s: &Sections, share: Option<Sections>) -> Vec<TableCell> {
    let share_flash = share.map(|x| x.flash).unwrap_or(Value::Missing);
    vec![
        (&s.text).into(),
        (&s.rodata).into(),
        (&s.data).into(),
        (&s.bss).into(),
        (&s.flash).into(),
        (&s.static_ram).into(),
        (&share_flash).into(),
    ]
}

/// Header of the section columns, after `first` label columns.
fn section_header(first: &[&str], share: &str) -> Vec<String> {
    first
        .iter()
        .chain(&[
            ".text",
            ".rodata",
            ".data",
            ".bss",
            "flash (.text+.rodata+.data)",
            "static RAM (.data+.bss)",
            share,
        ])
        .map(|s| s.to_string())
        .collect()
}

/// Rows of one footprint view: its `none` build first, then each runtime.
fn footprint_rows(v: &FootprintView) -> Vec<Vec<TableCell>> {
    let row = |name: &str, s: &Sections, share: Option<Sections>| {
        let mut r = vec![TableCell::Text(name.to_string())];
        r.extend(section_cells(s, share));
        r
    };
    let mut rows = Vec::new();
    if let Some(b) = &v.baseline {
        rows.push(row("none (no runtime)", b, None));
    }
    for rt in &v.runtimes {
        rows.push(row(rt, &v.whole[rt], v.share(rt)));
    }
    rows
}

/// Table of section sizes per runtime on one board (Figure 5's data).
pub fn footprint_table(v: &FootprintView) -> Table {
    Table {
        id: format!("footprint-{}", v.board),
        title: format!("Firmware footprint on {} [B]", v.board),
        header: section_header(&["runtime"], "runtime share of flash (minus `none`)"),
        rows: footprint_rows(v),
        notes: v.notes.clone(),
    }
}

/// Table of Figure 5 across OSes: one row per build (the `none` build of
/// each OS first, then each runtime on each OS and in the paper), the
/// runtime share taken against the `none` build of the same OS.
pub fn footprint_comparison_table(c: &FootprintComparison, id: &str) -> Table {
    let mut rows = Vec::new();
    for col in &c.columns {
        if let Some(b) = &col.view.baseline {
            rows.push(
                [
                    TableCell::Text(col.label.clone()),
                    TableCell::Text("none (no runtime)".into()),
                ]
                .into_iter()
                .chain(section_cells(b, None))
                .collect(),
            );
        }
    }
    for (rt, col) in c.slots() {
        let lead = [
            TableCell::Text(col.label.clone()),
            TableCell::Text(rt.to_string()),
        ];
        rows.push(
            lead.into_iter()
                .chain(section_cells(&col.view.whole[rt], col.view.share(rt)))
                .collect(),
        );
    }
    let mut notes: Vec<String> = c
        .columns
        .iter()
        .flat_map(|col| {
            col.view
                .notes
                .iter()
                .map(move |n| format!("{}: {n}", col.label))
        })
        .collect();
    if let Some(p) = &c.paper_board {
        notes.push(format!(
            "`{}`: the paper's builds on {p}, {} firmware",
            views::PAPER_COLUMN,
            PAPER_OS.name
        ));
    }
    Table {
        id: id.to_string(),
        title: format!(
            "Firmware footprint on {} per OS ({}){} [B]",
            c.board,
            c.our_oses().join(", "),
            c.paper_board
                .as_ref()
                .map(|p| format!(", beside the paper's {p}"))
                .unwrap_or_default()
        ),
        header: section_header(
            &["OS", "runtime"],
            "runtime share of flash (minus `none` of the same OS)",
        ),
        rows,
        notes,
    }
}

/// Overhead versus the reference runtime, geometric mean and geometric
/// standard deviation over the benchmarks measured on both.
pub fn overhead_table(
    board: &str,
    suite: &str,
    reference: &str,
    rows: Option<&[Overhead]>,
) -> Table {
    let id = format!("overhead-{suite}-{board}");
    let title = format!("Overhead versus `{reference}` on {board}, {suite} (time ratio, ×)");
    let header: Vec<String> = [
        "runtime",
        "benchmarks",
        "geomean ×",
        "geo-std",
        "low (gm/gsd)",
        "high (gm×gsd)",
        "failed",
        "no data",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let Some(rows) = rows else {
        return Table {
            id,
            title,
            header,
            rows: vec![],
            notes: vec![format!("no `{reference}` times on {board} for {suite}")],
        };
    };
    let body = rows
        .iter()
        .map(|o| {
            let (lo, hi) = match (o.geomean, o.geo_std) {
                (Some(g), Some(s)) => (Some(g / s), Some(g * s)),
                _ => (None, None),
            };
            vec![
                TableCell::Text(o.runtime.clone()),
                TableCell::Num(o.ratios.len() as f64),
                o.geomean.into(),
                o.geo_std.into(),
                lo.into(),
                hi.into(),
                TableCell::Text(o.failed.join(" ")),
                TableCell::Text(o.missing.join(" ")),
            ]
        })
        .collect();
    Table {
        id,
        title,
        header,
        rows: body,
        notes: vec![
            format!("ratio = time(runtime) / time({reference}) per benchmark, where both were measured"),
            "geo-std as Embench computes it: exp(sqrt(mean((ln r − ln gm)²))); gm/gsd .. gm×gsd is the typical spread".to_string(),
        ],
    }
}

/// The cells measured more than once (`--repeat`): for each, the samples'
/// count, median (the value every other table shows), range and geometric
/// standard deviation, as the paper gives its loops' dispersion. `None`
/// when no cell was repeated.
pub fn dispersion(ds: &crate::dataset::Dataset) -> Option<Table> {
    let rows: Vec<Vec<TableCell>> = ds
        .iter()
        .filter_map(|(_, c)| {
            let r = &c.record;
            let m = r.metric("interval")?;
            let s = m.spread.as_ref().filter(|s| s.n > 1)?;
            Some(vec![
                TableCell::Text(r.board.clone()),
                TableCell::Text(r.runtime.clone()),
                TableCell::Text(format!("{}/{}", r.suite, r.workload)),
                TableCell::Num(s.n as f64),
                TableCell::Num(s.median),
                TableCell::Num(s.min),
                TableCell::Num(s.max),
                s.geo_std.map_or(TableCell::Missing, TableCell::Num),
                TableCell::Text(m.unit.clone()),
            ])
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(Table {
        id: "dispersion".into(),
        title: "Dispersion of repeated cells (--repeat)".into(),
        header: ["board", "runtime", "workload", "samples", "median", "min", "max", "geo-std", "unit"]
            .map(String::from)
            .to_vec(),
        rows,
        notes: vec![
            "each sample is a run of the cell's measured interval; the other tables show the median"
                .into(),
            "geo-std as Embench computes it: a factor >= 1, median/gsd .. median×gsd is the typical spread"
                .into(),
        ],
    })
}

/// Table II: treVM capsules, measured: per board and capsule, the
/// capsule's size (`.wasm` component and as loaded), its time and its
/// memory. The paper's Table II is not in the reference data this project
/// has (`../shared/reference`), so no paper column.
pub fn table2_capsules(rows: &[CapsuleRow]) -> Table {
    let body: Vec<Vec<TableCell>> = rows
        .iter()
        .map(|r| {
            vec![
                TableCell::Text(r.board.clone()),
                TableCell::Text(r.runtime.clone()),
                TableCell::Text(r.workload.clone()),
                (&r.wasm_bytes).into(),
                (&r.capsule_bytes).into(),
                (&r.interval).into(),
                TableCell::Text(r.unit.clone()),
                (&r.peak_heap).into(),
                (&r.linear_memory).into(),
            ]
        })
        .collect();
    let mut notes = vec![if body.is_empty() {
        "no data: no capsule records yet (`make bench SUITE=capsules RUNTIME=trevm`)".to_string()
    } else {
        "component = the capsule as built (`wasm_bytes`); loaded = as treVM loads it, \
         precompiled for Pulley (`module_bytes`); time = `run` (ephemeral) or `init` and \
         the scripted requests (persistent)"
            .to_string()
    }];
    notes.push(
        "the paper's Table II is not among the reference data (../shared/reference): \
         no paper column"
            .to_string(),
    );
    Table {
        id: "table2-capsules".to_string(),
        title: "Table II — treVM capsules".to_string(),
        header: [
            "board",
            "runtime",
            "capsule",
            "component [B]",
            "loaded [B]",
            "time",
            "unit",
            "peak heap [B]",
            "linear memory [B]",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        rows: body,
        notes,
    }
}

/// Table II, firmware part: treVM's flash and static RAM share by
/// differencing builds (`trevm − none`), and what the Component Model host
/// adds to the same wasmtime (`trevm − wasmtime-no-simd`).
pub fn table2_share(rows: &[views::TrevmShare]) -> Table {
    let mut body: Vec<Vec<TableCell>> = Vec::new();
    for r in rows {
        let mut row = |what: &str, s: &views::Sections| {
            body.push(vec![
                TableCell::Text(r.board.clone()),
                TableCell::Text(what.to_string()),
                (&s.flash).into(),
                (&s.static_ram).into(),
            ])
        };
        row("`none`: the firmware without a runtime", &r.none);
        row("`trevm`: the cell with treVM's capsule host", &r.trevm);
        row("treVM's share (`trevm` − `none`)", &r.share);
        row(
            "the Component Model (`trevm` − `wasmtime-no-simd`)",
            &r.components,
        );
        if !matches!(r.coap_minimal.flash, Value::Missing)
            || !matches!(r.coap_device.flash, Value::Missing)
        {
            row("minimal CoAP server (`coap-minimal`)", &r.coap_minimal);
            row("treVM device over CoAP (`trevm-coap`)", &r.coap_device);
            row(
                "treVM's share of a CoAP device (`trevm-coap` − `coap-minimal`)",
                &r.coap_share,
            );
        }
    }
    let notes = vec![if body.is_empty() {
        "no data: no board has footprints of both `none` and `trevm` (`make size BOARD=..`)"
            .to_string()
    } else {
        "flash = .text + .rodata + .data, static RAM = .data + .bss of the ELF; shares are \
         differences of builds of the same board and OS; the CoAP apps are Ariel OS \
         applications with its network stack and CoAP server (`make size BOARD=.. OS=ariel-os \
         COAP=1`); a capsule's RAM at run time is the peak heap of its cells above"
            .to_string()
    }];
    Table {
        id: "table2-trevm-share".to_string(),
        title: "Table II — treVM's share of the firmware [B]".to_string(),
        header: ["board", "firmware", "flash", "static RAM"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        rows: body,
        notes,
    }
}

/// Convenience: Table II straight from a dataset.
pub fn table2_from(ds: &crate::dataset::Dataset, boards: &[String]) -> Table {
    table2_capsules(&views::capsules(ds, boards))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_and_missing_are_not_zero() {
        let t = Table {
            id: "t".into(),
            title: "T".into(),
            header: vec!["a".into(), "b".into(), "c".into()],
            rows: vec![vec![
                TableCell::Num(0.0),
                TableCell::Failed("trap".into()),
                TableCell::Missing,
            ]],
            notes: vec![],
        };
        assert!(t.to_markdown().contains("| 0 | **FAILED (trap)** | – |"));
        assert!(t.to_csv().ends_with("0,FAILED:trap,\n"));
        assert!(t.to_html().contains("class=\"failed\">FAILED (trap)<"));
    }

    #[test]
    fn repeated_cells_show_their_dispersion() {
        use trevm_catalog::record::Record;
        use trevm_catalog::results::{LocatedRecord, Source};
        use trevm_catalog::stats::Spread;
        let located = |record: Record, line| LocatedRecord {
            record,
            source: Source {
                path: "t.jsonl".into(),
                line,
            },
        };
        let once = Record::ok("host", "wasmi", "own", "crc32").with_metric("interval", 9.0, "ns");
        let ds = crate::dataset::Dataset::from_records([located(once.clone(), 1)]);
        assert!(dispersion(&ds).is_none(), "no cell was repeated");
        let mut repeated =
            Record::ok("host", "wamr", "own", "crc32").with_metric("interval", 20.0, "ns");
        repeated.metrics.get_mut("interval").unwrap().spread = Spread::of(&[10.0, 20.0, 40.0]);
        let ds = crate::dataset::Dataset::from_records([located(once, 1), located(repeated, 2)]);
        let t = dispersion(&ds).unwrap();
        assert_eq!(t.rows.len(), 1);
        let md = t.to_markdown();
        assert!(
            md.contains("| host | wamr | own/crc32 | 3 | 20 | 10 | 40 | 1.7"),
            "{md}"
        );
    }

    #[test]
    fn number_format() {
        assert_eq!(fmt_num(123456.0), "123456");
        assert_eq!(fmt_num(12.3456), "12.35");
        assert_eq!(fmt_num(0.0123456), "0.01235");
        assert_eq!(fmt_num(1234.56), "1235");
    }
}
