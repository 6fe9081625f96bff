//! What the bare-metal backends (QEMU and debug probes) share: reading a
//! firmware ELF for what the runner needs, the firmwares of a board by
//! runtime variant, the firmware's meta and section sizes in a record,
//! and the slot image checked against the firmware's slot.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use trevm_catalog::board::Board;
use trevm_catalog::os::Os;
use trevm_catalog::profile::Profile;
use trevm_catalog::record::{Metric, Record};
use trevm_catalog::runtime::{FirmwareBuild, BUILDS};
use trevm_catalog::{Kind, Stage};

use crate::build;
use crate::error::{Error, Result};
use crate::prepare::Preparer;
use crate::suite::Workload;
use crate::target::elf::{FirmwareElf, SectionSizes};

/// Where a firmware keeps what the runner needs: read from its ELF.
#[derive(Clone, Debug)]
pub struct Firmware {
    /// The ELF file.
    pub elf: PathBuf,
    /// The build it came from.
    pub build: &'static FirmwareBuild,
    /// Module slot address (as the CPU sees it) and length.
    pub slot: (u64, u64),
    /// Where a probe writes the slot image: the slot's own address, or
    /// `__trevm_slot_load` where the CPU sees the slot through a flash MMU
    /// (ESP32-C6: a flash offset).
    pub slot_load: u64,
    /// The RTT control block (`_SEGGER_RTT`).
    pub rtt: u64,
    /// The host's drain point (`trevm_rtt_flush`).
    pub flush: u64,
    /// Section sizes.
    pub sizes: SectionSizes,
}

impl Firmware {
    /// Reads what the runner needs from a firmware ELF.
    pub fn inspect(elf: &Path, build: &'static FirmwareBuild) -> Result<Self> {
        let error = |source| Error::Elf {
            path: elf.to_path_buf(),
            source,
        };
        let f = FirmwareElf::read(elf).map_err(error)?;
        let sym = |name: &str| f.symbol_address(name).map_err(error);
        let start = sym("__trevm_slot_start")?;
        Ok(Firmware {
            elf: elf.to_path_buf(),
            build,
            slot: (start, sym("__trevm_slot_end")? - start),
            slot_load: f.symbol_address("__trevm_slot_load").unwrap_or(start),
            rtt: sym("_SEGGER_RTT")?,
            flush: sym("trevm_rtt_flush")?,
            sizes: f.sizes(),
        })
    }

    /// One line for a plan: the ELF, its sizes and addresses.
    pub fn describe(&self) -> String {
        let z = &self.sizes;
        format!(
            "firmware {}: {} (text {} rodata {} data {} bss {} B); slot {:#010x}+{:#x} written at {:#010x}; RTT control block {:#010x}",
            self.build.name,
            self.elf.display(),
            z.text,
            z.rodata,
            z.data,
            z.bss,
            self.slot.0,
            self.slot.1,
            self.slot_load,
            self.rtt,
        )
    }
}

/// The firmwares of one board in one memory profile by runtime variant
/// label, and why the others are missing. `F` is what a board reads from
/// each ELF.
#[derive(Clone, Debug)]
pub struct FirmwareSet<F = Firmware> {
    board: &'static str,
    os: &'static Os,
    profile: &'static Profile,
    found: BTreeMap<&'static str, F>,
    missing: BTreeMap<&'static str, String>,
}

impl FirmwareSet<Firmware> {
    /// Builds (when needed) the firmwares of `board` in `profile` that
    /// serve `labels`. A firmware that does not build, or not fit, leaves
    /// its variants missing with why.
    pub fn build(
        board: &'static Board,
        os: &'static Os,
        profile: &'static Profile,
        labels: &[&str],
    ) -> Self {
        let mut set = Self::new(board.name, os, profile);
        for b in BUILDS {
            if !labels.iter().any(|l| b.serves_label(l)) {
                continue;
            }
            eprintln!(
                "building the `{}` firmware for {} ({}) ...",
                b.name, board.name, os.name
            );
            let built = build::firmware_for(board, os, profile, b, true)
                .and_then(|elf| Firmware::inspect(&elf, b));
            set.adopt(b, built.map_err(|e| e.to_string()));
        }
        set
    }

    /// The firmwares of `board` in `profile` already built (under
    /// `build/firmware/<board>/`, see [`build::firmware_path`]).
    pub fn existing(board: &'static Board, os: &'static Os, profile: &'static Profile) -> Self {
        let mut set = Self::new(board.name, os, profile);
        for b in BUILDS {
            let elf = build::firmware_path_for(board.name, os, profile, b);
            if elf.exists() {
                set.adopt(b, Firmware::inspect(&elf, b).map_err(|e| e.to_string()));
            }
        }
        set
    }
}

impl<F: Clone> FirmwareSet<F> {
    /// No firmwares yet.
    pub fn new(board: &'static str, os: &'static Os, profile: &'static Profile) -> Self {
        FirmwareSet {
            board,
            os,
            profile,
            found: BTreeMap::new(),
            missing: BTreeMap::new(),
        }
    }

