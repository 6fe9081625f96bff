//! What the runner needs from a firmware ELF: symbol addresses
//! (`_SEGGER_RTT`, the flush function to break on), entry and load
//! addresses, and the section sizes the footprint figures report.
//!
//! # Which section counts as what
//!
//! Only allocated (`SHF_ALLOC`) sections of non-zero size count; debug info,
//! symbol tables and comments never do. In this order:
//!
//! 1. `.vector_table` (cortex-m-rt's exception vectors, read-only data in
//!    flash) counts as **text**;
//! 2. `NOBITS` sections count as **bss** when named `.bss`, `.sbss`, `.tbss`
//!    or `.bss.*`/`.sbss.*`; every other `NOBITS` section (`.uninit`,
//!    `.noinit`, `.heap`, `.stack`, riscv-rt's empty `.text.dummy`) is
//!    reserved RAM that the firmware does not initialise and is **not
//!    counted**;
//! 3. executable sections (`.text`, and riscv-rt's `.init`/`.trap` when they
//!    are separate) count as **text**;
//! 4. writable sections (`.data`, `.sdata`, `.tdata`) count as **data**;
//! 5. all other sections (`.rodata`, `.srodata`, `.ARM.exidx`,
//!    `.eh_frame`, `.init_array`...) count as **rodata**.
//!
//! Flash is `text + rodata + data` (`.data`'s initial image lives in
//! flash); static RAM is `data + bss`.

use std::fmt;
use std::path::{Path, PathBuf};

use object::elf;
use object::read::elf::{ElfFile, FileHeader, ProgramHeader, SectionHeader};
use object::{Endianness, FileKind, Object, ObjectSymbol, SymbolKind};

/// Why a firmware ELF could not be used.
#[derive(Debug)]
pub enum ElfError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The bytes are not a (well-formed) ELF file.
    Parse(String),
    /// The ELF has no defined symbol of this name.
    NoSymbol(String),
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElfError::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            ElfError::Parse(m) => write!(f, "not a usable ELF file: {m}"),
            ElfError::NoSymbol(s) => write!(f, "the ELF defines no symbol `{s}`"),
        }
    }
}

impl std::error::Error for ElfError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ElfError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<object::read::Error> for ElfError {
    fn from(e: object::read::Error) -> Self {
        ElfError::Parse(e.to_string())
    }
}

/// Which size a section adds to (see the module documentation for the rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeClass {
    /// Code (and the vector table): flash.
    Text,
    /// Read-only data: flash.
    Rodata,
    /// Initialised data: flash (initial image) and RAM.
    Data,
    /// Zero-initialised data: RAM.
    Bss,
    /// Allocated but not counted (uninitialised RAM, heap, stack).
    NotCounted,
}

/// One allocated section.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionInfo {
    /// The section name.
    pub name: String,
    /// Its (virtual) address.
    pub addr: u64,
    /// Its size, bytes.
    pub size: u64,
    /// What it counts as.
    pub class: SizeClass,
}

/// The static footprint of a firmware: sums of section sizes per class,
/// bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SectionSizes {
    /// Code and vector table.
    pub text: u64,
    /// Read-only data.
    pub rodata: u64,
    /// Initialised data.
    pub data: u64,
    /// Zero-initialised data.
    pub bss: u64,
}

impl SectionSizes {
    /// Flash: `text + rodata + data`.
    pub fn flash(&self) -> u64 {
        self.text + self.rodata + self.data
    }

    /// Static RAM: `data + bss`.
    pub fn static_ram(&self) -> u64 {
        self.data + self.bss
    }
}

/// A `PT_LOAD` program header: what a loader puts where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadSegment {
    /// Run-time address.
    pub vaddr: u64,
    /// Load address (differs from `vaddr` for `.data`, loaded to flash and
    /// copied to RAM at start).
    pub paddr: u64,
    /// Bytes in the file.
    pub file_size: u64,
    /// Bytes in memory (more than `file_size` for zero-filled parts).
    pub mem_size: u64,
}

