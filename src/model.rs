//! Models: anything that predicts over a [`Dataset`].
//!
//! [`Model`] is implemented for closures `Fn(&Dataset) -> Result<Predictions, ModelError>` and,
//! with the `linfa` feature, for linfa models through [`LinfaClassifier`] and [`LinfaRegressor`].
//! A model's failure is a [`ModelError`] the harness reports, not a panic.
//!
//! ```
//! use mlharness::data::{Column, Dataset};
//! use mlharness::model::{Model, ModelError, Predictions};
//!
//! // A rule-based model: churn when there are many service calls.
//! let model = |ds: &Dataset| -> Result<Predictions, ModelError> {
//!     let calls = ds.numeric("service_calls")?.values();
//!     let labels = calls.iter().map(|&c| usize::from(c > 3.0)).collect();
//!     Predictions::classes(vec!["no".into(), "yes".into()], labels)
//! };
//! let ds = Dataset::from_columns(vec![("service_calls".into(), Column::numeric(vec![1.0, 5.0]))])?;
//! let preds = model.predict(&ds)?;
//! assert_eq!(preds.as_classes().unwrap().labels(), &[0, 1]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::data::{DataError, Dataset};
use ndarray::{Array2, ArrayView1, Axis};

/// A model's failure to predict, as a value the harness can report.
///
/// ```
/// use mlharness::model::ModelError;
/// let err = ModelError::new("feature `tenure` is missing");
/// assert_eq!(err.to_string(), "feature `tenure` is missing");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ModelError {
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ModelError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        ModelError {
            message: message.into(),
            source: None,
        }
    }

    /// An error with a message and the underlying cause.
    pub fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ModelError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// The message, without the cause.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<DataError> for ModelError {
    fn from(e: DataError) -> Self {
        ModelError {
            message: e.to_string(),
            source: Some(Box::new(e)),
        }
    }
}

/// Something that predicts over a dataset.
pub trait Model {
    /// One prediction per row of `data`.
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError>;
}

impl<F> Model for F
where
    F: Fn(&Dataset) -> Result<Predictions, ModelError>,
{
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
        self(data)
    }
}

/// A model's output: class labels (with optional class probabilities) or regression values.
#[derive(Debug, Clone, PartialEq)]
pub enum Predictions {
    /// A classifier's output.
    Classes(ClassPredictions),
    /// A regressor's output.
    Values(Vec<f64>),
}

/// Class predictions: the class names, a label (index into the names) per row, and optionally
/// a `rows × classes` matrix of probabilities.
///
/// Values are kept as the model gave them — a `NaN` probability is stored, not rejected — so
/// that checks can report a broken model instead of failing to build its output.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassPredictions {
    classes: Vec<String>,
    labels: Vec<usize>,
    probabilities: Option<Array2<f64>>,
}

impl Predictions {
    /// Class labels without probabilities. Every label must index into `classes`.
    ///
    /// ```
    /// use mlharness::model::Predictions;
    /// assert!(Predictions::classes(vec!["a".into()], vec![0, 1]).is_err());
    /// ```
    pub fn classes(classes: Vec<String>, labels: Vec<usize>) -> Result<Self, ModelError> {
        if let Some((row, l)) = labels.iter().enumerate().find(|(_, &l)| l >= classes.len()) {
            return Err(ModelError::new(format!(
                "row {row}: label {l} is not a class index (the model has {} classes: {})",
                classes.len(),
                classes.join(", ")
            )));
        }
        Ok(Predictions::Classes(ClassPredictions {
            classes,
            labels,
            probabilities: None,
        }))
    }

