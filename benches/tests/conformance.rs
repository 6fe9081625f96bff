//! The adapter conformance suite: the same behaviours, checked on every
//! Wasm runtime variant compiled into the build
//! (`trevm_bench::runtimes::available()` minus `native`).
//!
//! Run with the other runtime tests (`runtimes.rs` says how).
//!
//! Each test runs its check on every variant, collects what went wrong, and
//! fails once listing every variant that misbehaved. The tests share the
//! process-wide tracking allocator and its budget, so they take a lock;
//! run them with `--test-threads=1` so that no other test thread allocates
//! during a leak check.
//!
//! The bad-module corpus lives in `cases/mod.rs` (shared with the runner's
//! tests); what only one runtime does is tested in that runtime's own file
//! (`wamr.rs`, `wasefire.rs`, `tinywasm.rs`, `wasm_interpreter.rs`).
#![cfg(feature = "std")]

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::common::{assert_no_leak, clock, prepare, run, runtime, serial, wasm};
use trevm_bench::alloc;
use trevm_bench::{abi, runtimes, Abi, Error, ErrorKind, Host, Limits, Outcome, Stage, Value};

// ------------------------------------------------------------ variants

/// The variants the enabled cargo features must provide.
fn expected_variants() -> Vec<&'static str> {
    let mut v = Vec::new();
    if cfg!(feature = "wasmtime") {
        if runtimes::PULLEY_NO_SIMD {
            v.extend(["wasmtime-no-simd", "trevm"]);
        } else {
            v.push("wasmtime");
        }
    }
    if cfg!(feature = "wasmtime-42") {
        v.push(if runtimes::PULLEY_NO_SIMD {
            "wasmtime-no-simd@42.0.1"
        } else {
            "wasmtime@42.0.1"
        });
    }
    let single = [
        (cfg!(feature = "wasmi"), "wasmi"),
        (cfg!(feature = "wasmi-1"), "wasmi@1.0.9"),
        (cfg!(feature = "wamr"), "wamr"),
        (cfg!(feature = "wamr"), "wamr-fast"),
        (cfg!(feature = "wasm-interpreter"), "wasm-interpreter"),
        (cfg!(feature = "wasefire"), "wasefire"),
        (cfg!(feature = "tinywasm"), "tinywasm"),
        (cfg!(feature = "wasm3"), "wasm3"),
    ];
    v.extend(single.into_iter().filter(|(on, _)| *on).map(|(_, l)| l));
    v
}

/// The Wasm runtime variants of this build. Fails loudly when there are
/// none: a suite that loops over nothing would pass without testing.
fn variants() -> Vec<&'static str> {
    let v: Vec<&'static str> = runtimes::available()
        .into_iter()
        .filter(|l| *l != "native")
        .collect();
    assert!(
        !v.is_empty(),
        "no Wasm runtime is compiled in: enable at least one of the features \
         wasmtime, wasmi, wamr, wasm-interpreter, wasefire, tinywasm, wasm3"
    );
    v
}

/// Runs `check` on every variant (a panic counts as a failure), then fails
/// once with everything that went wrong.
fn on_every_variant(what: &str, mut check: impl FnMut(&'static str) -> Result<(), String>) {
    let _s = serial();
    let mut failures = Vec::new();
    for label in variants() {
        let result = catch_unwind(AssertUnwindSafe(|| check(label)));
        alloc::set_limit(usize::MAX);
        match result {
            Ok(Ok(())) => {}
            Ok(Err(why)) => failures.push(format!("{label}: {why}")),
            Err(panic) => {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{label}: panicked: {why}"));
            }
        }
    }
    assert!(failures.is_empty(), "{what}:\n  {}", failures.join("\n  "));
}

/// `Err` with `format!` arguments unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($why:tt)+) => {
        if !$cond {
            return Err(format!($($why)+));
        }
    };
}

