//! SEGGER RTT: reading what the firmware writes to an up channel, through
//! any [`MemoryAccess`] (QEMU's GDB stub here, a debug probe on boards).
//!
//! The control block (ELF symbol `_SEGGER_RTT`) on a 32-bit target, all
//! fields little-endian:
//!
//! ```text
//! offset 0   char acID[16]             "SEGGER RTT\0\0\0\0\0\0"
//! offset 16  i32  MaxNumUpBuffers
//! offset 20  i32  MaxNumDownBuffers
//! offset 24  up descriptors   [MaxNumUpBuffers]   (24 bytes each)
//! then       down descriptors [MaxNumDownBuffers] (24 bytes each)
//!
//! descriptor: u32 sName, u32 pBuffer, u32 SizeOfBuffer, u32 WrOff, u32 RdOff, u32 Flags
//! ```
//!
//! On an up channel the firmware writes at `WrOff`, the host reads from
//! `RdOff` up to `WrOff` (wrapping at `SizeOfBuffer`) and stores the new
//! `RdOff`; on a down channel ([`DownChannel`], requests to a device
//! firmware) the roles swap. Everything read from the target is validated:
//! a corrupt or uninitialised block is a [`TargetError::Protocol`] error,
//! never a panic.

use super::{MemoryAccess, TargetError};

/// The start of a valid control block's ID.
pub const ID: &[u8; 10] = b"SEGGER RTT";
/// Size of the control block's fixed header (ID and the two counts).
const HEADER_SIZE: u64 = 24;
/// Size of one buffer descriptor.
const DESCRIPTOR_SIZE: u64 = 24;
/// Offset of `WrOff` in a descriptor.
const WR_OFF: u64 = 12;
/// Offset of `RdOff` in a descriptor.
const RD_OFF: u64 = 16;
/// More buffers than this means a corrupt block (SEGGER's default is 3).
pub const MAX_BUFFERS: u32 = 256;

/// A validated RTT control block in target memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ControlBlock {
    addr: u64,
    max_up: u32,
    max_down: u32,
}

impl ControlBlock {
    /// Reads and validates the control block at `addr` (the address of
    /// `_SEGGER_RTT`). Fails with a protocol error when the ID is not there
    /// yet (the firmware has not initialised RTT) or the counts are
    /// implausible.
    pub fn read<M: MemoryAccess + ?Sized>(mem: &mut M, addr: u64) -> Result<Self, TargetError> {
        let mut h = [0u8; HEADER_SIZE as usize];
        mem.read(addr, &mut h)?;
        if &h[..ID.len()] != ID {
            return Err(TargetError::protocol(format!(
                "no RTT control block at {addr:#x} (ID reads {:?}; not initialised yet?)",
                String::from_utf8_lossy(&h[..16])
            )));
        }
        let max_up = i32::from_le_bytes([h[16], h[17], h[18], h[19]]);
        let max_down = i32::from_le_bytes([h[20], h[21], h[22], h[23]]);
        let count = |n: i32, what: &str| match u32::try_from(n) {
            Ok(n) if n <= MAX_BUFFERS => Ok(n),
            _ => Err(TargetError::protocol(format!(
                "RTT control block at {addr:#x}: {what} is {n}"
            ))),
        };
        Ok(ControlBlock {
            addr,
            max_up: count(max_up, "MaxNumUpBuffers")?,
            max_down: count(max_down, "MaxNumDownBuffers")?,
        })
    }

    /// The control block's address.
    pub fn address(&self) -> u64 {
        self.addr
    }

    /// `MaxNumUpBuffers`: how many up (target to host) channels exist.
    pub fn max_up_buffers(&self) -> u32 {
        self.max_up
    }

    /// `MaxNumDownBuffers`: how many down (host to target) channels exist.
    pub fn max_down_buffers(&self) -> u32 {
        self.max_down
    }

