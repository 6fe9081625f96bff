//! Picks the board's linker script (`memory/<board>.x`) for bare-metal
//! builds and passes the runtime linker arguments.

use std::env;
use std::path::PathBuf;

/// Board features and their memory maps.
const BOARDS: &[&str] = &[
    "qemu-m33",
    "qemu-m4f",
    "qemu-rv32",
    "rpi-pico2-w",
    "nrf52840dk",
    "espressif-esp32-c6-devkitc-1",
];

/// Boards whose HAL (esp-hal) brings the runtime and the memory map
/// (`linkall.x`): their `memory/<board>.x` only adds the trevm symbols.
const HAL_LINKED: &[&str] = &["espressif-esp32-c6-devkitc-1"];

fn main() {
    let dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("memory");
    println!("cargo:rerun-if-changed=memory");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return;
    }
    let chosen: Vec<&str> = BOARDS
        .iter()
        .copied()
        .filter(|b| env::var_os(format!("CARGO_FEATURE_BOARD_{}", b.to_uppercase().replace('-', "_"))).is_some())
        .collect();
    let board = match chosen.as_slice() {
        [b] => *b,
        [] => panic!("trevm-firmware: a bare-metal build needs exactly one board feature (board-{})", BOARDS.join(", board-")),
        many => panic!("trevm-firmware: several boards chosen: {many:?}"),
    };
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo:rustc-link-search={}", dir.display());
    if HAL_LINKED.contains(&board) {
        // esp-hal's own `memory.x` must be the one found: none of ours.
        println!("cargo:rustc-link-arg-bins=-Tlinkall.x");
        println!("cargo:rustc-link-arg-bins=-T{board}.x");
    } else {
        // cortex-m-rt and riscv-rt both INCLUDE `memory.x`.
        std::fs::copy(dir.join(format!("{board}.x")), out.join("memory.x")).unwrap();
        println!("cargo:rustc-link-search={}", out.display());
        println!("cargo:rustc-link-arg-bins=-Tlink.x");
    }
    if ["WAMR", "WASM3", "NATIVE"].iter().any(|f| env::var_os(format!("CARGO_FEATURE_{f}")).is_some()) {
        link_libc();
    }
}

/// The C runtimes need a C library: newlib-nano (Arm) or picolibc (RV32),
/// from the Debian cross toolchains, in the multilib matching the target.
fn link_libc() {
    let target = env::var("TARGET").unwrap();
    let (gcc, flags, libs): (&str, &[&str], &[&str]) = match target.as_str() {
        "thumbv8m.main-none-eabihf" => (
            "arm-none-eabi-gcc",
            &["-mthumb", "-mcpu=cortex-m33", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"],
            &["c_nano", "m", "gcc"],
        ),
        "thumbv7em-none-eabihf" => (
            "arm-none-eabi-gcc",
            &["-mthumb", "-mcpu=cortex-m4", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"],
            &["c_nano", "m", "gcc"],
        ),
        "riscv32imac-unknown-none-elf" => (
            "riscv64-unknown-elf-gcc",
            &["--specs=picolibc.specs", "-march=rv32imac", "-mabi=ilp32"],
            &["c", "gcc"],
        ),
        other => panic!("trevm-firmware: no C library known for target {other}"),
    };
    let run = |what: &str| -> String {
        let out = std::process::Command::new(gcc)
            .args(flags)
            .arg(what)
            .output()
            .unwrap_or_else(|e| panic!("trevm-firmware: cannot run {gcc} ({e}); run `make setup`"));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let ask = |what: &str| -> PathBuf {
        let path = PathBuf::from(run(what));
        if !path.is_absolute() {
            panic!("trevm-firmware: {gcc} {what} found nothing; run `make setup`");
        }
        path.parent().unwrap().to_path_buf()
    };
    let libc_name = if libs[0] == "c_nano" { "libc_nano.a" } else { "libc.a" };
    // Debian's picolibc is not on gcc's own search path (its specs file adds
    // it at link time only): look in its multilib folder too.
    let picolibc = PathBuf::from("/usr/lib/picolibc/riscv64-unknown-elf/lib")
        .join(run("-print-multi-directory"));
    let libc_dir = if libs[0] == "c" && picolibc.join(libc_name).is_file() {
        picolibc
    } else {
        ask(&format!("-print-file-name={libc_name}"))
    };
    println!("cargo:rustc-link-search={}", libc_dir.display());
    println!("cargo:rustc-link-search={}", ask("-print-libgcc-file-name").display());
    for lib in libs {
        println!("cargo:rustc-link-lib=static={lib}");
    }
}
