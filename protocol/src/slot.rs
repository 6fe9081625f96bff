//! The module slot: how a Wasm module (or its prepared form) reaches the
//! firmware without being compiled into it.
//!
//! The runner writes a slot image (header + payload) into a reserved flash
//! region (QEMU's `-device loader`, or probe-rs on a board); on the host
//! board the image is a file. The firmware reads the header, finds which
//! workload it is and which ABI it follows, and hands the payload to the
//! runtime. One firmware per runtime × board thus serves every workload.
//!
//! Layout (little-endian), [`HEADER_LEN`] bytes, payload follows and starts
//! 16-byte aligned:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 8 | magic `TRVMSLOT` |
//! | 8 | 4 | format version (1) |
//! | 12 | 4 | ABI: 0 = Embench, 1 = CoreMark, 2 = capsule (a Wasm component) |
//! | 16 | 4 | payload length in bytes |
//! | 20 | 12 | reserved (zero) |
//! | 32 | 32 | suite name, UTF-8, NUL-padded |
//! | 64 | 32 | workload name, UTF-8, NUL-padded |
//! | 96 | 32 | runtime variant label, UTF-8, NUL-padded (empty: the firmware's first) |

/// Magic bytes at the start of every slot.
pub const MAGIC: &[u8; 8] = b"TRVMSLOT";
/// Format version written by this crate.
pub const VERSION: u32 = 2;
/// Header size; the payload starts here.
pub const HEADER_LEN: usize = 128;
const NAME_LEN: usize = 32;

/// The benchmark ABI named in a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotAbi {
    /// Embench-style triggers, `__original_main`.
    Embench = 0,
    /// CoreMark-style `clock_ms`, `run`.
    CoreMark = 1,
    /// A treVM capsule: a Wasm component (`capsules/wit/capsule.wit`).
    Capsule = 2,
}

impl SlotAbi {
    /// The ABI's name (`embench`, `coremark`).
    pub fn as_str(self) -> &'static str {
        match self {
            SlotAbi::Embench => "embench",
            SlotAbi::CoreMark => "coremark",
            SlotAbi::Capsule => "capsule",
        }
    }
}

/// A slot as read from memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot<'a> {
    /// Benchmark ABI.
    pub abi: SlotAbi,
    /// Suite name.
    pub suite: &'a str,
    /// Workload name.
    pub workload: &'a str,
    /// Runtime variant label to run it with (empty: the firmware's only
    /// or first variant). One firmware build of `wasmtime` without SIMD
    /// serves two variants (`wasmtime-no-simd`, `trevm`).
    pub runtime: &'a str,
    /// The module bytes.
    pub payload: &'a [u8],
}

/// Why a slot could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotError {
    /// Shorter than a header.
    TooShort,
    /// Magic does not match: nothing was written to the slot.
    NoMagic,
    /// Written by another version of the format.
    Version(u32),
    /// Unknown ABI number.
    Abi(u32),
    /// A name is not UTF-8.
    Name,
    /// The payload runs past the slot region.
    Length(u32),
}

impl core::fmt::Display for SlotError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SlotError::TooShort => write!(f, "module slot smaller than its header"),
            SlotError::NoMagic => write!(f, "no module in the slot (magic missing)"),
            SlotError::Version(v) => write!(f, "module slot format {v}, expected {VERSION}"),
            SlotError::Abi(a) => write!(f, "unknown ABI {a} in module slot"),
            SlotError::Name => write!(f, "module slot name is not UTF-8"),
            SlotError::Length(n) => {
                write!(f, "module slot payload of {n} bytes runs past the slot")
            }
        }
    }
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn name_at(b: &[u8], at: usize) -> Result<&str, SlotError> {
    let raw = &b[at..at + NAME_LEN];
    let end = raw.iter().position(|&c| c == 0).unwrap_or(NAME_LEN);
    core::str::from_utf8(&raw[..end]).map_err(|_| SlotError::Name)
}

/// Reads the slot at the start of `region` (the whole reserved area).
pub fn read(region: &[u8]) -> Result<Slot<'_>, SlotError> {
    if region.len() < HEADER_LEN {
        return Err(SlotError::TooShort);
    }
    if &region[..8] != MAGIC {
        return Err(SlotError::NoMagic);
    }
    let version = u32_at(region, 8);
    if version != VERSION {
        return Err(SlotError::Version(version));
    }
    let abi = match u32_at(region, 12) {
        0 => SlotAbi::Embench,
        1 => SlotAbi::CoreMark,
        2 => SlotAbi::Capsule,
        a => return Err(SlotError::Abi(a)),
    };
    let len = u32_at(region, 16);
    let payload = region
        .get(HEADER_LEN..HEADER_LEN + len as usize)
        .ok_or(SlotError::Length(len))?;
    Ok(Slot {
        abi,
        suite: name_at(region, 32)?,
        workload: name_at(region, 64)?,
        runtime: name_at(region, 96)?,
        payload,
    })
}

/// Builds a slot image (runner side).
#[cfg(feature = "alloc")]
pub fn write(
    abi: SlotAbi,
    suite: &str,
    workload: &str,
    runtime: &str,
    payload: &[u8],
) -> alloc::vec::Vec<u8> {
    let mut out = alloc::vec![0u8; HEADER_LEN];
    out[..8].copy_from_slice(MAGIC);
    out[8..12].copy_from_slice(&VERSION.to_le_bytes());
    out[12..16].copy_from_slice(&(abi as u32).to_le_bytes());
    out[16..20].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    for (at, name) in [(32, suite), (64, workload), (96, runtime)] {
        let n = name.len().min(NAME_LEN);
        out[at..at + n].copy_from_slice(&name.as_bytes()[..n]);
    }
    out.extend_from_slice(payload);
    out
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let img = write(
            SlotAbi::CoreMark,
            "coremark",
            "coremark",
            "wamr-fast",
            b"\0asm\x01\0\0\0",
        );
        let s = read(&img).unwrap();
        assert_eq!(
            (s.abi, s.suite, s.workload, s.runtime, s.payload),
            (
                SlotAbi::CoreMark,
                "coremark",
                "coremark",
                "wamr-fast",
                &b"\0asm\x01\0\0\0"[..]
            )
        );
        assert_eq!(read(&img[..HEADER_LEN + 3]), Err(SlotError::Length(8)));
        assert_eq!(read(&[0xff; 200]), Err(SlotError::NoMagic));
        assert_eq!(read(&img[..HEADER_LEN - 1]), Err(SlotError::TooShort));
        let mut v = img.clone();
        v[8] = 9;
        assert_eq!(read(&v), Err(SlotError::Version(9)));
        let mut v = img.clone();
        v[12] = 7;
        assert_eq!(read(&v), Err(SlotError::Abi(7)));
        assert_eq!(read(&img[..10]), Err(SlotError::TooShort));
    }
}
