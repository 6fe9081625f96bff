//! `sha256`: SHA-256 (`sha2` crate, portable code on the embedded targets)
//! over a generated buffer.
//!
//! Verifies the FIPS 180-2 / NIST example vectors (`"abc"` and the two-block
//! 448-bit message) and the digest of the measured data against
//! `EXPECTED`, which a unit test recomputes with a SHA-256 written from
//! the standard (round constants derived from the primes, not copied).

use core::hint::black_box;

use sha2::{Digest, Sha256};

use crate::common::{status, Fault, Scratch, XorShift32};
use crate::{Triggers, Workload};

/// The workload.
pub const WORKLOAD: Workload = Workload {
    name: "sha256",
    description:
        "SHA-256 (sha2 crate) of 2 KiB of generated data, fed repeatedly into one hash (x6)",
    run,
};

const DATA_LEN: usize = 2048;
/// How often the data is fed to the hash (measured work is
/// `DATA_LEN * REPEAT` bytes, i.e. `DATA_LEN * REPEAT / 64` compressions).
pub const REPEAT: usize = 6;
const SEED: u32 = 0x5A25_6001;
/// SHA-256 of the data repeated `REPEAT` times.
const EXPECTED: [u8; 32] =
    hex32("4468753d2c74f52d7e304abbc841eeaadffd674a5e7099512274ba2bc044ead5");

const ABC_DIGEST: [u8; 32] =
    hex32("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
const TWO_BLOCK_MSG: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const TWO_BLOCK_DIGEST: [u8; 32] =
    hex32("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

/// Parses 64 hex digits at compile time.
pub(crate) const fn hex32(s: &str) -> [u8; 32] {
    let b = s.as_bytes();
    assert!(b.len() == 64);
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (hex_digit(b[2 * i]) << 4) | hex_digit(b[2 * i + 1]);
        i += 1;
    }
    out
}

const fn hex_digit(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => panic!("not a hex digit"),
    }
}

static DATA: Scratch<[u8; DATA_LEN]> = Scratch::new([0; DATA_LEN]);

fn run(t: &mut dyn Triggers) -> i32 {
    run_with(t, Fault::None)
}

pub(crate) fn run_with(t: &mut dyn Triggers, fault: Fault) -> i32 {
    t.initialise_board();
    DATA.with(|data| {
        XorShift32::new(SEED).fill(data);
        if fault == Fault::Input {
            data[DATA_LEN - 5] ^= 0x01;
        }

        t.start_trigger();
        let mut hasher = Sha256::new();
        for _ in 0..REPEAT {
            hasher.update(black_box(&data[..]));
        }
        let mut digest: [u8; 32] = black_box(hasher.finalize().into());
        t.stop_trigger();

        if fault == Fault::Output {
            digest[31] ^= 0x80;
        }
        let abc: [u8; 32] = Sha256::digest(black_box(b"abc")).into();
        let two: [u8; 32] = Sha256::digest(black_box(TWO_BLOCK_MSG)).into();
        status(abc == ABC_DIGEST && two == TWO_BLOCK_DIGEST && digest == EXPECTED)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// floor(cbrt(n)) for n < 2^105, by bisection.
    fn icbrt(n: u128) -> u128 {
        let (mut lo, mut hi) = (0u128, 1u128 << 36);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if mid * mid * mid <= n {
                lo = mid
            } else {
                hi = mid
            }
        }
        lo
    }

    /// floor(sqrt(n)) for n < 2^72, by bisection.
    fn isqrt(n: u128) -> u128 {
        let (mut lo, mut hi) = (0u128, 1u128 << 37);
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if mid * mid <= n {
                lo = mid
            } else {
                hi = mid
            }
        }
        lo
    }

    fn primes(n: usize) -> std::vec::Vec<u128> {
        let mut ps = std::vec::Vec::new();
        let mut c = 2u128;
        while ps.len() < n {
            if (2..c)
                .take_while(|d| d * d <= c)
                .all(|d| !c.is_multiple_of(d))
            {
                ps.push(c);
            }
            c += 1;
        }
        ps
    }

    /// SHA-256 from FIPS 180-4, with K and H0 derived from the primes.
    fn reference_sha256(msg: &[u8]) -> [u8; 32] {
        let k: std::vec::Vec<u32> = primes(64).iter().map(|&p| icbrt(p << 96) as u32).collect();
        let mut h: std::vec::Vec<u32> = primes(8).iter().map(|&p| isqrt(p << 64) as u32).collect();
        let mut m = msg.to_vec();
        m.push(0x80);
        while m.len() % 64 != 56 {
            m.push(0);
        }
        m.extend_from_slice(&((msg.len() as u64) * 8).to_be_bytes());
        for block in m.chunks(64) {
            let mut w = [0u32; 64];
            for i in 0..16 {
                w[i] = u32::from_be_bytes(block[4 * i..4 * i + 4].try_into().unwrap());
            }
            for i in 16..64 {
                let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
                let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[i - 7])
                    .wrapping_add(s1);
            }
            let mut v: [u32; 8] = h[..].try_into().unwrap();
            for i in 0..64 {
                let [a, b, c, d, e, f, g, hh] = v;
                let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
                let ch = (e & f) ^ (!e & g);
                let t1 = hh
                    .wrapping_add(s1)
                    .wrapping_add(ch)
                    .wrapping_add(k[i])
                    .wrapping_add(w[i]);
                let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
                let maj = (a & b) ^ (a & c) ^ (b & c);
                let t2 = s0.wrapping_add(maj);
                v = [t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g];
            }
            for (hi, vi) in h.iter_mut().zip(v) {
                *hi = hi.wrapping_add(vi);
            }
        }
        let mut out = [0u8; 32];
        for (o, hi) in out.chunks_mut(4).zip(h) {
            o.copy_from_slice(&hi.to_be_bytes());
        }
        out
    }

    #[test]
    fn reference_matches_published_vectors() {
        assert_eq!(reference_sha256(b"abc"), ABC_DIGEST);
        assert_eq!(reference_sha256(TWO_BLOCK_MSG), TWO_BLOCK_DIGEST);
    }

    #[test]
    fn expected_constant_recomputed_by_reference() {
        let mut data = [0u8; DATA_LEN];
        XorShift32::new(SEED).fill(&mut data);
        let msg = data.repeat(REPEAT);
        let d = reference_sha256(&msg);
        let hex: std::string::String = d.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(d, EXPECTED, "EXPECTED should be hex32(\"{hex}\")");
    }
}
