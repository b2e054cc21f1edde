//! Distances between two distributions, which have no p-value but say how far apart they are:
//! Wasserstein-1 (and a normalised form), Population Stability Index, Jensen–Shannon and
//! Kullback–Leibler divergence.
//!
//! Binned measures take counts per bin (or category). An empty bin makes KL and PSI infinite,
//! so they smooth counts first: `α` is added to every bin's count before normalising
//! (additive, "Laplace" smoothing; [`DEFAULT_SMOOTHING`] = 0.5, the Jeffreys prior).

use super::test_result::{sorted, TestResult};
use super::StatsError;

/// The pseudo-count added to every bin by default before a KL divergence or a PSI.
pub const DEFAULT_SMOOTHING: f64 = 0.5;

/// The Wasserstein-1 (earth mover's) distance between two samples: the area between their
/// empirical distribution functions, in the units of the data (`scipy.stats.wasserstein_distance`).
///
/// ```
/// use mlharness::stats::wasserstein;
/// let r = wasserstein(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0])?;
/// assert!((r.statistic - 5.0).abs() < 1e-12);
/// assert_eq!(r.p_value, None);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn wasserstein(a: &[f64], b: &[f64]) -> Result<TestResult, StatsError> {
    let a = sorted("wasserstein", a)?;
    let b = sorted("wasserstein", b)?;
    Ok(
        TestResult::new(wasserstein_sorted(&a, &b), None, vec![a.len(), b.len()])
            .method("wasserstein-1"),
    )
}

/// [`wasserstein`] on samples already sorted ascending.
pub fn wasserstein_sorted(a: &[f64], b: &[f64]) -> f64 {
    let (n1, n2) = (a.len(), b.len());
    if n1 + n2 == 0 {
        return 0.0;
    }
    let at = |v: &[f64], k: usize| v.get(k).copied().unwrap_or(f64::INFINITY);
    let (mut i, mut j) = (0usize, 0usize);
    let (mut x, mut y) = (at(a, 0), at(b, 0));
    let mut current = x.min(y);
    let mut sum = Kahan::default();
    // Walk the merged values, one per step and the smaller chosen by a select (random
    // interleaving would mispredict a branch half the time). Between consecutive values both
    // ECDFs are constant, `|i·n2 - j·n1|` apart in units of `1 / (n1·n2)`: exact integers,
    // divided once at the end.
    while i < n1 || j < n2 {
        let take_a = x <= y;
        // `min`, not an `if`: the compiler keeps a select of two floats as a branch.
        let v = x.min(y);
        let apart = (i as i64 * n2 as i64 - j as i64 * n1 as i64).unsigned_abs();
        sum.add(apart as f64 * (v - current));
        current = v;
        i += usize::from(take_a);
        j += usize::from(!take_a);
        x = at(a, i);
        y = at(b, j);
    }
    sum.total() / (n1 as f64 * n2 as f64)
}

/// The Wasserstein-1 distance divided by the reference sample's standard deviation (population,
/// `ddof = 0`, as Evidently's `wasserstein_distance_norm`): shifting every value by `k`
/// reference standard deviations gives `k`. Unitless, so one threshold (0.1 by default in
/// [`crate::drift`]) serves every column. A constant reference gives 0 when the current sample
/// equals it and infinity otherwise.
///
/// ```
/// use mlharness::stats::wasserstein_normalised;
/// let reference = [1.0, 2.0, 3.0, 4.0];
/// let shifted: Vec<f64> = reference.iter().map(|x| x + 0.5).collect();
/// let sd = (1.25f64).sqrt();
/// assert!((wasserstein_normalised(&reference, &shifted)?.statistic - 0.5 / sd).abs() < 1e-12);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn wasserstein_normalised(
    reference: &[f64],
    current: &[f64],
) -> Result<TestResult, StatsError> {
    let a = sorted("wasserstein_normalised", reference)?;
    let b = sorted("wasserstein_normalised", current)?;
    let w = wasserstein_sorted(&a, &b);
    Ok(TestResult::new(
        normalise_by_sd(w, std_population(&a)),
        None,
        vec![a.len(), b.len()],
    )
    .method("normalised wasserstein-1"))
}

