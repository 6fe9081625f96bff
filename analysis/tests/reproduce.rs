//! `trevm-analysis reproduce`: the agreement numbers (ρ, ratio error,
//! CoreMark ρ, failure sets, causes) on synthetic data with known answers,
//! and the page built from it.

mod common;

use common::{cli, failed, footprint, record, text, with_profile, write_jsonl, write_paper_board};
use std::path::Path;
use trevm_analysis::agreement::{self, Cause, Context, VersionSet, Versions};
use trevm_analysis::dataset::Dataset;
use trevm_analysis::paper::{self, EMBENCH_1_0};
use trevm_analysis::record;
use trevm_analysis::reproduce::{self, ReproduceOptions};
use trevm_catalog::runtime::PaperRef;

/// The paper labels these tests compare (fixture data: the catalog's set is
/// `agreement::paper_runtimes()`, the same labels in another order).
const PAPER_RUNTIMES: [&str; 5] = ["wamr", "wamr-fast", "wasmi", "wasmtime", "wasmtime-no-simd"];

/// Paper times per runtime (ms), in the order of [`PAPER_RUNTIMES`]:
/// wamr 20, wamr-fast 10, wasmi 30, wasmtime 40, wasmtime-no-simd 50.
const PAPER_MS: [f64; 5] = [20.0, 10.0, 30.0, 40.0, 50.0];

/// The paper's CoreMark scores in the same order.
const PAPER_COREMARK: [f64; 5] = [2.0, 4.0, 5.0, 3.0, 6.0];

#[test]
fn the_fixture_labels_are_the_catalogs_paper_runtimes() {
    let mut ours = agreement::paper_runtimes();
    ours.sort_unstable();
    let mut fixture = PAPER_RUNTIMES.to_vec();
    fixture.sort_unstable();
    assert_eq!(ours, fixture);
}

fn runtimes() -> Vec<String> {
    PAPER_RUNTIMES.iter().map(|s| s.to_string()).collect()
}

