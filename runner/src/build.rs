//! Builds what the matrix needs, with cargo: guest modules, host cell
//! programs and the bare-metal firmwares (one per board × runtime build). Cargo itself decides what is
//! missing, so calling these again is cheap.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace;

/// A whole-build choice: toolchain, `RUSTFLAGS` and the cargo target
/// directory they need. Pulley's SIMD support and wasefire's nightly
/// toolchain cannot be mixed into one build with the rest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuildEnv {
    /// Rust toolchain (`None`: the default, stable).
    pub toolchain: Option<&'static str>,
    /// Extra `RUSTFLAGS`.
    pub rustflags: Option<&'static str>,
    /// Cargo target directory under `target/` (`None`: `target/` itself).
    pub target_dir: Option<&'static str>,
}

impl BuildEnv {
    /// Stable, no extra flags.
    pub const STABLE: BuildEnv = BuildEnv {
        toolchain: None,
        rustflags: None,
        target_dir: None,
    };
    /// Pulley built without its SIMD interpreter (the paper's "no SIMD").
    pub const NO_SIMD: BuildEnv = BuildEnv {
        toolchain: None,
        rustflags: Some("--cfg pulley_disable_interp_simd"),
        target_dir: Some("no-simd"),
    };
    /// Nightly (wasefire needs it).
    pub const NIGHTLY: BuildEnv = BuildEnv {
        toolchain: Some("nightly"),
        rustflags: None,
        target_dir: Some("nightly"),
    };

    /// The cargo target directory.
    pub fn target_dir(&self) -> PathBuf {
        match self.target_dir {
            Some(d) => workspace::root().join("target").join(d),
            None => workspace::root().join("target"),
        }
    }

    /// A `cargo` command in this environment.
    pub fn cargo(&self) -> Command {
        let mut c = cargo(self.toolchain);
        c.env("CARGO_TARGET_DIR", self.target_dir());
        if let Some(flags) = self.rustflags {
            c.env("RUSTFLAGS", flags);
        }
        c
    }
}

/// One build of the host board's cell program; the host board needs three
/// to cover every runtime variant.
#[derive(Clone, Copy, Debug)]
pub struct HostFlavour {
    /// Name, also the folder under `build/host/`.
    pub name: &'static str,
    /// Toolchain and flags.
    pub env: BuildEnv,
    /// Cargo features of `trevm-firmware`.
    pub features: &'static str,
    /// The runtime variant labels this build serves.
    pub serves: &'static [&'static str],
}

/// The host builds and the variants each serves (the built program confirms
/// with `trevm-firmware list`).
pub const HOST_FLAVOURS: &[HostFlavour] = &[
    HostFlavour {
        name: "stable",
        env: BuildEnv::STABLE,
        features: "board-host,wasmtime,wasmi,wamr,wasm-interpreter,tinywasm,wasm3,native",
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
        env: BuildEnv::NO_SIMD,
        features: "board-host,wasmtime",
        serves: &["wasmtime-no-simd", "trevm"],
    },
    HostFlavour {
        name: "nightly",
        env: BuildEnv::NIGHTLY,
        features: "board-host,wasefire",
        serves: &["wasefire"],
    },
];

/// One bare-metal firmware build per board: a single runtime feature (or
/// none, for the footprint baseline), serving one or two variant labels.
#[derive(Clone, Copy, Debug)]
pub struct FirmwareVariant {
    /// Name, also the ELF's name under `build/firmware/<board>/`.
    pub name: &'static str,
    /// Toolchain and flags.
    pub env: BuildEnv,
    /// The runtime feature of `trevm-firmware` (`None`: no runtime).
    pub feature: Option<&'static str>,
    /// The runtime variant labels it serves.
    pub serves: &'static [&'static str],
}

const fn variant(
    name: &'static str,
    env: BuildEnv,
    feature: &'static str,
    serves: &'static [&'static str],
) -> FirmwareVariant {
    FirmwareVariant {
        name,
        env,
        feature: Some(feature),
        serves,
    }
}

