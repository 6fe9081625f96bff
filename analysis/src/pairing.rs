//! Side by side with the paper: each of our boards against the paper's board
//! it stands in for, with every number normalised to one reference runtime
//! (so that instruction counts under QEMU and milliseconds on hardware can be
//! compared), the Spearman rank correlation of the runtimes' order per
//! benchmark, and a generated summary of where the orders differ.

use crate::dataset::{Dataset, Value};
use crate::paper::embench_name;
use crate::platform::{self, Platform};
use crate::plots::{Bar, BarChart, Scale, Series};
use crate::record::NO_RUNTIME;
use crate::stats;
use crate::tables::{Table, TableCell};
use crate::views;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Our board → the paper's board it is compared with, from the catalog
/// (emulated stand-ins first, then the real boards). Our side is a
/// platform name: a real board appears once per OS it runs (`nrf52840dk`
/// bare metal, `nrf52840dk-ariel-os`), both compared with the same paper
/// board.
pub fn board_pairs() -> Vec<(String, &'static str)> {
    let boards = trevm_catalog::BOARDS.iter();
    let emulated = boards.clone().filter(|b| b.emulated());
    let real = boards.filter(|b| !b.emulated());
    emulated
        .chain(real)
        .filter_map(|b| Some((b, b.paper_board?)))
        .flat_map(|(b, p)| {
            platform::of_board(b)
                .into_iter()
                .map(move |x| (x.name(), p))
        })
        .collect()
}

/// Default reference runtime: the one the paper measured in every suite on
/// every board.
pub const DEFAULT_REFERENCE: &str = "wasmi";

/// The paper board paired with one of our boards (a platform name: the
/// board under any OS).
pub fn paper_board_for(ours: &str) -> Option<&'static str> {
    Platform::parse(ours).paper_board()
}

/// One benchmark compared.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchCompare {
    /// Benchmark (upstream Embench name).
    pub bench: String,
    /// Time relative to the reference runtime, here.
    pub ours: BTreeMap<String, f64>,
    /// Time relative to the reference runtime, in the paper.
    pub paper: BTreeMap<String, f64>,
    /// Runtimes with a value on both sides.
    pub common: Vec<String>,
    /// Spearman ρ of the runtimes' order over `common` (≥ 2 runtimes).
    pub rho: Option<f64>,
    /// Pairs (faster here, slower here) whose order is reversed in the paper.
    pub swaps: Vec<(String, String)>,
}

/// Everything compared for one board pairing.
#[derive(Debug, Clone, PartialEq)]
pub struct PairComparison {
    /// Our board.
    pub ours_board: String,
    /// The paper's board.
    pub paper_board: String,
    /// Reference runtime.
    pub reference: String,
    /// Runtimes with data on both sides (any suite).
    pub runtimes: Vec<String>,
    /// Runtimes only here / only in the paper.
    pub only_ours: Vec<String>,
    /// Runtimes only in the paper.
    pub only_paper: Vec<String>,
    /// CoreMark per runtime: (score here, score in paper), raw.
    pub coremark: BTreeMap<String, (Value, Value)>,
    /// Units of the CoreMark scores (here, paper).
    pub coremark_units: (String, String),
    /// Spearman ρ of the CoreMark order.
    pub coremark_rho: Option<f64>,
    /// Per benchmark.
    pub benches: Vec<BenchCompare>,
    /// Per runtime: geometric mean over benchmarks of the relative time
    /// (here, paper), each over the benchmarks measured on its side.
    pub geomeans: BTreeMap<String, (Option<f64>, Option<f64>)>,
    /// Time units (here, paper).
    pub time_units: (String, String),
    /// Flash (.text+.rodata+.data) per runtime (here, paper), bytes.
    pub flash: BTreeMap<String, (Value, Value)>,
}

