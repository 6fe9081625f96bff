//! The `cbor` workload as a Wasm module (see `own_workloads::workloads::cbor`).
#![no_std]
#![no_main]

own_workloads::guest_main!(cbor);
