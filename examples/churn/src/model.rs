//! The churn model: pipeline + logistic regression, trained with a seed, saved as a versioned
//! artifact.

use crate::pipeline::{FeaturePipeline, PipelineError};
use linfa::prelude::*;
use linfa_logistic::{FittedLogisticRegression, LogisticRegression};
use mlharness::data::{DataError, Dataset};
use mlharness::model::{Model, ModelError, Predictions};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The classes the model predicts, in probability-column order.
pub const CLASSES: [&str; 2] = ["no", "yes"];

/// Version of the artifact file format (not of the model).
pub const ARTIFACT_FORMAT: u32 = 1;

/// Why training, prediction or artifact I/O failed.
#[derive(Debug, thiserror::Error)]
pub enum ChurnError {
    /// The data does not fit the pipeline.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The target could not be read.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The input breaks the data contract (see [`crate::check_input`]).
    #[error(transparent)]
    InvalidInput(#[from] crate::InvalidInput),
    /// The optimiser failed.
    #[error("logistic regression failed to fit: {0}")]
    Fit(#[from] linfa_logistic::error::Error),
    /// The configuration is unusable.
    #[error("invalid training configuration: {0}")]
    Config(String),
    /// The artifact could not be read or written.
    #[error("{path}: {message}")]
    Artifact {
        /// The artifact file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// How to train: the seed, the optimiser's budget, regularisation, and which data to use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Seeds every random choice (the training subsample).
    pub seed: u64,
    /// L-BFGS iterations at most.
    pub max_iter: u64,
    /// L2 regularisation strength.
    pub alpha: f64,
    /// Share of the training rows to use (1.0 = all); a seeded random subsample otherwise.
    pub training_fraction: f64,
    /// Feature columns; `None` = every column but the target.
    pub features: Option<Vec<String>>,
    /// The version recorded in the artifact and served with predictions.
    pub model_version: String,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            seed: 42,
            max_iter: 200,
            alpha: 1.0,
            training_fraction: 1.0,
            features: None,
            model_version: "churn-logreg-1.0.0".into(),
        }
    }
}

/// The trained churn model and everything needed to predict: the fitted pipeline, the
/// regression, and its version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnModel {
    format: u32,
    model_version: String,
    config: TrainConfig,
    pipeline: FeaturePipeline,
    regression: FittedLogisticRegression<f64, usize>,
}

impl ChurnModel {
    /// Trains on `train` (whose target is `churn`) as `config` says.
    pub fn train(train: &Dataset, config: &TrainConfig) -> Result<Self, ChurnError> {
        if !(config.training_fraction > 0.0 && config.training_fraction <= 1.0) {
            return Err(ChurnError::Config(format!(
                "training_fraction must be in (0, 1], got {}",
                config.training_fraction
            )));
        }
        let train = if config.training_fraction < 1.0 {
            train
                .split_random(1.0 - config.training_fraction, config.seed)?
                .train
        } else {
            train.clone()
        };
        let features: Vec<String> = match &config.features {
            Some(f) => f.clone(),
            None => train
                .feature_names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        let pipeline = FeaturePipeline::fit(&train, &features)?;
        let x = pipeline.transform(&train)?;
        let classes: Vec<String> = CLASSES.iter().map(|s| s.to_string()).collect();
        let y = Array1::from(train.target_indices(&classes)?);
        let regression = LogisticRegression::default()
            .alpha(config.alpha)
            .max_iterations(config.max_iter)
            .fit(&linfa::Dataset::new(x, y))?;
        Ok(ChurnModel {
            format: ARTIFACT_FORMAT,
            model_version: config.model_version.clone(),
            config: config.clone(),
            pipeline,
            regression,
        })
    }

    /// The model's version string.
    pub fn model_version(&self) -> &str {
        &self.model_version
    }

    /// The configuration it was trained with.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The fitted feature pipeline.
    pub fn pipeline(&self) -> &FeaturePipeline {
        &self.pipeline
    }

    /// Probability of churn (`yes`) per row.
    pub fn churn_probability(&self, data: &Dataset) -> Result<Array1<f64>, ChurnError> {
        crate::check_input(data)?;
        let x = self.pipeline.transform(data)?;
        let p_pos = self.regression.predict_probabilities(&x);
        // linfa's "positive" class is the more frequent training class; turn it into P(yes).
        Ok(if self.regression.labels().pos.class == 1 {
            p_pos
        } else {
            p_pos.mapv(|p| 1.0 - p)
        })
    }

    /// Saves the model as a JSON artifact, atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ChurnError> {
        let path = path.as_ref();
        let json = serde_json::to_vec_pretty(self).map_err(|e| artifact_error(path, e))?;
        mlharness::fs::write_atomic(path, json).map_err(|e| artifact_error(path, e.source))
    }

    /// Loads an artifact written by [`ChurnModel::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ChurnError> {
        let path = path.as_ref();
        let text = std::fs::read(path).map_err(|e| artifact_error(path, e))?;
        let model: ChurnModel =
            serde_json::from_slice(&text).map_err(|e| artifact_error(path, e))?;
        if model.format != ARTIFACT_FORMAT {
            return Err(artifact_error(
                path,
                format!(
                    "artifact format {} is not the supported {ARTIFACT_FORMAT}",
                    model.format
                ),
            ));
        }
        Ok(model)
    }
}

fn artifact_error(path: &Path, e: impl std::fmt::Display) -> ChurnError {
    ChurnError::Artifact {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

impl Model for ChurnModel {
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
        let p_yes = self
            .churn_probability(data)
            .map_err(|e| ModelError::with_source(e.to_string(), e))?;
        let mut proba = Array2::zeros((p_yes.len(), 2));
        proba.column_mut(0).assign(&p_yes.mapv(|p| 1.0 - p));
        proba.column_mut(1).assign(&p_yes);
        Predictions::probabilities(CLASSES.iter().map(|s| s.to_string()).collect(), proba)
    }
}
