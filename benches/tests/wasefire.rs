//! What only the wasefire adapter does: side tables added on the host, a
//! linear memory buffer sized once, and the checks for what wasefire itself
//! cannot report (a start function with host calls, its limit on locals).
//! (Everything all runtimes do is in `conformance.rs`.)
//!
//! ```text
//! CARGO_TARGET_DIR=target/nightly cargo +nightly test --release -p trevm-bench --features std,prepare,wasefire --test runtimes -- --test-threads=1
//! ```
#![cfg(all(feature = "std", feature = "prepare", feature = "wasefire"))]

use crate::common::{clock, run, runtime, serial, wasm};
use trevm_bench::runtimes::wasefire::MAX_LOCALS;
use trevm_bench::{abi, Abi, ErrorKind, Limits, Stage};

const L: &str = "wasefire";

/// Two pages of linear memory.
fn small_memory() -> Limits {
    Limits {
        max_memory: 2 * 65536,
        ..Limits::EMBEDDED
    }
}

/// Grows memory from 1 page by `pages` and writes to the last new page.
fn grow_and_touch(pages: u32, max: Option<u32>) -> Vec<u8> {
    let max = max.map(|m| m.to_string()).unwrap_or_default();
    wasm(&format!(
        r#"(module
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
    (i32.ne (i32.load (i32.const {last})) (i32.const 42))))"#,
        last = pages * 65536 + 65536 - 4,
    ))
}

/// A valid module that did not go through `prepare` has no side table.
#[test]
fn an_unprepared_module_is_malformed() {
    let _s = serial();
    let module = grow_and_touch(0, None);
    let mut rt = runtime(L, Limits::EMBEDDED);
    let e = abi::run(&mut *rt, Abi::Embench, &module, clock()).unwrap_err();
    assert_eq!(
        (e.kind, e.stage),
        (ErrorKind::Malformed, Stage::Load),
        "{e}"
    );
    assert!(e.message.contains("prepare"), "{e}");
}

/// The buffer is the declared maximum, bounded by the budget.
#[test]
fn the_buffer_is_the_declared_maximum_within_the_budget() {
    let _s = serial();
    let out = run(L, small_memory(), Abi::Embench, &grow_and_touch(1, Some(8))).unwrap();
    assert!(out.verified, "{out:?}");
    assert_eq!(out.linear_memory, Some(2 * 65536));
    // Past the buffer, the trap names it as the likely cause.
    let e = run(L, small_memory(), Abi::Embench, &grow_and_touch(4, Some(8))).unwrap_err();
    assert_eq!((e.kind, e.stage), (ErrorKind::Trap, Stage::Run), "{e}");
    assert!(e.message.contains("beyond the 131072 B buffer"), "{e}");
}

/// wasefire panics when a start function calls a host function; the
/// adapter refuses modules that could do that instead of crashing.
#[test]
fn a_start_function_next_to_host_functions_is_unsupported() {
    let _s = serial();
    let module = wasm(
        r#"(module
  (import "env" "initialise_board" (func $init))
  (func $start call $init)
  (start $start)
  (func (export "__original_main") (result i32) (i32.const 0)))"#,
    );
    let e = run(L, Limits::EMBEDDED, Abi::Embench, &module).unwrap_err();
    assert_eq!(
        (e.kind, e.stage),
        (ErrorKind::Unsupported, Stage::Instantiate),
        "{e}"
    );
}

/// More locals than wasefire's frames hold: a resource limit, found when
/// preparing (and again when loading an unprepared module).
#[test]
fn too_many_locals_are_out_of_memory() {
    let _s = serial();
    let fits = MAX_LOCALS - 1;
    let text = |locals: u64| {
        format!(
            r#"(module
  (func $f (param i32) (result i32) {decls} (local.get 0))
  (func (export "__original_main") (result i32) (call $f (i32.const 0))))"#,
            decls = "(local i32) ".repeat(locals as usize),
        )
    };
    let rt = runtime(L, Limits::EMBEDDED);
    rt.prepare(&wasm(&text(fits)), usize::BITS)
        .unwrap_or_else(|e| panic!("{fits} locals and a parameter: {e}"));
    let e = rt.prepare(&wasm(&text(fits + 1)), usize::BITS).unwrap_err();
    assert_eq!(
        (e.kind, e.stage),
        (ErrorKind::OutOfMemory, Stage::Prepare),
        "{e}"
    );
    assert!(e.message.contains("1001 locals"), "{e}");
}
