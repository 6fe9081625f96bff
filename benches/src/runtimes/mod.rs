//! One adapter per Wasm runtime, each in its own file behind a cargo feature.
//!
//! | label | adapter | feature |
//! |---|---|---|
//! | `wasmtime` | [`wasmtime`](self) with Pulley, SIMD in the interpreter | `wasmtime` |
//! | `wasmtime-no-simd` | the same, built with `--cfg pulley_disable_interp_simd` | `wasmtime` |
//! | `trevm` | treVM's host: the Component Model (capsules), Pulley without SIMD, fuel, custom page sizes, small stack | `trevm` |
//! | `wasmtime@42.0.1`, `wasmtime-no-simd@42.0.1` | wasmtime 42.0.1 (the paper's version) in the paper's configuration | `wasmtime-42` |
//! | `wasmi` | wasmi 2.x | `wasmi` |
//! | `wasmi@1.0.9` | wasmi 1.0.9 (the paper's version) in the paper's configuration | `wasmi-1` |
//! | `wamr`, `wamr-fast` | WAMR classic and fast interpreters (C, via `trevm-wamr-sys`) | `wamr` |
//! | `wasm-interpreter` | DLR's wasm-interpreter | `wasm-interpreter` |
//! | `wasefire` | wasefire's in-place interpreter (nightly) | `wasefire` |
//! | `tinywasm` | tinywasm | `tinywasm` |
//! | `wasm3` | wasm3 (C) | `wasm3` |
//! | `native` | the workload compiled natively, no Wasm | `native` |
//!
//! `wasmtime` and `wasmtime-no-simd` differ by a compile-time switch of
//! Pulley, so one build offers one of them (and so for the paper's
//! version). `trevm` is wasmtime without SIMD plus the Component Model
//! (`runtimes/trevm.rs`, mounted by `wasmtime.rs`), a build of its own.
//!
//! A runtime whose current version and the paper's are both in the catalog
//! has one adapter file written once (`wasmtime_adapter.rs`,
//! `wasmi_adapter.rs`) and one small file per version (`wasmtime.rs`,
//! `wasmtime_42.rs`, `wasmi.rs`, `wasmi_1.rs`) that names the crate (a
//! renamed dependency: cargo holds both versions) and lists its variants.

use alloc_crate::boxed::Box;
use alloc_crate::vec::Vec;

use crate::engine::{Limits, Runtime};
use crate::error::{Error, ErrorKind, Stage};

#[cfg(feature = "native")]
pub mod native;
#[cfg(any(
    feature = "wamr",
    feature = "wasm3",
    feature = "wasefire",
    feature = "wasm-interpreter"
))]
mod support;
#[cfg(feature = "tinywasm")]
pub mod tinywasm;
#[cfg(feature = "wamr")]
pub mod wamr;
#[cfg(feature = "wasefire")]
pub mod wasefire;
#[cfg(feature = "wasm3")]
pub mod wasm3;
#[cfg(feature = "wasm-interpreter")]
pub mod wasm_interpreter;
#[cfg(feature = "wasmi")]
pub mod wasmi;
#[cfg(feature = "wasmi-1")]
pub mod wasmi_1;
#[cfg(any(feature = "wasmtime", feature = "trevm"))]
pub mod wasmtime;
#[cfg(feature = "wasmtime-42")]
pub mod wasmtime_42;

/// Every runtime variant label the harness knows, in table order: the
/// catalog's ([`trevm_catalog::RUNTIMES`]).
pub fn all() -> impl Iterator<Item = &'static str> {
    trevm_catalog::RUNTIMES.iter().map(|r| r.label)
}

/// `true` when Pulley's interpreter was built without SIMD support.
pub const PULLEY_NO_SIMD: bool = cfg!(pulley_disable_interp_simd);

