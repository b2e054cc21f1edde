//! Seeded percentile bootstrap intervals.

use super::StatsError;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded percentile bootstrap: `resamples` resamples of the rows drawn with replacement,
/// the statistic on each, and the interval between the `(1 − confidence)/2` and
/// `(1 + confidence)/2` quantiles of the replicates — scipy's
/// `bootstrap(..., method="percentile")`, with its quantile interpolation.
///
/// A resample is given to the statistic as a count per row (how often the row was drawn), so
/// a statistic can weight rows instead of copying them — and work from an order computed once
/// (ROC AUC sorts the scores once, not once per resample).
///
/// Resample `i` draws from its own ChaCha8 stream (seed, stream `i`), so the interval depends on
/// the seed only: not on the number of threads, nor on the `parallel` feature (rayon, on by
/// default), which spreads resamples over all cores.
///
/// ```
/// use mlharness::stats::Bootstrap;
/// let x: Vec<f64> = (0..200).map(|i| (i % 17) as f64).collect();
/// let mean = |counts: &[u32]| {
///     let (mut sum, mut n) = (0.0, 0.0);
///     for (v, &c) in x.iter().zip(counts) {
///         sum += v * c as f64;
///         n += c as f64;
///     }
///     sum / n
/// };
/// let ci = Bootstrap::new(7).resamples(500).interval(x.len(), mean)?;
/// assert!(ci.low < ci.estimate && ci.estimate < ci.high);
/// assert_eq!(ci, Bootstrap::new(7).resamples(500).interval(x.len(), mean)?);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bootstrap {
    seed: u64,
    resamples: usize,
    confidence: f64,
}

/// A bootstrap confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Interval {
    /// The statistic on the data as given.
    pub estimate: f64,
    /// Lower bound.
    pub low: f64,
    /// Upper bound.
    pub high: f64,
    /// Confidence level, e.g. 0.95.
    pub confidence: f64,
    /// Standard deviation of the replicates (`ddof = 1`), scipy's `standard_error`.
    pub standard_error: f64,
    /// Resamples drawn.
    pub resamples: usize,
    /// Resamples on which the statistic was undefined (left out; at most 1%).
    pub undefined: usize,
    /// Rows.
    pub n: usize,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap::new(0)
    }
}

impl Bootstrap {
    /// 1,000 resamples, 95% confidence, drawn from `seed`.
    pub fn new(seed: u64) -> Self {
        Bootstrap {
            seed,
            resamples: 1000,
            confidence: 0.95,
        }
    }

    /// Number of resamples (at least 1).
    pub fn resamples(mut self, resamples: usize) -> Self {
        self.resamples = resamples;
        self
    }

    /// Confidence level, strictly between 0 and 1.
    pub fn confidence(mut self, confidence: f64) -> Self {
        self.confidence = confidence;
        self
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The number of resamples.
    pub fn resample_count(&self) -> usize {
        self.resamples
    }

    /// The confidence level.
    pub fn confidence_level(&self) -> f64 {
        self.confidence
    }

    fn validate(&self, n: usize) -> Result<(), StatsError> {
        if n == 0 {
            return Err(StatsError::Empty { test: "bootstrap" });
        }
        if self.resamples == 0 {
            return Err(StatsError::Setting(crate::check::InvalidSetting {
                check: "bootstrap",
                setting: "resamples",
                expected: "at least 1",
                value: "0".into(),
            }));
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(StatsError::Setting(crate::check::InvalidSetting {
                check: "bootstrap",
                setting: "confidence",
                expected: "strictly between 0 and 1",
                value: self.confidence.to_string(),
            }));
        }
        Ok(())
    }

    /// The interval of `statistic` over `n` rows. The statistic gets, per row, how many times
    /// the resample drew it (all ones for the estimate), and returns NaN where it is undefined.
    pub fn interval<F>(&self, n: usize, statistic: F) -> Result<Interval, StatsError>
    where
        F: Fn(&[u32]) -> f64 + Sync,
    {
        self.validate(n)?;
        let estimate = statistic(&vec![1; n]);
        if !estimate.is_finite() {
            return Err(StatsError::UndefinedEstimate { value: estimate });
        }
        let mut replicates = self.replicates(n, &statistic);
        replicates.retain(|v| v.is_finite());
        let undefined = self.resamples - replicates.len();
        // A handful of undefined resamples (one class only, by bad luck) is tolerable; many
        // would bias the interval towards the resamples where the statistic exists.
        if undefined * 100 > self.resamples {
            return Err(StatsError::UndefinedResamples {
                undefined,
                resamples: self.resamples,
            });
        }
        replicates.sort_unstable_by(f64::total_cmp);
        let alpha = (1.0 - self.confidence) / 2.0;
        Ok(Interval {
            estimate,
            low: quantile(&replicates, alpha),
            high: quantile(&replicates, 1.0 - alpha),
            confidence: self.confidence,
            standard_error: standard_deviation(&replicates),
            resamples: self.resamples,
            undefined,
            n,
        })
    }

    fn replicates<F>(&self, n: usize, statistic: &F) -> Vec<f64>
    where
        F: Fn(&[u32]) -> f64 + Sync,
    {
        let one = |counts: &mut Vec<u32>, i: usize| {
            self.draw(counts, i);
            statistic(counts)
        };
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            (0..self.resamples)
                .into_par_iter()
                .map_init(|| vec![0u32; n], one)
                .collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            let mut counts = vec![0u32; n];
            (0..self.resamples).map(|i| one(&mut counts, i)).collect()
        }
    }

    /// Resample `i`: `n` rows drawn with replacement, as counts per row.
    fn draw(&self, counts: &mut [u32], i: usize) {
        let n = counts.len();
        counts.fill(0);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(i as u64);
        for _ in 0..n {
            counts[rng.gen_range(0..n)] += 1;
        }
    }
}

/// The `q` quantile of sorted values with linear interpolation between order statistics
/// (numpy's and scipy's default, Hyndman–Fan type 7), computed as `scipy.stats.quantile` does.
///
/// ```
/// use mlharness::stats::quantile;
/// assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), 2.5);
/// assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.0), 1.0);
/// assert!(quantile(&[], 0.5).is_nan());
/// ```
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 || !(0.0..=1.0).contains(&q) {
        return f64::NAN;
    }
    let jg = q * n as f64 + (1.0 - q);
    let jp1 = jg.floor();
    let g = jg % 1.0;
    let last = (n - 1) as f64;
    let j = (jp1 - 1.0).clamp(0.0, last) as usize;
    let jp1 = jp1.clamp(0.0, last) as usize;
    (1.0 - g) * sorted[j] + g * sorted[jp1]
}

fn standard_deviation(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).sqrt()
}
