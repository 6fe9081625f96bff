//! `json`: parse and re-serialize sensor-reading documents with
//! `serde-json-core` and `serde` derive (no allocation: borrowed strings,
//! fixed buffers).
//!
//! Set-up generates 8 readings and formats each as a compact JSON document
//! with a small hand-written formatter (independent of the crate). The
//! measured region parses every document into a `Reading` and serializes it
//! back, `REPEAT` rounds. Verification: every parsed reading equals the
//! generated one, and every re-serialized document is byte-for-byte the
//! hand-formatted input.

use core::fmt::Write as _;
use core::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::common::{status, Fault, Scratch, XorShift32};
use crate::{Triggers, Workload};

/// The workload.
pub const WORKLOAD: Workload = Workload {
    name: "json",
    description: "serde-json-core: parse and re-serialize 8 sensor-reading JSON documents (x6)",
    run,
};

const DOCS: usize = 8;
/// Rounds of parse + serialize over all documents.
pub const REPEAT: usize = 6;
const SEED: u32 = 0x150A_7001;
/// Room for one document (the longest generated one is well below).
const DOC_CAP: usize = 320;

/// One sensor reading, in integer engineering units as an MCU would keep it.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
struct Reading<'a> {
    device: &'a str,
    seq: u32,
    timestamp_ms: u64,
    temperature_cdeg: i32,
    humidity_permille: u16,
    pressure_pa: u32,
    battery_mv: u16,
    ok: bool,
    samples: [i16; 8],
}

/// Device names (no characters that JSON would escape).
const DEVICES: [&str; 4] = ["node-01", "node-17", "greenhouse-west", "cold-store/3"];

fn generate(rng: &mut XorShift32) -> Reading<'static> {
    let mut samples = [0i16; 8];
    for s in &mut samples {
        *s = rng.next_u32() as i16;
    }
    Reading {
        device: DEVICES[rng.below(DEVICES.len() as u32) as usize],
        seq: rng.next_u32() >> rng.below(32),
        timestamp_ms: (u64::from(rng.next_u32()) << 9) | u64::from(rng.below(512)),
        temperature_cdeg: rng.below(12_000) as i32 - 4_000,
        humidity_permille: rng.below(1001) as u16,
        pressure_pa: 85_000 + rng.below(25_000),
        battery_mv: 2_400 + rng.below(1_800) as u16,
        ok: rng.next_u32() & 1 == 0,
        samples,
    }
}

