//! Integration tests of the churn pipeline: fit → transform → predict on real data.

use churn::{load_churn, ChurnModel, TrainConfig};
use mlharness::behaviour::{Directional, Invariance, Perturbation};
use mlharness::budget::TimeBudget;
use mlharness::data::{Column, ColumnKind, Dataset, Split};
use mlharness::fixtures::{temp_dir, TestDir};
use mlharness::metrics::Metric;
use mlharness::model::{Model, ModelError, Predictions};
use mlharness::pipeline::Parity;
use mlharness::prelude::{CheckError, Checked, Outcome};
use rstest::{fixture, rstest};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

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
    // The holdout (667 rows) in a fraction of a second, as a batch.
    time_budget: TimeBudget::at_most(Duration::from_secs(2)),
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

/// The model the parity, behavioural and budget checks look at, trained once per test binary.
fn model() -> &'static ChurnModel {
    static MODEL: OnceLock<ChurnModel> = OnceLock::new();
    MODEL.get_or_init(|| ChurnModel::train(&split().train, &TrainConfig::default()).unwrap())
}

/// `rows` as the JSON records a client sends to `POST /predict`.
fn records(rows: &Dataset) -> Vec<Value> {
    (0..rows.n_rows())
        .map(|i| {
            let fields = churn::serving_columns().iter().map(|(name, kind)| {
                let value = match kind {
                    ColumnKind::Numeric => json!(rows.numeric(name).unwrap().values()[i]),
                    ColumnKind::Categorical => json!(rows.categorical(name).unwrap().get(i)),
                };
                (name.clone(), value)
            });
            Value::Object(fields.collect())
        })
        .collect()
}

/// The training path: the fitted pipeline on rows read from the CSV file.
fn training_features(rows: &Dataset) -> Result<ndarray::Array2<f64>, churn::PipelineError> {
    model().pipeline().transform(rows)
}

/// The serving path: the rows sent as JSON, parsed as the service parses them, then the
/// pipeline.
fn serving_features(rows: &Dataset) -> Result<ndarray::Array2<f64>, String> {
    let body = serde_json::to_vec(&records(rows)).map_err(|e| e.to_string())?;
    let request = churn::parse_request(&body).map_err(|e| e.message)?;
    model()
        .pipeline()
        .transform(&request.data)
        .map_err(|e| e.to_string())
}

/// A serving path with two binary features swapped, as a request mapping can swap them: few
/// predictions flip and ROC AUC moves inside the seed noise, so only parity sees it.
fn serving_with_swapped_flags(rows: &Dataset) -> Result<ndarray::Array2<f64>, String> {
    let body = serde_json::to_vec(&records(rows)).map_err(|e| e.to_string())?;
    let data = churn::parse_request(&body).map_err(|e| e.message)?.data;
    let column = |name| data.column(name).cloned().map_err(|e| e.to_string());
    let (intl, voice) = (column("international_plan")?, column("voice_mail_plan")?);
    let swapped = data
        .replace_column("international_plan", voice)
        .and_then(|d| d.replace_column("voice_mail_plan", intl))
        .map_err(|e| e.to_string())?;
    model()
        .pipeline()
        .transform(&swapped)
        .map_err(|e| e.to_string())
}

/// Scores a batch one row at a time, the slow path a refactoring can leave behind.
struct RowByRow<'a>(&'a ChurnModel);

impl Model for RowByRow<'_> {
    fn predict(&self, data: &Dataset) -> std::result::Result<Predictions, ModelError> {
        let mut p = Vec::with_capacity(data.n_rows());
        for i in 0..data.n_rows() {
            let one = self.0.predict(&data.take(&[i])?)?;
            p.push(
                one.as_classes()
                    .and_then(|c| c.positive_scores())
                    .map_or(f64::NAN, |s| s[0]),
            );
        }
        Ok(Predictions::values(p))
    }
}

/// 1,000 rows must cost at most 100 single-row calls: a vectorised batch takes about 10.
fn batch_budget() -> TimeBudget {
    TimeBudget::relative(100.0).runs(5)
}

