//! The `postcard` workload as a Wasm module (see `own_workloads::workloads::postcard`).
#![no_std]
#![no_main]

own_workloads::guest_main!(postcard);
