//! Exposes the versions of the runtime crates, as resolved in the workspace's
//! `Cargo.lock`, as `TREVM_VERSION_<CRATE>` environment variables, so every
//! result can say exactly which runtime it measured.

use std::path::PathBuf;

fn main() {
    let lock = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap()).join("../Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    println!("cargo:rustc-check-cfg=cfg(pulley_disable_interp_simd)");
    let text = std::fs::read_to_string(&lock).unwrap_or_default();
    // Every runtime crate of the catalog (`own-workloads` serves `native`).
    let mut crates: Vec<&str> = trevm_catalog::RUNTIMES.iter().map(|r| r.krate).collect();
    crates.sort_unstable();
    crates.dedup();
    for krate in crates {
        let version = version_in_lock(&text, krate).unwrap_or_else(|| "unknown".into());
        let var = krate.to_uppercase().replace('-', "_");
        println!("cargo:rustc-env=TREVM_VERSION_{var}={version}");
    }
}

/// Finds `version = "..."` of the `[[package]]` named `name`.
fn version_in_lock(lock: &str, name: &str) -> Option<String> {
    let want = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == want {
            let v = lines
                .next()?
                .trim()
                .strip_prefix("version = \"")?
                .strip_suffix('"')?;
            return Some(v.to_string());
        }
    }
    None
}
