//! Metrics, computed as scikit-learn computes them.
//!
//! Classification metrics take class indices (`&[usize]`, as in
//! [`ClassPredictions::labels`](crate::model::ClassPredictions::labels)); regression metrics take
//! `&[f64]`. Every function checks its input — equal lengths, at least one row, finite values,
//! valid probabilities — and says what is wrong with a [`MetricError`] instead of returning a
//! silently wrong number. The test suite compares each one with scikit-learn on the same inputs
//! (`fixtures/reference/metrics.json`) to within 1e-9.
//!
//! Conventions, as scikit-learn's defaults:
//! - precision, recall and F1 are 0 where their denominator is 0 (`zero_division=0`);
//!   F1 is `2·tp / (2·tp + fp + fn)`;
//! - macro averages run over the classes present in the truth or the predictions; weighted
//!   averages weight each class by its support in the truth;
//! - balanced accuracy is the mean recall over the classes present in the truth;
//! - ROC AUC counts tied scores as half a correct ranking;
//! - log loss clips probabilities to `[ε, 1 − ε]` with ε the `f64` machine epsilon;
//! - R² is 1 for a perfect fit of a constant truth, 0 for an imperfect one;
//! - MAPE is a fraction (not a percentage) with `max(|y|, ε)` as the denominator;
//! - multiclass ROC AUC needs every class in the truth; one-vs-one is Hand & Till's, its
//!   weighted average weighting each pair of classes by its share of the rows;
//! - the Brier score is the mean of `Σ (p − onehot)²` over rows, halved for two classes (so it
//!   is the binary `(p₁ − y)²` there), as `brier_score_loss`'s default;
//! - the expected calibration error bins the top-class confidence into equal-width bins,
//!   bin `min(⌊conf · bins⌋, bins − 1)`.
//!
//! ```
//! use mlharness::metrics::{self, Average};
//! let truth = [0, 1, 1, 0];
//! let predicted = [0, 1, 0, 0];
//! assert_eq!(metrics::accuracy(&truth, &predicted)?, 0.75);
//! assert_eq!(metrics::recall(&truth, &predicted, Average::Binary)?, 0.5);
//! assert_eq!(metrics::roc_auc(&truth, &[0.1, 0.9, 0.4, 0.3])?, 1.0);
//! # Ok::<(), mlharness::metrics::MetricError>(())
//! ```

mod calibration;
mod multiclass;

pub use self::calibration::{
    brier_score, calibration, reliability_curve, Calibration, ReliabilityBin,
};
pub use self::multiclass::{per_class, roc_auc_multiclass, ClassMetrics, Multiclass};

use crate::data::{DataError, Dataset};
use crate::model::Predictions;
use crate::order::order_key;
use ndarray::{Array2, ArrayView2};
use std::fmt;

/// Why a metric could not be computed.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum MetricError {
    /// Truth and predictions differ in length.
    #[error(
        "{truth} true values but {predicted} predictions: each row needs exactly one prediction"
    )]
    LengthMismatch {
        /// Rows of truth.
        truth: usize,
        /// Predictions given.
        predicted: usize,
    },
    /// No rows.
    #[error("no rows to score: the metric is undefined on an empty input")]
    Empty,
    /// A value is NaN or infinite.
    #[error("{what} in row {row} is {value}: metrics need finite numbers")]
    NonFinite {
        /// Which input: `truth`, `prediction` or `score`.
        what: &'static str,
        /// 0-based row.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A binary metric got a label other than 0 and 1.
    #[error("row {row} has label {label}, but a binary metric needs labels 0 and 1 (use a macro or weighted average for more classes)")]
    NotBinary {
        /// 0-based row.
        row: usize,
        /// The label found.
        label: usize,
    },
    /// ROC AUC needs both classes in the truth.
    #[error("ROC AUC is undefined: the truth has only class {class} ({n} rows)")]
    SingleClass {
        /// The one class.
        class: usize,
        /// Rows.
        n: usize,
    },
    /// A multiclass ROC AUC needs every class in the truth.
    #[error("ROC AUC is undefined for class {class}: it never occurs in the truth (of {n_classes} classes); every class needs positive rows")]
    ClassAbsent {
        /// The absent class.
        class: usize,
        /// Classes (probability columns).
        n_classes: usize,
    },
    /// A calibration needs at least one bin.
    #[error("{bins} bins: a calibration needs at least one")]
    InvalidBins {
        /// The bins asked for.
        bins: usize,
    },
    /// A probability row is not a distribution.
    #[error("row {row}: {problem}")]
    InvalidProbabilities {
        /// 0-based row.
        row: usize,
        /// What is wrong.
        problem: String,
    },
    /// A label index is absurdly large (more than 65,536 classes).
    #[error("row {row} has label {label}: more than 65536 classes is not a classification")]
    TooManyClasses {
        /// 0-based row.
        row: usize,
        /// The label.
        label: usize,
    },
    /// The metric does not fit the predictions (a regression metric on class labels, ROC AUC
    /// without probabilities…).
    #[error("{metric} cannot be computed from {found}")]
    WrongPredictions {
        /// The metric.
        metric: Metric,
        /// What the model gave.
        found: &'static str,
    },
    /// The truth could not be read from the dataset.
    #[error("{0}")]
    Data(String),
}

