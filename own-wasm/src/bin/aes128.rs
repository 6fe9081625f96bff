//! The `aes128` workload as a Wasm module (see `own_workloads::workloads::aes128`).
#![no_std]
#![no_main]

own_workloads::guest_main!(aes128);
