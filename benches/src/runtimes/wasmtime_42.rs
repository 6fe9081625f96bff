//! wasmtime 42.0.1, the version the paper measured, in the paper's
//! configuration (see [`Setup::Paper`]): the `wasmtime@42.0.1` and
//! `wasmtime-no-simd@42.0.1` variants. The adapter is
//! `wasmtime_adapter.rs`, shared with the current version (`wasmtime.rs`).

pub(crate) use ::wasmtime42 as api;
use trevm_catalog::runtime::variant;

#[path = "wasmtime_adapter.rs"]
mod adapter;
pub use adapter::{config, Setup, Variant, Wasmtime};

/// The crate's version (the catalog's; `Cargo.lock` agrees, a test checks).
const VERSION: &str = env!("TREVM_VERSION_WASMTIME_42");

/// The variants of this version; their features (the crate's, and what the
/// paper's configuration sets) are the catalog's rows.
pub const VARIANTS: &[Variant] = &[
    Variant {
        label: "wasmtime@42.0.1",
        setup: Setup::Paper { simd: true },
        features: variant("wasmtime@42.0.1").features,
    },
    Variant {
        label: "wasmtime-no-simd@42.0.1",
        setup: Setup::Paper { simd: false },
        features: variant("wasmtime-no-simd@42.0.1").features,
    },
];

/// wasmtime 42 has no typed out-of-memory error: a refused allocation is
/// caught by the tracking allocator's budget instead.
fn is_out_of_memory(_: &api::Error) -> bool {
    false
}

/// wasmtime 42 is built without the Component Model: nothing to switch.
fn component_model(_: &mut api::Config, _: bool) {}

// wasmtime 42 without `std` asks the embedder for its one thread-local
// pointer (no slot number, unlike 48). Firmware is single-threaded, so a
// static serves.
#[cfg(not(feature = "std"))]
mod tls {
    use core::sync::atomic::{AtomicPtr, Ordering};

    static SLOT: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());

    #[unsafe(no_mangle)]
    extern "C" fn wasmtime_tls_get() -> *mut u8 {
        SLOT.load(Ordering::Relaxed)
    }

    #[unsafe(no_mangle)]
    extern "C" fn wasmtime_tls_set(ptr: *mut u8) {
        SLOT.store(ptr, Ordering::Relaxed)
    }
}
