//! Statistics shared by the runner (a cell's repeated samples) and the
//! analysis: geometric mean and geometric standard deviation (as Embench
//! and the paper compute them), and [`Spread`], the summary of a cell's
//! samples a record keeps.

use std::vec::Vec;

use serde::{Deserialize, Serialize};

/// Geometric mean of positive numbers; `None` when empty or any value is not
/// strictly positive and finite.
pub fn geomean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() || xs.iter().any(|&x| !(x > 0.0 && x.is_finite())) {
        return None;
    }
    let mean_ln = xs.iter().map(|x| x.ln()).sum::<f64>() / xs.len() as f64;
    Some(mean_ln.exp())
}

/// Geometric standard deviation, the way Embench reports it:
/// `exp(sqrt(Σ (ln xᵢ − ln gm)² / n))` (population form, divisor `n`).
/// It is a factor ≥ 1: the typical spread is `gm / gsd .. gm × gsd`.
/// `None` under the same conditions as [`geomean`].
pub fn geo_std(xs: &[f64]) -> Option<f64> {
    let gm = geomean(xs)?;
    let lg = gm.ln();
    let var = xs.iter().map(|x| (x.ln() - lg).powi(2)).sum::<f64>() / xs.len() as f64;
    Some(var.sqrt().exp())
}

/// The samples of a metric measured more than once in a cell (`--repeat`):
/// the record's value is their median.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// How many samples.
    pub n: usize,
    /// Their median (the mean of the middle two for an even count).
    pub median: f64,
    /// The smallest.
    pub min: f64,
    /// The largest.
    pub max: f64,
    /// Their geometric mean (`None` when a sample is not positive).
    pub geomean: Option<f64>,
    /// Their geometric standard deviation, a factor >= 1.
    pub geo_std: Option<f64>,
    /// The samples, in the order they were taken.
    pub samples: Vec<f64>,
}

impl Spread {
    /// The spread of `samples`; `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Spread> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = if n % 2 == 1 {
            sorted[n / 2]
        } else {
            (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
        };
        Some(Spread {
            n,
            median,
            min: sorted[0],
            max: sorted[n - 1],
            geomean: geomean(samples),
            geo_std: geo_std(samples),
            samples: samples.to_vec(),
        })
    }

    /// Whether every sample is the same.
    pub fn exact(&self) -> bool {
        self.min == self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn geomean_by_hand() {
        // (2 · 8)^(1/2) = 4 ; (1 · 10 · 100)^(1/3) = 10
        assert!(close(geomean(&[2.0, 8.0]).unwrap(), 4.0));
        assert!(close(geomean(&[1.0, 10.0, 100.0]).unwrap(), 10.0));
        assert_eq!(geomean(&[]), None);
        assert_eq!(geomean(&[1.0, 0.0]), None);
    }

    #[test]
    fn geo_std_by_hand() {
        // ln 2, ln 8 around ln 4: deviations ±ln 2, sd = ln 2, gsd = 2
        assert!(close(geo_std(&[2.0, 8.0]).unwrap(), 2.0));
        // 1, 10, 100: deviations −ln10, 0, ln10; var = 2/3 ln²10
        let want = ((2.0f64 / 3.0).sqrt() * 10f64.ln()).exp();
        assert!(close(geo_std(&[1.0, 10.0, 100.0]).unwrap(), want));
        assert!(close(geo_std(&[5.0, 5.0, 5.0]).unwrap(), 1.0));
    }

    #[test]
    fn spread_of_samples() {
        let s = Spread::of(&[4.0, 1.0, 16.0, 4.0]).unwrap();
        assert_eq!((s.n, s.median, s.min, s.max), (4, 4.0, 1.0, 16.0));
        assert!((s.geomean.unwrap() - 4.0).abs() < 1e-9);
        assert!(s.geo_std.unwrap() > 1.0 && !s.exact());
        let one = Spread::of(&[7.0, 7.0, 7.0]).unwrap();
        assert!(one.exact() && one.median == 7.0 && one.geo_std == Some(1.0));
        assert!(Spread::of(&[]).is_none());
        assert_eq!(Spread::of(&[0.0, 3.0]).unwrap().geomean, None);
    }
}
