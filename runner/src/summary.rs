//! What a person reads at the end of `trevm bench`: one line per runtime
//! variant with its cells ok and failed (and the main failure kinds), its
//! time relative to `native` (geometric mean over the workloads both ran)
//! and its largest peak heap; then the command that makes the report.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use trevm_catalog::record::Record;
use trevm_catalog::stats::geomean;

/// The runtime variant times are compared with.
pub const BASELINE: &str = "native";

/// The table of `records` (the latest record of each cell, in cell
/// order), one row per runtime variant in the order they first appear.
pub fn table(records: &[&Record]) -> String {
    let mut labels: Vec<&str> = Vec::new();
    for r in records {
        if !labels.contains(&r.runtime.as_str()) {
            labels.push(&r.runtime);
        }
    }
    let interval = |label: &str, suite: &str, workload: &str| {
        records
            .iter()
            .find(|r| r.runtime == label && r.suite == suite && r.workload == workload)
            .filter(|r| r.is_ok())
            .and_then(|r| r.metric("interval"))
            .map(|m| m.value)
            .filter(|v| *v > 0.0)
    };
    // The label column is as wide as the longest label
    // (`wasmtime-no-simd@42.0.1`) or its heading.
    let heading = "runtime";
    let w = labels
        .iter()
        .chain([&heading])
        .map(|l| l.len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{heading:<w$} {:>4} {:>6}  {:>10}  {:>13}  failures",
        "ok", "failed", "vs native", "max peak heap"
    );
    for label in labels {
        let mine: Vec<&&Record> = records.iter().filter(|r| r.runtime == label).collect();
        let ok = mine.iter().filter(|r| r.is_ok()).count();
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for r in &mine {
            if let Some(k) = r.failure() {
                *kinds.entry(k).or_default() += 1;
            }
        }
        let mut kinds: Vec<(String, usize)> = kinds.into_iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let ratios: Vec<f64> = mine
            .iter()
            .filter_map(|r| {
                let own = interval(label, &r.suite, &r.workload)?;
                let base = interval(BASELINE, &r.suite, &r.workload)?;
                Some(own / base)
            })
            .collect();
        let vs = match geomean(&ratios) {
            Some(g) if label != BASELINE => format!("{g:.2}x ({})", ratios.len()),
            _ => "-".into(),
        };
        let heap = mine
            .iter()
            .filter_map(|r| r.metric("peak_heap").map(|m| m.value))
            .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))));
        let heap = heap.map_or("-".into(), |h| format!("{:.1} KiB", h / 1024.0));
        let failures = kinds
            .iter()
            .take(3)
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            text,
            "{label:<w$} {ok:>4} {:>6}  {vs:>10}  {heap:>13}  {failures}",
            mine.len() - ok
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use trevm_catalog::{Kind, Stage};

    #[test]
    fn one_row_per_variant_with_time_against_native() {
        let ok = |rt: &str, w: &str, t: f64, heap: f64| {
            Record::ok("host", rt, "own", w)
                .with_metric("interval", t, "ns")
                .with_metric("peak_heap", heap, "B")
        };
        let mut timeout = Record::new("host", "wasmi", "own", "c");
        timeout.fail(Kind::Timeout, Stage::Run, "budget");
        let records = [
            ok("native", "a", 10.0, 0.0),
            ok("native", "b", 10.0, 0.0),
            ok("wasmi", "a", 20.0, 4096.0),
            ok("wasmi", "b", 80.0, 2048.0),
            timeout,
        ];
        let refs: Vec<&Record> = records.iter().collect();
        let t = table(&refs);
        let wasmi = t.lines().find(|l| l.starts_with("wasmi")).unwrap();
        assert!(wasmi.contains(" 2 ") && wasmi.contains(" 1 "), "{t}");
        assert!(wasmi.contains("4.00x (2)"), "{t}");
        assert!(
            wasmi.contains("4.0 KiB") && wasmi.ends_with("timeout 1"),
            "{t}"
        );
        let native = t.lines().find(|l| l.starts_with("native")).unwrap();
        assert!(native.contains(" - "), "{t}");
    }

    #[test]
    fn columns_line_up_after_a_long_label() {
        let long = "wasmtime-no-simd@42.0.1";
        let records = [
            Record::ok("host", "wasmi", "own", "a"),
            Record::ok("host", long, "own", "a"),
        ];
        let refs: Vec<&Record> = records.iter().collect();
        let t = table(&refs);
        // The ok column starts right after the longest label, in every row.
        let w = long.len();
        let cols: Vec<&str> = t.lines().map(|l| &l[w..w + 5]).collect();
        assert_eq!(cols, ["   ok", "    1", "    1"], "{t}");
    }
}
