//! Compiling C for a [`Target`]: a checked, quiet [`cc::Build`], static
//! libraries, and the cargo lines that link them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::targets::{Libc, Target};

/// The `cc` crate's settings this crate's builds depend on: each is read
/// by `cc` under several names (see [`cc_env_names`]).
const CC_SETTINGS: [&str; 4] = ["CC", "CFLAGS", "AR", "CRATE_CC_NO_DEFAULTS"];

/// The names under which the `cc` crate reads setting `var` (`CC`,
/// `CFLAGS`, ...) for `triple`, most specific first: `<var>_<triple>`, with
/// `-` (and `.`) as `_`, `TARGET_<var>` or `HOST_<var>`, `<var>`.
pub fn cc_env_names(var: &str, triple: &str) -> Vec<String> {
    let mut names = vec![
        format!("{var}_{triple}"),
        format!("{var}_{}", triple.replace('-', "_")),
        format!("{var}_{}", triple.replace(['-', '.'], "_")),
        format!("TARGET_{var}"),
        format!("HOST_{var}"),
        var.to_string(),
    ];
    let mut seen = std::collections::BTreeSet::new();
    names.retain(|n| seen.insert(n.clone()));
    names
}

/// Declares the `cc` crate's settings for `triple` to cargo (`CC`,
/// `CFLAGS`, `AR`, `CRATE_CC_NO_DEFAULTS` under all their names, and
/// `CROSS_COMPILE`): the builds of [`c_build`] keep `cc`'s own
/// declarations off.
pub fn rerun_if_cc_env_changed(triple: &str) {
    for var in CC_SETTINGS {
        for name in cc_env_names(var, triple) {
            println!("cargo:rerun-if-env-changed={name}");
        }
    }
    println!("cargo:rerun-if-env-changed=CROSS_COMPILE");
}

/// The variable that chooses tool `var` (`CC`, `AR`) for `triple`, as the
/// `cc` crate reads them (the first non-empty one, `TARGET_` when
/// cross-compiling, `HOST_` otherwise).
fn chosen_by_env(var: &str, triple: &str) -> Option<String> {
    let cross = std::env::var("HOST").map_or(true, |host| host != triple);
    let skip = if cross { "HOST_" } else { "TARGET_" };
    cc_env_names(var, triple)
        .into_iter()
        .filter(|n| !n.starts_with(skip))
        .find(|n| std::env::var_os(n).is_some_and(|v| !v.is_empty()))
}

/// A quiet `cc::Build` for `target` (no cargo lines, no warnings):
///
/// - compiler: the table's (checked: it runs, and finds the C library's
///   specs file), unless the `cc` crate's variables choose one
///   (`CC_<triple>`, `TARGET_CC`, `CC`, `CROSS_COMPILE`): then `cc`'s;
/// - archiver: the table's binutils' `ar`, unless `AR_<triple>`,
///   `TARGET_AR`, `AR` or `CROSS_COMPILE` choose one;
/// - flags, in this order: `cc`'s architecture flags for the triple,
///   `flags` (the caller's), the C library's specs file (unless `CFLAGS`
///   already name one: gcc rejects a specs file given twice), the target's
///   [`Target::cflags`].
pub fn c_build(target: &Target, flags: &[&str]) -> Result<cc::Build, String> {
    let mut b = cc::Build::new();
    b.cargo_metadata(false)
        .warnings(false)
        .extra_warnings(false);
    // `CROSS_COMPILE=arm-none-eabi-` gives cc the prefix of both tools.
    let cross_compile = std::env::var("HOST").map_or(true, |h| h != target.triple)
        && std::env::var_os("CROSS_COMPILE").is_some_and(|v| !v.is_empty());
    if chosen_by_env("CC", target.triple).is_none() && !cross_compile {
        check_installed(target)?;
        b.compiler(target.cc);
    }
    if chosen_by_env("AR", target.triple).is_none() && !cross_compile {
        b.archiver(format!("{}ar", target.binutils));
    }
    for f in flags {
        b.flag(f);
    }
    if let Some(libc) = target.bare_libc() {
        let has_specs = b
            .get_compiler()
            .args()
            .iter()
            .any(|a| a.to_string_lossy().starts_with("--specs="));
        if !has_specs {
            b.flag(format!("--specs={}", libc.specs));
        }
    }
    for f in target.cflags {
        b.flag(f);
    }
    Ok(b)
}

/// Checks that the table's compiler for `target` runs and, on bare metal,
/// finds its C library's specs file; the error says what to install.
pub fn check_installed(target: &Target) -> Result<(), String> {
    let cc = target.cc;
    let version = Command::new(cc).arg("--version").output();
    match version {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return Err(format!(
                "`{cc} --version` failed ({}); {cc} is the C compiler for {}: {}",
                o.status,
                target.triple,
                target.install_hint()
            ))
        }
        Err(e) => {
            return Err(format!(
                "cannot run {cc} ({e}), the C compiler for {}: {}",
                target.triple,
                target.install_hint()
            ))
        }
    }
    if let Some(libc) = target.bare_libc() {
        let found = Command::new(cc)
            .arg(format!("-print-file-name={}", libc.specs))
            .output()
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .map_err(|e| format!("cannot run {cc}: {e}"))?;
        if !found.is_absolute() {
            return Err(format!(
                "{cc} does not find {} ({}'s specs file): {}",
                libc.specs,
                libc.name,
                target.install_hint()
            ));
        }
    }
    Ok(())
}

/// Compiles `build` into the static library `lib<name>.a` in `out_dir`
/// and returns its path.
pub fn compile(build: &cc::Build, name: &str, out_dir: &Path) -> Result<PathBuf, String> {
    build
        .clone()
        .out_dir(out_dir)
        .try_compile(name)
        .map_err(|e| format!("compiling lib{name}.a failed: {e}"))?;
    Ok(out_dir.join(format!("lib{name}.a")))
}

/// The first line of the compiler's `--version` (its path when it has
/// none), to record how C code was built.
pub fn compiler_version(build: &cc::Build) -> String {
    let c = build.get_compiler();
    Command::new(c.path())
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| c.path().display().to_string())
}

/// Tells cargo to link the static libraries `libs`, in this order, from
/// `dir`.
pub fn link_static<S: AsRef<str>>(dir: &Path, libs: impl IntoIterator<Item = S>) {
    println!("cargo:rustc-link-search=native={}", dir.display());
    for lib in libs {
        println!("cargo:rustc-link-lib=static={}", lib.as_ref());
    }
}

/// On a host, links the host C library's [`Libc::Host`] `libs` (libm) by
/// name. Nothing on bare metal: there the firmware links the C library
/// ([`crate::libc::link`]).
pub fn link_host_libs(target: &Target) {
    if let Libc::Host { libs } = target.libc {
        for lib in libs {
            println!("cargo:rustc-link-lib={lib}");
        }
    }
}
