//! The OS axis: a board's bare-metal records (old files without
//! `meta.os`) and its Ariel OS records (`meta.os` = `ariel-os`) are
//! different cells everywhere: in the data set, in the gate, in
//! size-check (`<board>-ariel-os-size.jsonl`) and in Figure 5.

mod common;

use common::{cli, footprint, text, write_jsonl};
use std::path::Path;
use trevm_analysis::compare::{self, GateOptions, Verdict};
use trevm_analysis::dataset::Dataset;
use trevm_analysis::figures;
use trevm_analysis::record::parse_jsonl;
use trevm_analysis::report::{self, ReportOptions};
use trevm_analysis::tables::TableCell;
use trevm_analysis::views;
use trevm_catalog::os::ARIEL_OS;

/// A footprint line as `footprint` writes it, with `meta.os` set.
fn on_os(line: String, os: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&line).unwrap();
    v["meta"]["os"] = serde_json::Value::from(os);
    v.to_string()
}

/// An Ariel OS footprint line (flash = text + 1000 + 100).
fn ariel(board: &str, rt: &str, text: f64) -> String {
    on_os(
        footprint(board, rt, text, 1_000.0, 100.0, 500.0),
        ARIEL_OS.name,
    )
}

/// A footprint line without `meta.os`, as files from before the OS axis.
fn bare(board: &str, rt: &str, text: f64) -> String {
    footprint(board, rt, text, 1_000.0, 100.0, 500.0)
}

/// A data set from JSON lines (through the reader, as files are read).
fn dataset(lines: &[String]) -> Dataset {
    let (records, errors) = parse_jsonl(&(lines.join("\n") + "\n"), Path::new("t.jsonl"));
    assert!(errors.is_empty(), "{errors:?}");
    Dataset::from_records(records)
}

#[test]
fn the_same_cell_on_two_oses_does_not_collide() {
    let ds = dataset(&[
        bare("nrf52840dk", "wasmi", 100_000.0),
        ariel("nrf52840dk", "wasmi", 120_000.0),
    ]);
    assert_eq!(ds.len(), 2);
    assert_eq!(ds.superseded, 0);
    assert_eq!(ds.boards(), ["nrf52840dk", "nrf52840dk-ariel-os"]);
    let text = |b: &str| {
        ds.value(b, "wasmi", "footprint", "firmware", "text")
            .number()
    };
    assert_eq!(text("nrf52840dk"), Some(100_000.0));
    assert_eq!(text("nrf52840dk-ariel-os"), Some(120_000.0));
    let oses: Vec<&str> = ds.iter().map(|(k, _)| k.os.as_str()).collect();
    assert_eq!(oses, ["ariel-os", "bare"]);
    // A later record of one OS replaces only that OS's cell.
    let ds = dataset(&[
        bare("nrf52840dk", "wasmi", 100_000.0),
        ariel("nrf52840dk", "wasmi", 120_000.0),
        ariel("nrf52840dk", "wasmi", 121_000.0),
    ]);
    assert_eq!((ds.len(), ds.superseded), (2, 1));
    assert_eq!(
        ds.value("nrf52840dk", "wasmi", "footprint", "firmware", "text")
            .number(),
        Some(100_000.0)
    );
    // Each OS keeps its name in the filter.
    let only = ds.filter_boards(&["nrf52840dk-ariel-os".to_string()]);
    assert_eq!(only.len(), 1);
    assert_eq!(only.boards(), ["nrf52840dk-ariel-os"]);
}

#[test]
fn the_gate_compares_each_os_with_its_own_baseline() {
    let base = dataset(&[
        bare("nrf52840dk", "wasmi", 98_900.0),
        ariel("nrf52840dk", "wasmi", 98_900.0),
    ]);
    // Ariel OS grows by 2 %, bare metal does not change.
    let cur = dataset(&[
        bare("nrf52840dk", "wasmi", 98_900.0),
        ariel("nrf52840dk", "wasmi", 100_900.0),
    ]);
    let r = compare::compare(&base, &cur, &GateOptions::default()).unwrap();
    let reg = r.regressions();
    assert_eq!(reg.len(), 1, "{}", r.render(true));
    assert_eq!(reg[0].key.os, "ariel-os");
    assert_eq!(reg[0].verdict, Verdict::Regressed);
    // No cell is added or removed: the OSes are matched, not swapped.
    assert!(r
        .changes
        .iter()
        .all(|c| !matches!(c.verdict, Verdict::Added | Verdict::Removed)));
    let out = r.render(false);
    assert!(
        out.contains(
            "gate: FAIL — 1 regression(s) (threshold 1%): nrf52840dk-ariel-os/wasmi flash"
        ),
        "{out}"
    );
    // The size gate of each platform sees its own cells only.
    let o = GateOptions::default();
    assert!(!compare::size_gate(&base, &cur, "nrf52840dk-ariel-os", &o)
        .unwrap()
        .passed());
    assert!(compare::size_gate(&base, &cur, "nrf52840dk", &o)
        .unwrap()
        .passed());
}

