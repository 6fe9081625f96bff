//! wasmtime, the current version, with the Pulley interpreter: the
//! `wasmtime`, `wasmtime-no-simd` and `trevm` variants. The adapter is
//! `wasmtime_adapter.rs`, shared with the paper's version
//! (`wasmtime_42.rs`); `trevm` adds the Component Model host of
//! `trevm.rs` (feature `trevm`).

pub(crate) use ::wasmtime as api;

#[path = "wasmtime_adapter.rs"]
mod adapter;
pub use adapter::{config, Setup, Variant, Wasmtime};

/// treVM's capsule host (the Component Model), on this adapter.
#[cfg(feature = "trevm")]
#[path = "trevm.rs"]
pub mod trevm;

/// Switches the Component Model on or off where the crate has it (the
/// `trevm` build); without it there is nothing to switch.
fn component_model(c: &mut api::Config, on: bool) {
    #[cfg(feature = "trevm")]
    c.wasm_component_model(on);
    let _ = (c, on);
}

/// The crate's version (the catalog's; `Cargo.lock` agrees, a test checks).
const VERSION: &str = env!("TREVM_VERSION_WASMTIME");

/// The variants of this version.
pub const VARIANTS: &[Variant] = &[
    Variant {
        label: "wasmtime",
        setup: Setup::Ours { simd: true },
        features: &["runtime", "pulley", "interp-simd"],
    },
    Variant {
        label: "wasmtime-no-simd",
        setup: Setup::Ours { simd: false },
        features: &["runtime", "pulley", "cfg(pulley_disable_interp_simd)"],
    },
    Variant {
        label: "trevm",
        setup: Setup::Trevm,
        features: &[
            "runtime",
            "pulley",
            "cfg(pulley_disable_interp_simd)",
            "consume_fuel",
            "custom-page-sizes",
        ],
    },
];

/// wasmtime's own allocation failed (its typed `OutOfMemory` error).
fn is_out_of_memory(e: &api::Error) -> bool {
    e.is::<api::OutOfMemory>()
}

// wasmtime 48 without `std` asks the embedder for thread-local pointers, by
// slot number. Firmware is single-threaded, so statics serve. (A no_std
// build has one wasmtime version: the paper's asks without a slot,
// `wasmtime_42.rs`.)
#[cfg(not(feature = "std"))]
mod tls {
    use core::sync::atomic::{AtomicPtr, Ordering};

    const NULL: AtomicPtr<u8> = AtomicPtr::new(core::ptr::null_mut());
    static SLOTS: [AtomicPtr<u8>; 4] = [NULL; 4];

    #[unsafe(no_mangle)]
    extern "C" fn wasmtime_tls_get(slot: usize) -> *mut u8 {
        SLOTS
            .get(slot)
            .map_or(core::ptr::null_mut(), |s| s.load(Ordering::Relaxed))
    }

    #[unsafe(no_mangle)]
    extern "C" fn wasmtime_tls_set(slot: usize, ptr: *mut u8) {
        if let Some(s) = SLOTS.get(slot) {
            s.store(ptr, Ordering::Relaxed)
        }
    }
}
