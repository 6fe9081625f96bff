//! `crc32`: CRC-32 (ISO-HDLC, the zlib/Ethernet CRC) with the `crc` crate's
//! 256-entry table over a generated buffer.
//!
//! Verifies the standard check value (`"123456789"` → `0xCBF43926`) and the
//! CRC of the measured data against `EXPECTED`, which a unit test
//! recomputes with a bit-at-a-time CRC written from the polynomial.

use core::hint::black_box;

use crc::{Crc, CRC_32_ISO_HDLC};

use crate::common::{status, Fault, Scratch, XorShift32};
use crate::{Triggers, Workload};

/// The workload.
pub const WORKLOAD: Workload = Workload {
    name: "crc32",
    description: "CRC-32 (crc crate, 256-entry table) over 4 KiB of generated data (x16)",
    run,
};

/// Bytes of generated data.
const DATA_LEN: usize = 4096;
/// How often the data is fed to the running CRC (measured work is
/// `DATA_LEN * REPEAT` bytes).
pub const REPEAT: usize = 16;
const SEED: u32 = 0x0C2C_3201;
/// CRC-32 of the data repeated `REPEAT` times.
const EXPECTED: u32 = 0x2B9C_B4CB;

const CRC32: Crc<u32> = Crc::<u32>::new(&CRC_32_ISO_HDLC);

static DATA: Scratch<[u8; DATA_LEN]> = Scratch::new([0; DATA_LEN]);

fn run(t: &mut dyn Triggers) -> i32 {
    run_with(t, Fault::None)
}

pub(crate) fn run_with(t: &mut dyn Triggers, fault: Fault) -> i32 {
    t.initialise_board();
    DATA.with(|data| {
        XorShift32::new(SEED).fill(data);
        if fault == Fault::Input {
            data[DATA_LEN / 3] ^= 0x10;
        }

        t.start_trigger();
        let mut digest = CRC32.digest();
        for _ in 0..REPEAT {
            digest.update(black_box(&data[..]));
        }
        let mut crc = black_box(digest.finalize());
        t.stop_trigger();

        if fault == Fault::Output {
            crc ^= 1 << 7;
        }
        let check = CRC32.checksum(black_box(b"123456789"));
        status(check == 0xCBF4_3926 && crc == EXPECTED)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reflected CRC-32, polynomial 0x04C11DB7 (reversed 0xEDB88320), one bit
    /// at a time: independent of the crate's table.
    fn bitwise_crc32(chunks: &[&[u8]]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for chunk in chunks {
            for &b in *chunk {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 != 0 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
        }
        !crc
    }

    #[test]
    fn reference_matches_check_value() {
        assert_eq!(bitwise_crc32(&[b"123456789"]), 0xCBF4_3926);
    }

    #[test]
    fn expected_constant_recomputed_bitwise() {
        let mut data = [0u8; DATA_LEN];
        XorShift32::new(SEED).fill(&mut data);
        let chunks = [&data[..]; REPEAT];
        let crc = bitwise_crc32(&chunks);
        assert_eq!(crc, EXPECTED, "EXPECTED should be {crc:#010X}");
    }
}
