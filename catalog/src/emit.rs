//! Files generated from the catalog, so that tools that cannot read Rust
//! (laze, make) see the same lists: the laze projects (`laze-project.yml`
//! and `ariel/laze.yml`, the Ariel OS applications; `firmware/laze-project.yml`,
//! the bare-metal firmwares) and `mk/catalog.mk`.
//! `trevm catalog --emit laze|make` prints them, `make catalog` rewrites
//! them, and a test fails when the committed files drift from the catalog.

use std::fmt::Write as _;
use std::string::String;
use std::vec::Vec;

use crate::board::BOARDS;
use crate::os::{ARIEL_OS, ARIEL_OS_SOURCE, BARE, COAP_APPS, COAP_MODULES, OSES};
use crate::runtime::{BuildEnv, BUILDS, RUNTIMES};
use crate::suite::SUITES;

/// The generated files: (path from the repository root, contents).
pub fn files() -> [(&'static str, String); 4] {
    [
        ("laze-project.yml", ariel_project()),
        ("ariel/laze.yml", ariel_apps()),
        ("firmware/laze-project.yml", laze()),
        ("mk/catalog.mk", make()),
    ]
}

const DO_NOT_EDIT: &str =
    "Generated from the catalog (catalog/src) by `make catalog`; do not edit.";

/// `mk/catalog.mk`: the catalog's lists as make variables.
pub fn make() -> String {
    let words = |v: Vec<&str>| v.join(" ");
    let firmware: Vec<&str> = BOARDS
        .iter()
        .filter(|b| b.has_firmware() && b.rustup_target)
        .map(|b| b.name)
        .collect();
    let mut s = String::new();
    let _ = writeln!(s, "# {DO_NOT_EDIT}");
    let _ = writeln!(s, "# Runtime variant labels, in table order.");
    let _ = writeln!(
        s,
        "CATALOG_RUNTIMES := {}",
        words(RUNTIMES.iter().map(|r| r.label).collect())
    );
    let _ = writeln!(
        s,
        "# The paper's plotted runtimes, current and paper-pinned versions (make reproduce)."
    );
    let _ = writeln!(
        s,
        "CATALOG_PAPER_RUNTIMES := {}",
        words(crate::runtime::reproduced().map(|r| r.label).collect())
    );
    let _ = writeln!(s, "# Memory profiles of the firmwares (`default` first).");
    let _ = writeln!(
        s,
        "CATALOG_PROFILES := {}",
        words(crate::profile::PROFILES.iter().map(|p| p.name).collect())
    );
    let _ = writeln!(
        s,
        "# Firmware builds (`none`: no runtime, the footprint baseline)."
    );
    let _ = writeln!(
        s,
        "CATALOG_BUILDS := {}",
        words(BUILDS.iter().map(|b| b.name).collect())
    );
    let _ = writeln!(
        s,
        "# Boards: all; emulated; with firmware buildable by rustup's targets."
    );
    let _ = writeln!(
        s,
        "CATALOG_BOARDS := {}",
        words(BOARDS.iter().map(|b| b.name).collect())
    );
    let _ = writeln!(
        s,
        "CATALOG_EMULATED_BOARDS := {}",
        words(
            BOARDS
                .iter()
                .filter(|b| b.emulated())
                .map(|b| b.name)
                .collect()
        )
    );
    let mut targets: Vec<&str> = BOARDS
        .iter()
        .filter(|b| b.has_firmware() && b.rustup_target)
        .filter_map(|b| b.target)
        .collect();
    targets.sort_unstable();
    targets.dedup();
    let _ = writeln!(s, "CATALOG_FIRMWARE_BOARDS := {}", words(firmware));
    let _ = writeln!(
        s,
        "# Rust targets of those boards' firmware (rustup installs them)."
    );
    let _ = writeln!(s, "CATALOG_TARGETS := {}", words(targets));
    let _ = writeln!(
        s,
        "# Operating systems (`bare` first); boards with Ariel OS firmware."
    );
    let _ = writeln!(
        s,
        "CATALOG_OSES := {}",
        words(OSES.iter().map(|o| o.name).collect())
    );
    let _ = writeln!(
        s,
        "CATALOG_ARIEL_BOARDS := {}",
        words(
            BOARDS
                .iter()
                .filter(|b| b.runs(&ARIEL_OS))
                .map(|b| b.name)
                .collect()
        )
    );
    let _ = writeln!(
        s,
        "# Ariel OS: repository and pinned commit (scripts/ariel-os.sh)."
    );
    let _ = writeln!(s, "CATALOG_ARIEL_OS_GIT := {}", ARIEL_OS_SOURCE.git);
    let _ = writeln!(s, "CATALOG_ARIEL_OS_COMMIT := {}", ARIEL_OS_SOURCE.commit);
    let _ = writeln!(s, "# Suites.");
    let _ = writeln!(
        s,
        "CATALOG_SUITES := {}",
        words(SUITES.iter().map(|s| s.name).collect())
    );
    s
}

/// `laze-project.yml`: the Ariel OS laze project (imports Ariel OS, and
/// the applications of `ariel/laze.yml`).
pub fn ariel_project() -> String {
    std::format!("# {DO_NOT_EDIT}\n{ARIEL_PROJECT}")
}

/// `ariel/laze.yml`: one Ariel OS application per firmware build.
pub fn ariel_apps() -> String {
    let mut s = std::format!("# {DO_NOT_EDIT}\n{ARIEL_CELL}apps:\n");
    for (i, b) in BUILDS.iter().enumerate() {
        let serves: Vec<&str> = b.serves().collect();
        let help = match b.adapter {
            None => String::from("no runtime, the footprint baseline"),
            Some(a) => std::format!("the {a} adapter; serves {}", serves.join(", ")),
        };
        let _ = writeln!(
            s,
            "  - name: {}\n    help: {}\n    selects:\n      - trevm-cell",
            b.name,
            yaml_str(&help)
        );
        s.push_str("    env:\n      global:\n");
        if let Some(t) = b.env.toolchain {
            // The toolchain the bare-metal build uses (Ariel OS's `nightly`
            // module would pin a nightly of its own).
            let _ = writeln!(s, "        CARGO_TOOLCHAIN: +{t}");
        }
        if let Some(adapter) = b.adapter {
            let _ = writeln!(s, "        FEATURES: [{adapter}]");
            let _ = writeln!(s, "        RUNTIMES: [{}]", serves.join(", "));
        }
        ariel_cargo_lines(&mut s, &b.env);
        if i + 1 < BUILDS.len() {
            s.push('\n');
        }
    }
    // The CoAP applications: the trevm-cell module, Ariel OS's CoAP server,
    // the `coap` feature, and their build's adapter and flags.
    for app in COAP_APPS {
        let b = app.firmware_build();
        let _ = writeln!(
            s,
            "\n  - name: {}\n    help: {}\n    selects:\n      - trevm-cell",
            app.name,
            yaml_str(app.help)
        );
        for m in COAP_MODULES {
            let _ = writeln!(s, "      - {m}");
        }
        s.push_str("    env:\n      global:\n");
        let features: Vec<&str> = ["coap"].into_iter().chain(b.adapter).collect();
        let _ = writeln!(s, "        FEATURES: [{}]", features.join(", "));
        ariel_cargo_lines(&mut s, &b.env);
    }
    s
}

/// An Ariel OS app's cargo target directory (one per toolchain and flags,
/// below `build/ariel-cargo/`, shared by the boards) and its flags.
fn ariel_cargo_lines(s: &mut String, env: &BuildEnv) {
    let dir = match env.target_dir {
        Some(d) => std::format!("cargo-{d}"),
        None => String::from("cargo"),
    };
    let _ = writeln!(s, "        TREVM_CARGO_DIR: {dir}");
    if let Some(flags) = env.rustflags {
        let _ = writeln!(s, "        RUSTFLAGS: [{}]", yaml_str(flags));
    }
}

/// `firmware/laze-project.yml`: the bare-metal firmwares; builders are the
/// boards with bare-metal firmware, apps the firmware builds.
pub fn laze() -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {DO_NOT_EDIT}");
    s.push_str(LAZE_CONTEXT);
    s.push_str("\nbuilders:\n");
    for b in BOARDS
        .iter()
        .filter(|b| b.has_firmware() && b.rustup_target && b.runs(&BARE))
    {
        let _ = write!(
            s,
            "  - name: {}\n    help: {}\n    env:\n      RUSTC_TARGET: {}\n\n",
            b.name,
            yaml_str(b.description),
            b.target.unwrap_or_default()
        );
    }
    s.push_str("apps:\n");
    for (i, b) in BUILDS.iter().enumerate() {
        let serves: Vec<&str> = b.serves().collect();
        let _ = write!(s, "  - name: {}\n", b.name);
        match b.adapter {
            None => s.push_str("    help: \"no runtime, the footprint baseline\"\n"),
            Some(adapter) => {
                let help = std::format!("the {adapter} adapter; serves {}", serves.join(", "));
                let _ = writeln!(s, "    help: {}", yaml_str(&help));
                s.push_str("    env:\n      global:\n");
                let _ = writeln!(s, "        FEATURES: [{adapter}]");
                let _ = writeln!(s, "        RUNTIMES: [{}]", serves.join(", "));
                env_lines(&mut s, &b.env);
            }
        }
        if i + 1 < BUILDS.len() {
            s.push('\n');
        }
    }
    s
}

