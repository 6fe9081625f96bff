//! `cbor`: encode and decode telemetry records as CBOR with `minicbor` and
//! its derive macros (no allocation: a fixed buffer, borrowed strings).
//!
//! The measured region encodes 16 generated records into one buffer and
//! decodes them back, `REPEAT` rounds. Verification: the decoded records
//! equal a fresh regeneration, the encoded stream has the length that
//! `minicbor::len` predicts, and one fixed record encodes to the bytes worked
//! out by hand from RFC 8949.

use core::hint::black_box;

use minicbor::encode::write::Cursor;
use minicbor::{CborLen, Decode, Decoder, Encode, Encoder};

use crate::common::{status, Fault, Scratch, XorShift32};
use crate::{Triggers, Workload};

/// The workload.
pub const WORKLOAD: Workload = Workload {
    name: "cbor",
    description:
        "minicbor (derive): encode and decode 16 telemetry records in a fixed buffer (x24)",
    run,
};

const RECORDS: usize = 16;
/// Rounds of encode-all + decode-all.
pub const REPEAT: usize = 24;
const SEED: u32 = 0xCB0_2001;
const BUF_LEN: usize = 1024;

#[derive(Encode, Decode, CborLen, Debug, Clone, Copy, PartialEq, Eq)]
#[cbor(index_only)]
enum Kind {
    #[n(0)]
    Temperature,
    #[n(1)]
    Humidity,
    #[n(2)]
    Pressure,
    #[n(3)]
    Vibration,
}

/// One telemetry record (encoded as a CBOR array, the derive default).
#[derive(Encode, Decode, CborLen, Debug, Clone, Copy, PartialEq, Eq)]
struct Record<'a> {
    #[n(0)]
    id: u32,
    #[n(1)]
    kind: Kind,
    #[n(2)]
    value: i64,
    #[n(3)]
    flags: u8,
    #[b(4)]
    tag: &'a str,
    #[n(5)]
    samples: [u16; 6],
    #[cbor(n(6), with = "minicbor::bytes")]
    mac: [u8; 6],
}

const TAGS: [&str; 4] = ["", "ok", "calibrating", "sensor fault: over-range"];
const KINDS: [Kind; 4] = [
    Kind::Temperature,
    Kind::Humidity,
    Kind::Pressure,
    Kind::Vibration,
];
const EMPTY: Record<'static> = Record {
    id: 0,
    kind: Kind::Temperature,
    value: 0,
    flags: 0,
    tag: "",
    samples: [0; 6],
    mac: [0; 6],
};

fn generate(rng: &mut XorShift32) -> Record<'static> {
    // Values of every CBOR integer width, both signs.
    let width = rng.below(5);
    let magnitude = match width {
        0 => u64::from(rng.below(24)),
        1 => u64::from(rng.below(256)),
        2 => u64::from(rng.below(65_536)),
        3 => u64::from(rng.next_u32()),
        _ => (u64::from(rng.next_u32()) << 31) | u64::from(rng.next_u32()),
    };
    let value = if rng.next_u32() & 1 == 0 {
        magnitude as i64
    } else {
        -1 - magnitude as i64
    };
    let mut samples = [0u16; 6];
    for s in &mut samples {
        *s = (rng.next_u32() >> rng.below(17)) as u16;
    }
    let mut mac = [0u8; 6];
    rng.fill(&mut mac);
    Record {
        id: rng.next_u32() >> rng.below(32),
        kind: KINDS[rng.below(4) as usize],
        value,
        flags: rng.next_u32() as u8,
        tag: TAGS[rng.below(4) as usize],
        samples,
        mac,
    }
}