/// Every firmware build of a board, in table order; `none` is the
/// runtime-free baseline of `make size`.
pub const FIRMWARE_VARIANTS: &[FirmwareVariant] = &[
    FirmwareVariant {
        name: "none",
        env: BuildEnv::STABLE,
        feature: None,
        serves: &["none"],
    },
    variant("wasmtime", BuildEnv::STABLE, "wasmtime", &["wasmtime"]),
    variant(
        "wasmtime-no-simd",
        BuildEnv::NO_SIMD,
        "wasmtime",
        &["wasmtime-no-simd", "trevm"],
    ),
    variant("wasmi", BuildEnv::STABLE, "wasmi", &["wasmi"]),
    variant("wamr", BuildEnv::STABLE, "wamr", &["wamr", "wamr-fast"]),
    variant(
        "wasm-interpreter",
        BuildEnv::STABLE,
        "wasm-interpreter",
        &["wasm-interpreter"],
    ),
    variant("wasefire", BuildEnv::NIGHTLY, "wasefire", &["wasefire"]),
    variant("tinywasm", BuildEnv::STABLE, "tinywasm", &["tinywasm"]),
    variant("wasm3", BuildEnv::STABLE, "wasm3", &["wasm3"]),
    variant("native", BuildEnv::STABLE, "native", &["native"]),
];

/// The firmware build that serves runtime variant `label`.
pub fn firmware_variant(label: &str) -> Option<&'static FirmwareVariant> {
    FIRMWARE_VARIANTS.iter().find(|v| v.serves.contains(&label))
}

/// Where the firmware of `variant` for `board` is kept once built.
pub fn firmware_path(board: &str, variant: &FirmwareVariant) -> PathBuf {
    workspace::build_dir()
        .join("firmware")
        .join(board)
        .join(format!("{}.elf", variant.name))
}

/// Builds the firmware of `variant` for `board` (Rust target `target`),
/// copies it to [`firmware_path`] and returns that path. `quiet` keeps
/// cargo's output (and the linker's complaint) in the error message instead
/// of on the terminal: a variant that does not fit the chip fails here.
pub fn firmware(
    board: &str,
    target: &str,
    variant: &FirmwareVariant,
    quiet: bool,
) -> Result<PathBuf, String> {
    let mut c = variant.env.cargo();
    let features = match variant.feature {
        Some(f) => format!("board-{board},{f}"),
        None => format!("board-{board}"),
    };
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
    let what = format!("the `{}` firmware for {board}", variant.name);
    if quiet {
        let out = c
            .output()
            .map_err(|e| format!("cannot run cargo for {what}: {e}"))?;
        if !out.status.success() {
            let err = String::from_utf8_lossy(&out.stderr);
            return Err(format!(
                "building {what} failed: {}",
                build_error_summary(&err)
            ));
        }
    } else {
        status(c, &what)?;
    }
    let built = variant
        .env
        .target_dir()
        .join(target)
        .join("firmware/trevm-firmware");
    let dest = firmware_path(board, variant);
    std::fs::create_dir_all(dest.parent().unwrap()).map_err(|e| e.to_string())?;
    std::fs::copy(&built, &dest).map_err(|e| format!("copying {}: {e}", built.display()))?;
    Ok(dest)
}

/// Whether firmware for Rust target `target` can be built here. The Xtensa
/// targets (the ESP32) exist only in Espressif's own `esp` toolchain, which
/// rustup cannot install; without it the build stops with one message that
/// says what to install.
pub fn check_target(target: &str) -> Result<(), String> {
    if !target.starts_with("xtensa-") {
        return Ok(());
    }
    let listed = Command::new("rustc")
        .args(["+esp", "--print", "target-list"])
        .output()
        .is_ok_and(|o| {
            o.status.success()
                && String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| l == target)
        });
    if listed {
        Err(format!(
            "the `esp` toolchain is installed, but treVM bench has no firmware for `{target}` yet (no ESP32 board module)"
        ))
    } else {
        Err(format!(
            "firmware for `{target}` (ESP32, Xtensa) needs Espressif's Xtensa Rust toolchain, which is not installed: \
             install it with espup (`cargo install espup --locked && espup install`, then `. $HOME/export-esp.sh`)"
        ))
    }
}

/// The firmwares of one board by runtime variant label, and why the others
/// are missing: what emulated and real boards keep alike. `F` is what a
/// board reads from each ELF.
#[derive(Clone, Debug)]
pub struct FirmwareSet<F> {
    board: &'static str,
    found: BTreeMap<&'static str, F>,
    missing: BTreeMap<&'static str, String>,
}

