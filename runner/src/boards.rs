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
    /// A real board behind a debug probe (probe-rs): flash, reset, RTT.
    Probe(Probe),
}

/// A real board's debug access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// probe-rs chip name.
    pub chip: &'static str,
    /// How the firmware goes into flash.
    pub image: ProbeImage,
    /// The probe on the board (or the one to wire), for messages and docs.
    pub probe: &'static str,
    /// The QEMU board that stands in for it.
    pub stand_in: Option<&'static str>,
}

/// How probe-rs writes a firmware ELF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeImage {
    /// The ELF's load segments, as they are.
    Elf,
    /// An ESP-IDF app image, with the second-stage bootloader and partition
    /// table (Espressif chips).
    EspIdf,
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
    Board {
        name: "rpi-pico2-w",
        description: "Raspberry Pi Pico 2 W, RP2350A (Cortex-M33F) at 150 MHz: 520 KiB RAM, 4 MiB flash; SWD probe",
        target: Some("thumbv8m.main-none-eabihf"),
        pointer_width: 32,
        access: Access::Probe(Probe {
            chip: "RP235x",
            image: ProbeImage::Elf,
            probe: "a CMSIS-DAP SWD probe (Raspberry Pi Debug Probe, or a Pico running debugprobe) on the SWD header",
            stand_in: Some("qemu-m33"),
        }),
    },
    Board {
        name: "nrf52840dk",
        description: "nRF52840 DK, nRF52840 (Cortex-M4F) at 64 MHz: 256 KiB RAM, 1 MiB flash; on-board J-Link",
        target: Some("thumbv7em-none-eabihf"),
        pointer_width: 32,
        access: Access::Probe(Probe {
            chip: "nRF52840_xxAA",
            image: ProbeImage::Elf,
            probe: "the DK's on-board J-Link OB (USB port J2)",
            stand_in: Some("qemu-m4f"),
        }),
    },
    Board {
        name: "espressif-esp32-c6-devkitc-1",
        description: "ESP32-C6-DevKitC-1, ESP32-C6 (RV32IMAC) at 160 MHz: 512 KiB RAM (441 KiB after the ROM's share), 4 MiB flash; built-in USB-JTAG",
        target: Some("riscv32imac-unknown-none-elf"),
        pointer_width: 32,
        access: Access::Probe(Probe {
            chip: "esp32c6",
            image: ProbeImage::EspIdf,
            probe: "the chip's built-in USB-Serial-JTAG (the DevKitC's USB port, not the UART one)",
            stand_in: Some("qemu-rv32"),
        }),
    },
    Board {
        name: "espressif-esp32-devkitc",
        description: "ESP32-DevKitC, ESP32 (Xtensa LX6) at 240 MHz: 520 KiB RAM, 4 MiB flash; needs Espressif's Xtensa Rust toolchain (espup) and a JTAG probe",
        target: Some(XTENSA_ESP32),
        pointer_width: 32,
        access: Access::Probe(Probe {
            chip: "esp32",
            image: ProbeImage::EspIdf,
            probe: "an FT2232H JTAG probe (ESP-Prog) on GPIO12-15",
            stand_in: None,
        }),
    },
];

/// The ESP32's Rust target: only in Espressif's `esp` toolchain.
pub const XTENSA_ESP32: &str = "xtensa-esp32-none-elf";

impl Board {
    /// Whether cells run under emulation (QEMU) rather than on the chip.
    pub fn emulated(&self) -> bool {
        matches!(self.access, Access::Qemu(_))
    }
}

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
        assert!(e.contains("rpi-pico2-w"), "{e}");
        assert!(e.contains("qemu-m33") && e.contains("host"), "{e}");
    }

    #[test]
    fn bare_metal_boards_have_a_target_and_linker_script() {
        let root = crate::workspace::root();
        for b in BOARDS.iter().filter(|b| b.access != Access::Host) {
            assert!(b.target.is_some(), "{}", b.name);
            assert_eq!(b.pointer_width, 32);
            if b.target == Some(XTENSA_ESP32) {
                continue; // no firmware build without the Xtensa toolchain
            }
            let script = root.join("firmware/memory").join(format!("{}.x", b.name));
            assert!(script.is_file(), "{} has no {}", b.name, script.display());
        }
    }
}

#[cfg(test)]
mod probe_boards {
    use super::*;

    #[test]
    fn real_boards_name_their_chip_and_stand_in() {
        let real: Vec<_> = BOARDS
            .iter()
            .filter_map(|b| match b.access {
                Access::Probe(p) => Some((b, p)),
                _ => None,
            })
            .collect();
        assert_eq!(real.len(), 4);
        for (b, p) in real {
            assert!(!b.emulated(), "{}", b.name);
            if let Some(q) = p.stand_in {
                let q = find(q).unwrap();
                assert!(q.emulated(), "{} stands in for {}", q.name, b.name);
                assert_eq!(q.target, b.target, "{}", b.name);
            }
        }
        assert_eq!(BOARDS.iter().filter(|b| b.emulated()).count(), 3);
        assert!(!find("host").unwrap().emulated());
    }
}
