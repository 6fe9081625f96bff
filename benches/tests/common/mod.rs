//! What every runtime test binary needs: the tracking allocator installed
//! as global allocator, a lock that serialises tests sharing its budget, a
//! nanosecond clock, and WAT assembly.
#![allow(dead_code)]

use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::Instant;

use trevm_bench::alloc::{self, Tracking};
use trevm_bench::Clock;

#[global_allocator]
static GLOBAL: Tracking<std::alloc::System> = Tracking::new(std::alloc::System);

static LOCK: Mutex<()> = Mutex::new(());

/// Serialises the tests and restores an unlimited heap budget around each.
pub struct Serial(#[allow(dead_code)] MutexGuard<'static, ()>);

impl Drop for Serial {
    fn drop(&mut self) {
        alloc::set_limit(usize::MAX);
    }
}

/// Takes the test lock (the heap budget is process-wide).
pub fn serial() -> Serial {
    let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    alloc::set_limit(usize::MAX);
    Serial(guard)
}

fn now_ns() -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

/// A nanosecond clock.
pub fn clock() -> Clock {
    Clock {
        now: now_ns,
        hz: 1_000_000_000,
        unit: "ns",
        source: "std::time::Instant",
    }
}

/// Assembles a test module.
pub fn wasm(wat: &str) -> Vec<u8> {
    wat::parse_str(wat).expect("test WAT must assemble")
}

/// Creates the runtime variant `label`; panics when it cannot.
pub fn runtime(label: &str, limits: trevm_bench::Limits) -> Box<dyn trevm_bench::Runtime> {
    trevm_bench::runtimes::create(label, limits).unwrap_or_else(|e| panic!("create {label}: {e}"))
}

/// The module in the form `rt` instantiates (precompiled for wasmtime, with
/// side tables for wasefire, unchanged for the others).
#[cfg(feature = "prepare")]
pub fn prepare(rt: &dyn trevm_bench::Runtime, wasm: &[u8]) -> Result<Vec<u8>, trevm_bench::Error> {
    rt.prepare(wasm, usize::BITS)
}

/// Without the `prepare` feature only the runtimes that take modules as they
/// are can be tested.
#[cfg(not(feature = "prepare"))]
pub fn prepare(rt: &dyn trevm_bench::Runtime, wasm: &[u8]) -> Result<Vec<u8>, trevm_bench::Error> {
    let label = rt.info().label;
    assert!(
        !matches!(
            label,
            "wasmtime" | "wasmtime-no-simd" | "trevm" | "wasefire"
        ),
        "`{label}` needs modules prepared on the host: build the tests with feature `prepare`"
    );
    Ok(wasm.to_vec())
}

/// Prepares and runs `wasm` on a fresh `label` runtime following `abi`.
pub fn run(
    label: &str,
    limits: trevm_bench::Limits,
    abi: trevm_bench::Abi,
    wasm: &[u8],
) -> Result<trevm_bench::Outcome, trevm_bench::Error> {
    let mut rt = runtime(label, limits);
    let module = prepare(&*rt, wasm)?;
    trevm_bench::abi::run(&mut *rt, abi, &module, clock())
}

/// Runs `f` 16 times and fails when the heap grew by more than the noise of
/// the test harness's own threads (the tracking allocator is process-wide):
/// a leak of 64 B per run shows.
pub fn assert_no_leak(what: &str, mut f: impl FnMut()) {
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
