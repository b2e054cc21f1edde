use crate::metrics::MetricError;

/// Why a statistical test or interval could not be computed.
///
/// ```
/// use mlharness::stats::{wilcoxon, StatsError};
/// let err = wilcoxon(&[1.0, f64::NAN]).unwrap_err();
/// assert!(matches!(err, StatsError::NonFinite { row: 1, .. }));
/// assert_eq!(err.to_string(), "wilcoxon: value NaN in row 1 is not finite");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// No observations.
    #[error("{test}: no observations")]
    Empty {
        /// The test or interval.
        test: &'static str,
    },
    /// Paired inputs differ in length.
    #[error("{test}: paired inputs differ in length ({left} vs {right})")]
    LengthMismatch {
        /// The test or interval.
        test: &'static str,
        /// Length of the first input.
        left: usize,
        /// Length of the second input.
        right: usize,
    },
    /// A value is NaN or infinite.
    #[error("{test}: value {value} in row {row} is not finite")]
    NonFinite {
        /// The test or interval.
        test: &'static str,
        /// 0-based row.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A parameter is outside its range (the check is the test or interval).
    #[error(transparent)]
    Setting(#[from] crate::check::InvalidSetting),
    /// Too many bootstrap resamples had no defined value (e.g. a resample of an imbalanced set
    /// held only one class, so ROC AUC was undefined).
    #[error(
        "bootstrap: {undefined} of {resamples} resamples gave no value (more than 1% allowed); \
         the data is too small or too imbalanced for this metric"
    )]
    UndefinedResamples {
        /// Resamples without a value.
        undefined: usize,
        /// Resamples drawn.
        resamples: usize,
    },
    /// A metric the bootstrap does not resample: one computed over bins or class pairs
    /// (expected calibration error, multiclass ROC AUC), which a reweighting of rows cannot
    /// give.
    #[error("bootstrap: {metric} is not resampled; bound it with a `scores.toml` bar (`Thresholds`) instead")]
    NotResampled {
        /// The metric.
        metric: crate::metrics::Metric,
    },
    /// The statistic is undefined on the data as given.
    #[error("bootstrap: the statistic is undefined on the full data (got {value})")]
    UndefinedEstimate {
        /// The value it gave.
        value: f64,
    },
    /// The metric could not be computed on the full data.
    #[error(transparent)]
    Metric(#[from] MetricError),
}

pub(crate) fn check_finite(test: &'static str, values: &[f64]) -> Result<(), StatsError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(StatsError::NonFinite {
            test,
            row,
            value: values[row],
        }),
        None => Ok(()),
    }
}
