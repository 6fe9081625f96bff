//! The pure-Rust interpreters (DLR's wasm-interpreter, tinywasm, wasefire)
//! driven through the engine interface and the benchmark ABIs.
//!
//! ```text
//! cargo test -p trevm-bench --features std,prepare,wasm-interpreter,tinywasm --test rust_interpreters
//! cargo +nightly test -p trevm-bench --features std,prepare,wasefire --test rust_interpreters
//! ```
//!
//! Every test takes the lock of `common::serial`: they share the tracking allocator's counters
//! and budget. Behaviour that aborts the process (an allocation the heap
//! refuses inside a runtime that uses `Vec`) is checked in a child process
//! running one `probe_*` test (see [`expect_abort`]).
#![cfg(feature = "std")]
#![allow(dead_code)]

mod common;

use common::{clock, serial, wasm};
use trevm_bench::alloc;
use trevm_bench::{abi, runtimes, Abi, ErrorKind, Host, Limits, Outcome, Runtime, Stage, Value};

fn runtime(label: &str, limits: Limits) -> Box<dyn Runtime> {
    runtimes::create(label, limits).unwrap_or_else(|e| panic!("create {label}: {e}"))
}

/// The module in the form the runtime instantiates.
#[cfg(feature = "prepare")]
fn prepared(rt: &dyn Runtime, wasm: &[u8]) -> Vec<u8> {
    rt.prepare(wasm, usize::BITS)
        .unwrap_or_else(|e| panic!("prepare: {e}"))
}

#[cfg(not(feature = "prepare"))]
fn prepared(_: &dyn Runtime, wasm: &[u8]) -> Vec<u8> {
    wasm.to_vec()
}

fn run(label: &str, limits: Limits, abi: Abi, wat: &str) -> Result<Outcome, trevm_bench::Error> {
    let mut rt = runtime(label, limits);
    let module = prepared(&*rt, &wasm(wat));
    abi::run(&mut *rt, abi, &module, clock())
}

// ---------------------------------------------------------------- modules

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

/// CoreMark ABI: `run() -> f32` reads `clock_ms` twice around a float loop.
const COREMARK: &str = r#"
(module
  (import "env" "clock_ms" (func $clock (result i64)))
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
  (func (export "f64") (result f64) (f64.const -2.25))
  (func (export "nothing")))
"#;

const UNKNOWN_IMPORT: &str = r#"
(module
  (import "env" "nope" (func))
  (func (export "__original_main") (result i32) (i32.const 0)))
"#;

/// A known name with the wrong signature.
const WRONG_IMPORT_TYPE: &str = r#"
(module
  (import "env" "clock_ms" (func (param i32) (result i64)))
  (func (export "run") (result f32) (f32.const 1)))
"#;

/// Assembles, but does not validate: the body leaves an i64 where an i32 is due.
const INVALID: &str = r#"
(module (func (export "__original_main") (result i32) (i64.const 0)))
"#;

const UNREACHABLE: &str = r#"
(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (func (export "__original_main") (result i32)
    call $start
    unreachable))
"#;

/// Grows memory from 1 page by `$pages` and writes to the last new page.
fn grow_and_touch(pages: u32, max: Option<u32>) -> String {
    let max = max.map(|m| m.to_string()).unwrap_or_default();
    format!(
        r#"
(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory (export "memory") 1 {max})
  (func (export "__original_main") (result i32)
    (local $old i32)
    call $start
    (local.set $old (memory.grow (i32.const {pages})))
    call $stop
    (if (i32.eq (local.get $old) (i32.const -1)) (then (return (i32.const 3))))
    (i32.store (i32.const {last}) (i32.const 42))
    (i32.ne (i32.load (i32.const {last})) (i32.const 42))))
"#,
        last = pages * 65536 + 65536 - 4,
    )
}

/// Declares `$pages` initial pages.
fn big_initial(pages: u32) -> String {
    format!(
        r#"
(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory {pages})
  (func (export "__original_main") (result i32) call $start call $stop (i32.const 0)))
"#
    )
}

