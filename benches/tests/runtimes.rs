//! The runtimes' tests: one test program for every runtime compiled into
//! the build (each module below is compiled only with the features it
//! needs). One program because each links every runtime of the build with
//! thin LTO: seven programs spent some 25 minutes of CPU linking the same
//! runtimes.
//!
//! ```text
//! cargo test --release -p trevm-bench --features std,prepare,wasmtime,wasmtime-42,wasmi,wasmi-1,wamr,wasm-interpreter,tinywasm,wasm3,native --test runtimes -- --test-threads=1
//! CARGO_TARGET_DIR=target/no-simd RUSTFLAGS='--cfg pulley_disable_interp_simd' cargo test --release -p trevm-bench --features std,prepare,wasmtime,wasmtime-42,trevm --test runtimes -- --test-threads=1
//! CARGO_TARGET_DIR=target/nightly cargo +nightly test --release -p trevm-bench --features std,prepare,wasefire --test runtimes -- --test-threads=1
//! ```
//!
//! The tests share the process-wide tracking allocator (`common`) and its
//! budget: run them with `--test-threads=1`. Filter by module, e.g.
//! `-- conformance::` or `-- wamr::`.

mod cases;
mod common;

mod conformance;
mod native;
mod tinywasm;
mod updates;
mod wamr;
mod wasefire;
mod wasm_interpreter;
