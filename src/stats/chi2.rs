//! Chi-squared tests: goodness of fit (`scipy.stats.chisquare`) and independence in a
//! contingency table (`scipy.stats.chi2_contingency`, Yates-corrected for 2×2 as scipy does).

use super::test_result::{check_counts, TestResult};
use super::StatsError;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// `P(X > x)` for a chi-squared variable with `df` degrees of freedom.
pub(crate) fn chi2_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    match ChiSquared::new(df) {
        Ok(d) => d.sf(x),
        Err(_) => f64::NAN,
    }
}

/// Chi-squared goodness-of-fit test of observed counts against expected counts (equal
/// counts when `expected` is `None`), with `k - 1` degrees of freedom. The two must have the
/// same total (to a relative 1e-8, as scipy requires) and every expected count must be positive.
///
/// ```
/// use mlharness::stats::chisquare;
/// let r = chisquare(&[16.0, 18.0, 16.0, 14.0, 12.0, 12.0], None)?;
/// assert!((r.statistic - 2.0).abs() < 1e-12);
/// assert_eq!(r.df, Some(5.0));
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn chisquare(observed: &[f64], expected: Option<&[f64]>) -> Result<TestResult, StatsError> {
    const TEST: &str = "chisquare";
    check_counts(TEST, "observed", observed)?;
    let total: f64 = observed.iter().sum();
    let expected: Vec<f64> = match expected {
        None => vec![total / observed.len() as f64; observed.len()],
        Some(e) => {
            if e.len() != observed.len() {
                return Err(StatsError::LengthMismatch {
                    test: TEST,
                    left: observed.len(),
                    right: e.len(),
                });
            }
            super::error::check_finite(TEST, e)?;
            let e_total: f64 = e.iter().sum();
            if (total - e_total).abs() > 1e-8 * total.abs().max(e_total.abs()) {
                return Err(StatsError::Setting(crate::check::InvalidSetting {
                    check: TEST,
                    setting: "expected",
                    expected: "counts with the same total as the observed ones",
                    value: format!("total {e_total}, observed total {total}"),
                }));
            }
            e.to_vec()
        }
    };
    if let Some(e) = expected.iter().find(|e| **e <= 0.0) {
        return Err(StatsError::Setting(crate::check::InvalidSetting {
            check: TEST,
            setting: "expected",
            expected: "positive counts",
            value: e.to_string(),
        }));
    }
    let statistic: f64 = observed
        .iter()
        .zip(&expected)
        .map(|(o, e)| (o - e) * (o - e) / e)
        .sum();
    let df = (observed.len() - 1) as f64;
    let p = if df == 0.0 {
        f64::NAN
    } else {
        chi2_sf(statistic, df)
    };
    Ok(TestResult::new(
        statistic,
        (!p.is_nan()).then_some(p),
        vec![total.round() as usize],
    )
    .df(df)
    .method("pearson"))
}

/// Chi-squared test of independence of the rows and columns of a contingency table (rows of
/// equal length). Degrees of freedom `(r-1)(c-1)`; a table with one of them gives statistic 0
/// and p-value 1. With `yates` (scipy's default `correction=True`) a 2×2 table is corrected for
/// continuity: each observed count moves towards its expected count by at most 0.5.
/// A row or column of zeros (an expected count of 0) is an error: drop it first.
///
/// ```
/// use mlharness::stats::chi2_contingency;
/// let r = chi2_contingency(&[vec![12.0, 5.0], vec![7.0, 9.0]], true)?;
/// assert_eq!(r.df, Some(1.0));
/// assert_eq!(r.sizes, vec![17, 16]);
/// # Ok::<(), mlharness::stats::StatsError>(())
/// ```
pub fn chi2_contingency(table: &[Vec<f64>], yates: bool) -> Result<TestResult, StatsError> {
    const TEST: &str = "chi2_contingency";
    let r = table.len();
    let c = table.first().map_or(0, Vec::len);
    if r == 0 || c == 0 {
        return Err(StatsError::Empty { test: TEST });
    }
    for row in table {
        if row.len() != c {
            return Err(StatsError::LengthMismatch {
                test: TEST,
                left: c,
                right: row.len(),
            });
        }
        check_counts(TEST, "observed", row)?;
    }
    let row_sums: Vec<f64> = table.iter().map(|row| row.iter().sum()).collect();
    let col_sums: Vec<f64> = (0..c)
        .map(|j| table.iter().map(|row| row[j]).sum())
        .collect();
    let total: f64 = row_sums.iter().sum();
    let sizes = row_sums.iter().map(|s| s.round() as usize).collect();
    if let Some(i) = row_sums.iter().position(|s| *s == 0.0) {
        return Err(zero_margin(TEST, "row", i));
    }
    if let Some(j) = col_sums.iter().position(|s| *s == 0.0) {
        return Err(zero_margin(TEST, "column", j));
    }
    let df = ((r - 1) * (c - 1)) as f64;
    if df == 0.0 {
        return Ok(TestResult::new(0.0, Some(1.0), sizes)
            .df(0.0)
            .method("pearson"));
    }
    let mut statistic = 0.0;
    for (i, row) in table.iter().enumerate() {
        for (j, &o) in row.iter().enumerate() {
            let e = row_sums[i] * col_sums[j] / total;
            let mut o = o;
            if df == 1.0 && yates {
                let diff = e - o;
                o += diff.abs().min(0.5) * diff.signum() * f64::from(u8::from(diff != 0.0));
            }
            statistic += (o - e) * (o - e) / e;
        }
    }
    let method = if df == 1.0 && yates {
        "pearson, Yates-corrected"
    } else {
        "pearson"
    };
    Ok(
        TestResult::new(statistic, Some(chi2_sf(statistic, df)), sizes)
            .df(df)
            .method(method),
    )
}

fn zero_margin(test: &'static str, what: &'static str, index: usize) -> StatsError {
    StatsError::Setting(crate::check::InvalidSetting {
        check: test,
        setting: "table",
        expected: "no row or column of zeros (its expected counts would be 0)",
        value: format!("{what} {index} sums to 0"),
    })
}
