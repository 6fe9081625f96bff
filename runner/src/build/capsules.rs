//! The capsules (`capsules/`): Wasm components written in Rust against
//! `capsules/wit/capsule.wit`. Cargo builds them as core modules for
//! `wasm32v1-none` with their own linear memory layout, in a target
//! directory of their own; [`wit_component`] turns each into a component,
//! kept as `build/suites/capsules/<name>.wasm`.

use std::path::{Path, PathBuf};

use super::{cargo, status};
use crate::error::{Error, Result};
use crate::workspace;

/// The capsules (cargo bins of `trevm-capsules`) and the world of each.
pub const CAPSULES: &[(&str, &str)] = &[
    ("fib", "ephemeral"),
    ("sensor-log", "ephemeral-bindings"),
    ("counter", "persistent"),
    ("sensor-server", "persistent-bindings"),
];

/// The capsules' linear memory, as treVM's: 1-byte pages (the
/// custom-page-sizes proposal), 32 KiB that cannot grow, an 8 KiB stack
/// placed first so that an overflow traps. These replace the
/// `[target.wasm32v1-none]` flags of `.cargo/config.toml` (the own
/// workloads' layout) for this build only.
pub const RUSTFLAGS: &str = "-C link-arg=--page-size=1 \
     -C link-arg=--initial-memory=32768 -C link-arg=--max-memory=32768 \
     -C link-arg=-zstack-size=8192 -C link-arg=--stack-first";

/// The cargo target directory of the capsules (their own flags would
/// otherwise rebuild the own workloads, and the other way round).
pub fn target_dir() -> PathBuf {
    workspace::root().join("target").join("capsules")
}

/// Where the components are kept: `build/suites/capsules/`.
pub fn out_dir() -> PathBuf {
    workspace::build_dir().join("suites").join("capsules")
}

/// Builds the capsules and writes their components to [`out_dir`],
/// replacing what was there; returns their paths in [`CAPSULES`] order.
pub fn capsules() -> Result<Vec<PathBuf>> {
    let mut c = cargo(None);
    c.env("CARGO_TARGET_DIR", target_dir());
    c.env("RUSTFLAGS", RUSTFLAGS);
    c.args([
        "build",
        "--profile",
        "capsule",
        "-p",
        "trevm-capsules",
        "--target",
        "wasm32v1-none",
        "--features",
        "guest",
        "--bins",
    ]);
    status(c, "the capsules (wasm32v1-none)")?;
    let built = target_dir().join("wasm32v1-none").join("capsule");
    let out = out_dir();
    std::fs::create_dir_all(&out)
        .map_err(|e| Error::io(format!("creating {}", out.display()), e))?;
    CAPSULES
        .iter()
        .map(|(name, _)| {
            let core = built.join(format!("{name}.wasm"));
            let core = std::fs::read(&core)
                .map_err(|e| Error::io(format!("reading {}", core.display()), e))?;
            let component = component(name, &core)?;
            let dest = out.join(format!("{name}.wasm"));
            write_atomically(&dest, &component)?;
            Ok(dest)
        })
        .collect()
}

/// The component of capsule `name`'s core module, which carries its world
/// (wit-bindgen's `component-type` custom section), validated.
pub fn component(name: &str, core: &[u8]) -> Result<Vec<u8>> {
    wit_component::ComponentEncoder::default()
        .module(core)
        .and_then(|e| e.validate(true).encode())
        .map_err(|e| Error::Capsule {
            capsule: name.into(),
            detail: format!("{e:#}"),
        })
}

/// Writes `bytes` to `dest` through a temporary file in the same folder,
/// so that `dest` is either the old file or the new one, never a part.
fn write_atomically(dest: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = dest.with_extension("wasm.tmp");
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    std::fs::rename(&tmp, dest).map_err(|e| {
        Error::io(
            format!("renaming {} to {}", tmp.display(), dest.display()),
            e,
        )
    })
}