/// `core::fmt::Write` into a byte slice.
struct SliceWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl core::fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(core::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Formats `r` as compact JSON by hand (fields in declaration order).
fn format_reading(r: &Reading<'_>, buf: &mut [u8]) -> Option<usize> {
    let mut w = SliceWriter { buf, len: 0 };
    write!(
        w,
        "{{\"device\":\"{}\",\"seq\":{},\"timestamp_ms\":{},\"temperature_cdeg\":{},\
         \"humidity_permille\":{},\"pressure_pa\":{},\"battery_mv\":{},\"ok\":{},\"samples\":[",
        r.device,
        r.seq,
        r.timestamp_ms,
        r.temperature_cdeg,
        r.humidity_permille,
        r.pressure_pa,
        r.battery_mv,
        r.ok
    )
    .ok()?;
    for (i, s) in r.samples.iter().enumerate() {
        write!(w, "{}{}", if i == 0 { "" } else { "," }, s).ok()?;
    }
    w.write_str("]}").ok()?;
    Some(w.len)
}

struct Buffers {
    input: [[u8; DOC_CAP]; DOCS],
    input_len: [usize; DOCS],
    output: [[u8; DOC_CAP]; DOCS],
    output_len: [usize; DOCS],
}

static BUFS: Scratch<Buffers> = Scratch::new(Buffers {
    input: [[0; DOC_CAP]; DOCS],
    input_len: [0; DOCS],
    output: [[0; DOC_CAP]; DOCS],
    output_len: [0; DOCS],
});

fn run(t: &mut dyn Triggers) -> i32 {
    run_with(t, Fault::None)
}

pub(crate) fn run_with(t: &mut dyn Triggers, fault: Fault) -> i32 {
    t.initialise_board();
    BUFS.with(|b| {
        let mut setup_ok = true;
        let mut rng = XorShift32::new(SEED);
        for d in 0..DOCS {
            let r = generate(&mut rng);
            match format_reading(&r, &mut b.input[d]) {
                Some(n) => b.input_len[d] = n,
                None => setup_ok = false,
            }
        }
        if fault == Fault::Input {
            // The first digit of document 3's "seq" value.
            let pos = b.input[3].iter().position(|&c| c == b':').unwrap_or(0);
            let pos = pos
                + 1
                + b.input[3][pos + 1..]
                    .iter()
                    .position(|&c| c == b':')
                    .unwrap_or(0)
                + 1;
            b.input[3][pos] ^= 0x01;
        }

        t.start_trigger();
        let mut errors = 0u32;
        for _ in 0..REPEAT {
            for d in 0..DOCS {
                let doc = black_box(&b.input[d][..b.input_len[d]]);
                match serde_json_core::from_slice::<Reading<'_>>(doc) {
                    Ok((reading, _)) => {
                        match serde_json_core::to_slice(black_box(&reading), &mut b.output[d]) {
                            Ok(n) => b.output_len[d] = n,
                            Err(_) => errors += 1,
                        }
                    }
                    Err(_) => errors += 1,
                }
            }
        }
        let errors = black_box(errors);
        t.stop_trigger();

        if fault == Fault::Output {
            b.output[5][10] ^= 0x02;
        }
        let mut ok = setup_ok && errors == 0;
        let mut rng = XorShift32::new(SEED);
        for d in 0..DOCS {
            let want = generate(&mut rng);
            let out = &b.output[d][..b.output_len[d]];
            ok &= out == &b.input[d][..b.input_len[d]];
            ok &= serde_json_core::from_slice::<Reading<'_>>(out).map(|(r, _)| r) == Ok(want);
        }
        status(ok)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_formatter_writes_expected_text() {
        let r = Reading {
            device: "node-01",
            seq: 7,
            timestamp_ms: 1_700_000_000_123,
            temperature_cdeg: -1234,
            humidity_permille: 455,
            pressure_pa: 101_325,
            battery_mv: 3300,
            ok: true,
            samples: [0, -1, 2, -32768, 32767, 5, 6, 7],
        };
        let mut buf = [0u8; DOC_CAP];
        let n = format_reading(&r, &mut buf).unwrap();
        assert_eq!(
            core::str::from_utf8(&buf[..n]).unwrap(),
            r#"{"device":"node-01","seq":7,"timestamp_ms":1700000000123,"temperature_cdeg":-1234,"humidity_permille":455,"pressure_pa":101325,"battery_mv":3300,"ok":true,"samples":[0,-1,2,-32768,32767,5,6,7]}"#
        );
        // The crate parses documents with whitespace too.
        let spaced = r#" { "device" : "node-01", "seq":7, "timestamp_ms" : 1700000000123,
            "temperature_cdeg":-1234, "humidity_permille":455, "pressure_pa":101325,
            "battery_mv":3300, "ok":true, "samples":[0,-1,2,-32768,32767,5,6,7] } "#;
        assert_eq!(
            serde_json_core::from_str::<Reading<'_>>(spaced).unwrap().0,
            r
        );
    }

    #[test]
    fn generated_documents_fit() {
        let mut rng = XorShift32::new(SEED);
        let mut buf = [0u8; DOC_CAP];
        for _ in 0..DOCS {
            let n = format_reading(&generate(&mut rng), &mut buf).unwrap();
            assert!(n < DOC_CAP - 16);
        }
    }
}
