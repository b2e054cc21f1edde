//! Statistical tests and intervals, computed as scipy computes them.
//!
//! - [`mcnemar_exact`]: exact McNemar test of two classifiers on the same rows;
//! - [`wilcoxon`]: Wilcoxon signed-rank test of paired differences;
//! - [`Bootstrap`]: seeded percentile bootstrap intervals, including the paired difference of a
//!   metric between two models ([`Bootstrap::metric_difference`]).
//!
//! Each is checked against scipy on the same inputs (`fixtures/reference/paired.json`).
//!
//! ```
//! use mlharness::stats::{mcnemar_exact, wilcoxon};
//! // 12 rows only the reference gets right, 2 only the candidate does.
//! let m = mcnemar_exact(12, 2);
//! assert!(m.p_value < 0.05);
//! let w = wilcoxon(&[0.5, 1.5, -0.25, 2.0, 1.0])?;
//! assert_eq!(w.statistic, 1.0);
//! # Ok::<(), mlharness::stats::StatsError>(())
//! ```

mod bootstrap;
mod error;
mod mcnemar;
mod resampled_metric;
mod wilcoxon;

pub use self::bootstrap::{quantile, Bootstrap, Interval};
pub use self::error::StatsError;
pub use self::mcnemar::{mcnemar_exact, mcnemar_from_outcomes, McNemar};
pub use self::resampled_metric::ResampledMetric;
pub use self::wilcoxon::{
    wilcoxon, wilcoxon_paired, wilcoxon_with, Wilcoxon, WilcoxonMethod, WilcoxonOptions,
};
