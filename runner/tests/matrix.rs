//! The matrix at scale, through `trevm bench`'s library entry point
//! (`matrix::run`): cells in parallel give the records a serial run gives
//! (under icount, apart from when they ran), shards merged give the whole
//! run, the user's modules are checked against their ABI before any cell
//! runs and then run like any workload, and repeats record their spread.
//!
//! Needs what `make test` builds first: the `own` modules (`make
//! workloads`), the host programs and `qemu-m33`'s smoke firmwares (`make
//! host-programs smoke-firmware`). Nothing is built here (`build: false`).

use std::path::{Path, PathBuf};

use trevm_catalog::record::Record;
use trevm_catalog::results::read_records;
use trevm_catalog::suite::Abi;
use trevm_runner::matrix::{self, Options, Shard};
use trevm_runner::merge::merge;
use trevm_runner::module::{user_workloads, USER_SUITE};
use trevm_runner::Error;

const BOARD: &str = "qemu-m33";

fn options(board: &str, out: PathBuf) -> Options {
    let mut o = Options::new(board, &["own"], out);
    o.build = false;
    o.runtimes = vec!["wasmi".into(), "native".into()];
    o.workloads = vec!["crc32".into(), "matmul".into(), "sha256".into()];
    o
}

/// The records of `path`, without when they ran, in cell order.
fn records(path: &Path) -> Vec<Record> {
    let mut v: Vec<Record> = read_records(path)
        .unwrap()
        .into_iter()
        .map(|mut r| {
            r.meta.started.clear();
            r
        })
        .collect();
    v.sort_by_key(|r| r.key());
    v
}

#[test]
fn parallel_and_sharded_runs_give_the_serial_records() {
    let dir = tempfile::tempdir().unwrap();
    let serial = dir.path().join("serial.jsonl");
    let mut o = options(BOARD, serial.clone());
    o.jobs = 1;
    let s = matrix::run(&o).unwrap();
    assert_eq!((s.ok, s.failed), (6, 0), "{:?}", s.notes);
    let parallel = dir.path().join("parallel.jsonl");
    let s = matrix::run(&Options {
        jobs: 2,
        out: parallel.clone(),
        ..o.clone()
    })
    .unwrap();
    assert_eq!((s.ok, s.failed), (6, 0), "{:?}", s.notes);
    let want = records(&serial);
    assert_eq!(want.len(), 6);
    assert!(want.iter().all(|r| r.meta.emulated && r.verified));
    assert_eq!(records(&parallel), want, "--jobs 2 differs from --jobs 1");

    let shards: Vec<PathBuf> = (1..=2)
        .map(|index| {
            let out = dir.path().join(format!("shard-{index}.jsonl"));
            let s = matrix::run(&Options {
                shard: Some(Shard { index, count: 2 }),
                out: out.clone(),
                ..o.clone()
            })
            .unwrap();
            assert_eq!(s.ok, 3, "shard {index}/2: {:?}", s.notes);
            out
        })
        .collect();
    let merged = dir.path().join("merged.jsonl");
    let text: String = merge(&shards)
        .unwrap()
        .iter()
        .map(|r| serde_json::to_string(r).unwrap() + "\n")
        .collect();
    std::fs::write(&merged, text).unwrap();
    assert_eq!(
        records(&merged),
        want,
        "the shards merged differ from the whole run"
    );
}

fn module(dir: &Path, name: &str, wat: &str) -> PathBuf {
    let p = dir.join(format!("{name}.wasm"));
    std::fs::write(&p, wat::parse_str(wat).unwrap()).unwrap();
    p
}

const GOOD: &str = r#"(module
    (import "env" "start_trigger" (func $start))
    (import "env" "stop_trigger" (func $stop))
    (func (export "__original_main") (result i32) (local i32)
        call $start
        (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get 0) (i32.const 1000))))
        call $stop
        i32.const 0))"#;

#[test]
fn a_user_module_is_checked_first_then_runs_on_the_host_and_qemu() {
    let dir = tempfile::tempdir().unwrap();
    let bad = module(
        dir.path(),
        "bad",
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
            (func (export "__original_main") (result i32) i32.const 0))"#,
    );
    let good = module(dir.path(), "loop1000", GOOD);
    let e = user_workloads(&[good.clone(), bad.clone()], None, Abi::Embench).unwrap_err();
    let text = e.to_string();
    assert!(
        matches!(e, Error::UserModule { .. }) && e.is_usage(),
        "{text}"
    );
    assert!(
        text.contains("bad.wasm") && text.contains("wasi_snapshot_preview1.proc_exit"),
        "{text}"
    );
    let e = user_workloads(&[good.clone()], None, Abi::CoreMark).unwrap_err();
    assert!(
        e.to_string().contains("export `run: () -> f32` is missing"),
        "{e}"
    );

    let extra = user_workloads(&[good], None, Abi::Embench).unwrap();
    for board in ["host", BOARD] {
        let out = dir.path().join(format!("{board}.jsonl"));
        let mut o = options(board, out.clone());
        o.suites.clear();
        o.workloads.clear();
        o.runtimes = vec!["wasmi".into()];
        o.extra = extra.clone();
        o.repeat = Some(1);
        let s = matrix::run(&o).unwrap();
        assert_eq!((s.ok, s.failed), (1, 0), "{board}: {:?}", s.notes);
        let r = &read_records(&out).unwrap()[0];
        assert_eq!(
            (r.suite.as_str(), r.workload.as_str()),
            (USER_SUITE, "loop1000")
        );
        assert!(
            r.verified && r.metric("interval").unwrap().value > 0.0,
            "{r:?}"
        );
    }
}

#[test]
fn repeats_on_the_host_record_their_spread() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("host.jsonl");
    let mut o = options("host", out.clone());
    o.repeat = Some(5);
    let s = matrix::run(&o).unwrap();
    assert_eq!((s.ok, s.failed), (6, 0), "{:?}", s.notes);
    for r in read_records(&out).unwrap() {
        let m = r.metric("interval").unwrap();
        let spread = m.spread.as_ref().expect("five samples");
        assert_eq!((spread.n, spread.samples.len()), (5, 5), "{r:?}");
        assert_eq!(m.value, spread.median);
        assert!(spread.min <= spread.median && spread.median <= spread.max);
        assert!(spread.geo_std.is_some_and(|g| g >= 1.0), "{r:?}");
    }
}
