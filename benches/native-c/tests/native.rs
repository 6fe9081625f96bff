//! Runs the natively compiled C benchmarks, when `make suites` prepared
//! them: every Embench program must verify and fire each trigger once;
//! CoreMark must validate.
//!
//! Without prepared suites the table is empty and only the table's own
//! invariants are checked. `TREVM_SUITES_TEST=1` demands the suites (the
//! opt-in test of real upstream sources) and also runs CoreMark, which
//! takes at least 10 s unless `make suites ITERATIONS=n` fixed its count.

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

fn opted_in() -> bool {
    std::env::var("TREVM_SUITES_TEST").is_ok_and(|v| v == "1")
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
}

#[test]
fn embench_programs_verify_and_trigger_once() {
    let mut failed = Vec::new();
    for w in WORKLOADS.iter().filter(|w| w.suite != "coremark") {
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

#[test]
fn coremark_validates() {
    let Some(w) = find("coremark", "coremark") else {
        assert!(
            !opted_in(),
            "TREVM_SUITES_TEST=1 but CoreMark is not compiled in: run `make suites` first"
        );
        return;
    };
    if !opted_in() {
        eprintln!("coremark: skipped (it runs >= 10 s by default); TREVM_SUITES_TEST=1 runs it");
        return;
    }
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

#[test]
fn opted_in_runs_have_every_suite() {
    if !opted_in() {
        return;
    }
    for (suite, at_least) in [("coremark", 1), ("embench", 19), ("embench-current", 19)] {
        let n = WORKLOADS.iter().filter(|w| w.suite == suite).count();
        assert!(
            n >= at_least,
            "TREVM_SUITES_TEST=1: {suite} has {n} natively compiled benchmarks, expected {at_least}; \
             run `make suites` (and rebuild) first"
        );
    }
}
