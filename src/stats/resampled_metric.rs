//! Metrics evaluated on bootstrap resamples given as counts per row.
//!
//! Each metric is prepared once from the full data (validated by [`Metric::evaluate`], so bad
//! input is the metric's own typed error) and then evaluated per resample in one pass over the
//! rows, weighting each row by how often the resample drew it. That equals the metric on the
//! resampled rows, without copying them or sorting scores again.

use super::{Bootstrap, Interval, StatsError};
use crate::data::Dataset;
use crate::metrics::{Average, Metric};
use crate::model::Predictions;
use crate::order::order_key;

impl Bootstrap {
    /// The bootstrap interval of `metric` for `predictions` against `data`'s target.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::metrics::Metric;
    /// use mlharness::model::Predictions;
    /// use mlharness::stats::Bootstrap;
    ///
    /// let truth: Vec<Option<&str>> = (0..300).map(|i| Some(if i % 3 == 0 { "yes" } else { "no" })).collect();
    /// let data = Dataset::from_columns(vec![("y".into(), Column::categorical(truth))])?.with_target("y")?;
    /// // Right on 5 rows of 6.
    /// let labels = (0..300).map(|i| usize::from((i % 3 == 0) != (i % 6 == 1))).collect();
    /// let preds = Predictions::classes(vec!["no".into(), "yes".into()], labels)?;
    /// let ci = Bootstrap::new(1).metric_interval(Metric::Accuracy, &data, &preds)?;
    /// assert!((ci.estimate - 5.0 / 6.0).abs() < 1e-12);
    /// assert!(ci.low < ci.estimate && ci.high > ci.estimate);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn metric_interval(
        &self,
        metric: Metric,
        data: &Dataset,
        predictions: &Predictions,
    ) -> Result<Interval, StatsError> {
        let prepared = Prepared::new(metric, data, predictions)?;
        self.interval(predictions.len(), |counts| prepared.eval(counts))
    }

    /// The bootstrap interval of `metric(candidate) − metric(reference)`, both evaluated on the
    /// same resampled rows (a paired bootstrap: the rows' difficulty cancels out).
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::metrics::Metric;
    /// use mlharness::model::Predictions;
    /// use mlharness::stats::Bootstrap;
    ///
    /// let y: Vec<f64> = (0..200).map(|i| i as f64).collect();
    /// let data = Dataset::from_columns(vec![("y".into(), Column::numeric(y.clone()))])?.with_target("y")?;
    /// let close = Predictions::values(y.iter().map(|v| v + 1.0).collect());
    /// let far = Predictions::values(y.iter().map(|v| v + 3.0).collect());
    /// let ci = Bootstrap::new(1).metric_difference(Metric::Mae, &data, &close, &far)?;
    /// assert!((ci.estimate + 2.0).abs() < 1e-12); // MAE 1 − MAE 3
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn metric_difference(
        &self,
        metric: Metric,
        data: &Dataset,
        candidate: &Predictions,
        reference: &Predictions,
    ) -> Result<Interval, StatsError> {
        if candidate.len() != reference.len() {
            return Err(StatsError::LengthMismatch {
                test: "bootstrap",
                left: candidate.len(),
                right: reference.len(),
            });
        }
        let c = Prepared::new(metric, data, candidate)?;
        let r = Prepared::new(metric, data, reference)?;
        self.interval(candidate.len(), |counts| c.eval(counts) - r.eval(counts))
    }
}

/// A metric prepared once for evaluation on many resamples: [`ResampledMetric::on_counts`]
/// gives the metric of the rows a resample drew, from how often it drew each row.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::metrics::Metric;
/// use mlharness::model::Predictions;
/// use mlharness::stats::ResampledMetric;
///
/// let data = Dataset::from_columns(vec![("y".into(), Column::numeric(vec![1.0, 2.0, 4.0]))])?
///     .with_target("y")?;
/// let preds = Predictions::values(vec![1.0, 3.0, 4.0]);
/// let mae = ResampledMetric::new(Metric::Mae, &data, &preds)?;
/// assert_eq!(mae.on_counts(&[1, 1, 1]), 1.0 / 3.0);
/// assert_eq!(mae.on_counts(&[0, 3, 0]), 1.0); // the second row, drawn three times
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ResampledMetric(Prepared);

impl ResampledMetric {
    /// Prepares `metric` for `predictions` against `data`'s target; errors are the metric's
    /// own (see [`Metric::evaluate`]).
    pub fn new(
        metric: Metric,
        data: &Dataset,
        predictions: &Predictions,
    ) -> Result<Self, StatsError> {
        Prepared::new(metric, data, predictions).map(ResampledMetric)
    }

