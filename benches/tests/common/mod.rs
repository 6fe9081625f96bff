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
