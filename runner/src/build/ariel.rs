//! Ariel OS firmwares: found, built with laze, and kept beside the
//! bare-metal ones.
//!
//! The firmware is the `trevm-ariel` application (`ariel/`): one laze app per
//! firmware build of the catalog (`ariel/laze.yml`), one laze builder per
//! board (`Board::ariel_builder`, Ariel OS's own board names). Ariel OS is
//! found by `scripts/ariel-os.sh` (ARIEL_OS_SRC, the offline kit at
//! `../shared/ariel-os`, or GitHub at the pinned commit); when none is
//! reachable every Ariel OS command stops with [`Error::ArielOsMissing`],
//! which says how to get it, and bare metal keeps working.

use std::path::PathBuf;
use std::process::Command;

use trevm_catalog::board::Board;
use trevm_catalog::runtime::FirmwareBuild;

use super::{build_error_summary, copy};
use crate::error::{Error, Result};
use crate::workspace;

/// The folder of a board's Ariel OS firmwares:
/// `build/firmware/<board>/ariel-os/`.
pub fn firmware_dir(board: &str) -> PathBuf {
    workspace::build_dir()
        .join("firmware")
        .join(board)
        .join(trevm_catalog::os::ARIEL_OS.name)
}

/// Where the Ariel OS firmware `build` of `board` is kept once built
/// (`.elf`; on `native` an executable that runs cells as processes).
pub fn firmware_path(board: &str, build: &FirmwareBuild) -> PathBuf {
    app_path(board, build.name)
}

/// Where the Ariel OS app `name` of `board` is kept once built.
pub fn app_path(board: &str, name: &str) -> PathBuf {
    firmware_dir(board).join(format!("{name}.elf"))
}

/// Whether Ariel OS can be had here ([`Error::ArielOsMissing`] says how to
/// get it when not), and laze to build with it.
pub fn check() -> Result<()> {
    let root = workspace::root();
    let out = Command::new("bash")
        .arg(root.join("scripts/ariel-os.sh"))
        .arg("check")
        .current_dir(&root)
        .output()
        .map_err(|e| Error::io("running scripts/ariel-os.sh", e))?;
    if !out.status.success() {
        return Err(Error::ArielOsMissing(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    if Command::new("laze").arg("--version").output().is_err() {
        return Err(Error::Toolchain(
            "laze, which builds the Ariel OS firmwares, is not installed: run `make setup` \
             (or `cargo install laze --locked`)"
                .into(),
        ));
    }
    Ok(())
}

/// Builds the Ariel OS firmware `build` for `board` with laze, copies it to
/// [`firmware_path`] and returns that path. `quiet` keeps laze's and
/// cargo's output in the error instead of on the terminal (a firmware that
/// does not fit the chip fails here, with the linker's words).
pub fn firmware(board: &Board, build: &FirmwareBuild, quiet: bool) -> Result<PathBuf> {
    app(board, build.name, quiet)
}

/// Builds the laze app `name` of `ariel/laze.yml` (a firmware build, or a
/// CoAP app of the catalog's `os::COAP_APPS`) for `board`, as
/// [`firmware`] does.
pub fn app(board: &Board, name: &str, quiet: bool) -> Result<PathBuf> {
    let builder = board.ariel_builder.ok_or_else(|| Error::WrongBoard {
        board: board.name.into(),
        why: "has no Ariel OS firmware",
        choose: crate::select::board_names(|b| b.ariel_builder.is_some()),
    })?;
    check()?;
    let root = workspace::root();
    let mut c = Command::new("laze");
    c.current_dir(&root)
        .args(["build", "--global", "-b", builder, "-a", name]);
    // laze calls cargo itself, with Ariel OS's settings: none of ours.
    super::without_outer_settings(&mut c);
    let what = format!("the Ariel OS `{name}` firmware for {}", board.name);
    let cannot_run = |e: std::io::Error| {
        Error::Toolchain(format!(
            "cannot run laze for {what}: {e} (`make setup` installs it)"
        ))
    };
    if quiet {
        if let Err(output) = super::watch(c, &what).map_err(cannot_run)? {
            return Err(Error::Build {
                what,
                detail: build_error_summary(&output),
            });
        }
    } else if !c.status().map_err(cannot_run)?.success() {
        return Err(Error::Build {
            what,
            detail: "laze ended with an error; its output above says why".into(),
        });
    }
    let built = built_app(builder, name).ok_or_else(|| Error::Build {
        what: what.clone(),
        detail: format!("laze succeeded but left no build/bin/{builder}/cargo/*/release/{name}"),
    })?;
    let dest = app_path(board.name, name);
    copy(&built, &dest)?;
    Ok(dest)
}

/// Where laze leaves an Ariel OS app: `build/bin/<builder>/cargo/<rust
/// target>/release/<app>` (the newest, if several targets have one).
pub fn built_app(builder: &str, app: &str) -> Option<PathBuf> {
    let cargo = workspace::root()
        .join("build/bin")
        .join(builder)
        .join("cargo");
    std::fs::read_dir(cargo)
        .ok()?
        .flatten()
        .map(|e| e.path().join("release").join(app))
        .filter(|p| p.is_file())
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ariel_firmware_lives_beside_the_bare_metal_ones() {
        let wasmi = trevm_catalog::runtime::build_for("wasmi").unwrap();
        let p = firmware_path("nrf52840dk", wasmi);
        assert!(
            p.ends_with("firmware/nrf52840dk/ariel-os/wasmi.elf"),
            "{}",
            p.display()
        );
    }
}
