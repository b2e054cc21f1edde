//! What a test file needs, in one import: `use mlharness::prelude::*;`.
//!
//! The data and model types, metrics and baselines, each kit's entry point, the outcome of a
//! check and the test-generating macros. Names that would shadow the standard library's or a
//! common crate's (`config::KeyPath`, `config::Value`, `Table`) are left out: import those from
//! their modules.
//!
//! ```
//! use mlharness::prelude::*;
//!
//! let ds = Dataset::from_columns(vec![
//!     ("calls".into(), Column::numeric(vec![1.0, 2.0, 6.0, 7.0])),
//!     ("churn".into(), Column::categorical([Some("no"), Some("no"), Some("yes"), Some("no")])),
//! ])?
//! .with_target("churn")?;
//! let baseline = MostFrequent::fit(&ds)?.predict(&ds)?;
//! assert_eq!(Metric::Accuracy.evaluate(&ds, &baseline)?, 0.75);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use crate::baseline::{Mean, Median, MostFrequent, Stratified, Uniform};
pub use crate::behaviour::{Directional, Invariance, Perturbation};
pub use crate::benchmark::{BeatsBaseline, KeyInstances, Slices};
pub use crate::budget::TimeBudget;
pub use crate::check::{CheckError, CheckFailure, Checked, Outcome};
pub use crate::config::{ConfigCheck, Format, Loader, Rules};
pub use crate::data::{Column, ColumnKind, CsvOptions, DataError, Dataset, Split};
pub use crate::differential::{Differential, Golden};
pub use crate::drift::{compare_csv, DriftOptions};
pub use crate::edge::{EdgeOptions, Expect, Oddity};
pub use crate::kind::Kind;
pub use crate::metrics::Metric;
pub use crate::model::{Model, ModelError, Predictions};
pub use crate::pipeline::{Parity, PipelineCheck};
pub use crate::schema::Schema;

#[cfg(feature = "snapshot")]
pub use crate::assert_config_snapshot;
#[cfg(feature = "system")]
pub use crate::system::{LatencyProbe, Service, ShutdownUnderLoad, StartOptions};
#[cfg(feature = "proptest")]
pub use crate::transform_properties;
pub use crate::{
    assert_drift, assert_no_drift, benchmark_score, config_diff, differential, drift_test,
    edge_cases, integration_checks, pipeline_test,
};
