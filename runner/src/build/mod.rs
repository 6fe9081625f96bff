//! Builds what the matrix needs, with cargo: guest modules, host programs
//! and the bare-metal firmwares (one per board × firmware build of the
//! catalog); and, with laze, the Ariel OS firmwares ([`ariel`]). Cargo
//! itself decides what is missing, so calling these again is cheap.
//!
//! The host programs are not listed anywhere: there is one per build
//! environment of the catalog ([`BuildEnv`]: toolchain and `RUSTFLAGS`,
//! which cargo cannot mix in one binary), compiling every adapter of the
//! catalog's firmware builds in that environment ([`host_programs`]).

use std::path::PathBuf;
use std::process::Command;

use trevm_catalog::board::Board;
use trevm_catalog::os::Os;
use trevm_catalog::profile::Profile;
use trevm_catalog::runtime::{BuildEnv, FirmwareBuild, BUILDS};

use crate::error::{Error, Result};
use crate::workspace;

pub mod ariel;
pub mod capsules;

/// The cargo target directory of a build environment.
pub fn target_dir(env: &BuildEnv) -> PathBuf {
    match env.target_dir {
        Some(d) => workspace::root().join("target").join(d),
        None => workspace::root().join("target"),
    }
}

/// A `cargo` command in a build environment.
pub fn cargo_in(env: &BuildEnv) -> Command {
    let mut c = cargo(env.toolchain);
    c.env("CARGO_TARGET_DIR", target_dir(env));
    if let Some(flags) = env.rustflags {
        c.env("RUSTFLAGS", flags);
    }
    c
}

/// One host program: `trevm-firmware` built for the host board in one
/// build environment, with every adapter of that environment's builds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostProgram {
    /// Toolchain and flags; `env.name` is also its folder under
    /// `build/host/`.
    pub env: BuildEnv,
    /// The adapters it compiles in (cargo features), in table order.
    pub adapters: Vec<&'static str>,
    /// The runtime variant labels it serves, in table order.
    pub serves: Vec<&'static str>,
}