impl From<DataError> for MetricError {
    fn from(e: DataError) -> Self {
        MetricError::Data(e.to_string())
    }
}

type Result<T> = std::result::Result<T, MetricError>;

/// How precision, recall and F1 combine classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Average {
    /// Only the positive class, label 1 (labels must be 0 and 1).
    Binary,
    /// Unweighted mean over the classes present.
    Macro,
    /// Mean over classes weighted by their support in the truth.
    Weighted,
}

fn check_lengths(truth: usize, predicted: usize) -> Result<()> {
    if truth != predicted {
        return Err(MetricError::LengthMismatch { truth, predicted });
    }
    if truth == 0 {
        return Err(MetricError::Empty);
    }
    Ok(())
}

fn check_finite(what: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(MetricError::NonFinite {
            what,
            row,
            value: values[row],
        }),
        None => Ok(()),
    }
}

const MAX_CLASSES: usize = 1 << 16;

/// A confusion matrix: `counts[[t, p]]` is the number of rows of true class `t` predicted `p`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix {
    counts: Array2<u64>,
}

impl ConfusionMatrix {
    /// Counts over `n_classes` classes (at least the largest label + 1).
    ///
    /// ```
    /// use mlharness::metrics::ConfusionMatrix;
    /// let cm = ConfusionMatrix::new(&[0, 1, 1], &[0, 0, 1], 2)?;
    /// assert_eq!(cm.counts(), &ndarray::array![[1, 0], [1, 1]]);
    /// # Ok::<(), mlharness::metrics::MetricError>(())
    /// ```
    pub fn new(truth: &[usize], predicted: &[usize], n_classes: usize) -> Result<Self> {
        check_lengths(truth.len(), predicted.len())?;
        let k = n_classes.max(n_labels(truth)?).max(n_labels(predicted)?);
        let mut flat = vec![0u64; k * k];
        for (&t, &p) in truth.iter().zip(predicted) {
            flat[t * k + p] += 1;
        }
        Ok(ConfusionMatrix {
            counts: Array2::from_shape_vec((k, k), flat).expect("k*k cells"),
        })
    }

    /// The counts, truth in rows and predictions in columns.
    pub fn counts(&self) -> &Array2<u64> {
        &self.counts
    }

    fn k(&self) -> usize {
        self.counts.nrows()
    }

    fn true_count(&self, c: usize) -> u64 {
        self.counts.row(c).sum()
    }

    fn predicted_count(&self, c: usize) -> u64 {
        self.counts.column(c).sum()
    }

    fn tp(&self, c: usize) -> u64 {
        self.counts[[c, c]]
    }