    /// Class probabilities, one column per class; each row's label is its most probable class
    /// (the first one on a tie, as numpy's `argmax`).
    ///
    /// ```
    /// use mlharness::model::Predictions;
    /// let p = Predictions::probabilities(vec!["no".into(), "yes".into()], ndarray::array![[0.9, 0.1], [0.3, 0.7]])?;
    /// assert_eq!(p.as_classes().unwrap().labels(), &[0, 1]);
    /// # Ok::<(), mlharness::model::ModelError>(())
    /// ```
    pub fn probabilities(
        classes: Vec<String>,
        probabilities: Array2<f64>,
    ) -> Result<Self, ModelError> {
        if probabilities.ncols() != classes.len() {
            return Err(ModelError::new(format!(
                "probabilities have {} columns, but the model has {} classes ({})",
                probabilities.ncols(),
                classes.len(),
                classes.join(", ")
            )));
        }
        let labels = probabilities
            .axis_iter(Axis(0))
            .map(|row| {
                row.iter()
                    .enumerate()
                    .fold((0, f64::NEG_INFINITY), |(bi, bp), (i, &p)| {
                        if p > bp {
                            (i, p)
                        } else {
                            (bi, bp)
                        }
                    })
                    .0
            })
            .collect();
        Ok(Predictions::Classes(ClassPredictions {
            classes,
            labels,
            probabilities: Some(probabilities),
        }))
    }

    /// Class labels together with probabilities, for models whose label is not simply the most
    /// probable class (a random baseline, a tuned decision threshold).
    pub fn classes_with_probabilities(
        classes: Vec<String>,
        labels: Vec<usize>,
        probabilities: Array2<f64>,
    ) -> Result<Self, ModelError> {
        if probabilities.dim() != (labels.len(), classes.len()) {
            return Err(ModelError::new(format!(
                "probabilities are {}×{}, expected {} rows × {} classes",
                probabilities.nrows(),
                probabilities.ncols(),
                labels.len(),
                classes.len()
            )));
        }
        match Self::classes(classes, labels)? {
            Predictions::Classes(c) => Ok(Predictions::Classes(ClassPredictions {
                probabilities: Some(probabilities),
                ..c
            })),
            values @ Predictions::Values(_) => Ok(values),
        }
    }

    /// Regression values.
    pub fn values(values: Vec<f64>) -> Self {
        Predictions::Values(values)
    }

    /// Number of predictions.
    pub fn len(&self) -> usize {
        match self {
            Predictions::Classes(c) => c.labels.len(),
            Predictions::Values(v) => v.len(),
        }
    }

    /// True when there are no predictions.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The class predictions, if this is a classifier's output.
    pub fn as_classes(&self) -> Option<&ClassPredictions> {
        match self {
            Predictions::Classes(c) => Some(c),
            Predictions::Values(_) => None,
        }
    }

    /// The regression values, if this is a regressor's output.
    pub fn as_values(&self) -> Option<&[f64]> {
        match self {
            Predictions::Values(v) => Some(v),
            Predictions::Classes(_) => None,
        }
    }
}

impl ClassPredictions {
    /// Class names; labels index into them.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Per row, the predicted class index.
    pub fn labels(&self) -> &[usize] {
        &self.labels
    }

    /// Per row, the predicted class name.
    pub fn label_names(&self) -> impl Iterator<Item = &str> {
        self.labels.iter().map(|&l| self.classes[l].as_str())
    }

    /// The `rows × classes` probability matrix, if the model gives one.
    pub fn probabilities(&self) -> Option<&Array2<f64>> {
        self.probabilities.as_ref()
    }

    /// For a two-class model with probabilities, the probability of the second class
    /// (the "positive" one, e.g. `yes` in `[no, yes]`): the score ROC AUC ranks by.
    pub fn positive_scores(&self) -> Option<ArrayView1<'_, f64>> {
        match &self.probabilities {
            Some(p) if self.classes.len() == 2 => Some(p.column(1)),
            _ => None,
        }
    }
}

#[cfg(feature = "linfa")]
mod linfa_adapter {
    use super::*;
    use linfa::traits::PredictInplace;
    use ndarray::Array1;

    type ProbabilityFn<M> = Box<dyn Fn(&M, &Array2<f64>) -> Array2<f64>>;