/// A paper board where every runtime ran `benches` with [`PAPER_MS`],
/// except the (runtime, bench) cells in `lacking`.
fn paper_board(root: &Path, board: &str, benches: &[&'static str], lacking: &[(&str, &str)]) {
    let embench: Vec<(&str, Vec<(&str, f64)>)> = PAPER_RUNTIMES
        .iter()
        .zip(PAPER_MS)
        .map(|(rt, ms)| {
            let rows = benches
                .iter()
                .filter(|b| !lacking.contains(&(rt, **b)))
                .map(|b| (*b, ms))
                .collect();
            (*rt, rows)
        })
        .collect();
    let cm: Vec<(&str, f64)> = PAPER_RUNTIMES.iter().copied().zip(PAPER_COREMARK).collect();
    write_paper_board(root, board, &embench, &cm);
}

fn paper_dataset(root: &Path) -> Dataset {
    paper::import(root).expect("synthetic paper data").dataset()
}

fn load(dir: &Path, lines: &[String]) -> Dataset {
    let p = dir.join("ours.jsonl");
    write_jsonl(&p, lines);
    Dataset::from_records(record::load_files(&[p]).unwrap())
}

fn embench(board: &str, rt: &str, bench: &str, t: f64) -> String {
    record(
        board,
        rt,
        "embench",
        bench,
        &[("interval", t, "instructions")],
    )
}

fn coremark(board: &str, rt: &str, score: f64) -> String {
    record(
        board,
        rt,
        "coremark",
        "coremark",
        &[("score", score, "iterations/Minstr")],
    )
}

/// Our records on `board`: every runtime, every bench in `benches`, times
/// `scale × PAPER_MS`; CoreMark `PAPER_COREMARK × 0.1`.
fn ours_like_paper(board: &str, benches: &[&str], scale: f64) -> Vec<String> {
    let mut v = Vec::new();
    for (rt, ms) in PAPER_RUNTIMES.iter().zip(PAPER_MS) {
        for b in benches {
            v.push(embench(board, rt, b, ms * scale));
        }
    }
    for (rt, s) in PAPER_RUNTIMES.iter().zip(PAPER_COREMARK) {
        v.push(coremark(board, rt, s * 0.1));
    }
    v
}

fn same_labels(versions: Versions) -> VersionSet {
    let refs: Vec<(&str, PaperRef)> = PAPER_RUNTIMES
        .iter()
        .map(|r| (*r, PaperRef::current(r)))
        .collect();
    VersionSet::from_refs(versions, &refs)
}

/// The current version set, default profile, qemu-m33 against pico2w.
fn agree_current(ours: &Dataset, paper: &Dataset) -> agreement::Agreement {
    agreement::agree(
        ours,
        paper,
        &same_labels(Versions::Current),
        &ctx(Versions::Current, "default"),
    )
}

fn ctx(versions: Versions, profile: &str) -> Context {
    Context::new(
        "qemu-m33",
        "pico2w",
        versions,
        profile,
        &runtimes(),
        "wamr-fast",
    )
}

#[test]
fn identical_ordering_gives_rho_one_and_ratio_error_one() {
    let t = tempfile::tempdir().unwrap();
    paper_board(t.path(), "pico2w", EMBENCH_1_0, &[]);
    let paper = paper_dataset(t.path());
    // Instruction counts 1000× the paper's milliseconds: same order, same ratios.
    let ours = load(t.path(), &ours_like_paper("qemu-m33", EMBENCH_1_0, 1000.0));
    let a = agree_current(&ours, &paper);
    assert_eq!(a.rho_benchmarks(), EMBENCH_1_0.len());
    assert!((a.rho_mean().unwrap() - 1.0).abs() < 1e-12);
    assert!((a.rho_min().unwrap() - 1.0).abs() < 1e-12);
    assert!((a.ratio_error().unwrap() - 1.0).abs() < 1e-12);
    assert_eq!(a.ratios.len(), EMBENCH_1_0.len() * 4);
    assert!((a.coremark_rho.unwrap() - 1.0).abs() < 1e-12);
    let f = a.failures.as_ref().unwrap();
    assert_eq!((f.here.len(), f.paper.len(), f.difference()), (0, 0, 0));
    assert!(a.swaps.is_empty());
    assert_eq!(a.verdict(&agreement::TARGET), agreement::Verdict::Met);
}

#[test]
fn a_known_swap_gives_the_expected_rho_and_ratio_error() {
    let t = tempfile::tempdir().unwrap();
    paper_board(t.path(), "pico2w", &["crc32"], &[]);
    let paper = paper_dataset(t.path());
    // Paper (ms): wamr 20, wamr-fast 10, wasmi 30, wasmtime 40, no-simd 50.
    // Here wamr and wasmtime trade places: wamr 40, wasmtime 20; no-simd
    // is 60 (still the slowest).
    let lines = vec![
        embench("qemu-m33", "wamr", "crc32", 40.0),
        embench("qemu-m33", "wamr-fast", "crc32", 10.0),
        embench("qemu-m33", "wasmi", "crc32", 30.0),
        embench("qemu-m33", "wasmtime", "crc32", 20.0),
        embench("qemu-m33", "wasmtime-no-simd", "crc32", 60.0),
    ];
    let ours = load(t.path(), &lines);
    let a = agree_current(&ours, &paper);
    // Ranks paper (1..5 by time): wamr-fast 1, wamr 2, wasmi 3, wasmtime 4,
    // no-simd 5; here wamr 4 and wasmtime 2: d² = 4 + 4 = 8;
    // ρ = 1 − 6·8 / (5·(25 − 1)) = 1 − 48/120 = 0.6.
    let rho = a.bench_rho[0].rho.unwrap();
    assert!((rho - 0.6).abs() < 1e-12, "{rho}");
    assert_eq!(a.rho_min(), a.rho_mean());
    // Ratios to wamr-fast: wamr 4 vs 2 and wasmtime 2 vs 4 (e = ln 2 each),
    // wasmi equal (e = 0), no-simd 6 vs 5 (e = ln 1.2): sorted
    // 0, ln 1.2, ln 2, ln 2; median (ln 1.2 + ln 2) / 2, factor √2.4.
    let r = a.ratio_error().unwrap();
    assert!((r - 2.4f64.sqrt()).abs() < 1e-12, "{r}");
    assert!((a.runtime_error()["wasmtime-no-simd"] - 1.2).abs() < 1e-12);
    // Swapped pairs: wasmtime/wamr, and wasmi (30, between 20 and 40) with
    // each of them.
    let pairs: Vec<(&str, &str)> = a
        .swaps
        .iter()
        .map(|s| (s.faster_here.as_str(), s.slower_here.as_str()))
        .collect();
    assert!(pairs.contains(&("wasmtime", "wamr")), "{pairs:?}");
    assert!(pairs.contains(&("wasmtime", "wasmi")), "{pairs:?}");
    assert!(pairs.contains(&("wasmi", "wamr")), "{pairs:?}");
    assert_eq!(pairs.len(), 3, "{pairs:?}");
    // The strongest swap first: wasmtime vs wamr (½ here, 2 in the paper).
    assert_eq!(pairs[0], ("wasmtime", "wamr"));
    assert!(matches!(
        a.verdict(&agreement::TARGET),
        agreement::Verdict::NotMet(ref v) if v.contains(&"Embench ρ") && v.contains(&"ratio error")
    ));
}

/// A benchmark the paper ran for none of the runtimes on a board (its
/// nbody) is not a failure there; one that only some runtimes lack is.
#[test]
fn a_benchmark_the_paper_ran_nowhere_is_not_in_the_failure_sets() {
    let t = tempfile::tempdir().unwrap();
    let lacking: Vec<(&str, &str)> = PAPER_RUNTIMES
        .iter()
        .map(|rt| (*rt, "nbody"))
        .chain([("wasmi", "st")])
        .collect();
    paper_board(t.path(), "pico2w", EMBENCH_1_0, &lacking);
    let paper = paper_dataset(t.path());
    let mut lines = ours_like_paper("qemu-m33", EMBENCH_1_0, 1000.0);
    lines.push(failed("qemu-m33", "wamr", "embench", "nbody", "trap"));
    let ours = load(t.path(), &lines);
    let a = agree_current(&ours, &paper);
    let f = a.failures.as_ref().unwrap();
    let cell = |r: &str, b: &str| (r.to_string(), b.to_string());
    assert_eq!(f.paper.len(), 1, "{:?}", f.paper);
    assert!(f.paper.contains(&cell("wasmi", "st")));
    assert!(f.here.is_empty(), "{:?}", f.here);
    assert_eq!(f.difference(), 1);
}

#[test]
fn failure_set_difference_is_counted_and_causes_follow_the_rules() {
    let t = tempfile::tempdir().unwrap();
    // The paper lacks wasmi/nbody and wamr/st.
    paper_board(
        t.path(),
        "pico2w",
        EMBENCH_1_0,
        &[("wasmi", "nbody"), ("wamr", "st")],
    );
    let paper = paper_dataset(t.path());
    let mut lines: Vec<String> = ours_like_paper("qemu-m33", EMBENCH_1_0, 1000.0)
        .into_iter()
        .filter(|l| {
            // wamr/slre absent here; wasmtime runs no Embench at all here.
            let wamr_slre =
                l.contains("\"runtime\":\"wamr\"") && l.contains("\"workload\":\"slre\"");
            let wasmtime = l.contains("\"runtime\":\"wasmtime\"") && l.contains("\"embench\"");
            !wamr_slre && !wasmtime
        })
        .collect();
    // wamr/st fails here too (in both sets: not a difference); wamr/crc32
    // traps and wasmi/edn runs out of memory, here only.
    lines.push(failed("qemu-m33", "wamr", "embench", "st", "trap"));
    lines.push(failed("qemu-m33", "wamr", "embench", "crc32", "trap"));
    lines.push(failed(
        "qemu-m33",
        "wasmi",
        "embench",
        "edn",
        "out-of-memory",
    ));
    let ours = load(t.path(), &lines);
    let mut group = vec![agree_current(&ours, &paper)];
    agreement::attribute(&mut group, "paper");
    let a = &group[0];
    let f = a.failures.as_ref().unwrap();
    assert_eq!(f.not_run_here, vec!["wasmtime".to_string()]);
    assert_eq!(f.runtimes.len(), 4);
    let cell = |r: &str, b: &str| (r.to_string(), b.to_string());
    assert_eq!(f.here.len(), 4, "{:?}", f.here);
    assert_eq!(f.here[&cell("wamr", "slre")], "absent");
    assert_eq!(f.here[&cell("wasmi", "edn")], "out-of-memory");
    assert_eq!(f.paper.len(), 2);
    // here only: wamr/slre, wamr/crc32, wasmi/edn; paper only: wasmi/nbody.
    assert_eq!(f.here_only().len(), 3);
    assert_eq!(f.paper_only(), vec![&cell("wasmi", "nbody")]);
    assert_eq!(f.difference(), 4);

    let cause = |r: &str, b: &str| {
        a.divergences
            .iter()
            .find(|d| d.runtimes == [r.to_string()] && d.bench == b)
            .map(|d| d.cause)
    };
    assert_eq!(cause("wamr", "slre"), Some(Cause::NotRun));
    assert_eq!(cause("wasmi", "edn"), Some(Cause::MemoryLayout));
    assert_eq!(cause("wamr", "crc32"), Some(Cause::Unexplained));
    // The paper lacks it, it runs here with the default profile.
    assert_eq!(cause("wasmi", "nbody"), Some(Cause::MemoryLayout));
    assert_eq!(cause("wamr", "st"), None);
}

#[test]
fn a_pinned_variant_that_agrees_better_marks_the_current_one_as_version() {
    let t = tempfile::tempdir().unwrap();
    paper_board(t.path(), "pico2w", EMBENCH_1_0, &[]);
    let paper = paper_dataset(t.path());
    let mut lines = ours_like_paper("qemu-m33", EMBENCH_1_0, 1000.0);
    // The current wasmi is 3× slower than the paper's relative to the
    // others; `wasmi-old` (pinned) matches the paper.
    for l in lines.iter_mut() {
        if l.contains("\"runtime\":\"wasmi\"") && l.contains("\"embench\"") {
            *l = l.replace("\"value\":30000.0", "\"value\":90000.0");
        }
    }
    for b in EMBENCH_1_0 {
        lines.push(embench("qemu-m33", "wasmi-old", b, 30000.0));
    }
    lines.push(failed("qemu-m33", "wasmi", "embench", "edn", "trap"));
    let ours = load(t.path(), &lines);
    let current = same_labels(Versions::Current);
    let mut refs: Vec<(&str, PaperRef)> = PAPER_RUNTIMES
        .iter()
        .map(|r| (*r, PaperRef::current(r)))
        .collect();
    refs[2] = ("wasmi-old", PaperRef::pinned("wasmi"));
    let pinned = VersionSet::from_refs(Versions::Pinned, &refs);
    assert!(pinned.present(&current, &ours, "qemu-m33"));
    assert!(current.present(&pinned, &ours, "qemu-m33"));
    let mut group = vec![
        agreement::agree(&ours, &paper, &current, &ctx(Versions::Current, "default")),
        agreement::agree(&ours, &paper, &pinned, &ctx(Versions::Pinned, "default")),
    ];
    agreement::attribute(&mut group, "paper");
    let (cur, pin) = (&group[0], &group[1]);
    assert!((cur.runtime_error()["wasmi"] - 3.0).abs() < 1e-9);
    assert!((pin.ratio_error().unwrap() - 1.0).abs() < 1e-12);
    let wasmi: Vec<&agreement::Divergence> = cur
        .divergences
        .iter()
        .filter(|d| d.runtimes.contains(&"wasmi".to_string()))
        .collect();
    assert!(!wasmi.is_empty());
    assert!(wasmi.iter().all(|d| d.cause == Cause::Version), "{wasmi:?}");
    assert!(pin.divergences.is_empty(), "{:?}", pin.divergences);
}

/// Synthetic paper data for the three emulated pairings.
fn three_paper_boards(root: &Path) {
    for b in ["pico2w", "nrf52840dk", "esp32-c6"] {
        paper_board(root, b, EMBENCH_1_0, &[]);
    }
}

#[test]
fn page_lists_all_three_pairings_and_both_version_sets() {
    let t = tempfile::tempdir().unwrap();
    let pdir = t.path().join("paper");
    three_paper_boards(&pdir);
    let paper = paper_dataset(&pdir);
    let mut lines = Vec::new();
    for board in ["qemu-m33", "qemu-m4f", "qemu-rv32"] {
        lines.extend(ours_like_paper(board, EMBENCH_1_0, 1000.0));
        for b in EMBENCH_1_0 {
            lines.push(embench(board, "wasmi-old", b, 30000.0));
        }
        lines.push(footprint(
            board, "wasmi", 100_000.0, 10_000.0, 1_000.0, 20_000.0,
        ));
    }
    // qemu-m33 also in the paper's memory layout.
    let extra: Vec<String> = ours_like_paper("qemu-m33", EMBENCH_1_0, 1000.0)
        .iter()
        .map(|l| with_profile(l, "paper"))
        .collect();
    lines.extend(extra);
    let file = t.path().join("ours.jsonl");
    write_jsonl(&file, &lines);
    let records = record::load_files(std::slice::from_ref(&file)).unwrap();

    let out = t.path().join("page");
    let mut opts = ReproduceOptions::new(&out);
    let mut refs: Vec<(&str, PaperRef)> = PAPER_RUNTIMES
        .iter()
        .map(|r| (*r, PaperRef::current(r)))
        .collect();
    let current = VersionSet::from_refs(Versions::Current, &refs);
    refs[2] = ("wasmi-old", PaperRef::pinned("wasmi"));
    opts.sets = vec![current, VersionSet::from_refs(Versions::Pinned, &refs)];
    opts.inputs = vec![file];
    let r = reproduce::build(records, &paper, &opts).unwrap();

    let rows = &r.summary.rows;
    // 3 pairings × 2 sets, plus qemu-m33's paper profile with the current
    // set only (no wasmi-old records in that profile).
    let key = |o: &str, v: Versions, p: &str| {
        rows.iter()
            .any(|x| x.ours_board == o && x.versions == Some(v) && x.profile.as_deref() == Some(p))
    };
    for o in ["qemu-m33", "qemu-m4f", "qemu-rv32"] {
        assert!(key(o, Versions::Current, "default"), "{o} current");
        assert!(key(o, Versions::Pinned, "default"), "{o} pinned");
    }
    assert!(key("qemu-m33", Versions::Current, "paper"));
    assert!(!key("qemu-m33", Versions::Pinned, "paper"));
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|x| x.target_met == Some(true)), "{rows:?}");

    let md = std::fs::read_to_string(&r.index_md).unwrap();
    let html = std::fs::read_to_string(&r.index_html).unwrap();
    for (o, p) in [
        ("qemu-m33", "pico2w"),
        ("qemu-m4f", "nrf52840dk"),
        ("qemu-rv32", "esp32-c6"),
    ] {
        let row = format!("| {o} ↔ {p} | current | default |");
        assert!(md.contains(&row), "{row}\n{md}");
        let row = format!("| {o} ↔ {p} | pinned | default |");
        assert!(md.contains(&row), "{row}\n{md}");
        assert!(html.contains(&format!("{o} (here) ↔ {p} (paper)")));
        // Figures 1-4, ours beside the paper's.
        assert!(md.contains(&format!("(ours/embench-time-{o}.png)")), "{md}");
        assert!(
            md.contains(&format!("(paper/embench-time-{p}.png)")),
            "{md}"
        );
    }
    assert!(
        md.contains("| variant for `wasmi` | wasmi | wasmi-old |"),
        "{md}"
    );
    assert!(out.join("ours-paper/embench-time-qemu-m33.png").exists());
    common::assert_png_picture(&out.join("paper/embench-time-pico2w.png"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&r.agreement_json).unwrap()).unwrap();
    assert_eq!(json["schema"], "trevm-agreement/1");
    assert_eq!(json["rows"].as_array().unwrap().len(), 7);
    assert_eq!(json["rows"][0]["versions"], "current");
    assert_eq!(json["rows"][0]["ratio_error"], 1.0);
}

