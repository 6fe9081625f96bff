//! `matmul`: hand-written integer matrix multiply (`i32`, wrapping
//! arithmetic, i-k-j loop order).
//!
//! The measured region computes `C = A × B` for two generated 24×24 matrices
//! `REPEAT` times. Verification: Freivalds' check `A(Bx) = Cx` for two
//! vectors (exact in wrapping arithmetic, which is a ring), and a checksum of
//! `C` against `EXPECTED`, which a unit test recomputes with the textbook
//! i-j-k dot-product loop.

use core::hint::black_box;

use crate::common::{status, Fault, Fnv1a, Scratch, XorShift32};
use crate::{Triggers, Workload};

/// The workload.
pub const WORKLOAD: Workload = Workload {
    name: "matmul",
    description: "hand-written i32 matrix multiply, 24x24 by 24x24 (x8)",
    run,
};

const N: usize = 24;
/// Multiplications of the two matrices (each `N^3` multiply-adds).
pub const REPEAT: usize = 8;
const SEED: u32 = 0x3A73_0001;
/// FNV-1a of `C` (row-major, little-endian words).
const EXPECTED: u32 = 0x0D10_DFA1;

type Matrix = [[i32; N]; N];

struct Buffers {
    a: Matrix,
    b: Matrix,
    c: Matrix,
}

static BUFS: Scratch<Buffers> = Scratch::new(Buffers {
    a: [[0; N]; N],
    b: [[0; N]; N],
    c: [[0; N]; N],
});

fn generate(a: &mut Matrix, b: &mut Matrix) {
    let mut rng = XorShift32::new(SEED);
    for row in a.iter_mut().chain(b.iter_mut()) {
        for v in row.iter_mut() {
            // Signed 16-bit entries: products and sums exercise full 32-bit
            // wrapping arithmetic.
            *v = i32::from(rng.next_u32() as i16);
        }
    }
}

/// `c = a × b`, row by row with the inner loop over `c`'s row (i-k-j).
fn multiply(a: &Matrix, b: &Matrix, c: &mut Matrix) {
    for (c_row, a_row) in c.iter_mut().zip(a.iter()) {
        *c_row = [0; N];
        for (&a_ik, b_row) in a_row.iter().zip(b.iter()) {
            for (c_ij, &b_kj) in c_row.iter_mut().zip(b_row.iter()) {
                *c_ij = c_ij.wrapping_add(a_ik.wrapping_mul(b_kj));
            }
        }
    }
}

fn mat_vec(m: &Matrix, x: &[i32; N]) -> [i32; N] {
    let mut y = [0i32; N];
    for (yi, row) in y.iter_mut().zip(m.iter()) {
        *yi = row
            .iter()
            .zip(x.iter())
            .fold(0i32, |acc, (&m, &x)| acc.wrapping_add(m.wrapping_mul(x)));
    }
    y
}

/// Freivalds' check of `c = a × b` with vector `x`.
fn freivalds(a: &Matrix, b: &Matrix, c: &Matrix, x: &[i32; N]) -> bool {
    mat_vec(a, &mat_vec(b, x)) == mat_vec(c, x)
}

fn checksum(c: &Matrix) -> u32 {
    let mut h = Fnv1a::new();
    for v in c.iter().flatten() {
        h.u32(*v as u32);
    }
    h.finish()
}

fn run(t: &mut dyn Triggers) -> i32 {
    run_with(t, Fault::None)
}

pub(crate) fn run_with(t: &mut dyn Triggers, fault: Fault) -> i32 {
    t.initialise_board();
    BUFS.with(|m| {
        generate(&mut m.a, &mut m.b);
        if fault == Fault::Input {
            m.a[7][11] ^= 1 << 3;
        }

        t.start_trigger();
        for _ in 0..REPEAT {
            multiply(black_box(&m.a), black_box(&m.b), &mut m.c);
        }
        black_box(&m.c);
        t.stop_trigger();

        if fault == Fault::Output {
            m.c[N - 1][0] ^= 1 << 30;
        }
        let ones = [1i32; N];
        let mut x = [0i32; N];
        let mut rng = XorShift32::new(!SEED);
        for v in &mut x {
            *v = rng.next_u32() as i32;
        }
        status(
            freivalds(&m.a, &m.b, &m.c, &ones)
                && freivalds(&m.a, &m.b, &m.c, &x)
                && checksum(&m.c) == EXPECTED,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_constant_recomputed_with_dot_products() {
        let (mut a, mut b) = ([[0; N]; N], [[0; N]; N]);
        generate(&mut a, &mut b);
        let mut c = [[0i32; N]; N];
        for i in 0..N {
            for j in 0..N {
                let mut s = 0i64;
                for k in 0..N {
                    s += i64::from(a[i][k]) * i64::from(b[k][j]);
                }
                c[i][j] = s as i32; // reduction mod 2^32, as wrapping i32 arithmetic
            }
        }
        let mut fast = [[0; N]; N];
        multiply(&a, &b, &mut fast);
        assert_eq!(fast, c);
        let h = checksum(&c);
        assert_eq!(h, EXPECTED, "EXPECTED should be {h:#010X}");
    }

    #[test]
    fn freivalds_catches_a_wrong_product() {
        let (mut a, mut b) = ([[0; N]; N], [[0; N]; N]);
        generate(&mut a, &mut b);
        let mut c = [[0; N]; N];
        multiply(&a, &b, &mut c);
        assert!(freivalds(&a, &b, &c, &[1; N]));
        c[3][5] = c[3][5].wrapping_add(1);
        assert!(!freivalds(&a, &b, &c, &[1; N]));
    }
}
