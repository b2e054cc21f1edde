//! Same seed, same predictions; different seeds, a measured spread.

use super::{predict, CheckError};
use crate::check::{InvalidSetting, Outcome, Table};
use crate::data::Dataset;
use crate::kind::Kind;
use crate::metrics::Metric;
use crate::model::{Model, Predictions};
use std::fmt::Display;

/// Reproducibility: training twice with the first seed must give identical predictions (bit
/// for bit); training with every seed gives the spread of the metric and the share of rows
/// whose prediction depends on the seed — the noise floor below which a differential
/// "regression" means nothing. Optionally the spread is bounded.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::differential::Reproducibility;
/// use mlharness::metrics::Metric;
/// use mlharness::model::{ModelError, Predictions};
///
/// let y: Vec<f64> = (0..50).map(f64::from).collect();
/// let data = Dataset::from_columns(vec![("y".into(), Column::numeric(y))])?.with_target("y")?;
/// // "Training" gives a model whose offset depends on the seed.
/// let train = |seed: u64| -> Result<_, String> {
///     let offset = (seed % 3) as f64 * 0.1;
///     Ok(move |ds: &Dataset| -> Result<Predictions, ModelError> {
///         Ok(Predictions::values(ds.target_values()?.iter().map(|v| v + offset).collect()))
///     })
/// };
/// let outcome = Reproducibility::new(Metric::Mae).seeds(&[1, 2, 3]).check(&data, train)?;
/// assert!(outcome.passed());
/// assert!(outcome.to_string().contains("spread"));
/// let outcome = Reproducibility::new(Metric::Mae).seeds(&[1, 2, 3]).max_spread(0.05).check(&data, train)?;
/// assert!(!outcome.passed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Reproducibility {
    metric: Metric,
    seeds: Vec<u64>,
    max_spread: Option<f64>,
}

impl Reproducibility {
    /// Seeds 1 to 5, spread reported but not bounded.
    pub fn new(metric: Metric) -> Self {
        Reproducibility {
            metric,
            seeds: vec![1, 2, 3, 4, 5],
            max_spread: None,
        }
    }

    /// The seeds (at least one; the first is trained twice).
    pub fn seeds(mut self, seeds: &[u64]) -> Self {
        self.seeds = seeds.to_vec();
        self
    }

    /// Fail when the metric's spread (max − min over the seeds) exceeds this.
    pub fn max_spread(mut self, spread: f64) -> Self {
        self.max_spread = Some(spread);
        self
    }

    /// Trains with `train(seed)` — once per seed, twice for the first — and predicts `data`.
    pub fn check<M, E>(
        &self,
        data: &Dataset,
        train: impl Fn(u64) -> Result<M, E>,
    ) -> Result<Outcome, CheckError>
    where
        M: Model,
        E: Display,
    {
        Ok(self.measure(data, train)?.outcome)
    }

