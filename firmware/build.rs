//! Picks the board's linker script (`memory/<board>.x`) for bare-metal
//! builds, writes the memory profile's stack/heap split for it
//! (`trevm-profile.x`) and passes the runtime linker arguments.

use std::env;
use std::path::{Path, PathBuf};

use trevm_catalog::board::{Board, Linker, BOARDS};
use trevm_catalog::profile::{self, Heap, PROFILES};

/// The environment variable that names the memory profile.
const PROFILE_VAR: &str = "TREVM_PROFILE";

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("memory");
    println!("cargo:rerun-if-changed=memory");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return; // the host board: no memory layout, no profile
    }
    println!("cargo:rerun-if-env-changed={PROFILE_VAR}");
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
        [b] => (*b, b.linker),
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
    write_profile(board, &out);
    let board = board.name;
    println!("cargo:rustc-link-search={}", dir.display());
    // `trevm-profile.x` (and `memory.x` for the runtimes' `link.x`).
    println!("cargo:rustc-link-search={}", out.display());
    if linker == Linker::Hal {
        // The HAL (esp-hal) brings the runtime and the memory map
        // (`linkall.x`): our `memory/<board>.x` only adds the trevm symbols;
        // esp-hal's own `memory.x` must be the one found: none of ours (the
        // out dir holds only `trevm-profile.x` for these boards).
        println!("cargo:rustc-link-arg-bins=-Tlinkall.x");
        println!("cargo:rustc-link-arg-bins=-T{board}.x");
    } else {
        // cortex-m-rt and riscv-rt both INCLUDE `memory.x`.
        std::fs::copy(dir.join(format!("{board}.x")), out.join("memory.x")).unwrap();
        println!("cargo:rustc-link-arg-bins=-Tlink.x");
    }
    if ["WAMR", "WASM3", "NATIVE"]
        .iter()
        .any(|f| env::var_os(format!("CARGO_FEATURE_{f}")).is_some())
    {
        link_libc();
    }
}

/// Writes `trevm-profile.x`, which `memory/<board>.x` includes: the stack
/// size and heap size (0: the rest of RAM) of `board` in the memory profile
/// `TREVM_PROFILE` names (`default` when unset).
fn write_profile(board: &Board, out: &Path) {
    let name = env::var(PROFILE_VAR).unwrap_or_default();
    let name = if name.is_empty() {
        profile::DEFAULT.name
    } else {
        &name
    };
    let Some(p) = profile::find(name) else {
        panic!(
            "trevm-firmware: unknown memory profile {PROFILE_VAR}={name} (known: {})",
            PROFILES
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let layout = p
        .layout(board)
        .expect("a board with firmware has a layout in every profile");
    let heap = match layout.heap {
        Heap::Rest => 0,
        Heap::Bytes(n) => n,
    };
    let script = format!(
        "/* Written by firmware/build.rs: the `{}` memory profile on {} (trevm-catalog's profile.rs). */\n\
         __trevm_stack_size = {};\n\
         /* 0: the rest of RAM after .data and .bss */\n\
         __trevm_heap_size = {heap};\n",
        p.name, board.name, layout.stack
    );
    std::fs::write(out.join("trevm-profile.x"), script).unwrap();
}

/// The C runtimes need a C library: the one the target table of
/// `trevm-build-support` names (newlib-nano on Arm, picolibc on RV32, from
/// the Debian cross toolchains), in the multilib matching the target.
fn link_libc() {
    use trevm_build_support::{libc, OrFail, Target};
    let target = Target::cargo().or_fail("trevm-firmware");
    libc::link(target).or_fail("trevm-firmware");
}
