//! Ariel OS firmware running for real, in CI: on `ariel-native` (Ariel OS's
//! `native` board, a process per cell like the host board) three runtime
//! builds (`wasmi`, `wamr` serving `wamr` and `wamr-fast`, `native`) run
//! two `own` workloads each, ok and verified, with records that say they
//! ran on Ariel OS at the pinned commit; a trapping module is a failed
//! cell with its kind, and the next cell runs.
//!
//! Ignored by default: it needs Ariel OS (the offline kit at
//! `../shared/ariel-os`, `ARIEL_OS_SRC` or GitHub) and the Ariel OS
//! programs built (`make ariel-firmware`). `make test` runs it with
//! `--ignored` when `scripts/ariel-os.sh check` finds Ariel OS, and says
//! why it does not otherwise.

use std::time::Duration;

use trevm_catalog::os::{ARIEL_OS, ARIEL_OS_SOURCE};
use trevm_catalog::suite::TEST;
use trevm_catalog::Kind;
use trevm_protocol::slot::SlotAbi;
use trevm_runner::backend::Backend;
use trevm_runner::factory::{self, Options};
use trevm_runner::suite::{own, Workload};

/// The variants the Ariel OS programs `make ariel-firmware` builds serve.
const VARIANTS: &[&str] = &["native", "wasmi", "wamr", "wamr-fast"];
const BUDGET: Duration = Duration::from_secs(60);

fn backend() -> Box<dyn Backend> {
    let board = trevm_catalog::board::find("ariel-native").unwrap();
    let o = Options {
        os: Some(&ARIEL_OS),
        ..Options::default()
    };
    factory::open(board, VARIANTS, &o)
        .expect("Ariel OS is reachable (scripts/ariel-os.sh check)")
        .backend
}

#[test]
#[ignore = "needs Ariel OS and `make ariel-firmware`; `make test` runs it when scripts/ariel-os.sh finds Ariel OS"]
fn ariel_native_runs_cells_on_ariel_os() {
    let b = backend();
    assert_eq!(
        b.labels(),
        VARIANTS,
        "the Ariel OS programs serve these variants: run `make ariel-firmware`"
    );
    for label in VARIANTS {
        for name in ["crc32", "sha256"] {
            let r = b.run_cell(label, &own(name), BUDGET);
            assert!(r.is_ok() && r.verified, "{label} {name}: {:?}", r.error);
            assert_eq!((r.board.as_str(), r.os()), ("ariel-native", "ariel-os"));
            assert_eq!(
                r.meta.extra["ariel_os_commit"], ARIEL_OS_SOURCE.commit,
                "{r:?}"
            );
            assert!(!r.meta.emulated);
            assert_eq!(r.meta.clock_unit, "ns", "{r:?}");
            assert!(r.metric("interval").is_some_and(|m| m.value > 0.0), "{r:?}");
            if *label != "native" {
                assert!(
                    r.metric("peak_heap").is_some_and(|m| m.value > 0.0),
                    "{r:?}"
                );
            }
        }
    }
}

#[test]
#[ignore = "needs Ariel OS and `make ariel-firmware`; `make test` runs it when scripts/ariel-os.sh finds Ariel OS"]
fn a_trap_under_ariel_os_is_a_failed_cell() {
    let b = backend();
    let dir = tempfile::tempdir().unwrap();
    let wasm = dir.path().join("trap.wasm");
    let wat = r#"(module (import "env" "start_trigger" (func $s))
             (func (export "__original_main") (result i32) call $s unreachable))"#;
    std::fs::write(&wasm, wat::parse_str(wat).unwrap()).unwrap();
    let trap = Workload {
        suite: TEST.into(),
        name: "trap".into(),
        abi: SlotAbi::Embench,
        wasm,
    };
    let r = b.run_cell("wasmi", &trap, BUDGET);
    assert_eq!(r.error.as_ref().map(|e| e.kind), Some(Kind::Trap), "{r:?}");
    assert_eq!(r.os(), "ariel-os");
    let r = b.run_cell("wasmi", &own("crc32"), BUDGET);
    assert!(r.is_ok() && r.verified, "after the trap: {:?}", r.error);
}