    /// The metric over the rows drawn `counts[i]` times each (NaN where it is undefined, e.g.
    /// ROC AUC on a resample with one class).
    pub fn on_counts(&self, counts: &[u32]) -> f64 {
        self.0.eval(counts)
    }
}

enum Prepared {
    /// From a confusion matrix weighted by the counts.
    Confusion {
        metric: Metric,
        truth: Vec<u32>,
        predicted: Vec<u32>,
        k: usize,
    },
    /// ROC AUC: rows sorted by score once, with the ends of the groups of tied scores.
    Auc {
        sorted: Vec<(u32, bool)>,
        group_ends: Vec<u32>,
    },
    /// The weighted mean of a per-row term (log loss, MSE, MAE, MAPE), square-rooted for RMSE.
    Mean { terms: Vec<f64>, sqrt: bool },
    /// R², from truth and predictions.
    R2 {
        truth: Vec<f64>,
        predicted: Vec<f64>,
    },
}

impl Prepared {
    fn new(metric: Metric, data: &Dataset, predictions: &Predictions) -> Result<Self, StatsError> {
        // Validates everything (lengths, finiteness, probabilities, classes) with typed errors.
        metric.evaluate(data, predictions)?;
        let wrong = || {
            StatsError::Metric(crate::metrics::MetricError::WrongPredictions {
                metric,
                found: "predictions of the other kind",
            })
        };
        Ok(match predictions {
            Predictions::Classes(c) => {
                let truth = data
                    .target_indices(c.classes())
                    .map_err(crate::metrics::MetricError::from)?;
                match metric {
                    Metric::RocAuc => {
                        let scores = c.positive_scores().ok_or_else(wrong)?;
                        let mut sorted: Vec<(u64, u32, bool)> = scores
                            .iter()
                            .zip(&truth)
                            .enumerate()
                            .map(|(i, (&s, &t))| (order_key(s), i as u32, t == 1))
                            .collect();
                        sorted.sort_unstable_by_key(|k| k.0);
                        let mut group_ends = Vec::new();
                        for i in 1..=sorted.len() {
                            if i == sorted.len() || sorted[i].0 != sorted[i - 1].0 {
                                group_ends.push(i as u32);
                            }
                        }
                        Prepared::Auc {
                            sorted: sorted.into_iter().map(|(_, i, p)| (i, p)).collect(),
                            group_ends,
                        }
                    }
                    Metric::LogLoss => {
                        let p = c.probabilities().ok_or_else(wrong)?;
                        let eps = f64::EPSILON;
                        let terms = truth
                            .iter()
                            .enumerate()
                            .map(|(i, &t)| -p[[i, t]].clamp(eps, 1.0 - eps).ln())
                            .collect();
                        Prepared::Mean { terms, sqrt: false }
                    }
                    Metric::Brier => {
                        let p = c.probabilities().ok_or_else(wrong)?;
                        // brier_score's scaling: halved for two classes.
                        let scale = if p.ncols() == 2 { 0.5 } else { 1.0 };
                        let terms = truth
                            .iter()
                            .enumerate()
                            .map(|(i, &t)| {
                                let row = p.row(i);
                                let sum: f64 = row
                                    .iter()
                                    .enumerate()
                                    .map(|(j, &q)| (q - f64::from(u8::from(j == t))).powi(2))
                                    .sum();
                                scale * sum
                            })
                            .collect();
                        Prepared::Mean { terms, sqrt: false }
                    }
                    Metric::Ece | Metric::RocAucMulticlass(..) => {
                        return Err(StatsError::NotResampled { metric });
                    }
                    _ => {
                        let predicted = c.labels();
                        let k = truth.iter().chain(predicted).copied().max().unwrap_or(0) + 1;
                        Prepared::Confusion {
                            metric,
                            truth: truth.iter().map(|&t| t as u32).collect(),
                            predicted: predicted.iter().map(|&p| p as u32).collect(),
                            k,
                        }
                    }
                }
            }
            Predictions::Values(v) => {
                let truth = data
                    .target_values()
                    .map_err(crate::metrics::MetricError::from)?;
                let term: fn(f64, f64) -> f64 = match metric {
                    Metric::Mse | Metric::Rmse => |t, p| (t - p) * (t - p),
                    Metric::Mae => |t, p| (t - p).abs(),
                    Metric::Mape => |t, p| (t - p).abs() / t.abs().max(f64::EPSILON),
                    Metric::R2 => {
                        return Ok(Prepared::R2 {
                            truth: truth.to_vec(),
                            predicted: v.clone(),
                        })
                    }
                    _ => return Err(wrong()),
                };
                Prepared::Mean {
                    terms: truth.iter().zip(v).map(|(&t, &p)| term(t, p)).collect(),
                    sqrt: metric == Metric::Rmse,
                }
            }
        })
    }

