//! Metrics against scikit-learn (`fixtures/reference/metrics.json`), their errors, and
//! properties of ROC AUC.

use crate::strings;
use crate::{close, repo_file};
use mlharness::data::{Column, Dataset};
use mlharness::metrics::{self, Average, ConfusionMatrix, Metric, MetricError};
use mlharness::model::Predictions;
use ndarray::{array, Array2};
use proptest::prelude::*;
use rstest::rstest;
use serde_json::Value;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// The reference file
// ---------------------------------------------------------------------------------------------

const CLASSIFICATION_CASES: [&str; 6] = [
    "binary_balanced",
    "binary_imbalanced_ties",
    "binary_never_predicts_positive",
    "binary_tiny",
    "multiclass_3",
    "multiclass_4_missing_classes",
];

const REGRESSION_CASES: [&str; 5] = [
    "regression_random",
    "regression_with_zeros",
    "regression_constant_target",
    "regression_perfect",
    "regression_large_values",
];

/// Fixture metric names and the `Metric` that computes each.
const CLASSIFICATION_METRICS: [(&str, Metric); 13] = [
    ("accuracy", Metric::Accuracy),
    ("balanced_accuracy", Metric::BalancedAccuracy),
    ("precision_macro", Metric::Precision(Average::Macro)),
    ("recall_macro", Metric::Recall(Average::Macro)),
    ("f1_macro", Metric::F1(Average::Macro)),
    ("precision_weighted", Metric::Precision(Average::Weighted)),
    ("recall_weighted", Metric::Recall(Average::Weighted)),
    ("f1_weighted", Metric::F1(Average::Weighted)),
    ("precision_binary", Metric::Precision(Average::Binary)),
    ("recall_binary", Metric::Recall(Average::Binary)),
    ("f1_binary", Metric::F1(Average::Binary)),
    ("roc_auc", Metric::RocAuc),
    ("log_loss", Metric::LogLoss),
];

const REGRESSION_METRICS: [(&str, Metric); 5] = [
    ("mse", Metric::Mse),
    ("rmse", Metric::Rmse),
    ("mae", Metric::Mae),
    ("r2", Metric::R2),
    ("mape", Metric::Mape),
];

fn reference() -> &'static Value {
    static REFERENCE: OnceLock<Value> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let path = repo_file("fixtures/reference/metrics.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    })
}

fn reference_case(section: &str, name: &str) -> &'static Value {
    reference()[section]
        .as_array()
        .unwrap_or_else(|| panic!("metrics.json has no `{section}` list"))
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("metrics.json has no {section} case `{name}`"))
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(floats).collect();
    let k = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), k), rows.concat()).expect("rectangular matrix")
}

struct ClassificationCase {
    n_classes: usize,
    y_true: Vec<usize>,
    y_pred: Vec<usize>,
    proba: Array2<f64>,
    expected: &'static serde_json::Map<String, Value>,
}

fn classification_case(name: &str) -> ClassificationCase {
    let c = reference_case("classification", name);
    ClassificationCase {
        n_classes: c["n_classes"].as_u64().unwrap() as usize,
        y_true: usizes(&c["y_true"]),
        y_pred: usizes(&c["y_pred"]),
        proba: matrix(&c["proba"]),
        expected: c["expected"].as_object().unwrap(),
    }
}

/// The metric computed by its slice function.
fn by_function(c: &ClassificationCase, key: &str) -> Result<f64, MetricError> {
    let (t, p) = (&c.y_true[..], &c.y_pred[..]);
    match key {
        "accuracy" => metrics::accuracy(t, p),
        "balanced_accuracy" => metrics::balanced_accuracy(t, p),
        "precision_macro" => metrics::precision(t, p, Average::Macro),
        "recall_macro" => metrics::recall(t, p, Average::Macro),
        "f1_macro" => metrics::f1(t, p, Average::Macro),
        "precision_weighted" => metrics::precision(t, p, Average::Weighted),
        "recall_weighted" => metrics::recall(t, p, Average::Weighted),
        "f1_weighted" => metrics::f1(t, p, Average::Weighted),
        "precision_binary" => metrics::precision(t, p, Average::Binary),
        "recall_binary" => metrics::recall(t, p, Average::Binary),
        "f1_binary" => metrics::f1(t, p, Average::Binary),
        "roc_auc" => metrics::roc_auc(t, &c.proba.column(1).to_vec()),
        "log_loss" => metrics::log_loss(t, c.proba.view()),
        other => panic!("metrics.json has metric `{other}`, which this test does not know"),
    }
}

