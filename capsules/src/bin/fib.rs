//! `fib` (world `ephemeral`): Fibonacci numbers computed iteratively, many
//! times over; `run` returns 0 when fib(90) came out right, else 1.
#![no_std]
#![no_main]

use core::hint::black_box;

use trevm_capsules as _;

wit_bindgen::generate!({ path: "wit", world: "ephemeral" });

/// Which Fibonacci number, and how often.
const N: u32 = 90;
const REPETITIONS: u32 = 1000;
/// fib(90), the largest below 2^62.
const EXPECTED: u64 = 2_880_067_194_370_816_120;

/// fib(n), iteratively (wrapping past fib(93)).
fn fib(n: u32) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        let next = a.wrapping_add(b);
        a = b;
        b = next;
    }
    a
}

struct Capsule;

impl Guest for Capsule {
    fn run() -> i32 {
        let mut last = 0;
        for _ in 0..REPETITIONS {
            last = black_box(fib(black_box(N)));
        }
        i32::from(last != EXPECTED)
    }
}

export!(Capsule);
