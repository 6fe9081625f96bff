//! Boards: what each is, how its firmware is built, how cells reach it, and
//! what it is compared with. The memory maps themselves live in the
//! firmware's linker scripts (`firmware/memory/<board>.x`), which cap RAM and
//! flash at the budgets given here (a test checks); the runner reads the
//! module slot's place from the firmware ELF.

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

/// A real board's debug access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Probe {
    /// probe-rs chip name.
    pub chip: &'static str,
    /// How the firmware goes into flash.
    pub image: ProbeImage,
    /// The probe on the board (or the one to wire), for messages and docs.
    pub probe: &'static str,
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

/// How a bare-metal firmware is linked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linker {
    /// No firmware (the host board is a process).
    None,
    /// cortex-m-rt or riscv-rt's `link.x`, which includes our
    /// `memory/<board>.x` as `memory.x`.
    Rt,
    /// The HAL brings the runtime and memory map (esp-hal's `linkall.x`);
    /// `memory/<board>.x` only adds the treVM symbols.
    Hal,
}

/// RAM and flash budgets, as the real chip has them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// RAM, bytes (the host: its heap budget per cell).
    pub ram: u32,
    /// Flash, bytes (firmware and module slot together; 0 on the host).
    pub flash: u32,
    /// The module slot at the end of flash, bytes.
    pub slot: u32,
}

/// What a board's clock counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Clock {
    /// What is read.
    pub source: &'static str,
    /// Unit of intervals: `ns`, `cycles` or `instructions`.
    pub unit: &'static str,
    /// Nominal rate, per second.
    pub hz: u64,
}

/// One board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Board {
    /// Name in results and on the command line.
    pub name: &'static str,
    /// What it is.
    pub description: &'static str,
    /// Rust target of its firmware (`None` for the host).
    pub target: Option<&'static str>,
    /// Pointer width modules are prepared for.
    pub pointer_width: u32,
    /// How cells reach it.
    pub access: Access,
    /// How its firmware is linked.
    pub linker: Linker,
    /// RAM and flash budgets.
    pub budget: Budget,
    /// Its clock.
    pub clock: Clock,
    /// For an emulated board: the real board it stands in for.
    pub stands_for: Option<&'static str>,
    /// The paper's board it is compared with ([`PAPER_BOARDS`]).
    pub paper_board: Option<&'static str>,
    /// Whether this machine can build its firmware with rustup's targets
    /// (the ESP32's Xtensa target needs Espressif's own toolchain).
    pub rustup_target: bool,
    /// The operating systems its firmware is built for, the default first.
    pub oses: &'static [Os],
    /// Its name as an Ariel OS laze builder, when it has Ariel OS firmware.
    pub ariel_builder: Option<&'static str>,
}

use crate::os::{Os, ARIEL_OS, BARE};

/// Bare metal only (the host, and the QEMU stand-ins: Ariel OS has no QEMU
/// boards).
const BARE_ONLY: &[Os] = &[BARE];
/// Real boards: Ariel OS, as the paper's firmware, and bare metal.
const ARIEL_FIRST: &[Os] = &[ARIEL_OS, BARE];

const ARM_SEMIHOSTING: &[&str] = &["-semihosting-config", "enable=on,target=native"];
const KIB: u32 = 1024;
const MIB: u32 = 1024 * 1024;

const fn budget(ram: u32, flash: u32, slot: u32) -> Budget {
    Budget { ram, flash, slot }
}

const fn icount(source: &'static str) -> Clock {
    Clock {
        source,
        unit: "instructions",
        hz: 1_000_000_000,
    }
}

const fn cycles(source: &'static str, hz: u64) -> Clock {
    Clock {
        source,
        unit: "cycles",
        hz,
    }
}

/// A board whose cells are processes on the build machine (64-bit, a
/// 64 MiB heap budget per cell, nanoseconds), on `oses`.
const fn process(
    name: &'static str,
    description: &'static str,
    oses: &'static [Os],
    ariel_builder: Option<&'static str>,
) -> Board {
    Board {
        name,
        description,
        target: None,
        pointer_width: 64,
        access: Access::Host,
        linker: Linker::None,
        budget: budget(64 * MIB, 0, 0),
        clock: Clock {
            source: "std::time::Instant",
            unit: "ns",
            hz: 1_000_000_000,
        },
        stands_for: None,
        paper_board: None,
        rustup_target: true,
        oses,
        ariel_builder,
    }
}