#[test]
fn a_board_without_suite_records_gets_the_how_to_message() {
    let t = tempfile::tempdir().unwrap();
    let pdir = t.path().join("paper");
    three_paper_boards(&pdir);
    let file = t.path().join("ours.jsonl");
    let mut lines = ours_like_paper("qemu-m33", EMBENCH_1_0, 1000.0);
    lines.push(footprint(
        "qemu-m4f", "wasmi", 100_000.0, 10_000.0, 1_000.0, 20_000.0,
    ));
    lines.push(record(
        "qemu-m4f",
        "wasmi",
        "own",
        "crc32",
        &[("interval", 5e6, "instructions")],
    ));
    lines.push(record(
        "qemu-m4f",
        "wamr",
        "own",
        "crc32",
        &[("interval", 7e6, "instructions")],
    ));
    write_jsonl(&file, &lines);
    let out = t.path().join("page");
    let o = cli(&[
        "reproduce",
        "--out",
        out.to_str().unwrap(),
        "--paper",
        pdir.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let md = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(md.contains(reproduce::SUITES_COMMAND), "{md}");
    assert!(md.contains("`make reproduce`"), "{md}");
    assert!(
        md.contains("`qemu-m4f`: no CoreMark or Embench records"),
        "{md}"
    );
    assert!(md.contains("`qemu-rv32`: no records at all"), "{md}");
    // What there is is still drawn.
    assert!(out.join("ours/own-time-qemu-m4f.png").exists());
    assert!(out.join("ours/footprint-qemu-m4f.png").exists());
    assert!(md.contains("(ours/own-time-qemu-m4f.png)"), "{md}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("agreement.json")).unwrap())
            .unwrap();
    let without: Vec<&str> = json["boards_without_suites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(without, ["qemu-m4f", "qemu-rv32"]);
    // qemu-m33 has everything and matches.
    assert!(md.contains("| qemu-m33 ↔ pico2w | current | default | 1.00 (1.00) | ×1.00 | 1.00 | 0 / 0 / 0 | yes |"), "{md}");
}

#[test]
fn cli_exits_2_on_a_malformed_file() {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("bad.jsonl");
    let good = embench("qemu-m33", "wasmi", "crc32", 10.0);
    write_jsonl(
        &file,
        &[good, "{\"schema\": \"trevm-bench/1\", oops".to_string()],
    );
    let out = t.path().join("page");
    let o = cli(&[
        "reproduce",
        "--out",
        out.to_str().unwrap(),
        "--paper",
        common::paper_dir().to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("{}:2:", file.display())),
        "{}",
        text(&o)
    );
    assert!(!out.join("index.html").exists());
}

#[test]
fn the_committed_paper_data_and_no_results_still_give_a_page() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("page");
    let o = cli(&[
        "reproduce",
        "--out",
        out.to_str().unwrap(),
        "--paper",
        common::paper_dir().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let md = std::fs::read_to_string(out.join("index.md")).unwrap();
    for o in ["qemu-m33", "qemu-m4f", "qemu-rv32"] {
        assert!(md.contains(&format!("No results for `{o}`")), "{md}");
    }
    assert!(out.join("paper/embench-time-pico2w.png").exists());
    assert!(out.join("index.html").exists());
    // An unknown reference is bad usage.
    let o = cli(&[
        "reproduce",
        "--out",
        out.to_str().unwrap(),
        "--reference",
        "nope",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
