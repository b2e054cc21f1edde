//! What the churn benchmark-score and differential tests share: the holdout, the healthy and
//! the deliberately broken models, and the checks themselves.

#![allow(dead_code)] // each test binary uses its own part

use churn::{load_churn, ChurnModel, TrainConfig};
use mlharness::benchmark::{BeatsBaseline, KeyInstances, Slices, Thresholds};
use mlharness::check::Outcome;
use mlharness::data::{ColumnKind, CsvOptions, Dataset, Split};
use mlharness::metrics::Metric;
use mlharness::model::{Model, ModelError, Predictions};
use mlharness::stats::Bootstrap;
use ndarray::Array2;
use std::error::Error;
use std::path::PathBuf;

pub type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The seed of the canonical holdout the golden and the bars are recorded on.
pub const HOLDOUT_SEED: u64 = 42;

/// A file under `examples/churn/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// The stratified 80/20 split of the churn data with `seed`.
pub fn split(seed: u64) -> Split {
    load_churn()
        .expect("fixtures/churn.csv loads")
        .split_stratified("churn", 0.2, seed)
        .expect("stratified split")
}

pub fn train(train: &Dataset, config: TrainConfig) -> ChurnModel {
    ChurnModel::train(train, &config).expect("the churn model trains")
}

/// The model as the project trains it.
pub fn healthy(split: &Split, seed: u64) -> ChurnModel {
    train(
        &split.train,
        TrainConfig {
            seed,
            ..TrainConfig::default()
        },
    )
}

/// The optimiser stopped after one step.
pub fn one_iteration(split: &Split) -> ChurnModel {
    train(
        &split.train,
        TrainConfig {
            max_iter: 1,
            ..TrainConfig::default()
        },
    )
}

/// Trained on 2% of the training rows (80 subscribers).
pub fn two_percent(split: &Split) -> ChurnModel {
    train(
        &split.train,
        TrainConfig {
            training_fraction: 0.02,
            ..TrainConfig::default()
        },
    )
}

/// A healthy model whose feature columns are handed over in the wrong order at prediction
/// time: each numeric feature receives the values of the next one.
pub struct ShuffledFeatures(pub ChurnModel);

impl Model for ShuffledFeatures {
    fn predict(&self, data: &Dataset) -> std::result::Result<Predictions, ModelError> {
        let numeric: Vec<String> = data
            .feature_names()
            .into_iter()
            .filter(|c| data.numeric(c).is_ok())
            .map(str::to_string)
            .collect();
        let mut shuffled = data.clone();
        for (i, name) in numeric.iter().enumerate() {
            let source = data.column(&numeric[(i + 1) % numeric.len()])?.clone();
            shuffled = shuffled.without_column(name)?.with_column(name, source)?;
        }
        self.0.predict(&shuffled)
    }
}

/// Predicts the majority class with the training class shares, whatever the subscriber.
pub fn majority(split: &Split) -> mlharness::baseline::MostFrequent {
    mlharness::baseline::MostFrequent::fit(&split.train).expect("the baseline fits")
}

/// Knows the answer: the true class with probability 1.
pub fn ground_truth(data: &Dataset) -> std::result::Result<Predictions, ModelError> {
    let classes = vec!["no".to_string(), "yes".to_string()];
    let truth = data.target_indices(&classes)?;
    let mut p = Array2::zeros((truth.len(), 2));
    for (i, &t) in truth.iter().enumerate() {
        p[[i, t]] = 1.0;
    }
    Predictions::probabilities(classes, p)
}

/// The subscribers in `fixtures/key_customers.csv`, named by `customer`, target `churn`.
pub fn key_customers() -> Dataset {
    Dataset::from_csv_with(
        fixture("key_customers.csv"),
        &CsvOptions::default()
            .target("churn")
            .kind("area_code", ColumnKind::Categorical)
            .kind("customer", ColumnKind::Categorical),
    )
    .expect("fixtures/key_customers.csv loads")
}

// ---------------------------------------------------------------------------------------------
// The benchmark-score checks
// ---------------------------------------------------------------------------------------------

/// Better than predicting the class shares, beyond bootstrap noise: by 0.2 in ROC AUC and by
/// 0.03 in log loss.
pub fn check_beats_most_frequent(
    model: &dyn Model,
    split: &Split,
    seed: u64,
) -> Result<Vec<Outcome>> {
    let bootstrap = Bootstrap::new(seed).resamples(1000);
    Ok(vec![
        BeatsBaseline::new(Metric::RocAuc)
            .margin(0.2)
            .bootstrap(bootstrap)
            .check(model, &split.train, &split.test)?,
        BeatsBaseline::new(Metric::LogLoss)
            .margin(0.03)
            .bootstrap(bootstrap)
            .check(model, &split.train, &split.test)?,
    ])
}

/// The bars of `fixtures/scores.toml`.
pub fn check_scores(model: &dyn Model, split: &Split) -> Result<Outcome> {
    Ok(Thresholds::load(fixture("scores.toml"))?.check(model, &split.test)?)
}

/// Every key customer classified right.
pub fn check_key_customers(model: &dyn Model) -> Result<Outcome> {
    Ok(KeyInstances::new("customer").check(model, &key_customers())?)
}

/// ROC AUC at least 0.55 for international-plan and area-code groups of 50+ subscribers, and
/// no group more than 0.3 behind another.
pub fn check_fairness(model: &dyn Model, split: &Split) -> Result<Outcome> {
    Ok(Slices::new(Metric::RocAuc)
        .by_column("international_plan")
        .by_column("area_code")
        .floor(0.55)
        .max_gap(0.3)
        .min_rows(50)
        .check(model, &split.test)?)
}

/// Every benchmark-score check.
pub fn all_benchmark_checks(model: &dyn Model, split: &Split, seed: u64) -> Result<Vec<Outcome>> {
    let mut outcomes = check_beats_most_frequent(model, split, seed)?;
    outcomes.push(check_scores(model, split)?);
    outcomes.push(check_key_customers(model)?);
    outcomes.push(check_fairness(model, split)?);
    Ok(outcomes)
}

/// The failed outcomes, rendered (what the test would print).
pub fn failures(outcomes: &[Outcome]) -> String {
    outcomes
        .iter()
        .filter(|o| !o.passed())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
