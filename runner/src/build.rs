//! Builds what the matrix needs, with cargo: guest modules, host cell
//! programs and (for the boards) firmware. Cargo itself decides what is
//! missing, so calling these again is cheap.

use std::path::PathBuf;
use std::process::Command;

use crate::workspace;

/// One build of the host board's cell program. Pulley's SIMD support and
/// wasefire's nightly toolchain are whole-build choices, so the host board
/// needs three builds to cover every runtime variant.
#[derive(Clone, Copy, Debug)]
pub struct HostFlavour {
    /// Name, also the folder under `build/host/`.
    pub name: &'static str,
    /// Rust toolchain (`None`: the default, stable).
    pub toolchain: Option<&'static str>,
    /// Cargo features of `trevm-firmware`.
    pub features: &'static str,
    /// Extra `RUSTFLAGS`.
    pub rustflags: Option<&'static str>,
    /// Cargo target directory under `target/` (`None`: `target/` itself).
    pub target_dir: Option<&'static str>,
    /// The runtime variant labels this build serves.
    pub serves: &'static [&'static str],
}

/// The host builds and the variants each serves (the built program confirms
/// with `trevm-firmware list`).
pub const HOST_FLAVOURS: &[HostFlavour] = &[
    HostFlavour {
        name: "stable",
        toolchain: None,
        features: "board-host,wasmtime,wasmi,wamr,wasm-interpreter,tinywasm,wasm3,native",
        rustflags: None,
        target_dir: None,
        serves: &[
            "wasmtime",
            "wasmi",
            "wamr",
            "wamr-fast",
            "wasm-interpreter",
            "tinywasm",
            "wasm3",
            "native",
        ],
    },
    HostFlavour {
        name: "no-simd",
        toolchain: None,
        features: "board-host,wasmtime",
        rustflags: Some("--cfg pulley_disable_interp_simd"),
        target_dir: Some("no-simd"),
        serves: &["wasmtime-no-simd", "trevm"],
    },
    HostFlavour {
        name: "nightly",
        toolchain: Some("nightly"),
        features: "board-host,wasefire",
        rustflags: None,
        target_dir: Some("nightly"),
        serves: &["wasefire"],
    },
];

fn cargo(toolchain: Option<&str>) -> Command {
    let mut c = Command::new("cargo");
    if let Some(t) = toolchain {
        c.arg(format!("+{t}"));
    }
    c.current_dir(workspace::root());
    // Our own cargo invocation must not inherit the outer one's settings.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
    ] {
        c.env_remove(var);
    }
    c
}

fn status(mut c: Command, what: &str) -> Result<(), String> {
    let st = c
        .status()
        .map_err(|e| format!("cannot run cargo for {what}: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!(
            "building {what} failed ({st}); the cargo output above says why"
        ))
    }
}

/// Builds the `own` workloads for `wasm32v1-none`.
pub fn own_workloads() -> Result<(), String> {
    let mut c = cargo(None);
    c.args([
        "build",
        "--profile",
        "guest",
        "-p",
        "own-workloads",
        "--target",
        "wasm32v1-none",
        "--features",
        "guest",
        "--bins",
    ]);
    status(c, "the own workloads (wasm32v1-none)")
}

/// Builds one host flavour and returns its program, copied to
/// `build/host/<flavour>/trevm-firmware` so other flavours' builds cannot
/// replace it.
pub fn host_program(f: &HostFlavour) -> Result<PathBuf, String> {
    let mut c = cargo(f.toolchain);
    c.args([
        "build",
        "--release",
        "-p",
        "trevm-firmware",
        "--features",
        f.features,
    ]);
    let target = match f.target_dir {
        Some(d) => workspace::root().join("target").join(d),
        None => workspace::root().join("target"),
    };
    c.env("CARGO_TARGET_DIR", &target);
    if let Some(flags) = f.rustflags {
        c.env("RUSTFLAGS", flags);
    }
    status(c, &format!("the host cell program ({} flavour)", f.name))?;
    let dir = workspace::build_dir().join("host").join(f.name);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let dest = dir.join("trevm-firmware");
    std::fs::copy(target.join("release/trevm-firmware"), &dest)
        .map_err(|e| format!("copying the host program: {e}"))?;
    Ok(dest)
}
