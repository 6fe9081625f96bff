//! wasmtime 42.0.1, the version the paper measured, in the paper's
//! configuration (see [`Setup::Paper`]): the `wasmtime@42.0.1` and
//! `wasmtime-no-simd@42.0.1` variants. The adapter is
//! `wasmtime_adapter.rs`, shared with the current version (`wasmtime.rs`).

pub(crate) use ::wasmtime42 as api;

#[path = "wasmtime_adapter.rs"]
mod adapter;
pub use adapter::{config, Setup, Variant, Wasmtime};

/// The crate's version (the catalog's; `Cargo.lock` agrees, a test checks).
const VERSION: &str = env!("TREVM_VERSION_WASMTIME_42");

/// What the paper's configuration sets beside the crate features.
const PAPER: [&str; 6] = [
    "max_wasm_stack=2048(coremark)/4096(embench)",
    "memory_reservation=0",
    "memory_init_cow=false",
    "memory_may_move=false",
    "table_lazy_init=false",
    "custom-page-sizes",
];

/// The variants of this version.
pub const VARIANTS: &[Variant] = &[
    Variant {
        label: "wasmtime@42.0.1",
        setup: Setup::Paper { simd: true },
        features: &[
            "runtime",
            "pulley",
            "interp-simd",
            PAPER[0],
            PAPER[1],
            PAPER[2],
            PAPER[3],
            PAPER[4],
            PAPER[5],
        ],
    },
    Variant {
        label: "wasmtime-no-simd@42.0.1",
        setup: Setup::Paper { simd: false },
        features: &[
            "runtime",
            "pulley",
            "cfg(pulley_disable_interp_simd)",
            PAPER[0],
            PAPER[1],
            PAPER[2],
            PAPER[3],
            PAPER[4],
            PAPER[5],
        ],
    },
];

/// wasmtime 42 has no typed out-of-memory error: a refused allocation is
/// caught by the tracking allocator's budget instead.
fn is_out_of_memory(_: &api::Error) -> bool {
    false
}

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
