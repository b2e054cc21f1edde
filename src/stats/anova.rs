//! Tests on means: one-way ANOVA (`scipy.stats.f_oneway`) and whether a sample's mean lies
//! within its standard error of an expected value (with `scipy.stats.ttest_1samp`'s t and p).

use super::test_result::{check_groups, check_sample, TestResult};
use super::StatsError;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, FisherSnedecor, StudentsT};

/// One-way ANOVA: the F test that all groups have the same mean. At least two non-empty groups.
/// As scipy: when every group is constant, F is infinite (p = 0) if the groups differ and
/// undefined (`NaN`, no p-value) if every value is the same; with one value per group, too.
///
/// ```
/// use mlharness::stats::f_oneway;
/// let r = f_oneway(&[&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0], &[5.0, 6.0, 7.0]])?;
/// assert!((r.statistic - 13.0).abs() < 1e-12);
/// assert_eq!(r.df, Some(2.0));
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn f_oneway(groups: &[&[f64]]) -> Result<TestResult, StatsError> {
    const TEST: &str = "f_oneway";
    check_groups(TEST, groups)?;
    let sizes: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    let k = groups.len() as f64;
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let bign = all.len() as f64;
    let (dfbn, dfwn) = (k - 1.0, bign - k);
    if dfwn == 0.0 {
        return Ok(TestResult::new(f64::NAN, None, sizes)
            .df(dfbn)
            .method("anova"));
    }
    let all_same = all.iter().all(|v| *v == all[0]);
    let all_const = groups.iter().all(|g| g.iter().all(|v| *v == g[0]));
    let offset = all.iter().sum::<f64>() / bign;
    let centred: Vec<f64> = all.iter().map(|v| v - offset).collect();
    let normalized_ss = centred.iter().sum::<f64>().powi(2) / bign;
    let sstot = centred.iter().map(|v| v * v).sum::<f64>() - normalized_ss;
    let mut ssbn = 0.0;
    for g in groups {
        let s: f64 = g.iter().map(|v| v - offset).sum();
        ssbn += s * s / g.len() as f64;
    }
    ssbn -= normalized_ss;
    let sswn = sstot - ssbn;
    let mut f = (ssbn / dfbn) / (sswn / dfwn);
    if all_const {
        f = f64::INFINITY;
    }
    if all_same {
        f = f64::NAN;
    }
    let p = if f.is_nan() {
        None
    } else if f.is_infinite() {
        Some(0.0)
    } else {
        FisherSnedecor::new(dfbn, dfwn).ok().map(|d| d.sf(f))
    };
    Ok(TestResult::new(f, p, sizes).df(dfbn).method("anova"))
}

/// Whether a sample's mean lies within `k` standard errors of an expected value.
///
/// The standard error is `s / sqrt(n)` with the sample standard deviation (`ddof = 1`);
/// `t = (mean - expected) / se` and its two-sided p-value (Student's t, `n - 1` degrees of
/// freedom) are those of `scipy.stats.ttest_1samp`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanCheck {
    /// The sample mean.
    pub mean: f64,
    /// The value the mean should be near.
    pub expected: f64,
    /// The standard error of the mean.
    pub standard_error: f64,
    /// How many standard errors the mean is from `expected` (signed): the t statistic.
    pub statistic: f64,
    /// Two-sided p-value of the one-sample t test; `None` with a single value or a zero
    /// standard error.
    pub p_value: Option<f64>,
    /// The sample size.
    pub n: usize,
    /// The allowed number of standard errors.
    pub k: f64,
    /// `|mean - expected| <= k · se`.
    pub within: bool,
}

/// Checks that `sample`'s mean is within `k` standard errors of `expected` (see [`MeanCheck`]).
/// A sample with one value, or of identical values, has a standard error of 0: its mean must
/// then equal `expected` exactly.
///
/// ```
/// use mlharness::stats::mean_within_se;
/// let accuracies = [0.81, 0.83, 0.80, 0.82, 0.84];
/// let c = mean_within_se(&accuracies, 0.82, 2.0)?;
/// assert!(c.within);
/// assert!(!mean_within_se(&accuracies, 0.90, 2.0)?.within);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn mean_within_se(sample: &[f64], expected: f64, k: f64) -> Result<MeanCheck, StatsError> {
    const TEST: &str = "mean_within_se";
    check_sample(TEST, sample)?;
    if !(k >= 0.0 && k.is_finite() && expected.is_finite()) {
        return Err(StatsError::Setting(crate::check::InvalidSetting {
            check: TEST,
            setting: if expected.is_finite() {
                "k"
            } else {
                "expected"
            },
            expected: "a finite number (k at least 0)",
            value: if expected.is_finite() { k } else { expected }.to_string(),
        }));
    }
    let n = sample.len() as f64;
    let mean = sample.iter().sum::<f64>() / n;
    let var = if sample.len() > 1 {
        sample.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    let se = (var / n).sqrt();
    let diff = mean - expected;
    let statistic = if se > 0.0 {
        diff / se
    } else if diff == 0.0 {
        0.0
    } else {
        diff.signum() * f64::INFINITY
    };
    let p_value = if se > 0.0 && sample.len() > 1 {
        StudentsT::new(0.0, 1.0, n - 1.0)
            .ok()
            .map(|t| 2.0 * t.sf(statistic.abs()))
    } else {
        None
    };
    Ok(MeanCheck {
        mean,
        expected,
        standard_error: se,
        statistic,
        p_value,
        n: sample.len(),
        k,
        within: diff.abs() <= k * se,
    })
}
