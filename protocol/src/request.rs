//! Requests from the host to a device over a byte stream that has no
//! framing of its own (the RTT down channel of a board without a network;
//! the answer comes back as a [`crate::Message::Reply`] line). One frame
//! per request, all numbers little-endian:
//!
//! ```text
//! "@R1"  method u8  path-length u8  path  payload-length u32  payload  crc u16
//! ```
//!
//! - `method` is the CoAP method code (1 GET, 2 POST, 3 PUT, 4 DELETE), as
//!   the device's requests over CoAP carry it;
//! - `path` is UTF-8 without the leading slash (`vm1/count`);
//! - `crc` is the CRC-16/CCITT-FALSE ([`crate::crc16`]) of every byte
//!   before it, so a frame damaged on the way is refused, never misread.
//!
//! [`Reader`] reassembles frames from whatever pieces the stream delivers.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::{crc16, CRC_INIT};

/// The first bytes of every frame: frame format and version.
pub const MAGIC: &[u8; 3] = b"@R1";
/// Bytes before the path: magic, method, path length.
const HEAD: usize = 5;

/// One request, as the device receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// CoAP method code.
    pub method: u8,
    /// Path without the leading slash.
    pub path: String,
    /// The body.
    pub payload: Vec<u8>,
}

/// Why a frame was refused. After one, the reader starts afresh with the
/// next byte the stream delivers (the sender's next frame).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The stream did not start with [`MAGIC`]; everything buffered was
    /// dropped.
    BadMagic,
    /// The payload is larger than the reader accepts; its bytes are
    /// skipped as they arrive.
    TooLarge {
        /// The frame's payload length.
        len: usize,
        /// What the reader accepts.
        max: usize,
    },
    /// There is no memory for the payload (the allocator refused); its
    /// bytes are skipped as they arrive.
    NoRoom {
        /// The frame's payload length.
        len: usize,
    },
    /// The checksum does not match: the frame was damaged.
    BadChecksum,
    /// The path is not UTF-8.
    BadPath,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::BadMagic => write!(f, "not a request frame (no `@R1`)"),
            FrameError::TooLarge { len, max } => {
                write!(f, "a {len} B payload, more than the {max} B accepted")
            }
            FrameError::NoRoom { len } => write!(f, "no memory for a {len} B payload"),
            FrameError::BadChecksum => write!(f, "request frame damaged (checksum mismatch)"),
            FrameError::BadPath => write!(f, "a path that is not UTF-8"),
        }
    }
}

/// The frame of one request. `None` when the path is longer than 255
/// bytes or the payload than 4 GiB.
pub fn encode(method: u8, path: &str, payload: &[u8]) -> Option<Vec<u8>> {
    let path_len = u8::try_from(path.len()).ok()?;
    let payload_len = u32::try_from(payload.len()).ok()?;
    let mut f = Vec::with_capacity(HEAD + path.len() + 4 + payload.len() + 2);
    f.extend_from_slice(MAGIC);
    f.push(method);
    f.push(path_len);
    f.extend_from_slice(path.as_bytes());
    f.extend_from_slice(&payload_len.to_le_bytes());
    f.extend_from_slice(payload);
    let crc = crc16(&f, CRC_INIT);
    f.extend_from_slice(&crc.to_le_bytes());
    Some(f)
}

/// `bytes` as lowercase hex: how a [`crate::Message::Reply`] carries its
/// payload.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// The bytes of [`hex`] text; `None` when it is not an even number of hex
/// digits.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

/// Reassembles frames from a byte stream (see the module's documentation).
#[derive(Debug)]
pub struct Reader {
    buf: Vec<u8>,
    /// Bytes still to drop of a frame refused as too large.
    skip: usize,
    max: usize,
}

impl Reader {
    /// A reader that accepts payloads up to `max_payload` bytes.
    pub fn new(max_payload: usize) -> Self {
        Reader {
            buf: Vec::new(),
            skip: 0,
            max: max_payload,
        }
    }

    /// Bytes buffered of an unfinished frame.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// Adds `bytes` from the stream and returns the frames they complete
    /// (or refuse), in order.
    pub fn push(&mut self, mut bytes: &[u8]) -> Vec<Result<Request, FrameError>> {
        let dropped = self.skip.min(bytes.len());
        self.skip -= dropped;
        bytes = &bytes[dropped..];
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(r) = self.next_frame() {
            out.push(r);
        }
        out
    }

    /// Drops the frame whose payload of `len` bytes starts at
    /// `payload_start`: what is buffered now, and the rest as it arrives.
    fn refuse(&mut self, payload_start: usize, len: usize, e: FrameError) -> FrameError {
        let frame_rest = len + 2;
        let here = self.buf.len() - payload_start;
        self.skip = frame_rest.saturating_sub(here);
        let after = (payload_start + frame_rest).min(self.buf.len());
        self.buf.drain(..after);
        e
    }