#[test]
fn size_file_names_carry_the_os() {
    let t = tempfile::tempdir().unwrap();
    for f in [
        "nrf52840dk-size.jsonl",
        "nrf52840dk-ariel-os-size.jsonl",
        "qemu-m33-size.jsonl",
        "notes.txt",
    ] {
        std::fs::write(t.path().join(f), "").unwrap();
    }
    assert_eq!(
        compare::size_files(t.path()).unwrap(),
        ["qemu-m33", "nrf52840dk", "nrf52840dk-ariel-os"]
    );
    let dir = Path::new("results/baseline");
    assert_eq!(
        compare::baseline_path(dir, "nrf52840dk-ariel-os"),
        dir.join("nrf52840dk-ariel-os-size.jsonl")
    );
    let msg = compare::missing_baseline_message(dir, "nrf52840dk-ariel-os");
    assert!(
        msg.contains(
            "make size BOARD=nrf52840dk OS=ariel-os OUT=results/baseline/nrf52840dk-ariel-os-size.jsonl"
        ),
        "{msg}"
    );
    let msg = compare::missing_baseline_message(dir, "nrf52840dk");
    assert!(
        msg.contains("make size BOARD=nrf52840dk OUT=results/baseline/nrf52840dk-size.jsonl"),
        "{msg}"
    );
    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        compare::size_files(empty.path()),
        Err(compare::SizeFilesError::None { .. })
    ));
}