const RECURSE: &str = r#"
(module
  (func $f (param i32) (result i32) (call $f (i32.add (local.get 0) (i32.const 1))))
  (func (export "__original_main") (result i32) (call $f (i32.const 0))))
"#;

// ------------------------------------------------------------------ cases

fn small_memory() -> Limits {
    Limits {
        max_memory: 2 * 65536,
        ..Limits::EMBEDDED
    }
}

fn embench_verifies(label: &str) {
    let out = run(label, Limits::EMBEDDED, Abi::Embench, EMBENCH)
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    assert!(out.verified, "{label}: {out:?}");
    assert_eq!(out.exit_code, 0, "{label}");
    assert!(
        out.interval > 0,
        "{label}: the loop between the triggers took no time: {out:?}"
    );
    assert!(
        out.interval < 60_000_000_000,
        "{label}: implausible interval {out:?}"
    );
    assert_eq!(out.linear_memory, Some(2 * 65536), "{label}");
    assert_eq!(out.score, None);
}

fn embench_failed_check_is_not_verified(label: &str) {
    let out = run(label, Limits::EMBEDDED, Abi::Embench, EMBENCH_WRONG)
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    assert!(!out.verified, "{label}: {out:?}");
    assert_eq!(out.exit_code, 1);
}

fn coremark_runs(label: &str) {
    let out = run(label, Limits::EMBEDDED, Abi::CoreMark, COREMARK)
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    assert!(out.verified, "{label}: {out:?}");
    let score = out.score.expect("a CoreMark run has a score");
    assert!(score > 0.0 && score <= 1500.0, "{label}: score {score}");
    assert_eq!(out.iterations, Some(1000));
    // Only wasefire tells the size of a memory that is not exported.
    let expected = if label == "wasefire" {
        Some(65536)
    } else {
        None
    };
    assert_eq!(out.linear_memory, expected, "{label}");
}

fn instance_api(label: &str) {
    let mut rt = runtime(label, Limits::EMBEDDED);
    let info = rt.info();
    assert_eq!(info.label, label);
    assert_ne!(
        info.version, "unknown",
        "{label}: version not found in Cargo.lock"
    );
    let module = prepared(&*rt, &wasm(COREMARK));
    let mut inst = rt
        .instantiate(&module, Host::new(clock()))
        .unwrap_or_else(|e| panic!("{label}: {e}"));
    assert!(inst.has_export("run"));
    assert!(inst.has_export("nothing"));
    assert!(!inst.has_export("missing"));
    let before = clock().millis();
    let Some(Value::I64(now)) = inst.call("now").unwrap() else {
        panic!("{label}: `now` must return an i64")
    };
    let after = clock().millis();
    assert!(
        before <= now && now <= after,
        "{label}: clock_ms {now} outside [{before}, {after}]"
    );
    assert_eq!(inst.call("f64").unwrap(), Some(Value::F64(-2.25)));
    assert_eq!(inst.call("iterations").unwrap(), Some(Value::I32(1000)));
    assert_eq!(inst.call("nothing").unwrap(), None);
    let e = inst.call("missing").unwrap_err();
    assert_eq!(
        (e.kind, e.stage),
        (ErrorKind::Link, Stage::Run),
        "{label}: {e}"
    );
    assert_eq!(inst.host().interval(), None);
    // Calls can be repeated.
    assert!(matches!(inst.call("run").unwrap(), Some(Value::F32(x)) if x > 0.0));
}

fn malformed_is_malformed(label: &str) {
    let mut rt = runtime(label, Limits::EMBEDDED);
    for bytes in [
        &b"\0asm\x01\0\0\0\x01\xff\xff"[..],
        b"not wasm at all",
        &wasm(INVALID),
    ] {
        // Only wasefire prepares modules (and validates them while doing so).
        #[cfg(feature = "prepare")]
        if label == "wasefire" {
            let e = rt.prepare(bytes, usize::BITS).unwrap_err();
            assert_eq!(
                (e.kind, e.stage),
                (ErrorKind::Malformed, Stage::Prepare),
                "{label}: {e}"
            );
        }
        let e = abi::run(&mut *rt, Abi::Embench, bytes, clock()).unwrap_err();
        println!("{label}: {e}");
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::Malformed, Stage::Load),
            "{label}: {e}"
        );
    }
}