impl HostProgram {
    /// Cargo features of `trevm-firmware`.
    pub fn features(&self) -> String {
        std::iter::once("board-host")
            .chain(self.adapters.iter().copied())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Where it is kept once built (copied, so other environments' builds
    /// cannot replace it).
    pub fn path(&self) -> PathBuf {
        workspace::build_dir()
            .join("host")
            .join(self.env.name)
            .join("trevm-firmware")
    }
}

/// The host programs, derived from the catalog: one per build environment
/// that has a runtime build, in the order of [`BuildEnv::ALL`].
pub fn host_programs() -> Vec<HostProgram> {
    BuildEnv::ALL
        .iter()
        .filter_map(|env| {
            let builds: Vec<&FirmwareBuild> = BUILDS
                .iter()
                .filter(|b| b.env == *env && b.adapter.is_some())
                .collect();
            let mut adapters: Vec<&'static str> = Vec::new();
            for a in builds.iter().filter_map(|b| b.adapter) {
                if !adapters.contains(&a) {
                    adapters.push(a);
                }
            }
            let serves = builds.iter().flat_map(|b| b.serves()).collect();
            (!adapters.is_empty()).then_some(HostProgram {
                env: *env,
                adapters,
                serves,
            })
        })
        .collect()
}

/// Builds one host program and returns where it was copied to.
pub fn host_program(p: &HostProgram) -> Result<PathBuf> {
    let mut c = cargo_in(&p.env);
    let features = p.features();
    c.args([
        "build",
        "--release",
        "-p",
        "trevm-firmware",
        "--features",
        &features,
    ]);
    status(c, &format!("the host program ({})", p.env.name))?;
    let dest = p.path();
    copy(&target_dir(&p.env).join("release/trevm-firmware"), &dest)?;
    Ok(dest)
}

/// The environment variable that tells `firmware/build.rs` the memory
/// profile to link with.
pub const PROFILE_VAR: &str = "TREVM_PROFILE";

/// Where the firmware `build` of `board` is kept once built:
/// `build/firmware/<board>/<build>.elf` in the default memory profile,
/// `build/firmware/<board>/<profile>/<build>.elf` in any other, so that the
/// profiles' firmwares never replace each other.
pub fn firmware_path(board: &str, profile: &Profile, build: &FirmwareBuild) -> PathBuf {
    let dir = workspace::build_dir().join("firmware").join(board);
    let dir = if profile.is_default() {
        dir
    } else {
        dir.join(profile.name)
    };
    dir.join(format!("{}.elf", build.name))
}

/// Builds the firmware `build` of `board` with the memory layout of
/// `profile`, copies it to [`firmware_path`] and returns that path. `quiet`
/// keeps cargo's output (and the linker's complaint) in the error instead
/// of on the terminal: a build that does not fit the chip fails here.
///
/// The profiles share cargo's target directory: switching profiles relinks
/// the firmware (its build script reruns), nothing else.
pub fn firmware(
    board: &Board,
    profile: &Profile,
    build: &FirmwareBuild,
    quiet: bool,
) -> Result<PathBuf> {
    let what = if profile.is_default() {
        format!("the `{}` firmware for {}", build.name, board.name)
    } else {
        format!(
            "the `{}` firmware for {} (memory profile `{}`)",
            build.name, board.name, profile.name
        )
    };
    let built = cargo_firmware(board, profile, build, &[], &[], quiet, what)?;
    let dest = firmware_path(board.name, profile, build);
    copy(&built, &dest)?;
    Ok(dest)
}

/// Where [`device_firmware`] keeps the device firmware of `board`:
/// `build/firmware/<board>/trevm-device.elf`.
pub fn device_firmware_path(board: &str) -> PathBuf {
    workspace::build_dir()
        .join("firmware")
        .join(board)
        .join(format!("{}.elf", trevm_catalog::os::RTT_DEVICE))
}

/// Builds the device firmware of the bare-metal `board` (the catalog's
/// `os::RTT_DEVICE`: the treVM device over the RTT down channel), trusting
/// updates signed by `kid` with the Ed25519 public key `key_hex` (built
/// in, as `TREVM_UPDATE_KEY` / `TREVM_UPDATE_KID`), and returns
/// [`device_firmware_path`].
pub fn device_firmware(board: &Board, key_hex: &str, kid: &str) -> Result<PathBuf> {
    let build = trevm_catalog::os::rtt_device_build();
    let what = format!(
        "the `{}` firmware for {}",
        trevm_catalog::os::RTT_DEVICE,
        board.name
    );
    let built = cargo_firmware(
        board,
        &trevm_catalog::profile::DEFAULT,
        build,
        &[trevm_catalog::os::RTT_DEVICE_FEATURE],
        &[("TREVM_UPDATE_KEY", key_hex), ("TREVM_UPDATE_KID", kid)],
        false,
        what,
    )?;
    let dest = device_firmware_path(board.name);
    copy(&built, &dest)?;
    Ok(dest)
}

/// `cargo build` of `trevm-firmware` for `board` as `build` (its adapter,
/// toolchain and flags) with the memory layout of `profile`, `features`
/// and `env` besides; returns the ELF in cargo's target directory. `quiet`:
/// see [`firmware`].
fn cargo_firmware(
    board: &Board,
    profile: &Profile,
    build: &FirmwareBuild,
    features: &[&str],
    env: &[(&str, &str)],
    quiet: bool,
    what: String,
) -> Result<PathBuf> {
    check_target(board)?;
    let target = board.target.ok_or_else(|| Error::WrongBoard {
        board: board.name.into(),
        why: "runs no firmware",
        choose: crate::select::board_names(Board::has_firmware),
    })?;
    let mut c = cargo_in(&build.env);
    c.env(PROFILE_VAR, profile.name);
    c.envs(env.iter().copied());
    let features = std::iter::once(board.feature())
        .chain(build.adapter.map(String::from))
        .chain(features.iter().map(|f| f.to_string()))
        .collect::<Vec<_>>()
        .join(",");
    c.args([
        "build",
        "--profile",
        "firmware",
        "-p",
        "trevm-firmware",
        "--target",
        target,
        "--features",
        &features,
    ]);
    if quiet {
        quietly(c, &what)?;
    } else {
        status(c, &what)?;
    }
    Ok(target_dir(&build.env)
        .join(target)
        .join("firmware/trevm-firmware"))
}

/// Builds the firmware `build` of `board` for `os`: bare metal with the
/// memory layout of `profile` ([`firmware`]), or Ariel OS
/// ([`ariel::firmware`], which has Ariel OS's own layout: the
/// default profile only).
pub fn firmware_for(
    board: &Board,
    os: &Os,
    profile: &Profile,
    build: &FirmwareBuild,
    quiet: bool,
) -> Result<PathBuf> {
    if os.is_ariel() {
        ariel::firmware(board, build, quiet)
    } else {
        firmware(board, profile, build, quiet)
    }
}

/// Where [`firmware_for`] keeps what it built.
pub fn firmware_path_for(
    board: &str,
    os: &Os,
    profile: &Profile,
    build: &FirmwareBuild,
) -> PathBuf {
    if os.is_ariel() {
        ariel::firmware_path(board, build)
    } else {
        firmware_path(board, profile, build)
    }
}

/// Whether `board`'s firmware can be built here. A target rustup cannot
/// install (the ESP32's Xtensa, only in Espressif's own `esp` toolchain)
/// stops every command with one message that says what to install.
pub fn check_target(board: &Board) -> Result<()> {
    let Some(target) = board.target.filter(|_| !board.rustup_target) else {
        return Ok(());
    };
    let listed = Command::new("rustc")
        .args(["+esp", "--print", "target-list"])
        .output()
        .is_ok_and(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| l == target)
        });
    Err(Error::Toolchain(if listed {
        format!(
            "the `esp` toolchain is installed, but treVM bench has no firmware for `{target}` yet (no {} board module)",
            board.name
        )
    } else {
        format!(
            "firmware for `{target}` ({}) needs Espressif's Xtensa Rust toolchain, which is not installed: \
             install it with espup (`cargo install espup --locked && espup install`, then `. $HOME/export-esp.sh`)",
            board.name
        )
    }))
}

