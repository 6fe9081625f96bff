//! `postcard`: serialize and deserialize radio frames with `postcard` and
//! `serde` derive (varint wire format, no allocation).
//!
//! The measured region serializes 16 generated frames back to back into one
//! buffer and deserializes them again, `REPEAT` rounds. Verification: the
//! frames come back equal to a fresh regeneration, the stream is consumed
//! exactly, and one fixed frame serializes to bytes worked out by hand from
//! the postcard wire-format specification (LEB128 varints, zig-zag signed
//! integers, variant indices, length-prefixed strings).

use core::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::common::{status, Fault, Scratch, XorShift32};
use crate::{Triggers, Workload};

/// The workload.
pub const WORKLOAD: Workload = Workload {
    name: "postcard",
    description:
        "postcard (serde): serialize and deserialize 16 radio frames in a fixed buffer (x40)",
    run,
};

const FRAMES: usize = 16;
/// Rounds of serialize-all + deserialize-all.
pub const REPEAT: usize = 40;
const SEED: u32 = 0x0905_7CA2;
const BUF_LEN: usize = 1024;

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
enum Command<'a> {
    Ping,
    SetLevel(u8),
    Report { channel: u8, value: i32 },
    Blob(&'a [u8]),
}

#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
struct Frame<'a> {
    seq: u16,
    node: u8,
    #[serde(borrow)]
    cmd: Command<'a>,
    readings: [i32; 4],
    note: Option<&'a str>,
    crc_ok: bool,
}

const EMPTY: Frame<'static> = Frame {
    seq: 0,
    node: 0,
    cmd: Command::Ping,
    readings: [0; 4],
    note: None,
    crc_ok: false,
};
const NOTES: [&str; 3] = ["low battery", "rssi -97 dBm", "rejoined"];
const BLOB: [u8; 19] = *b"\x00\x01\x02firmware-chunk\xfe\xff";

fn generate(rng: &mut XorShift32) -> Frame<'static> {
    let cmd = match rng.below(4) {
        0 => Command::Ping,
        1 => Command::SetLevel(rng.next_u32() as u8),
        2 => Command::Report {
            channel: rng.below(16) as u8,
            value: (rng.next_u32() as i32) >> rng.below(31),
        },
        _ => Command::Blob(&BLOB[..rng.below(BLOB.len() as u32 + 1) as usize]),
    };
    let mut readings = [0i32; 4];
    for r in &mut readings {
        *r = (rng.next_u32() as i32) >> rng.below(32);
    }
    let note = match rng.below(4) {
        3 => None,
        i => Some(NOTES[i as usize]),
    };
    Frame {
        seq: rng.next_u32() as u16,
        node: rng.below(64) as u8,
        cmd,
        readings,
        note,
        crc_ok: rng.next_u32() & 1 == 1,
    }
}

/// Serializes all frames back to back; the number of bytes written.
fn serialize_all(frames: &[Frame<'_>], buf: &mut [u8]) -> Option<usize> {
    let mut pos = 0;
    for f in frames {
        pos += ::postcard::to_slice(f, &mut buf[pos..]).ok()?.len();
    }
    Some(pos)
}

/// Deserializes `out.len()` frames; whether all decoded and the input was
/// consumed exactly.
fn deserialize_all<'b>(mut bytes: &'b [u8], out: &mut [Frame<'b>]) -> bool {
    for slot in out.iter_mut() {
        match ::postcard::take_from_bytes::<Frame<'b>>(bytes) {
            Ok((f, rest)) => {
                *slot = f;
                bytes = rest;
            }
            Err(_) => return false,
        }
    }
    bytes.is_empty()
}

/// One measured round: serialize all frames into `buf`, deserialize them
/// into `out`. Whether everything succeeded.
fn round_trip<'b>(frames: &[Frame<'_>], buf: &'b mut [u8], out: &mut [Frame<'b>]) -> bool {
    let Some(len) = serialize_all(frames, buf) else {
        return false;
    };
    let bytes: &'b [u8] = buf;
    deserialize_all(&bytes[..len], out)
}