fn class_names(k: usize) -> Vec<String> {
    (0..k).map(|i| format!("class_{i}")).collect()
}

// ---------------------------------------------------------------------------------------------
// Against scikit-learn
// ---------------------------------------------------------------------------------------------

#[test]
fn every_reference_case_is_tested() {
    for (section, tested) in [
        ("classification", &CLASSIFICATION_CASES[..]),
        ("regression", &REGRESSION_CASES[..]),
    ] {
        let mut in_file: Vec<&str> = reference()[section]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let mut tested = tested.to_vec();
        in_file.sort_unstable();
        tested.sort_unstable();
        assert_eq!(
            in_file, tested,
            "{section} cases in metrics.json vs the #[case]s of this file"
        );
    }
}

#[rstest]
#[case("binary_balanced")]
#[case("binary_imbalanced_ties")]
#[case("binary_never_predicts_positive")]
#[case("binary_tiny")]
#[case("multiclass_3")]
#[case("multiclass_4_missing_classes")]
fn classification_matches_sklearn(#[case] name: &str) {
    let c = classification_case(name);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (key, want) in c.expected {
        if key == "confusion_matrix" {
            continue;
        }
        let want = want
            .as_f64()
            .unwrap_or_else(|| panic!("{name}/{key} is not a number"));
        match by_function(&c, key) {
            Ok(got) if close(got, want) => {}
            Ok(got) => failures.push(format!(
                "{name}: {key} = {got:.17}, scikit-learn {want:.17}"
            )),
            Err(e) => failures.push(format!("{name}: {key} failed: {e}")),
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The binary-only metrics are there exactly for two classes.
    assert_eq!(
        checked,
        if c.n_classes == 2 { 13 } else { 9 },
        "{name}: metrics compared"
    );
}

#[rstest]
#[case("binary_balanced")]
#[case("binary_imbalanced_ties")]
#[case("binary_never_predicts_positive")]
#[case("binary_tiny")]
#[case("multiclass_3")]
#[case("multiclass_4_missing_classes")]
fn confusion_matrix_matches_sklearn(#[case] name: &str) {
    let c = classification_case(name);
    let want: Vec<Vec<u64>> = c.expected["confusion_matrix"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap())
                .collect()
        })
        .collect();
    let cm = ConfusionMatrix::new(&c.y_true, &c.y_pred, c.n_classes).unwrap();
    let got: Vec<Vec<u64>> = cm.counts().outer_iter().map(|r| r.to_vec()).collect();
    assert_eq!(got, want, "{name}: confusion matrix");
    let via_fn = metrics::confusion_matrix(&c.y_true, &c.y_pred, c.n_classes).unwrap();
    assert_eq!(via_fn, cm);
}

