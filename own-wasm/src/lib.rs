//! The `own` workload suite of treVM bench.
//!
//! Self-verifying benchmark programs written in Rust, most of them built on a
//! real crates.io crate. The same sources are compiled
//!
//! * to one WebAssembly module per workload (`src/bin/<name>.rs`, feature
//!   `guest`, target `wasm32v1-none`), with the board-support ABI of the
//!   paper's Embench modules: imports `env.initialise_board`,
//!   `env.start_trigger`, `env.stop_trigger` (all `() -> ()`) and exports
//!   `__original_main() -> i32` (0 = verified) and `memory`;
//! * natively, as this `no_std` library without `alloc`, for the host and for
//!   the firmware targets (thumbv7em/thumbv8m.main/riscv32imac), where the
//!   caller supplies its own [`Triggers`].
//!
//! Every workload generates its input deterministically, runs the measured
//! work between [`Triggers::start_trigger`] and [`Triggers::stop_trigger`],
//! and then checks the result against an independent expectation (published
//! test vectors where they exist, otherwise round trips, invariants or
//! constants that the unit tests recompute by an independent path).
//!
//! Large working buffers live in statics (not on the 16 KiB Wasm stack); they
//! are guarded so that concurrent callers (host test threads) take turns.
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

mod common;
pub mod workloads;

#[cfg(feature = "guest")]
pub mod guest;

/// What a workload calls around its measured region (Embench's board-support ABI).
pub trait Triggers {
    /// Called once, before anything else the workload does.
    fn initialise_board(&mut self);
    /// Called right before the measured region.
    fn start_trigger(&mut self);
    /// Called right after the measured region.
    fn stop_trigger(&mut self);
}

/// One benchmark program.
#[derive(Clone, Copy)]
pub struct Workload {
    /// Short name, e.g. `"sha256"`; also the Wasm module's file stem.
    pub name: &'static str,
    /// One line saying what the workload does.
    pub description: &'static str,
    /// Runs the workload: calls `initialise_board` once, then
    /// `start_trigger`, the measured work, `stop_trigger`, then verifies.
    /// Returns 0 when the result verified, non-zero otherwise.
    pub run: fn(&mut dyn Triggers) -> i32,
}

impl core::fmt::Debug for Workload {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Workload")
            .field("name", &self.name)
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

/// All workloads of the suite, in a fixed order.
pub static WORKLOADS: &[Workload] = &[
    workloads::crc32::WORKLOAD,
    workloads::sha256::WORKLOAD,
    workloads::aes128::WORKLOAD,
    workloads::json::WORKLOAD,
    workloads::cbor::WORKLOAD,
    workloads::postcard::WORKLOAD,
    workloads::inflate::WORKLOAD,
    workloads::matmul::WORKLOAD,
    workloads::filter::WORKLOAD,
    workloads::events::WORKLOAD,
];

/// The workload called `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name)
}

