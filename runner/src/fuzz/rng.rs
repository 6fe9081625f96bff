//! The campaign's deterministic randomness: SplitMix64, seeded from the
//! campaign's seed, a stream (generation, mutation) and the module's
//! index, so that any module is made again from those three numbers
//! alone, whatever else the campaign made.

/// A SplitMix64 generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// The generator of module `index` of `stream` in campaign `seed`.
    pub fn new(seed: u64, stream: u64, index: u64) -> Rng {
        let mut r = Rng(seed);
        let a = r.next();
        let mut r = Rng(a ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        let b = r.next();
        Rng(b ^ index.wrapping_mul(0xE703_7ED1_A0B4_28DB))
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(1, 1, 5).next()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut x = Rng::new(1, 1, 5);
        let mut y = Rng::new(1, 2, 5);
        let mut z = Rng::new(1, 1, 6);
        let (x, y, z) = (x.next(), y.next(), z.next());
        assert!(x != y && x != z && y != z);
    }
}
