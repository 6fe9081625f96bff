//! Picks the board's linker script (`memory/<board>.x`) for bare-metal
//! builds and passes the runtime linker arguments.

use std::env;
use std::path::PathBuf;

use trevm_catalog::board::{Board, Linker, BOARDS};

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("memory");
    println!("cargo:rerun-if-changed=memory");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return;
    }
    // The catalog's boards with firmware, each selected by `board-<name>`.
    let firmware: Vec<&Board> = BOARDS.iter().filter(|b| b.has_firmware()).collect();
    let chosen: Vec<&Board> = firmware
        .iter()
        .copied()
        .filter(|b| {
            env::var_os(format!(
                "CARGO_FEATURE_BOARD_{}",
                b.name.to_uppercase().replace('-', "_")
            ))
            .is_some()
        })
        .collect();
    let (board, linker) = match chosen.as_slice() {
        [b] => (b.name, b.linker),
        [] => panic!(
            "trevm-firmware: a bare-metal build needs exactly one board feature (board-{})",
            firmware
                .iter()
                .map(|b| b.name)
                .collect::<Vec<_>>()
                .join(", board-")
        ),
        many => panic!(
            "trevm-firmware: several boards chosen: {:?}",
            many.iter().map(|b| b.name).collect::<Vec<_>>()
        ),
    };
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rustc-link-search={}", dir.display());
    if linker == Linker::Hal {
        // The HAL (esp-hal) brings the runtime and the memory map
        // (`linkall.x`): our `memory/<board>.x` only adds the trevm symbols;
        // esp-hal's own `memory.x` must be the one found: none of ours.
        println!("cargo:rustc-link-arg-bins=-Tlinkall.x");
        println!("cargo:rustc-link-arg-bins=-T{board}.x");
    } else {
        // cortex-m-rt and riscv-rt both INCLUDE `memory.x`.
        std::fs::copy(dir.join(format!("{board}.x")), out.join("memory.x")).unwrap();
        println!("cargo:rustc-link-search={}", out.display());
        println!("cargo:rustc-link-arg-bins=-Tlink.x");
    }
    if ["WAMR", "WASM3", "NATIVE"]
        .iter()
        .any(|f| env::var_os(format!("CARGO_FEATURE_{f}")).is_some())
    {
        link_libc();
    }
}

/// The C runtimes need a C library: the one the target table of
/// `trevm-build-support` names (newlib-nano on Arm, picolibc on RV32, from
/// the Debian cross toolchains), in the multilib matching the target.
fn link_libc() {
    use trevm_build_support::{libc, OrFail, Target};
    let target = Target::cargo().or_fail("trevm-firmware");
    libc::link(target).or_fail("trevm-firmware");
}
