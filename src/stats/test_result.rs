use serde::Serialize;

/// The outcome of a statistical test or a distance between samples: the statistic, its p-value
/// where one is defined, the degrees of freedom where they apply, and the sample sizes.
///
/// ```
/// use mlharness::stats::ks_2samp;
/// let r = ks_2samp(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0, 7.0])?;
/// assert_eq!(r.statistic, 1.0);
/// assert_eq!(r.sizes, vec![3, 4]);
/// assert!(r.p_value.unwrap() < 0.06);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TestResult {
    /// The test statistic (or the distance, for a divergence).
    pub statistic: f64,
    /// The p-value; `None` for a distance, which has none.
    pub p_value: Option<f64>,
    /// Degrees of freedom, for chi-squared and F tests.
    pub df: Option<f64>,
    /// The size of each sample (or the number of observations per row of a table).
    pub sizes: Vec<usize>,
    /// How the p-value was computed (`exact`, `asymptotic`), or what the statistic is.
    pub method: &'static str,
}

impl TestResult {
    pub(crate) fn new(statistic: f64, p_value: Option<f64>, sizes: Vec<usize>) -> Self {
        TestResult {
            statistic,
            p_value,
            df: None,
            sizes,
            method: "",
        }
    }

    pub(crate) fn method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }

    pub(crate) fn df(mut self, df: f64) -> Self {
        self.df = Some(df);
        self
    }
}

/// Checks that a sample is non-empty and finite.
pub(crate) fn check_sample(test: &'static str, values: &[f64]) -> Result<(), super::StatsError> {
    if values.is_empty() {
        return Err(super::StatsError::Empty { test });
    }
    super::error::check_finite(test, values)
}

/// Checks that counts are non-empty, finite and not negative; `parameter` names them in errors.
pub(crate) fn check_counts(
    test: &'static str,
    parameter: &'static str,
    counts: &[f64],
) -> Result<(), super::StatsError> {
    check_sample(test, counts)?;
    match counts.iter().find(|v| **v < 0.0) {
        Some(v) => Err(super::StatsError::Setting(crate::check::InvalidSetting {
            check: test,
            setting: parameter,
            expected: "counts of at least 0",
            value: v.to_string(),
        })),
        None => Ok(()),
    }
}

/// Checks that there are at least two groups, each a non-empty, finite sample.
pub(crate) fn check_groups(test: &'static str, groups: &[&[f64]]) -> Result<(), super::StatsError> {
    if groups.len() < 2 {
        return Err(super::StatsError::Setting(crate::check::InvalidSetting {
            check: test,
            setting: "groups",
            expected: "at least 2",
            value: groups.len().to_string(),
        }));
    }
    groups.iter().try_for_each(|g| check_sample(test, g))
}

/// Sorts a copy of a sample (checked non-empty and finite).
pub(crate) fn sorted(test: &'static str, values: &[f64]) -> Result<Vec<f64>, super::StatsError> {
    check_sample(test, values)?;
    let mut v = values.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    Ok(v)
}
