//! Calibration: the Brier score, the expected calibration error with its reliability bins,
//! and scikit-learn's binary calibration curve.

use super::{check_finite, check_lengths, check_probabilities, MetricError, Result};
use ndarray::ArrayView2;

/// The Brier score: the mean over rows of `Σ_c (p_c − [c = truth])²`, halved for two classes —
/// scikit-learn's `brier_score_loss` with its default scaling, so for two classes it is the
/// familiar `mean((p₁ − y)²)` in [0, 1], and for more it is in [0, 2]. Lower is better.
///
/// ```
/// use mlharness::metrics::brier_score;
/// let p = ndarray::array![[0.9, 0.1], [0.2, 0.8]];
/// assert!((brier_score(&[0, 1], p.view())? - 0.025).abs() < 1e-12);
/// # Ok::<(), mlharness::metrics::MetricError>(())
/// ```
pub fn brier_score(truth: &[usize], probabilities: ArrayView2<'_, f64>) -> Result<f64> {
    check_probabilities(truth, probabilities)?;
    let total: f64 = probabilities
        .outer_iter()
        .zip(truth)
        .map(|(p, &t)| {
            p.iter()
                .enumerate()
                .map(|(c, &v)| {
                    let d = v - if c == t { 1.0 } else { 0.0 };
                    d * d
                })
                .sum::<f64>()
        })
        .sum();
    let mean = total / truth.len() as f64;
    Ok(if probabilities.ncols() == 2 {
        mean / 2.0
    } else {
        mean
    })
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct ReliabilityBin {
    /// The bin's lower edge.
    pub lower: f64,
    /// The bin's upper edge.
    pub upper: f64,
    /// Rows whose confidence falls in the bin.
    pub count: usize,
    /// Their mean confidence.
    pub confidence: f64,
    /// The share of them predicted right.
    pub accuracy: f64,
}

/// Top-class calibration: the expected calibration error and the bins it is made of.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Calibration {
    /// `Σ (n_bin / n) · |accuracy − confidence|` over the non-empty bins.
    pub ece: f64,
    /// The largest `|accuracy − confidence|` of a non-empty bin.
    pub max_gap: f64,
    /// The non-empty bins, in order.
    pub bins: Vec<ReliabilityBin>,
}

/// The calibration of the top class: each row's confidence is its largest probability (ties
/// to the lowest class) and it is right when that class is the truth; rows go to `bins`
/// equal-width bins, bin `min(⌊conf · bins⌋, bins − 1)` (so a confidence of 1 is in the last
/// one). A model whose 90%-confident predictions are right 60% of the time has a gap of 0.3
/// in that bin.
///
/// ```
/// use mlharness::metrics::calibration;
/// // Always 90% sure, right half the time.
/// let p = ndarray::array![[0.9, 0.1], [0.9, 0.1], [0.1, 0.9], [0.1, 0.9]];
/// let c = calibration(&[0, 1, 1, 0], p.view(), 10)?;
/// assert!((c.ece - 0.4).abs() < 1e-12);
/// assert_eq!(c.bins.len(), 1);
/// # Ok::<(), mlharness::metrics::MetricError>(())
/// ```
pub fn calibration(
    truth: &[usize],
    probabilities: ArrayView2<'_, f64>,
    bins: usize,
) -> Result<Calibration> {
    check_probabilities(truth, probabilities)?;
    if bins == 0 {
        return Err(MetricError::InvalidBins { bins });
    }
    let mut count = vec![0usize; bins];
    let mut confidence = vec![0.0f64; bins];
    let mut right = vec![0usize; bins];
    for (p, &t) in probabilities.outer_iter().zip(truth) {
        let (top, conf) = p
            .iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |best, (c, &v)| {
                if v > best.1 {
                    (c, v)
                } else {
                    best
                }
            });
        let b = ((conf * bins as f64).floor() as usize).min(bins - 1);
        count[b] += 1;
        confidence[b] += conf;
        right[b] += usize::from(top == t);
    }
    let n = truth.len() as f64;
    let (mut ece, mut max_gap) = (0.0, 0.0f64);
    let mut out = Vec::new();
    for b in 0..bins {
        if count[b] == 0 {
            continue;
        }
        let m = count[b] as f64;
        let (conf, acc) = (confidence[b] / m, right[b] as f64 / m);
        let gap = (acc - conf).abs();
        ece += m / n * gap;
        max_gap = max_gap.max(gap);
        out.push(ReliabilityBin {
            lower: b as f64 / bins as f64,
            upper: (b + 1) as f64 / bins as f64,
            count: count[b],
            confidence: conf,
            accuracy: acc,
        });
    }
    Ok(Calibration {
        ece,
        max_gap,
        bins: out,
    })
}

/// scikit-learn's `calibration_curve(truth, p_positive, n_bins, strategy="uniform")`: per
/// non-empty bin, the share of positives (`prob_true`) and the mean probability
/// (`prob_pred`). Its bins are closed on the right (a probability on an edge goes to the lower
/// bin), unlike [`calibration`]'s; both are kept so each matches its reference.
///
/// ```
/// use mlharness::metrics::reliability_curve;
/// let (prob_true, prob_pred) = reliability_curve(&[0, 0, 1, 1], &[0.1, 0.2, 0.8, 0.9], 2)?;
/// assert_eq!(prob_true, vec![0.0, 1.0]);
/// assert!((prob_pred[1] - 0.85).abs() < 1e-12);
/// # Ok::<(), mlharness::metrics::MetricError>(())
/// ```
pub fn reliability_curve(
    truth: &[usize],
    p_positive: &[f64],
    bins: usize,
) -> Result<(Vec<f64>, Vec<f64>)> {
    check_lengths(truth.len(), p_positive.len())?;
    check_finite("score", p_positive)?;
    if bins == 0 {
        return Err(MetricError::InvalidBins { bins });
    }
    if let Some(row) = truth.iter().position(|&l| l > 1) {
        return Err(MetricError::NotBinary {
            row,
            label: truth[row],
        });
    }
    if let Some(row) = p_positive.iter().position(|p| !(0.0..=1.0).contains(p)) {
        return Err(MetricError::InvalidProbabilities {
            row,
            problem: format!("probability {} is outside [0, 1]", p_positive[row]),
        });
    }
    // numpy's linspace(0, 1, bins + 1): i · (1 / bins), the inner edges only.
    let step = 1.0 / bins as f64;
    let edges: Vec<f64> = (1..bins).map(|i| i as f64 * step).collect();
    let mut sum_true = vec![0.0; bins];
    let mut sum_pred = vec![0.0; bins];
    let mut count = vec![0usize; bins];
    for (&t, &p) in truth.iter().zip(p_positive) {
        // searchsorted(side="left"): the edges strictly below p.
        let b = edges.partition_point(|&e| e < p);
        sum_true[b] += t as f64;
        sum_pred[b] += p;
        count[b] += 1;
    }
    let nonempty = (0..bins).filter(|&b| count[b] > 0);
    Ok(nonempty
        .map(|b| (sum_true[b] / count[b] as f64, sum_pred[b] / count[b] as f64))
        .unzip())
}