    fn present(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.k()).filter(|&c| self.true_count(c) + self.predicted_count(c) > 0)
    }

    fn per_class(&self, c: usize, which: Which) -> f64 {
        let tp = self.tp(c) as f64;
        let denominator = match which {
            Which::Precision => self.predicted_count(c) as f64,
            Which::Recall => self.true_count(c) as f64,
            Which::F1 => (self.predicted_count(c) + self.true_count(c)) as f64 / 2.0,
        };
        if denominator == 0.0 {
            0.0
        } else {
            tp / denominator
        }
    }

    fn average(
        &self,
        which: Which,
        average: Average,
        truth: &[usize],
        predicted: &[usize],
    ) -> Result<f64> {
        match average {
            Average::Binary => {
                if let Some((row, &label)) = truth
                    .iter()
                    .chain(predicted)
                    .enumerate()
                    .find(|(_, &l)| l > 1)
                {
                    return Err(MetricError::NotBinary {
                        row: row % truth.len(),
                        label,
                    });
                }
                Ok(if self.k() > 1 {
                    self.per_class(1, which)
                } else {
                    0.0
                })
            }
            Average::Macro => {
                let present: Vec<usize> = self.present().collect();
                Ok(present
                    .iter()
                    .map(|&c| self.per_class(c, which))
                    .sum::<f64>()
                    / present.len() as f64)
            }
            Average::Weighted => {
                let total: u64 = (0..self.k()).map(|c| self.true_count(c)).sum();
                Ok((0..self.k())
                    .map(|c| self.true_count(c) as f64 * self.per_class(c, which))
                    .sum::<f64>()
                    / total as f64)
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Which {
    Precision,
    Recall,
    F1,
}

fn n_labels(labels: &[usize]) -> Result<usize> {
    let max = labels.iter().copied().max().unwrap_or(0);
    if max >= MAX_CLASSES {
        let row = labels.iter().position(|&l| l == max).unwrap_or(0);
        return Err(MetricError::TooManyClasses { row, label: max });
    }
    Ok(max + 1)
}

/// The confusion matrix over `n_classes` classes (more if a label is larger).
pub fn confusion_matrix(
    truth: &[usize],
    predicted: &[usize],
    n_classes: usize,
) -> Result<ConfusionMatrix> {
    ConfusionMatrix::new(truth, predicted, n_classes)
}

/// Share of rows predicted right.
pub fn accuracy(truth: &[usize], predicted: &[usize]) -> Result<f64> {
    check_lengths(truth.len(), predicted.len())?;
    let right = truth.iter().zip(predicted).filter(|(t, p)| t == p).count();
    Ok(right as f64 / truth.len() as f64)
}

/// Mean recall over the classes present in the truth: 0.5 for a majority-class guess on two
/// classes, however imbalanced.
pub fn balanced_accuracy(truth: &[usize], predicted: &[usize]) -> Result<f64> {
    let cm = ConfusionMatrix::new(truth, predicted, 0)?;
    let classes: Vec<usize> = (0..cm.k()).filter(|&c| cm.true_count(c) > 0).collect();
    Ok(classes
        .iter()
        .map(|&c| cm.per_class(c, Which::Recall))
        .sum::<f64>()
        / classes.len() as f64)
}

/// Precision: of the rows predicted a class, the share that are.
pub fn precision(truth: &[usize], predicted: &[usize], average: Average) -> Result<f64> {
    ConfusionMatrix::new(truth, predicted, 0)?.average(Which::Precision, average, truth, predicted)
}

/// Recall: of the rows of a class, the share predicted so.
pub fn recall(truth: &[usize], predicted: &[usize], average: Average) -> Result<f64> {
    ConfusionMatrix::new(truth, predicted, 0)?.average(Which::Recall, average, truth, predicted)
}

/// F1: `2·tp / (2·tp + fp + fn)` per class, then averaged.
pub fn f1(truth: &[usize], predicted: &[usize], average: Average) -> Result<f64> {
    ConfusionMatrix::new(truth, predicted, 0)?.average(Which::F1, average, truth, predicted)
}

/// Area under the ROC curve of a binary classifier: the probability that a random positive
/// (label 1) scores above a random negative, ties counting one half.
pub fn roc_auc(truth: &[usize], scores: &[f64]) -> Result<f64> {
    check_lengths(truth.len(), scores.len())?;
    check_finite("score", scores)?;
    if let Some(row) = truth.iter().position(|&l| l > 1) {
        return Err(MetricError::NotBinary {
            row,
            label: truth[row],
        });
    }
    let n_pos = truth.iter().filter(|&&l| l == 1).count() as u128;
    let n_neg = truth.len() as u128 - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return Err(MetricError::SingleClass {
            class: truth[0],
            n: truth.len(),
        });
    }
    let mut keyed: Vec<(u64, bool)> = scores
        .iter()
        .zip(truth)
        .map(|(&s, &t)| (order_key(s), t == 1))
        .collect();
    keyed.sort_unstable_by_key(|k| k.0);
    // Mann–Whitney: twice the rank sum of the positives, ties at their mid-rank, in integers
    // so a million rows lose no precision.
    let mut twice_rank_sum: u128 = 0;
    let mut start = 0;
    while start < keyed.len() {
        let mut end = start;
        let mut positives = 0u128;
        while end < keyed.len() && keyed[end].0 == keyed[start].0 {
            positives += u128::from(keyed[end].1);
            end += 1;
        }
        // Ranks start+1 ..= end, mid-rank (start + 1 + end) / 2.
        twice_rank_sum += positives * (start as u128 + 1 + end as u128);
        start = end;
    }
    let twice_u = twice_rank_sum - n_pos * (n_pos + 1);
    Ok(twice_u as f64 / (2 * n_pos * n_neg) as f64)
}

/// Checks that `probabilities` has a row per truth value, a column for each true label, and
/// rows that are distributions (in [0, 1], summing to 1 within 1e-6).
fn check_probabilities(truth: &[usize], probabilities: ArrayView2<'_, f64>) -> Result<()> {
    check_lengths(truth.len(), probabilities.nrows())?;
    for (row, (p, &t)) in probabilities.outer_iter().zip(truth).enumerate() {
        let invalid = |problem: String| MetricError::InvalidProbabilities { row, problem };
        if t >= p.len() {
            return Err(invalid(format!(
                "true label {t} has no probability column ({} columns)",
                p.len()
            )));
        }
        if let Some(bad) = p.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            return Err(invalid(format!("probability {bad} is outside [0, 1]")));
        }
        let sum: f64 = p.sum();
        if (sum - 1.0).abs() > 1e-6 {
            return Err(invalid(format!("probabilities sum to {sum}, not 1")));
        }
    }
    Ok(())
}

/// Cross-entropy of class probabilities (`rows × classes`, each row summing to 1 within 1e-6).
pub fn log_loss(truth: &[usize], probabilities: ArrayView2<'_, f64>) -> Result<f64> {
    check_probabilities(truth, probabilities)?;
    let eps = f64::EPSILON;
    let total: f64 = probabilities
        .outer_iter()
        .zip(truth)
        .map(|(p, &t)| -p[t].clamp(eps, 1.0 - eps).ln())
        .sum();
    Ok(total / truth.len() as f64)
}

fn regression_inputs(truth: &[f64], predicted: &[f64]) -> Result<()> {
    check_lengths(truth.len(), predicted.len())?;
    check_finite("truth", truth)?;
    check_finite("prediction", predicted)
}

/// Mean squared error.
pub fn mse(truth: &[f64], predicted: &[f64]) -> Result<f64> {
    regression_inputs(truth, predicted)?;
    Ok(truth
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p) * (t - p))
        .sum::<f64>()
        / truth.len() as f64)
}