    /// [`check`](Self::check), keeping what was measured: the noise between healthy models
    /// that differ only in their seed, from which a differential takes its bound
    /// ([`Differential::within_seed_noise`](super::Differential::within_seed_noise)).
    pub fn measure<M, E>(
        &self,
        data: &Dataset,
        train: impl Fn(u64) -> Result<M, E>,
    ) -> Result<SeedNoise, CheckError>
    where
        M: Model,
        E: Display,
    {
        let Some(&first) = self.seeds.first() else {
            return Err(InvalidSetting::new(
                "reproducibility",
                "seeds",
                "at least one seed",
                "none",
            )
            .into());
        };
        let fit = |seed: u64| -> Result<Predictions, CheckError> {
            let model = train(seed).map_err(|e| CheckError::Train {
                seed,
                message: e.to_string(),
            })?;
            predict(&format!("the model of seed {seed}"), &model, data)
        };
        let a = fit(first)?;
        let b = fit(first)?;
        let differing = differing_rows(&a, &b);
        let mut runs = vec![(first, a)];
        for &seed in &self.seeds[1..] {
            runs.push((seed, fit(seed)?));
        }
        let metric = self.metric;
        let (header, is_classes) = match &runs[0].1 {
            Predictions::Classes(_) => (format!("class flips vs seed {first}"), true),
            Predictions::Values(_) => (format!("largest change vs seed {first}"), false),
        };
        let mut table = Table::new(["seed", &metric.to_string(), &header]);
        let mut values = Vec::new();
        let mut largest = 0.0f64;
        for (seed, p) in &runs {
            let v = metric.evaluate(data, p)?;
            values.push(v);
            let change = seed_change(&runs[0].1, p);
            largest = largest.max(change);
            table.row([
                seed.to_string(),
                format!("{v:.4}"),
                if is_classes {
                    format!(
                        "{change} ({:.2}%)",
                        100.0 * change / data.n_rows().max(1) as f64
                    )
                } else {
                    format!("{change:.4}")
                },
            ]);
        }
        let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let spread = hi - lo;
        let spread_ok = self.max_spread.is_none_or(|m| spread <= m);
        let passed = differing.is_empty() && spread_ok;
        let check = format!(
            "differential: reproducibility over {} seeds ({} rows)",
            self.seeds.len(),
            data.n_rows()
        );
        let mut outcome = Outcome::new(Kind::Differential, check, passed).with_table(table);
        outcome = outcome.with_note(if differing.is_empty() {
            format!("seed {first} trained twice: identical predictions")
        } else {
            let shown: Vec<String> = differing.iter().take(5).map(usize::to_string).collect();
            format!(
                "seed {first} trained twice: {} rows differ (first: {}) — training is not \
                 reproducible; look for unseeded randomness",
                differing.len(),
                shown.join(", ")
            )
        });
        let moved = if is_classes {
            format!("up to {largest} rows change class with the seed alone")
        } else {
            format!("a prediction moves by up to {largest:.4} with the seed alone")
        };
        outcome = outcome.with_note(format!(
            "spread of {metric} over the seeds: {spread:.4} (min {lo:.4}, max {hi:.4}); {moved}{}",
            match self.max_spread {
                Some(m) if spread > m => format!(" — ABOVE the bound {m:.4}"),
                Some(m) => format!(" (bound {m:.4})"),
                None => String::new(),
            }
        ));
        let n = data.n_rows().max(1) as f64;
        let (mut max_changed_share, mut largest_change) = (0.0f64, 0.0f64);
        for (i, (_, a)) in runs.iter().enumerate() {
            for (_, b) in &runs[i + 1..] {
                let change = seed_change(a, b);
                if is_classes {
                    max_changed_share = max_changed_share.max(change / n);
                } else {
                    largest_change = largest_change.max(change);
                }
            }
        }
        Ok(SeedNoise {
            seeds: self.seeds.clone(),
            max_changed_share,
            largest_change,
            metric_spread: spread,
            outcome,
        })
    }
}

/// The noise between healthy models that differ only in their training seed, as
/// [`Reproducibility::measure`] found it over every pair of seeds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SeedNoise {
    /// The seeds trained.
    pub seeds: Vec<u64>,
    /// A classifier's largest share of rows that change class between two seeds (0 for a
    /// regressor).
    pub max_changed_share: f64,
    /// A regressor's largest change of one prediction between two seeds (0 for a classifier).
    pub largest_change: f64,
    /// The metric's spread over the seeds (largest minus smallest).
    pub metric_spread: f64,
    outcome: Outcome,
}

impl SeedNoise {
    /// The reproducibility check's outcome.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }
}

crate::check::checked_report!(SeedNoise);

/// How much `b` differs from `a` because of the seed: class flips for a classifier, the
/// largest absolute change for a regressor.
fn seed_change(a: &Predictions, b: &Predictions) -> f64 {
    match (a, b) {
        (Predictions::Classes(x), Predictions::Classes(y)) => x
            .label_names()
            .zip(y.label_names())
            .filter(|(p, q)| p != q)
            .count() as f64,
        (Predictions::Values(x), Predictions::Values(y)) => x
            .iter()
            .zip(y)
            .map(|(p, q)| (p - q).abs())
            .fold(0.0, f64::max),
        _ => f64::NAN,
    }
}

/// Rows whose prediction differs at all: another label, or any value or probability that is
/// not bit-identical.
fn differing_rows(a: &Predictions, b: &Predictions) -> Vec<usize> {
    let same = |x: f64, y: f64| x.to_bits() == y.to_bits();
    match (a, b) {
        (Predictions::Values(x), Predictions::Values(y)) if x.len() == y.len() => {
            (0..x.len()).filter(|&i| !same(x[i], y[i])).collect()
        }
        (Predictions::Classes(x), Predictions::Classes(y))
            if x.labels().len() == y.labels().len() && x.classes() == y.classes() =>
        {
            (0..x.labels().len())
                .filter(|&i| {
                    x.labels()[i] != y.labels()[i]
                        || match (x.probabilities(), y.probabilities()) {
                            (Some(p), Some(q)) => {
                                p.row(i).iter().zip(q.row(i)).any(|(&u, &v)| !same(u, v))
                            }
                            (None, None) => false,
                            _ => true,
                        }
                })
                .collect()
        }
        // Different kinds or lengths: every row differs.
        _ => (0..a.len().max(b.len())).collect(),
    }
}