    fn eval(&self, counts: &[u32]) -> f64 {
        match self {
            Prepared::Confusion {
                metric,
                truth,
                predicted,
                k,
            } => {
                let k = *k;
                let mut cm = vec![0u64; k * k];
                for ((&t, &p), &c) in truth.iter().zip(predicted).zip(counts) {
                    cm[t as usize * k + p as usize] += u64::from(c);
                }
                confusion_metric(*metric, &cm, k)
            }
            Prepared::Auc { sorted, group_ends } => {
                let (mut twice_num, mut neg_below, mut pos_total) = (0.0f64, 0.0f64, 0.0f64);
                let mut start = 0usize;
                for &end in group_ends {
                    let (mut pos, mut neg) = (0u64, 0u64);
                    for &(row, positive) in &sorted[start..end as usize] {
                        let c = u64::from(counts[row as usize]);
                        if positive {
                            pos += c;
                        } else {
                            neg += c;
                        }
                    }
                    let (pos, neg) = (pos as f64, neg as f64);
                    // Each positive beats the negatives below and ties half of those level.
                    twice_num += pos * (2.0 * neg_below + neg);
                    neg_below += neg;
                    pos_total += pos;
                    start = end as usize;
                }
                if pos_total == 0.0 || neg_below == 0.0 {
                    return f64::NAN;
                }
                twice_num / (2.0 * pos_total * neg_below)
            }
            Prepared::Mean { terms, sqrt } => {
                let (mut sum, mut weight) = (0.0, 0u64);
                for (&t, &c) in terms.iter().zip(counts) {
                    sum += t * f64::from(c);
                    weight += u64::from(c);
                }
                let mean = sum / weight as f64;
                if *sqrt {
                    mean.sqrt()
                } else {
                    mean
                }
            }
            Prepared::R2 { truth, predicted } => {
                let (mut sum, mut weight) = (0.0, 0.0);
                for (&t, &c) in truth.iter().zip(counts) {
                    sum += t * f64::from(c);
                    weight += f64::from(c);
                }
                let mean = sum / weight;
                let (mut ss_tot, mut ss_res) = (0.0, 0.0);
                for ((&t, &p), &c) in truth.iter().zip(predicted).zip(counts) {
                    let c = f64::from(c);
                    ss_tot += c * (t - mean) * (t - mean);
                    ss_res += c * (t - p) * (t - p);
                }
                match (ss_tot == 0.0, ss_res == 0.0) {
                    (_, true) => 1.0,
                    (true, false) => 0.0,
                    (false, false) => 1.0 - ss_res / ss_tot,
                }
            }
        }
    }
}

/// A label metric from a `k × k` confusion matrix (truth in rows), by scikit-learn's rules as
/// `mlharness::metrics` implements them.
fn confusion_metric(metric: Metric, cm: &[u64], k: usize) -> f64 {
    let true_count = |c: usize| -> f64 { cm[c * k..(c + 1) * k].iter().sum::<u64>() as f64 };
    let predicted_count = |c: usize| -> f64 { (0..k).map(|t| cm[t * k + c]).sum::<u64>() as f64 };
    let tp = |c: usize| cm[c * k + c] as f64;
    let ratio = |num: f64, den: f64| if den == 0.0 { 0.0 } else { num / den };
    let total: f64 = cm.iter().sum::<u64>() as f64;
    let per_class = |c: usize, which: Metric| match which {
        Metric::Precision(_) => ratio(tp(c), predicted_count(c)),
        Metric::Recall(_) => ratio(tp(c), true_count(c)),
        _ => ratio(tp(c), (predicted_count(c) + true_count(c)) / 2.0),
    };
    match metric {
        Metric::Accuracy => (0..k).map(tp).sum::<f64>() / total,
        Metric::BalancedAccuracy => {
            let present: Vec<usize> = (0..k).filter(|&c| true_count(c) > 0.0).collect();
            present
                .iter()
                .map(|&c| ratio(tp(c), true_count(c)))
                .sum::<f64>()
                / present.len() as f64
        }
        Metric::Precision(a) | Metric::Recall(a) | Metric::F1(a) => match a {
            Average::Binary => {
                if k > 1 {
                    per_class(1, metric)
                } else {
                    0.0
                }
            }
            Average::Macro => {
                let present: Vec<usize> = (0..k)
                    .filter(|&c| true_count(c) + predicted_count(c) > 0.0)
                    .collect();
                present.iter().map(|&c| per_class(c, metric)).sum::<f64>() / present.len() as f64
            }
            Average::Weighted => {
                (0..k)
                    .map(|c| true_count(c) * per_class(c, metric))
                    .sum::<f64>()
                    / total
            }
        },
        // Prepared::new sends only label metrics here.
        _ => f64::NAN,
    }
}
