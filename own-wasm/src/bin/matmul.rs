//! The `matmul` workload as a Wasm module (see `own_workloads::workloads::matmul`).
#![no_std]
#![no_main]

own_workloads::guest_main!(matmul);
