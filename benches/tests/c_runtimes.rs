//! The C runtimes (WAMR classic, WAMR fast, wasm3) through the engine
//! interface and the benchmark ABIs.
//!
//! Run with `cargo test -p trevm-bench --features std,wamr,wasm3 --test c_runtimes`.
//! The tests share the process-wide tracking allocator and its budget, so
//! they take a lock and run one at a time; run them with `--test-threads=1`
//! (as `make test` does) so that no other test thread allocates during a
//! leak check.
#![cfg(all(feature = "std", feature = "wamr", feature = "wasm3"))]

mod common;

use common::{clock, serial, wasm};
use trevm_bench::alloc;
use trevm_bench::{abi, runtimes, Abi, Error, ErrorKind, Host, Limits, Stage, Value};

const LABELS: [&str; 3] = ["wamr", "wamr-fast", "wasm3"];

/// Runs `f` 16 times and fails when the heap grew by more than the noise of
/// the test harness's own threads (the tracking allocator is process-wide):
/// a leak of 64 B per run shows.
fn assert_no_leak(what: &str, mut f: impl FnMut()) {
    f(); // first-use allocations
    let before = alloc::current();
    for _ in 0..16 {
        f();
    }
    let grown = alloc::current().saturating_sub(before);
    assert!(
        grown < 1024,
        "{what}: the heap grew by {grown} B over 16 runs"
    );
}

fn limits() -> Limits {
    Limits {
        max_memory: 16 * 1024 * 1024,
        fuel: u64::MAX / 2,
        stack: 32 * 1024,
    }
}

/// Runs `module` on a fresh `label` runtime.
fn run(label: &str, abi: Abi, module: &[u8], limits: Limits) -> Result<abi::Outcome, Error> {
    let mut rt =
        runtimes::create(label, limits).unwrap_or_else(|e| panic!("{label}: create failed: {e}"));
    abi::run(&mut *rt, abi, module, clock())
}

/// Embench ABI: sums 0..100000 between the triggers and returns 0 when the
/// sum (mod 2^32) is right, or `wrong` when asked to get it wrong.
fn embench_module(wrong: bool) -> Vec<u8> {
    let expected = if wrong { 1 } else { 704982704 };
    wasm(&format!(
        r#"(module
            (import "env" "initialise_board" (func $init))
            (import "env" "start_trigger" (func $start))
            (import "env" "stop_trigger" (func $stop))
            (memory 1)
            (func (export "__original_main") (result i32)
              (local $i i32) (local $acc i32)
              call $init
              call $start
              (loop $l
                (local.set $acc (i32.add (local.get $acc) (local.get $i)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
              call $stop
              (i32.ne (local.get $acc) (i32.const {expected}))))"#
    ))
}

/// CoreMark ABI: `run() -> f32` computes a "score" from `env.clock_ms`.
fn coremark_module() -> Vec<u8> {
    wasm(
        r#"(module
            (import "env" "clock_ms" (func $clock (result i64)))
            (global $iters (mut i32) (i32.const 0))
            (func (export "run") (result f32)
              (local $t0 i64) (local $i i32)
              (local.set $t0 (call $clock))
              (loop $l
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_u (local.get $i) (i32.const 200000))))
              (global.set $iters (local.get $i))
              ;; score = iterations / (elapsed ms + 1)
              (f32.div
                (f32.convert_i32_u (local.get $i))
                (f32.convert_i64_s (i64.add (i64.sub (call $clock) (local.get $t0)) (i64.const 1)))))
            (func (export "iterations") (result i32) (global.get $iters))
            (func (export "validated") (result i32) (i32.const 1)))"#,
    )
}

#[test]
fn all_three_are_compiled_in() {
    let _s = serial();
    let available = runtimes::available();
    for label in LABELS {
        assert!(
            available.contains(&label),
            "{label} missing from {available:?}"
        );
        let rt = runtimes::create(label, limits()).unwrap();
        let info = rt.info();
        assert_eq!(info.label, label);
        assert_ne!(
            info.version, "unknown",
            "{label}: version not found in Cargo.lock"
        );
        match label {
            "wasm3" => {
                assert_eq!(info.crate_name, "wasm3");
                assert_eq!(info.features, &["use-32bit-slots"]);
            }
            _ => {
                assert_eq!(info.crate_name, "wamrx-sys");
                assert!(info.features.contains(&"WAMR 2.4.3"), "{:?}", info.features);
                let mode = if label == "wamr" { "classic" } else { "fast" };
                assert!(info.features.contains(&mode), "{:?}", info.features);
            }
        }
    }
}