    /// Up channel `index` (0 is the terminal channel that `rtt-target` and
    /// `defmt-rtt` use), with its descriptor read and validated.
    pub fn up_channel<M: MemoryAccess + ?Sized>(
        &self,
        mem: &mut M,
        index: u32,
    ) -> Result<UpChannel, TargetError> {
        let mut ch = UpChannel {
            index,
            desc_addr: self.descriptor_address(true, index)?,
            buffer: 0,
            size: 0,
        };
        let d = ch.descriptor(mem)?;
        ch.buffer = d.buffer;
        ch.size = d.size;
        Ok(ch)
    }

    /// Down channel `index` (host to target), with its descriptor read and
    /// validated.
    pub fn down_channel<M: MemoryAccess + ?Sized>(
        &self,
        mem: &mut M,
        index: u32,
    ) -> Result<DownChannel, TargetError> {
        let ch = DownChannel {
            index,
            desc_addr: self.descriptor_address(false, index)?,
        };
        ch.descriptor(mem)?;
        Ok(ch)
    }

    /// Where the descriptor of up (`up`) or down channel `index` lies: the
    /// down descriptors follow all up ones. Fails when the block has no
    /// such channel.
    fn descriptor_address(&self, up: bool, index: u32) -> Result<u64, TargetError> {
        let (count, first, what, hint) = if up {
            (self.max_up, 0, "up", "")
        } else {
            (
                self.max_down,
                self.max_up,
                "down",
                " (is this a device firmware?)",
            )
        };
        if index >= count {
            return Err(TargetError::protocol(format!(
                "RTT {what} channel {index} requested, the control block has {count}{hint}"
            )));
        }
        Ok(self.addr + HEADER_SIZE + u64::from(first + index) * DESCRIPTOR_SIZE)
    }
}

/// Reads and validates the descriptor at `addr` of channel `what`.
fn descriptor_at<M: MemoryAccess + ?Sized>(
    mem: &mut M,
    addr: u64,
    what: &str,
) -> Result<Descriptor, TargetError> {
    let mut b = [0u8; DESCRIPTOR_SIZE as usize];
    mem.read(addr, &mut b)?;
    let d = Descriptor::from_bytes(&b);
    d.validate().map_err(|e| match e {
        TargetError::Protocol(m) => TargetError::Protocol(format!("{what}: {m}")),
        e => e,
    })?;
    Ok(d)
}

/// One buffer descriptor as read from the target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Descriptor {
    /// Address of the channel's NUL-terminated name (0: none).
    pub name: u32,
    /// Address of the ring buffer.
    pub buffer: u32,
    /// Size of the ring buffer, bytes.
    pub size: u32,
    /// Where the firmware writes next (offset into the buffer).
    pub write: u32,
    /// Where the host reads next (offset into the buffer).
    pub read: u32,
    /// Flags; bits 0–1 are the mode (0 skip, 1 trim, 2 block when full).
    pub flags: u32,
}

impl Descriptor {
    /// Decodes the 24 little-endian bytes of a descriptor.
    pub fn from_bytes(b: &[u8; DESCRIPTOR_SIZE as usize]) -> Self {
        let w = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        Descriptor {
            name: w(0),
            buffer: w(4),
            size: w(8),
            write: w(12),
            read: w(16),
            flags: w(20),
        }
    }

    /// The mode bits of [`Descriptor::flags`].
    pub fn mode(&self) -> u32 {
        self.flags & 3
    }

    /// Checks that the ring buffer is usable: a non-zero size, within the
    /// 32-bit address space, both offsets inside it.
    pub fn validate(&self) -> Result<(), TargetError> {
        let bad = |what: String| {
            Err(TargetError::protocol(format!(
                "corrupt RTT descriptor: {what}"
            )))
        };
        if self.size == 0 {
            return bad("buffer size 0".into());
        }
        if self.buffer == 0 {
            return bad("buffer address 0".into());
        }
        if self.buffer.checked_add(self.size - 1).is_none() {
            return bad(format!(
                "buffer {:#x} + size {} leaves the address space",
                self.buffer, self.size
            ));
        }
        if self.write >= self.size || self.read >= self.size {
            return bad(format!(
                "WrOff {} / RdOff {} outside a buffer of {} bytes",
                self.write, self.read, self.size
            ));
        }
        Ok(())
    }
}

