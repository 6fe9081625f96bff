//! The `filter` workload as a Wasm module (see `own_workloads::workloads::filter`).
#![no_std]
#![no_main]

own_workloads::guest_main!(filter);
