//! Writes `trevm-ariel.x`, the linker script fragment the microcontroller
//! builds add to Ariel OS's (laze's `trevm-mcu` module passes
//! `-Ttrevm-ariel.x`): the module slot at the end of flash, its size from
//! the catalog's board, and a check that the firmware stays below it; and
//! links the C library for the C runtimes.

use std::env;
use std::path::PathBuf;

use trevm_catalog::board::BOARDS;

fn main() {
    println!("cargo:rerun-if-env-changed=CONFIG_BOARD");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return; // native: cells are processes, the slot is a file
    }
    let builder = env::var("CONFIG_BOARD")
        .expect("trevm-ariel: CONFIG_BOARD is not set: build it with laze (see laze-project.yml)");
    let board = BOARDS
        .iter()
        .find(|b| b.ariel_builder == Some(builder.as_str()))
        .unwrap_or_else(|| panic!("trevm-ariel: Ariel OS board `{builder}` is not in the catalog"));
    // The core clock rate the records claim, the catalog's.
    println!("cargo:rustc-env=TREVM_CLOCK_HZ={}", board.clock.hz);
    let slot = board.budget.slot;
    let script = if env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("riscv32") {
        // The ESP32-C6: as the bare-metal firmware's memory map, the slot
        // is the last 1 MiB of the 4 MiB flash, mapped by the firmware
        // through the flash MMU at a virtual range the app leaves unused.
        assert_eq!(
            slot,
            1024 * 1024,
            "the ESP32-C6's slot mapping assumes 1 MiB"
        );
        format!(
            "/* {name}: the module slot (written by ariel/build.rs from the catalog). */\n\
             __trevm_slot_start = 0x42C00000;\n\
             __trevm_slot_end = 0x42D00000;\n\
             __trevm_slot_load = 0x300000;\n\
             ASSERT(ADDR(.text) + SIZEOF(.text) <= 0x42000000 + 0x300000 - 0x10000,\n\
             \x20      \"{name}: the firmware will not fit in region 'FLASH' (3 MiB - 64 KiB before the module slot)\");\n",
            name = board.name
        )
    } else {
        format!(
            "/* {name}: the module slot, the last {slot} B of flash (written by\n\
             \x20* ariel/build.rs from the catalog). */\n\
             __trevm_slot_end = ORIGIN(FLASH) + LENGTH(FLASH);\n\
             __trevm_slot_start = __trevm_slot_end - {slot};\n\
             ASSERT(__sidata + SIZEOF(.data) <= __trevm_slot_start,\n\
             \x20      \"{name}: the firmware will not fit in region 'FLASH' before the {slot} B module slot\");\n",
            name = board.name
        )
    };
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    std::fs::write(out.join("trevm-ariel.x"), script).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
    // The C runtimes need a C library, as in the bare-metal firmware
    // (firmware/build.rs): newlib-nano on Arm, picolibc on RV32.
    if ["WAMR", "WASM3", "NATIVE"]
        .iter()
        .any(|f| env::var_os(format!("CARGO_FEATURE_{f}")).is_some())
    {
        use trevm_build_support::{libc, OrFail, Target};
        let target = Target::cargo().or_fail("trevm-ariel");
        libc::link(target).or_fail("trevm-ariel");
    }
}