impl<F: Clone> FirmwareSet<F> {
    /// Builds (when needed) the firmwares of `board` (Rust target `target`)
    /// that serve `labels`, reading each with `inspect`. A firmware that
    /// does not build, or not fit, leaves its variants missing with why.
    pub fn build(
        board: &'static str,
        target: &str,
        labels: &[&str],
        inspect: impl Fn(&Path, &'static FirmwareVariant) -> Result<F, String>,
    ) -> Self {
        let mut set = Self::new(board);
        for v in FIRMWARE_VARIANTS {
            if !labels.iter().any(|l| v.serves.contains(l)) {
                continue;
            }
            eprintln!("building the `{}` firmware for {board} ...", v.name);
            let built = firmware(board, target, v, true).and_then(|elf| inspect(&elf, v));
            set.adopt(v, built);
        }
        set
    }

    /// The firmwares of `board` already built under `build/firmware/<board>/`.
    pub fn existing(
        board: &'static str,
        inspect: impl Fn(&Path, &'static FirmwareVariant) -> Result<F, String>,
    ) -> Self {
        let mut set = Self::new(board);
        for v in FIRMWARE_VARIANTS {
            let elf = firmware_path(board, v);
            if elf.exists() {
                set.adopt(v, inspect(&elf, v));
            }
        }
        set
    }

    /// No firmwares yet.
    pub fn new(board: &'static str) -> Self {
        FirmwareSet {
            board,
            found: BTreeMap::new(),
            missing: BTreeMap::new(),
        }
    }

    fn adopt(&mut self, v: &'static FirmwareVariant, built: Result<F, String>) {
        for label in v.serves {
            match &built {
                Ok(f) => {
                    self.found.insert(label, f.clone());
                }
                Err(e) => {
                    self.missing.insert(label, e.clone());
                }
            }
        }
    }

    /// The variant labels with a firmware.
    pub fn labels(&self) -> Vec<&str> {
        self.found.keys().copied().collect()
    }

    /// The variants whose firmware did not build (or not fit), with why.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &str)> {
        self.missing.iter().map(|(l, e)| (*l, e.as_str()))
    }

    /// The firmware that runs `label`, or why there is none.
    pub fn get(&self, label: &str) -> Result<&F, String> {
        self.found.get(label).ok_or_else(|| {
            self.missing
                .get(label)
                .cloned()
                .unwrap_or_else(|| format!("no `{label}` firmware built for {}", self.board))
        })
    }
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
    let mut c = f.env.cargo();
    c.args([
        "build",
        "--release",
        "-p",
        "trevm-firmware",
        "--features",
        f.features,
    ]);
    status(c, &format!("the host cell program ({} flavour)", f.name))?;
    let dir = workspace::build_dir().join("host").join(f.name);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let dest = dir.join("trevm-firmware");
    std::fs::copy(f.env.target_dir().join("release/trevm-firmware"), &dest)
        .map_err(|e| format!("copying the host program: {e}"))?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firmware_set_says_why_a_variant_is_missing() {
        let mut set = FirmwareSet::new("qemu-m4f");
        let wamr = firmware_variant("wamr-fast").unwrap();
        let tinywasm = firmware_variant("tinywasm").unwrap();
        set.adopt(wamr, Ok(7));
        set.adopt(tinywasm, Err("overflowed by 12 bytes".into()));
        assert_eq!(set.labels(), vec!["wamr", "wamr-fast"]);
        assert_eq!(set.get("wamr-fast"), Ok(&7));
        assert_eq!(set.get("tinywasm"), Err("overflowed by 12 bytes".into()));
        let e = set.get("wasmi").unwrap_err();
        assert!(e.contains("wasmi") && e.contains("qemu-m4f"), "{e}");
        assert_eq!(
            set.failures().collect::<Vec<_>>(),
            vec![("tinywasm", "overflowed by 12 bytes")]
        );
    }

    #[test]
    fn every_label_has_exactly_one_firmware_build() {
        for label in trevm_bench::runtimes::ALL.iter().chain(&["none"]) {
            let n = FIRMWARE_VARIANTS
                .iter()
                .filter(|v| v.serves.contains(label))
                .count();
            assert_eq!(n, 1, "{label}");
        }
    }
}