/// The lines of a failed cargo build that say why: errors, and the
/// linker's overflow messages ("will not fit in region", "overflowed by").
pub fn build_error_summary(stderr: &str) -> String {
    let keep: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| {
            l.starts_with("error")
                || l.contains("overflowed by")
                || l.contains("will not fit")
                || l.contains("undefined symbol")
                || l.contains("rust-lld: error")
        })
        .filter(|l| !l.starts_with("error: could not compile"))
        .take(6)
        .collect();
    if keep.is_empty() {
        stderr.lines().rev().take(5).collect::<Vec<_>>().join(" | ")
    } else {
        keep.join(" | ")
    }
}

fn cargo(toolchain: Option<&str>) -> Command {
    let mut c = Command::new("cargo");
    if let Some(t) = toolchain {
        c.arg(format!("+{t}"));
    }
    c.current_dir(workspace::root());
    without_outer_settings(&mut c);
    c
}

/// Keeps a build command (cargo, or laze calling cargo) from inheriting
/// the outer cargo's settings.
pub(crate) fn without_outer_settings(c: &mut Command) {
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        PROFILE_VAR,
    ] {
        c.env_remove(var);
    }
    // An empty `TREVM_NATIVE_C` means no C suites, as an unset one does
    // (benches/native-c/build.rs); cargo tells the two apart and would
    // rebuild the programs between them, so it gets the unset one.
    if std::env::var_os("TREVM_NATIVE_C").is_some_and(|v| v.is_empty()) {
        c.env_remove("TREVM_NATIVE_C");
    }
}

/// Runs cargo with its output kept (a failure is summarised from it),
/// showing how far along it is ([`watch`]).
pub(crate) fn quietly(c: Command, what: &str) -> Result<()> {
    match watch(c, what) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(output)) => Err(Error::Build {
            what: what.into(),
            detail: build_error_summary(&output),
        }),
        Err(source) => Err(Error::Cargo {
            what: what.into(),
            source,
        }),
    }
}

