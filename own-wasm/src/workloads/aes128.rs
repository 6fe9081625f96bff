//! `aes128`: AES-128 (`aes` crate; constant-time fixsliced software code on
//! the embedded and Wasm targets) encrypting and decrypting generated blocks.
//!
//! The measured region expands a generated key, encrypts 64 blocks `REPEAT`
//! times over (ECB, blocks processed in parallel by the crate) and decrypts
//! them `REPEAT` times back. Verification: the plaintext comes back exactly
//! (compared with a fresh regeneration), block 0's ciphertext after the
//! encryption phase equals `REPEAT` single-block encryptions, and the cipher
//! reproduces the FIPS-197 known-answer vectors (Appendix B and C.1).

use core::hint::black_box;

use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Block};

use crate::common::{status, Fault, Scratch, XorShift32};
use crate::{Triggers, Workload};

/// The workload.
pub const WORKLOAD: Workload = Workload {
    name: "aes128",
    description:
        "AES-128 (aes crate) key expansion, 64 blocks encrypted n times then decrypted n times (x4)",
    run,
};

const BLOCKS: usize = 64;
/// Encryption passes (and as many decryption passes) over the blocks:
/// `2 * BLOCKS * REPEAT` block operations are measured.
pub const REPEAT: usize = 4;
const SEED: u32 = 0xAE51_2801;

/// FIPS-197 Appendix C.1 (AES-128): key, plaintext, ciphertext.
const FIPS_C1: [[u8; 16]; 3] = [
    [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
        0x0f,
    ],
    [
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee,
        0xff,
    ],
    [
        0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5,
        0x5a,
    ],
];
/// FIPS-197 Appendix B (cipher example): key, plaintext, ciphertext.
const FIPS_B: [[u8; 16]; 3] = [
    [
        0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f,
        0x3c,
    ],
    [
        0x32, 0x43, 0xf6, 0xa8, 0x88, 0x5a, 0x30, 0x8d, 0x31, 0x31, 0x98, 0xa2, 0xe0, 0x37, 0x07,
        0x34,
    ],
    [
        0x39, 0x25, 0x84, 0x1d, 0x02, 0xdc, 0x09, 0xfb, 0xdc, 0x11, 0x85, 0x97, 0x19, 0x6a, 0x0b,
        0x32,
    ],
];

static BUF: Scratch<[Block; BLOCKS]> = Scratch::new([Array([0; 16]); BLOCKS]);

fn generate(key: &mut [u8; 16], blocks: &mut [Block; BLOCKS]) {
    let mut rng = XorShift32::new(SEED);
    rng.fill(key);
    for b in blocks.iter_mut() {
        rng.fill(&mut b.0);
    }
}

/// Checks one known-answer vector both ways.
fn known_answer(v: &[[u8; 16]; 3]) -> bool {
    let cipher = Aes128::new(&Array(black_box(v[0])));
    let mut block = Array(black_box(v[1]));
    cipher.encrypt_block(&mut block);
    let enc_ok = block.0 == v[2];
    cipher.decrypt_block(&mut block);
    enc_ok && block.0 == v[1]
}

fn run(t: &mut dyn Triggers) -> i32 {
    run_with(t, Fault::None)
}

pub(crate) fn run_with(t: &mut dyn Triggers, fault: Fault) -> i32 {
    t.initialise_board();
    BUF.with(|blocks| {
        let mut key = [0u8; 16];
        generate(&mut key, blocks);
        if fault == Fault::Input {
            blocks[BLOCKS / 2].0[3] ^= 0x04;
        }

        t.start_trigger();
        let cipher = Aes128::new(&Array(black_box(key)));
        for _ in 0..REPEAT {
            cipher.encrypt_blocks(black_box(&mut blocks[..]));
        }
        let first_ciphertext = black_box(blocks[0]);
        for _ in 0..REPEAT {
            cipher.decrypt_blocks(black_box(&mut blocks[..]));
        }
        t.stop_trigger();

        if fault == Fault::Output {
            blocks[BLOCKS - 1].0[15] ^= 0x01;
        }

        // Independent expectation: regenerate the plaintext.
        let mut key2 = [0u8; 16];
        let mut expected_block0 = Array([0u8; 16]);
        let mut rng = XorShift32::new(SEED);
        rng.fill(&mut key2);
        let mut round_trip = key2 == key;
        for (i, b) in blocks.iter().enumerate() {
            let mut want = [0u8; 16];
            rng.fill(&mut want);
            round_trip &= b.0 == want;
            if i == 0 {
                expected_block0 = Array(want);
            }
        }
        // Block 0's ciphertext through the single-block path.
        let single = Aes128::new(&Array(key2));
        for _ in 0..REPEAT {
            single.encrypt_block(&mut expected_block0);
        }
        let parallel_matches_single = expected_block0 == first_ciphertext;

        status(
            round_trip
                && parallel_matches_single
                && known_answer(&FIPS_C1)
                && known_answer(&FIPS_B),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers_hold() {
        assert!(known_answer(&FIPS_C1));
        assert!(known_answer(&FIPS_B));
        let mut wrong = FIPS_C1;
        wrong[2][0] ^= 1;
        assert!(!known_answer(&wrong));
    }

    /// NIST SP 800-38A F.1.1 (ECB-AES128), first two blocks: a third published
    /// vector, through the parallel `encrypt_blocks` path.
    #[test]
    fn sp800_38a_ecb_vectors() {
        let cipher = Aes128::new(&Array(FIPS_B[0]));
        let mut blocks = [
            Array([
                0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93,
                0x17, 0x2a,
            ]),
            Array([
                0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf,
                0x8e, 0x51,
            ]),
        ];
        cipher.encrypt_blocks(&mut blocks);
        assert_eq!(
            blocks[0].0,
            [
                0x3a, 0xd7, 0x7b, 0xb4, 0x0d, 0x7a, 0x36, 0x60, 0xa8, 0x9e, 0xca, 0xf3, 0x24, 0x66,
                0xef, 0x97
            ]
        );
        assert_eq!(
            blocks[1].0,
            [
                0xf5, 0xd3, 0xd5, 0x85, 0x03, 0xb9, 0x69, 0x9d, 0xe7, 0x85, 0x89, 0x5a, 0x96, 0xfd,
                0xba, 0xaf
            ]
        );
    }
}