fn unknown_import_is_link_error(label: &str) {
    for (wat, abi) in [
        (UNKNOWN_IMPORT, Abi::Embench),
        (WRONG_IMPORT_TYPE, Abi::CoreMark),
    ] {
        let e = run(label, Limits::EMBEDDED, abi, wat).unwrap_err();
        println!("{label}: {e}");
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::Link, Stage::Instantiate),
            "{label}: {e}"
        );
    }
    let e = run(label, Limits::EMBEDDED, Abi::Embench, UNKNOWN_IMPORT).unwrap_err();
    assert!(
        e.message.contains("env.nope"),
        "{label}: the message should name the import: {e}"
    );
    let e = run(label, Limits::EMBEDDED, Abi::CoreMark, WRONG_IMPORT_TYPE).unwrap_err();
    assert!(
        e.message.contains("env.clock_ms"),
        "{label}: the message should name the import: {e}"
    );
}

fn unreachable_traps(label: &str) {
    let e = run(label, Limits::EMBEDDED, Abi::Embench, UNREACHABLE).unwrap_err();
    println!("{label}: {e}");
    assert_eq!(
        (e.kind, e.stage),
        (ErrorKind::Trap, Stage::Run),
        "{label}: {e}"
    );
    assert!(!e.message.is_empty());
}

fn recursion_traps(label: &str) {
    let e = run(label, Limits::EMBEDDED, Abi::Embench, RECURSE).unwrap_err();
    println!("{label}: {e}");
    assert_eq!(
        (e.kind, e.stage),
        (ErrorKind::Trap, Stage::Run),
        "{label}: {e}"
    );
}

fn initial_memory_over_budget(label: &str) {
    // 8 pages against a budget of 2.
    let e = run(label, small_memory(), Abi::Embench, &big_initial(8)).unwrap_err();
    println!("{label}: {e}");
    assert_eq!(
        (e.kind, e.stage),
        (ErrorKind::OutOfMemory, Stage::Instantiate),
        "{label}: {e}"
    );
    // Within `max_memory`, but not within the heap budget.
    alloc::set_limit(alloc::current() + 256 * 1024);
    let e = run(label, Limits::HOST, Abi::Embench, &big_initial(8)).unwrap_err();
    alloc::set_limit(usize::MAX);
    println!("{label}: {e}");
    assert_eq!(e.kind, ErrorKind::OutOfMemory, "{label}: {e}");
}

/// Runs the test `name` of this binary in a child process with
/// `TREVM_PROBE` set and checks that the child died of a refused allocation.
fn expect_abort(name: &str) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env("TREVM_PROBE", "1")
        .output()
        .expect("run the test binary");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success() && stderr.contains("memory allocation of"),
        "{name}: expected an abort on a refused allocation, got {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
}

fn probing() -> bool {
    std::env::var_os("TREVM_PROBE").is_some()
}

// ------------------------------------------------------------ per runtime

#[cfg(feature = "wasm-interpreter")]
mod wasm_interpreter {
    use super::*;
    const L: &str = "wasm-interpreter";

    #[test]
    fn embench() {
        let _s = serial();
        embench_verifies(L);
        embench_failed_check_is_not_verified(L);
    }

    #[test]
    fn coremark() {
        let _s = serial();
        coremark_runs(L);
    }

    #[test]
    fn instance() {
        let _s = serial();
        instance_api(L);
    }

    #[test]
    fn malformed() {
        let _s = serial();
        malformed_is_malformed(L);
    }

    #[test]
    fn link() {
        let _s = serial();
        unknown_import_is_link_error(L);
    }

