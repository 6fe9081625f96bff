//! The bad-module corpus (`benches/tests/cases/mod.rs`, the same table the
//! adapters' conformance suite runs in-process) through the whole harness:
//! every case on every runtime variant, as cells of the host board (a cell
//! process each) and of `qemu-m4f` (a QEMU each, the nRF52840's 256 KiB of
//! RAM). Each must end as a record with an acceptable kind and stage:
//! never `internal`, never a lost cell.
//!
//! Needs the host programs and every `qemu-m4f` firmware built (`make
//! host-programs smoke-firmware`, which `make test` does first); a missing
//! one fails the test, naming what to build.

#[path = "../../benches/tests/cases/mod.rs"]
mod cases;

use std::time::Duration;

use trevm_catalog::record::Record;
use trevm_catalog::suite::TEST;
use trevm_catalog::RUNTIMES;
use trevm_runner::backend::Backend;
use trevm_runner::factory::{self, Options};
use trevm_runner::suite::Workload;

/// The emulated board the cases run on: the smallest RAM of the three.
const BOARD: &str = "qemu-m4f";

fn workloads(dir: &std::path::Path) -> Vec<(&'static cases::Case, Workload)> {
    cases::CASES
        .iter()
        .map(|c| {
            let wasm = dir.join(format!("{}.wasm", c.name));
            std::fs::write(&wasm, wat::parse_str(c.wat).expect("case WAT assembles")).unwrap();
            let abi = trevm_runner::suite::slot_abi(c.abi);
            let w = Workload {
                suite: TEST.into(),
                name: c.name.into(),
                abi,
                wasm,
            };
            (c, w)
        })
        .collect()
}

/// What a record's outcome is, in the table's terms: `ok`, or its kind and
/// stage.
fn outcome(r: &Record) -> (String, String) {
    match &r.error {
        None if r.is_ok() => (cases::OK.into(), String::new()),
        None => ("failed".into(), String::new()),
        Some(e) => (e.kind.as_str().into(), e.stage.as_str().into()),
    }
}

/// Runs every case on every Wasm variant of `board` and returns the
/// mismatches (the two boards' tests run side by side).
fn run_all(board: &'static trevm_catalog::Board, backend: &dyn Backend) -> Vec<String> {
    let labels = backend.labels();
    let wasm: Vec<&str> = RUNTIMES
        .iter()
        .filter(|r| r.caps.preparation != trevm_catalog::runtime::Preparation::Native)
        .map(|r| r.label)
        .collect();
    let missing: Vec<&&str> = wasm.iter().filter(|l| !labels.contains(l)).collect();
    assert!(
        missing.is_empty(),
        "{}: no program or firmware runs {missing:?}: run `make host-programs smoke-firmware` first ({:?})",
        board.name,
        backend.missing()
    );
    let dir = tempfile::tempdir().unwrap();
    let work = workloads(dir.path());
    let cells: Vec<(&str, &cases::Case, &Workload)> = wasm
        .iter()
        .flat_map(|l| work.iter().map(move |(c, w)| (*l, *c, w)))
        .collect();
    let mut bad = Vec::new();
    for (label, case, w) in cells {
        let rec = backend.run_cell(label, w, Duration::from_secs(60));
        let (kind, stage) = outcome(&rec);
        assert_eq!(
            (rec.board.as_str(), rec.runtime.as_str()),
            (board.name, label)
        );
        eprintln!(
            "{:<9} {label:<17} {:<34} {kind} {stage}",
            board.name, case.name
        );
        if let Err(e) = case.check(label, &kind, &stage) {
            let msg = rec.error.as_ref().map_or("", |e| e.message.as_str());
            bad.push(format!("{} {label}: {e} ({msg})", board.name));
        }
    }
    bad
}

fn check_board(name: &str) {
    let board = trevm_catalog::board::find(name).unwrap();
    let labels: Vec<&str> = RUNTIMES.iter().map(|r| r.label).collect();
    let opened = factory::open(board, &labels, &Options::default()).expect("the board opens");
    let bad = run_all(board, opened.backend.as_ref());
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_case_on_every_variant_of_the_host() {
    check_board("host");
}

#[test]
fn every_case_on_every_variant_of_qemu_m4f() {
    check_board(BOARD);
}
