//! The `native` runtime through the engine interface and the benchmark
//! ABIs: the own workloads by name, the C suites (when `make suites`
//! prepared them, see trevm-native-c) by `suite/name`.
//!
//! ```text
//! cargo test -p trevm-bench --features std,native --test runtimes
//! ```
#![cfg(all(feature = "std", feature = "native"))]

use crate::common::{clock, serial};
use trevm_bench::{abi, runtimes, Abi, ErrorKind, Limits, Outcome};

fn run(abi_kind: Abi, module: &str) -> Result<Outcome, trevm_bench::Error> {
    let mut rt = runtimes::create("native", Limits::HOST).unwrap();
    abi::run(&mut *rt, abi_kind, module.as_bytes(), clock())
}

#[test]
fn own_workloads_answer_to_both_spellings() {
    let _s = serial();
    for module in ["crc32", "own/crc32"] {
        let o = run(Abi::Embench, module).unwrap_or_else(|e| panic!("{module}: {e}"));
        assert!(o.verified && o.interval > 0, "{module}: {o:?}");
    }
}

#[test]
fn unknown_workloads_and_suites_are_link_errors() {
    let _s = serial();
    for module in ["nope", "own/nope", "embench/nope", "no-suite/crc32"] {
        let e = run(Abi::Embench, module).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Link, "{module}: {e}");
    }
    let e = run(Abi::Embench, "embench/nope").unwrap_err();
    assert!(e.message.contains("make suites"), "{e}");
}

/// Every natively compiled Embench program verifies through the Embench
/// ABI with a measured interval.
#[test]
#[ignore = "needs the Embench programs compiled in natively: `make suites`, then build with \
            TREVM_NATIVE_C=embench (or all) and run with --ignored"]
fn c_embench_programs_verify() {
    let _s = serial();
    let programs: Vec<_> = trevm_native_c::WORKLOADS
        .iter()
        .filter(|w| w.suite != "coremark")
        .collect();
    assert!(
        !programs.is_empty(),
        "no Embench program is compiled in: `make suites`, then build with TREVM_NATIVE_C=embench"
    );
    let mut failed = Vec::new();
    for w in programs {
        let module = format!("{}/{}", w.suite, w.name);
        match run(Abi::Embench, &module) {
            Ok(o) if o.verified && o.exit_code == 0 => {}
            other => failed.push(format!("{module}: {other:?}")),
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

/// CoreMark through the CoreMark ABI (it runs >= 10 s unless
/// `make suites ITERATIONS=n`).
#[test]
#[ignore = "needs CoreMark compiled in natively: `make suites`, then build with \
            TREVM_NATIVE_C=coremark (or all) and run with --ignored"]
fn c_coremark_validates() {
    let _s = serial();
    let o = run(Abi::CoreMark, "coremark/coremark").unwrap_or_else(|e| {
        panic!("coremark (was it compiled in with `make suites` and TREVM_NATIVE_C?): {e}")
    });
    assert!(o.verified, "{o:?}");
    assert!(o.iterations.is_some_and(|n| n > 0), "{o:?}");
    assert!(o.score.is_some_and(|s| s > 0.0), "{o:?}");
}