struct Buffers {
    records: [Record<'static>; RECORDS],
    encoded: [u8; BUF_LEN],
}

static BUFS: Scratch<Buffers> = Scratch::new(Buffers {
    records: [EMPTY; RECORDS],
    encoded: [0; BUF_LEN],
});

/// Encodes all records into `buf`; the number of bytes written.
fn encode_all(records: &[Record<'_>], buf: &mut [u8]) -> Option<usize> {
    let mut enc = Encoder::new(Cursor::new(buf));
    for r in records {
        enc.encode(r).ok()?;
    }
    Some(enc.writer().position())
}

/// Decodes `out.len()` records from `bytes`; whether all decoded and the
/// input was consumed exactly.
fn decode_all<'b>(bytes: &'b [u8], out: &mut [Record<'b>]) -> bool {
    let mut dec = Decoder::new(bytes);
    for slot in out.iter_mut() {
        match dec.decode::<Record<'b>>() {
            Ok(r) => *slot = r,
            Err(_) => return false,
        }
    }
    dec.position() == bytes.len()
}

/// `[500, 1, -1000, 129, "ab", [0, 23, 24, 255, 256, 65535], h'010203040506']`
/// worked out by hand from RFC 8949 §3 (major types and argument sizes).
const FIXED: Record<'static> = Record {
    id: 500,
    kind: Kind::Humidity,
    value: -1000,
    flags: 0x81,
    tag: "ab",
    samples: [0, 23, 24, 255, 256, 65535],
    mac: [1, 2, 3, 4, 5, 6],
};
const FIXED_CBOR: [u8; 33] = [
    0x87, // array(7)
    0x19, 0x01, 0xF4, // unsigned(500), 2-byte argument
    0x01, // unsigned(1): Kind::Humidity, index only
    0x39, 0x03, 0xE7, // negative(999) = -1000
    0x18, 0x81, // unsigned(129), 1-byte argument
    0x62, b'a', b'b', // text(2) "ab"
    0x86, 0x00, 0x17, 0x18, 0x18, 0x18, 0xFF, 0x19, 0x01, 0x00, 0x19, 0xFF,
    0xFF, // array(6) of samples
    0x46, 1, 2, 3, 4, 5, 6, // bytes(6)
];

/// One measured round: encode all records into `buf`, decode them into
/// `out`. The encoded length if everything succeeded.
fn round_trip<'b>(
    records: &[Record<'_>],
    buf: &'b mut [u8],
    out: &mut [Record<'b>],
) -> Option<usize> {
    let len = encode_all(records, buf)?;
    let bytes: &'b [u8] = buf;
    decode_all(&bytes[..len], out).then_some(len)
}

fn fixed_record_encodes_as_rfc8949() -> bool {
    let mut buf = [0u8; 64];
    let Some(n) = encode_all(&[black_box(FIXED)], &mut buf) else {
        return false;
    };
    buf[..n] == FIXED_CBOR
}

fn run(t: &mut dyn Triggers) -> i32 {
    run_with(t, Fault::None)
}

pub(crate) fn run_with(t: &mut dyn Triggers, fault: Fault) -> i32 {
    t.initialise_board();
    BUFS.with(|b| {
        let mut rng = XorShift32::new(SEED);
        for r in b.records.iter_mut() {
            *r = generate(&mut rng);
        }
        if fault == Fault::Input {
            b.records[9].samples[2] ^= 0x0100;
        }

        t.start_trigger();
        let mut ok = true;
        for _ in 1..REPEAT {
            let mut scratch = [EMPTY; RECORDS];
            ok &= round_trip(black_box(&b.records), &mut b.encoded, &mut scratch).is_some();
            black_box(&scratch);
        }
        let mut decoded = [EMPTY; RECORDS];
        let len = round_trip(black_box(&b.records), &mut b.encoded, &mut decoded);
        ok &= len.is_some();
        let ok = black_box(ok);
        t.stop_trigger();

        if fault == Fault::Output {
            decoded[RECORDS - 1].value ^= 1 << 40;
        }
        let mut verified = ok;
        let mut rng = XorShift32::new(SEED);
        let mut predicted_len = 0;
        for d in &decoded {
            let want = generate(&mut rng);
            predicted_len += minicbor::len(want);
            verified &= *d == want;
        }
        verified &= Some(predicted_len) == len;
        status(verified && fixed_record_encodes_as_rfc8949())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_record_matches_hand_encoding() {
        assert!(fixed_record_encodes_as_rfc8949());
        let mut out = [EMPTY];
        assert!(decode_all(&FIXED_CBOR, &mut out));
        assert_eq!(out[0], FIXED);
    }

    #[test]
    fn generated_records_fit_and_cover_all_widths() {
        let mut rng = XorShift32::new(SEED);
        let recs: std::vec::Vec<_> = (0..RECORDS).map(|_| generate(&mut rng)).collect();
        let total: usize = recs.iter().map(minicbor::len).sum();
        assert!(total < BUF_LEN, "{total}");
        assert!(
            recs.iter().any(|r| r.value < -(1 << 32)) || recs.iter().any(|r| r.value > 1 << 32)
        );
        assert!(recs.iter().any(|r| (-24..24).contains(&r.value)));
    }

    #[test]
    fn truncated_stream_is_rejected() {
        let mut buf = [0u8; 64];
        let n = encode_all(&[FIXED], &mut buf).unwrap();
        let mut out = [EMPTY];
        assert!(!decode_all(&buf[..n - 1], &mut out));
    }
}