const FIXED: Frame<'static> = Frame {
    seq: 300,
    node: 7,
    cmd: Command::Report {
        channel: 2,
        value: -65,
    },
    readings: [0, -1, 1, 64],
    note: Some("hi"),
    crc_ok: true,
};
/// `FIXED` on the wire, by hand.
const FIXED_BYTES: [u8; 17] = [
    0xAC, 0x02, // seq 300 as varint: 0b10_0101100
    0x07, // node (u8 is a raw byte)
    0x02, // variant index 2 (Report)
    0x02, // channel
    0x81, 0x01, // value -65: zig-zag 129, varint
    0x00, 0x01, 0x02, 0x80, 0x01, // readings 0, -1, 1, 64 zig-zag: 0, 1, 2, 128
    0x01, 0x02, b'h', b'i', // Some, length 2, "hi"
    0x01, // true
];

fn fixed_frame_matches_spec() -> bool {
    let mut buf = [0u8; 32];
    match ::postcard::to_slice(&black_box(FIXED), &mut buf) {
        Ok(out) => *out == FIXED_BYTES,
        Err(_) => false,
    }
}

struct Buffers {
    frames: [Frame<'static>; FRAMES],
    wire: [u8; BUF_LEN],
}

static BUFS: Scratch<Buffers> = Scratch::new(Buffers {
    frames: [EMPTY; FRAMES],
    wire: [0; BUF_LEN],
});

fn run(t: &mut dyn Triggers) -> i32 {
    run_with(t, Fault::None)
}

pub(crate) fn run_with(t: &mut dyn Triggers, fault: Fault) -> i32 {
    t.initialise_board();
    BUFS.with(|b| {
        let mut rng = XorShift32::new(SEED);
        for f in b.frames.iter_mut() {
            *f = generate(&mut rng);
        }
        if fault == Fault::Input {
            b.frames[4].readings[1] ^= 1 << 20;
        }

        t.start_trigger();
        let mut ok = true;
        for _ in 1..REPEAT {
            let mut scratch = [EMPTY; FRAMES];
            ok &= round_trip(black_box(&b.frames), &mut b.wire, &mut scratch);
            black_box(&scratch);
        }
        let mut decoded = [EMPTY; FRAMES];
        ok &= round_trip(black_box(&b.frames), &mut b.wire, &mut decoded);
        let ok = black_box(ok);
        t.stop_trigger();

        if fault == Fault::Output {
            decoded[0].crc_ok = !decoded[0].crc_ok;
        }
        let mut verified = ok;
        let mut rng = XorShift32::new(SEED);
        for d in &decoded {
            verified &= *d == generate(&mut rng);
        }
        status(verified && fixed_frame_matches_spec())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_frame_round_trips_by_hand_bytes() {
        assert!(fixed_frame_matches_spec());
        let mut out = [EMPTY];
        assert!(deserialize_all(&FIXED_BYTES, &mut out));
        assert_eq!(out[0], FIXED);
    }

    #[test]
    fn generated_frames_fit_and_cover_variants() {
        let mut rng = XorShift32::new(SEED);
        let frames: std::vec::Vec<_> = (0..FRAMES).map(|_| generate(&mut rng)).collect();
        let mut buf = [0u8; BUF_LEN];
        let n = serialize_all(&frames, &mut buf).unwrap();
        assert!(n < BUF_LEN / 2, "{n}");
        for v in 0..4 {
            assert!(
                frames.iter().any(|f| matches!(
                    (v, f.cmd),
                    (0, Command::Ping)
                        | (1, Command::SetLevel(_))
                        | (2, Command::Report { .. })
                        | (3, Command::Blob(_))
                )),
                "variant {v} missing"
            );
        }
        assert!(frames.iter().any(|f| f.note.is_none()) && frames.iter().any(|f| f.note.is_some()));
    }
}
