//! `filter`: hand-written fixed-point sensor filter chain: a 31-tap Q15 FIR
//! low-pass (circular delay line) followed by a Q14 biquad (direct form I),
//! both saturating to 16 bits, over a generated noisy signal.
//!
//! The measured region filters 1024 samples `REPEAT` times (state reset each
//! pass). Verification: every 8th FIR output is recomputed by direct
//! convolution from the input, and a checksum of the final output is compared
//! with `EXPECTED`, which a unit test recomputes with an independent
//! whole-signal implementation in 64-bit arithmetic.

use core::hint::black_box;

use crate::common::{status, Fault, Fnv1a, Scratch, XorShift32};
use crate::{Triggers, Workload};

/// The workload.
pub const WORKLOAD: Workload = Workload {
    name: "filter",
    description: "hand-written Q15 31-tap FIR + Q14 biquad over 1024 generated samples (x2)",
    run,
};

const LEN: usize = 1024;
const TAPS: usize = 31;
/// Passes of the filter chain over the signal.
pub const REPEAT: usize = 2;
const SEED: u32 = 0xF117_E401;
/// FNV-1a of the biquad output (little-endian `i16`s).
const EXPECTED: u32 = 0x24BE_6963;

/// Q15 low-pass taps: a triangular-squared window `(k+1)(TAPS-k)`,
/// normalised to a DC gain of (about) 1.
const FIR: [i16; TAPS] = fir_taps();

const fn fir_taps() -> [i16; TAPS] {
    let mut sum = 0u32;
    let mut k = 0;
    while k < TAPS {
        sum += ((k + 1) * (TAPS - k)) as u32;
        k += 1;
    }
    let mut taps = [0i16; TAPS];
    let mut k = 0;
    while k < TAPS {
        let w = ((k + 1) * (TAPS - k)) as u32;
        taps[k] = ((w * 32768 + sum / 2) / sum) as i16;
        k += 1;
    }
    taps
}

/// Q14 biquad (Butterworth low-pass near 0.1 fs): b0, b1, b2, a1, a2.
const BIQUAD: [i32; 5] = [1106, 2212, 1106, -18727, 6763];

fn sat16(v: i32) -> i16 {
    v.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
}

fn generate(x: &mut [i16; LEN]) {
    let mut rng = XorShift32::new(SEED);
    for (n, s) in x.iter_mut().enumerate() {
        // A slow triangle, a fast square wave and uniform noise.
        let phase = (n % 64) as i32;
        let triangle = if phase < 32 {
            phase * 500 - 8000
        } else {
            (63 - phase) * 500 - 8000
        };
        let square = if (n / 3) % 2 == 0 { 3000 } else { -3000 };
        let noise = rng.below(2049) as i32 - 1024;
        *s = sat16(triangle + square + noise);
    }
}

struct Buffers {
    x: [i16; LEN],
    fir: [i16; LEN],
    out: [i16; LEN],
}

static BUFS: Scratch<Buffers> = Scratch::new(Buffers {
    x: [0; LEN],
    fir: [0; LEN],
    out: [0; LEN],
});

/// One pass: FIR with a circular delay line, then the biquad.
fn filter_pass(x: &[i16; LEN], fir_out: &mut [i16; LEN], out: &mut [i16; LEN]) {
    let mut delay = [0i16; TAPS];
    let mut head = 0usize;
    for (xn, yn) in x.iter().zip(fir_out.iter_mut()) {
        delay[head] = *xn;
        // taps[0] meets the newest sample, walking backwards through the ring.
        let mut acc: i32 = 0;
        let mut idx = head;
        for &h in FIR.iter() {
            acc += i32::from(h) * i32::from(delay[idx]);
            idx = if idx == 0 { TAPS - 1 } else { idx - 1 };
        }
        *yn = sat16((acc + (1 << 14)) >> 15);
        head = if head == TAPS - 1 { 0 } else { head + 1 };
    }

    let [b0, b1, b2, a1, a2] = BIQUAD;
    let (mut x1, mut x2, mut y1, mut y2) = (0i32, 0i32, 0i32, 0i32);
    for (xn, yn) in fir_out.iter().zip(out.iter_mut()) {
        let x0 = i32::from(*xn);
        let acc = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        let y0 = i32::from(sat16((acc + (1 << 13)) >> 14));
        *yn = y0 as i16;
        x2 = x1;
        x1 = x0;
        y2 = y1;
        y1 = y0;
    }
}

