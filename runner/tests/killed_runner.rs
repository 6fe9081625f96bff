//! Results survive a killed runner: `trevm bench` on the host is killed
//! (SIGKILL) at several points of a run, then run to its end. The results
//! file stays readable after every kill (at most the line being written is
//! torn, and readers report it by its line and skip it), and the resumed
//! run completes the matrix with every cell `ok` exactly once.
//!
//! The same kill on an emulated board leaves no QEMU running: the cell's
//! QEMU dies with the runner.
//!
//! Needs the host programs, the `own` modules and the `qemu-m4f` `wasmi`
//! firmware (`make host-programs workloads smoke-firmware`, which `make
//! test` does first); nothing is built here.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use trevm_catalog::results::parse_jsonl;

fn bench(out: &std::path::Path) -> Command {
    bench_on("host", "native,wasmi,wamr", "20", out)
}

fn bench_on(board: &str, runtimes: &str, repeat: &str, out: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trevm"));
    c.args([
        "bench",
        "--board",
        board,
        "--runtime",
        runtimes,
        "--repeat",
        repeat,
        "--jobs",
        "2",
        "--no-build",
        "--out",
    ])
    .arg(out)
    .stdout(Stdio::null())
    .stderr(Stdio::null());
    c
}

/// The QEMUs a runner of process id `runner` started: their GDB socket
/// is named after it (`trevm-<pid>-<n>.gdb`).
fn qemus_of(runner: u32) -> Vec<u32> {
    let marker = format!("trevm-{runner}-");
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| {
                let c = String::from_utf8_lossy(&c);
                c.starts_with("qemu-system") && c.contains(&marker)
            })
        })
        .collect()
}

#[test]
fn a_killed_run_on_qemu_leaves_no_qemu_running() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("qemu-m4f.jsonl");
    let mut child = bench_on("qemu-m4f", "wasmi", "1", &out)
        .spawn()
        .expect("trevm runs");
    let runner = child.id();
    // Kill it while a cell's QEMU runs.
    let mut seen = Vec::new();
    for _ in 0..200 {
        seen = qemus_of(runner);
        if !seen.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(
        !seen.is_empty(),
        "no QEMU started within 5 s: is the qemu-m4f wasmi firmware built (`make smoke-firmware`)?"
    );
    child.kill().unwrap();
    let _ = child.wait();
    let mut left = qemus_of(runner);
    for _ in 0..40 {
        if left.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        left = qemus_of(runner);
    }
    assert!(
        left.is_empty(),
        "QEMU still running after its runner was killed: {left:?}"
    );
}

#[test]
fn a_killed_run_loses_nothing_finished_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("host.jsonl");
    // Kill points after the runner's start-up (some 200 ms here), each run
    // going a little further than the one before; 20 samples a cell make
    // the run long enough (some 3 s) for most kills to land in it.
    let mut mid_run = 0;
    for ms in [250u64, 300, 350, 400, 450, 500, 550] {
        let mut child = bench(&out).spawn().expect("trevm runs");
        std::thread::sleep(Duration::from_millis(ms));
        // SIGKILL: no chance to clean up.
        child.kill().unwrap();
        let _ = child.wait();
        if let Ok(text) = std::fs::read_to_string(&out) {
            let (records, errors) = parse_jsonl(&text, &out);
            let ok = records.iter().filter(|r| r.record.is_ok()).count();
            eprintln!(
                "killed at {ms} ms: {ok} cell(s) ok so far, {} torn line(s)",
                errors.len()
            );
            if ok < 30 {
                mid_run += 1;
            }
            for e in &errors {
                assert!(
                    e.message.starts_with("truncated record") && e.line.is_some(),
                    "after a kill at {ms} ms: {e}"
                );
            }
        }
    }
    assert!(
        mid_run >= 3,
        "only {mid_run} kill(s) landed before the end of the run"
    );
    let st = bench(&out).status().unwrap();
    assert!(st.success(), "the resumed run: {st}");
    let text = std::fs::read_to_string(&out).unwrap();
    let (records, errors) = parse_jsonl(&text, &out);
    assert!(
        errors
            .iter()
            .all(|e| e.message.starts_with("truncated record")),
        "{errors:?}"
    );
    let mut ok: HashMap<(String, String), usize> = HashMap::new();
    for r in &records {
        let r = &r.record;
        assert!(r.is_ok(), "{} {}: {:?}", r.runtime, r.workload, r.error);
        *ok.entry((r.runtime.clone(), r.workload.clone()))
            .or_default() += 1;
    }
    assert_eq!(ok.len(), 30, "3 variants × 10 own workloads: {ok:?}");
    assert!(
        ok.values().all(|n| *n == 1),
        "a cell recorded twice: {ok:?}"
    );
}
