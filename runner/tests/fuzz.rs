//! The reliability campaign in small (`make fuzz` runs it large): a few
//! generated and mutated modules through every runtime variant on the host
//! and on an emulated board, and the corpus of modules that once broke the
//! invariant (`fuzz/corpus/`) replayed. Each must hold the invariant: a
//! record per cell, no `internal` failure, no cell past its budget, no
//! QEMU left behind.
//!
//! Needs the host programs and the `qemu-m4f` firmwares of every variant
//! (`make host-programs smoke-firmware`, which `make test` does first);
//! nothing is built here.

use std::path::Path;

use trevm_runner::fuzz::{self, Options, Report};

fn campaign(board: &str, count: u64, seed: u64, dir: &Path) -> Report {
    let mut o = Options::new(board, count);
    o.seed = seed;
    o.dir = dir.join("campaign");
    o.corpus = dir.join("corpus");
    o.build = false;
    let report = fuzz::run(&o).expect("the campaign runs");
    eprintln!("{}", report.markdown());
    report
}

/// What makes a campaign a test of something: modules ran to their end
/// on several runtimes (compared), and mutants were refused as malformed.
fn assert_exercised(r: &Report, board: &str) {
    assert!(r.passed(), "{board}: {:?}", r.violations);
    assert!(r.saved.is_empty(), "{:?}", r.saved);
    // Variants that are not built here (or do not fit the board) fail
    // every cell as `build`; the others ran.
    let runtimes = r
        .outcomes
        .values()
        .filter(|o| o.keys().any(|k| k != "build"))
        .count();
    assert!(
        runtimes >= 6,
        "{board}: only {runtimes} variant(s) ran: build them first (`make host-programs smoke-firmware`)"
    );
    assert_eq!(
        r.outcomes.values().flat_map(|o| o.values()).sum::<usize>(),
        r.cells,
        "one record per cell"
    );
    assert!(
        r.compared > 0,
        "{board}: no module ran to its end on two runtimes"
    );
    let malformed: usize = r.outcomes.values().filter_map(|o| o.get("malformed")).sum();
    assert!(malformed > 0, "{board}: no mutant was refused as malformed");
}

#[test]
fn a_small_campaign_on_the_host_holds_the_invariant() {
    let dir = tempfile::tempdir().unwrap();
    let r = campaign("host", 4, 11, dir.path());
    assert_eq!(r.modules.len(), 8);
    assert_exercised(&r, "host");
}

#[test]
fn a_small_campaign_on_qemu_holds_the_invariant() {
    let dir = tempfile::tempdir().unwrap();
    // Seed 15: both generated modules run to their end (no memory, so
    // they fit the board's heap beside every runtime).
    let r = campaign("qemu-m4f", 2, 15, dir.path());
    assert_eq!(r.modules.len(), 4);
    assert_exercised(&r, "qemu-m4f");
}

#[test]
fn the_corpus_replays_on_the_host() {
    let corpus = trevm_runner::workspace::root().join("fuzz").join("corpus");
    let dir = tempfile::tempdir().unwrap();
    let mut o = Options::new("host", 0);
    o.replay = vec![corpus.clone()];
    o.dir = dir.path().join("replay");
    o.corpus = dir.path().join("corpus");
    o.build = false;
    let r = fuzz::run(&o).expect("the replay runs");
    eprintln!("{}", r.markdown());
    assert!(
        !r.modules.is_empty(),
        "{} holds no module",
        corpus.display()
    );
    assert!(r.passed(), "{:?}", r.violations);
    assert!(r.cells >= r.modules.len() * 6, "{} cells", r.cells);
}
