//! The emulated boards end to end, through the RTT path the real boards
//! share: on each of `qemu-m33`, `qemu-m4f` and `qemu-rv32`, four runtime
//! variants run two `own` workloads (ok and verified, time in
//! instructions), two of them twice to show that instruction counts and
//! peaks repeat exactly, and bad modules become failed cells with their
//! reason while the board keeps working.
//!
//! Needs the smoke firmwares and the host programs built (`make
//! smoke-firmware host-programs`, which `make test` does first) and the
//! `own` modules (`make workloads`).

use std::time::Duration;

use trevm_catalog::record::Record;
use trevm_catalog::suite::TEST;
use trevm_catalog::Kind;
use trevm_protocol::slot::SlotAbi;
use trevm_runner::backend::qemu::QemuBackend;
use trevm_runner::backend::Backend;
use trevm_runner::prepare::Preparer;
use trevm_runner::suite::{own, Workload};

/// The variants the smoke firmwares serve (`wamr` serves two).
pub const SMOKE: &[&str] = &["wasmi", "wamr", "wamr-fast", "native"];
/// The variants run twice.
const TWICE: &[&str] = &["wasmi", "wamr"];
/// What must repeat exactly under icount.
const EXACT: &[&str] = &[
    "interval",
    "load",
    "peak_heap",
    "peak_heap_requested",
    "peak_stack",
];
const BUDGET: Duration = Duration::from_secs(60);

fn module(name: &str, wat: &str) -> (tempfile::TempDir, Workload) {
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join(format!("{name}.wasm"));
    std::fs::write(&wasm, wat::parse_str(wat).unwrap()).unwrap();
    let w = Workload {
        suite: TEST.into(),
        name: name.into(),
        abi: SlotAbi::Embench,
        wasm,
    };
    (dir, w)
}

fn kind(r: &Record) -> Option<Kind> {
    r.error.as_ref().map(|e| e.kind)
}

fn backend(board_name: &str) -> QemuBackend {
    let board = trevm_catalog::board::find(board_name).unwrap();
    QemuBackend::existing(
        board,
        &trevm_catalog::profile::DEFAULT,
        Preparer::existing(),
    )
    .unwrap()
}

fn value(r: &Record, metric: &str) -> f64 {
    r.metrics
        .get(metric)
        .unwrap_or_else(|| {
            panic!(
                "{} {}: no `{metric}` in {:?}",
                r.runtime, r.workload, r.metrics
            )
        })
        .value
}

fn smoke(board_name: &str) {
    let q = backend(board_name);
    for label in SMOKE {
        assert!(
            q.firmware(label).is_some(),
            "no `{label}` firmware for {board_name}: run `make smoke-firmware` (built: {:?})",
            q.labels()
        );
    }
    for label in SMOKE {
        for name in ["crc32", "matmul"] {
            let w = own(name);
            let r = q.run_cell(label, &w, BUDGET);
            assert!(
                r.is_ok() && r.verified,
                "{board_name} {label} {name}: {:?}",
                r.error
            );
            assert_eq!(r.board, board_name);
            assert!(r.meta.emulated);
            assert_eq!(r.meta.clock_unit, "instructions", "{r:?}");
            assert!(value(&r, "interval") > 10_000.0, "{r:?}");
            assert!(value(&r, "text") > 1000.0, "{r:?}");
            assert!(value(&r, "peak_stack") > 0.0, "{r:?}");
            if *label != "native" {
                assert!(value(&r, "peak_heap") > 0.0, "{r:?}");
                // The paper's accounting: requests before rounding.
                assert!(value(&r, "peak_heap_requested") > 0.0, "{r:?}");
            }
            assert_eq!(r.meta.extra["profile"], "default", "{r:?}");
            assert_eq!(r.meta.extra["stack_bytes"], 65536, "{r:?}");
            if TWICE.contains(label) {
                let again = q.run_cell(label, &w, BUDGET);
                for m in EXACT {
                    assert_eq!(
                        value(&r, m),
                        value(&again, m),
                        "{board_name} {label} {name}: `{m}` differs between two runs"
                    );
                }
            }
        }
    }
}