/// Runs a build command (cargo, or laze calling cargo) with its output
/// kept, and shows how far along it is: on a terminal one line kept up to
/// date with the crates compiled and the one being compiled, elsewhere (CI
/// logs) a line every 30 s; then how long it took. `Err`: it could not be
/// started; `Ok(Err(output))`: it failed, with everything it printed.
pub(crate) fn watch(
    mut c: Command,
    what: &str,
) -> std::io::Result<std::result::Result<(), String>> {
    use std::io::{BufRead, IsTerminal, Read};
    use std::time::{Duration, Instant};
    let mut child = c
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|r| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(r).lines().map_while(|l| l.ok()) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
    })
    .collect();
    drop(tx);
    let tty = std::io::stderr().is_terminal();
    let started = Instant::now();
    let mut last = Instant::now();
    let mut compiled = 0usize;
    let mut text = String::new();
    let mut current = String::new();
    loop {
        let line = match rx.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => Some(line),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        if let Some(krate) = line
            .as_deref()
            .and_then(|l| l.trim_start().strip_prefix("Compiling "))
        {
            compiled += 1;
            current = krate.split(' ').next().unwrap_or(krate).to_string();
        }
        // laze runs cargo under ninja, which prints a command's output when
        // it ends: the clock says how far along it is when lines do not.
        let now = format!(
            "  {what}: {:.0} s, {compiled} crate(s) compiled{}",
            started.elapsed().as_secs_f64(),
            if current.is_empty() {
                String::new()
            } else {
                format!("; now {current}")
            }
        );
        if tty {
            eprint!("\r\x1b[K{now}");
        } else if last.elapsed() >= Duration::from_secs(30) {
            eprintln!("{now}");
            last = Instant::now();
        }
        if let Some(line) = line {
            text.push_str(&line);
            text.push('\n');
        }
    }
    for r in readers {
        let _ = r.join();
    }
    if tty {
        eprint!("\r\x1b[K");
    }
    if !child.wait()?.success() {
        return Ok(Err(text));
    }
    if compiled > 0 || started.elapsed() >= Duration::from_secs(5) {
        eprintln!(
            "  {what}: built in {:.0} s ({compiled} crate(s) compiled)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(Ok(()))
}

fn status(mut c: Command, what: &str) -> Result<()> {
    let st = c.status().map_err(|source| Error::Cargo {
        what: what.into(),
        source,
    })?;
    if st.success() {
        Ok(())
    } else {
        Err(Error::Build {
            what: what.into(),
            detail: format!("cargo ended with {st}; its output above says why"),
        })
    }
}

pub(crate) fn copy(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|e| Error::io(format!("copying {} to {}", from.display(), to.display()), e))
}

/// Builds the `own` workloads for `wasm32v1-none`.
pub fn own_workloads() -> Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use trevm_catalog::RUNTIMES;

    #[test]
    fn host_programs_serve_every_runtime_variant_once() {
        let programs = host_programs();
        for r in RUNTIMES {
            let serving: Vec<_> = programs
                .iter()
                .filter(|p| p.serves.contains(&r.label))
                .collect();
            assert_eq!(serving.len(), 1, "{}", r.label);
            assert!(serving[0].adapters.contains(&r.adapter), "{}", r.label);
        }
        for p in &programs {
            let f = p.features();
            assert!(f.starts_with("board-host,"), "{f}");
            assert!(!p.serves.contains(&trevm_catalog::NO_RUNTIME));
        }
        // Every build environment with a runtime build has its program,
        // and each program its own folder.
        let mut names: Vec<_> = programs.iter().map(|p| p.env.name).collect();
        names.dedup();
        assert_eq!(names.len(), programs.len());
    }

    #[test]
    fn firmware_paths_are_per_board_and_build() {
        let wamr = trevm_catalog::runtime::build_for("wamr-fast").unwrap();
        let p = firmware_path("qemu-m4f", &trevm_catalog::profile::DEFAULT, wamr);
        assert!(p.ends_with("firmware/qemu-m4f/wamr.elf"), "{}", p.display());
        let p = firmware_path("qemu-m4f", &trevm_catalog::profile::PAPER, wamr);
        assert!(
            p.ends_with("firmware/qemu-m4f/paper/wamr.elf"),
            "{}",
            p.display()
        );
    }

    #[test]
    fn an_empty_native_c_selection_reaches_cargo_unset() {
        // Empty means none (benches/native-c), as unset does; other tests
        // read no TREVM_NATIVE_C, so setting it here disturbs none.
        std::env::set_var("TREVM_NATIVE_C", "");
        let c = cargo(None);
        std::env::remove_var("TREVM_NATIVE_C");
        let native_c = c.get_envs().find(|(k, _)| *k == "TREVM_NATIVE_C");
        assert_eq!(
            native_c,
            Some((std::ffi::OsStr::new("TREVM_NATIVE_C"), None))
        );
    }

    #[test]
    fn boards_rustup_cannot_build_for_say_what_to_install() {
        for b in trevm_catalog::BOARDS {
            let r = check_target(b);
            assert_eq!(r.is_ok(), b.rustup_target, "{}", b.name);
            if let Err(e) = r {
                assert!(e.to_string().contains(b.target.unwrap()), "{e}");
            }
        }
    }
}
