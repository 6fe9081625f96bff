//! The paper's figures as chart specifications, built from [`crate::views`].
//!
//! * Figures 1-4: time per benchmark per runtime on one board, log scale
//!   ([`time_chart`]; the same for the `own` suite).
//! * Figure 5: flash footprint per runtime, `.text`/`.rodata`/`.data`
//!   stacked, whole firmware and the runtime's own share
//!   ([`footprint_chart`]); and one board's builds on each OS beside the
//!   paper's ([`footprint_comparison_chart`]).
//! * Figure 6: peak RAM (heap + `.data` + `.bss`) per benchmark per runtime
//!   with the linear-memory size marked ([`ram_chart`]).

use crate::dataset::Value;
use crate::plots::{
    runtime_color, section_color, Bar, BarChart, Scale, Series, StackedChart, StackedPanel,
};
use crate::views::{FootprintColumn, FootprintComparison, FootprintView, Grid, Sections, PAPER_OS};

const KIB: f64 = 1024.0;

fn grid_series(g: &Grid, scale_by: f64) -> Vec<Series> {
    g.cols
        .iter()
        .map(|rt| Series {
            name: rt.clone(),
            color: runtime_color(rt),
            values: g
                .rows
                .iter()
                .map(|w| match g.get(w, rt) {
                    Value::Ok { value, .. } => Bar::Value(value / scale_by),
                    other => Bar::from(&other),
                })
                .collect(),
        })
        .collect()
}

fn suite_title(suite: &str) -> String {
    match suite {
        "embench" => "Embench".to_string(),
        "own" => "own suite".to_string(),
        other => other.to_string(),
    }
}

/// Figures 1-4: time per benchmark per runtime (log scale).
pub fn time_chart(g: &Grid, suite: &str, source_label: &str) -> BarChart {
    BarChart {
        title: format!(
            "{} time per benchmark — {} ({source_label})",
            suite_title(suite),
            g.board
        ),
        x_label: "benchmark".to_string(),
        y_label: format!("time per run [{}], log scale", g.unit),
        categories: g.rows.clone(),
        series: grid_series(g, 1.0),
        scale: Scale::Log,
        markers: vec![],
        marker_label: String::new(),
        legend_title: "runtime".to_string(),
        bar_base: None,
    }
}

/// Figure 6: peak RAM per benchmark per runtime, in KiB, with the
/// linear-memory size of each benchmark as a black line.
pub fn ram_chart(g: &Grid, suite: &str, source_label: &str) -> BarChart {
    let div = if g.unit == "B" { KIB } else { 1.0 };
    let unit = if g.unit == "B" {
        "KiB".to_string()
    } else {
        g.unit.clone()
    };
    BarChart {
        title: format!(
            "{} peak RAM per benchmark — {} ({source_label})",
            suite_title(suite),
            g.board
        ),
        x_label: "benchmark".to_string(),
        y_label: format!("peak RAM: heap + .data + .bss [{unit}]"),
        categories: g.rows.clone(),
        series: grid_series(g, div),
        scale: Scale::Linear,
        markers: g
            .rows
            .iter()
            .map(|w| g.markers.get(w).map(|m| m / div))
            .collect(),
        marker_label: "linear memory size".to_string(),
        legend_title: "runtime".to_string(),
        bar_base: None,
    }
}

/// The `.text`, `.rodata` and `.data` layers of `n` stacked bars, bar `i`
/// showing `get(i)` in KiB.
fn section_layers_by(n: usize, get: impl Fn(usize) -> Option<Sections>) -> Vec<Series> {
    let pick = |s: &Sections, name: &str| -> Value {
        match name {
            ".text" => s.text.clone(),
            ".rodata" => s.rodata.clone(),
            _ => s.data.clone(),
        }
    };
    [".text", ".rodata", ".data"]
        .iter()
        .map(|sec| Series {
            name: sec.to_string(),
            color: section_color(sec),
            values: (0..n)
                .map(|i| match get(i) {
                    None => Bar::Missing,
                    Some(s) => match pick(&s, sec) {
                        Value::Ok { value, .. } => Bar::Value(value / KIB),
                        other => Bar::from(&other),
                    },
                })
                .collect(),
        })
        .collect()
}