/// `text` as a YAML double-quoted scalar (descriptions hold `: `).
fn yaml_str(text: &str) -> String {
    let mut q = String::from("\"");
    for c in text.chars() {
        if c == '"' || c == '\\' {
            q.push('\\');
        }
        q.push(c);
    }
    q.push('"');
    q
}

fn env_lines(s: &mut String, env: &BuildEnv) {
    if let Some(t) = env.toolchain {
        let _ = writeln!(s, "        CARGO_TOOLCHAIN: +{t}");
    }
    if let Some(flags) = env.rustflags {
        let _ = writeln!(s, "        CARGO_ENV:\n          - 'RUSTFLAGS=\"{flags}\"'");
    }
    if let Some(dir) = env.target_dir {
        let _ = writeln!(s, "        TARGET_DIR: ../target/{dir}");
    }
}

/// The hand-written part of `firmware/laze-project.yml`: how laze calls
/// cargo.
const LAZE_CONTEXT: &str = include_str!("laze-context.yml");
/// The hand-written `laze-project.yml`: the Ariel OS import.
const ARIEL_PROJECT: &str = include_str!("laze-ariel-project.yml");
/// The hand-written part of `ariel/laze.yml`: what every cell selects.
const ARIEL_CELL: &str = include_str!("laze-ariel-cell.yml");