/// Root mean squared error.
pub fn rmse(truth: &[f64], predicted: &[f64]) -> Result<f64> {
    mse(truth, predicted).map(f64::sqrt)
}

/// Mean absolute error.
pub fn mae(truth: &[f64], predicted: &[f64]) -> Result<f64> {
    regression_inputs(truth, predicted)?;
    Ok(truth
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p).abs())
        .sum::<f64>()
        / truth.len() as f64)
}

/// Coefficient of determination, `1 − SS_res / SS_tot`.
pub fn r2(truth: &[f64], predicted: &[f64]) -> Result<f64> {
    regression_inputs(truth, predicted)?;
    let mean = truth.iter().sum::<f64>() / truth.len() as f64;
    let ss_tot: f64 = truth.iter().map(|t| (t - mean) * (t - mean)).sum();
    let ss_res: f64 = truth
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p) * (t - p))
        .sum();
    Ok(match (ss_tot == 0.0, ss_res == 0.0) {
        (_, true) => 1.0,
        (true, false) => 0.0,
        (false, false) => 1.0 - ss_res / ss_tot,
    })
}

/// Mean absolute percentage error, as a fraction.
pub fn mape(truth: &[f64], predicted: &[f64]) -> Result<f64> {
    regression_inputs(truth, predicted)?;
    Ok(truth
        .iter()
        .zip(predicted)
        .map(|(t, p)| (t - p).abs() / t.abs().max(f64::EPSILON))
        .sum::<f64>()
        / truth.len() as f64)
}

