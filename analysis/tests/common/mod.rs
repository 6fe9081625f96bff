//! Helpers shared by the integration tests (included with `mod common;`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The paper's raw results: `$TREVM_PAPER_DATA`, else the copy committed in
/// `results/paper/dcoss2026`. The tests fail (not skip) when it is absent.
pub fn paper_dir() -> PathBuf {
    let p = match std::env::var_os("TREVM_PAPER_DATA") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../results/paper/dcoss2026"),
    };
    assert!(
        p.join("pico2w").is_dir(),
        "the paper's raw results are not at {} (set TREVM_PAPER_DATA)",
        p.display()
    );
    p
}

/// Runs the CLI binary.
pub fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trevm-analysis"))
        .args(args)
        .env_remove("TREVM_PAPER_DATA")
        .output()
        .expect("run trevm-analysis")
}

/// Text of stdout + stderr.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// One `trevm-bench/1` line.
pub fn record(
    board: &str,
    runtime: &str,
    suite: &str,
    workload: &str,
    metrics: &[(&str, f64, &str)],
) -> String {
    let m: serde_json::Map<String, serde_json::Value> = metrics
        .iter()
        .map(|(n, v, u)| (n.to_string(), serde_json::json!({"value": v, "unit": u})))
        .collect();
    serde_json::json!({
        "schema": "trevm-bench/1", "board": board, "runtime": runtime, "suite": suite,
        "workload": workload, "status": "ok", "verified": true, "error": null,
        "metrics": m, "meta": {"tool": "test"}
    })
    .to_string()
}

/// A failed cell.
pub fn failed(board: &str, runtime: &str, suite: &str, workload: &str, kind: &str) -> String {
    serde_json::json!({
        "schema": "trevm-bench/1", "board": board, "runtime": runtime, "suite": suite,
        "workload": workload, "status": "failed", "verified": false,
        "error": {"kind": kind, "stage": "run", "message": "test failure"},
        "metrics": {}, "meta": {"tool": "test"}
    })
    .to_string()
}

/// A footprint record.
pub fn footprint(
    board: &str,
    runtime: &str,
    text: f64,
    rodata: f64,
    data: f64,
    bss: f64,
) -> String {
    record(
        board,
        runtime,
        "footprint",
        "firmware",
        &[
            ("text", text, "B"),
            ("rodata", rodata, "B"),
            ("data", data, "B"),
            ("bss", bss, "B"),
        ],
    )
}

/// Writes lines as a JSONL file.
pub fn write_jsonl(path: &Path, lines: &[String]) {
    let mut s = lines.join("\n");
    s.push('\n');
    std::fs::write(path, s).unwrap();
}

/// Checks a PNG: signature, size, and that it is a picture (many colours,
/// a good share of non-white pixels).
pub fn assert_png_picture(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.len() > 10_000,
        "{} is only {} bytes",
        path.display(),
        bytes.len()
    );
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("valid PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    assert!(
        info.width >= 600 && info.height >= 400,
        "{}x{}",
        info.width,
        info.height
    );
    let px = info.line_size / info.width as usize;
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(px).collect();
    let non_white = pixels.iter().filter(|p| p[..3] != [255, 255, 255]).count();
    let share = non_white as f64 / pixels.len() as f64;
    assert!(
        share > 0.03,
        "{}: only {:.1}% non-white",
        path.display(),
        share * 100.0
    );
    let colours: std::collections::BTreeSet<[u8; 3]> =
        pixels.iter().map(|p| [p[0], p[1], p[2]]).collect();
    assert!(
        colours.len() > 20,
        "{}: {} colours",
        path.display(),
        colours.len()
    );
}

/// Checks an SVG: well-formed enough and containing every `needle`.
pub fn assert_svg(path: &Path, needles: &[&str]) {
    let s = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        s.trim_start().starts_with("<svg"),
        "{} is not SVG",
        path.display()
    );
    assert!(
        s.trim_end().ends_with("</svg>"),
        "{} is truncated",
        path.display()
    );
    assert!(
        s.len() > 5_000,
        "{} is only {} bytes",
        path.display(),
        s.len()
    );
    assert!(
        s.matches("<rect").count() > 5,
        "{} has no bars",
        path.display()
    );
    for n in needles {
        assert!(s.contains(n), "{} lacks `{n}`", path.display());
    }
}

/// The same record line with `meta.profile` set (the firmware's memory
/// layout).
pub fn with_profile(line: &str, profile: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["meta"]["profile"] = serde_json::Value::String(profile.to_string());
    v.to_string()
}

/// Writes a paper board folder in the paper's raw format: one Embench file
/// per runtime (`bench, score, gsd, time ms, gsd`) and `coremark.txt`.
pub fn write_paper_board(
    root: &Path,
    board: &str,
    embench: &[(&str, Vec<(&str, f64)>)],
    coremark: &[(&str, f64)],
) {
    let dir = root.join(board);
    std::fs::create_dir_all(&dir).unwrap();
    for (rt, rows) in embench {
        let mut s = format!("# {board}\n");
        for (bench, ms) in rows {
            s.push_str(&format!("{bench}, 1.0, 1.0, {ms}, 1.0\n"));
        }
        std::fs::write(dir.join(format!("{rt}.txt")), s).unwrap();
    }
    if !coremark.is_empty() {
        let mut s = format!("# {board}\n");
        for (rt, score) in coremark {
            s.push_str(&format!("coremark, {score}, {rt}\n"));
        }
        std::fs::write(dir.join("coremark.txt"), s).unwrap();
    }
}