/// An up (target to host) channel: drains what the firmware wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UpChannel {
    index: u32,
    desc_addr: u64,
    buffer: u32,
    size: u32,
}

impl UpChannel {
    /// The channel's index.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The ring buffer's address, as read when the channel was opened.
    pub fn buffer_address(&self) -> u32 {
        self.buffer
    }

    /// The ring buffer's size, as read when the channel was opened.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Reads and validates the channel's descriptor.
    pub fn descriptor<M: MemoryAccess + ?Sized>(
        &self,
        mem: &mut M,
    ) -> Result<Descriptor, TargetError> {
        descriptor_at(mem, self.desc_addr, &format!("up channel {}", self.index))
    }

    /// The channel's name (e.g. `Terminal`, `defmt`), at most 64 bytes; empty
    /// when it has none.
    pub fn name<M: MemoryAccess + ?Sized>(&self, mem: &mut M) -> Result<String, TargetError> {
        let d = self.descriptor(mem)?;
        if d.name == 0 {
            return Ok(String::new());
        }
        let mut b = [0u8; 64];
        mem.read(u64::from(d.name), &mut b)?;
        let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
        Ok(String::from_utf8_lossy(&b[..end]).into_owned())
    }

    /// Takes everything the firmware wrote since the last drain: reads
    /// `RdOff..WrOff` (wrapping around the end of the buffer) and stores
    /// `WrOff` as the new `RdOff`, which frees the space for the firmware.
    /// Empty when there is nothing new (and then nothing is written).
    pub fn drain<M: MemoryAccess + ?Sized>(&mut self, mem: &mut M) -> Result<Vec<u8>, TargetError> {
        let d = self.descriptor(mem)?;
        self.buffer = d.buffer;
        self.size = d.size;
        if d.write == d.read {
            return Ok(Vec::new());
        }
        let base = u64::from(d.buffer);
        let mut out;
        if d.write > d.read {
            out = vec![0u8; (d.write - d.read) as usize];
            mem.read(base + u64::from(d.read), &mut out)?;
        } else {
            let tail = (d.size - d.read) as usize;
            out = vec![0u8; tail + d.write as usize];
            let (end, start) = out.split_at_mut(tail);
            mem.read(base + u64::from(d.read), end)?;
            if !start.is_empty() {
                mem.read(base, start)?;
            }
        }
        mem.write(self.desc_addr + RD_OFF, &d.write.to_le_bytes())?;
        Ok(out)
    }
}

/// A down (host to target) channel: hands bytes to the firmware, which
/// reads them at its own pace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DownChannel {
    index: u32,
    desc_addr: u64,
}

impl DownChannel {
    /// Reads and validates the channel's descriptor.
    pub fn descriptor<M: MemoryAccess + ?Sized>(
        &self,
        mem: &mut M,
    ) -> Result<Descriptor, TargetError> {
        descriptor_at(mem, self.desc_addr, &format!("down channel {}", self.index))
    }

    /// Writes as much of `data` as the ring has room for (one byte always
    /// stays free, as SEGGER's convention has it, so that full and empty
    /// differ) and stores the new `WrOff`; returns how many bytes went in,
    /// 0 when the firmware has not read enough yet.
    pub fn write<M: MemoryAccess + ?Sized>(
        &mut self,
        mem: &mut M,
        data: &[u8],
    ) -> Result<usize, TargetError> {
        let d = self.descriptor(mem)?;
        let free = if d.read > d.write {
            d.read - d.write - 1
        } else {
            d.size - d.write + d.read - 1
        } as usize;
        let n = data.len().min(free);
        if n == 0 {
            return Ok(0);
        }
        let base = u64::from(d.buffer);
        let first = n.min((d.size - d.write) as usize);
        mem.write(base + u64::from(d.write), &data[..first])?;
        if first < n {
            mem.write(base, &data[first..n])?;
        }
        let w = (d.write as usize + n) % d.size as usize;
        mem.write(self.desc_addr + WR_OFF, &(w as u32).to_le_bytes())?;
        Ok(n)
    }
}

