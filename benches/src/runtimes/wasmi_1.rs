//! wasmi 1.0.9, the version the paper measured, in the paper's
//! configuration: the `wasmi@1.0.9` variant.
//!
//! Default features off (no `std`, no SIMD) and modules loaded with
//! `Module::new_unchecked`, as the paper's firmware did; wasmi 1 has a
//! single (loop) dispatch on every target. The adapter is
//! `wasmi_adapter.rs`, shared with the current version (`wasmi.rs`).

pub(crate) use ::wasmi1 as api;

#[path = "wasmi_adapter.rs"]
mod adapter;
pub use adapter::{Variant, Wasmi};

/// The `wasmi@1.0.9` variant.
pub const VARIANT: Variant = Variant {
    label: "wasmi@1.0.9",
    version: env!("TREVM_VERSION_WASMI_1"),
    features: trevm_catalog::runtime::variant("wasmi@1.0.9").features,
    unchecked: true,
};

/// wasmi 1's limits error (the embedder's enforced limits).
fn other_kind(k: &api::errors::ErrorKind) -> crate::error::ErrorKind {
    use api::errors::ErrorKind as K;
    match k {
        K::Limits(_) => crate::error::ErrorKind::Unsupported,
        _ => crate::error::ErrorKind::Internal,
    }
}
