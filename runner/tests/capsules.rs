//! The capsule suite end to end: treVM's four capsule types (ephemeral and
//! persistent, with and without the OS bindings; `capsules/`) as cells of
//! the `trevm` variant on the host (a process each) and on `qemu-m4f` (a
//! QEMU each, through RTT), ok and verified; components that are not
//! capsules become failed cells with their reason; runtimes without the
//! Component Model are not given capsules. On `ariel-native` (Ariel OS)
//! too, ignored by default like `ariel_native.rs` and run by `make test`
//! when Ariel OS is reachable.
//!
//! Needs the capsules (`make capsules`), the host programs and the
//! `qemu-m4f` firmwares (`make host-programs smoke-firmware`); `make test`
//! builds them first. A missing one fails the test, naming what to build.

use std::time::Duration;

use trevm_catalog::record::Record;
use trevm_catalog::suite::TEST;
use trevm_catalog::Kind;
use trevm_protocol::slot::SlotAbi;
use trevm_runner::backend::Backend;
use trevm_runner::factory::{self, Options};
use trevm_runner::suite::{self, Workload};

const BUDGET: Duration = Duration::from_secs(120);

/// The four capsule types of the paper's Table II, by our names.
const CAPSULES: [&str; 4] = ["counter", "fib", "sensor-log", "sensor-server"];

fn capsules() -> Vec<Workload> {
    let s = trevm_catalog::suite::find("capsules").expect("the catalog has the capsules suite");
    let found = suite::discover(s).expect("the capsules are built (`make capsules`)");
    let names: Vec<&str> = found.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, CAPSULES, "the capsules suite");
    found
}

fn backend(board: &str) -> Box<dyn Backend> {
    let board = trevm_catalog::board::find(board).unwrap();
    let opened = factory::open(board, &["trevm"], &Options::default()).expect("the board opens");
    assert!(
        opened.backend.labels().contains(&"trevm"),
        "{}: nothing runs `trevm`: run `make host-programs smoke-firmware` ({:?})",
        board.name,
        opened.backend.missing()
    );
    opened.backend
}

fn metric(r: &Record, name: &str) -> Option<f64> {
    r.metric(name).map(|m| m.value)
}

fn four_capsules_verified(board: &str, unit: &str) {
    let b = backend(board);
    for w in capsules() {
        let r = b.run_cell("trevm", &w, BUDGET);
        assert!(r.is_ok(), "{board} {}: {:?}", w.name, r.error);
        assert!(r.verified, "{board} {}", w.name);
        assert_eq!(r.suite, "capsules");
        let interval = r.metric("interval").expect("a time");
        assert_eq!(interval.unit, unit, "{board} {}", w.name);
        assert!(interval.value > 0.0);
        for m in ["module_bytes", "wasm_bytes", "linear_memory"] {
            assert!(
                metric(&r, m).is_some_and(|v| v > 0.0),
                "{board} {} {m}",
                w.name
            );
        }
        // Capsules have 1-byte pages and 32 KiB of memory, as treVM's.
        assert!(metric(&r, "linear_memory").unwrap() <= 64.0 * 1024.0);
        if board != "host" {
            assert!(metric(&r, "peak_heap").is_some(), "{board} {}", w.name);
        }
    }
}

#[test]
fn the_four_capsule_types_run_verified_on_the_host() {
    four_capsules_verified("host", "ns");
}

#[test]
fn the_four_capsule_types_run_verified_on_qemu_m4f() {
    four_capsules_verified("qemu-m4f", "instructions");
}

#[test]
#[ignore = "needs Ariel OS and `make ariel-firmware`; `make test` runs it when scripts/ariel-os.sh finds Ariel OS"]
fn the_four_capsule_types_run_verified_on_ariel_native() {
    four_capsules_verified("ariel-native", "ns");
}

fn component(dir: &std::path::Path, name: &str, bytes: &[u8]) -> Workload {
    let wasm = dir.join(format!("{name}.wasm"));
    std::fs::write(&wasm, bytes).unwrap();
    Workload {
        suite: TEST.into(),
        name: name.into(),
        abi: SlotAbi::Capsule,
        wasm,
    }
}

fn kind(r: &Record) -> Option<Kind> {
    r.error.as_ref().map(|e| e.kind)
}

#[test]
fn components_that_are_not_capsules_fail_with_their_reason() {
    let b = backend("host");
    let dir = tempfile::tempdir().unwrap();
    // A component of no capsule world: it exports `other`.
    let other = wat::parse_str(
        r#"(component
             (core module $m (func (export "f") (result i32) i32.const 0))
             (core instance $i (instantiate $m))
             (func (export "other") (result s32) (canon lift (core func $i "f"))))"#,
    )
    .unwrap();
    let r = b.run_cell("trevm", &component(dir.path(), "other", &other), BUDGET);
    assert_eq!(kind(&r), Some(Kind::Link), "{:?}", r.error);
    assert!(
        r.error.as_ref().unwrap().message.contains("not a capsule"),
        "{:?}",
        r.error
    );

    // A capsule cut short.
    let fib = capsules().into_iter().find(|w| w.name == "fib").unwrap();
    let bytes = std::fs::read(&fib.wasm).unwrap();
    let cut = component(dir.path(), "cut", &bytes[..bytes.len() / 2]);
    let r = b.run_cell("trevm", &cut, BUDGET);
    assert_eq!(kind(&r), Some(Kind::Malformed), "{:?}", r.error);

    // A capsule whose `run` traps: ends as a trap, not a crash.
    let trap = wat::parse_str(
        r#"(component
             (core module $m (func (export "run") (result i32) unreachable))
             (core instance $i (instantiate $m))
             (func (export "run") (result s32) (canon lift (core func $i "run"))))"#,
    )
    .unwrap();
    let r = b.run_cell("trevm", &component(dir.path(), "trap", &trap), BUDGET);
    assert_eq!(kind(&r), Some(Kind::Trap), "{:?}", r.error);

    // The board still runs capsules after all that.
    let r = b.run_cell("trevm", &fib, BUDGET);
    assert!(r.is_ok(), "{:?}", r.error);
}

#[test]
fn only_runtimes_with_the_component_model_are_given_capsules() {
    let w = &capsules()[0];
    assert!(w.runs_on("trevm"));
    for r in trevm_catalog::RUNTIMES
        .iter()
        .filter(|r| r.label != "trevm")
    {
        assert!(!w.runs_on(r.label), "{}", r.label);
    }
    assert!(suite::own("crc32").runs_on("wasmi"));
}