    #[test]
    fn trap() {
        let _s = serial();
        unreachable_traps(L);
        recursion_traps(L);
    }

    #[test]
    fn stacks_are_small() {
        use trevm_bench::runtimes::wasm_interpreter::{CALL_FRAMES, STACK_BUDGET, VALUE_SLOTS};
        let _s = serial();
        const { assert!(VALUE_SLOTS >= 512 && VALUE_SLOTS * 24 + CALL_FRAMES * 48 <= STACK_BUDGET) };
        // The whole cell, stacks included, stays far below the ~1.5 MiB
        // the interpreter's default configuration would allocate.
        alloc::reset_peak();
        let base = alloc::current();
        embench_verifies(L);
        let peak = alloc::peak() - base;
        println!("{L}: peak heap of the Embench cell {peak} B");
        assert!(peak < 2 * 65536 + 160 * 1024, "peak heap {peak} B");
    }

    #[test]
    fn initial_memory_budget() {
        let _s = serial();
        initial_memory_over_budget(L);
    }

    /// The interpreter has no memory limiter: `memory.grow` past
    /// `Limits::max_memory` succeeds (only the module's maximum binds).
    #[test]
    fn growth_is_not_capped_by_max_memory() {
        let _s = serial();
        let out = run(L, small_memory(), Abi::Embench, &grow_and_touch(4, None)).unwrap();
        assert!(out.verified);
        assert_eq!(out.linear_memory, Some(5 * 65536));
        // The module's own maximum binds: memory.grow returns -1 (exit code 3).
        let out = run(L, Limits::HOST, Abi::Embench, &grow_and_touch(4, Some(2))).unwrap();
        assert_eq!(out.exit_code, 3);
    }

    /// Growing past the heap budget aborts the process (`Vec::resize`).
    #[test]
    fn growth_beyond_heap_budget_aborts() {
        let _s = serial();
        expect_abort("wasm_interpreter::probe_growth_beyond_heap_budget");
    }

    #[test]
    fn probe_growth_beyond_heap_budget() {
        if !probing() {
            return;
        }
        let _s = serial();
        alloc::set_limit(alloc::current() + 2 * 1024 * 1024);
        let r = run(L, Limits::HOST, Abi::Embench, &grow_and_touch(100, None));
        println!("returned instead of aborting: {r:?}");
    }
}

#[cfg(feature = "tinywasm")]
mod tinywasm {
    use super::*;
    const L: &str = "tinywasm";

    #[test]
    fn embench() {
        let _s = serial();
        embench_verifies(L);
        embench_failed_check_is_not_verified(L);
    }

    #[test]
    fn coremark() {
        let _s = serial();
        coremark_runs(L);
    }

    #[test]
    fn instance() {
        let _s = serial();
        instance_api(L);
    }

    #[test]
    fn malformed() {
        let _s = serial();
        malformed_is_malformed(L);
    }

    #[test]
    fn link() {
        let _s = serial();
        unknown_import_is_link_error(L);
    }

    #[test]
    fn trap() {
        let _s = serial();
        unreachable_traps(L);
        recursion_traps(L);
    }

    #[test]
    fn stacks_are_small() {
        let _s = serial();
        alloc::reset_peak();
        let base = alloc::current();
        embench_verifies(L);
        let peak = alloc::peak() - base;
        println!("{L}: peak heap of the Embench cell {peak} B");
        // 2 pages of memory, ~32 KiB of stacks, the translated module.
        assert!(peak < 2 * 65536 + 160 * 1024, "peak heap {peak} B");
    }

    #[test]
    fn initial_memory_budget() {
        let _s = serial();
        initial_memory_over_budget(L);
    }

