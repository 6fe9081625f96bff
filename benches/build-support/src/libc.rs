//! The bare-metal C library a firmware with C code links (newlib-nano on
//! Arm, picolibc on RV32), from the Debian cross toolchains, in the
//! multilib that matches the target's core.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::targets::Target;

/// Where the linker finds a bare-metal C library, and what to link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibcLink {
    /// Folders to search: the C library's, then libgcc's.
    pub search: Vec<PathBuf>,
    /// The libraries, linked statically in this order.
    pub libs: &'static [&'static str],
}

/// Asks the target's gcc (the table's, with the target's
/// [`Target::cpu_flags`] and the C library's specs file) for the folders of
/// the matching multilib: the C library's (first in the library's
/// [`multilib_root`](crate::BareLibc::multilib_root) when it has one), and
/// libgcc's.
pub fn find(target: &Target) -> Result<LibcLink, String> {
    let libc = target.bare_libc().ok_or_else(|| {
        format!(
            "{} is a host target: its C library is the host's",
            target.triple
        )
    })?;
    let gcc = target.cc;
    let mut args = vec![format!("--specs={}", libc.specs)];
    args.extend(target.cpu_flags.iter().map(|f| f.to_string()));
    let run = |what: &str| -> Result<String, String> {
        let out = Command::new(gcc)
            .args(&args)
            .arg(what)
            .output()
            .map_err(|e| format!("cannot run {gcc} ({e}): {}", target.install_hint()))?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    // The folder of the file gcc finds for `what`.
    let folder_of = |what: &str| -> Result<PathBuf, String> {
        let path = PathBuf::from(run(what)?);
        match path.parent() {
            Some(dir) if path.is_absolute() => Ok(dir.to_path_buf()),
            _ => Err(format!(
                "`{gcc} {} {what}` found nothing ({} for {}): {}",
                args.join(" "),
                libc.name,
                target.triple,
                target.install_hint()
            )),
        }
    };
    let in_root = match libc.multilib_root {
        Some(root) => Some(Path::new(root).join(run("-print-multi-directory")?))
            .filter(|d| d.join(libc.archive).is_file()),
        None => None,
    };
    let libc_dir = match in_root {
        Some(dir) => dir,
        None => folder_of(&format!("-print-file-name={}", libc.archive))?,
    };
    Ok(LibcLink {
        search: vec![libc_dir, folder_of("-print-libgcc-file-name")?],
        libs: libc.libs,
    })
}

/// [`find`], then tells cargo: the search folders, then the libraries.
pub fn link(target: &Target) -> Result<(), String> {
    let found = find(target)?;
    for dir in &found.search {
        println!("cargo:rustc-link-search={}", dir.display());
    }
    for lib in found.libs {
        println!("cargo:rustc-link-lib=static={lib}");
    }
    Ok(())
}
