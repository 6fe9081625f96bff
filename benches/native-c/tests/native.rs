//! Runs the natively compiled C benchmarks that `TREVM_NATIVE_C` compiled
//! in: every Embench program must verify and fire each trigger once;
//! CoreMark must validate.
//!
//! ```text
//! make suites ITERATIONS=2000     # the upstream sources, once
//! TREVM_NATIVE_C=all cargo test --release -p trevm-native-c
//! ```
//!
//! A test whose benchmarks are not compiled in (the default: no C suites)
//! is ignored and says what it needs (build script cfgs
//! `trevm_native_c_coremark`, `trevm_native_c_embench`); the table's own
//! invariants are checked either way. `real_suites_are_complete` is always
//! ignored: run with `--ignored` after `make suites` to check that all three
//! real suites are compiled in whole.

use std::time::Instant;

use trevm_native_c::{find, Env, Value, WORKLOADS};

/// Counts the host calls and serves a real millisecond clock.
struct Recorder {
    origin: Instant,
    initialised: u32,
    started: u32,
    stopped: u32,
    clock_reads: u32,
}

impl Recorder {
    fn new() -> Self {
        Recorder {
            origin: Instant::now(),
            initialised: 0,
            started: 0,
            stopped: 0,
            clock_reads: 0,
        }
    }
}

impl Env for Recorder {
    fn initialise_board(&mut self) {
        self.initialised += 1;
    }
    fn start_trigger(&mut self) {
        assert_eq!(self.stopped, 0, "start_trigger after stop_trigger");
        self.started += 1;
    }
    fn stop_trigger(&mut self) {
        assert_eq!(self.started, 1, "stop_trigger without start_trigger");
        self.stopped += 1;
    }
    fn clock_ms(&mut self) -> i64 {
        self.clock_reads += 1;
        self.origin.elapsed().as_millis() as i64
    }
}

#[test]
fn table_is_consistent() {
    let mut keys: Vec<(&str, &str)> = WORKLOADS.iter().map(|w| (w.suite, w.name)).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "a benchmark is listed twice");
    for w in WORKLOADS {
        assert!(
            ["coremark", "embench", "embench-current"].contains(&w.suite),
            "{w:?}"
        );
        assert!(std::ptr::eq(find(w.suite, w.name).unwrap(), w));
        assert!(w.call("no-such-export", &mut Recorder::new()).is_none());
    }
    assert!(find("embench", "no-such-benchmark").is_none());
    assert_eq!(WORKLOADS.is_empty(), trevm_native_c::COMPILER.is_empty());
    // The cfgs that un-ignore the tests below say what the table holds.
    assert_eq!(
        cfg!(trevm_native_c_coremark),
        find("coremark", "coremark").is_some()
    );
    assert_eq!(
        cfg!(trevm_native_c_embench),
        WORKLOADS.iter().any(|w| w.suite != "coremark")
    );
}

#[test]
#[cfg_attr(
    not(trevm_native_c_embench),
    ignore = "needs Embench compiled in: `make suites`, then build with TREVM_NATIVE_C=all (or embench)"
)]
fn embench_programs_verify_and_trigger_once() {
    let embench: Vec<_> = WORKLOADS.iter().filter(|w| w.suite != "coremark").collect();
    assert!(
        !embench.is_empty(),
        "no Embench program is compiled in: `make suites`, then build with TREVM_NATIVE_C=all"
    );
    let mut failed = Vec::new();
    for w in embench {
        let mut env = Recorder::new();
        let ret = w.call("__original_main", &mut env);
        let counts = (env.initialised, env.started, env.stopped);
        if ret != Some(Value::I32(0)) || counts != (1, 1, 1) {
            failed.push(format!(
                "{}/{}: returned {ret:?}, (initialise, start, stop) = {counts:?}",
                w.suite, w.name
            ));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Runs at least 10 s unless `make suites ITERATIONS=n` fixed the count.
#[test]
#[cfg_attr(
    not(trevm_native_c_coremark),
    ignore = "needs CoreMark compiled in: `make suites`, then build with TREVM_NATIVE_C=all (or coremark)"
)]
fn coremark_validates() {
    let w = find("coremark", "coremark")
        .expect("CoreMark is not compiled in: `make suites`, then build with TREVM_NATIVE_C=all");
    let mut env = Recorder::new();
    let Some(Value::F32(score)) = w.call("run", &mut env) else {
        panic!("run did not return f32")
    };
    let iterations = w.call("iterations", &mut env);
    let validated = w.call("validated", &mut env);
    assert_eq!(
        validated,
        Some(Value::I32(1)),
        "CoreMark's CRC checks failed"
    );
    assert!(
        matches!(iterations, Some(Value::I32(n)) if n > 0),
        "{iterations:?}"
    );
    assert!(env.clock_reads >= 2, "CoreMark never read the clock");
    assert!(score >= 0.0 && score.is_finite(), "score {score}");
    assert_eq!(
        (env.started, env.stopped),
        (0, 0),
        "CoreMark fired Embench triggers"
    );
}

/// The real upstream suites, whole: CoreMark and the 19 programs of each
/// Embench set.
#[test]
#[ignore = "checks the real suites are compiled in whole: `make suites`, build with TREVM_NATIVE_C=all, run with --ignored"]
fn real_suites_are_complete() {
    for (suite, expected) in [("coremark", 1), ("embench", 19), ("embench-current", 19)] {
        let n = WORKLOADS.iter().filter(|w| w.suite == suite).count();
        assert_eq!(
            n, expected,
            "{suite} has {n} natively compiled benchmarks, expected {expected}: \
             `make suites`, then build with TREVM_NATIVE_C=all"
        );
    }
}