/// The labels of the variants compiled into this build.
pub fn available() -> Vec<&'static str> {
    let mut v = Vec::new();
    if cfg!(feature = "wasmtime") {
        v.push(if PULLEY_NO_SIMD {
            "wasmtime-no-simd"
        } else {
            "wasmtime"
        });
    }
    if cfg!(feature = "trevm") {
        v.push("trevm");
    }
    if cfg!(feature = "wasmtime-42") {
        v.push(if PULLEY_NO_SIMD {
            "wasmtime-no-simd@42.0.1"
        } else {
            "wasmtime@42.0.1"
        });
    }
    if cfg!(feature = "wasmi") {
        v.push("wasmi");
    }
    if cfg!(feature = "wasmi-1") {
        v.push("wasmi@1.0.9");
    }
    if cfg!(feature = "wamr") {
        v.push("wamr");
        v.push("wamr-fast");
    }
    if cfg!(feature = "wasm-interpreter") {
        v.push("wasm-interpreter");
    }
    if cfg!(feature = "wasefire") {
        v.push("wasefire");
    }
    if cfg!(feature = "tinywasm") {
        v.push("tinywasm");
    }
    if cfg!(feature = "wasm3") {
        v.push("wasm3");
    }
    if cfg!(feature = "native") {
        v.push("native");
    }
    v
}

/// Creates the runtime variant `label` with the given budgets.
pub fn create(label: &str, limits: Limits) -> Result<Box<dyn Runtime>, Error> {
    let _ = limits;
    match label {
        #[cfg(feature = "wasmtime")]
        "wasmtime" | "wasmtime-no-simd" => wasmtime::Wasmtime::variant(label, limits).map(boxed),
        #[cfg(feature = "trevm")]
        "trevm" => wasmtime::trevm::Trevm::new(limits).map(boxed),
        #[cfg(feature = "wasmtime-42")]
        "wasmtime@42.0.1" | "wasmtime-no-simd@42.0.1" => {
            wasmtime_42::Wasmtime::variant(label, limits).map(boxed)
        }
        #[cfg(feature = "wasmi")]
        "wasmi" => Ok(boxed(wasmi::Wasmi::new(limits))),
        #[cfg(feature = "wasmi-1")]
        "wasmi@1.0.9" => Ok(boxed(wasmi_1::Wasmi::new(limits))),
        #[cfg(feature = "wamr")]
        "wamr" | "wamr-fast" => wamr::Wamr::variant(label, limits).map(boxed),
        #[cfg(feature = "wasm3")]
        "wasm3" => Ok(boxed(wasm3::Wasm3::new(limits))),
        #[cfg(feature = "wasm-interpreter")]
        "wasm-interpreter" => Ok(boxed(wasm_interpreter::WasmInterpreter::new(limits))),
        #[cfg(feature = "tinywasm")]
        "tinywasm" => Ok(boxed(tinywasm::TinyWasm::new(limits))),
        #[cfg(feature = "wasefire")]
        "wasefire" => Ok(boxed(wasefire::Wasefire::new(limits))),
        #[cfg(feature = "native")]
        "native" => Ok(boxed(native::Native::new())),
        // The catalog's table is not consulted here: firmware would carry
        // every variant's description in flash for this one message.
        _ => Err(Error::new(
            ErrorKind::Unsupported,
            Stage::Load,
            alloc_crate::format!(
                "runtime `{label}` is not compiled into this build (available: {:?})",
                available()
            ),
        )),
    }
}

#[allow(dead_code)]
fn boxed<R: Runtime + 'static>(r: R) -> Box<dyn Runtime> {
    Box::new(r)
}

#[cfg(test)]
mod tests {
    /// `available()` maps this build's cargo features to labels by hand
    /// (firmware calls it per cell; deriving it from the catalog's table
    /// would link every variant's description into flash): every label it
    /// names must be the catalog's, served by the adapter it is under.
    #[test]
    fn available_names_catalog_variants_only() {
        for label in super::available() {
            let v = trevm_catalog::runtime::find(label)
                .unwrap_or_else(|| panic!("`{label}` is not in the catalog"));
            let b = trevm_catalog::runtime::build_for(label).unwrap();
            assert_eq!(b.adapter, Some(v.adapter), "{label}");
        }
    }
}