pub(crate) fn normalise_by_sd(w: f64, sd: f64) -> f64 {
    if sd > 0.0 {
        w / sd
    } else if w == 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// The population standard deviation (two-pass).
pub(crate) fn std_population(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// Counts turned into proportions after adding `alpha` to each.
fn proportions(test: &'static str, counts: &[f64], alpha: f64) -> Result<Vec<f64>, StatsError> {
    super::test_result::check_counts(test, "counts", counts)?;
    if !(alpha >= 0.0 && alpha.is_finite()) {
        return Err(StatsError::Setting(crate::check::InvalidSetting {
            check: test,
            setting: "smoothing",
            expected: "a finite pseudo-count of at least 0",
            value: alpha.to_string(),
        }));
    }
    let total: f64 = counts.iter().map(|c| c + alpha).sum();
    if total <= 0.0 {
        return Err(StatsError::Setting(crate::check::InvalidSetting {
            check: test,
            setting: "counts",
            expected: "a positive total",
            value: "0".into(),
        }));
    }
    Ok(counts.iter().map(|c| (c + alpha) / total).collect())
}

fn same_bins(test: &'static str, p: &[f64], q: &[f64]) -> Result<(), StatsError> {
    if p.len() != q.len() {
        return Err(StatsError::LengthMismatch {
            test,
            left: p.len(),
            right: q.len(),
        });
    }
    Ok(())
}

/// `x ln(x/y)`, 0 when `x` is 0 (scipy's `rel_entr`).
fn rel_entr(x: f64, y: f64) -> f64 {
    if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// The Kullback–Leibler divergence `KL(p || q)` (natural log) of two binned distributions given
/// as counts over the same bins, each smoothed by adding `alpha` to every count
/// ([`DEFAULT_SMOOTHING`]); without smoothing, a bin empty in `q` but not in `p` gives infinity.
///
/// ```
/// use mlharness::stats::kl_divergence;
/// let same = kl_divergence(&[10.0, 20.0, 0.0], &[10.0, 20.0, 0.0], 0.5)?;
/// assert_eq!(same.statistic, 0.0);
/// assert!(kl_divergence(&[10.0, 20.0, 5.0], &[10.0, 20.0, 0.0], 0.0)?.statistic.is_infinite());
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn kl_divergence(p: &[f64], q: &[f64], alpha: f64) -> Result<TestResult, StatsError> {
    const TEST: &str = "kl_divergence";
    same_bins(TEST, p, q)?;
    let (pp, qq) = (proportions(TEST, p, alpha)?, proportions(TEST, q, alpha)?);
    let kl = pp.iter().zip(&qq).map(|(a, b)| rel_entr(*a, *b)).sum();
    Ok(TestResult::new(kl, None, vec![total(p), total(q)]).method("kullback-leibler"))
}

/// The Jensen–Shannon *distance* (the square root of the divergence, natural log, between 0 and
/// `sqrt(ln 2)` ≈ 0.83), as `scipy.spatial.distance.jensenshannon`, of two binned distributions
/// given as counts over the same bins. It is finite with empty bins, so `alpha` may be 0.
///
/// ```
/// use mlharness::stats::jensen_shannon;
/// let r = jensen_shannon(&[50.0, 50.0, 0.0], &[0.0, 0.0, 100.0], 0.0)?;
/// assert!((r.statistic - std::f64::consts::LN_2.sqrt()).abs() < 1e-12);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn jensen_shannon(p: &[f64], q: &[f64], alpha: f64) -> Result<TestResult, StatsError> {
    const TEST: &str = "jensen_shannon";
    same_bins(TEST, p, q)?;
    let (pp, qq) = (proportions(TEST, p, alpha)?, proportions(TEST, q, alpha)?);
    let mut js = 0.0;
    for (a, b) in pp.iter().zip(&qq) {
        let m = (a + b) / 2.0;
        js += rel_entr(*a, m) + rel_entr(*b, m);
    }
    Ok(
        TestResult::new((js / 2.0).max(0.0).sqrt(), None, vec![total(p), total(q)])
            .method("jensen-shannon distance"),
    )
}

/// The Population Stability Index of binned counts: `Σ (c_i - r_i) ln(c_i / r_i)` over the
/// proportions of the reference (`r`) and current (`c`) counts, each smoothed by `alpha`.
/// Rules of thumb: below 0.1 stable, 0.1–0.25 some shift, above 0.25 a major shift.
///
/// ```
/// use mlharness::stats::psi_counts;
/// let r = psi_counts(&[25.0, 25.0, 25.0, 25.0], &[10.0, 20.0, 30.0, 40.0], 0.0)?;
/// assert!(r.statistic > 0.2);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn psi_counts(
    reference: &[f64],
    current: &[f64],
    alpha: f64,
) -> Result<TestResult, StatsError> {
    const TEST: &str = "psi";
    same_bins(TEST, reference, current)?;
    let r = proportions(TEST, reference, alpha)?;
    let c = proportions(TEST, current, alpha)?;
    let psi = r
        .iter()
        .zip(&c)
        .map(|(r, c)| if r == c { 0.0 } else { (c - r) * (c / r).ln() })
        .sum();
    Ok(TestResult::new(psi, None, vec![total(reference), total(current)]).method("psi"))
}

/// The Population Stability Index of two numeric samples over `bins` bins cut at the
/// reference's quantiles (numpy's default linear quantiles at `k / bins`; repeated edges merged),
/// a value `x` falling in the bin after the last edge `<= x`; counts smoothed by `alpha`.
///
/// ```
/// use mlharness::stats::psi;
/// let reference: Vec<f64> = (0..1000).map(|i| i as f64).collect();
/// let same = psi(&reference, &reference, 10, 0.5)?;
/// assert_eq!(same.statistic, 0.0);
/// let shifted: Vec<f64> = reference.iter().map(|x| x + 300.0).collect();
/// assert!(psi(&reference, &shifted, 10, 0.5)?.statistic > 0.25);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn psi(
    reference: &[f64],
    current: &[f64],
    bins: usize,
    alpha: f64,
) -> Result<TestResult, StatsError> {
    const TEST: &str = "psi";
    if bins < 2 {
        return Err(StatsError::Setting(crate::check::InvalidSetting {
            check: TEST,
            setting: "bins",
            expected: "at least 2",
            value: bins.to_string(),
        }));
    }
    let r = sorted(TEST, reference)?;
    let c = sorted(TEST, current)?;
    let edges = quantile_edges(&r, bins);
    let (rc, cc) = (bin_counts(&r, &edges), bin_counts(&c, &edges));
    let mut result = psi_counts(&rc, &cc, alpha)?;
    result.sizes = vec![r.len(), c.len()];
    Ok(result)
}

