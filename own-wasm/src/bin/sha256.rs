//! The `sha256` workload as a Wasm module (see `own_workloads::workloads::sha256`).
#![no_std]
#![no_main]

own_workloads::guest_main!(sha256);
