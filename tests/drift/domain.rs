//! The domain classifier (`DomainClassifier`): it catches the multivariate drift that
//! per-column tests miss, names the features where the samples differ, and stays quiet on two
//! samples of one distribution.

use crate::{churn, shift_column};
use mlharness::check::Checked;
use mlharness::data::{Column, Dataset};
use mlharness::drift::{DomainClassifier, DriftError, DriftOptions};

/// `total_day_minutes` and `total_eve_minutes` of the churn data, with the eve column
/// replaced so that it rises with day minutes (`sign` 1) or falls with them (`sign` -1): the
/// same two marginals, the relation flipped.
fn related(sign: f64, rows: std::ops::Range<usize>) -> Dataset {
    let data = churn();
    let day = data.numeric("total_day_minutes").unwrap().values();
    let mut order: Vec<usize> = (0..data.n_rows()).collect();
    order.sort_by(|&a, &b| day[a].total_cmp(&day[b]));
    let mut sorted_eve: Vec<f64> = data.numeric("total_eve_minutes").unwrap().values().to_vec();
    sorted_eve.sort_by(f64::total_cmp);
    // The k-th smallest day gets the k-th smallest (or largest) eve.
    let mut eve = vec![0.0; data.n_rows()];
    for (k, &i) in order.iter().enumerate() {
        eve[i] = if sign > 0.0 {
            sorted_eve[k]
        } else {
            sorted_eve[sorted_eve.len() - 1 - k]
        };
    }
    let rows: Vec<usize> = rows.collect();
    Dataset::from_columns(vec![
        (
            "total_day_minutes".into(),
            Column::numeric(rows.iter().map(|&i| day[i]).collect()),
        ),
        (
            "total_eve_minutes".into(),
            Column::numeric(rows.iter().map(|&i| eve[i]).collect()),
        ),
    ])
    .unwrap()
}

#[test]
fn a_flipped_relation_is_caught_where_every_column_looks_the_same() {
    let (reference, current) = (related(1.0, 0..2500), related(-1.0, 2500..5000));
    // Column by column nothing moved: the marginals are two halves of one sample.
    DriftOptions::default()
        .compare(&reference, &current)
        .assert_passed();
    let report = DomainClassifier::new()
        .compare(&reference, &current)
        .unwrap();
    assert!(report.auc > 0.95, "{report}");
    let failure = report.assert_failed().to_string();
    assert!(failure.starts_with("FAILED domain classifier: a classifier tells current rows from reference rows with ROC AUC"), "{failure}");
    assert!(
        failure.contains("total_day_minutes") && failure.contains("total_eve_minutes"),
        "{failure}"
    );
}

#[test]
fn two_samples_of_one_distribution_pass() {
    let data = churn().clone().without_target();
    let half = data.n_rows() / 2;
    let (a, b) = (
        data.take(&(0..half).collect::<Vec<_>>()).unwrap(),
        data.take(&(half..data.n_rows()).collect::<Vec<_>>())
            .unwrap(),
    );
    let report = DomainClassifier::new().compare(&a, &b).unwrap();
    assert!(report.auc < 0.6, "{report}");
    report.assert_passed();
}

#[test]
fn a_shifted_column_is_the_most_important_feature() {
    let data = churn().clone().without_target();
    let half = data.n_rows() / 2;
    let a = data.take(&(0..half).collect::<Vec<_>>()).unwrap();
    let b = shift_column(
        &data
            .take(&(half..data.n_rows()).collect::<Vec<_>>())
            .unwrap(),
        "total_night_minutes",
        1.0,
    );
    let report = DomainClassifier::new().compare(&a, &b).unwrap();
    assert!(!report.outcome().passed(), "{report}");
    assert_eq!(report.importances[0].0, "total_night_minutes", "{report}");
    assert!(report.p_value <= 0.05);
}

#[test]
fn empty_data_and_bad_settings_are_errors() {
    let data = churn().clone().without_target();
    let empty = data.take(&[]).unwrap();
    assert!(matches!(
        DomainClassifier::new().compare(&empty, &data),
        Err(DriftError::Empty { side: "reference" })
    ));
    let err = DomainClassifier::new()
        .permutations(0)
        .compare(&data, &data)
        .unwrap_err();
    assert!(err.to_string().contains("permutations"), "{err}");
}