/// A metric by name, to evaluate a model's [`Predictions`] against a dataset's target.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::metrics::Metric;
/// use mlharness::model::Predictions;
/// let ds = Dataset::from_columns(vec![("y".into(), Column::categorical([Some("no"), Some("yes")]))])?
///     .with_target("y")?;
/// let preds = Predictions::probabilities(vec!["no".into(), "yes".into()], ndarray::array![[0.8, 0.2], [0.4, 0.6]])?;
/// assert_eq!(Metric::RocAuc.evaluate(&ds, &preds)?, 1.0);
/// assert_eq!(Metric::Accuracy.to_string(), "accuracy");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Metric {
    /// [`accuracy`]
    Accuracy,
    /// [`balanced_accuracy`]
    BalancedAccuracy,
    /// [`precision`]
    Precision(Average),
    /// [`recall`]
    Recall(Average),
    /// [`f1`]
    F1(Average),
    /// [`roc_auc`], on the probability of the second class
    RocAuc,
    /// [`log_loss`]
    LogLoss,
    /// [`mse`]
    Mse,
    /// [`rmse`]
    Rmse,
    /// [`mae`]
    Mae,
    /// [`r2`]
    R2,
    /// [`mape`]
    Mape,
    /// [`roc_auc_multiclass`] of the class probabilities, with this strategy and average
    /// (`Macro` or `Weighted`); named as scikit-learn's scorers: `roc_auc_ovr`,
    /// `roc_auc_ovr_weighted`, `roc_auc_ovo`, `roc_auc_ovo_weighted`
    RocAucMulticlass(Multiclass, Average),
    /// [`brier_score`] of the class probabilities (`brier_score`)
    Brier,
    /// The expected calibration error of [`calibration`] in 10 equal-width bins of the
    /// top-class confidence (`ece`)
    Ece,
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let avg = |a: &Average| match a {
            Average::Binary => "",
            Average::Macro => "_macro",
            Average::Weighted => "_weighted",
        };
        match self {
            Metric::Accuracy => write!(f, "accuracy"),
            Metric::BalancedAccuracy => write!(f, "balanced_accuracy"),
            Metric::Precision(a) => write!(f, "precision{}", avg(a)),
            Metric::Recall(a) => write!(f, "recall{}", avg(a)),
            Metric::F1(a) => write!(f, "f1{}", avg(a)),
            Metric::RocAuc => write!(f, "roc_auc"),
            Metric::LogLoss => write!(f, "log_loss"),
            Metric::Mse => write!(f, "mse"),
            Metric::Rmse => write!(f, "rmse"),
            Metric::Mae => write!(f, "mae"),
            Metric::R2 => write!(f, "r2"),
            Metric::Mape => write!(f, "mape"),
            Metric::RocAucMulticlass(strategy, a) => {
                let strategy = match strategy {
                    Multiclass::OneVsRest => "ovr",
                    Multiclass::OneVsOne => "ovo",
                };
                let a = if *a == Average::Weighted {
                    "_weighted"
                } else {
                    ""
                };
                write!(f, "roc_auc_{strategy}{a}")
            }
            Metric::Brier => write!(f, "brier_score"),
            Metric::Ece => write!(f, "ece"),
        }
    }
}

