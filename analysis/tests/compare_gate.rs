//! The regression gate through the CLI: synthetic +2 % flash growth fails,
//! +0.5 % passes; bad input and missing baselines exit 2.

mod common;

use common::{cli, footprint, record, text, write_jsonl};
use std::path::Path;

/// Baseline: flash = text + rodata + data = 100 000 B for wasmi.
fn baseline(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("base.jsonl");
    write_jsonl(
        &p,
        &[
            footprint("qemu-m33", "none", 1244.0, 0.0, 0.0, 1024.0),
            footprint("qemu-m33", "wasmi", 88_900.0, 11_000.0, 100.0, 4_000.0),
            footprint("qemu-m33", "wamr", 59_628.0, 9_056.0, 200.0, 4_000.0),
            record(
                "qemu-m33",
                "wasmi",
                "embench",
                "crc32",
                &[
                    ("interval", 1_000_000.0, "instructions"),
                    ("peak_heap", 150_000.0, "B"),
                ],
            ),
        ],
    );
    p
}

fn current(dir: &Path, name: &str, wasmi_text: f64, heap: f64, instr: f64) -> std::path::PathBuf {
    let p = dir.join(name);
    write_jsonl(
        &p,
        &[
            footprint("qemu-m33", "none", 1244.0, 0.0, 0.0, 1024.0),
            footprint("qemu-m33", "wasmi", wasmi_text, 11_000.0, 100.0, 4_000.0),
            footprint("qemu-m33", "wamr", 59_628.0, 9_056.0, 200.0, 4_000.0),
            record(
                "qemu-m33",
                "wasmi",
                "embench",
                "crc32",
                &[
                    ("interval", instr, "instructions"),
                    ("peak_heap", heap, "B"),
                ],
            ),
        ],
    );
    p
}

fn compare(base: &Path, cur: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "compare",
        "--baseline",
        base.to_str().unwrap(),
        "--current",
        cur.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    cli(&args)
}

#[test]
fn two_percent_flash_growth_fails_half_percent_passes() {
    let t = tempfile::tempdir().unwrap();
    let base = baseline(t.path());
    // +2 %: flash 100 000 -> 102 000
    let plus2 = current(t.path(), "plus2.jsonl", 90_900.0, 150_000.0, 1e6);
    let o = compare(&base, &plus2, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("REGRESSED"), "{out}");
    assert!(out.contains("+2000 (+2.00%)"), "{out}");
    assert!(out.contains("gate: FAIL"), "{out}");
    // +0.5 %: flash 100 000 -> 100 500
    let plus_half = current(t.path(), "plushalf.jsonl", 89_400.0, 150_000.0, 1e6);
    let o = compare(&base, &plus_half, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("grew") && out.contains("(+0.50%)"), "{out}");
    assert!(out.contains("gate: PASS"), "{out}");
    // ... but not with a 0.25 % threshold
    let o = compare(&base, &plus_half, &["--threshold", "0.25"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn peak_heap_and_instructions() {
    let t = tempfile::tempdir().unwrap();
    let base = baseline(t.path());
    let heap = current(t.path(), "heap.jsonl", 88_900.0, 153_000.0, 1e6);
    let o = compare(&base, &heap, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("peak heap"));
    // instruction counts are gated only when asked
    let slow = current(t.path(), "slow.jsonl", 88_900.0, 150_000.0, 1.05e6);
    assert_eq!(compare(&base, &slow, &[]).status.code(), Some(0));
    let o = compare(&base, &slow, &["--instructions"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("instructions"));
}

#[test]
fn a_cell_that_now_fails_is_a_regression() {
    let t = tempfile::tempdir().unwrap();
    let base = baseline(t.path());
    let p = t.path().join("broken.jsonl");
    write_jsonl(
        &p,
        &[
            footprint("qemu-m33", "none", 1244.0, 0.0, 0.0, 1024.0),
            common::failed("qemu-m33", "wasmi", "footprint", "firmware", "build"),
            footprint("qemu-m33", "wamr", 59_628.0, 9_056.0, 200.0, 4_000.0),
        ],
    );
    let o = compare(&base, &p, &[]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("NOW FAILED") && out.contains("removed"),
        "{out}"
    );
}

#[test]
fn bad_input_exits_2_with_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let base = baseline(t.path());
    let bad = t.path().join("bad.jsonl");
    let good = footprint("qemu-m33", "wasmi", 1.0, 1.0, 1.0, 1.0);
    std::fs::write(
        &bad,
        format!("{good}\n{{\"schema\": \"trevm-bench/1\", oops}}\n"),
    )
    .unwrap();
    let o = compare(&base, &bad, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("bad.jsonl:2: malformed JSON"),
        "{}",
        text(&o)
    );
    // files with nothing in common
    let other = t.path().join("other.jsonl");
    write_jsonl(
        &other,
        &[footprint("qemu-rv32", "wasmi", 1.0, 1.0, 1.0, 1.0)],
    );
    let o = compare(&base, &other, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("nothing to compare"));
}

#[test]
fn size_check_per_board_and_missing_baseline() {
    let t = tempfile::tempdir().unwrap();
    let bdir = t.path().join("baseline");
    let cdir = t.path().join("current");
    std::fs::create_dir_all(&bdir).unwrap();
    std::fs::create_dir_all(&cdir).unwrap();
    write_jsonl(
        &bdir.join("qemu-m33-size.jsonl"),
        &[footprint(
            "qemu-m33", "wasmi", 88_900.0, 11_000.0, 100.0, 4_000.0,
        )],
    );
    write_jsonl(
        &cdir.join("qemu-m33-size.jsonl"),
        &[footprint(
            "qemu-m33", "wasmi", 89_400.0, 11_000.0, 100.0, 4_000.0,
        )],
    );
    let (b, c) = (bdir.to_str().unwrap(), cdir.to_str().unwrap());
    let o = cli(&["size-check", "--baseline-dir", b, "--current-dir", c]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // growth past the threshold
    write_jsonl(
        &cdir.join("qemu-m33-size.jsonl"),
        &[footprint(
            "qemu-m33", "wasmi", 90_900.0, 11_000.0, 100.0, 4_000.0,
        )],
    );
    let o = cli(&["size-check", "--baseline-dir", b, "--current-dir", c]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    // a board without committed baseline: clear message, exit 2 unless allowed
    write_jsonl(
        &cdir.join("qemu-rv32-size.jsonl"),
        &[footprint("qemu-rv32", "wasmi", 1.0, 1.0, 1.0, 1.0)],
    );
    let o = cli(&[
        "size-check",
        "--baseline-dir",
        b,
        "--current-dir",
        c,
        "--board",
        "qemu-rv32",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let out = text(&o);
    assert!(
        out.contains("no committed size baseline for board `qemu-rv32`"),
        "{out}"
    );
    assert!(out.contains("make size BOARD=qemu-rv32 OUT="), "{out}");
    let o = cli(&[
        "size-check",
        "--baseline-dir",
        b,
        "--current-dir",
        c,
        "--board",
        "qemu-rv32",
        "--allow-missing-baseline",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("warning: no committed size baseline"));
}
