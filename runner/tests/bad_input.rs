//! Bad input never takes the matrix down: for every runtime variant on the
//! host board, a malformed module, an unresolved import, a trap, an endless
//! loop and a module that grows memory past the budget each become a failed
//! cell with a clear reason, and a good module still runs afterwards.
//!
//! Needs the host programs built (`make host-programs`, which `make test`
//! does first).

use std::path::Path;
use std::time::Duration;

use trevm_catalog::record::Record;
use trevm_catalog::suite::TEST;
use trevm_catalog::{Kind, Stage};
use trevm_protocol::slot::SlotAbi;
use trevm_runner::backend::host::HostBackend;
use trevm_runner::backend::Backend;
use trevm_runner::suite::Workload;

const GOOD: &str = r#"(module
  (import "env" "initialise_board" (func $init))
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory (export "memory") 1)
  (func (export "__original_main") (result i32) (local $i i32)
    call $init call $start
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
             (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
    call $stop i32.const 0))"#;

const UNRESOLVED: &str = r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "nope" (func $nope))
  (func (export "__original_main") (result i32) call $nope i32.const 0))"#;

const TRAP: &str = r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (func (export "__original_main") (result i32) call $start unreachable))"#;

const ENDLESS: &str = r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (func (export "__original_main") (result i32) call $start (loop $l (br $l)) call $stop i32.const 0))"#;

const GROW: &str = r#"(module
  (import "env" "start_trigger" (func $start))
  (import "env" "stop_trigger" (func $stop))
  (memory (export "memory") 1)
  (func (export "__original_main") (result i32)
    call $start
    (if (i32.eq (memory.grow (i32.const 2000)) (i32.const -1)) (then unreachable))
    ;; touch the new memory so lazy runtimes must really provide it
    (i32.store (i32.const 131000000) (i32.const 1))
    call $stop i32.const 0))"#;

fn workload(dir: &Path, name: &str, bytes: &[u8]) -> Workload {
    let wasm = dir.join(format!("{name}.wasm"));
    std::fs::write(&wasm, bytes).unwrap();
    Workload {
        suite: TEST.into(),
        name: name.into(),
        abi: SlotAbi::Embench,
        wasm,
    }
}

fn board() -> HostBackend {
    let mut b = HostBackend::existing();
    b.heap_limit = 64 * 1024 * 1024;
    b.fuel = Some(50_000_000);
    b
}

fn run(label: &str, name: &str, bytes: &[u8]) -> Record {
    let b = board();
    assert!(
        b.program(label).is_some(),
        "no host program runs `{label}`: build them first with `make host-programs` (built: {:?})",
        b.labels()
    );
    let dir = tempfile::tempdir().unwrap();
    let w = workload(dir.path(), &format!("{name}-{label}"), bytes);
    b.run_cell(label, &w, Duration::from_secs(5))
}

fn kind(r: &Record) -> Option<Kind> {
    r.error.as_ref().map(|e| e.kind)
}

fn check_all(label: &str) {
    let caps = trevm_catalog::runtime::find(label).unwrap().caps;
    let good = run(label, "good", &wat::parse_str(GOOD).unwrap());
    assert!(
        good.is_ok() && good.verified,
        "{label}: good module failed: {:?}",
        good.error
    );
    assert!(good.metrics.contains_key("interval"), "{good:?}");
    // wasm3 allocates with the libc's malloc on the host: its peak heap is
    // not measured there, and must then be absent rather than wrong.
    assert_eq!(
        good.metrics.contains_key("peak_heap"),
        caps.heap_counted_on_host,
        "{label}: {:?}",
        good.metrics
    );

    let r = run(label, "malformed", b"\0asm\x01\0\0\0\x01\xff\xff garbage");
    assert_eq!(kind(&r), Some(Kind::Malformed), "{label}: {:?}", r.error);

    let r = run(label, "unresolved", &wat::parse_str(UNRESOLVED).unwrap());
    assert_eq!(kind(&r), Some(Kind::Link), "{label}: {:?}", r.error);
    assert!(
        r.error.as_ref().unwrap().message.contains("nope"),
        "{label}: {:?}",
        r.error
    );

    let r = run(label, "trap", &wat::parse_str(TRAP).unwrap());
    assert_eq!(kind(&r), Some(Kind::Trap), "{label}: {:?}", r.error);
    assert_eq!(
        r.error.as_ref().unwrap().stage,
        Stage::Run,
        "{label}: {:?}",
        r.error
    );

    let r = run(label, "endless", &wat::parse_str(ENDLESS).unwrap());
    let want = if caps.fuel {
        Kind::OutOfFuel
    } else {
        Kind::Timeout
    };
    assert_eq!(kind(&r), Some(want), "{label}: {:?}", r.error);

    let r = run(label, "grow", &wat::parse_str(GROW).unwrap());
    if label == "wasefire" {
        // wasefire runs the module in a fixed buffer and lets `memory.grow`
        // succeed past it; the access beyond the buffer traps, and the
        // adapter says that the buffer is the likely cause.
        assert_eq!(kind(&r), Some(Kind::Trap), "{label}: {:?}", r.error);
        assert!(
            r.error.as_ref().unwrap().message.contains("buffer"),
            "{label}: {:?}",
            r.error
        );
    } else {
        assert_eq!(kind(&r), Some(Kind::OutOfMemory), "{label}: {:?}", r.error);
    }

    // The board is still fine after all that.
    let again = run(label, "good-again", &wat::parse_str(GOOD).unwrap());
    assert!(again.is_ok(), "{label}: {:?}", again.error);
}

macro_rules! per_runtime {
    ($($name:ident => $label:literal),* $(,)?) => {$(
        #[test]
        fn $name() {
            check_all($label);
        }
    )*};
}

per_runtime! {
    wasmtime => "wasmtime",
    wasmtime_no_simd => "wasmtime-no-simd",
    trevm => "trevm",
    wasmi => "wasmi",
    wamr => "wamr",
    wamr_fast => "wamr-fast",
    wasm_interpreter => "wasm-interpreter",
    wasefire => "wasefire",
    tinywasm => "tinywasm",
    wasm3 => "wasm3",
}

/// `native` has no module: its bad inputs are a workload name that is not
/// UTF-8 or does not exist.
#[test]
fn native_rejects_unknown_workloads() {
    let b = board();
    assert!(
        b.program("native").is_some(),
        "build the host programs first (`make host-programs`)"
    );
    let dir = tempfile::tempdir().unwrap();
    // The native "module" is the workload name; an own-suite workload that
    // does not exist must fail to link.
    let w = Workload {
        suite: "own".into(),
        name: "no-such-workload".into(),
        abi: SlotAbi::Embench,
        wasm: dir.path().join("x.wasm"),
    };
    let r = b.run_cell("native", &w, Duration::from_secs(5));
    assert_eq!(kind(&r), Some(Kind::Link), "{:?}", r.error);
}