/// FIR output `n` by direct convolution from the input.
fn fir_direct(x: &[i16; LEN], n: usize) -> i16 {
    let mut acc = 0i64;
    for (k, &h) in FIR.iter().enumerate().take(n + 1) {
        acc += i64::from(h) * i64::from(x[n - k]);
    }
    ((acc + (1 << 14)) >> 15).clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16
}

fn checksum(out: &[i16; LEN]) -> u32 {
    let mut h = Fnv1a::new();
    for v in out {
        h.bytes(&v.to_le_bytes());
    }
    h.finish()
}

fn run(t: &mut dyn Triggers) -> i32 {
    run_with(t, Fault::None)
}

pub(crate) fn run_with(t: &mut dyn Triggers, fault: Fault) -> i32 {
    t.initialise_board();
    BUFS.with(|b| {
        generate(&mut b.x);
        if fault == Fault::Input {
            b.x[500] ^= 1 << 12;
        }

        t.start_trigger();
        for _ in 0..REPEAT {
            filter_pass(black_box(&b.x), &mut b.fir, &mut b.out);
        }
        black_box(&b.out);
        t.stop_trigger();

        if fault == Fault::Output {
            b.out[LEN - 2] ^= 1;
        }
        let spot_checks = (0..LEN).step_by(8).all(|n| b.fir[n] == fir_direct(&b.x, n));
        status(spot_checks && checksum(&b.out) == EXPECTED)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole chain again, as plain difference equations in `i64`.
    fn reference(x: &[i16; LEN]) -> [i16; LEN] {
        let sat = |v: i64| v.clamp(-32768, 32767);
        let v: std::vec::Vec<i64> = (0..LEN).map(|n| i64::from(fir_direct(x, n))).collect();
        let c: std::vec::Vec<i64> = BIQUAD.iter().map(|&c| i64::from(c)).collect();
        let mut y = vec![0i64; LEN];
        let at = |s: &[i64], n: usize, d: usize| if n >= d { s[n - d] } else { 0 };
        for n in 0..LEN {
            let acc = c[0] * v[n] + c[1] * at(&v, n, 1) + c[2] * at(&v, n, 2)
                - c[3] * at(&y, n, 1)
                - c[4] * at(&y, n, 2);
            y[n] = sat((acc + 8192) >> 14);
        }
        let mut out = [0i16; LEN];
        for (o, v) in out.iter_mut().zip(y) {
            *o = v as i16;
        }
        out
    }

    #[test]
    fn taps_are_symmetric_with_unit_dc_gain() {
        for k in 0..TAPS {
            assert_eq!(FIR[k], FIR[TAPS - 1 - k]);
        }
        let sum: i32 = FIR.iter().map(|&h| i32::from(h)).sum();
        assert!((sum - 32768).abs() <= TAPS as i32, "{sum}");
    }

    #[test]
    fn expected_constant_recomputed_independently() {
        let mut x = [0i16; LEN];
        generate(&mut x);
        let want = reference(&x);
        let (mut fir, mut out) = ([0; LEN], [0; LEN]);
        filter_pass(&x, &mut fir, &mut out);
        assert_eq!(out, want);
        let h = checksum(&want);
        assert_eq!(h, EXPECTED, "EXPECTED should be {h:#010X}");
    }

    #[test]
    fn filter_smooths_the_noise() {
        let mut x = [0i16; LEN];
        generate(&mut x);
        let (mut fir, mut out) = ([0; LEN], [0; LEN]);
        filter_pass(&x, &mut fir, &mut out);
        let roughness = |s: &[i16]| {
            s.windows(2)
                .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
                .sum::<i32>()
        };
        assert!(roughness(&out[64..]) * 4 < roughness(&x[64..]));
    }
}