#[test]
fn size_check_pairs_the_ariel_os_file_with_its_baseline() {
    let t = tempfile::tempdir().unwrap();
    let bdir = t.path().join("baseline");
    let cdir = t.path().join("current");
    std::fs::create_dir_all(&bdir).unwrap();
    std::fs::create_dir_all(&cdir).unwrap();
    // The bare-metal baseline: an old file, no `meta.os`.
    let bare_lines = [
        bare("nrf52840dk", "none", 2_000.0),
        bare("nrf52840dk", "wasmi", 98_900.0),
    ];
    write_jsonl(&bdir.join("nrf52840dk-size.jsonl"), &bare_lines);
    write_jsonl(&cdir.join("nrf52840dk-size.jsonl"), &bare_lines);
    // The Ariel OS files also hold a stray bare-metal record that grew:
    // only the Ariel OS cells of the board count for them.
    write_jsonl(
        &bdir.join("nrf52840dk-ariel-os-size.jsonl"),
        &[
            ariel("nrf52840dk", "none", 20_000.0),
            ariel("nrf52840dk", "wasmi", 98_900.0),
            bare("nrf52840dk", "wamr", 50_000.0),
        ],
    );
    let ariel_current = |wasmi: f64| {
        write_jsonl(
            &cdir.join("nrf52840dk-ariel-os-size.jsonl"),
            &[
                ariel("nrf52840dk", "none", 20_000.0),
                ariel("nrf52840dk", "wasmi", wasmi),
                bare("nrf52840dk", "wamr", 90_000.0),
            ],
        );
    };
    let (b, c) = (bdir.to_str().unwrap(), cdir.to_str().unwrap());
    let run = |extra: &[&str]| {
        let mut args = vec!["size-check", "--baseline-dir", b, "--current-dir", c];
        args.extend(extra);
        cli(&args)
    };

    // Same sizes: both files pass (the stray bare record is not compared).
    ariel_current(98_900.0);
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("== nrf52840dk\n"), "{out}");
    assert!(out.contains("== nrf52840dk-ariel-os\n"), "{out}");
    assert!(out.contains("size-check: 2 board(s)"), "{out}");

    // Ariel OS grows by 2 %: a regression of that OS only.
    ariel_current(100_900.0);
    let o = run(&[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("regressions: nrf52840dk-ariel-os;"), "{out}");
    assert!(out.contains("nrf52840dk-ariel-os/wasmi flash"), "{out}");
    assert!(!out.contains("/wamr"), "{out}");

    // `--board` takes `<board>` (bare metal) or `<board>-ariel-os`.
    let o = run(&["--board", "nrf52840dk"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&["--board", "nrf52840dk-ariel-os"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));

    // No Ariel OS baseline for the Pico 2 W: the command that makes one.
    write_jsonl(
        &cdir.join("rpi-pico2-w-ariel-os-size.jsonl"),
        &[ariel("rpi-pico2-w", "wasmi", 1.0)],
    );
    let o = run(&["--board", "rpi-pico2-w-ariel-os"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    assert!(
        out.contains("no committed size baseline for board `rpi-pico2-w-ariel-os`"),
        "{out}"
    );
    assert!(
        out.contains("make size BOARD=rpi-pico2-w OS=ariel-os OUT="),
        "{out}"
    );
}

/// Ours: the nRF52840 DK bare metal (old records) and on Ariel OS, each
/// with its own `none` build; the paper's builds of its nRF52840 DK.
fn figure5_data() -> (Dataset, Dataset) {
    let ours = dataset(&[
        bare("nrf52840dk", "none", 10_000.0),
        bare("nrf52840dk", "wasmi", 110_000.0),
        bare("nrf52840dk", "wamr", 60_000.0),
        ariel("nrf52840dk", "none", 30_000.0),
        ariel("nrf52840dk", "wasmi", 135_000.0),
    ]);
    let paper = dataset(&[footprint(
        "nrf52840dk",
        "wasmi",
        140_000.0,
        1_000.0,
        100.0,
        0.0,
    )]);
    (ours, paper)
}

#[test]
fn figure5_shows_each_os_with_its_own_baseline_beside_the_paper() {
    let (ours, paper) = figure5_data();
    let c = views::footprint_comparison(&ours, "nrf52840dk", Some((&paper, "nrf52840dk")))
        .expect("footprint data");
    let labels: Vec<&str> = c.columns.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["bare", "ariel-os", "paper"]);
    assert_eq!(c.our_oses(), ["bare", "ariel-os"]);
    assert_eq!(c.runtimes, ["wasmi", "wamr"]);
    // Runtime share: minus the `none` build of the same OS.
    let share = |i: usize| c.columns[i].view.share("wasmi").map(|s| s.text.number());
    assert_eq!(share(0), Some(Some(100_000.0)));
    assert_eq!(share(1), Some(Some(105_000.0)));
    assert_eq!(share(2), None, "the paper has no `none` build");

    let chart = figures::footprint_comparison_chart(&c, "this project");
    assert_eq!(
        chart.panels[0].categories,
        [
            "wasmi · bare",
            "wasmi · ariel-os",
            "wasmi · paper",
            "wamr · bare"
        ]
    );
    assert!(chart.title.contains("bare, ariel-os"), "{}", chart.title);

    let t = trevm_analysis::tables::footprint_comparison_table(&c, "fp");
    let rows: Vec<(String, String)> = t
        .rows
        .iter()
        .map(|r| match (&r[0], &r[1]) {
            (TableCell::Text(a), TableCell::Text(b)) => (a.clone(), b.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    let row = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        rows,
        [
            row("bare", "none (no runtime)"),
            row("ariel-os", "none (no runtime)"),
            row("bare", "wasmi"),
            row("ariel-os", "wasmi"),
            row("paper", "wasmi"),
            row("bare", "wamr"),
        ]
    );
    // The last column is the runtime share of flash.
    let last = |i: usize| t.rows[i].last().cloned();
    assert_eq!(last(3), Some(TableCell::Num(105_000.0)));
}

#[test]
fn the_report_draws_figure5_per_os_beside_the_paper() {
    let (ours, paper) = figure5_data();
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("report");
    report::build_report(&ours, Some(&paper), &ReportOptions::new(&out)).unwrap();
    // Each OS its own Figure 5 ...
    let bare_csv = std::fs::read_to_string(out.join("ours/footprint-nrf52840dk.csv")).unwrap();
    let ariel_csv =
        std::fs::read_to_string(out.join("ours/footprint-nrf52840dk-ariel-os.csv")).unwrap();
    assert!(bare_csv.contains("wasmi,110000,"), "{bare_csv}");
    assert!(ariel_csv.contains("wasmi,135000,"), "{ariel_csv}");
    // ... both side by side in ours ...
    let per_os = std::fs::read_to_string(out.join("ours/footprint-nrf52840dk-per-os.csv")).unwrap();
    assert!(per_os.contains("bare,wasmi,110000,"), "{per_os}");
    assert!(per_os.contains("ariel-os,wasmi,135000,"), "{per_os}");
    // ... and beside the paper's (both of our OSes paired with its board).
    let sbs = out.join("side-by-side");
    let fp = std::fs::read_to_string(sbs.join("footprint-nrf52840dk-vs-nrf52840dk.csv")).unwrap();
    for line in [
        "bare,wasmi,110000,",
        "ariel-os,wasmi,135000,",
        "paper,wasmi,140000,",
    ] {
        assert!(fp.contains(line), "{line}: {fp}");
    }
    common::assert_svg(
        &sbs.join("footprint-nrf52840dk-vs-nrf52840dk.svg"),
        &["wasmi · ariel-os", "wasmi · bare", "wasmi · paper"],
    );
    common::assert_png_picture(&sbs.join("footprint-nrf52840dk-vs-nrf52840dk.png"));
    assert!(sbs
        .join("summary-nrf52840dk-ariel-os-vs-nrf52840dk.md")
        .is_file());
    assert!(sbs.join("summary-nrf52840dk-vs-nrf52840dk.md").is_file());
    let index = std::fs::read_to_string(out.join("index.md")).unwrap();
    assert!(
        index.contains(
            "nrf52840dk: flash footprint per OS (bare, ariel-os) beside the paper's nrf52840dk"
        ),
        "{index}"
    );
}