/// Bad modules on one runtime: each is a failed cell with its reason, and
/// the next cell runs as before.
fn bad_input(board_name: &str) {
    let q = backend(board_name);
    let (_d, trap) = module(
        "trap",
        r#"(module (import "env" "start_trigger" (func $s))
             (func (export "__original_main") (result i32) call $s unreachable))"#,
    );
    let r = q.run_cell("wasmi", &trap, BUDGET);
    assert_eq!(kind(&r), Some(Kind::Trap), "{board_name}: {:?}", r.error);

    let (_d, malformed) = module("malformed", "(module)");
    std::fs::write(&malformed.wasm, b"\0asm\x01\0\0\0\x01\xff\xff garbage").unwrap();
    let r = q.run_cell("wasmi", &malformed, BUDGET);
    assert_eq!(
        kind(&r),
        Some(Kind::Malformed),
        "{board_name}: {:?}",
        r.error
    );
    // An empty module (nothing to load) fails on every runtime build.
    std::fs::write(&malformed.wasm, b"").unwrap();
    for label in ["wasmi", "wamr"] {
        let r = q.run_cell(label, &malformed, BUDGET);
        assert!(
            !r.is_ok(),
            "{board_name} {label}: an empty module passed: {r:?}"
        );
    }

    // Past the embedded linear-memory budget (4 pages).
    let (_d, grow) = module(
        "grow",
        r#"(module (import "env" "start_trigger" (func $s)) (memory 1)
             (func (export "__original_main") (result i32) call $s
               (if (i32.eq (memory.grow (i32.const 64)) (i32.const -1)) (then unreachable))
               i32.const 0))"#,
    );
    let r = q.run_cell("wasmi", &grow, BUDGET);
    assert_eq!(
        kind(&r),
        Some(Kind::OutOfMemory),
        "{board_name}: {:?}",
        r.error
    );

    let (_d, endless) = module(
        "endless",
        r#"(module (import "env" "start_trigger" (func $s))
             (func (export "__original_main") (result i32) call $s (loop $l (br $l)) i32.const 0))"#,
    );
    let r = q.run_cell("wasmi", &endless, Duration::from_secs(3));
    assert_eq!(kind(&r), Some(Kind::Timeout), "{board_name}: {:?}", r.error);

    let r = q.run_cell("wasmi", &own("crc32"), BUDGET);
    assert!(
        r.is_ok() && r.verified,
        "{board_name}: after bad input: {:?}",
        r.error
    );
}

#[test]
fn qemu_m33() {
    smoke("qemu-m33");
    bad_input("qemu-m33");
}

#[test]
fn qemu_m4f() {
    smoke("qemu-m4f");
    bad_input("qemu-m4f");
}

#[test]
fn qemu_rv32() {
    smoke("qemu-rv32");
    bad_input("qemu-rv32");
}

/// Recursion that wasm3 interprets by recursing in C: the native stack
/// runs out before wasm3's own Wasm stack does.
const DEEP: &str = r#"(module
  (func $f (param i32) (result i32)
    (i32.add (call $f (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "__original_main") (result i32) (call $f (i32.const 0))))"#;

/// A native stack overflow faults at once, on RV32 as on Cortex-M: the
/// PMP guard below the stack (RV32) and the bottom of RAM (Cortex-M) stop
/// the first store past the stack, and the fault handler reports it from
/// its own stack. Needs the `wasm3` firmwares of `qemu-rv32` and
/// `qemu-m4f` (`make smoke-firmware` builds them).
#[test]
fn a_native_stack_overflow_faults_at_once() {
    for (board, how) in [("qemu-rv32", "PMP store fault"), ("qemu-m4f", "HardFault")] {
        let q = backend(board);
        assert!(
            q.labels().contains(&"wasm3"),
            "{board}: build the wasm3 firmware first (`make smoke-firmware`)"
        );
        let (_dir, w) = module("deep-recursion", DEEP);
        let r = q.run_cell("wasm3", &w, BUDGET);
        let e = r.error.as_ref().expect("the overflow fails the cell");
        assert_eq!(e.kind, Kind::Crash, "{board}: {e:?}");
        assert!(
            e.message.contains("stack overflow") && e.message.contains(how),
            "{board}: {}",
            e.message
        );
        // The board is fine afterwards.
        let ok = q.run_cell("wasmi", &own("crc32"), BUDGET);
        assert!(ok.is_ok(), "{board}: {:?}", ok.error);
    }
}
