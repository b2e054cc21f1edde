//! How much one feature alone tells about the target: a leaked label predicts it almost
//! perfectly, and a feature whose power differs between the training and the test data will
//! not generalise.

use super::{DataChecks, Finding, IntegrityReport};
use crate::check::CheckError;
use crate::data::{Column, Dataset};
use std::collections::HashMap;

/// A numeric feature with at most this many distinct values is binned value by value.
const MAX_LEVELS: usize = 20;

/// The bin of each row of a feature, `None` where it is missing. Bins are learned on the
/// `fit` rows: a numeric feature with many values is cut at quantiles of those rows.
fn bins(column: &Column, fit: &[usize]) -> Vec<Option<u64>> {
    match column {
        Column::Categorical(c) => c.codes().iter().map(|k| k.map(u64::from)).collect(),
        Column::Numeric(n) => {
            let present = |i: usize| !n.is_missing(i) && !n.values()[i].is_nan();
            let mut fitted: Vec<f64> = fit
                .iter()
                .filter(|&&i| present(i))
                .map(|&i| n.values()[i])
                .collect();
            fitted.sort_by(f64::total_cmp);
            fitted.dedup();
            let by_value = fitted.len() <= MAX_LEVELS;
            // Enough bins to resolve a copy of a numeric target, few enough to hold rows each.
            let k = ((fit.len() as f64).sqrt() as usize).clamp(10, 100);
            let edges: Vec<f64> = (1..k)
                .map(|j| fitted[(j * fitted.len() / k).min(fitted.len().saturating_sub(1))])
                .collect();
            (0..n.len())
                .map(|i| {
                    if !present(i) {
                        return None;
                    }
                    let v = n.values()[i];
                    Some(if by_value || fitted.is_empty() {
                        (if v == 0.0 { 0.0 } else { v }).to_bits()
                    } else {
                        edges.partition_point(|&e| e <= v) as u64
                    })
                })
                .collect()
        }
    }
}

/// The target per row, `None` where it is missing.
enum Target<'a> {
    Classes(&'a [Option<u32>]),
    Values(&'a crate::data::Numeric),
}

impl Target<'_> {
    fn present(&self, i: usize) -> bool {
        match self {
            Target::Classes(c) => c[i].is_some(),
            Target::Values(n) => !n.is_missing(i) && n.values()[i].is_finite(),
        }
    }
}

fn majority(labels: impl Iterator<Item = u32>) -> Option<u32> {
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for l in labels {
        *counts.entry(l).or_default() += 1;
    }
    // Ties to the smaller label, so the score does not depend on hashing.
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(l, _)| l)
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

/// The power of `feature` for `target` in [0, 1], cross-validated over two folds (even and odd
/// rows): a per-bin model — the majority class, or the median for a numeric target — fitted
/// on one fold and scored on the other, against the same model without the feature (the
/// majority class, the median). 0: no better than that baseline; 1: perfect. Unseen bins get
/// the baseline's answer, so an identifier (every value new) has no power.
pub(super) fn power(data: &Dataset, feature: &str, target: &str) -> Result<f64, CheckError> {
    let target_column = data.column(target)?;
    let target = match target_column {
        Column::Categorical(c) => Target::Classes(c.codes()),
        Column::Numeric(n) => Target::Values(n),
    };
    let column = data.column(feature)?;
    let rows: Vec<usize> = (0..data.n_rows()).filter(|&i| target.present(i)).collect();
    let folds: [Vec<usize>; 2] = [
        rows.iter().copied().step_by(2).collect(),
        rows.iter().copied().skip(1).step_by(2).collect(),
    ];
    let mut scores = Vec::new();
    for (fit, score) in [(&folds[0], &folds[1]), (&folds[1], &folds[0])] {
        if fit.is_empty() || score.is_empty() {
            continue;
        }
        let bin = bins(column, fit);
        let s = match &target {
            Target::Classes(codes) => {
                let label = |i: usize| codes[i].expect("rows with a target");
                let base = majority(fit.iter().map(|&i| label(i))).expect("rows to fit");
                let mut per_bin: HashMap<Option<u64>, Vec<u32>> = HashMap::new();
                for &i in fit {
                    per_bin.entry(bin[i]).or_default().push(label(i));
                }
                let model: HashMap<Option<u64>, u32> = per_bin
                    .into_iter()
                    .filter_map(|(b, ls)| majority(ls.into_iter()).map(|m| (b, m)))
                    .collect();
                let n = score.len() as f64;
                let right = score
                    .iter()
                    .filter(|&&i| model.get(&bin[i]).copied().unwrap_or(base) == label(i))
                    .count() as f64;
                let base_right = score.iter().filter(|&&i| label(i) == base).count() as f64;
                let (acc, base_acc) = (right / n, base_right / n);
                if base_acc >= 1.0 {
                    0.0
                } else {
                    ((acc - base_acc) / (1.0 - base_acc)).max(0.0)
                }
            }
            Target::Values(values) => {
                let y = |i: usize| values.values()[i];
                let base = median(fit.iter().map(|&i| y(i)).collect());
                let mut per_bin: HashMap<Option<u64>, Vec<f64>> = HashMap::new();
                for &i in fit {
                    per_bin.entry(bin[i]).or_default().push(y(i));
                }
                let model: HashMap<Option<u64>, f64> =
                    per_bin.into_iter().map(|(b, v)| (b, median(v))).collect();
                let mae = |predict: &dyn Fn(usize) -> f64| {
                    score
                        .iter()
                        .map(|&i| (predict(i) - y(i)).abs())
                        .sum::<f64>()
                        / score.len() as f64
                };
                let (model_mae, base_mae) = (
                    mae(&|i| model.get(&bin[i]).copied().unwrap_or(base)),
                    mae(&|_| base),
                );
                if base_mae > 0.0 {
                    (1.0 - model_mae / base_mae).max(0.0)
                } else {
                    0.0
                }
            }
        };
        scores.push(s);
    }
    Ok(if scores.is_empty() {
        0.0
    } else {
        scores.iter().sum::<f64>() / scores.len() as f64
    })
}