/// Splits a byte stream into complete lines, keeping a partial last line
/// until its newline arrives.
///
/// Lines end at `\n`; a `\r` before it is dropped; bytes are decoded as
/// UTF-8 (lossily) only once the line is complete, so a character split
/// between two drains survives.
#[derive(Clone, Debug, Default)]
pub struct LineAssembler {
    partial: Vec<u8>,
}

impl LineAssembler {
    /// An assembler with nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `bytes` and returns the lines they complete, in order.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<String> {
        let mut lines = Vec::new();
        for &b in bytes {
            if b == b'\n' {
                if self.partial.last() == Some(&b'\r') {
                    self.partial.pop();
                }
                lines.push(String::from_utf8_lossy(&self.partial).into_owned());
                self.partial.clear();
            } else {
                self.partial.push(b);
            }
        }
        lines
    }

    /// The bytes of the unfinished line.
    pub fn partial(&self) -> &[u8] {
        &self.partial
    }

    /// Ends the stream: returns the unfinished line, if any, and clears it.
    pub fn finish(&mut self) -> Option<String> {
        if self.partial.is_empty() {
            return None;
        }
        let line = String::from_utf8_lossy(&self.partial).into_owned();
        self.partial.clear();
        Some(line)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Target memory as a flat byte array starting at `base`; accesses
    /// outside it fail like an unmapped read.
    pub(crate) struct FakeMemory {
        pub base: u64,
        pub bytes: Vec<u8>,
        pub writes: usize,
    }

    impl MemoryAccess for FakeMemory {
        fn read(&mut self, addr: u64, buf: &mut [u8]) -> Result<(), TargetError> {
            let r = self.range(addr, buf.len())?;
            buf.copy_from_slice(&self.bytes[r]);
            Ok(())
        }
        fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), TargetError> {
            let r = self.range(addr, data.len())?;
            self.bytes[r].copy_from_slice(data);
            self.writes += 1;
            Ok(())
        }
    }

    impl FakeMemory {
        fn range(&self, addr: u64, len: usize) -> Result<std::ops::Range<usize>, TargetError> {
            let start = addr.checked_sub(self.base).map(|s| s as usize);
            match start {
                Some(s) if s + len <= self.bytes.len() => Ok(s..s + len),
                _ => Err(TargetError::Refused {
                    request: format!("access {addr:#x}+{len}"),
                    reply: "E14".into(),
                }),
            }
        }
        fn put32(&mut self, addr: u64, v: u32) {
            let s = (addr - self.base) as usize;
            self.bytes[s..s + 4].copy_from_slice(&v.to_le_bytes());
        }
        fn get32(&self, addr: u64) -> u32 {
            let s = (addr - self.base) as usize;
            u32::from_le_bytes(self.bytes[s..s + 4].try_into().unwrap())
        }
    }

    const BASE: u64 = 0x2000_0000;
    const CB: u64 = BASE + 0x100;
    const BUF: u64 = BASE + 0x400;
    const NAME: u64 = BASE + 0x300;

    /// A control block with 2 up and 1 down channel; up 0 has a 16-byte
    /// buffer at BUF.
    fn target() -> FakeMemory {
        let mut m = FakeMemory {
            base: BASE,
            bytes: vec![0; 0x1000],
            writes: 0,
        };
        let cb = (CB - BASE) as usize;
        m.bytes[cb..cb + 10].copy_from_slice(ID);
        m.put32(CB + 16, 2);
        m.put32(CB + 20, 1);
        m.put32(CB + 24, NAME as u32);
        m.put32(CB + 28, BUF as u32);
        m.put32(CB + 32, 16);
        let n = (NAME - BASE) as usize;
        m.bytes[n..n + 9].copy_from_slice(b"Terminal\0");
        m
    }

    /// Writes `data` into the ring as the firmware would.
    fn produce(m: &mut FakeMemory, data: &[u8]) {
        let mut w = m.get32(CB + 24 + 12);
        for &b in data {
            let s = (BUF - BASE) as usize + w as usize;
            m.bytes[s] = b;
            w = (w + 1) % 16;
        }
        m.put32(CB + 24 + 12, w);
    }

    #[test]
    fn reads_the_control_block() {
        let mut m = target();
        let cb = ControlBlock::read(&mut m, CB).unwrap();
        assert_eq!((cb.max_up_buffers(), cb.max_down_buffers()), (2, 1));
        let ch = cb.up_channel(&mut m, 0).unwrap();
        assert_eq!((ch.buffer_address(), ch.size()), (BUF as u32, 16));
        assert_eq!(ch.name(&mut m).unwrap(), "Terminal");
    }

    #[test]
    fn drains_with_wrap_around() {
        let mut m = target();
        let mut ch = ControlBlock::read(&mut m, CB)
            .unwrap()
            .up_channel(&mut m, 0)
            .unwrap();
        assert_eq!(ch.drain(&mut m).unwrap(), b"");
        assert_eq!(m.writes, 0, "an empty drain writes nothing");
        produce(&mut m, b"hello, ");
        assert_eq!(ch.drain(&mut m).unwrap(), b"hello, ");
        assert_eq!(m.get32(CB + 24 + RD_OFF), 7);
        produce(&mut m, b"world!\nmore");
        assert_eq!(ch.drain(&mut m).unwrap(), b"world!\nmore");
        assert_eq!(m.get32(CB + 24 + RD_OFF), 2);
        // Wrap exactly at the end: WrOff = 0.
        produce(&mut m, b"0123456789abcd");
        assert_eq!(m.get32(CB + 24 + 12), 0);
        assert_eq!(ch.drain(&mut m).unwrap(), b"0123456789abcd");
        assert_eq!(ch.drain(&mut m).unwrap(), b"");
    }

    #[test]
    fn rejects_a_missing_or_corrupt_block() {
        let mut m = target();
        m.bytes[(CB - BASE) as usize] = b'X';
        let e = ControlBlock::read(&mut m, CB).unwrap_err();
        assert!(
            matches!(&e, TargetError::Protocol(s) if s.contains("not initialised")),
            "{e}"
        );

        let mut m = target();
        m.put32(CB + 16, u32::MAX); // -1 up buffers
        assert!(matches!(
            ControlBlock::read(&mut m, CB),
            Err(TargetError::Protocol(_))
        ));
        m.put32(CB + 16, 100_000);
        assert!(matches!(
            ControlBlock::read(&mut m, CB),
            Err(TargetError::Protocol(_))
        ));

        let mut m = target();
        let cb = ControlBlock::read(&mut m, CB).unwrap();
        assert!(matches!(
            cb.up_channel(&mut m, 2),
            Err(TargetError::Protocol(_))
        ));
        // Control block at the edge of memory: the read fails cleanly.
        assert!(matches!(
            ControlBlock::read(&mut m, BASE + 0xff8),
            Err(TargetError::Refused { .. })
        ));
    }

    #[test]
    fn rejects_corrupt_descriptors() {
        for (field, value) in [(8, 0), (12, 16), (16, 99), (4, 0), (4, 0xffff_fff8)] {
            let mut m = target();
            let cb = ControlBlock::read(&mut m, CB).unwrap();
            let mut ch = cb.up_channel(&mut m, 0).unwrap();
            m.put32(CB + 24 + field, value);
            let e = ch.drain(&mut m).unwrap_err();
            assert!(
                matches!(&e, TargetError::Protocol(s) if s.contains("up channel 0")),
                "field {field} = {value}: {e}"
            );
            assert_eq!(m.writes, 0);
        }
        // A buffer pointing outside memory: the read fails, RdOff untouched.
        let mut m = target();
        let mut ch = ControlBlock::read(&mut m, CB)
            .unwrap()
            .up_channel(&mut m, 0)
            .unwrap();
        m.put32(CB + 28, 0x1000);
        m.put32(CB + 24 + 12, 3);
        assert!(matches!(ch.drain(&mut m), Err(TargetError::Refused { .. })));
        assert_eq!(m.get32(CB + 24 + RD_OFF), 0);
    }

    /// Adds down channel 0 to [`target`]: an 8-byte buffer at `DOWN_BUF`.
    const DOWN_BUF: u64 = BASE + 0x500;
    const DOWN: u64 = CB + 24 + 2 * 24;
    fn device_target() -> FakeMemory {
        let mut m = target();
        m.put32(DOWN + 4, DOWN_BUF as u32);
        m.put32(DOWN + 8, 8);
        m
    }

    /// Reads the down ring as the firmware would.
    fn consume(m: &mut FakeMemory) -> Vec<u8> {
        let (mut r, w) = (m.get32(DOWN + RD_OFF), m.get32(DOWN + WR_OFF));
        let mut out = Vec::new();
        while r != w {
            out.push(m.bytes[(DOWN_BUF - BASE) as usize + r as usize]);
            r = (r + 1) % 8;
        }
        m.put32(DOWN + RD_OFF, r);
        out
    }

    #[test]
    fn writes_down_with_wrap_around_and_never_fills_the_ring() {
        let mut m = device_target();
        let cb = ControlBlock::read(&mut m, CB).unwrap();
        let mut down = cb.down_channel(&mut m, 0).unwrap();
        // 7 of 8 bytes: one stays free.
        assert_eq!(down.write(&mut m, b"0123456789").unwrap(), 7);
        assert_eq!(down.write(&mut m, b"789").unwrap(), 0);
        assert_eq!(consume(&mut m), b"0123456");
        // The next write wraps around the end of the ring.
        assert_eq!(down.write(&mut m, b"789abc").unwrap(), 6);
        assert_eq!(m.get32(DOWN + WR_OFF), 5);
        assert_eq!(consume(&mut m), b"789abc");
        assert_eq!(down.write(&mut m, b"").unwrap(), 0);
    }

    #[test]
    fn a_block_without_down_channels_says_so() {
        let mut m = target();
        m.put32(CB + 20, 0);
        let cb = ControlBlock::read(&mut m, CB).unwrap();
        let e = cb.down_channel(&mut m, 0).unwrap_err();
        assert!(
            matches!(&e, TargetError::Protocol(s) if s.contains("device firmware")),
            "{e}"
        );
        // A down descriptor without a buffer is corrupt.
        let mut m = target();
        let cb = ControlBlock::read(&mut m, CB).unwrap();
        let e = cb.down_channel(&mut m, 0).unwrap_err();
        assert!(
            matches!(&e, TargetError::Protocol(s) if s.contains("down channel 0")),
            "{e}"
        );
    }

    #[test]
    fn assembles_lines() {
        let mut a = LineAssembler::new();
        assert!(a.push(b"").is_empty());
        assert_eq!(a.push(b"one\r\ntw"), vec!["one"]);
        assert_eq!(a.partial(), b"tw");
        assert_eq!(a.push(b"o\n\nthr"), vec!["two", ""]);
        // A UTF-8 character split across pushes.
        assert_eq!(a.push(b"ee \xc3"), Vec::<String>::new());
        assert_eq!(a.push(b"\xa9\n"), vec!["three é"]);
        assert_eq!(a.finish(), None);
        a.push(b"tail");
        assert_eq!(a.finish().as_deref(), Some("tail"));
        assert_eq!(a.partial(), b"");
    }
}