/// The results-format names of an outcome: `("ok", "")` for a verified
/// run, `("verify", "run")` for one that did not verify.
fn outcome(r: &Result<Outcome, Error>) -> (String, String) {
    match r {
        Ok(o) if o.verified => (crate::cases::OK.to_string(), String::new()),
        Ok(_) => ("verify".to_string(), "run".to_string()),
        Err(e) => (e.kind.as_str().to_string(), e.stage.as_str().to_string()),
    }
}

/// `Ok` when `r` failed with `kind` at `stage`.
fn expect_error<T: std::fmt::Debug>(
    r: Result<T, Error>,
    kind: ErrorKind,
    stage: Stage,
) -> Result<Error, String> {
    match r {
        Err(e) if e.kind == kind && e.stage == stage => Ok(e),
        Err(e) => Err(format!("expected {kind:?} at {stage:?}, got {e}")),
        Ok(v) => Err(format!("expected {kind:?} at {stage:?}, got {v:?}")),
    }
}

// ------------------------------------------------------------- modules

/// Embench ABI: `_initialize` sets a global that `__original_main` checks;
/// the measured loop sums 0..100000 into memory. Returns 0 when the sum is
/// right.
const EMBENCH: &str = r#"
(module
  (import "env" "initialise_board" (func $init))
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory (export "memory") 2 2)
  (global $ready (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $ready (i32.const 7)))
  (func (export "__original_main") (result i32)
    (local $i i32) (local $acc i32)
    (if (i32.ne (global.get $ready) (i32.const 7)) (then (return (i32.const 2))))
    call $init
    call $start
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0x1fffc)) (local.get $acc))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
    call $stop
    ;; 0 + 1 + ... + 99999 = 4999950000 = 704982704 (mod 2^32)
    (i32.ne (local.get $acc) (i32.const 704982704))))
"#;

/// Embench ABI whose self-check fails (returns 1).
const EMBENCH_WRONG: &str = r#"
(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (func (export "__original_main") (result i32)
    call $start
    call $stop
    i32.const 1))
"#;