/// Every board, in table order.
pub const BOARDS: &[Board] = &[
    process(
        "host",
        "the build machine, one process per cell (std::time::Instant)",
        BARE_ONLY,
        None,
    ),
    process(
        "ariel-native",
        "Ariel OS's native board: the Ariel OS firmware as a process on the build machine, one per cell",
        &[ARIEL_OS],
        Some("native"),
    ),
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
        linker: Linker::Rt,
        budget: budget(520 * KIB, 4 * MIB, MIB),
        clock: icount("SysTick x50 (QEMU icount shift=0)"),
        stands_for: Some("rpi-pico2-w"),
        paper_board: Some("pico2w"),
        rustup_target: true,
        oses: BARE_ONLY,
        ariel_builder: None,
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
        linker: Linker::Rt,
        budget: budget(256 * KIB, MIB, 256 * KIB),
        clock: icount("SysTick x40 (QEMU icount shift=0)"),
        stands_for: Some("nrf52840dk"),
        paper_board: Some("nrf52840dk"),
        rustup_target: true,
        oses: BARE_ONLY,
        ariel_builder: None,
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
        linker: Linker::Rt,
        budget: budget(512 * KIB, 4 * MIB, MIB),
        clock: icount("mcycle (QEMU icount shift=0)"),
        stands_for: Some("espressif-esp32-c6-devkitc-1"),
        paper_board: Some("esp32-c6"),
        rustup_target: true,
        oses: BARE_ONLY,
        ariel_builder: None,
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
        }),
        linker: Linker::Rt,
        budget: budget(520 * KIB, 4 * MIB, MIB),
        clock: cycles("DWT CYCCNT (64-bit)", 150_000_000),
        stands_for: None,
        paper_board: Some("pico2w"),
        rustup_target: true,
        oses: ARIEL_FIRST,
        ariel_builder: Some("rpi-pico2-w"),
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
        }),
        linker: Linker::Rt,
        budget: budget(256 * KIB, MIB, 256 * KIB),
        clock: cycles("DWT CYCCNT (64-bit)", 64_000_000),
        stands_for: None,
        paper_board: Some("nrf52840dk"),
        rustup_target: true,
        oses: ARIEL_FIRST,
        ariel_builder: Some("nrf52840dk"),
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
        }),
        linker: Linker::Hal,
        budget: budget(512 * KIB, 4 * MIB, MIB),
        clock: cycles("PCCR (64-bit)", 160_000_000),
        stands_for: None,
        paper_board: Some("esp32-c6"),
        rustup_target: true,
        oses: ARIEL_FIRST,
        ariel_builder: Some("espressif-esp32-c6-devkitc-1"),
    },
    Board {
        name: "espressif-esp32-devkitc",
        description: "ESP32-DevKitC, ESP32 (Xtensa LX6) at 240 MHz: 520 KiB RAM, 4 MiB flash; needs Espressif's Xtensa Rust toolchain (espup) and a JTAG probe",
        target: Some("xtensa-esp32-none-elf"),
        pointer_width: 32,
        access: Access::Probe(Probe {
            chip: "esp32",
            image: ProbeImage::EspIdf,
            probe: "an FT2232H JTAG probe (ESP-Prog) on GPIO12-15",
        }),
        linker: Linker::Hal,
        budget: budget(520 * KIB, 4 * MIB, MIB),
        clock: cycles("CCOUNT", 240_000_000),
        stands_for: None,
        paper_board: Some("esp32"),
        rustup_target: false,
        oses: BARE_ONLY,
        ariel_builder: None,
    },
];

/// One of the paper's boards: a folder of its raw data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaperBoard {
    /// The folder name in the paper's data (and `board` of its records).
    pub name: &'static str,
    /// The chip.
    pub chip: &'static str,
}