/// The section layers of one bar per runtime.
fn section_layers(runtimes: &[String], get: impl Fn(&str) -> Option<Sections>) -> Vec<Series> {
    section_layers_by(runtimes.len(), |i| get(&runtimes[i]))
}

/// Figure 5: flash footprint, two panels (whole firmware; runtime share).
pub fn footprint_chart(v: &FootprintView, source_label: &str) -> StackedChart {
    let whole = StackedPanel {
        title: "whole firmware".to_string(),
        categories: v.runtimes.clone(),
        layers: section_layers(&v.runtimes, |rt| v.whole.get(rt).cloned()),
        empty_note: "no footprint data".to_string(),
    };
    let share = StackedPanel {
        title: "runtime's own share (firmware − no-runtime build)".to_string(),
        categories: if v.baseline.is_some() {
            v.runtimes.clone()
        } else {
            vec![]
        },
        layers: section_layers(&v.runtimes, |rt| v.share(rt)),
        empty_note: "no data: no no-runtime (`none`) build".to_string(),
    };
    StackedChart {
        title: format!("Flash footprint — {} ({source_label})", v.board),
        x_label: "runtime".to_string(),
        y_label: "flash [KiB]".to_string(),
        panels: vec![whole, share],
    }
}

/// Category label of one bar of a [`FootprintComparison`]: the runtime and
/// the build's OS (`wasmi · ariel-os`), or `paper` for the paper's.
pub fn slot_label(runtime: &str, column: &str) -> String {
    format!("{runtime} · {column}")
}

/// Figure 5 across OSes: for one board, each runtime's builds on each OS
/// (ours) and the paper's, side by side, in two panels (whole firmware;
/// runtime share, each build minus the `none` build of its own OS).
pub fn footprint_comparison_chart(c: &FootprintComparison, source_label: &str) -> StackedChart {
    let slots = c.slots();
    // The share panel leaves out the builds without a `none` build of their
    // OS (the paper's): they have no share to draw.
    let with_share: Vec<_> = slots
        .iter()
        .copied()
        .filter(|(_, col)| col.view.baseline.is_some())
        .collect();
    let labels = |v: &[(&str, &FootprintColumn)]| -> Vec<String> {
        v.iter()
            .map(|(rt, col)| slot_label(rt, &col.label))
            .collect()
    };
    let whole = section_layers_by(slots.len(), |i| {
        let (rt, col) = slots[i];
        col.view.whole.get(rt).cloned()
    });
    let share = section_layers_by(with_share.len(), |i| {
        let (rt, col) = with_share[i];
        col.view.share(rt)
    });
    let ours = c.our_oses().join(", ");
    let paper = c
        .paper_board
        .as_ref()
        .filter(|_| c.columns.iter().any(|col| col.paper))
        .map(|p| format!(" beside the paper's {p} ({} builds)", PAPER_OS.name))
        .unwrap_or_default();
    StackedChart {
        title: format!(
            "Flash footprint — {} on {} ({source_label}){paper}",
            c.board,
            if ours.is_empty() {
                "no OS of ours"
            } else {
                &ours
            }
        ),
        x_label: "runtime · OS of the build".to_string(),
        y_label: "flash [KiB]".to_string(),
        panels: vec![
            StackedPanel {
                title: "whole firmware".to_string(),
                categories: labels(&slots),
                layers: whole,
                empty_note: "no footprint data".to_string(),
            },
            StackedPanel {
                title: "runtime's own share (firmware − `none` of the same OS)".to_string(),
                categories: labels(&with_share),
                layers: share,
                empty_note: "no data: no no-runtime (`none`) build".to_string(),
            },
        ],
    }
}