#[test]
fn embench_abi_verifies_and_measures() {
    let _s = serial();
    let good = embench_module(false);
    let bad = embench_module(true);
    for label in LABELS {
        let out =
            run(label, Abi::Embench, &good, limits()).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(out.verified, "{label}: {out:?}");
        assert_eq!(out.exit_code, 0, "{label}");
        assert!(out.interval > 0, "{label}: empty interval");
        assert_eq!(out.linear_memory, Some(65536), "{label}");

        let out =
            run(label, Abi::Embench, &bad, limits()).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(!out.verified, "{label}: a wrong result must not verify");
        assert_eq!(out.exit_code, 1, "{label}");
    }
}

#[test]
fn host_functions_reach_the_host() {
    let _s = serial();
    let module = embench_module(false);
    for label in LABELS {
        let mut rt = runtimes::create(label, limits()).unwrap();
        let mut inst = rt
            .instantiate(&module, Host::new(clock()))
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(inst.has_export("__original_main"), "{label}");
        assert!(!inst.has_export("nope"), "{label}");
        assert!(
            !inst.has_export("start_trigger"),
            "{label}: an import is not an export"
        );
        assert_eq!(inst.host().initialised(), 0);
        assert_eq!(
            inst.call("__original_main").unwrap(),
            Some(Value::I32(0)),
            "{label}"
        );
        assert_eq!(inst.host().initialised(), 1, "{label}");
        assert!(inst.host().interval().is_some(), "{label}");
        assert_eq!(inst.host().misuse(), None, "{label}");
        let e = match inst.call("nope") {
            Err(e) => e,
            Ok(v) => panic!("{label}: calling a missing export returned {v:?}"),
        };
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::Link, Stage::Run),
            "{label}: {e}"
        );
    }
}

#[test]
fn coremark_abi_scores() {
    let _s = serial();
    let module = coremark_module();
    for label in LABELS {
        let out =
            run(label, Abi::CoreMark, &module, limits()).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(out.verified, "{label}: {out:?}");
        let score = out.score.unwrap();
        assert!(score.is_finite() && score > 0.0, "{label}: score {score}");
        assert_eq!(out.iterations, Some(200000), "{label}");
        assert!(out.interval > 0, "{label}");
    }
}

#[test]
fn result_types_and_clock_ms() {
    let _s = serial();
    let module = wasm(
        r#"(module
            (import "env" "clock_ms" (func $clock (result i64)))
            (func (export "ms") (result i64) (call $clock))
            (func (export "i32") (result i32) (i32.const -7))
            (func (export "i64") (result i64) (i64.const 0x1122334455667788))
            (func (export "f32") (result f32) (f32.const 1.5))
            (func (export "f64") (result f64) (f64.const -2.25))
            (func (export "none")))"#,
    );
    for label in LABELS {
        let mut rt = runtimes::create(label, limits()).unwrap();
        let mut inst = rt
            .instantiate(&module, Host::new(clock()))
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(inst.call("i32").unwrap(), Some(Value::I32(-7)), "{label}");
        assert_eq!(
            inst.call("i64").unwrap(),
            Some(Value::I64(0x1122334455667788)),
            "{label}"
        );
        assert_eq!(inst.call("f32").unwrap(), Some(Value::F32(1.5)), "{label}");
        assert_eq!(
            inst.call("f64").unwrap(),
            Some(Value::F64(-2.25)),
            "{label}"
        );
        assert_eq!(inst.call("none").unwrap(), None, "{label}");
        let before = clock().millis();
        let Some(Value::I64(ms)) = inst.call("ms").unwrap() else {
            panic!("{label}: clock_ms did not return i64")
        };
        let after = clock().millis();
        assert!(
            before <= ms && ms <= after,
            "{label}: clock_ms {ms} not in [{before}, {after}]"
        );
    }
}

#[test]
fn malformed_modules_fail_at_load() {
    let _s = serial();
    let cases: [&[u8]; 3] = [
        b"definitely not wasm",
        b"\0asm\x01\0\0\0\x01\xff\xff\xff\xff\x0f",
        b"\0asm\x02\0\0\0",
    ];
    for label in LABELS {
        for bytes in cases {
            let e = run(label, Abi::Embench, bytes, limits()).expect_err(label);
            assert_eq!(
                (e.kind, e.stage),
                (ErrorKind::Malformed, Stage::Load),
                "{label}: {e}"
            );
            assert!(!e.message.is_empty(), "{label}: no message");
        }
    }
}

