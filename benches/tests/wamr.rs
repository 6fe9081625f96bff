//! What only the WAMR adapter does: both interpreters in one build, and a
//! heap that is the Rust global allocator, so the tracking allocator counts
//! it and its budget can refuse it, cleanly, at every size. (Everything all
//! runtimes do is in `conformance.rs`.)
//!
//! ```text
//! cargo test --release -p trevm-bench --features std,wamr --test runtimes -- --test-threads=1
//! ```
#![cfg(all(feature = "std", feature = "wamr"))]

use crate::common::{assert_no_leak, clock, runtime, serial, wasm};
use trevm_bench::alloc;
use trevm_bench::{abi, Abi, ErrorKind, Host, Limits, Runtime, Stage};

const LABELS: [&str; 2] = ["wamr", "wamr-fast"];

/// Embench ABI: sums 0..100000 between the triggers; 0 when right.
const EMBENCH: &str = r#"(module
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
    (i32.ne (local.get $acc) (i32.const 704982704))))"#;

#[test]
fn both_interpreters_are_compiled_in() {
    let _s = serial();
    for label in LABELS {
        let info = runtime(label, Limits::HOST).info();
        assert_eq!(info.crate_name, "wamrx-sys");
        assert!(info.features.contains(&"WAMR 2.4.3"), "{:?}", info.features);
        let mode = if label == "wamr" { "classic" } else { "fast" };
        assert!(info.features.contains(&mode), "{:?}", info.features);
    }
}

#[test]
fn wamr_heap_is_counted_by_the_tracking_allocator() {
    let _s = serial();
    let module = wasm(r#"(module (memory 16) (func (export "run") (result f32) (f32.const 1)))"#);
    for label in LABELS {
        let mut rt = runtime(label, Limits::HOST);
        let before = alloc::current();
        let inst = rt.instantiate(&module, Host::new(clock())).unwrap();
        let during = alloc::current();
        drop(inst);
        assert!(
            during >= before + 16 * 65536,
            "{label}: {before} -> {during}: linear memory not counted"
        );
    }
}

#[test]
fn a_refused_heap_fails_cleanly_at_every_size() {
    let _s = serial();
    let module = wasm(r#"(module (memory 64) (func (export "run") (result f32) (f32.const 1)))"#);
    let embench = wasm(EMBENCH);
    for label in LABELS {
        let mut rt = runtime(label, Limits::HOST);
        // 64 pages (4 MiB) do not fit in 1 MiB: the allocator refuses.
        let refused = |rt: &mut Box<dyn Runtime>| {
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
        for headroom in [256, 64, 16, 8, 4, 2, 1].map(|k| k * 1024) {
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