/// numpy's linear-interpolation quantiles of a sorted sample at `k / bins`, deduplicated.
pub(crate) fn quantile_edges(sorted: &[f64], bins: usize) -> Vec<f64> {
    let mut edges: Vec<f64> = (1..bins)
        .map(|k| numpy_quantile(sorted, k as f64 / bins as f64))
        .collect();
    edges.dedup();
    edges
}

/// numpy's `quantile(method="linear")` of a sorted, non-empty sample.
fn numpy_quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor();
    let i = lo as usize;
    let t = h - lo;
    let a = sorted[i];
    let b = sorted[(i + 1).min(sorted.len() - 1)];
    // numpy's `_lerp`: exact at both ends, monotone in t.
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// Per bin, how many of the sorted values fall in it: bin `k` holds values with exactly `k`
/// edges at or below them.
pub(crate) fn bin_counts(sorted: &[f64], edges: &[f64]) -> Vec<f64> {
    let mut counts = vec![0.0; edges.len() + 1];
    let mut start = 0;
    for (k, edge) in edges.iter().enumerate() {
        let end = start + sorted[start..].partition_point(|v| v < edge);
        counts[k] = (end - start) as f64;
        start = end;
    }
    counts[edges.len()] = (sorted.len() - start) as f64;
    counts
}

fn total(counts: &[f64]) -> usize {
    counts.iter().sum::<f64>().round() as usize
}

/// Kahan–Babuška compensated summation: long sums (a million gaps) stay accurate to the last
/// digits, close to numpy's pairwise sums.
#[derive(Default)]
struct Kahan {
    sum: f64,
    comp: f64,
}

impl Kahan {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.comp += (self.sum - t) + x;
        } else {
            self.comp += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn total(&self) -> f64 {
        self.sum + self.comp
    }
}