#[rstest]
#[case("binary_balanced")]
#[case("binary_imbalanced_ties")]
#[case("binary_never_predicts_positive")]
#[case("binary_tiny")]
#[case("multiclass_3")]
#[case("multiclass_4_missing_classes")]
fn metric_evaluate_on_a_dataset_matches_sklearn(#[case] name: &str) {
    let c = classification_case(name);
    let classes = class_names(c.n_classes);
    let ds = Dataset::from_columns(vec![
        ("x".into(), Column::numeric(vec![0.0; c.y_true.len()])),
        (
            "y".into(),
            Column::categorical(c.y_true.iter().map(|&t| Some(classes[t].as_str()))),
        ),
    ])
    .unwrap()
    .with_target("y")
    .unwrap();
    let preds =
        Predictions::classes_with_probabilities(classes.clone(), c.y_pred.clone(), c.proba.clone())
            .unwrap();
    let mut failures = Vec::new();
    for (key, metric) in CLASSIFICATION_METRICS {
        let Some(want) = c.expected.get(key).and_then(Value::as_f64) else {
            continue;
        };
        match metric.evaluate(&ds, &preds) {
            Ok(got) if close(got, want) => {
                // Same number as the slice function.
                assert_eq!(
                    got,
                    by_function(&c, key).unwrap(),
                    "{name}: {metric} via evaluate vs function"
                );
            }
            Ok(got) => failures.push(format!(
                "{name}: {metric} = {got:.17}, scikit-learn {want:.17}"
            )),
            Err(e) => failures.push(format!("{name}: {metric} failed: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[rstest]
#[case("regression_random")]
#[case("regression_with_zeros")]
#[case("regression_constant_target")]
#[case("regression_perfect")]
#[case("regression_large_values")]
fn regression_matches_sklearn(#[case] name: &str) {
    let c = reference_case("regression", name);
    let (y, p) = (floats(&c["y_true"]), floats(&c["y_pred"]));
    let expected = c["expected"].as_object().unwrap();
    assert_eq!(
        expected.len(),
        REGRESSION_METRICS.len(),
        "{name}: metrics in the file"
    );
    let ds = Dataset::from_columns(vec![("y".into(), Column::numeric(y.clone()))])
        .unwrap()
        .with_target("y")
        .unwrap();
    let preds = Predictions::values(p.clone());
    let mut failures = Vec::new();
    for (key, metric) in REGRESSION_METRICS {
        let want = expected
            .get(key)
            .and_then(Value::as_f64)
            .unwrap_or_else(|| panic!("{name}: metrics.json has no {key}"));
        let by_function = match key {
            "mse" => metrics::mse(&y, &p),
            "rmse" => metrics::rmse(&y, &p),
            "mae" => metrics::mae(&y, &p),
            "r2" => metrics::r2(&y, &p),
            "mape" => metrics::mape(&y, &p),
            _ => unreachable!(),
        };
        for (how, got) in [
            ("function", by_function),
            ("Metric::evaluate", metric.evaluate(&ds, &preds)),
        ] {
            match got {
                Ok(got) if close(got, want) => {}
                Ok(got) => failures.push(format!(
                    "{name}: {key} ({how}) = {got:.17}, scikit-learn {want:.17}"
                )),
                Err(e) => failures.push(format!("{name}: {key} ({how}) failed: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Log loss clipping and small hand-checked values
// ---------------------------------------------------------------------------------------------

#[test]
fn log_loss_clips_a_zero_probability_to_epsilon() {
    let eps = f64::EPSILON;
    let got = metrics::log_loss(&[0], array![[0.0, 1.0]].view()).unwrap();
    assert!(
        close(got, -eps.ln()),
        "got {got}, expected -ln(ε) = {}",
        -eps.ln()
    );

    // And a probability of exactly 1 to 1 − ε: a tiny positive loss, not zero.
    let got = metrics::log_loss(&[1], array![[0.0, 1.0]].view()).unwrap();
    let want = -(1.0 - eps).ln();
    assert!(
        got > 0.0 && (got - want).abs() <= 1e-12 * want,
        "got {got}, expected {want}"
    );

    // Averaged over rows.
    let got = metrics::log_loss(&[0, 1], array![[0.0, 1.0], [0.25, 0.75]].view()).unwrap();
    assert!(close(got, (-eps.ln() - 0.75f64.ln()) / 2.0), "got {got}");
}

#[test]
fn hand_checked_small_values() {
    // 2 of 4 right; class 1: tp 1, fp 1, fn 1.
    let (t, p) = ([0, 1, 1, 0], [0, 1, 0, 1]);
    assert_eq!(metrics::accuracy(&t, &p).unwrap(), 0.5);
    assert_eq!(metrics::precision(&t, &p, Average::Binary).unwrap(), 0.5);
    // Majority-class guess on imbalanced data: balanced accuracy 0.5 however skewed.
    assert_eq!(
        metrics::balanced_accuracy(&[0, 0, 0, 0, 0, 0, 0, 1], &[0; 8]).unwrap(),
        0.5
    );
    // Perfect ranking, reversed ranking, all tied.
    assert_eq!(
        metrics::roc_auc(&[0, 0, 1, 1], &[0.1, 0.2, 0.3, 0.4]).unwrap(),
        1.0
    );
    assert_eq!(
        metrics::roc_auc(&[0, 0, 1, 1], &[0.4, 0.3, 0.2, 0.1]).unwrap(),
        0.0
    );
    assert_eq!(metrics::roc_auc(&[0, 1, 0, 1], &[0.5; 4]).unwrap(), 0.5);
    // Regression: errors 1, -1, 2.
    let (y, f) = ([1.0, 2.0, 4.0], [2.0, 1.0, 2.0]);
    assert!(close(metrics::mse(&y, &f).unwrap(), 6.0 / 3.0));
    assert!(close(metrics::mae(&y, &f).unwrap(), 4.0 / 3.0));
    assert!(close(metrics::rmse(&y, &f).unwrap(), 2.0f64.sqrt()));
    assert!(close(
        metrics::mape(&y, &f).unwrap(),
        (1.0 + 0.5 + 0.5) / 3.0
    ));
}

#[test]
fn confusion_matrix_grows_to_the_largest_label() {
    let cm = ConfusionMatrix::new(&[0, 3, 1], &[0, 0, 1], 2).unwrap();
    assert_eq!(cm.counts().dim(), (4, 4));
    assert_eq!(cm.counts()[[3, 0]], 1);
    assert_eq!(cm.counts().sum(), 3);
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

type Computation = fn() -> Result<f64, MetricError>;

#[rstest]
#[case::accuracy(|| metrics::accuracy(&[0, 1, 1], &[0, 1]))]
#[case::balanced_accuracy(|| metrics::balanced_accuracy(&[0, 1, 1], &[0, 1]))]
#[case::precision(|| metrics::precision(&[0, 1, 1], &[0, 1], Average::Macro))]
#[case::recall(|| metrics::recall(&[0, 1, 1], &[0, 1], Average::Weighted))]
#[case::f1(|| metrics::f1(&[0, 1, 1], &[0, 1], Average::Binary))]
#[case::confusion_matrix(|| metrics::confusion_matrix(&[0, 1, 1], &[0, 1], 2).map(|_| 0.0))]
#[case::roc_auc(|| metrics::roc_auc(&[0, 1, 1], &[0.1, 0.2]))]
#[case::log_loss(|| metrics::log_loss(&[0, 1, 1], array![[0.5, 0.5], [0.5, 0.5]].view()))]
#[case::mse(|| metrics::mse(&[1.0, 2.0, 3.0], &[1.0, 2.0]))]
#[case::rmse(|| metrics::rmse(&[1.0, 2.0, 3.0], &[1.0, 2.0]))]
#[case::mae(|| metrics::mae(&[1.0, 2.0, 3.0], &[1.0, 2.0]))]
#[case::r2(|| metrics::r2(&[1.0, 2.0, 3.0], &[1.0, 2.0]))]
#[case::mape(|| metrics::mape(&[1.0, 2.0, 3.0], &[1.0, 2.0]))]
fn length_mismatch(#[case] compute: Computation) {
    let err = compute().unwrap_err();
    assert_eq!(
        err,
        MetricError::LengthMismatch {
            truth: 3,
            predicted: 2
        }
    );
    assert!(
        err.to_string()
            .starts_with("3 true values but 2 predictions"),
        "{err}"
    );
}

#[rstest]
#[case::accuracy(|| metrics::accuracy(&[], &[]))]
#[case::balanced_accuracy(|| metrics::balanced_accuracy(&[], &[]))]
#[case::precision(|| metrics::precision(&[], &[], Average::Macro))]
#[case::recall(|| metrics::recall(&[], &[], Average::Binary))]
#[case::f1(|| metrics::f1(&[], &[], Average::Weighted))]
#[case::confusion_matrix(|| metrics::confusion_matrix(&[], &[], 2).map(|_| 0.0))]
#[case::roc_auc(|| metrics::roc_auc(&[], &[]))]
#[case::log_loss(|| metrics::log_loss(&[], Array2::zeros((0, 2)).view()))]
#[case::mse(|| metrics::mse(&[], &[]))]
#[case::rmse(|| metrics::rmse(&[], &[]))]
#[case::mae(|| metrics::mae(&[], &[]))]
#[case::r2(|| metrics::r2(&[], &[]))]
#[case::mape(|| metrics::mape(&[], &[]))]
fn empty_input(#[case] compute: Computation) {
    assert_eq!(compute().unwrap_err(), MetricError::Empty);
}

#[rstest]
#[case::nan_truth(|| metrics::mse(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0]), "truth", 1)]
#[case::infinite_prediction(|| metrics::mae(&[1.0, 2.0, 3.0], &[1.0, 2.0, f64::INFINITY]), "prediction", 2)]
#[case::negative_infinite_prediction(|| metrics::r2(&[1.0, 2.0], &[f64::NEG_INFINITY, 2.0]), "prediction", 0)]
#[case::rmse(|| metrics::rmse(&[1.0, 2.0], &[1.0, f64::NAN]), "prediction", 1)]
#[case::mape(|| metrics::mape(&[1.0, 2.0, f64::INFINITY, 4.0], &[1.0; 4]), "truth", 2)]
#[case::nan_score(|| metrics::roc_auc(&[0, 1, 0], &[0.1, 0.2, f64::NAN]), "score", 2)]
fn non_finite_value_names_input_and_row(
    #[case] compute: Computation,
    #[case] want_what: &str,
    #[case] want_row: usize,
) {
    let err = compute().unwrap_err();
    let message = err.to_string();
    let MetricError::NonFinite { what, row, value } = err else {
        panic!("expected NonFinite, got {err:?}")
    };
    assert_eq!((what, row), (want_what, want_row));
    assert!(!value.is_finite());
    assert!(
        message.starts_with(&format!("{want_what} in row {want_row}")),
        "{message}"
    );
}

#[rstest]
#[case::precision_truth(|| metrics::precision(&[0, 2, 1], &[0, 1, 1], Average::Binary), 1, 2)]
#[case::recall_prediction(|| metrics::recall(&[0, 1, 0], &[0, 1, 3], Average::Binary), 2, 3)]
#[case::f1_prediction(|| metrics::f1(&[0, 1, 0, 1], &[2, 1, 0, 1], Average::Binary), 0, 2)]
#[case::roc_auc(|| metrics::roc_auc(&[0, 1, 2], &[0.1, 0.2, 0.3]), 2, 2)]
fn not_binary(#[case] compute: Computation, #[case] want_row: usize, #[case] want_label: usize) {
    let err = compute().unwrap_err();
    assert_eq!(
        err,
        MetricError::NotBinary {
            row: want_row,
            label: want_label
        }
    );
    assert!(
        err.to_string()
            .starts_with(&format!("row {want_row} has label {want_label}")),
        "{err}"
    );
}

#[test]
fn roc_auc_needs_both_classes() {
    assert_eq!(
        metrics::roc_auc(&[0, 0, 0], &[0.1, 0.2, 0.3]).unwrap_err(),
        MetricError::SingleClass { class: 0, n: 3 }
    );
    assert_eq!(
        metrics::roc_auc(&[1, 1], &[0.1, 0.2]).unwrap_err(),
        MetricError::SingleClass { class: 1, n: 2 }
    );
}

#[rstest]
#[case::row_sums_above_one(array![[0.5, 0.5], [0.6, 0.6]], vec![0, 1], 1, "sum")]
#[case::row_sums_below_one(array![[0.2, 0.3], [0.5, 0.5]], vec![0, 1], 0, "sum")]
#[case::above_one_though_summing_to_one(array![[0.5, 0.5], [0.5, 0.5], [1.25, -0.25]], vec![0, 1, 0], 2, "outside [0, 1]")]
#[case::negative(array![[-0.1, 1.1]], vec![1], 0, "outside [0, 1]")]
#[case::nan(array![[0.5, 0.5], [f64::NAN, 0.5]], vec![0, 1], 1, "NaN")]
#[case::label_without_a_column(array![[0.5, 0.5], [0.5, 0.5]], vec![0, 2], 1, "no probability column")]
fn invalid_probabilities_name_the_row(
    #[case] proba: Array2<f64>,
    #[case] truth: Vec<usize>,
    #[case] want_row: usize,
    #[case] problem_mentions: &str,
) {
    let err = metrics::log_loss(&truth, proba.view()).unwrap_err();
    let message = err.to_string();
    let MetricError::InvalidProbabilities { row, problem } = err else {
        panic!("expected InvalidProbabilities, got {err:?}")
    };
    assert_eq!(row, want_row, "{message}");
    assert!(problem.contains(problem_mentions), "{problem}");
    assert!(
        message.starts_with(&format!("row {want_row}: ")),
        "{message}"
    );
}

#[test]
fn absurd_label_is_too_many_classes() {
    let err = ConfusionMatrix::new(&[0, 1], &[0, 70_000], 2).unwrap_err();
    assert_eq!(
        err,
        MetricError::TooManyClasses {
            row: 1,
            label: 70_000
        }
    );
    assert!(matches!(
        metrics::precision(&[100_000], &[0], Average::Macro),
        Err(MetricError::TooManyClasses { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Metric::evaluate
// ---------------------------------------------------------------------------------------------

fn yes_no() -> Dataset {
    Dataset::from_columns(vec![(
        "churn".into(),
        Column::categorical([Some("no"), Some("yes"), Some("no"), Some("yes")]),
    )])
    .unwrap()
    .with_target("churn")
    .unwrap()
}

#[test]
fn evaluate_maps_the_truth_to_the_models_classes() {
    // The model lists its classes in another order than the dataset's sorted levels.
    let preds = Predictions::probabilities(
        strings(&["yes", "no"]),
        array![[0.2, 0.8], [0.7, 0.3], [0.4, 0.6], [0.9, 0.1]],
    )
    .unwrap();
    // Labels: no, yes, no, yes — all right.
    assert_eq!(Metric::Accuracy.evaluate(&yes_no(), &preds).unwrap(), 1.0);
    // Positive scores are the model's second class ("no"): the truth is indexed the same way,
    // so "no" rows score 0.8 and 0.6 against 0.3 and 0.1 for "yes": a perfect ranking.
    assert_eq!(Metric::RocAuc.evaluate(&yes_no(), &preds).unwrap(), 1.0);
}

#[rstest]
#[case::regression_metric_on_classes(Metric::Mse, Predictions::classes(strings(&["no", "yes"]), vec![0, 1, 0, 1]).unwrap())]
#[case::classification_metric_on_values(Metric::Accuracy, Predictions::values(vec![0.0, 1.0, 0.0, 1.0]))]
#[case::roc_auc_without_probabilities(Metric::RocAuc, Predictions::classes(strings(&["no", "yes"]), vec![0, 1, 0, 1]).unwrap())]
#[case::log_loss_without_probabilities(Metric::LogLoss, Predictions::classes(strings(&["no", "yes"]), vec![0, 1, 0, 1]).unwrap())]
#[case::roc_auc_with_three_classes(
    Metric::RocAuc,
    Predictions::probabilities(strings(&["maybe", "no", "yes"]), Array2::from_elem((4, 3), 1.0 / 3.0)).unwrap()
)]
fn wrong_predictions_for_the_metric(#[case] metric: Metric, #[case] preds: Predictions) {
    let ds = match preds {
        Predictions::Values(_) => Dataset::from_columns(vec![(
            "y".into(),
            Column::numeric(vec![0.0, 1.0, 0.0, 1.0]),
        )])
        .unwrap()
        .with_target("y")
        .unwrap(),
        Predictions::Classes(_) => yes_no(),
    };
    let err = metric.evaluate(&ds, &preds).unwrap_err();
    assert!(
        matches!(err, MetricError::WrongPredictions { metric: m, .. } if m == metric),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .starts_with(&format!("{metric} cannot be computed from")),
        "{err}"
    );
}

#[test]
fn evaluate_reports_a_dataset_problem_as_data_error() {
    let preds = Predictions::classes(strings(&["no", "yes"]), vec![0, 1, 0, 1]).unwrap();
    let err = Metric::Accuracy
        .evaluate(&yes_no().without_target(), &preds)
        .unwrap_err();
    assert!(
        matches!(&err, MetricError::Data(m) if m.contains("no target column")),
        "{err:?}"
    );

    let preds = Predictions::classes(strings(&["no", "maybe"]), vec![0, 1, 0, 1]).unwrap();
    let err = Metric::Accuracy.evaluate(&yes_no(), &preds).unwrap_err();
    assert!(
        matches!(&err, MetricError::Data(m) if m.contains("`yes`")),
        "{err:?}"
    );

    let preds = Predictions::classes(strings(&["no", "yes"]), vec![0, 1]).unwrap();
    let err = Metric::Accuracy.evaluate(&yes_no(), &preds).unwrap_err();
    assert_eq!(
        err,
        MetricError::LengthMismatch {
            truth: 4,
            predicted: 2
        }
    );
}

#[test]
fn metric_names_and_direction() {
    for (key, metric) in CLASSIFICATION_METRICS.iter().chain(&REGRESSION_METRICS) {
        // Binary averages are named without a suffix; the others as in the fixture.
        let want = key.strip_suffix("_binary").unwrap_or(key);
        assert_eq!(metric.to_string(), want);
    }
    for metric in [
        Metric::LogLoss,
        Metric::Mse,
        Metric::Rmse,
        Metric::Mae,
        Metric::Mape,
    ] {
        assert!(!metric.higher_is_better(), "{metric}");
    }
    for metric in [
        Metric::Accuracy,
        Metric::RocAuc,
        Metric::R2,
        Metric::F1(Average::Macro),
    ] {
        assert!(metric.higher_is_better(), "{metric}");
    }
}

// ---------------------------------------------------------------------------------------------
// ROC AUC properties
// ---------------------------------------------------------------------------------------------

/// The share of (positive, negative) pairs ranked right, ties counting one half.
fn brute_force_auc(truth: &[usize], scores: &[f64]) -> f64 {
    let mut right = 0.0;
    let mut pairs = 0.0;
    for (i, &ti) in truth.iter().enumerate() {
        for (j, &tj) in truth.iter().enumerate() {
            if ti == 1 && tj == 0 {
                pairs += 1.0;
                if scores[i] > scores[j] {
                    right += 1.0;
                } else if scores[i] == scores[j] {
                    right += 0.5;
                }
            }
        }
    }
    right / pairs
}

/// Scores with many ties, both zeros, negatives and some arbitrary values.
fn score() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (-6i32..=6).prop_map(|k| f64::from(k) / 4.0),
        1 => Just(-0.0),
        1 => Just(0.0),
        2 => -1e6f64..1e6,
    ]
}

fn labelled_scores() -> impl Strategy<Value = (Vec<usize>, Vec<f64>)> {
    prop::collection::vec((0usize..2, score()), 2..40)
        .prop_filter("both classes", |rows| {
            rows.iter().any(|r| r.0 == 0) && rows.iter().any(|r| r.0 == 1)
        })
        .prop_map(|rows| rows.into_iter().unzip())
}

proptest! {
    #[test]
    fn roc_auc_is_the_pairwise_ranking_share((truth, scores) in labelled_scores()) {
        let got = metrics::roc_auc(&truth, &scores).unwrap();
        let want = brute_force_auc(&truth, &scores);
        prop_assert!((got - want).abs() <= 1e-12, "roc_auc {} vs pairwise {}", got, want);
    }

    #[test]
    fn roc_auc_is_invariant_to_increasing_transforms(
        rows in prop::collection::vec((0usize..2, -40i32..=40), 2..40)
            .prop_filter("both classes", |r| r.iter().any(|x| x.0 == 0) && r.iter().any(|x| x.0 == 1))
    ) {
        let truth: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let scores: Vec<f64> = rows.iter().map(|r| f64::from(r.1) / 8.0).collect();
        let base = metrics::roc_auc(&truth, &scores).unwrap();
        type Transform = (&'static str, fn(f64) -> f64);
        let transforms: [Transform; 4] = [
            ("3x - 7", |x| 3.0 * x - 7.0),
            ("x³ + x", |x| x.powi(3) + x),
            ("exp", f64::exp),
            ("sigmoid", |x| 1.0 / (1.0 + (-x).exp())),
        ];
        for (name, f) in transforms {
            let moved: Vec<f64> = scores.iter().map(|&s| f(s)).collect();
            prop_assert_eq!(metrics::roc_auc(&truth, &moved).unwrap(), base, "transform {}", name);
        }
        // A decreasing transform mirrors it.
        let negated: Vec<f64> = scores.iter().map(|&s| -s).collect();
        prop_assert!((metrics::roc_auc(&truth, &negated).unwrap() - (1.0 - base)).abs() <= 1e-12);
    }
}
