//! Benchmark-score checks: is the model better than naive, good enough, right where it must
//! be, and good on every slice?
//!
//! - [`BeatsBaseline`]: the model's metric against a baseline from [`crate::baseline`]
//!   (most-frequent class for classifiers, the mean for regressors) by a margin, judged on a
//!   seeded bootstrap interval of the difference, so passing means "better beyond noise";
//! - [`Thresholds`]: absolute bounds per metric from a checked-in TOML file (`scores.toml`),
//!   so that raising the bar is a reviewed change;
//! - [`KeyInstances`]: named rows whose prediction must equal the expected class, or lie within
//!   a tolerance of the true value;
//! - [`Slices`]: the metric per value of a categorical column (or per predicate), each above a
//!   floor, the largest gap between slices under a bound; slices too small to judge are
//!   reported as such instead of failing at random.
//!
//! Each returns an [`Outcome`](crate::check::Outcome) whose table is the failure message; the
//! [`benchmark_score!`](crate::benchmark_score) macro turns checks into named tests.
//!
//! ```
//! use mlharness::benchmark::BeatsBaseline;
//! use mlharness::data::{Column, Dataset};
//! use mlharness::metrics::Metric;
//! use mlharness::model::{Model, ModelError, Predictions};
//!
//! // 400 rows; the class is "yes" exactly when x > 0.7.
//! let x: Vec<f64> = (0..400).map(|i| (i * 37 % 400) as f64 / 400.0).collect();
//! let y: Vec<Option<&str>> = x.iter().map(|&v| Some(if v > 0.7 { "yes" } else { "no" })).collect();
//! let data = Dataset::from_columns(vec![("x".into(), Column::numeric(x)), ("y".into(), Column::categorical(y))])?
//!     .with_target("y")?;
//! let split = data.split_stratified("y", 0.5, 1)?;
//! let rule = |ds: &Dataset| -> Result<Predictions, ModelError> {
//!     let labels = ds.numeric("x")?.values().iter().map(|&v| usize::from(v > 0.7)).collect();
//!     Predictions::classes(vec!["no".into(), "yes".into()], labels)
//! };
//! let outcome = BeatsBaseline::new(Metric::BalancedAccuracy).margin(0.3).check(&rule, &split.train, &split.test)?;
//! assert!(outcome.passed(), "{outcome}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod beats_baseline;
mod key_instances;
mod slices;
mod thresholds;

pub use self::beats_baseline::BeatsBaseline;
pub use self::key_instances::KeyInstances;
pub use self::slices::Slices;
pub use self::thresholds::{Thresholds, ThresholdsError};

pub use crate::check::CheckError;

use crate::check::predict;

/// `+0.1234` style, for differences.
fn signed(x: f64) -> String {
    format!("{x:+.4}")
}

/// `0.1234` style, for metric values.
fn value(x: f64) -> String {
    format!("{x:.4}")
}
