//! The `Model` trait, `Predictions` and `ModelError`.

use crate::strings;
use mlharness::data::{Column, DataError, Dataset};
use mlharness::model::{Model, ModelError, Predictions};
use ndarray::{array, Array2};
use rstest::rstest;
use std::error::Error as _;

fn calls(values: &[f64]) -> Dataset {
    Dataset::from_columns(vec![(
        "service_calls".into(),
        Column::numeric(values.to_vec()),
    )])
    .unwrap()
}

/// Through the trait, as the harness calls any model.
fn predict_with(model: &dyn Model, data: &Dataset) -> Result<Predictions, ModelError> {
    model.predict(data)
}

#[test]
fn a_closure_is_a_model() {
    let rule = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let labels = ds
            .numeric("service_calls")?
            .values()
            .iter()
            .map(|&c| usize::from(c > 3.0))
            .collect();
        Predictions::classes(strings(&["stays", "churns"]), labels)
    };
    let preds = predict_with(&rule, &calls(&[0.0, 4.0, 3.0, 9.0])).unwrap();
    assert_eq!(preds.len(), 4);
    assert!(!preds.is_empty());
    let c = preds.as_classes().unwrap();
    assert_eq!(c.labels(), &[0, 1, 0, 1]);
    assert_eq!(
        c.label_names().collect::<Vec<_>>(),
        vec!["stays", "churns", "stays", "churns"]
    );
    assert!(c.probabilities().is_none() && c.positive_scores().is_none());
    assert!(preds.as_values().is_none());

    // A data error inside the model comes back as a ModelError naming the column.
    let err = predict_with(
        &rule,
        &Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0]))]).unwrap(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("`service_calls`"), "{err}");
}

#[test]
fn a_regressor_closure() {
    let double = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(Predictions::values(
            ds.numeric("service_calls")?
                .values()
                .iter()
                .map(|v| v * 2.0)
                .collect(),
        ))
    };
    let preds = double.predict(&calls(&[1.0, 2.5])).unwrap();
    assert_eq!(preds.as_values(), Some(&[2.0, 5.0][..]));
    assert!(preds.as_classes().is_none());
}

#[rstest]
#[case::one_past_the_end(vec![0, 1, 2], 2)]
#[case::far_out(vec![7], 0)]
fn classes_reject_labels_out_of_range(#[case] labels: Vec<usize>, #[case] bad_row: usize) {
    let bad_label = labels[bad_row];
    let err = Predictions::classes(strings(&["no", "yes"]), labels).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("row {bad_row}: label {bad_label}")),
        "{message}"
    );
    assert!(message.contains("no, yes"), "{message}");
}

#[test]
fn probabilities_must_have_one_column_per_class() {
    let err =
        Predictions::probabilities(strings(&["a", "b", "c"]), array![[0.5, 0.5]]).unwrap_err();
    assert!(
        err.to_string().contains("2 columns") && err.to_string().contains("3 classes"),
        "{err}"
    );
}

#[rstest]
#[case::too_few_rows(vec![0, 1, 1], Array2::from_elem((2, 2), 0.5))]
#[case::too_many_columns(vec![0, 1], Array2::from_elem((2, 3), 1.0 / 3.0))]
fn classes_with_probabilities_checks_the_shape(
    #[case] labels: Vec<usize>,
    #[case] proba: Array2<f64>,
) {
    let (rows, cols) = proba.dim();
    let err =
        Predictions::classes_with_probabilities(strings(&["no", "yes"]), labels.clone(), proba)
            .unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "{rows}×{cols}, expected {} rows × 2 classes",
            labels.len()
        )),
        "{err}"
    );
}

#[test]
fn classes_with_probabilities_keeps_the_given_labels() {
    let proba = array![[0.9, 0.1], [0.9, 0.1]];
    let preds =
        Predictions::classes_with_probabilities(strings(&["no", "yes"]), vec![1, 0], proba.clone())
            .unwrap();
    let c = preds.as_classes().unwrap();
    assert_eq!(c.labels(), &[1, 0], "labels are not replaced by the argmax");
    assert_eq!(c.probabilities(), Some(&proba));
    assert!(
        Predictions::classes_with_probabilities(strings(&["no", "yes"]), vec![0, 2], proba)
            .is_err()
    );
}

#[rstest]
#[case::clear(array![[0.1, 0.7, 0.2]], 1)]
#[case::two_way_tie(array![[0.2, 0.4, 0.4]], 1)]
#[case::three_way_tie(array![[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]], 0)]
#[case::first_two_tied(array![[0.45, 0.45, 0.1]], 0)]
#[case::nan_is_never_the_max(array![[f64::NAN, 0.3, 0.7]], 2)]
fn probabilities_label_is_the_first_argmax(#[case] proba: Array2<f64>, #[case] want: usize) {
    let preds = Predictions::probabilities(strings(&["a", "b", "c"]), proba).unwrap();
    assert_eq!(preds.as_classes().unwrap().labels(), &[want]);
}

#[test]
fn positive_scores_are_the_second_column_of_two() {
    let preds =
        Predictions::probabilities(strings(&["no", "yes"]), array![[0.8, 0.2], [0.35, 0.65]])
            .unwrap();
    assert_eq!(
        preds
            .as_classes()
            .unwrap()
            .positive_scores()
            .unwrap()
            .to_vec(),
        vec![0.2, 0.65]
    );
    let three = Predictions::probabilities(
        strings(&["a", "b", "c"]),
        Array2::from_elem((1, 3), 1.0 / 3.0),
    )
    .unwrap();
    assert!(three.as_classes().unwrap().positive_scores().is_none());
}

#[test]
fn model_error_from_data_error_keeps_the_message_and_the_cause() {
    let data_err = Dataset::from_columns(vec![("a".into(), Column::numeric(vec![1.0]))])
        .unwrap()
        .numeric("b")
        .unwrap_err();
    let expected = data_err.to_string();
    let err = ModelError::from(data_err);
    assert_eq!(err.to_string(), expected);
    assert_eq!(err.message(), expected);
    let source = err.source().expect("the DataError is kept as the source");
    assert!(matches!(
        source.downcast_ref::<DataError>(),
        Some(DataError::UnknownColumn { .. })
    ));

    let plain = ModelError::new("feature `tenure` is missing");
    assert_eq!(plain.message(), "feature `tenure` is missing");
    assert!(plain.source().is_none());

    let io = std::io::Error::other("disk on fire");
    let wrapped = ModelError::with_source("cannot load weights", io);
    assert_eq!(wrapped.to_string(), "cannot load weights");
    assert_eq!(wrapped.source().unwrap().to_string(), "disk on fire");
}