fn target_of<'a>(check: &'static str, data: &'a Dataset) -> Result<&'a str, CheckError> {
    data.target_name().ok_or_else(|| CheckError::Input {
        check,
        message: "needs a target column (`Dataset::with_target`, `--target`)".into(),
    })
}

impl DataChecks {
    /// A feature that alone predicts the target almost perfectly — a copy of the label, a
    /// field filled in after the outcome was known. Each feature's cross-validated
    /// predictive power (0: no better than the majority class or the median, 1: perfect)
    /// against [`leakage_threshold`](Self::leakage_threshold) (default 0.95); needs a target.
    pub fn feature_label_leakage(&self, data: &Dataset) -> Result<IntegrityReport, CheckError> {
        let data = &*self.kept(data)?;
        let check = "feature_label_leakage";
        let target = target_of(check, data)?;
        let mut findings = Vec::new();
        for feature in data.feature_names() {
            let p = power(data, feature, target)?;
            if p >= self.leakage_threshold {
                findings.push(
                    Finding::new(check, Some(feature), false, data.n_rows())
                        .with_value(p)
                        .with_detail(format!(
                            "predicts `{target}` alone with power {p:.3} (threshold {})",
                            self.leakage_threshold
                        )),
                );
            }
        }
        Ok(IntegrityReport::per_column(
            check,
            findings,
            "features that predict the target alone",
        ))
    }

    /// A feature whose predictive power for the target differs sharply between the training
    /// and the test data (by more than [`power_gap`](Self::power_gap), default 0.2): a leak
    /// present on one side only, or a relation that changed. Needs the target on both sides.
    pub fn predictive_power_drift(
        &self,
        train: &Dataset,
        test: &Dataset,
    ) -> Result<IntegrityReport, CheckError> {
        let check = "predictive_power_drift";
        let (train, test) = (&*self.kept(train)?, &*self.kept(test)?);
        let target = target_of(check, train)?;
        if test.target_name() != Some(target) {
            return Err(CheckError::Input {
                check,
                message: format!("the test data needs the same target column, `{target}`"),
            });
        }
        let test_features = test.feature_names();
        let mut findings = Vec::new();
        for feature in train.feature_names() {
            if !test_features.contains(&feature) {
                continue;
            }
            let (a, b) = (
                power(train, feature, target)?,
                power(test, feature, target)?,
            );
            if (a - b).abs() > self.power_gap {
                findings.push(
                    Finding::new(check, Some(feature), false, test.n_rows())
                        .with_value(b - a)
                        .with_detail(format!(
                            "power {a:.3} in the training data, {b:.3} in the test data (gap allowed {})",
                            self.power_gap
                        )),
                );
            }
        }
        Ok(IntegrityReport::per_column(
            check,
            findings,
            "features whose power differs between training and test",
        ))
    }
}