/// Defines the entry point of a workload's Wasm module.
///
/// `own_workloads::guest_main!(sha256);` in `src/bin/sha256.rs` (a
/// `#![no_std]`, `#![no_main]` binary built with feature `guest`) exports
/// `__original_main() -> i32`, which runs [`workloads::sha256::WORKLOAD`]
/// with `guest::EnvTriggers`. Only the named workload is referenced, so
/// each module contains only its own code.
///
/// On a hosted non-Wasm target (e.g. `cargo build --all-features` on the
/// host) the macro links `std` and defines the C `main` instead, which runs
/// the workload with no-op triggers and exits with its status.
#[macro_export]
macro_rules! guest_main {
    ($name:ident) => {
        /// Entry point called by the benchmark harness: runs the workload and
        /// returns 0 when its result verified.
        #[cfg(target_arch = "wasm32")]
        #[no_mangle]
        pub extern "C" fn __original_main() -> i32 {
            ($crate::workloads::$name::WORKLOAD.run)(&mut $crate::guest::EnvTriggers)
        }

        #[cfg(not(target_arch = "wasm32"))]
        extern crate std;

        /// C entry point of the host build of the module.
        #[cfg(not(target_arch = "wasm32"))]
        #[no_mangle]
        pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
            ($crate::workloads::$name::WORKLOAD.run)(&mut $crate::guest::EnvTriggers)
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::Fault;

    /// Records every trigger call in order.
    #[derive(Default)]
    struct Recorder {
        calls: std::vec::Vec<&'static str>,
    }

    impl Triggers for Recorder {
        fn initialise_board(&mut self) {
            self.calls.push("init");
        }
        fn start_trigger(&mut self) {
            self.calls.push("start");
        }
        fn stop_trigger(&mut self) {
            self.calls.push("stop");
        }
    }

    #[test]
    fn every_workload_verifies_and_calls_triggers_in_order() {
        for w in WORKLOADS {
            let mut rec = Recorder::default();
            let status = (w.run)(&mut rec);
            assert_eq!(status, 0, "workload {} did not verify", w.name);
            assert_eq!(
                rec.calls,
                ["init", "start", "stop"],
                "trigger calls of {}",
                w.name
            );
        }
    }

    #[test]
    fn at_least_eight_workloads_with_unique_valid_names() {
        assert!(WORKLOADS.len() >= 8);
        let mut names: std::vec::Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
        for n in &names {
            assert!(!n.is_empty() && n.len() <= 32, "{n}");
            assert!(
                n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{n} is not a plain file stem"
            );
            assert!(n.as_bytes()[0].is_ascii_lowercase(), "{n}");
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), WORKLOADS.len(), "duplicate workload names");
        for w in WORKLOADS {
            assert!(!w.description.is_empty() && !w.description.contains('\n'));
        }
    }

    /// Descriptions end in `(xN)` with the workload's `REPEAT`: tuning a
    /// repeat count without updating the description fails here.
    #[test]
    fn descriptions_state_the_repeat_count() {
        let repeats = crate::workloads::REPEATS;
        assert_eq!(repeats.len(), WORKLOADS.len());
        for (w, (name, repeat)) in WORKLOADS.iter().zip(repeats) {
            assert_eq!(w.name, *name);
            assert!(*repeat >= 1);
            assert!(
                w.description.ends_with(&format!("(x{repeat})")),
                "{}: {}",
                w.name,
                w.description
            );
        }
    }

    #[test]
    fn find_returns_the_named_workload() {
        for w in WORKLOADS {
            let found = find(w.name).expect("listed workload is found");
            assert_eq!(found.name, w.name);
            assert!(core::ptr::eq(found, w));
        }
        assert!(find("sha256").is_some());
        assert!(find("no-such-workload").is_none());
        assert!(find("").is_none());
        assert!(find("SHA256").is_none());
    }

    /// A Wasm module per workload is built from `src/bin/<name>.rs`: every
    /// listed workload needs its binary, and every binary a workload.
    #[test]
    fn every_workload_has_a_guest_binary() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bin");
        let mut stems: std::vec::Vec<std::string::String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        stems.sort();
        let mut names: std::vec::Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
        names.sort();
        assert_eq!(stems, names);
        let manifest = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"),
        )
        .unwrap();
        for n in names {
            let src = std::fs::read_to_string(dir.join(format!("{n}.rs"))).unwrap();
            assert!(src.contains(&format!("guest_main!({n})")), "src/bin/{n}.rs");
            assert!(
                manifest.contains(&format!("name = \"{n}\"")),
                "[[bin]] {n} in Cargo.toml"
            );
        }
    }

    /// Verification must be able to fail: a corrupted input and a corrupted
    /// result are both rejected by every workload, and the triggers are still
    /// called exactly once each.
    #[test]
    fn corrupted_input_or_result_fails_verification() {
        for w in crate::workloads::ALL_WITH_FAULTS {
            for fault in [Fault::Input, Fault::Output] {
                let mut rec = Recorder::default();
                let status = (w.1)(&mut rec, fault);
                assert_ne!(status, 0, "workload {} accepted {fault:?}", w.0);
                assert_eq!(
                    rec.calls,
                    ["init", "start", "stop"],
                    "{} with {fault:?}",
                    w.0
                );
            }
            let mut rec = Recorder::default();
            assert_eq!((w.1)(&mut rec, Fault::None), 0, "{}", w.0);
        }
        let listed: std::vec::Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
        let faulted: std::vec::Vec<&str> = crate::workloads::ALL_WITH_FAULTS
            .iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(listed, faulted);
    }
}
