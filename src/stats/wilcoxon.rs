//! The Wilcoxon signed-rank test, as `scipy.stats.wilcoxon` computes it.

use super::error::check_finite;
use super::StatsError;

/// How the p-value of a [`Wilcoxon`] test was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WilcoxonMethod {
    /// The exact null distribution of the signed-rank sum (no ties, no zeros, n ≤ 50).
    Exact,
    /// All 2ⁿ sign flips of the observed mid-ranks enumerated (ties or zeros, n ≤ 13): scipy's
    /// exact permutation test.
    Permutation,
    /// The normal approximation with the tie correction of the variance.
    Normal,
}

/// Options of [`wilcoxon_with`]; the default is scipy's default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WilcoxonOptions {
    /// Use the normal approximation whatever the sample (scipy's `method="asymptotic"`).
    pub force_normal: bool,
    /// Move z half a unit towards 0 in the normal approximation (scipy's `correction=True`).
    pub continuity_correction: bool,
}

/// The result of a Wilcoxon signed-rank test of paired differences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wilcoxon {
    /// `min(r_plus, r_minus)`, as scipy reports it for the two-sided test.
    pub statistic: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// How the p-value was computed.
    pub method: WilcoxonMethod,
    /// Sum of the ranks of the positive differences.
    pub r_plus: f64,
    /// Sum of the ranks of the negative differences.
    pub r_minus: f64,
    /// The z-score of `r_plus` (normal approximation only; continuity-corrected if asked).
    pub z: Option<f64>,
    /// Differences given, zeros included.
    pub n: usize,
    /// Differences that were exactly zero (dropped, scipy's `zero_method="wilcox"`).
    pub zeros: usize,
    /// True when some non-zero absolute differences tie.
    pub ties: bool,
}

/// Wilcoxon signed-rank test of differences `d` (e.g. `x − y` per pair), two-sided, as
/// `scipy.stats.wilcoxon(d)` with its defaults (scipy ≥ 1.13, checked against 1.17):
///
/// - zeros are dropped before ranking (`zero_method="wilcox"`), and their count is reported;
/// - tied absolute differences get their mean rank, and the normal approximation's variance is
///   reduced by `Σ(t³ − t)/48` over tie groups;
/// - the method is chosen as scipy's `method="auto"` does: more than 50 differences (zeros
///   included) → normal approximation; otherwise no ties and no zeros → exact distribution;
///   otherwise ≤ 13 differences → all 2ⁿ sign flips enumerated (scipy's exact permutation
///   test); otherwise the normal approximation;
/// - no continuity correction (`correction=False`).
///
/// One deliberate difference: when every difference is zero, scipy's normal approximation
/// divides 0 by 0 and returns NaN; here the p-value is 1 (no evidence of any difference).
///
/// ```
/// use mlharness::stats::{wilcoxon, WilcoxonMethod};
/// // scipy.stats.wilcoxon([1.5, -0.5, 2.0, 3.0, 2.5, -1.0, 4.0]): statistic 3.0, p 0.078125
/// let w = wilcoxon(&[1.5, -0.5, 2.0, 3.0, 2.5, -1.0, 4.0])?;
/// assert_eq!((w.statistic, w.method), (3.0, WilcoxonMethod::Exact));
/// assert!((w.p_value - 0.078125).abs() < 1e-12);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn wilcoxon(differences: &[f64]) -> Result<Wilcoxon, StatsError> {
    wilcoxon_with(differences, WilcoxonOptions::default())
}

/// Wilcoxon signed-rank test of the pairs `(x[i], y[i])`, on `x − y`; see [`wilcoxon`].
///
/// ```
/// use mlharness::stats::wilcoxon_paired;
/// let err = wilcoxon_paired(&[1.0, 2.0], &[1.0]).unwrap_err();
/// assert!(err.to_string().contains("differ in length"));
/// ```
pub fn wilcoxon_paired(x: &[f64], y: &[f64]) -> Result<Wilcoxon, StatsError> {
    if x.len() != y.len() {
        return Err(StatsError::LengthMismatch {
            test: "wilcoxon",
            left: x.len(),
            right: y.len(),
        });
    }
    check_finite("wilcoxon", x)?;
    check_finite("wilcoxon", y)?;
    let d: Vec<f64> = x.iter().zip(y).map(|(a, b)| a - b).collect();
    wilcoxon(&d)
}