impl Metric {
    /// Every metric that has a name, in the order files and messages list them: the names a
    /// thresholds file or a CLI flag may use.
    ///
    /// ```
    /// use mlharness::metrics::Metric;
    /// let names: Vec<String> = Metric::named().iter().map(Metric::to_string).collect();
    /// assert!(names.contains(&"roc_auc_ovo_weighted".to_string()));
    /// assert!(names.contains(&"ece".to_string()));
    /// ```
    pub fn named() -> Vec<Metric> {
        let mut all = vec![Metric::Accuracy, Metric::BalancedAccuracy];
        for a in [Average::Binary, Average::Macro, Average::Weighted] {
            all.extend([Metric::Precision(a), Metric::Recall(a), Metric::F1(a)]);
        }
        all.push(Metric::RocAuc);
        for strategy in [Multiclass::OneVsRest, Multiclass::OneVsOne] {
            for a in [Average::Macro, Average::Weighted] {
                all.push(Metric::RocAucMulticlass(strategy, a));
            }
        }
        all.extend([
            Metric::LogLoss,
            Metric::Brier,
            Metric::Ece,
            Metric::Mse,
            Metric::Rmse,
            Metric::Mae,
            Metric::R2,
            Metric::Mape,
        ]);
        all
    }

    /// True when a larger value is better (accuracy), false when smaller is (log loss, MSE).
    pub fn higher_is_better(&self) -> bool {
        !matches!(
            self,
            Metric::LogLoss
                | Metric::Brier
                | Metric::Ece
                | Metric::Mse
                | Metric::Rmse
                | Metric::Mae
                | Metric::Mape
        )
    }

    /// The metric of `predictions` against the target of `data`.
    pub fn evaluate(&self, data: &Dataset, predictions: &Predictions) -> Result<f64> {
        match predictions {
            Predictions::Classes(c) => {
                let truth = data.target_indices(c.classes())?;
                let labels = c.labels();
                let proba = || {
                    c.probabilities()
                        .ok_or_else(|| self.wrong("class labels without probabilities"))
                };
                match self {
                    Metric::Accuracy => accuracy(&truth, labels),
                    Metric::BalancedAccuracy => balanced_accuracy(&truth, labels),
                    Metric::Precision(a) => precision(&truth, labels, *a),
                    Metric::Recall(a) => recall(&truth, labels, *a),
                    Metric::F1(a) => f1(&truth, labels, *a),
                    Metric::RocAuc => match c.positive_scores() {
                        Some(s) => roc_auc(&truth, &s.to_vec()),
                        None => Err(self.wrong("class labels without two-class probabilities")),
                    },
                    Metric::LogLoss => log_loss(&truth, proba()?.view()),
                    Metric::Brier => brier_score(&truth, proba()?.view()),
                    Metric::Ece => Ok(calibration(&truth, proba()?.view(), 10)?.ece),
                    Metric::RocAucMulticlass(_, Average::Binary) => {
                        Err(self.wrong("a binary average (use macro or weighted)"))
                    }
                    Metric::RocAucMulticlass(strategy, a) => {
                        roc_auc_multiclass(&truth, proba()?.view(), *strategy, *a)
                    }
                    _ => Err(self.wrong("class predictions")),
                }
            }
            Predictions::Values(v) => {
                let truth = data.target_values()?;
                match self {
                    Metric::Mse => mse(truth, v),
                    Metric::Rmse => rmse(truth, v),
                    Metric::Mae => mae(truth, v),
                    Metric::R2 => r2(truth, v),
                    Metric::Mape => mape(truth, v),
                    _ => Err(self.wrong("regression values")),
                }
            }
        }
    }

    fn wrong(&self, found: &'static str) -> MetricError {
        MetricError::WrongPredictions {
            metric: *self,
            found,
        }
    }
}
