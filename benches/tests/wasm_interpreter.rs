//! What only the DLR wasm-interpreter adapter does: its compile-time stack
//! configuration, and growth metered as fuel for modules that may outgrow
//! the budget. (Everything all runtimes do is in `conformance.rs`.)
//!
//! ```text
//! cargo test --release -p trevm-bench --features std,wasm-interpreter --test runtimes -- --test-threads=1
//! ```
#![cfg(all(feature = "std", feature = "wasm-interpreter"))]

use crate::common::{run, serial, wasm};
use trevm_bench::alloc;
use trevm_bench::runtimes::wasm_interpreter::{CALL_FRAMES, STACK_BUDGET, VALUE_SLOTS};
use trevm_bench::{Abi, ErrorKind, Limits, Stage};

const L: &str = "wasm-interpreter";

/// Embench ABI with two fixed pages: sums 0..100000 between the triggers.
const EMBENCH: &str = r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory (export "memory") 2 2)
  (func (export "__original_main") (result i32)
    (local $i i32) (local $acc i32)
    call $start
    (loop $l
      (local.set $acc (i32.add (local.get $acc) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
    call $stop
    (i32.ne (local.get $acc) (i32.const 704982704))))"#;

/// The whole cell, stacks included, stays far below the ~1.5 MiB the
/// interpreter's default configuration would allocate.
#[test]
fn stacks_are_small() {
    let _s = serial();
    const { assert!(VALUE_SLOTS >= 512 && VALUE_SLOTS * 24 + CALL_FRAMES * 48 <= STACK_BUDGET) };
    alloc::reset_peak();
    let base = alloc::current();
    let out = run(L, Limits::EMBEDDED, Abi::Embench, &wasm(EMBENCH)).unwrap();
    assert!(out.verified, "{out:?}");
    let peak = alloc::peak() - base;
    println!("{L}: peak heap of the Embench cell {peak} B");
    assert!(peak < 2 * 65536 + 160 * 1024, "peak heap {peak} B");
}

/// Growth is metered across host calls: grows within the budget succeed,
/// the one past it ends the call.
#[test]
fn growth_is_metered_up_to_the_budget() {
    let _s = serial();
    // Grows by one page per iteration, calling the host in between; traps
    // when a grow fails.
    let module = wasm(
        r#"(module
  (import "env" "initialise_board" (func $init))
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory (export "memory") 1)
  (func (export "__original_main") (result i32)
    (local $n i32)
    call $start
    (loop $l
      call $init
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $n) (i32.const 7))))
    call $stop
    (i32.const 0)))"#,
    );
    let eight_pages = Limits {
        max_memory: 8 * 65536,
        ..Limits::EMBEDDED
    };
    let seven_pages = Limits {
        max_memory: 7 * 65536,
        ..Limits::EMBEDDED
    };
    let out = run(L, eight_pages, Abi::Embench, &module).unwrap();
    assert!(out.verified, "{out:?}");
    assert_eq!(out.linear_memory, Some(8 * 65536));
    let e = run(L, seven_pages, Abi::Embench, &module).unwrap_err();
    assert_eq!(
        (e.kind, e.stage),
        (ErrorKind::OutOfMemory, Stage::Run),
        "{e}"
    );
}