/// Wilcoxon signed-rank test with options; see [`wilcoxon`].
///
/// ```
/// use mlharness::stats::{wilcoxon_with, WilcoxonMethod, WilcoxonOptions};
/// let options = WilcoxonOptions { force_normal: true, continuity_correction: true };
/// let w = wilcoxon_with(&[1.5, -0.5, 2.0, 3.0, 2.5, -1.0, 4.0], options)?;
/// assert_eq!(w.method, WilcoxonMethod::Normal);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn wilcoxon_with(
    differences: &[f64],
    options: WilcoxonOptions,
) -> Result<Wilcoxon, StatsError> {
    if differences.is_empty() {
        return Err(StatsError::Empty { test: "wilcoxon" });
    }
    check_finite("wilcoxon", differences)?;
    let n = differences.len();
    // Non-negative floats order as their bit patterns, which leaves the lowest bit free for the
    // sign once shifted: one integer sort ranks a million differences quickly.
    let mut keys: Vec<u64> = differences
        .iter()
        .filter(|&&x| x != 0.0)
        .map(|&x| (x.abs().to_bits() << 1) | u64::from(x > 0.0))
        .collect();
    let m = keys.len();
    let zeros = n - m;
    keys.sort_unstable();

    // Ranks are kept doubled (mid-ranks are multiples of ½) so that sums stay exact integers.
    let mut twice_r_plus: u128 = 0;
    let mut tie_term = 0.0; // Σ (t³ − t) over tie groups
    let mut ties = false;
    let want_ranks = n <= 50;
    let mut twice_ranks: Vec<u64> = Vec::new();
    let mut start = 0;
    while start < m {
        let value = keys[start] >> 1;
        let mut end = start;
        let mut positives: u128 = 0;
        while end < m && keys[end] >> 1 == value {
            positives += u128::from(keys[end] & 1);
            end += 1;
        }
        let twice_rank = (start + 1 + end) as u64;
        twice_r_plus += positives * u128::from(twice_rank);
        let t = (end - start) as f64;
        if end - start > 1 {
            ties = true;
            tie_term += t * t * t - t;
        }
        if want_ranks {
            twice_ranks.extend(std::iter::repeat_n(twice_rank, end - start));
        }
        start = end;
    }
    let twice_total = (m as u128) * (m as u128 + 1);
    let r_plus = twice_r_plus as f64 / 2.0;
    let r_minus = (twice_total - twice_r_plus) as f64 / 2.0;

    let method = if options.force_normal || n > 50 {
        WilcoxonMethod::Normal
    } else if !ties && zeros == 0 {
        WilcoxonMethod::Exact
    } else if n <= 13 {
        WilcoxonMethod::Permutation
    } else {
        WilcoxonMethod::Normal
    };

    let (p_value, z) = match method {
        WilcoxonMethod::Exact | WilcoxonMethod::Permutation => {
            (exact_p_value(&twice_ranks, twice_r_plus as u64), None)
        }
        WilcoxonMethod::Normal => {
            let count = m as f64;
            let mean = count * (count + 1.0) * 0.25;
            let var24 = count * (count + 1.0) * (2.0 * count + 1.0) - tie_term / 2.0;
            let se = (var24 / 24.0).sqrt();
            if se > 0.0 {
                let mut z = (r_plus - mean) / se;
                if options.continuity_correction {
                    z -= z.signum() * 0.5 / se;
                }
                // 2·min(Φ(z), 1 − Φ(z)) without the cancellation of 1 − Φ.
                let p = statrs::function::erf::erfc(z.abs() / std::f64::consts::SQRT_2);
                (p.min(1.0), Some(z))
            } else {
                (1.0, Some(0.0))
            }
        }
    };
    Ok(Wilcoxon {
        statistic: r_plus.min(r_minus),
        p_value,
        method,
        r_plus,
        r_minus,
        z,
        n,
        zeros,
        ties,
    })
}

/// Two-sided p-value of the doubled rank sum `observed` under all 2ᵐ sign assignments of the
/// (doubled) ranks, counted exactly by dynamic programming over the attainable sums.
fn exact_p_value(twice_ranks: &[u64], observed: u64) -> f64 {
    let total: u64 = twice_ranks.iter().sum();
    let mut counts = vec![0u64; total as usize + 1];
    counts[0] = 1;
    let mut reach = 0usize;
    for &r in twice_ranks {
        let r = r as usize;
        reach += r;
        for s in (r..=reach).rev() {
            counts[s] += counts[s - r];
        }
    }
    let observed = observed as usize;
    let at_most: u64 = counts[..=observed].iter().sum();
    let at_least: u64 = counts[observed..].iter().sum();
    let all = (twice_ranks.len() as f64).exp2();
    (2.0 * at_most.min(at_least) as f64 / all).min(1.0)
}
