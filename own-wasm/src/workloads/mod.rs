//! The workloads, one module each. Every module exposes one `WORKLOAD`
//! constant; [`WORKLOADS`](crate::WORKLOADS) lists them all.

pub mod aes128;
pub mod cbor;
pub mod crc32;
pub mod events;
pub mod filter;
pub mod inflate;
pub mod json;
pub mod matmul;
pub mod postcard;
pub mod sha256;

/// Every workload's `run_with` (fault injection), in the order of `WORKLOADS`.
#[cfg(test)]
#[allow(clippy::type_complexity)]
pub(crate) const ALL_WITH_FAULTS: &[(
    &str,
    fn(&mut dyn crate::Triggers, crate::common::Fault) -> i32,
)] = &[
    ("crc32", crc32::run_with),
    ("sha256", sha256::run_with),
    ("aes128", aes128::run_with),
    ("json", json::run_with),
    ("cbor", cbor::run_with),
    ("postcard", postcard::run_with),
    ("inflate", inflate::run_with),
    ("matmul", matmul::run_with),
    ("filter", filter::run_with),
    ("events", events::run_with),
];

/// Every workload's repeat count, in the order of `WORKLOADS`.
#[cfg(test)]
pub(crate) const REPEATS: &[(&str, usize)] = &[
    ("crc32", crc32::REPEAT),
    ("sha256", sha256::REPEAT),
    ("aes128", aes128::REPEAT),
    ("json", json::REPEAT),
    ("cbor", cbor::REPEAT),
    ("postcard", postcard::REPEAT),
    ("inflate", inflate::REPEAT),
    ("matmul", matmul::REPEAT),
    ("filter", filter::REPEAT),
    ("events", events::REPEAT),
];
