//! Where things are: the repository root and the build folders.

use std::path::{Path, PathBuf};

/// The repository root (the folder with the workspace `Cargo.toml`).
///
/// Taken from `TREVM_ROOT` when set, else found upward from the current
/// directory, else the runner's own source location.
pub fn root() -> PathBuf {
    if let Some(r) = std::env::var_os("TREVM_ROOT") {
        return PathBuf::from(r);
    }
    let mut dir = std::env::current_dir().unwrap_or_default();
    loop {
        if dir.join("Cargo.toml").is_file()
            && dir.join("benches").is_dir()
            && dir.join("runner").is_dir()
        {
            return dir;
        }
        if !dir.pop() {
            break;
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `build/` under the root: everything the runner makes (copied programs,
/// prepared modules, slot images). Safe to delete.
pub fn build_dir() -> PathBuf {
    root().join("build")
}