#[test]
fn other_imports_fail_to_link() {
    let _s = serial();
    let cases = [
        r#"(module (import "env" "nope" (func)) (func (export "__original_main") (result i32) (i32.const 0)))"#,
        r#"(module (import "other" "start_trigger" (func)) (func (export "__original_main") (result i32) (i32.const 0)))"#,
        // a host function with the wrong type
        r#"(module (import "env" "clock_ms" (func (result i32))) (func (export "run") (result f32) (f32.const 1)))"#,
        r#"(module (import "env" "memory" (memory 1)) (func (export "run") (result f32) (f32.const 1)))"#,
        r#"(module (import "env" "g" (global i32)) (func (export "run") (result f32) (f32.const 1)))"#,
    ];
    for label in LABELS {
        for text in cases {
            let mut rt = runtimes::create(label, limits()).unwrap();
            let e = match rt.instantiate(&wasm(text), Host::new(clock())) {
                Err(e) => e,
                Ok(_) => panic!("{label}: instantiated {text}"),
            };
            assert_eq!(
                (e.kind, e.stage),
                (ErrorKind::Link, Stage::Instantiate),
                "{label}: {text}: {e}"
            );
        }
        let e = run(label, Abi::Embench, &wasm(cases[0]), limits()).expect_err(label);
        assert_eq!(e.kind, ErrorKind::Link, "{label}: {e}");
        assert!(e.message.contains("env.nope"), "{label}: {e}");
    }
}

#[test]
fn traps_are_reported_and_the_runtime_stays_usable() {
    let _s = serial();
    let trapping = wasm(
        r#"(module
            (import "env" "initialise_board" (func $init))
            (func (export "__original_main") (result i32) call $init unreachable))"#,
    );
    let div0 = wasm(
        r#"(module (func (export "run") (result f32) (drop (i32.div_u (i32.const 1) (i32.const 0))) (f32.const 1)))"#,
    );
    let good = embench_module(false);
    for label in LABELS {
        let mut rt = runtimes::create(label, limits()).unwrap();
        let e = abi::run(&mut *rt, Abi::Embench, &trapping, clock()).expect_err(label);
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::Trap, Stage::Run),
            "{label}: {e}"
        );
        assert!(
            e.message.contains("unreachable"),
            "{label}: message {:?}",
            e.message
        );

        let e = abi::run(&mut *rt, Abi::CoreMark, &div0, clock()).expect_err(label);
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::Trap, Stage::Run),
            "{label}: {e}"
        );

        // The same runtime instantiates and runs again.
        let out = abi::run(&mut *rt, Abi::Embench, &good, clock())
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(out.verified, "{label}");

        // And an instance that trapped can be called again.
        let mut inst = rt.instantiate(&trapping, Host::new(clock())).unwrap();
        assert!(inst.call("__original_main").is_err());
        assert!(inst.call("__original_main").is_err());
        assert_eq!(inst.host().initialised(), 2, "{label}");
    }
}

#[test]
fn stack_overflow_traps() {
    let _s = serial();
    let module = wasm(
        r#"(module
            (func $f (param i32) (result i32) (i32.add (call $f (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
            (func (export "run") (result f32) (drop (call $f (i32.const 0))) (f32.const 1)))"#,
    );
    for label in LABELS {
        let e = run(label, Abi::CoreMark, &module, limits()).expect_err(label);
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::Trap, Stage::Run),
            "{label}: {e}"
        );
    }
}

/// Grows memory by 16 pages at a time (at most 100 times); traps when a grow
/// fails, returns 1 (unverified) when none did.
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

#[test]
fn heap_budget_ends_a_growing_module_cleanly() {
    let _s = serial();
    let module = growing_module(None);
    // The linear-memory cap is far away: the heap budget is what stops it.
    let generous = Limits {
        max_memory: 64 * 1024 * 1024,
        ..limits()
    };
    for label in LABELS {
        let mut rt = runtimes::create(label, generous).unwrap();
        alloc::set_limit(alloc::current() + 4 * 1024 * 1024);
        let (refused_before, _) = alloc::refusals();
        let result = abi::run(&mut *rt, Abi::Embench, &module, clock());
        let (refused_after, _) = alloc::refusals();
        alloc::set_limit(usize::MAX);
        let e = result.expect_err(label);
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::OutOfMemory, Stage::Run),
            "{label}: {e}"
        );
        if label != "wasm3" {
            // WAMR's heap is the Rust global allocator: the budget refused it.
            assert!(
                refused_after > refused_before,
                "{label}: no allocation was refused"
            );
        }
        // The runtime is still usable.
        let out = abi::run(&mut *rt, Abi::Embench, &embench_module(false), clock())
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(out.verified, "{label}");
    }
}