fn time_map(ds: &Dataset, board: &str) -> (BTreeMap<String, BTreeMap<String, f64>>, String) {
    let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    let Some(g) = views::time_grid(ds, board, "embench") else {
        return (out, String::new());
    };
    for w in &g.rows {
        for rt in &g.cols {
            if let Some(v) = g.get(w, rt).number() {
                out.entry(embench_name(w))
                    .or_default()
                    .insert(rt.clone(), v);
            }
        }
    }
    (out, g.unit)
}

fn relative(times: &BTreeMap<String, f64>, reference: &str) -> BTreeMap<String, f64> {
    match times.get(reference) {
        Some(&r) if r > 0.0 => times.iter().map(|(k, v)| (k.clone(), v / r)).collect(),
        _ => BTreeMap::new(),
    }
}

fn runtimes_of(ds: &Dataset, board: &str) -> BTreeSet<String> {
    ds.iter()
        .filter(|(k, _)| k.is_on(board) && k.runtime != NO_RUNTIME && k.runtime != "native")
        .map(|(k, _)| k.runtime.clone())
        .collect()
}

/// Compares `ours_board` in `ours` with `paper_board` in `paper`.
pub fn compare_pair(
    ours: &Dataset,
    ours_board: &str,
    paper: &Dataset,
    paper_board: &str,
    reference: &str,
) -> PairComparison {
    let ro = runtimes_of(ours, ours_board);
    let rp = runtimes_of(paper, paper_board);
    let runtimes = crate::dataset::sort_runtimes(ro.intersection(&rp).cloned());
    let only_ours = crate::dataset::sort_runtimes(ro.difference(&rp).cloned());
    let only_paper = crate::dataset::sort_runtimes(rp.difference(&ro).cloned());

    // CoreMark
    let mut coremark = BTreeMap::new();
    let mut units = (String::new(), String::new());
    let cm = |ds: &Dataset, b: &str, rt: &str| -> Value {
        let w = ds.workloads(b, "coremark");
        let w = w.iter().find(|w| *w == "coremark").or(w.first());
        match w {
            Some(w) => ds.value(b, rt, "coremark", w, "score"),
            None => Value::Missing,
        }
    };
    for rt in &runtimes {
        let (a, b) = (cm(ours, ours_board, rt), cm(paper, paper_board, rt));
        if let Some(u) = a.unit() {
            units.0 = u.to_string();
        }
        if let Some(u) = b.unit() {
            units.1 = u.to_string();
        }
        if a != Value::Missing || b != Value::Missing {
            coremark.insert(rt.clone(), (a, b));
        }
    }
    let both: Vec<(f64, f64)> = coremark
        .values()
        .filter_map(|(a, b)| Some((a.number()?, b.number()?)))
        .collect();
    let coremark_rho = stats::spearman(
        &both.iter().map(|x| x.0).collect::<Vec<_>>(),
        &both.iter().map(|x| x.1).collect::<Vec<_>>(),
    );

    // Embench
    let (to, uo) = time_map(ours, ours_board);
    let (tp, up) = time_map(paper, paper_board);
    let mut benches = Vec::new();
    let names: BTreeSet<&String> = to.keys().chain(tp.keys()).collect();
    for bench in names {
        let empty = BTreeMap::new();
        let o = relative(to.get(bench).unwrap_or(&empty), reference);
        let p = relative(tp.get(bench).unwrap_or(&empty), reference);
        let o: BTreeMap<String, f64> = o
            .into_iter()
            .filter(|(k, _)| runtimes.contains(k))
            .collect();
        let p: BTreeMap<String, f64> = p
            .into_iter()
            .filter(|(k, _)| runtimes.contains(k))
            .collect();
        let common: Vec<String> = runtimes
            .iter()
            .filter(|r| o.contains_key(*r) && p.contains_key(*r))
            .cloned()
            .collect();
        let xo: Vec<f64> = common.iter().map(|r| o[r]).collect();
        let xp: Vec<f64> = common.iter().map(|r| p[r]).collect();
        let rho = stats::spearman(&xo, &xp);
        let mut swaps = Vec::new();
        for i in 0..common.len() {
            for j in i + 1..common.len() {
                let (a, b) = (&common[i], &common[j]);
                let so = (o[a] - o[b]).signum();
                let sp = (p[a] - p[b]).signum();
                if o[a] != o[b] && p[a] != p[b] && so != sp {
                    if o[a] < o[b] {
                        swaps.push((a.clone(), b.clone()));
                    } else {
                        swaps.push((b.clone(), a.clone()));
                    }
                }
            }
        }
        benches.push(BenchCompare {
            bench: bench.clone(),
            ours: o,
            paper: p,
            common,
            rho,
            swaps,
        });
    }
    let mut geomeans = BTreeMap::new();
    for rt in &runtimes {
        let xo: Vec<f64> = benches
            .iter()
            .filter_map(|b| b.ours.get(rt).copied())
            .collect();
        let xp: Vec<f64> = benches
            .iter()
            .filter_map(|b| b.paper.get(rt).copied())
            .collect();
        let (go, gp) = (stats::geomean(&xo), stats::geomean(&xp));
        if go.is_some() || gp.is_some() {
            geomeans.insert(rt.clone(), (go, gp));
        }
    }

    // Flash
    let mut flash = BTreeMap::new();
    let fl = |ds: &Dataset, b: &str, rt: &str| {
        ds.sum(b, rt, "footprint", "firmware", &["text", "rodata", "data"])
    };
    for rt in &runtimes {
        let (a, b) = (fl(ours, ours_board, rt), fl(paper, paper_board, rt));
        if a != Value::Missing || b != Value::Missing {
            flash.insert(rt.clone(), (a, b));
        }
    }

    PairComparison {
        ours_board: ours_board.to_string(),
        paper_board: paper_board.to_string(),
        reference: reference.to_string(),
        runtimes,
        only_ours,
        only_paper,
        coremark,
        coremark_units: units,
        coremark_rho,
        benches,
        geomeans,
        time_units: (uo, up),
        flash,
    }
}

