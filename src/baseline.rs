//! Naive baselines: the "low benchmark" a real model must beat.
//!
//! Each baseline is fitted on a training dataset's target and then predicts any dataset,
//! ignoring its features, as scikit-learn's `DummyClassifier` / `DummyRegressor` do.
//!
//! ```
//! use mlharness::baseline::MostFrequent;
//! use mlharness::data::{Column, Dataset};
//! use mlharness::model::Model;
//!
//! let train = Dataset::from_columns(vec![(
//!     "churn".into(),
//!     Column::categorical([Some("no"), Some("no"), Some("yes")]),
//! )])?
//! .with_target("churn")?;
//! let baseline = MostFrequent::fit(&train)?;
//! let preds = baseline.predict(&train)?;
//! let classes = preds.as_classes().unwrap();
//! assert_eq!(classes.label_names().collect::<Vec<_>>(), vec!["no", "no", "no"]);
//! assert_eq!(classes.probabilities().unwrap().row(0).to_vec(), vec![2.0 / 3.0, 1.0 / 3.0]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::data::{DataError, Dataset};
use crate::model::{Model, ModelError, Predictions};
use ndarray::Array2;
use rand::distributions::{Distribution, WeightedIndex};
use rand::Rng;

/// Class shares of the training target.
#[derive(Debug, Clone, PartialEq)]
struct Priors {
    classes: Vec<String>,
    shares: Vec<f64>,
}

impl Priors {
    fn fit(train: &Dataset) -> Result<Self, DataError> {
        let labels = train.target_labels()?;
        if labels.y.is_empty() {
            return Err(DataError::EmptyDataset {
                what: "fitting a baseline",
            });
        }
        let mut counts = vec![0usize; labels.classes.len()];
        for &l in &labels.y {
            counts[l] += 1;
        }
        let n = labels.y.len() as f64;
        // Only classes the training rows hold: a level kept from a larger dataset is unknown here.
        let (classes, shares) = labels
            .classes
            .into_iter()
            .zip(counts)
            .filter(|(_, c)| *c > 0)
            .map(|(class, c)| (class, c as f64 / n))
            .unzip();
        Ok(Priors { classes, shares })
    }

    fn matrix(&self, n_rows: usize, row: impl Fn(usize) -> Vec<f64>) -> Array2<f64> {
        let k = self.classes.len();
        let mut m = Array2::zeros((n_rows, k));
        for (i, mut r) in m.outer_iter_mut().enumerate() {
            r.assign(&ndarray::Array1::from(row(i)));
        }
        m
    }
}

/// Always predicts the most frequent training class (the first one on a tie); its
/// probabilities are the training class shares (scikit-learn's `strategy="prior"`).
#[derive(Debug, Clone, PartialEq)]
pub struct MostFrequent {
    priors: Priors,
}

impl MostFrequent {
    /// Learns the class shares of `train`'s target.
    pub fn fit(train: &Dataset) -> Result<Self, DataError> {
        Ok(MostFrequent {
            priors: Priors::fit(train)?,
        })
    }
}

impl Model for MostFrequent {
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
        let p = &self.priors;
        Predictions::probabilities(
            p.classes.clone(),
            p.matrix(data.n_rows(), |_| p.shares.clone()),
        )
    }
}

/// Predicts classes drawn at random with the training class shares (seeded); each row's
/// probability is 1 for its drawn class (scikit-learn's `strategy="stratified"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Stratified {
    priors: Priors,
    seed: u64,
}

impl Stratified {
    /// Learns the class shares of `train`'s target; predictions draw from `seed`.
    pub fn fit(train: &Dataset, seed: u64) -> Result<Self, DataError> {
        Ok(Stratified {
            priors: Priors::fit(train)?,
            seed,
        })
    }
}

impl Model for Stratified {
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
        let p = &self.priors;
        let dist = WeightedIndex::new(&p.shares)
            .map_err(|e| ModelError::with_source("class shares are not a distribution", e))?;
        let mut rng = crate::data::rng(self.seed);
        let drawn: Vec<usize> = (0..data.n_rows()).map(|_| dist.sample(&mut rng)).collect();
        let k = p.classes.len();
        Predictions::probabilities(
            p.classes.clone(),
            p.matrix(data.n_rows(), |i| {
                (0..k).map(|c| f64::from(u8::from(c == drawn[i]))).collect()
            }),
        )
    }
}

/// Predicts a class drawn uniformly at random (seeded); probabilities are `1 / classes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Uniform {
    classes: Vec<String>,
    seed: u64,
}

impl Uniform {
    /// Learns the classes of `train`'s target; predictions draw from `seed`.
    pub fn fit(train: &Dataset, seed: u64) -> Result<Self, DataError> {
        Ok(Uniform {
            classes: Priors::fit(train)?.classes,
            seed,
        })
    }
}

impl Model for Uniform {
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
        let k = self.classes.len();
        let mut rng = crate::data::rng(self.seed);
        let labels = (0..data.n_rows()).map(|_| rng.gen_range(0..k)).collect();
        // Labels are the draws, not the (tied) argmax of the flat probabilities.
        let probabilities = Array2::from_elem((data.n_rows(), k), 1.0 / k as f64);
        Predictions::classes_with_probabilities(self.classes.clone(), labels, probabilities)
    }
}

/// Always predicts the training target's mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mean {
    value: f64,
}

impl Mean {
    /// Learns the mean of `train`'s numeric target.
    pub fn fit(train: &Dataset) -> Result<Self, DataError> {
        let y = non_empty_target(train)?;
        Ok(Mean {
            value: y.iter().sum::<f64>() / y.len() as f64,
        })
    }

    /// The constant it predicts.
    pub fn value(&self) -> f64 {
        self.value
    }
}

/// Always predicts the training target's median (the mean of the two middle values for an
/// even count, as numpy's `median`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Median {
    value: f64,
}

impl Median {
    /// Learns the median of `train`'s numeric target.
    pub fn fit(train: &Dataset) -> Result<Self, DataError> {
        non_empty_target(train)?;
        let name = train.target_name().ok_or(DataError::NoTarget)?;
        let value = train
            .numeric(name)?
            .median()
            .ok_or(DataError::EmptyDataset {
                what: "fitting a baseline",
            })?;
        Ok(Median { value })
    }

    /// The constant it predicts.
    pub fn value(&self) -> f64 {
        self.value
    }
}

fn non_empty_target(train: &Dataset) -> Result<&[f64], DataError> {
    let y = train.target_values()?;
    if y.is_empty() {
        return Err(DataError::EmptyDataset {
            what: "fitting a baseline",
        });
    }
    Ok(y)
}

impl Model for Mean {
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
        Ok(Predictions::values(vec![self.value; data.n_rows()]))
    }
}

impl Model for Median {
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
        Ok(Predictions::values(vec![self.value; data.n_rows()]))
    }
}
