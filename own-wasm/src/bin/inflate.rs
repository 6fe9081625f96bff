//! The `inflate` workload as a Wasm module (see `own_workloads::workloads::inflate`).
#![no_std]
#![no_main]

own_workloads::guest_main!(inflate);
