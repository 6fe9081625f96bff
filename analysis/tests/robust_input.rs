//! Malformed and truncated results files are reported with file and line;
//! failed cells show as failed in tables and plots, never as zero.

mod common;

use common::{cli, failed, record, text, write_jsonl};

#[test]
fn truncated_file_is_reported_with_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("run.jsonl");
    let a = record(
        "host",
        "wasmi",
        "own",
        "sha256",
        &[("interval", 10.0, "ns")],
    );
    let b = record("host", "wasmi", "own", "fib", &[("interval", 10.0, "ns")]);
    std::fs::write(&p, format!("{a}\n{}", &b[..b.len() / 2])).unwrap();
    let out = t.path().join("r");
    let o = cli(&[
        "report",
        "--no-paper",
        "--out",
        out.to_str().unwrap(),
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let msg = text(&o);
    assert!(
        msg.contains(&format!("{}:2: truncated record", p.display())),
        "{msg}"
    );
    assert!(!out.join("index.html").exists());
}

#[test]
fn every_malformed_line_is_reported() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("bad.jsonl");
    let good = record(
        "host",
        "wasmi",
        "own",
        "sha256",
        &[("interval", 10.0, "ns")],
    );
    let lines = [
        good.clone(),
        "not json at all".to_string(),
        good.replace("trevm-bench/1", "trevm-bench/0"),
        good.replace("\"status\":\"ok\"", "\"status\":\"maybe\""),
        good.replace("\"runtime\":\"wasmi\",", ""),
    ];
    write_jsonl(&p, &lines);
    let o = cli(&["check", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let msg = text(&o);
    let f = p.display().to_string();
    assert!(msg.contains(&format!("{f}:2: malformed JSON")), "{msg}");
    assert!(msg.contains(&format!("{f}:3: unknown schema")), "{msg}");
    assert!(msg.contains(&format!("{f}:4: not a valid record")), "{msg}");
    assert!(
        msg.contains(&format!(
            "{f}:5: not a valid record: missing field `runtime`"
        )),
        "{msg}"
    );
    // empty file
    let e = t.path().join("empty.jsonl");
    std::fs::write(&e, "").unwrap();
    let o = cli(&["check", e.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("holds no record"));
}

#[test]
fn failed_cells_are_failed_not_zero_in_tables_and_plots() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("run.jsonl");
    let b = "qemu-m33";
    let mut lines = Vec::new();
    for (w, native, wasmi) in [("crc32", 1e6, 4e6), ("edn", 2e6, 6e6), ("st", 1e5, 8e5)] {
        lines.push(record(
            b,
            "native",
            "embench",
            w,
            &[("interval", native, "instructions")],
        ));
        lines.push(record(
            b,
            "wasmi",
            "embench",
            w,
            &[
                ("interval", wasmi, "instructions"),
                ("peak_heap", 150_000.0, "B"),
                ("data", 200.0, "B"),
                ("bss", 5000.0, "B"),
                ("linear_memory", 131072.0, "B"),
            ],
        ));
    }
    lines.push(record(
        b,
        "wamr",
        "embench",
        "crc32",
        &[
            ("interval", 9e6, "instructions"),
            ("peak_heap", 140_000.0, "B"),
            ("data", 200.0, "B"),
            ("bss", 5000.0, "B"),
        ],
    ));
    lines.push(failed(b, "wamr", "embench", "edn", "out-of-memory"));
    lines.push(failed(b, "wamr", "embench", "st", "trap"));
    // an earlier record superseded by a later one with the same key
    lines.insert(0, failed(b, "wasmi", "embench", "crc32", "trap"));
    lines.push(common::footprint(b, "none", 1244.0, 0.0, 0.0, 1024.0));
    lines.push(common::footprint(
        b, "wasmi", 435_868.0, 27_884.0, 200.0, 5000.0,
    ));
    lines.push(failed(b, "wamr", "footprint", "firmware", "build"));
    write_jsonl(&p, &lines);
    let out = t.path().join("r");
    let o = cli(&[
        "report",
        "--no-paper",
        "--out",
        out.to_str().unwrap(),
        p.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let ours = out.join("ours");

    let md = std::fs::read_to_string(ours.join("embench-time-qemu-m33.md")).unwrap();
    assert!(
        md.contains("| edn | 2000000 | 6000000 | **FAILED (out-of-memory)** |"),
        "{md}"
    );
    assert!(
        md.contains("| st | 100000 | 800000 | **FAILED (trap)** |"),
        "{md}"
    );
    // the superseded failure of wasmi/crc32 is gone: last record wins
    assert!(
        md.contains("| crc32 | 1000000 | 4000000 | 9000000 |"),
        "{md}"
    );
    let csv = std::fs::read_to_string(ours.join("embench-time-qemu-m33.csv")).unwrap();
    assert!(
        csv.contains("edn,2000000,6000000,FAILED:out-of-memory"),
        "{csv}"
    );
    assert!(!csv.contains(",0\n") && !csv.contains(",0,"), "{csv}");

    // plots: a red cross and a `failed` legend entry; no bar for the failed cells
    let svg = std::fs::read_to_string(ours.join("embench-time-qemu-m33.svg")).unwrap();
    assert!(svg.contains("failed (no value)"), "legend lacks failed");
    assert!(svg.to_ascii_uppercase().contains("#D62728"), "no red cross");
    common::assert_png_picture(&ours.join("embench-time-qemu-m33.png"));

    // RAM: failed cells failed, the linear memory marked
    let ram = std::fs::read_to_string(ours.join("peak-ram-embench-qemu-m33.csv")).unwrap();
    assert!(
        ram.contains("edn,155200,FAILED:out-of-memory,131072"),
        "{ram}"
    );
    common::assert_svg(
        &ours.join("peak-ram-embench-qemu-m33.svg"),
        &["linear memory size", "failed (no value)", "[KiB]"],
    );

    // footprint: failed build shown failed, runtime share computed against `none`
    let fp = std::fs::read_to_string(ours.join("footprint-qemu-m33.md")).unwrap();
    assert!(fp.contains("| wamr | **FAILED (build)** |"), "{fp}");
    assert!(
        fp.contains("| wasmi | 435868 | 27884 | 200 | 5000 | 463952 | 5200 | 462708 |"),
        "{fp}"
    );
    common::assert_svg(
        &ours.join("footprint-qemu-m33.svg"),
        &["failed (no value)", "own share"],
    );

    // overhead versus native: wasmi 4, 3, 8 -> geomean (96)^(1/3)
    let oh = std::fs::read_to_string(ours.join("overhead-embench-qemu-m33.csv")).unwrap();
    let gm = 96f64.powf(1.0 / 3.0);
    let wasmi_line = oh.lines().find(|l| l.starts_with("wasmi,")).unwrap();
    let fields: Vec<&str> = wasmi_line.split(',').collect();
    assert_eq!(fields[1], "3");
    assert!(
        (fields[2].parse::<f64>().unwrap() - gm).abs() < 1e-9,
        "{oh}"
    );
    let wamr_line = oh.lines().find(|l| l.starts_with("wamr,")).unwrap();
    assert!(wamr_line.contains("edn st"), "{oh}");

    // Table II has no data yet and says so
    let t2 = std::fs::read_to_string(ours.join("table2-capsules.md")).unwrap();
    assert!(
        t2.contains("_no data_") && t2.contains("no capsule records yet"),
        "{t2}"
    );
}