    /// A linfa classifier that predicts class indices from `Array2<f64>`, adapted to [`Model`].
    ///
    /// The named feature columns are encoded with [`Dataset::to_array`]; do your own feature
    /// engineering in a closure model when you need more.
    ///
    /// ```
    /// # #[cfg(feature = "linfa")] {
    /// use linfa::traits::PredictInplace;
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::model::{LinfaClassifier, Model};
    /// use ndarray::{Array1, Array2};
    ///
    /// // Any type implementing linfa's PredictInplace works; here, a threshold on one feature.
    /// struct Threshold;
    /// impl PredictInplace<Array2<f64>, Array1<usize>> for Threshold {
    ///     fn predict_inplace(&self, x: &Array2<f64>, y: &mut Array1<usize>) {
    ///         for (yi, xi) in y.iter_mut().zip(x.column(0)) { *yi = usize::from(*xi > 0.5); }
    ///     }
    ///     fn default_target(&self, x: &Array2<f64>) -> Array1<usize> { Array1::zeros(x.nrows()) }
    /// }
    /// let model = LinfaClassifier::new(Threshold, &["x"], &["no", "yes"]);
    /// let ds = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.2, 0.9]))])?;
    /// assert_eq!(model.predict(&ds)?.as_classes().unwrap().labels(), &[0, 1]);
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub struct LinfaClassifier<M> {
        model: M,
        features: Vec<String>,
        classes: Vec<String>,
        probabilities: Option<ProbabilityFn<M>>,
    }

    impl<M> LinfaClassifier<M> {
        /// Wraps `model`, which reads the named `features` and predicts indices into `classes`.
        pub fn new(model: M, features: &[&str], classes: &[&str]) -> Self {
            LinfaClassifier {
                model,
                features: features.iter().map(|s| s.to_string()).collect(),
                classes: classes.iter().map(|s| s.to_string()).collect(),
                probabilities: None,
            }
        }

        /// Adds class probabilities, computed from the model and the encoded features
        /// (linfa has no common trait for them).
        pub fn with_probabilities(
            mut self,
            f: impl Fn(&M, &Array2<f64>) -> Array2<f64> + 'static,
        ) -> Self {
            self.probabilities = Some(Box::new(f));
            self
        }

        /// The wrapped model.
        pub fn inner(&self) -> &M {
            &self.model
        }
    }

    impl<M: PredictInplace<Array2<f64>, Array1<usize>>> Model for LinfaClassifier<M> {
        fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
            let names: Vec<&str> = self.features.iter().map(String::as_str).collect();
            let x = data.to_array(&names)?;
            if let Some(proba) = &self.probabilities {
                return Predictions::probabilities(self.classes.clone(), proba(&self.model, &x));
            }
            let mut y = self.model.default_target(&x);
            self.model.predict_inplace(&x, &mut y);
            Predictions::classes(self.classes.clone(), y.to_vec())
        }
    }

    /// A linfa regressor that predicts `f64` values from `Array2<f64>`, adapted to [`Model`].
    pub struct LinfaRegressor<M> {
        model: M,
        features: Vec<String>,
    }

    impl<M> LinfaRegressor<M> {
        /// Wraps `model`, which reads the named `features`.
        pub fn new(model: M, features: &[&str]) -> Self {
            LinfaRegressor {
                model,
                features: features.iter().map(|s| s.to_string()).collect(),
            }
        }
    }

    impl<M: PredictInplace<Array2<f64>, Array1<f64>>> Model for LinfaRegressor<M> {
        fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
            let names: Vec<&str> = self.features.iter().map(String::as_str).collect();
            let x = data.to_array(&names)?;
            let mut y = self.model.default_target(&x);
            self.model.predict_inplace(&x, &mut y);
            Ok(Predictions::values(y.to_vec()))
        }
    }
}

#[cfg(feature = "linfa")]
pub use linfa_adapter::{LinfaClassifier, LinfaRegressor};
