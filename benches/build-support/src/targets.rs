//! The Rust targets C code is built for, as data: one [`Target`] row each
//! in [`TARGETS`].
//!
//! The C sources are compiled by the row's compiler with the `cc` crate's
//! architecture flags for the triple (for `thumbv7em-none-eabihf`:
//! `-mthumb -mfloat-abi=hard -march=armv7e-m -mfpu=fpv4-sp-d16`; for
//! `riscv32imac-unknown-none-elf`: `-march=rv32imac -mabi=ilp32`) plus the
//! row's [`Target::cflags`]. The row's [`Target::cpu_flags`] name the exact
//! core the board has; they pick the C library's multilib for the firmware's
//! link, and the tests check that they pick the same multilib as the flags
//! the C code is compiled with.

/// A C library, and how programs for a target get it.
#[derive(Debug)]
pub enum Libc {
    /// The host's own C library: compiler and linker find it by themselves.
    Host {
        /// Libraries the crates that compile C link by name (`-l`): libm,
        /// for the float operations of WAMR and the C suites.
        libs: &'static [&'static str],
    },
    /// A C library of a bare-metal cross toolchain, which the firmware links
    /// (see [`crate::libc`]).
    Bare(BareLibc),
}

/// A bare-metal C library of a Debian cross toolchain.
#[derive(Debug)]
pub struct BareLibc {
    /// Name, for messages.
    pub name: &'static str,
    /// The gcc specs file that puts the library's headers on the include
    /// path (and, at link time, its libraries on the library path).
    pub specs: &'static str,
    /// The library's archive; its folder in the multilib matching the
    /// target is the linker's search path (gcc's `-print-file-name=`).
    pub archive: &'static str,
    /// A folder with one subfolder per multilib (`<root>/<gcc
    /// -print-multi-directory>`), searched before gcc's own paths: Debian's
    /// picolibc is not on gcc's library path (its specs file adds it at link
    /// time only).
    pub multilib_root: Option<&'static str>,
    /// The libraries a firmware with C code links, statically, in this
    /// order: the C library, libm, libgcc.
    pub libs: &'static [&'static str],
}

/// newlib-nano, the Arm toolchain's small C library (libm included in `m`).
pub const NEWLIB_NANO: BareLibc = BareLibc {
    name: "newlib-nano",
    specs: "nano.specs",
    archive: "libc_nano.a",
    multilib_root: None,
    libs: &["c_nano", "m", "gcc"],
};

/// picolibc, as Debian ships it for the RISC-V toolchain (libm inside `c`).
pub const PICOLIBC: BareLibc = BareLibc {
    name: "picolibc",
    specs: "picolibc.specs",
    archive: "libc.a",
    multilib_root: Some("/usr/lib/picolibc/riscv64-unknown-elf/lib"),
    libs: &["c", "gcc"],
};

/// One Rust target and the C toolchain for it.
#[derive(Debug)]
pub struct Target {
    /// The Rust target triple (cargo's `TARGET`).
    pub triple: &'static str,
    /// The C compiler (the `cc` crate's `CC_<triple>`, `TARGET_CC`, `CC` or
    /// `CROSS_COMPILE` choose another).
    pub cc: &'static str,
    /// Prefix of the binutils that go with it (`<prefix>ar`, `<prefix>nm`,
    /// `<prefix>objcopy`).
    pub binutils: &'static str,
    /// Flags that name the core exactly (CPU, float ABI, FPU): they select
    /// the C library's multilib. Empty on the host.
    pub cpu_flags: &'static [&'static str],
    /// Flags every C compilation for the target gets after `cc`'s own
    /// architecture flags and the C library's specs file.
    pub cflags: &'static [&'static str],
    /// The C library.
    pub libc: Libc,
    /// The Debian packages that provide compiler, binutils and C library.
    pub packages: &'static [&'static str],
}