/// A symbol's address and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SymbolInfo {
    /// Its address; for Arm functions without the Thumb bit.
    pub addr: u64,
    /// Its size, bytes (0 when unknown).
    pub size: u64,
    /// Whether it is a function.
    pub is_function: bool,
}

/// A parsed firmware ELF (32- or 64-bit, either endianness).
#[derive(Clone, Debug)]
pub struct FirmwareElf {
    data: Vec<u8>,
    machine: u16,
    entry: u64,
    sections: Vec<SectionInfo>,
    segments: Vec<LoadSegment>,
}

impl FirmwareElf {
    /// Reads and parses the ELF file at `path`.
    pub fn read(path: &Path) -> Result<Self, ElfError> {
        let data = std::fs::read(path).map_err(|source| ElfError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(data)
    }

    /// Parses an ELF file held in memory.
    pub fn parse(data: Vec<u8>) -> Result<Self, ElfError> {
        let summary = match FileKind::parse(&*data)? {
            FileKind::Elf32 => summarise::<elf::FileHeader32<Endianness>>(&data)?,
            FileKind::Elf64 => summarise::<elf::FileHeader64<Endianness>>(&data)?,
            k => return Err(ElfError::Parse(format!("a {k:?} file, not ELF"))),
        };
        let (machine, entry, sections, segments) = summary;
        let entry = if machine == elf::EM_ARM {
            entry & !1
        } else {
            entry
        };
        Ok(FirmwareElf {
            data,
            machine,
            entry,
            sections,
            segments,
        })
    }

    /// The ELF machine (`e_machine`, e.g. [`object::elf::EM_ARM`],
    /// [`object::elf::EM_RISCV`]).
    pub fn machine(&self) -> u16 {
        self.machine
    }

    /// The entry point (`e_entry`); on Arm without the Thumb bit.
    pub fn entry(&self) -> u64 {
        self.entry
    }

    /// The `PT_LOAD` segments that carry bytes (`file_size > 0`), in file
    /// order.
    pub fn load_segments(&self) -> &[LoadSegment] {
        &self.segments
    }

    /// The lowest load address of any loaded byte (the start of the image
    /// in flash), if anything is loaded.
    pub fn load_address(&self) -> Option<u64> {
        self.segments.iter().map(|s| s.paddr).min()
    }

    /// The allocated sections of non-zero size, classified.
    pub fn sections(&self) -> &[SectionInfo] {
        &self.sections
    }

    /// Section sizes summed per class.
    pub fn sizes(&self) -> SectionSizes {
        let mut s = SectionSizes::default();
        for sec in &self.sections {
            match sec.class {
                SizeClass::Text => s.text += sec.size,
                SizeClass::Rodata => s.rodata += sec.size,
                SizeClass::Data => s.data += sec.size,
                SizeClass::Bss => s.bss += sec.size,
                SizeClass::NotCounted => {}
            }
        }
        s
    }

    /// The defined symbol `name` (from `.symtab`, else `.dynsym`), absolute
    /// symbols from the linker script included. Arm
    /// function addresses come without the Thumb bit, ready for a
    /// breakpoint.
    pub fn symbol(&self, name: &str) -> Result<SymbolInfo, ElfError> {
        let file = object::File::parse(&*self.data)?;
        let found = file
            .symbols()
            .chain(file.dynamic_symbols())
            // Linker-script symbols (`__trevm_slot_start = ORIGIN(SLOT)`)
            // are absolute, which `is_definition` leaves out.
            .find(|s| !s.is_undefined() && s.name_bytes().ok() == Some(name.as_bytes()));
        let Some(sym) = found else {
            return Err(ElfError::NoSymbol(name.to_string()));
        };
        let is_function = sym.kind() == SymbolKind::Text;
        let mut addr = sym.address();
        if is_function && self.machine == elf::EM_ARM {
            addr &= !1;
        }
        Ok(SymbolInfo {
            addr,
            size: sym.size(),
            is_function,
        })
    }

    /// The address of the defined symbol `name` (see [`FirmwareElf::symbol`]).
    pub fn symbol_address(&self, name: &str) -> Result<u64, ElfError> {
        self.symbol(name).map(|s| s.addr)
    }
}

type Summary = (u16, u64, Vec<SectionInfo>, Vec<LoadSegment>);

fn summarise<Elf: FileHeader<Endian = Endianness>>(data: &[u8]) -> Result<Summary, ElfError> {
    let file = ElfFile::<Elf>::parse(data)?;
    let endian = file.endian();
    let header = file.elf_header();
    let segments = file
        .elf_program_headers()
        .iter()
        .filter(|p| p.p_type(endian) == elf::PT_LOAD)
        .map(|p| LoadSegment {
            vaddr: p.p_vaddr(endian).into(),
            paddr: p.p_paddr(endian).into(),
            file_size: p.p_filesz(endian).into(),
            mem_size: p.p_memsz(endian).into(),
        })
        .filter(|s| s.file_size > 0)
        .collect();
    let table = file.elf_section_table();
    let mut sections = Vec::new();
    for sh in table.iter() {
        let flags: u64 = sh.sh_flags(endian).into();
        let size: u64 = sh.sh_size(endian).into();
        if flags & u64::from(elf::SHF_ALLOC) == 0 || size == 0 {
            continue;
        }
        let name = table.section_name(endian, sh)?;
        let name = String::from_utf8_lossy(name).into_owned();
        let class = classify(&name, sh.sh_type(endian), flags);
        sections.push(SectionInfo {
            name,
            addr: sh.sh_addr(endian).into(),
            size,
            class,
        });
    }
    Ok((
        header.e_machine(endian),
        header.e_entry(endian).into(),
        sections,
        segments,
    ))
}

/// The rule of the module documentation, for one allocated section.
pub fn classify(name: &str, sh_type: u32, sh_flags: u64) -> SizeClass {
    if name == ".vector_table" {
        return SizeClass::Text;
    }
    if sh_type == elf::SHT_NOBITS {
        let bss = [".bss", ".sbss", ".tbss"]
            .iter()
            .any(|b| name == *b || name.strip_prefix(b).is_some_and(|r| r.starts_with('.')));
        return if bss {
            SizeClass::Bss
        } else {
            SizeClass::NotCounted
        };
    }
    if sh_flags & u64::from(elf::SHF_EXECINSTR) != 0 {
        SizeClass::Text
    } else if sh_flags & u64::from(elf::SHF_WRITE) != 0 {
        SizeClass::Data
    } else {
        SizeClass::Rodata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::write::{Object as WObject, StandardSegment, Symbol, SymbolSection};
    use object::{Architecture, BinaryFormat, SectionFlags, SectionKind, SymbolFlags, SymbolScope};

    /// A relocatable Arm object shaped like cortex-m-rt firmware.
    fn arm_object() -> Vec<u8> {
        let mut o = WObject::new(
            BinaryFormat::Elf,
            Architecture::Arm,
            object::Endianness::Little,
        );
        let add = |o: &mut WObject, name: &str, kind, flags: u32, size: usize| {
            let id = o.add_section(
                o.segment_name(StandardSegment::Data).to_vec(),
                name.as_bytes().to_vec(),
                kind,
            );
            o.section_mut(id).flags = SectionFlags::Elf {
                sh_flags: u64::from(flags),
            };
            if kind == SectionKind::UninitializedData {
                o.append_section_bss(id, size as u64, 4);
            } else {
                o.append_section_data(id, &vec![0u8; size], 4);
            }
            id
        };
        let a = elf::SHF_ALLOC;
        add(&mut o, ".vector_table", SectionKind::ReadOnlyData, a, 0x40);
        let text = add(
            &mut o,
            ".text",
            SectionKind::Text,
            a | elf::SHF_EXECINSTR,
            0x100,
        );
        add(&mut o, ".rodata", SectionKind::ReadOnlyData, a, 0x30);
        add(
            &mut o,
            ".ARM.exidx",
            SectionKind::ReadOnlyData,
            a | elf::SHF_LINK_ORDER,
            0x8,
        );
        let data = add(&mut o, ".data", SectionKind::Data, a | elf::SHF_WRITE, 0x10);
        add(
            &mut o,
            ".bss",
            SectionKind::UninitializedData,
            a | elf::SHF_WRITE,
            0x20,
        );
        add(
            &mut o,
            ".uninit",
            SectionKind::UninitializedData,
            a | elf::SHF_WRITE,
            0x400,
        );
        add(&mut o, ".comment", SectionKind::OtherString, 0, 0x10);
        o.add_symbol(Symbol {
            name: b"trevm_rtt_flush".to_vec(),
            value: 0x21,
            size: 4,
            kind: SymbolKind::Text,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(text),
            flags: SymbolFlags::None,
        });
        o.add_symbol(Symbol {
            name: b"_SEGGER_RTT".to_vec(),
            value: 0x4,
            size: 0x48,
            kind: SymbolKind::Data,
            scope: SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(data),
            flags: SymbolFlags::None,
        });
        o.write().unwrap()
    }

    #[test]
    fn classifies_and_sums_sections() {
        let f = FirmwareElf::parse(arm_object()).unwrap();
        assert_eq!(f.machine(), elf::EM_ARM);
        let s = f.sizes();
        assert_eq!(
            s,
            SectionSizes {
                text: 0x140,
                rodata: 0x38,
                data: 0x10,
                bss: 0x20
            }
        );
        assert_eq!(s.flash(), 0x140 + 0x38 + 0x10);
        assert_eq!(s.static_ram(), 0x30);
        let uninit = f.sections().iter().find(|s| s.name == ".uninit").unwrap();
        assert_eq!(uninit.class, SizeClass::NotCounted);
        assert!(f.sections().iter().all(|s| s.name != ".comment"));
    }

    #[test]
    fn finds_symbols_without_the_thumb_bit() {
        let f = FirmwareElf::parse(arm_object()).unwrap();
        let flush = f.symbol("trevm_rtt_flush").unwrap();
        assert_eq!((flush.addr, flush.is_function), (0x20, true));
        let rtt = f.symbol("_SEGGER_RTT").unwrap();
        assert_eq!((rtt.addr, rtt.size, rtt.is_function), (0x4, 0x48, false));
        assert!(matches!(f.symbol("nope"), Err(ElfError::NoSymbol(_))));
    }

    #[test]
    fn classification_rule() {
        let x = u64::from(elf::SHF_ALLOC | elf::SHF_EXECINSTR);
        let w = u64::from(elf::SHF_ALLOC | elf::SHF_WRITE);
        let r = u64::from(elf::SHF_ALLOC);
        assert_eq!(classify(".init", elf::SHT_PROGBITS, x), SizeClass::Text);
        assert_eq!(classify(".trap", elf::SHT_PROGBITS, x), SizeClass::Text);
        assert_eq!(
            classify(".srodata", elf::SHT_PROGBITS, r),
            SizeClass::Rodata
        );
        assert_eq!(classify(".sdata", elf::SHT_PROGBITS, w), SizeClass::Data);
        assert_eq!(classify(".sbss", elf::SHT_NOBITS, w), SizeClass::Bss);
        assert_eq!(classify(".bss.foo", elf::SHT_NOBITS, w), SizeClass::Bss);
        assert_eq!(classify(".bssx", elf::SHT_NOBITS, w), SizeClass::NotCounted);
        assert_eq!(classify(".heap", elf::SHT_NOBITS, w), SizeClass::NotCounted);
        assert_eq!(
            classify(".stack", elf::SHT_NOBITS, w),
            SizeClass::NotCounted
        );
        assert_eq!(
            classify(".text.dummy", elf::SHT_NOBITS, x),
            SizeClass::NotCounted
        );
    }

    #[test]
    fn rejects_what_is_not_elf() {
        assert!(matches!(
            FirmwareElf::parse(b"\x7fELF".to_vec()),
            Err(ElfError::Parse(_))
        ));
        assert!(matches!(
            FirmwareElf::parse(b"hello".to_vec()),
            Err(ElfError::Parse(_))
        ));
        assert!(matches!(
            FirmwareElf::parse(Vec::new()),
            Err(ElfError::Parse(_))
        ));
        let mut cut = arm_object();
        cut.truncate(cut.len() / 2);
        assert!(FirmwareElf::parse(cut).is_err());
        let missing = FirmwareElf::read(Path::new("/nonexistent/fw.elf"));
        assert!(matches!(missing, Err(ElfError::Io { .. })));
    }

    /// A linked executable from the Arm GNU toolchain, when installed: entry,
    /// load segments with `.data` loaded to flash, and sizes.
    #[test]
    fn linked_arm_executable() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("fw.s");
        let ld = dir.path().join("fw.ld");
        let out = dir.path().join("fw.elf");
        std::fs::write(
            &src,
            ".syntax unified\n.thumb\n\
             .section .vector_table,\"a\"\n.word 0x20010000\n.word reset + 1\n\
             .text\n.global reset\n.thumb_func\nreset: b .\n\
             .global trevm_rtt_flush\n.thumb_func\n.type trevm_rtt_flush,%function\ntrevm_rtt_flush: bx lr\n\
             .section .rodata\n.word 1, 2, 3\n\
             .data\n.global _SEGGER_RTT\n_SEGGER_RTT: .word 7, 8\n\
             .bss\n.space 12\n\
             .section .uninit,\"aw\",%nobits\n.space 256\n",
        )
        .unwrap();
        std::fs::write(
            &ld,
            "MEMORY { FLASH : ORIGIN = 0, LENGTH = 64K\n RAM : ORIGIN = 0x20000000, LENGTH = 64K }\n\
             ENTRY(reset)\nSECTIONS {\n\
             .vector_table : { KEEP(*(.vector_table)) } > FLASH\n\
             .text : { *(.text*) } > FLASH\n\
             .rodata : { *(.rodata*) } > FLASH\n\
             .data : { *(.data*) } > RAM AT > FLASH\n\
             .bss (NOLOAD) : { *(.bss*) } > RAM\n\
             .uninit (NOLOAD) : { *(.uninit*) } > RAM\n}\n",
        )
        .unwrap();
        let obj = dir.path().join("fw.o");
        let as_ok = std::process::Command::new("arm-none-eabi-as")
            .args(["-mcpu=cortex-m4", "-o"])
            .arg(&obj)
            .arg(&src)
            .status();
        let Ok(status) = as_ok else {
            eprintln!("skipped: arm-none-eabi-as is not installed");
            return;
        };
        assert!(status.success());
        let status = std::process::Command::new("arm-none-eabi-ld")
            .arg("-T")
            .arg(&ld)
            .arg("-o")
            .arg(&out)
            .arg(&obj)
            .status()
            .unwrap();
        assert!(status.success());

        let f = FirmwareElf::read(&out).unwrap();
        let flush = f.symbol_address("trevm_rtt_flush").unwrap();
        assert_eq!(flush % 2, 0);
        assert_eq!(f.entry(), 8, "reset follows the 8-byte vector table");
        assert_eq!(f.symbol_address("_SEGGER_RTT").unwrap(), 0x2000_0000);
        let s = f.sizes();
        assert_eq!((s.text, s.rodata, s.data, s.bss), (8 + 4, 12, 8, 12));
        assert_eq!(f.load_address(), Some(0));
        // `.data` runs in RAM but is loaded to flash after `.rodata`.
        let data = f
            .load_segments()
            .iter()
            .find(|l| l.vaddr == 0x2000_0000)
            .unwrap();
        assert_eq!((data.paddr, data.file_size), (8 + 4 + 12, 8));
    }
}
