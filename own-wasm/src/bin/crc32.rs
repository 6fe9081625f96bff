//! The `crc32` workload as a Wasm module (see `own_workloads::workloads::crc32`).
#![no_std]
#![no_main]

own_workloads::guest_main!(crc32);
