//! wasmi, the current version (2.x): the `wasmi` variant.
//!
//! wasmi's defaults (lazy translation) with validation. On RISC-V firmware
//! the crate is built with its `portable-dispatch` feature: the default
//! tail-call dispatch overflows the stack there (no handler's call to the
//! next becomes a jump). On Cortex-M at the firmware's `opt-level = "s"`,
//! `call_indirect` keeps such a call: 104 B of native stack per executed
//! `call_indirect` until the call returns (`docs/wasmi-stack.md`). The
//! adapter is `wasmi_adapter.rs`, shared with the paper's version
//! (`wasmi_1.rs`).

pub(crate) use ::wasmi as api;

#[path = "wasmi_adapter.rs"]
mod adapter;
pub use adapter::{Variant, Wasmi};

/// The `wasmi` variant.
pub const VARIANT: Variant = Variant {
    label: "wasmi",
    version: env!("TREVM_VERSION_WASMI"),
    features: if cfg!(target_arch = "riscv32") {
        &["validate", "portable-dispatch"]
    } else {
        &["validate"]
    },
    unchecked: false,
};

/// wasmi 2's limits errors: the embedder's and wasmi's own.
fn other_kind(k: &api::errors::ErrorKind) -> crate::error::ErrorKind {
    use api::errors::ErrorKind as K;
    match k {
        K::UserLimits(_) | K::ImplementationLimits(_) => crate::error::ErrorKind::Unsupported,
        _ => crate::error::ErrorKind::Internal,
    }
}