/// CoreMark ABI: `run() -> f32` reads `clock_ms` twice around a float
/// loop; more exports for the instance API.
const COREMARK: &str = r#"
(module
  (import "env" "clock_ms" (func $clock (result i64)))
  (import "env" "initialise_board" (func $init))
  (memory 1)
  (func (export "run") (result f32)
    (local $t0 i64) (local $i i32) (local $x f32)
    (local.set $t0 (call $clock))
    (loop $l
      (local.set $x (f32.add (local.get $x) (f32.const 1.5)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
    ;; 1500 / (1 + elapsed ms)
    (f32.div (local.get $x)
      (f32.add (f32.const 1) (f32.convert_i64_s (i64.sub (call $clock) (local.get $t0))))))
  (func (export "iterations") (result i32) (i32.const 1000))
  (func (export "validated") (result i32) (i32.const 1))
  (func (export "now") (result i64) (call $clock))
  (func (export "init") (call $init))
  (func (export "i32") (result i32) (i32.const -7))
  (func (export "i64") (result i64) (i64.const 0x1122334455667788))
  (func (export "f32") (result f32) (f32.const 1.5))
  (func (export "f64") (result f64) (f64.const -2.25))
  (func (export "nothing")))
"#;

/// Calls `initialise_board`, then traps.
const TRAPS_AFTER_A_HOST_CALL: &str = r#"
(module
  (import "env" "initialise_board" (func $init))
  (func (export "__original_main") (result i32) call $init unreachable))
"#;

/// Grows memory by 16 pages at a time (at most 100 times); traps when a
/// grow fails, returns 1 (unverified) when none did.
fn growing_module(own_max: Option<u32>) -> Vec<u8> {
    let memory = match own_max {
        Some(max) => format!("(memory 1 {max})"),
        None => "(memory 1)".to_string(),
    };
    wasm(&format!(
        r#"(module
            (import "env" "start_trigger" (func $start))
            (import "env" "stop_trigger" (func $stop))
            {memory}
            (func (export "__original_main") (result i32)
              (local $n i32)
              call $start
              (loop $l
                (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
                ;; touch the new memory
                (i32.store (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (local.get $n))
                (local.set $n (i32.add (local.get $n) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $n) (i32.const 100))))
              call $stop
              (i32.const 1)))"#
    ))
}

/// Grows memory by 64 pages, ignores memory.grow's -1 and returns 0: a
/// guest that copes with a refused growth.
const GROWS_AND_COPES: &str = r#"
(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory 1)
  (func (export "__original_main") (result i32)
    call $start
    (drop (memory.grow (i32.const 64)))
    call $stop
    (i32.const 0)))
"#;

/// Variants that cannot see a `memory.grow` past the budget, and why: the
/// growth ends their cell as a trap when the guest touches the new pages
/// (their message then names the cause), and not at all when it does not.
const GROWTH_UNSEEN: &[(&str, &str)] = &[(
    "wasefire",
    "wasefire runs the module in a fixed buffer (the declared maximum within the budget, \
     else the initial size) and lets memory.grow succeed past it without exposing the new \
     size; the access beyond the buffer traps without a reason",
)];

/// Variants whose linear memory cannot grow at all, and why: every growth
/// ends the cell as out-of-memory.
const GROWTH_IMPOSSIBLE: &[(&str, &str)] = &[
    ("wasmtime@42.0.1", FIXED_MEMORY),
    ("wasmtime-no-simd@42.0.1", FIXED_MEMORY),
];
const FIXED_MEMORY: &str = "the paper's configuration: memory may not move and has no \
     reservation (memory_may_move(false), memory_reservation(0)), so it has no room to grow";

/// `true` when `label` is one of [`GROWTH_IMPOSSIBLE`].
fn growth_impossible(label: &str) -> bool {
    GROWTH_IMPOSSIBLE.iter().any(|(l, _)| *l == label)
}

/// Variants that do not validate modules (malformed bytes may load), and
/// why; they must still not crash.
const UNVALIDATED: &[(&str, &str)] = &[(
    "wasmi@1.0.9",
    "the paper's configuration loads modules with Module::new_unchecked",
)];

/// `true` when `label` is one of [`GROWTH_UNSEEN`].
fn growth_unseen(label: &str) -> bool {
    GROWTH_UNSEEN.iter().any(|(l, _)| *l == label)
}

/// A trap whose message names the linear memory buffer: how a variant of
/// [`GROWTH_UNSEEN`] ends a growth past it.
fn expect_buffer_trap<T: std::fmt::Debug>(r: Result<T, Error>) -> Result<(), String> {
    let e = expect_error(r, ErrorKind::Trap, Stage::Run)?;
    ensure!(
        e.message.contains("buffer"),
        "the trap does not name the buffer: {e}"
    );
    Ok(())
}

/// Host-like budgets: 16 MiB of linear memory, 32 KiB of Wasm stack.
fn host() -> Limits {
    Limits::HOST
}

/// A linear-memory cap of 2 MiB (32 pages).
fn capped() -> Limits {
    Limits {
        max_memory: 2 * 1024 * 1024,
        ..Limits::HOST
    }
}

// --------------------------------------------------------------- tests

#[test]
fn every_enabled_variant_is_compiled_in() {
    let _s = serial();
    let mut available = variants();
    let mut expected = expected_variants();
    available.sort_unstable();
    expected.sort_unstable();
    assert_eq!(
        available, expected,
        "the Wasm runtime variants of this build do not match its cargo features"
    );
    for label in variants() {
        let rt = runtime(label, host());
        let info = rt.info();
        assert_eq!(info.label, label);
        assert_ne!(
            info.version, "unknown",
            "{label}: version not found in Cargo.lock"
        );
        assert!(!info.crate_name.is_empty(), "{label}");
    }
}

#[test]
fn embench_abi_verifies_and_measures() {
    let good = wasm(EMBENCH);
    let wrong = wasm(EMBENCH_WRONG);
    on_every_variant("the Embench ABI", |label| {
        for limits in [Limits::EMBEDDED, host()] {
            let out = run(label, limits, Abi::Embench, &good).map_err(|e| e.to_string())?;
            ensure!(out.verified && out.exit_code == 0, "{out:?}");
            ensure!(
                out.interval > 0,
                "the loop between the triggers took no time: {out:?}"
            );
            ensure!(
                out.interval < 60_000_000_000,
                "implausible interval: {out:?}"
            );
            ensure!(
                out.linear_memory == Some(2 * 65536),
                "linear memory: {out:?}"
            );
            ensure!(out.score.is_none() && out.iterations.is_none(), "{out:?}");
        }
        let out = run(label, host(), Abi::Embench, &wrong).map_err(|e| e.to_string())?;
        ensure!(
            !out.verified && out.exit_code == 1,
            "a failed self-check verified: {out:?}"
        );
        Ok(())
    });
}

#[test]
fn coremark_abi_scores() {
    let module = wasm(COREMARK);
    on_every_variant("the CoreMark ABI", |label| {
        let out =
            run(label, Limits::EMBEDDED, Abi::CoreMark, &module).map_err(|e| e.to_string())?;
        ensure!(out.verified, "{out:?}");
        let score = out.score.unwrap_or(f64::NAN);
        ensure!(score > 0.0 && score <= 1500.0, "score {score}");
        ensure!(out.iterations == Some(1000), "{out:?}");
        Ok(())
    });
}

#[test]
fn host_functions_and_results_reach_the_host() {
    let module = wasm(COREMARK);
    on_every_variant("the instance API", |label| {
        let mut rt = runtime(label, host());
        let module = prepare(&*rt, &module).map_err(|e| e.to_string())?;
        let mut inst = rt
            .instantiate(&module, Host::new(clock()))
            .map_err(|e| e.to_string())?;
        ensure!(
            inst.has_export("run") && inst.has_export("nothing"),
            "exports not found"
        );
        ensure!(!inst.has_export("missing"), "found a missing export");
        ensure!(!inst.has_export("clock_ms"), "an import is not an export");

        let before = clock().millis();
        let now = inst.call("now").map_err(|e| e.to_string())?;
        let after = clock().millis();
        ensure!(
            matches!(now, Some(Value::I64(ms)) if before <= ms && ms <= after),
            "clock_ms returned {now:?}, outside [{before}, {after}]"
        );
        ensure!(
            inst.host().initialised() == 0,
            "initialise_board called early"
        );
        inst.call("init").map_err(|e| e.to_string())?;
        ensure!(
            inst.host().initialised() == 1,
            "initialise_board did not reach the host"
        );
        ensure!(
            inst.host().interval().is_none() && inst.host().misuse().is_none(),
            "triggers"
        );

        for (name, want) in [
            ("i32", Some(Value::I32(-7))),
            ("i64", Some(Value::I64(0x1122334455667788))),
            ("f32", Some(Value::F32(1.5))),
            ("f64", Some(Value::F64(-2.25))),
            ("nothing", None),
            ("iterations", Some(Value::I32(1000))),
        ] {
            let got = inst.call(name).map_err(|e| format!("{name}: {e}"))?;
            ensure!(got == want, "`{name}` returned {got:?}, expected {want:?}");
        }
        expect_error(inst.call("missing"), ErrorKind::Link, Stage::Run)?;
        // Calls can be repeated.
        let score = inst.call("run").map_err(|e| e.to_string())?;
        ensure!(
            matches!(score, Some(Value::F32(x)) if x > 0.0),
            "run returned {score:?}"
        );
        Ok(())
    });
}

#[test]
fn malformed_bytes_fail_at_load() {
    // (A module that assembles but does not validate is case
    // `invalid-body` of the corpus.)
    let inputs: [(&str, &[u8]); 4] = [
        ("not wasm", b"definitely not wasm"),
        (
            "section past the end",
            b"\0asm\x01\0\0\0\x01\xff\xff\xff\xff\x0f",
        ),
        ("truncated section", b"\0asm\x01\0\0\0\x01\xff\xff"),
        ("wrong version", b"\0asm\x02\0\0\0"),
    ];
    on_every_variant("malformed modules", |label| {
        let mut rt = runtime(label, host());
        for (what, bytes) in inputs {
            // A runtime that prepares modules on the host rejects them there.
            match prepare(&*rt, bytes) {
                Ok(_) => {}
                Err(e) if (e.kind, e.stage) == (ErrorKind::Malformed, Stage::Prepare) => {}
                Err(e) => return Err(format!("{what}: prepare: {e}")),
            }
            // Loading the bytes as they are (unprepared) fails at load,
            // unless the variant does not validate (then it must not crash).
            let loaded = rt.instantiate(bytes, Host::new(clock())).map(|_| ());
            if UNVALIDATED.iter().any(|(l, _)| *l == label) {
                if let Err(e) = loaded {
                    ensure!(e.kind == ErrorKind::Malformed, "{what}: {e}");
                }
                continue;
            }
            let e = expect_error(loaded, ErrorKind::Malformed, Stage::Load)
                .map_err(|e| format!("{what}: {e}"))?;
            ensure!(!e.message.is_empty(), "{what}: no message");
        }
        Ok(())
    });
}

#[test]
fn unknown_imports_fail_to_link() {
    let cases = [
        (
            Abi::Embench,
            r#"(module (import "env" "nope" (func)) (func (export "__original_main") (result i32) (i32.const 0)))"#,
        ),
        (
            Abi::Embench,
            r#"(module (import "other" "start_trigger" (func)) (func (export "__original_main") (result i32) (i32.const 0)))"#,
        ),
        (
            Abi::CoreMark,
            r#"(module (import "env" "clock_ms" (func (result i32))) (func (export "run") (result f32) (f32.const 1)))"#,
        ),
        (
            Abi::CoreMark,
            r#"(module (import "env" "clock_ms" (func (param i32) (result i64))) (func (export "run") (result f32) (f32.const 1)))"#,
        ),
        (
            Abi::CoreMark,
            r#"(module (import "env" "memory" (memory 1)) (func (export "run") (result f32) (f32.const 1)))"#,
        ),
        (
            Abi::CoreMark,
            r#"(module (import "env" "g" (global i32)) (func (export "run") (result f32) (f32.const 1)))"#,
        ),
    ];
    on_every_variant("unknown imports", |label| {
        for (abi, text) in cases {
            let e = expect_error(
                run(label, host(), abi, &wasm(text)),
                ErrorKind::Link,
                Stage::Instantiate,
            )
            .map_err(|e| format!("{text}: {e}"))?;
            // The message names the import (wasm3 cannot see table imports,
            // none are here).
            let named = [
                "env.nope",
                "other.start_trigger",
                "env.clock_ms",
                "env.memory",
                "env.g",
                "memory",
            ]
            .iter()
            .any(|n| e.message.contains(n));
            ensure!(named, "{text}: the message does not name the import: {e}");
        }
        Ok(())
    });
}

#[test]
fn traps_leave_the_runtime_usable() {
    let trapping = wasm(TRAPS_AFTER_A_HOST_CALL);
    let div0 = wasm(
        crate::cases::CASES
            .iter()
            .find(|c| c.name == "divide-by-zero")
            .unwrap()
            .wat,
    );
    let good = wasm(EMBENCH);
    on_every_variant("traps", |label| {
        let mut rt = runtime(label, host());
        let trapping = prepare(&*rt, &trapping).map_err(|e| e.to_string())?;
        let div0 = prepare(&*rt, &div0).map_err(|e| e.to_string())?;
        let good = prepare(&*rt, &good).map_err(|e| e.to_string())?;

        let e = expect_error(
            abi::run(&mut *rt, Abi::Embench, &trapping, clock()),
            ErrorKind::Trap,
            Stage::Run,
        )?;
        ensure!(!e.message.is_empty(), "a trap without a message");
        expect_error(
            abi::run(&mut *rt, Abi::CoreMark, &div0, clock()),
            ErrorKind::Trap,
            Stage::Run,
        )?;

        // The same runtime instantiates and runs again.
        let out = abi::run(&mut *rt, Abi::Embench, &good, clock()).map_err(|e| e.to_string())?;
        ensure!(out.verified, "{out:?}");

        // And an instance that trapped can be called again.
        let mut inst = rt
            .instantiate(&trapping, Host::new(clock()))
            .map_err(|e| e.to_string())?;
        expect_error(inst.call("__original_main"), ErrorKind::Trap, Stage::Run)?;
        expect_error(inst.call("__original_main"), ErrorKind::Trap, Stage::Run)?;
        ensure!(
            inst.host().initialised() == 2,
            "host calls: {}",
            inst.host().initialised()
        );
        Ok(())
    });
}

/// Every case of the corpus, under the boards' and the host's budgets (the
/// latter with the host board's 64 MiB heap budget).
#[test]
fn bad_module_corpus() {
    on_every_variant("the bad-module corpus", |label| {
        let mut wrong = Vec::new();
        for case in crate::cases::CASES {
            let module = wasm(case.wat);
            for (budget, limits, heap) in [
                ("embedded", Limits::EMBEDDED, usize::MAX),
                ("host", host(), 64 * 1024 * 1024),
            ] {
                alloc::set_limit(alloc::current().saturating_add(heap));
                let result = run(label, limits, case.abi, &module);
                alloc::set_limit(usize::MAX);
                let (kind, stage) = outcome(&result);
                let said = result.err().map(|e| e.message).unwrap_or_default();
                // The classification table, for the log (`--nocapture`).
                println!(
                    "{label:>16} {:<32} {budget:<8} {kind} {stage}: {said}",
                    case.name
                );
                if let Err(why) = case.check(label, &kind, &stage) {
                    wrong.push(format!("{budget} budgets: {why} ({said})"));
                }
            }
        }
        ensure!(wrong.is_empty(), "\n    {}", wrong.join("\n    "));
        Ok(())
    });
}

/// A `memory.grow` past `Limits::max_memory` ends the cell as out-of-memory;
/// one past the module's own (smaller) maximum is the guest's business; and
/// within the cap everything runs.
#[test]
fn memory_growth_past_the_cap_is_out_of_memory() {
    on_every_variant("memory growth past Limits::max_memory", |label| {
        let past_cap = run(label, capped(), Abi::Embench, &growing_module(None));
        if growth_unseen(label) {
            return expect_buffer_trap(past_cap);
        }
        if growth_impossible(label) {
            // Every growth fails, within the cap or past it.
            return expect_error(past_cap, ErrorKind::OutOfMemory, Stage::Run).map(|_| ());
        }
        expect_error(past_cap, ErrorKind::OutOfMemory, Stage::Run)
            .map_err(|e| format!("no own maximum: {e}"))?;
        expect_error(
            run(label, capped(), Abi::Embench, &growing_module(Some(20))),
            ErrorKind::Trap,
            Stage::Run,
        )
        .map_err(|e| format!("own maximum below the cap: {e}"))?;
        // 100 × 16 pages fit in 1601 pages.
        let roomy = Limits {
            max_memory: 1601 * 65536,
            ..host()
        };
        let out =
            run(label, roomy, Abi::Embench, &growing_module(None)).map_err(|e| e.to_string())?;
        ensure!(out.exit_code == 1, "{out:?}");
        ensure!(
            out.linear_memory.is_none_or(|m| m == 1601 * 65536),
            "{out:?}"
        );
        Ok(())
    });
}

/// With the linear-memory cap far away, the heap budget of the tracking
/// allocator stops a growing module, cleanly, and the runtime stays usable.
#[test]
fn memory_growth_past_the_heap_budget_is_out_of_memory() {
    let module = growing_module(None);
    let good = wasm(EMBENCH);
    let generous = Limits {
        max_memory: 64 * 1024 * 1024,
        ..host()
    };
    on_every_variant("memory growth past the heap budget", |label| {
        let mut rt = runtime(label, generous);
        let module = prepare(&*rt, &module).map_err(|e| e.to_string())?;
        let good = prepare(&*rt, &good).map_err(|e| e.to_string())?;
        alloc::set_limit(alloc::current() + 4 * 1024 * 1024);
        let result = abi::run(&mut *rt, Abi::Embench, &module, clock());
        alloc::set_limit(usize::MAX);
        if growth_unseen(label) {
            expect_buffer_trap(result)?;
        } else {
            expect_error(result, ErrorKind::OutOfMemory, Stage::Run)?;
        }
        let out = abi::run(&mut *rt, Abi::Embench, &good, clock()).map_err(|e| e.to_string())?;
        ensure!(out.verified, "{out:?}");
        Ok(())
    });
}

/// A growth past the budget ends the cell even when the guest copes with
/// the -1 it got: the budget, not the workload, decided the outcome.
#[test]
fn memory_growth_past_the_cap_ends_the_cell_even_when_the_guest_copes() {
    let module = wasm(GROWS_AND_COPES);
    on_every_variant("a coped-with growth past the cap", |label| {
        let past_cap = run(label, capped(), Abi::Embench, &module);
        if growth_unseen(label) {
            // Nothing touches the new pages: the run succeeds.
            ensure!(past_cap.as_ref().is_ok_and(|o| o.verified), "{past_cap:?}");
            return Ok(());
        }
        expect_error(past_cap, ErrorKind::OutOfMemory, Stage::Run)?;
        if growth_impossible(label) {
            return Ok(());
        }
        // With room, the same module runs and verifies.
        let out = run(label, host(), Abi::Embench, &module).map_err(|e| e.to_string())?;
        ensure!(out.verified, "{out:?}");
        ensure!(out.linear_memory.is_none_or(|m| m == 65 * 65536), "{out:?}");
        Ok(())
    });
}

/// Loading, instantiating and dropping, successfully or not, leaves the
/// heap as it was, for every runtime whose heap the tracking allocator
/// sees.
#[test]
fn no_leak_across_load_instantiate_drop() {
    let modules: Vec<(&str, Vec<u8>)> = [
        ("embench", EMBENCH),
        ("coremark", COREMARK),
        ("traps", TRAPS_AFTER_A_HOST_CALL),
    ]
    .into_iter()
    .map(|(n, w)| (n, wasm(w)))
    .chain(
        [
            "start-function-traps",
            "data-segment-out-of-bounds",
            "unknown-import",
            "memory-minimum-over-budget",
        ]
        .into_iter()
        .map(|n| {
            (
                n,
                wasm(
                    crate::cases::CASES
                        .iter()
                        .find(|c| c.name == n)
                        .unwrap()
                        .wat,
                ),
            )
        }),
    )
    .collect();
    on_every_variant("leaks", |label| {
        let mut rt = runtime(label, host());
        if !rt.heap_counted() {
            // wasm3 allocates with the C library's malloc on the host; its
            // heap is counted on the boards only.
            println!("{label}: leak check skipped: its heap does not go through the tracking allocator here");
            return Ok(());
        }
        for (name, module) in &modules {
            let module = prepare(&*rt, module).map_err(|e| e.to_string())?;
            assert_no_leak(&format!("{name}: instantiate and drop"), || {
                drop(rt.instantiate(&module, Host::new(clock())));
            });
            assert_no_leak(&format!("{name}: run"), || {
                let _ = abi::run(&mut *rt, Abi::Embench, &module, clock());
            });
        }
        Ok(())
    });
}
