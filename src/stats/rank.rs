//! Rank tests: Mann–Whitney U (`scipy.stats.mannwhitneyu` with its defaults: two-sided,
//! continuity correction, exact p-value when a sample has at most 8 values and there are no
//! ties) and Kruskal–Wallis H (`scipy.stats.kruskal`, tie-corrected).

use super::chi2::chi2_sf;
use super::test_result::{check_groups, check_sample, TestResult};
use super::StatsError;

/// Average ranks (1-based) of `values`, and the sizes of the groups of tied values.
pub(crate) fn rank_average(values: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean.
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        ties.push(end - start);
        start = end;
    }
    (ranks, ties)
}

/// Σ (t³ - t) over tie groups, exactly.
fn tie_term(ties: &[usize]) -> f64 {
    ties.iter()
        .map(|&t| {
            let t = t as u128;
            (t * t * t - t) as f64
        })
        .sum()
}

/// The Mann–Whitney U test of `x` against `y`, two-sided. The statistic is `U` of `x` (the
/// number of pairs in which `x` is larger, ties counting one half). The p-value is exact when
/// either sample has at most 8 values and no value is tied, otherwise the normal approximation
/// with tie correction and continuity correction.
///
/// ```
/// use mlharness::stats::mann_whitney_u;
/// let r = mann_whitney_u(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0])?;
/// assert_eq!(r.statistic, 0.0);
/// assert_eq!(r.method, "exact");
/// assert!((r.p_value.unwrap() - 0.1).abs() < 1e-12); // 2 of the 20 orderings are as extreme
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Result<TestResult, StatsError> {
    check_sample("mann_whitney_u", x)?;
    check_sample("mann_whitney_u", y)?;
    let (n1, n2) = (x.len(), y.len());
    let all: Vec<f64> = x.iter().chain(y).copied().collect();
    let (ranks, ties) = rank_average(&all);
    let r1: f64 = ranks[..n1].iter().sum();
    let (f1, f2) = (n1 as f64, n2 as f64);
    let u1 = r1 - f1 * (f1 + 1.0) / 2.0;
    let u2 = f1 * f2 - u1;
    let u = u1.max(u2);
    let tied = ties.iter().any(|&t| t > 1);
    let exact = (n1 <= 8 || n2 <= 8) && !tied;
    let (p, method) = if exact {
        (
            2.0 * mwu_exact_cdf(n1, n2, (f1 * f2 - u).round() as usize),
            "exact",
        )
    } else {
        let mu = f1 * f2 / 2.0;
        let n = f1 + f2;
        let s = (f1 * f2 / 12.0 * ((n + 1.0) - tie_term(&ties) / (n * (n - 1.0)))).sqrt();
        let z = (u - mu - 0.5) / s;
        (2.0 * normal_sf(z), "asymptotic")
    };
    let p = if p.is_nan() {
        None
    } else {
        Some(p.clamp(0.0, 1.0))
    };
    Ok(TestResult::new(u1, p, vec![n1, n2]).method(method))
}

/// `P(Z > z)` for a standard normal variable.
pub(crate) fn normal_sf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    0.5 * statrs::function::erf::erfc(z / std::f64::consts::SQRT_2)
}

/// `P(U <= k)` under the null hypothesis, from the counts of the Gaussian binomial coefficient
/// `[n1+n2 choose n1]_q` up to degree `k`.
fn mwu_exact_cdf(n1: usize, n2: usize, k: usize) -> f64 {
    let (small, large) = (n1.min(n2), n1.max(n2));
    // Π_{i=1..small} (1 - q^(large+i)) / (1 - q^i), truncated after q^k.
    let mut c = vec![0.0f64; k + 1];
    c[0] = 1.0;
    for i in 1..=small {
        // Divide first: every intermediate stays a non-negative count.
        for d in i..=k {
            c[d] += c[d - i];
        }
        let up = large + i;
        for d in (up..=k).rev() {
            c[d] -= c[d - up];
        }
    }
    let cum: f64 = c.iter().sum();
    cum / binomial(n1 + n2, small)
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// The Kruskal–Wallis H test that all groups come from one distribution: tie-corrected `H`,
/// chi-squared with `groups - 1` degrees of freedom. At least two non-empty groups, not all
/// values equal.
///
/// ```
/// use mlharness::stats::kruskal;
/// let r = kruskal(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], &[7.0, 8.0, 9.0]])?;
/// assert!((r.statistic - 7.2).abs() < 1e-12);
/// assert_eq!(r.df, Some(2.0));
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn kruskal(groups: &[&[f64]]) -> Result<TestResult, StatsError> {
    const TEST: &str = "kruskal";
    check_groups(TEST, groups)?;
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let (ranks, ties) = rank_average(&all);
    let n = all.len() as f64;
    let correction = 1.0 - tie_term(&ties) / (n * n * n - n);
    if correction == 0.0 {
        return Err(StatsError::Setting(crate::check::InvalidSetting {
            check: TEST,
            setting: "groups",
            expected: "not all values identical",
            value: format!("every value is {}", all[0]),
        }));
    }
    let mut start = 0;
    let mut ssbn = 0.0;
    for g in groups {
        let s: f64 = ranks[start..start + g.len()].iter().sum();
        ssbn += s * s / g.len() as f64;
        start += g.len();
    }
    let h = (12.0 / (n * (n + 1.0)) * ssbn - 3.0 * (n + 1.0)) / correction;
    let df = (groups.len() - 1) as f64;
    Ok(TestResult::new(
        h,
        Some(chi2_sf(h, df)),
        groups.iter().map(|g| g.len()).collect(),
    )
    .df(df)
    .method("kruskal-wallis"))
}
