//! Differential (back-to-back) checks: the same inputs through a candidate model and a
//! reference — another model, or a golden-predictions file — and an alarm when they differ
//! more than an established model should.
//!
//! - [`Differential`]: the share of rows whose prediction changed (class flips; regression
//!   values beyond an absolute or relative tolerance) with the worst rows listed; the change
//!   of metrics with a tolerance in each direction; paired significance — the exact McNemar
//!   test for classifiers, the Wilcoxon signed-rank test for regressors;
//! - [`Golden`]: golden-predictions files, created on the first run, updated only on request
//!   (`MLHARNESS_UPDATE=1`), written atomically, never created under CI (`CI=true`), and
//!   stored with the model version, a fingerprint of the data and the rounding so that a stale
//!   golden is an error rather than a silent comparison against the wrong thing;
//! - [`Reproducibility`]: train twice with one seed and demand identical predictions; train
//!   with several seeds and report the spread — how much of a "regression" is noise.
//!
//! The [`differential!`](crate::differential!) macro turns these checks into named tests.
//!
//! ```
//! use mlharness::data::{Column, Dataset};
//! use mlharness::differential::Differential;
//! use mlharness::model::Predictions;
//!
//! let data = Dataset::from_columns(vec![("y".into(), Column::numeric((0..100).map(f64::from).collect()))])?
//!     .with_target("y")?;
//! let v1 = Predictions::values((0..100).map(|i| f64::from(i) + 0.5).collect());
//! let mut v2_values: Vec<f64> = (0..100).map(|i| f64::from(i) + 0.5).collect();
//! v2_values[7] += 10.0; // one row moved
//! let v2 = Predictions::values(v2_values);
//! let outcome = Differential::new().tolerance(0.01).max_changed_share(0.005).compare(&data, &v2, &v1, "v1")?;
//! assert!(!outcome.passed());
//! assert!(outcome.to_string().contains("1 of 100"), "{outcome}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compare;
mod golden;
mod reproducibility;

pub use self::compare::Differential;
pub use self::golden::{fingerprint, Golden, GoldenError, GoldenFile, GoldenState, RecordedNoise};
pub use self::reproducibility::{Reproducibility, SeedNoise};

pub use crate::check::CheckError;

use crate::check::predict;