/// Every target C code is built for: the hosts the harness runs on and the
/// three bare-metal targets of the boards.
pub const TARGETS: &[Target] = &[
    Target {
        triple: "x86_64-unknown-linux-gnu",
        cc: "cc",
        binutils: "",
        cpu_flags: &[],
        cflags: &[],
        libc: Libc::Host { libs: &["m"] },
        packages: &["gcc"],
    },
    Target {
        triple: "aarch64-unknown-linux-gnu",
        cc: "cc",
        binutils: "",
        cpu_flags: &[],
        cflags: &[],
        libc: Libc::Host { libs: &["m"] },
        packages: &["gcc"],
    },
    // Cortex-M33F: the RP2350 (Pico 2 W) and QEMU's mps2-an505.
    Target {
        triple: "thumbv8m.main-none-eabihf",
        cc: "arm-none-eabi-gcc",
        binutils: "arm-none-eabi-",
        cpu_flags: &[
            "-mthumb",
            "-mcpu=cortex-m33",
            "-mfloat-abi=hard",
            "-mfpu=fpv5-sp-d16",
        ],
        cflags: &["-mthumb"],
        libc: Libc::Bare(NEWLIB_NANO),
        packages: &["gcc-arm-none-eabi", "libnewlib-arm-none-eabi"],
    },
    // Cortex-M4F: the nRF52840 and QEMU's mps2-an386.
    Target {
        triple: "thumbv7em-none-eabihf",
        cc: "arm-none-eabi-gcc",
        binutils: "arm-none-eabi-",
        cpu_flags: &[
            "-mthumb",
            "-mcpu=cortex-m4",
            "-mfloat-abi=hard",
            "-mfpu=fpv4-sp-d16",
        ],
        cflags: &["-mthumb"],
        libc: Libc::Bare(NEWLIB_NANO),
        packages: &["gcc-arm-none-eabi", "libnewlib-arm-none-eabi"],
    },
    // RV32IMAC: the ESP32-C6 and QEMU's virt with a sifive-e31 core.
    Target {
        triple: "riscv32imac-unknown-none-elf",
        cc: "riscv64-unknown-elf-gcc",
        binutils: "riscv64-unknown-elf-",
        cpu_flags: &["-march=rv32imac", "-mabi=ilp32"],
        cflags: &[],
        libc: Libc::Bare(PICOLIBC),
        packages: &["gcc-riscv64-unknown-elf", "picolibc-riscv64-unknown-elf"],
    },
];

impl Target {
    /// The row of `triple`.
    pub fn find(triple: &str) -> Result<&'static Target, String> {
        TARGETS.iter().find(|t| t.triple == triple).ok_or_else(|| {
            let known: Vec<&str> = TARGETS.iter().map(|t| t.triple).collect();
            format!(
                "no C toolchain is known for target {triple} (known: {}); \
                 add a row to TARGETS in benches/build-support/src/targets.rs",
                known.join(", ")
            )
        })
    }

    /// The row of the target cargo is building for (`TARGET`).
    pub fn cargo() -> Result<&'static Target, String> {
        Target::find(&crate::cargo_env("TARGET"))
    }

    /// The bare-metal C library, or `None` on a host.
    pub fn bare_libc(&self) -> Option<&BareLibc> {
        match &self.libc {
            Libc::Bare(l) => Some(l),
            Libc::Host { .. } => None,
        }
    }

    /// The sentence that says how to install this target's toolchain.
    pub fn install_hint(&self) -> String {
        let packages = self.packages.join(" ");
        if self.bare_libc().is_some() {
            format!("run `make setup` (it installs the Debian packages {packages})")
        } else {
            format!("install the Debian package(s) {packages}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_names_the_known_targets_when_it_fails() {
        assert_eq!(
            Target::find("thumbv7em-none-eabihf").unwrap().cc,
            "arm-none-eabi-gcc"
        );
        let e = Target::find("xtensa-esp32-none-elf").unwrap_err();
        assert!(e.contains("riscv32imac-unknown-none-elf"), "{e}");
    }
}
