//! A subscriber-churn model: a feature pipeline (median imputation, standardised numerics,
//! one-hot categoricals with an `<unseen>` column), a linfa logistic regression, training with
//! a seed, and a versioned artifact that carries the fitted pipeline.
//!
//! It is the system mlharness's own examples test, and the shape a user's project takes:
//! the model in `src/`, its test suite in `tests/` written with mlharness.
//!
//! ```no_run
//! use churn::{load_churn, ChurnModel, TrainConfig};
//! use mlharness::metrics::Metric;
//! use mlharness::model::Model;
//!
//! let split = load_churn()?.split_stratified("churn", 0.2, 42)?;
//! // config/model.toml over the defaults, `${CHURN_SEED}` etc. from the environment.
//! let model = ChurnModel::train(&split.train, &TrainConfig::load()?)?;
//! let auc = Metric::RocAuc.evaluate(&split.test, &model.predict(&split.test)?)?;
//! assert!(auc >= 0.80);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod contract;
mod model;
mod pipeline;
mod request;

pub use contract::{check_input, schema, InvalidInput, REFUSED, SCHEMA_JSON};
pub use model::{config_path, ChurnError, ChurnModel, TrainConfig, ARTIFACT_FORMAT, CLASSES, LOSS};
pub use pipeline::{FeaturePipeline, PipelineError, UNSEEN};
pub use request::{parse_request, serving_columns, BadRequest, PredictRequest};

use mlharness::data::{ColumnKind, CsvOptions, DataError, Dataset};
use std::path::PathBuf;

/// The churn data shipped in the workspace's `fixtures/` (5,000 subscribers, 20 columns).
pub fn churn_csv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/churn.csv")
}

/// Loads the churn data with `churn` (yes/no) as the target. `area_code` is categorical.
pub fn load_churn() -> Result<Dataset, DataError> {
    Dataset::from_csv_with(
        churn_csv(),
        &CsvOptions::default()
            .target("churn")
            .kind("area_code", ColumnKind::Categorical),
    )
}