    /// Takes one complete frame off the front of the buffer, if there is
    /// one (or the error that ends it).
    fn next_frame(&mut self) -> Option<Result<Request, FrameError>> {
        let b = &self.buf;
        let have = b.len().min(MAGIC.len());
        if b[..have] != MAGIC[..have] {
            self.buf.clear();
            return Some(Err(FrameError::BadMagic));
        }
        if b.len() < HEAD {
            return None;
        }
        let path_end = HEAD + usize::from(b[4]);
        let payload_start = path_end + 4;
        if b.len() < payload_start {
            return None;
        }
        let len = u32::from_le_bytes([
            b[path_end],
            b[path_end + 1],
            b[path_end + 2],
            b[path_end + 3],
        ]) as usize;
        if len > self.max {
            return Some(Err(self.refuse(
                payload_start,
                len,
                FrameError::TooLarge { len, max: self.max },
            )));
        }
        let payload_end = payload_start + len;
        let frame_end = payload_end + 2;
        // The whole frame at once, not by doubling: a large payload (an
        // update) then needs its own size, not twice it.
        let more = frame_end.saturating_sub(self.buf.len());
        if self.buf.capacity() < frame_end && self.buf.try_reserve_exact(more).is_err() {
            return Some(Err(self.refuse(
                payload_start,
                len,
                FrameError::NoRoom { len },
            )));
        }
        let b = &self.buf;
        if b.len() < frame_end {
            return None;
        }
        let want = u16::from_le_bytes([b[payload_end], b[payload_end + 1]]);
        let ok = crc16(&b[..payload_end], CRC_INIT) == want;
        // The frame leaves the buffer; its payload is moved, not copied.
        let rest = self.buf.split_off(frame_end);
        let mut frame = core::mem::replace(&mut self.buf, rest);
        if !ok {
            return Some(Err(FrameError::BadChecksum));
        }
        let method = frame[3];
        let Ok(path) = core::str::from_utf8(&frame[HEAD..path_end]).map(String::from) else {
            return Some(Err(FrameError::BadPath));
        };
        frame.truncate(payload_end);
        frame.drain(..payload_start);
        Some(Ok(Request {
            method,
            path,
            payload: frame,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(method: u8, path: &str, payload: &[u8]) -> Request {
        Request {
            method,
            path: path.into(),
            payload: payload.to_vec(),
        }
    }

    #[test]
    fn frames_survive_any_split_and_come_back_in_order() {
        let big: Vec<u8> = (0..5000u32).map(|i| (i * 7) as u8).collect();
        let mut stream = encode(3, "vm1", &big).unwrap();
        stream.extend(encode(2, "vm1/add", b"10").unwrap());
        stream.extend(encode(1, "vm1", b"").unwrap());
        for piece in [1, 2, 3, 7, 1000, stream.len()] {
            let mut r = Reader::new(8192);
            let mut got = Vec::new();
            for chunk in stream.chunks(piece) {
                got.extend(r.push(chunk));
            }
            assert_eq!(
                got,
                [
                    Ok(req(3, "vm1", &big)),
                    Ok(req(2, "vm1/add", b"10")),
                    Ok(req(1, "vm1", b""))
                ],
                "pieces of {piece}"
            );
            assert_eq!(r.pending(), 0);
        }
    }

    #[test]
    fn a_damaged_frame_is_refused_and_the_next_one_read() {
        let mut f = encode(3, "vm1", b"envelope").unwrap();
        let n = f.len();
        f[n - 4] ^= 0x40; // a payload byte
        let mut r = Reader::new(64);
        assert_eq!(r.push(&f), [Err(FrameError::BadChecksum)]);
        assert_eq!(
            r.push(&encode(1, "vm1", b"").unwrap()),
            [Ok(req(1, "vm1", b""))]
        );
    }

    #[test]
    fn a_payload_past_the_limit_is_skipped_as_it_arrives() {
        let f = encode(3, "vm1", &[0xAA; 100]).unwrap();
        let mut r = Reader::new(64);
        let mut got = Vec::new();
        for chunk in f.chunks(30) {
            got.extend(r.push(chunk));
        }
        assert_eq!(got, [Err(FrameError::TooLarge { len: 100, max: 64 })]);
        assert_eq!(
            r.push(&encode(1, "vm1", b"").unwrap()),
            [Ok(req(1, "vm1", b""))]
        );
    }

    #[test]
    fn bytes_that_are_no_frame_are_dropped() {
        let mut r = Reader::new(64);
        assert_eq!(r.push(b"hello"), [Err(FrameError::BadMagic)]);
        assert_eq!(r.pending(), 0);
        assert_eq!(r.push(b"@R"), []);
        assert_eq!(r.pending(), 2);
    }

    #[test]
    fn hex_round_trips_and_refuses_what_is_not_hex() {
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(unhex(&hex(&all)).unwrap(), all);
        assert_eq!(hex(&[0x37, 0, 0xff]), "3700ff");
        assert_eq!(unhex("3700FF").unwrap(), [0x37, 0, 0xff]);
        assert_eq!(unhex(""), Some(Vec::new()));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn a_path_too_long_for_a_frame_is_not_encoded() {
        assert!(encode(1, &"a".repeat(256), b"").is_none());
        assert!(encode(1, &"a".repeat(255), b"").is_some());
    }
}