mlharness::integration_checks! {
    /// The same 200 holdout rows give the same features through the CSV (training) path and
    /// the JSON (serving) path, column by column.
    fn training_and_serving_features_agree() -> std::result::Result<Outcome, CheckError> {
        let rows = split().test.take(&(0..200).collect::<Vec<_>>())?;
        Parity::new().check(&rows, &model().pipeline().output_names(), training_features, serving_features)
    }

    /// Domain knowledge as a sign table: more customer-service calls must not lower P(churn),
    /// and an international plan must not lower it either.
    fn churn_moves_the_way_the_domain_says() -> std::result::Result<Vec<Outcome>, CheckError> {
        let rows = &split().test;
        Ok(vec![
            Directional::new("number_customer_service_calls", Perturbation::Add(2.0))
                .must_not_decrease()
                .check(model(), rows)?,
            Directional::new("international_plan", Perturbation::Set("yes".into()))
                .must_not_decrease()
                .check(model(), rows)?,
        ])
    }

    /// A customer ID appended to the request (clients send one) changes no prediction: the
    /// model reads its columns by name and ignores what it was not trained on.
    fn an_extra_id_column_changes_no_prediction() -> std::result::Result<Outcome, CheckError> {
        let rows = &split().test;
        Invariance::new("a customer_id column added").check(model(), rows, |d| {
            let ids = (0..d.n_rows()).map(|i| (i * 7919 % 100_003) as f64).collect();
            d.clone().with_column("customer_id", Column::numeric(ids))
        })
    }

    /// Batch scoring stays vectorised: 1,000 rows at most 100× one row, medians of 5 runs.
    fn batch_scoring_is_vectorised() -> std::result::Result<Outcome, CheckError> {
        let (rows, one) = (&split().test, split().test.take(&[0])?);
        batch_budget().check_against("1,000 rows vs 1 row", || model().predict(&one), || model().predict(rows))
    }
}

mod harness_catches {
    use super::*;

    /// Issue 19: two weak binary features swapped at serving flipped 0.4% of predictions and
    /// moved ROC AUC by 0.0002 — invisible to every output check. Parity names the columns.
    #[test]
    fn two_binary_features_swapped_at_serving() {
        let rows = split().test.take(&(0..200).collect::<Vec<_>>()).unwrap();
        let names = model().pipeline().output_names();
        let failure = Parity::new()
            .check(&rows, &names, training_features, serving_with_swapped_flags)
            .assert_failed()
            .to_string();
        insta::assert_snapshot!(failure);
        assert!(failure.contains("international_plan=yes"), "{failure}");
        assert!(
            failure.contains("equals training `voice_mail_plan=yes`: swapped?"),
            "{failure}"
        );
    }

    /// Issue 19: batch scoring 15–400× slower (rows scored one by one) passed every check.
    #[test]
    fn batch_scoring_row_by_row() {
        let (rows, one) = (&split().test, split().test.take(&[0]).unwrap());
        let slow = RowByRow(model());
        let failure = batch_budget()
            .check_against(
                "1,000 rows vs 1 row",
                || slow.predict(&one),
                || slow.predict(rows),
            )
            .assert_failed()
            .to_string();
        assert!(
            failure.starts_with("FAILED time budget: 1,000 rows vs 1 row within 100× the reference: the candidate takes"),
            "{failure}"
        );
    }

    /// A model trained with the sign of customer-service calls reversed (a feature encoded
    /// upside down) breaks the sign table.
    #[test]
    fn a_feature_that_moves_churn_the_wrong_way() {
        let rows = &split().test;
        let upside_down = |d: &Dataset| {
            let calls = d.numeric("number_customer_service_calls")?.values();
            let flipped = Column::numeric(calls.iter().map(|c| 9.0 - c).collect());
            model().predict(&d.replace_column("number_customer_service_calls", flipped)?)
        };
        let failure = Directional::new("number_customer_service_calls", Perturbation::Add(2.0))
            .must_not_decrease()
            .check(&upside_down, rows)
            .assert_failed()
            .to_string();
        assert!(
            failure.starts_with("FAILED directional: `number_customer_service_calls` + 2 must not decrease the score: 1000 of 1000 rows the wrong way"),
            "{failure}"
        );
    }
}
