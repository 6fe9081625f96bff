//! Renaming the symbols of a static library, so that several builds of the
//! same C code (WAMR's two interpreters, the C suites' benchmarks with their
//! `main`s) live in one program: `nm` lists the global symbols the archive
//! defines, `objcopy --redefine-syms` renames them in definitions and
//! references alike. What the archive only references (the C library, a
//! shared platform layer) keeps its name unless renamed explicitly.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::targets::Target;

/// The binutils that rename symbols.
#[derive(Debug, Clone)]
pub struct Binutils {
    /// `nm`.
    pub nm: PathBuf,
    /// `objcopy`.
    pub objcopy: PathBuf,
}

impl Binutils {
    /// The `nm` and `objcopy` for the archives `build` makes: the
    /// environment variables `nm_var`/`objcopy_var` when set, else the first
    /// that runs of: the binutils beside the C compiler
    /// (`arm-none-eabi-gcc` -> `arm-none-eabi-objcopy`, `cc` -> `objcopy`),
    /// the target table's, `llvm-nm`/`llvm-objcopy` in any version (they
    /// handle every target).
    pub fn find(
        build: &cc::Build,
        target: &Target,
        nm_var: &str,
        objcopy_var: &str,
    ) -> Result<Binutils, String> {
        let compiler = build.get_compiler();
        let cc_name = compiler
            .path()
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("cc");
        let beside_cc = ["gcc", "clang", "cc"]
            .iter()
            .find_map(|suffix| cc_name.strip_suffix(suffix))
            .unwrap_or("");
        let pick = |var: &str, tool: &str| -> Result<PathBuf, String> {
            if let Some(p) = crate::env_var_os(var) {
                return Ok(PathBuf::from(p));
            }
            let mut candidates = vec![
                format!("{beside_cc}{tool}"),
                format!("{}{tool}", target.binutils),
                format!("llvm-{tool}"),
            ];
            candidates.extend((14..=22).rev().map(|v| format!("llvm-{tool}-{v}")));
            candidates.dedup();
            candidates
                .iter()
                .find(|c| {
                    Command::new(c)
                        .arg("--version")
                        .output()
                        .is_ok_and(|o| o.status.success())
                })
                .map(PathBuf::from)
                .ok_or_else(|| {
                    format!(
                        "no `{tool}` found to rename symbols (tried {candidates:?}): the binutils \
                         of {} come with its compiler ({}); LLVM's serve too; or set {var}",
                        target.triple,
                        target.install_hint()
                    )
                })
        };
        Ok(Binutils {
            nm: pick(nm_var, "nm")?,
            objcopy: pick(objcopy_var, "objcopy")?,
        })
    }

    /// The global symbols `archive` defines.
    pub fn defined_symbols(&self, archive: &Path) -> Result<BTreeSet<String>, String> {
        let out = Command::new(&self.nm)
            .args(["--defined-only", "--extern-only", "-P"])
            .arg(archive)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.nm.display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} failed on {}: {}",
                self.nm.display(),
                archive.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_end().ends_with(':'))
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect())
    }

    /// Renames, in `archive` itself, each symbol of `defined` to `prefix` +
    /// its name and each `(from, to)` of `also`. The map objcopy reads is
    /// kept as `<out_dir>/<prefix>symbols.map`.
    pub fn prefix_symbols(
        &self,
        archive: &Path,
        defined: &BTreeSet<String>,
        prefix: &str,
        also: &[(&str, String)],
        out_dir: &Path,
    ) -> Result<(), String> {
        let mut map = String::new();
        for s in defined {
            writeln!(map, "{s} {prefix}{s}").unwrap();
        }
        for (from, to) in also {
            writeln!(map, "{from} {to}").unwrap();
        }
        let map_file = out_dir.join(format!("{prefix}symbols.map"));
        std::fs::write(&map_file, map)
            .map_err(|e| format!("cannot write {}: {e}", map_file.display()))?;
        let status = Command::new(&self.objcopy)
            .arg(format!("--redefine-syms={}", map_file.display()))
            .arg(archive)
            .status()
            .map_err(|e| format!("cannot run {}: {e}", self.objcopy.display()))?;
        if !status.success() {
            return Err(format!(
                "{} failed on {} ({status})",
                self.objcopy.display(),
                archive.display()
            ));
        }
        Ok(())
    }
}