#[test]
fn max_memory_caps_linear_memory() {
    let _s = serial();
    let capped = Limits {
        max_memory: 2 * 1024 * 1024,
        ..limits()
    };
    for label in LABELS {
        // No heap budget: the cap (32 pages) stops the growth.
        let e = run(label, Abi::Embench, &growing_module(None), capped).expect_err(label);
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::OutOfMemory, Stage::Run),
            "{label}: {e}"
        );

        // The module's own maximum (below the cap) is the guest's business: a trap.
        let e = run(label, Abi::Embench, &growing_module(Some(20)), capped).expect_err(label);
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::Trap, Stage::Run),
            "{label}: {e}"
        );

        // Within the cap everything runs: 100 * 16 pages fit in 16 MiB + 64 KiB.
        let roomy = Limits {
            max_memory: 1601 * 65536,
            ..limits()
        };
        let out = run(label, Abi::Embench, &growing_module(None), roomy)
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(out.exit_code, 1, "{label}");
        assert_eq!(out.linear_memory, Some(1601 * 65536), "{label}");
    }
}

#[test]
fn growth_past_the_cap_ends_the_cell_even_when_the_guest_copes() {
    let _s = serial();
    // Ignores memory.grow's -1 and returns 0.
    let module = wasm(
        r#"(module
            (import "env" "start_trigger" (func $start))
            (import "env" "stop_trigger" (func $stop))
            (memory 1)
            (func (export "__original_main") (result i32)
              call $start
              (drop (memory.grow (i32.const 64)))
              call $stop
              (i32.const 0)))"#,
    );
    let too_big = wasm(r#"(module (memory 40) (func (export "run") (result f32) (f32.const 1)))"#);
    let capped = Limits {
        max_memory: 2 * 1024 * 1024,
        ..limits()
    };
    for label in LABELS {
        let e = run(label, Abi::Embench, &module, capped).expect_err(label);
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::OutOfMemory, Stage::Run),
            "{label}: {e}"
        );
        let e = run(label, Abi::CoreMark, &too_big, capped).expect_err(label);
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::OutOfMemory, Stage::Instantiate),
            "{label}: {e}"
        );
        // With room, the same module runs and verifies.
        let out =
            run(label, Abi::Embench, &module, limits()).unwrap_or_else(|e| panic!("{label}: {e}"));
        assert!(out.verified, "{label}");
        assert_eq!(out.linear_memory, Some(65 * 65536), "{label}");
    }
}

#[test]
fn wamr_heap_is_counted_by_the_tracking_allocator() {
    let _s = serial();
    let module = wasm(r#"(module (memory 16) (func (export "run") (result f32) (f32.const 1)))"#);
    for label in ["wamr", "wamr-fast"] {
        let mut rt = runtimes::create(label, limits()).unwrap();
        let before = alloc::current();
        let inst = rt.instantiate(&module, Host::new(clock())).unwrap();
        let during = alloc::current();
        drop(inst);
        assert!(
            during >= before + 16 * 65536,
            "{label}: {before} -> {during}: linear memory not counted"
        );
        assert_no_leak(label, || {
            drop(rt.instantiate(&module, Host::new(clock())).unwrap())
        });
    }
}

#[test]
fn a_refused_heap_fails_instantiation_cleanly() {
    let _s = serial();
    let module = wasm(r#"(module (memory 64) (func (export "run") (result f32) (f32.const 1)))"#);
    let embench = embench_module(false);
    for label in ["wamr", "wamr-fast"] {
        let mut rt = runtimes::create(label, limits()).unwrap();
        // 64 pages (4 MiB) do not fit in 1 MiB.
        let refused = |rt: &mut Box<dyn trevm_bench::Runtime>| {
            alloc::set_limit(alloc::current() + 1024 * 1024);
            let result = abi::run(&mut **rt, Abi::CoreMark, &module, clock());
            alloc::set_limit(usize::MAX);
            let e = result.expect_err(label);
            assert_eq!(
                (e.kind, e.stage),
                (ErrorKind::OutOfMemory, Stage::Instantiate),
                "{label}: {e}"
            );
        };
        refused(&mut rt);
        assert_no_leak(label, || refused(&mut rt));

        // Ever smaller budgets: errors, never a crash, nothing leaked. (The
        // abi layer needs some headroom of its own to format its message.)
        let mut failures = 0;
        for headroom in [
            256 * 1024,
            64 * 1024,
            16 * 1024,
            8 * 1024,
            4 * 1024,
            2 * 1024,
            1024,
        ] {
            assert_no_leak(label, || {
                alloc::set_limit(alloc::current() + headroom);
                let result = abi::run(&mut *rt, Abi::Embench, &embench, clock());
                alloc::set_limit(usize::MAX);
                if let Err(e) = result {
                    assert_eq!(
                        e.kind,
                        ErrorKind::OutOfMemory,
                        "{label} with {headroom} B: {e}"
                    );
                    failures += 1;
                }
            });
        }
        assert!(failures > 0, "{label}: even 1 KiB was enough?");
    }
}