/// The paper's boards, in the order the report shows them.
pub const PAPER_BOARDS: &[PaperBoard] = &[
    PaperBoard {
        name: "pico2w",
        chip: "RP2350",
    },
    PaperBoard {
        name: "nrf52840dk",
        chip: "nRF52840",
    },
    PaperBoard {
        name: "esp32-c6",
        chip: "ESP32-C6",
    },
    PaperBoard {
        name: "esp32",
        chip: "ESP32",
    },
];

impl Board {
    /// Whether cells run under emulation (QEMU) rather than on the chip.
    pub const fn emulated(&self) -> bool {
        matches!(self.access, Access::Qemu(_))
    }

    /// How many times a cell's measured interval is taken when the user
    /// does not say (`--repeat`): once under emulation, where icount makes
    /// every run the same; five times on the host (and `ariel-native`),
    /// where a process shares the machine with everything else; three
    /// times on a real board, where the cycle counter repeats within a
    /// few cycles (caches, flash wait states) and each run costs a reset.
    pub const fn default_repeat(&self) -> u32 {
        match self.access {
            Access::Qemu(_) => 1,
            Access::Host => 5,
            Access::Probe(_) => 3,
        }
    }

    /// Whether the board runs firmware (every board but the host).
    pub const fn has_firmware(&self) -> bool {
        self.target.is_some()
    }

    /// Its default operating system.
    pub const fn default_os(&self) -> &'static Os {
        &self.oses[0]
    }

    /// Whether its firmware is built for `os`.
    pub fn runs(&self, os: &Os) -> bool {
        self.oses.iter().any(|o| o.name == os.name)
    }

    /// Whether its cells are processes on the build machine.
    pub const fn is_process(&self) -> bool {
        matches!(self.access, Access::Host)
    }

    /// The cargo feature of `trevm-firmware` that selects this board.
    #[cfg(feature = "std")]
    pub fn feature(&self) -> std::string::String {
        std::format!("board-{}", self.name)
    }

    /// For a real board: the emulated board that stands in for it.
    pub fn stand_in(&self) -> Option<&'static Board> {
        BOARDS.iter().find(|b| b.stands_for == Some(self.name))
    }
}

/// The board called `name`.
pub fn find(name: &str) -> Option<&'static Board> {
    BOARDS.iter().find(|b| b.name == name)
}

/// Position of a board (ours or the paper's) in table order: each of our
/// boards, the paper's board of the same kind right after the first real
/// board compared with it, unknown names last.
pub fn order(name: &str) -> usize {
    let mut i = 0;
    for b in BOARDS {
        if b.name == name {
            return i;
        }
        i += 1;
        if !b.emulated() {
            if let Some(p) = b.paper_board {
                if p == name {
                    return i;
                }
                i += 1;
            }
        }
    }
    usize::MAX
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_pairs_resolve() {
        for b in BOARDS {
            assert_eq!(find(b.name), Some(b));
            assert_eq!(BOARDS.iter().filter(|o| o.name == b.name).count(), 1);
            if let Some(real) = b.stands_for {
                let real = find(real).expect("stands_for names a board");
                assert!(b.emulated() && !real.emulated());
                assert_eq!(real.target, b.target, "{}", b.name);
                assert_eq!(real.stand_in(), Some(b));
                assert_eq!(real.paper_board, b.paper_board, "{}", b.name);
            }
            if let Some(p) = b.paper_board {
                assert!(PAPER_BOARDS.iter().any(|x| x.name == p), "{p}");
            }
            assert_eq!(b.has_firmware(), b.linker != Linker::None, "{}", b.name);
        }
        assert_eq!(BOARDS.iter().filter(|b| b.emulated()).count(), 3);
    }

    #[test]
    fn order_interleaves_the_papers_boards() {
        let mut names: std::vec::Vec<&str> = BOARDS.iter().map(|b| b.name).collect();
        names.extend(PAPER_BOARDS.iter().map(|p| p.name));
        names.sort_by_key(|n| order(n));
        assert_eq!(
            names,
            [
                "host",
                "ariel-native",
                "qemu-m33",
                "qemu-m4f",
                "qemu-rv32",
                "rpi-pico2-w",
                "pico2w",
                "nrf52840dk",
                "nrf52840dk",
                "espressif-esp32-c6-devkitc-1",
                "esp32-c6",
                "espressif-esp32-devkitc",
                "esp32"
            ]
        );
    }
}