    #[test]
    fn growth_beyond_max_memory_is_out_of_memory() {
        let _s = serial();
        let e = run(L, small_memory(), Abi::Embench, &grow_and_touch(4, None)).unwrap_err();
        println!("{L}: {e}");
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::OutOfMemory, Stage::Run),
            "{e}"
        );
        assert!(e.message.contains("budget of 131072 B"), "{e}");
        // Within the budget it works.
        let out = run(L, small_memory(), Abi::Embench, &grow_and_touch(1, None)).unwrap();
        assert!(out.verified);
        assert_eq!(out.linear_memory, Some(2 * 65536));
    }

    #[test]
    fn growth_beyond_heap_budget_is_out_of_memory() {
        let _s = serial();
        alloc::set_limit(alloc::current() + 2 * 1024 * 1024);
        let e = run(L, Limits::HOST, Abi::Embench, &grow_and_touch(100, None)).unwrap_err();
        alloc::set_limit(usize::MAX);
        println!("{L}: {e}");
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::OutOfMemory, Stage::Run),
            "{e}"
        );
    }
}

#[cfg(feature = "wasefire")]
mod wasefire {
    use super::*;
    const L: &str = "wasefire";

    #[test]
    fn embench() {
        let _s = serial();
        embench_verifies(L);
        embench_failed_check_is_not_verified(L);
    }

    #[test]
    fn coremark() {
        let _s = serial();
        coremark_runs(L);
    }

    #[test]
    fn instance() {
        let _s = serial();
        instance_api(L);
    }

    #[test]
    fn malformed() {
        let _s = serial();
        malformed_is_malformed(L);
    }

    /// A valid module that did not go through `prepare` has no side table.
    #[test]
    fn unprepared_is_malformed() {
        let _s = serial();
        let mut rt = runtime(L, Limits::EMBEDDED);
        let e = abi::run(&mut *rt, Abi::Embench, &wasm(EMBENCH), clock()).unwrap_err();
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::Malformed, Stage::Load),
            "{e}"
        );
        assert!(e.message.contains("prepare"), "{e}");
    }

    #[test]
    fn link() {
        let _s = serial();
        unknown_import_is_link_error(L);
    }

    /// wasefire bounds the call depth (1000 frames) itself.
    #[test]
    fn trap() {
        let _s = serial();
        unreachable_traps(L);
        recursion_traps(L);
    }

    #[test]
    fn initial_memory_budget() {
        let _s = serial();
        initial_memory_over_budget(L);
    }

    /// The buffer is the declared maximum, bounded by the budget.
    #[test]
    fn buffer_size() {
        let _s = serial();
        let out = run(L, small_memory(), Abi::Embench, &grow_and_touch(1, Some(8))).unwrap();
        assert!(out.verified);
        assert_eq!(out.linear_memory, Some(2 * 65536));
    }

    /// `memory.grow` succeeds past the buffer; touching the new pages traps.
    #[test]
    fn growth_beyond_buffer_traps() {
        let _s = serial();
        let e = run(L, small_memory(), Abi::Embench, &grow_and_touch(4, None)).unwrap_err();
        println!("{L}: {e}");
        assert_eq!((e.kind, e.stage), (ErrorKind::Trap, Stage::Run), "{e}");
        assert!(e.message.contains("beyond the 65536 B buffer"), "{e}");
        let e = run(L, small_memory(), Abi::Embench, &grow_and_touch(4, Some(8))).unwrap_err();
        println!("{L}: {e}");
        assert!(e.message.contains("beyond the 131072 B buffer"), "{e}");
    }

    /// A buffer the heap cannot provide fails cleanly at instantiation.
    #[test]
    fn buffer_beyond_heap_budget_is_out_of_memory() {
        let _s = serial();
        alloc::set_limit(alloc::current() + 2 * 1024 * 1024);
        let e = run(
            L,
            Limits::HOST,
            Abi::Embench,
            &grow_and_touch(100, Some(200)),
        )
        .unwrap_err();
        alloc::set_limit(usize::MAX);
        println!("{L}: {e}");
        assert_eq!(
            (e.kind, e.stage),
            (ErrorKind::OutOfMemory, Stage::Instantiate),
            "{e}"
        );
    }
}
