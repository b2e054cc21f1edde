//! Integration tests of the churn pipeline: fit → transform → predict on real data.

use churn::{load_churn, ChurnModel, TrainConfig};
use mlharness::data::{Dataset, Split};
use mlharness::fixtures::{temp_dir, TestDir};
use mlharness::metrics::Metric;
use mlharness::model::Model;
use rstest::{fixture, rstest};
use std::path::Path;

#[fixture]
#[once]
fn split() -> Split {
    load_churn()
        .expect("fixtures/churn.csv loads")
        .split_stratified("churn", 0.2, 42)
        .expect("stratified split")
}

fn score(model: &ChurnModel, data: &Dataset, metric: Metric) -> f64 {
    let preds = model.predict(data).expect("prediction");
    metric.evaluate(data, &preds).expect("metric")
}

#[rstest]
fn healthy_model_reaches_auc_080_on_holdout(split: &Split) {
    let model = ChurnModel::train(&split.train, &TrainConfig::default()).unwrap();
    let auc = score(&model, &split.test, Metric::RocAuc);
    println!(
        "holdout ROC AUC = {auc:.4}, log loss = {:.4}",
        score(&model, &split.test, Metric::LogLoss)
    );
    assert!(auc >= 0.80, "holdout ROC AUC {auc:.4} is below 0.80");
}

#[rstest]
#[case::one_iteration(TrainConfig { max_iter: 1, ..TrainConfig::default() })]
#[case::two_percent_of_data(TrainConfig { training_fraction: 0.02, ..TrainConfig::default() })]
fn broken_model_scores_visibly_worse(split: &Split, #[case] broken: TrainConfig) {
    let healthy = ChurnModel::train(&split.train, &TrainConfig::default()).unwrap();
    let broken = ChurnModel::train(&split.train, &broken).unwrap();
    let (h_auc, b_auc) = (
        score(&healthy, &split.test, Metric::RocAuc),
        score(&broken, &split.test, Metric::RocAuc),
    );
    let (h_ll, b_ll) = (
        score(&healthy, &split.test, Metric::LogLoss),
        score(&broken, &split.test, Metric::LogLoss),
    );
    assert!(
        b_auc < h_auc - 0.03 && b_ll > h_ll + 0.05,
        "the broken model is not visibly worse: ROC AUC {b_auc:.4} vs healthy {h_auc:.4} \
         (expected at least 0.03 lower), log loss {b_ll:.4} vs healthy {h_ll:.4} (expected at least 0.05 higher)"
    );
}

// One named test per pipeline check: mlharness_pipeline::one_prediction_per_row, finite_predictions,
// same_seed_same_model, batch_invariance, row_order_invariance, column_order_invariance and
// artifact_round_trip.
mlharness::pipeline_test! {
    fit: |train: &Dataset, seed: u64| ChurnModel::train(train, &TrainConfig { seed, ..TrainConfig::default() }),
    train: split().train,
    holdout: split().test,
    save: |model: &ChurnModel, path: &Path| model.save(path),
    load: |path: &Path| ChurnModel::load(path),
}

#[rstest]
fn subsample_depends_on_the_seed(split: &Split) {
    let small = |seed| TrainConfig {
        training_fraction: 0.1,
        seed,
        ..TrainConfig::default()
    };
    let a = ChurnModel::train(&split.train, &small(1)).unwrap();
    let b = ChurnModel::train(&split.train, &small(2)).unwrap();
    assert_ne!(
        a.predict(&split.test).unwrap(),
        b.predict(&split.test).unwrap()
    );
}

#[rstest]
fn the_artifact_records_the_model_version(split: &Split, temp_dir: TestDir) {
    let model = ChurnModel::train(&split.train, &TrainConfig::default()).unwrap();
    let path = temp_dir.path().join("model.json");
    model.save(&path).unwrap();
    assert_eq!(
        ChurnModel::load(&path).unwrap().model_version(),
        "churn-logreg-1.0.0"
    );
}

#[rstest]
fn corrupt_artifact_is_an_error_naming_the_file(temp_dir: TestDir) {
    let path = temp_dir.path().join("model.json");
    std::fs::write(&path, "{\"format\": 1, \"model_version\": ").unwrap();
    let err = ChurnModel::load(&path).unwrap_err().to_string();
    assert!(err.contains("model.json"), "{err}");
}

#[rstest]
fn unseen_and_missing_categories_still_predict(split: &Split) {
    let model = ChurnModel::train(&split.train, &TrainConfig::default()).unwrap();
    let rows = split.test.take(&[0, 1]).unwrap();
    let states: Vec<Option<&str>> = vec![Some("Atlantis"), None];
    let odd = rows
        .without_column("state")
        .unwrap()
        .with_column("state", mlharness::data::Column::categorical(states))
        .unwrap();
    let preds = model.predict(&odd).unwrap();
    let p = preds.as_classes().unwrap().probabilities().unwrap();
    assert!(
        p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
        "{p:?}"
    );
}
