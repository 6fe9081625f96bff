//! The boards the runner knows: what each is, how its firmware is built,
//! and how a cell reaches it. Memory maps live in the firmware's linker
//! scripts (`firmware/memory/`); the runner reads the module slot's place
//! from the firmware ELF, so it is defined once.

/// How cells reach a board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A process per cell on the build machine.
    Host,
    /// A QEMU machine per cell, RTT over its GDB stub.
    Qemu(Qemu),
}

/// A QEMU machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Qemu {
    /// The emulator program.
    pub program: &'static str,
    /// `-M` machine.
    pub machine: &'static str,
    /// `-cpu`, when not the machine's default.
    pub cpu: Option<&'static str>,
    /// Further arguments (semihosting for the exit, firmware loading).
    pub args: &'static [&'static str],
    /// The Debian package that has `program`.
    pub package: &'static str,
}

/// One board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Board {
    /// Name in results and on the command line.
    pub name: &'static str,
    /// What it is, and what it stands in for.
    pub description: &'static str,
    /// Rust target of its firmware (`None` for the host).
    pub target: Option<&'static str>,
    /// Pointer width modules are prepared for.
    pub pointer_width: u32,
    /// How cells reach it.
    pub access: Access,
}

const ARM_SEMIHOSTING: &[&str] = &["-semihosting-config", "enable=on,target=native"];

/// Every board, in table order.
pub const BOARDS: &[Board] = &[
    Board {
        name: "host",
        description: "the build machine, one process per cell (std::time::Instant)",
        target: None,
        pointer_width: 64,
        access: Access::Host,
    },
    Board {
        name: "qemu-m33",
        description: "QEMU mps2-an505 (Cortex-M33F), stand-in for the RP2350 (Pico 2 W): 520 KiB RAM, 4 MiB flash",
        target: Some("thumbv8m.main-none-eabihf"),
        pointer_width: 32,
        access: Access::Qemu(Qemu {
            program: "qemu-system-arm",
            machine: "mps2-an505",
            cpu: None,
            args: ARM_SEMIHOSTING,
            package: "qemu-system-arm",
        }),
    },
    Board {
        name: "qemu-m4f",
        description: "QEMU mps2-an386 (Cortex-M4F), stand-in for the nRF52840 (nRF52840 DK): 256 KiB RAM, 1 MiB flash",
        target: Some("thumbv7em-none-eabihf"),
        pointer_width: 32,
        access: Access::Qemu(Qemu {
            program: "qemu-system-arm",
            machine: "mps2-an386",
            cpu: None,
            args: ARM_SEMIHOSTING,
            package: "qemu-system-arm",
        }),
    },
    Board {
        name: "qemu-rv32",
        description: "QEMU virt with a sifive-e31 core (RV32IMAC), stand-in for the ESP32-C6: 512 KiB RAM, 4 MiB flash",
        target: Some("riscv32imac-unknown-none-elf"),
        pointer_width: 32,
        access: Access::Qemu(Qemu {
            program: "qemu-system-riscv32",
            machine: "virt",
            cpu: Some("sifive-e31"),
            args: &["-bios", "none"],
            package: "qemu-system-misc",
        }),
    },
];

/// The board called `name`, or an error listing the known ones.
pub fn find(name: &str) -> Result<&'static Board, String> {
    BOARDS.iter().find(|b| b.name == name).ok_or_else(|| {
        format!(
            "unknown board `{name}` (known: {})",
            BOARDS.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        for b in BOARDS {
            assert_eq!(find(b.name).unwrap(), b);
            assert_eq!(BOARDS.iter().filter(|o| o.name == b.name).count(), 1);
        }
        let e = find("esp32").unwrap_err();
        assert!(e.contains("qemu-m33") && e.contains("host"), "{e}");
    }

    #[test]
    fn bare_metal_boards_have_a_target_and_linker_script() {
        let root = crate::workspace::root();
        for b in BOARDS.iter().filter(|b| b.access != Access::Host) {
            assert!(b.target.is_some(), "{}", b.name);
            assert_eq!(b.pointer_width, 32);
            let script = root.join("firmware/memory").join(format!("{}.x", b.name));
            assert!(script.is_file(), "{} has no {}", b.name, script.display());
        }
    }
}
