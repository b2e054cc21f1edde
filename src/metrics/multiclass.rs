//! Multiclass ROC AUC (one-vs-rest and one-vs-one, as scikit-learn) and the per-class table.

use super::{check_probabilities, roc_auc, Average, ConfusionMatrix, MetricError, Result, Which};
use ndarray::ArrayView2;

/// How a multiclass ROC AUC is built from binary ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Multiclass {
    /// Each class against all the others, on that class's probability.
    OneVsRest,
    /// Each pair of classes, on the rows of those two (Hand & Till, 2001): the mean of the
    /// AUC of `a` against `b` on `a`'s probability and of `b` against `a` on `b`'s.
    OneVsOne,
}

/// ROC AUC of class probabilities (`rows × classes`) over more than two classes, as
/// scikit-learn's `roc_auc_score(multi_class="ovr" | "ovo", average=…)`: `Average::Macro`
/// is the plain mean over classes (pairs), `Average::Weighted` weights a class by its support
/// (a pair by its share of the rows). Every class must occur in the truth. `Average::Binary`
/// is refused: use [`roc_auc`] for two classes.
///
/// ```
/// use mlharness::metrics::{roc_auc_multiclass, Average, Multiclass};
/// let truth = [0, 1, 2, 2];
/// let p = ndarray::array![[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]];
/// assert_eq!(roc_auc_multiclass(&truth, p.view(), Multiclass::OneVsRest, Average::Macro)?, 1.0);
/// # Ok::<(), mlharness::metrics::MetricError>(())
/// ```
pub fn roc_auc_multiclass(
    truth: &[usize],
    probabilities: ArrayView2<'_, f64>,
    strategy: Multiclass,
    average: Average,
) -> Result<f64> {
    check_probabilities(truth, probabilities)?;
    let k = probabilities.ncols();
    if average == Average::Binary {
        return Err(MetricError::NotBinary {
            row: 0,
            label: k.saturating_sub(1),
        });
    }
    let support: Vec<usize> = (0..k)
        .map(|c| truth.iter().filter(|&&t| t == c).count())
        .collect();
    if let Some(missing) = (0..k).find(|&c| support[c] == 0) {
        return Err(MetricError::ClassAbsent {
            class: missing,
            n_classes: k,
        });
    }
    let n = truth.len() as f64;
    match strategy {
        Multiclass::OneVsRest => {
            let mut scores = Vec::with_capacity(k);
            for c in 0..k {
                let binary: Vec<usize> = truth.iter().map(|&t| usize::from(t == c)).collect();
                scores.push(roc_auc(&binary, &probabilities.column(c).to_vec())?);
            }
            Ok(match average {
                Average::Weighted => scores
                    .iter()
                    .zip(&support)
                    .map(|(s, &w)| s * w as f64 / n)
                    .sum(),
                _ => scores.iter().sum::<f64>() / k as f64,
            })
        }
        Multiclass::OneVsOne => {
            let (mut total, mut weights) = (0.0, 0.0);
            let mut pairs = 0usize;
            for a in 0..k {
                for b in a + 1..k {
                    let rows: Vec<usize> = (0..truth.len())
                        .filter(|&i| truth[i] == a || truth[i] == b)
                        .collect();
                    let auc_for = |c: usize| {
                        let binary: Vec<usize> =
                            rows.iter().map(|&i| usize::from(truth[i] == c)).collect();
                        let scores: Vec<f64> =
                            rows.iter().map(|&i| probabilities[[i, c]]).collect();
                        roc_auc(&binary, &scores)
                    };
                    let score = (auc_for(a)? + auc_for(b)?) / 2.0;
                    let weight = match average {
                        Average::Weighted => rows.len() as f64 / n,
                        _ => 1.0,
                    };
                    total += score * weight;
                    weights += weight;
                    pairs += 1;
                }
            }
            Ok(if pairs == 0 {
                f64::NAN
            } else {
                total / weights
            })
        }
    }
}

/// One class's row of the per-class table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct ClassMetrics {
    /// The class index.
    pub class: usize,
    /// Of the rows predicted this class, the share that are (0 when none is predicted).
    pub precision: f64,
    /// Of the rows of this class, the share predicted so (0 when there are none).
    pub recall: f64,
    /// `2·tp / (2·tp + fp + fn)`.
    pub f1: f64,
    /// Rows of this class in the truth.
    pub support: usize,
}

/// Precision, recall, F1 and support of each of `n_classes` classes, as scikit-learn's
/// `precision_recall_fscore_support(labels=range(n_classes), zero_division=0)`: the table
/// that shows which class a model fails, where a macro average hides it.
///
/// ```
/// use mlharness::metrics::per_class;
/// let table = per_class(&[0, 0, 1, 2], &[0, 1, 1, 1], 3)?;
/// assert_eq!((table[1].precision, table[1].recall, table[2].support), (1.0 / 3.0, 1.0, 1));
/// # Ok::<(), mlharness::metrics::MetricError>(())
/// ```
pub fn per_class(
    truth: &[usize],
    predicted: &[usize],
    n_classes: usize,
) -> Result<Vec<ClassMetrics>> {
    let cm = ConfusionMatrix::new(truth, predicted, n_classes)?;
    Ok((0..cm.k())
        .map(|c| ClassMetrics {
            class: c,
            precision: cm.per_class(c, Which::Precision),
            recall: cm.per_class(c, Which::Recall),
            f1: cm.per_class(c, Which::F1),
            support: cm.true_count(c) as usize,
        })
        .collect())
}
