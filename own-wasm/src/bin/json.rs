//! The `json` workload as a Wasm module (see `own_workloads::workloads::json`).
#![no_std]
#![no_main]

own_workloads::guest_main!(json);