fn ratio(v: &Value, r: &Value) -> Option<f64> {
    match (v.number(), r.number()) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

impl PairComparison {
    fn stem(&self) -> String {
        format!("{}-vs-{}", self.ours_board, self.paper_board)
    }

    /// CoreMark here and in the paper, raw and relative to the reference.
    pub fn coremark_table(&self) -> Table {
        let (ro, rp) = self
            .coremark
            .get(&self.reference)
            .cloned()
            .unwrap_or((Value::Missing, Value::Missing));
        let rows = self
            .runtimes
            .iter()
            .filter_map(|rt| Some((rt, self.coremark.get(rt)?)))
            .map(|(rt, (a, b))| {
                let (xa, xb) = (ratio(a, &ro), ratio(b, &rp));
                let q = match (xa, xb) {
                    (Some(x), Some(y)) if y > 0.0 => Some(x / y),
                    _ => None,
                };
                vec![
                    TableCell::Text(rt.clone()),
                    a.into(),
                    xa.into(),
                    b.into(),
                    xb.into(),
                    q.into(),
                ]
            })
            .collect();
        let mut notes = vec![format!(
            "score relative to `{}` on the same board (higher = faster); units here `{}`, paper `{}`",
            self.reference, self.coremark_units.0, self.coremark_units.1
        )];
        if let Some(r) = self.coremark_rho {
            notes.push(format!(
                "Spearman ρ of the runtimes' CoreMark order: {r:.3}"
            ));
        }
        Table {
            id: format!("sbs-coremark-{}", self.stem()),
            title: format!(
                "CoreMark — {} (here) vs {} (paper)",
                self.ours_board, self.paper_board
            ),
            header: vec![
                "runtime".into(),
                format!("here [{}]", self.coremark_units.0),
                format!("here × {}", self.reference),
                format!("paper [{}]", self.coremark_units.1),
                format!("paper × {}", self.reference),
                "here / paper (relative)".into(),
            ],
            rows,
            notes,
        }
    }

    /// Embench relative times per benchmark, ρ per benchmark, geomean row.
    pub fn embench_table(&self) -> Table {
        let mut header = vec!["benchmark".to_string()];
        for rt in &self.runtimes {
            header.push(format!("{rt} here"));
            header.push(format!("{rt} paper"));
        }
        header.push("Spearman ρ".into());
        header.push("runtimes".into());
        let mut rows = Vec::new();
        for b in &self.benches {
            let mut row = vec![TableCell::Text(b.bench.clone())];
            for rt in &self.runtimes {
                row.push(b.ours.get(rt).copied().into());
                row.push(b.paper.get(rt).copied().into());
            }
            row.push(b.rho.into());
            row.push(TableCell::Num(b.common.len() as f64));
            rows.push(row);
        }
        if !rows.is_empty() {
            let mut row = vec![TableCell::Text("geomean".into())];
            for rt in &self.runtimes {
                let (a, b) = self.geomeans.get(rt).copied().unwrap_or((None, None));
                row.push(a.into());
                row.push(b.into());
            }
            let rhos: Vec<f64> = self.benches.iter().filter_map(|b| b.rho).collect();
            row.push(if rhos.is_empty() {
                TableCell::Missing
            } else {
                TableCell::Num(rhos.iter().sum::<f64>() / rhos.len() as f64)
            });
            row.push(TableCell::Text("mean ρ".into()));
            rows.push(row);
        }
        Table {
            id: format!("sbs-embench-{}", self.stem()),
            title: format!(
                "Embench time relative to `{}` — {} (here) vs {} (paper)",
                self.reference, self.ours_board, self.paper_board
            ),
            header,
            rows,
            notes: vec![
                format!(
                    "time(runtime) / time({}) on the same board and benchmark (lower = faster); times here in `{}`, paper in `{}`",
                    self.reference, self.time_units.0, self.time_units.1
                ),
                "Spearman ρ over the runtimes measured on both sides for that benchmark (1 = same order)".to_string(),
            ],
        }
    }

    /// Flash footprint here and in the paper, relative to the reference.
    pub fn flash_table(&self) -> Table {
        let (ro, rp) = self
            .flash
            .get(&self.reference)
            .cloned()
            .unwrap_or((Value::Missing, Value::Missing));
        let rows = self
            .runtimes
            .iter()
            .filter_map(|rt| Some((rt, self.flash.get(rt)?)))
            .map(|(rt, (a, b))| {
                vec![
                    TableCell::Text(rt.clone()),
                    a.into(),
                    ratio(a, &ro).into(),
                    b.into(),
                    ratio(b, &rp).into(),
                ]
            })
            .collect();
        Table {
            id: format!("sbs-flash-{}", self.stem()),
            title: format!(
                "Flash footprint (.text+.rodata+.data) — {} (here) vs {} (paper)",
                self.ours_board, self.paper_board
            ),
            header: vec![
                "runtime".into(),
                "here [B]".into(),
                format!("here × {}", self.reference),
                "paper [B]".into(),
                format!("paper × {}", self.reference),
            ],
            rows,
            notes: vec!["paper: the CoreMark firmware (static-size-coremark.txt)".to_string()],
        }
    }

    /// Geomean relative Embench time per runtime, here vs paper (log scale).
    pub fn chart(&self) -> BarChart {
        let rts: Vec<String> = self.geomeans.keys().cloned().collect();
        let rts = crate::dataset::sort_runtimes(rts);
        let pick = |side: usize| -> Vec<Bar> {
            rts.iter()
                .map(|rt| {
                    let (a, b) = self.geomeans[rt];
                    match if side == 0 { a } else { b } {
                        Some(v) => Bar::Value(v),
                        None => Bar::Missing,
                    }
                })
                .collect()
        };
        BarChart {
            title: format!(
                "Embench time relative to {} — {} vs paper's {}",
                self.reference, self.ours_board, self.paper_board
            ),
            x_label: "runtime".into(),
            y_label: format!("geomean time / time({}) [×], log scale", self.reference),
            markers: rts.iter().map(|_| Some(1.0)).collect(),
            series: vec![
                Series {
                    name: format!("here ({})", self.ours_board),
                    color: plotters::style::RGBColor(31, 119, 180),
                    values: pick(0),
                },
                Series {
                    name: format!("paper ({})", self.paper_board),
                    color: plotters::style::RGBColor(255, 127, 14),
                    values: pick(1),
                },
            ],
            categories: rts.clone(),
            scale: Scale::Log,
            marker_label: format!("{} (= 1)", self.reference),
            legend_title: "data".to_string(),
            bar_base: Some(1.0),
        }
    }

    /// A short generated summary (Markdown) of agreement and differences.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "### {} (here) ↔ {} (paper), reference `{}`\n",
            self.ours_board, self.paper_board, self.reference
        );
        if self.runtimes.is_empty() {
            let _ = writeln!(s, "No runtime has data on both sides: nothing to compare.");
            return s;
        }
        let _ = writeln!(s, "- Runtimes on both sides: {}.", self.runtimes.join(", "));
        if !self.only_ours.is_empty() {
            let _ = writeln!(s, "- Only here: {}.", self.only_ours.join(", "));
        }
        if !self.only_paper.is_empty() {
            let _ = writeln!(s, "- Only in the paper: {}.", self.only_paper.join(", "));
        }
        // CoreMark order
        let order = |side: usize| -> Vec<String> {
            let mut v: Vec<(String, f64)> = self
                .coremark
                .iter()
                .filter_map(|(rt, (a, b))| {
                    let x = if side == 0 { a.number() } else { b.number() }?;
                    let other = if side == 0 { b.number() } else { a.number() };
                    other.map(|_| (rt.clone(), x))
                })
                .collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1));
            v.into_iter().map(|x| x.0).collect()
        };
        let (co, cp) = (order(0), order(1));
        if co.len() >= 2 {
            let _ = writeln!(
                s,
                "- CoreMark, fastest first — here: {}; paper: {}{}.",
                co.join(" > "),
                cp.join(" > "),
                match self.coremark_rho {
                    Some(r) if co == cp => format!(" (same order, ρ = {r:.2})"),
                    Some(r) => format!(" (ρ = {r:.2})"),
                    None => String::new(),
                }
            );
        }
        // Embench agreement
        let rhos: Vec<f64> = self.benches.iter().filter_map(|b| b.rho).collect();
        let compared: Vec<&BenchCompare> = self
            .benches
            .iter()
            .filter(|b| b.common.len() >= 2)
            .collect();
        if !compared.is_empty() {
            let same = compared.iter().filter(|b| b.swaps.is_empty()).count();
            let mut sorted = rhos.clone();
            sorted.sort_by(f64::total_cmp);
            let median = if sorted.is_empty() {
                f64::NAN
            } else if sorted.len() % 2 == 1 {
                sorted[sorted.len() / 2]
            } else {
                (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0
            };
            let mean = rhos.iter().sum::<f64>() / rhos.len().max(1) as f64;
            let _ = writeln!(
                s,
                "- Embench: {} benchmarks with ≥ 2 runtimes on both sides; the runtimes' order is the same on {} of them; Spearman ρ mean {:.2}, median {:.2}.",
                compared.len(),
                same,
                mean,
                median
            );
        } else {
            let _ = writeln!(s, "- Embench: no benchmark measured on both sides.");
        }
        // Geomean relative times
        let gm: Vec<String> = self
            .runtimes
            .iter()
            .filter(|rt| **rt != self.reference)
            .filter_map(|rt| Some((rt, self.geomeans.get(rt)?)))
            .map(|(rt, (a, b))| {
                let f = |x: &Option<f64>| x.map(|v| format!("{v:.2}×")).unwrap_or("–".into());
                format!("{rt} {} here vs {} in the paper", f(a), f(b))
            })
            .collect();
        if !gm.is_empty() {
            let _ = writeln!(
                s,
                "- Geomean Embench time relative to {}: {}.",
                self.reference,
                gm.join("; ")
            );
        }
        // Where the orders differ
        let mut pairs: BTreeMap<(String, String), Vec<&BenchCompare>> = BTreeMap::new();
        for b in &self.benches {
            for (fast, slow) in &b.swaps {
                let key = if fast < slow {
                    (fast.clone(), slow.clone())
                } else {
                    (slow.clone(), fast.clone())
                };
                pairs.entry(key).or_default().push(b);
            }
        }
        if pairs.is_empty() {
            if !compared.is_empty() {
                let _ = writeln!(
                    s,
                    "- The runtimes' order agrees with the paper on every benchmark compared."
                );
            }
        } else {
            let mut list: Vec<_> = pairs.into_iter().collect();
            list.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
            let _ = writeln!(
                s,
                "- Where the orders differ (pairs of runtimes swapped, most frequent first):"
            );
            for ((a, b), bs) in list.iter().take(6) {
                let eg = bs[0];
                let here = eg.ours[a] / eg.ours[b];
                let paper = eg.paper[a] / eg.paper[b];
                let _ = writeln!(
                    s,
                    "  - {a} vs {b}: on {} of {} benchmarks ({}); e.g. {}: {a} takes {here:.2}× the time of {b} here, {paper:.2}× in the paper.",
                    bs.len(),
                    compared.len(),
                    bs.iter().map(|b| b.bench.as_str()).collect::<Vec<_>>().join(", "),
                    eg.bench,
                );
            }
            if list.len() > 6 {
                let _ = writeln!(
                    s,
                    "  - … and {} more pairs (see the table).",
                    list.len() - 6
                );
            }
        }
        if self.time_units.0 != self.time_units.1 && !self.time_units.0.is_empty() {
            let _ = writeln!(
                s,
                "- Units differ (here `{}`, paper `{}`): only ratios to `{}` on the same side are compared.",
                self.time_units.0, self.time_units.1, self.reference
            );
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{LocatedRecord, Record, Source};

    fn rec(board: &str, rt: &str, bench: &str, t: f64, unit: &str) -> LocatedRecord {
        LocatedRecord {
            record: Record::ok(board, rt, "embench", bench).with_metric("interval", t, unit),
            source: Source {
                path: "x".into(),
                line: 1,
            },
        }
    }

    #[test]
    fn spearman_and_swaps() {
        let ours = Dataset::from_records([
            rec("qemu-m33", "wasmi", "crc32", 100.0, "instructions"),
            rec("qemu-m33", "wamr", "crc32", 200.0, "instructions"),
            rec("qemu-m33", "wasmtime", "crc32", 150.0, "instructions"),
        ]);
        let paper = Dataset::from_records([
            rec("pico2w", "wasmi", "crc32", 10.0, "ms"),
            rec("pico2w", "wamr", "crc32", 15.0, "ms"),
            rec("pico2w", "wasmtime", "crc32", 30.0, "ms"),
        ]);
        let c = compare_pair(&ours, "qemu-m33", &paper, "pico2w", "wasmi");
        let b = &c.benches[0];
        assert_eq!(b.common.len(), 3);
        // ranks here (wasmtime, wasmi, wamr) = (2,1,3); paper = (3,1,2): ρ = 0.5
        assert!((b.rho.unwrap() - 0.5).abs() < 1e-9);
        assert_eq!(b.swaps, vec![("wasmtime".to_string(), "wamr".to_string())]);
        assert!(c
            .summary()
            .contains("wamr vs wasmtime: on 1 of 1 benchmarks"));
    }
}
