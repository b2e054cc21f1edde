//! The churn model: pipeline + logistic regression, trained with a seed, saved as a versioned
//! artifact.

use crate::pipeline::{FeaturePipeline, PipelineError};
use linfa::prelude::*;
use linfa_logistic::{FittedLogisticRegression, LogisticRegression};
use mlharness::config::{ConfigError, Env, Loader, Value};
use mlharness::data::{DataError, Dataset};
use mlharness::model::{Model, ModelError, Predictions};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

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
    /// The configuration file could not be read, expanded or understood.
    #[error(transparent)]
    ConfigFile(#[from] ConfigError),
    /// The artifact could not be read or written.
    #[error("{path}: {message}")]
    Artifact {
        /// The artifact file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// The loss the logistic regression minimises; the only one it supports.
pub const LOSS: &str = "log_loss";

/// How to train: the seed, the optimiser's budget, regularisation, and which data to use.
///
/// The service reads it from `config/model.toml` ([`TrainConfig::load`]): the file over these
/// defaults, with `${VAR:-default}` expanded from the environment. An unknown key is an error,
/// so a misspelt setting cannot fall back to its default unnoticed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// The loss minimised: [`LOSS`] (`log_loss`) is the only one logistic regression fits.
    pub loss: String,
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
            loss: LOSS.into(),
        }
    }
}

/// `config/model.toml`: the training configuration checked in with the example.
pub fn config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/model.toml")
}

impl TrainConfig {
    /// The configuration the service trains with: [`config_path`] over the defaults, expanded
    /// with the process environment.
    pub fn load() -> Result<Self, ChurnError> {
        Self::from_file(config_path(), &Env::process())
    }

    /// Reads a config file over [`TrainConfig::default`], expanding `${VAR}` from `env`.
    pub fn from_file(path: impl AsRef<Path>, env: &Env) -> Result<Self, ChurnError> {
        let path = path.as_ref();
        let config: TrainConfig =
            Self::resolve(path, env)?.deserialize_into(&path.display().to_string())?;
        config.validate()?;
        Ok(config)
    }

    /// The config tree [`TrainConfig::from_file`] reads: what the service would run with,
    /// defaults included, for config-diff tests.
    pub fn resolve(path: impl AsRef<Path>, env: &Env) -> Result<Value, ConfigError> {
        Loader::new()
            .defaults(&TrainConfig::default())
            .env(env.clone())
            .load(path)
    }

    /// Refuses settings training cannot honour.
    pub fn validate(&self) -> Result<(), ChurnError> {
        if self.loss != LOSS {
            return Err(ChurnError::Config(format!(
                "loss `{}` is not supported: logistic regression minimises `{LOSS}`",
                self.loss
            )));
        }
        if !(self.training_fraction > 0.0 && self.training_fraction <= 1.0) {
            return Err(ChurnError::Config(format!(
                "training_fraction must be in (0, 1], got {}",
                self.training_fraction
            )));
        }
        Ok(())
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
        config.validate()?;
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