    /// Records what building `b` gave: a firmware, or why there is none.
    pub fn adopt(&mut self, b: &'static FirmwareBuild, built: std::result::Result<F, String>) {
        for label in b.serves() {
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

    /// The operating system of the firmwares.
    pub fn os(&self) -> &'static Os {
        self.os
    }

    /// The memory profile the firmwares are linked with.
    pub fn profile(&self) -> &'static Profile {
        self.profile
    }

    /// The variant labels with a firmware, in table order.
    pub fn labels(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = self.found.keys().copied().collect();
        v.sort_by_key(|l| trevm_catalog::runtime::order(l));
        v
    }

    /// The variants whose firmware did not build (or not fit), with why.
    pub fn failures(&self) -> Vec<(&'static str, String)> {
        self.missing.iter().map(|(l, e)| (*l, e.clone())).collect()
    }

    /// The firmware that runs `label`, or why there is none.
    pub fn get(&self, label: &str) -> std::result::Result<&F, String> {
        self.found.get(label).ok_or_else(|| {
            self.missing.get(label).cloned().unwrap_or_else(|| {
                let profile = if self.profile.is_default() {
                    String::new()
                } else {
                    format!(" PROFILE={}", self.profile.name)
                };
                format!(
                    "no `{label}` firmware built for {} ({}): run `make firmware BOARD={} OS={}{profile}`",
                    self.board, self.os.name, self.board, self.os.name
                )
            })
        })
    }
}

/// The plan lines of a board's firmwares serving `labels`, each once.
pub fn firmware_lines(firmwares: &FirmwareSet, labels: &[&str]) -> Vec<String> {
    let mut seen = Vec::new();
    let mut lines = Vec::new();
    for label in labels {
        match firmwares.get(label) {
            Ok(fw) if !seen.contains(&fw.build.name) => {
                seen.push(fw.build.name);
                lines.push(fw.describe());
            }
            Ok(_) => {}
            Err(why) => lines.push(format!("{label}: no firmware: {why}")),
        }
    }
    lines
}

/// Notes in `rec` which firmware build serves it, for which Rust target.
pub fn firmware_meta(rec: &mut Record, board: &Board, build: &FirmwareBuild) {
    rec.meta.extra.insert("firmware".into(), build.name.into());
    if let Some(target) = board.target {
        rec.meta.extra.insert("target".into(), target.into());
    }
}

/// Adds a firmware's section sizes to a record.
pub fn add_sizes(rec: &mut Record, s: &SectionSizes) {
    for (name, v) in [
        ("text", s.text),
        ("rodata", s.rodata),
        ("data", s.data),
        ("bss", s.bss),
    ] {
        rec.metrics.insert(name.into(), Metric::int(v, "B"));
    }
}

/// What every bare-metal cell does before it runs, emulated or real: the
/// firmware that serves `label` (or a `build` failure), its meta and
/// section sizes in `rec`, and the slot image, checked against the
/// firmware's slot (`out-of-memory` at `load` when it does not fit).
pub fn slot_image<'a>(
    firmwares: &'a FirmwareSet,
    preparer: &Preparer,
    board: &Board,
    label: &str,
    w: &Workload,
    rec: &mut Record,
) -> Option<(&'a Firmware, Vec<u8>)> {
    let fw = match firmwares.get(label) {
        Ok(fw) => fw,
        Err(why) => {
            rec.fail(Kind::Build, Stage::Build, why);
            return None;
        }
    };
    firmware_meta(rec, board, fw.build);
    add_sizes(rec, &fw.sizes);
    let image = super::slot_image(preparer, board.pointer_width, label, w, rec)?;
    if image.len() as u64 > fw.slot.1 {
        rec.fail(
            Kind::OutOfMemory,
            Stage::Load,
            format!(
                "the module ({} B with its slot header) does not fit the {} B module slot in flash",
                image.len(),
                fw.slot.1
            ),
        );
        return None;
    }
    Some((fw, image))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trevm_catalog::runtime::build_for;

    #[test]
    fn firmware_set_says_why_a_variant_is_missing() {
        let mut set = FirmwareSet::new(
            "qemu-m4f",
            &trevm_catalog::os::BARE,
            &trevm_catalog::profile::DEFAULT,
        );
        set.adopt(build_for("wamr-fast").unwrap(), Ok(7));
        set.adopt(
            build_for("tinywasm").unwrap(),
            Err("overflowed by 12 bytes".into()),
        );
        assert_eq!(set.labels(), vec!["wamr", "wamr-fast"]);
        assert_eq!(set.get("wamr-fast"), Ok(&7));
        assert_eq!(set.get("tinywasm"), Err("overflowed by 12 bytes".into()));
        let e = set.get("wasmi").unwrap_err();
        assert!(e.contains("wasmi") && e.contains("qemu-m4f"), "{e}");
        assert_eq!(
            set.failures(),
            vec![("tinywasm", "overflowed by 12 bytes".to_string())]
        );
    }
}
