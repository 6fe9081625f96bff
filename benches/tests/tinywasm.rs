//! What only the tinywasm adapter does: fixed stacks sized from the budget.
//! (Everything all runtimes do is in `conformance.rs`.)
//!
//! ```text
//! cargo test --release -p trevm-bench --features std,tinywasm --test runtimes -- --test-threads=1
//! ```
#![cfg(all(feature = "std", feature = "tinywasm"))]

use crate::common::{run, serial, wasm};
use trevm_bench::alloc;
use trevm_bench::{Abi, Limits};

/// The whole Embench cell: 2 pages of memory, ~32 KiB of stacks, the
/// translated module.
#[test]
fn stacks_are_small() {
    let _s = serial();
    let module = wasm(
        r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory (export "memory") 2 2)
  (func (export "__original_main") (result i32)
    (local $i i32)
    call $start
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
    call $stop
    (i32.const 0)))"#,
    );
    alloc::reset_peak();
    let base = alloc::current();
    let out = run("tinywasm", Limits::EMBEDDED, Abi::Embench, &module).unwrap();
    assert!(out.verified, "{out:?}");
    let peak = alloc::peak() - base;
    println!("tinywasm: peak heap of the Embench cell {peak} B");
    assert!(peak < 2 * 65536 + 160 * 1024, "peak heap {peak} B");
}
