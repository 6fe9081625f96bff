//! The `events` workload as a Wasm module (see `own_workloads::workloads::events`).
#![no_std]
#![no_main]

own_workloads::guest_main!(events);
