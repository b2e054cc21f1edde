//! `mlharness::integrity`: each check passes on the churn data as it is and fails, with counts,
//! columns and examples, on a copy with the fault it exists for planted in it.

use crate::churn;
use mlharness::check::Checked;
use mlharness::data::{Column, Dataset};
use mlharness::integrity::{self, DataChecks};

/// The churn data with `column` replaced.
fn with(data: &Dataset, column: &str, replacement: Column) -> Dataset {
    data.replace_column(column, replacement).unwrap()
}

/// A categorical column's values, changed where `change` says.
fn categories(
    data: &Dataset,
    column: &str,
    change: impl Fn(usize, Option<&str>) -> Option<String>,
) -> Column {
    let c = data.categorical(column).unwrap();
    let values: Vec<Option<String>> = (0..data.n_rows())
        .map(|i| change(i, c.get(i)).or_else(|| c.get(i).map(str::to_string)))
        .collect();
    Column::categorical(values.iter().map(|v| v.as_deref()))
}

/// The churn data with an `id` column, the row's number.
fn with_ids() -> Dataset {
    let data = churn();
    let mut columns: Vec<(String, Column)> = vec![(
        "id".into(),
        Column::numeric((0..data.n_rows()).map(|i| i as f64).collect()),
    )];
    columns.extend(data.columns().map(|(n, c)| (n.to_string(), c.clone())));
    Dataset::from_columns(columns)
        .unwrap()
        .with_target("churn")
        .unwrap()
}

fn halves() -> (Dataset, Dataset) {
    let data = with_ids();
    let n = data.n_rows();
    (
        data.take(&(0..n / 2).collect::<Vec<_>>()).unwrap(),
        data.take(&(n / 2..n).collect::<Vec<_>>()).unwrap(),
    )
}

#[test]
fn the_churn_data_passes_every_check() {
    let checks = DataChecks::new().ignore(&["id"]);
    checks.dataset(churn()).assert_passed();
    let (train, test) = halves();
    checks.pair(&train, &test, Some("id")).assert_passed();
}

#[test]
fn planted_duplicates_are_counted_with_their_rows() {
    let data = churn();
    let rows: Vec<usize> = (0..data.n_rows()).chain([7, 7, 120]).collect();
    let doubled = data.take(&rows).unwrap();
    let report = integrity::duplicates(&doubled).unwrap();
    let finding = &report.findings()[0];
    assert_eq!(finding.count, 3);
    assert!(!finding.passed);
    let n = data.n_rows();
    assert_eq!(
        finding.examples[0],
        format!("rows 7, {n}, {} are identical", n + 1)
    );
    insta::assert_snapshot!(report.assert_failed().to_string());
    // Allowed up to a share: 3 of 5003 is under 0.1%.
    DataChecks::new()
        .max_duplicate_share(0.001)
        .duplicates(&doubled)
        .assert_passed();
}

#[test]
fn identical_features_with_different_targets_conflict() {
    let data = churn();
    let mut rows: Vec<usize> = (0..data.n_rows()).collect();
    rows.extend([10, 11]);
    let copy = data.take(&rows).unwrap();
    // The copies of rows 10 and 11 get the other label.
    let n = data.n_rows();
    let flipped = categories(&copy, "churn", |i, v| {
        (i >= n).then(|| {
            if v == Some("yes") {
                "no".into()
            } else {
                "yes".into()
            }
        })
    });
    let conflicting = with(&copy, "churn", flipped).with_target("churn").unwrap();
    let report = integrity::conflicting_labels(&conflicting).unwrap();
    assert_eq!(report.findings()[0].count, 4);
    let text = report.assert_failed().to_string();
    assert!(
        text.contains(&format!(
            "same features, targets `yes` (rows 10) vs `no` (rows {n})"
        )),
        "{text}"
    );
    // Without a target there is nothing to conflict: an error saying so, not a pass.
    let err = integrity::conflicting_labels(&churn().clone().without_target()).unwrap_err();
    assert!(err.to_string().contains("needs a target column"), "{err}");
}

#[test]
fn one_category_spelt_three_ways_is_named_with_its_counts() {
    let data = churn();
    let spelt = categories(data, "international_plan", |i, v| match (i % 50, v) {
        (0, Some("yes")) => Some("YES".into()),
        (1, Some("no")) => Some(" no".into()),
        (2, Some("no")) => Some("No.".into()),
        _ => None,
    });
    let report = integrity::category_mismatch(&with(data, "international_plan", spelt)).unwrap();
    assert_eq!(report.findings().len(), 1);
    let finding = &report.findings()[0];
    assert_eq!(finding.column.as_deref(), Some("international_plan"));
    assert!(finding
        .examples
        .iter()
        .any(|e| e.contains("` no`") && e.contains("`No.`")));
    insta::assert_snapshot!(report.assert_failed().to_string());
}

#[test]
fn numbers_mixed_with_text_are_the_rarer_type() {
    let data = churn();
    let mixed = categories(data, "state", |i, _| {
        (i % 100 == 0).then(|| "42".to_string())
    });
    let report = integrity::mixed_types(&with(data, "state", mixed)).unwrap();
    let finding = &report.findings()[0];
    let every_100th = data.n_rows().div_ceil(100);
    assert_eq!(
        (finding.column.as_deref(), finding.count),
        (Some("state"), every_100th)
    );
    assert_eq!(
        finding.examples[0],
        format!("numbers among text: `42` ({every_100th})")
    );
    report.assert_failed();
}

#[test]
fn a_placeholder_of_special_characters_is_flagged() {
    let data = churn();
    let placeholder = categories(data, "voice_mail_plan", |i, _| {
        (i % 10 == 0).then(|| "?".to_string())
    });
    let report =
        integrity::special_characters(&with(data, "voice_mail_plan", placeholder)).unwrap();
    let finding = &report.findings()[0];
    let every_10th = data.n_rows().div_ceil(10);
    assert_eq!(finding.count, every_10th);
    assert_eq!(finding.examples[0], format!("`?` ({every_10th})"));
    report.assert_failed();
}

#[test]
fn a_sentinel_value_is_a_far_outlier() {
    let data = churn();
    let minutes = data.numeric("total_day_minutes").unwrap();
    let mut values = minutes.values().to_vec();
    for i in (0..values.len()).step_by(40) {
        values[i] = -999.0;
    }
    let report =
        integrity::outliers(&with(data, "total_day_minutes", Column::numeric(values))).unwrap();
    let finding = report
        .findings()
        .iter()
        .find(|f| f.column.as_deref() == Some("total_day_minutes"))
        .expect("the planted column");
    assert!(!finding.passed);
    assert_eq!(finding.count, data.n_rows().div_ceil(40));
    assert_eq!(finding.examples[0], "row 0: -999");
    let text = report.assert_failed().to_string();
    assert!(text.contains("`total_day_minutes`"), "{text}");
}

#[test]
fn a_copy_of_the_target_leaks_and_an_identifier_does_not() {
    let data = churn();
    let copy = categories(data, "churn", |_, v| v.map(|v| format!("label-{v}")));
    let leaked = with(data, "voice_mail_plan", copy);
    let report = integrity::feature_label_leakage(&leaked).unwrap();
    let columns: Vec<&str> = report
        .findings()
        .iter()
        .filter_map(|f| f.column.as_deref())
        .collect();
    assert_eq!(columns, ["voice_mail_plan"], "the copy alone: {report}");
    assert!(report.findings()[0].value.unwrap() > 0.99);
    insta::assert_snapshot!(report.assert_failed().to_string());
    // A numeric copy of a 0/1 target too.
    let labels = data.target_labels().unwrap();
    let numeric = Column::numeric(labels.y.iter().map(|&l| l as f64).collect());
    integrity::feature_label_leakage(&with(data, "total_day_minutes", numeric)).assert_failed();
}

#[test]
fn test_rows_that_are_training_rows_overlap() {
    let (train, test) = halves();
    let n = churn().n_rows();
    let rows: Vec<usize> = (n / 2..n).chain([3, 5, 8]).collect();
    let test_plus = with_ids().take(&rows).unwrap();
    let report = integrity::train_test_overlap(&train, &test_plus).unwrap();
    assert_eq!(report.findings()[0].count, 3);
    assert_eq!(
        report.findings()[0].examples[0],
        format!("test row {} = training row 3", test.n_rows())
    );
    insta::assert_snapshot!(report.assert_failed().to_string());
    // The same customer on both sides, found by ID.
    let ids = integrity::shared_ids(&train, &test_plus, "id").unwrap();
    assert_eq!(ids.findings()[0].count, 3);
    ids.assert_failed();
}

#[test]
fn a_feature_that_leaks_in_the_test_data_only_drifts_in_power() {
    let (train, test) = halves();
    let copy = categories(&test, "churn", |_, v| v.map(str::to_string));
    let leaky_test = with(&test, "state", copy);
    let report = integrity::predictive_power_drift(&train, &leaky_test).unwrap();
    let finding = &report.findings()[0];
    assert_eq!(finding.column.as_deref(), Some("state"));
    assert!(finding.value.unwrap() > 0.5, "{finding:?}");
    report.assert_failed();
}

#[test]
fn settings_out_of_range_are_errors() {
    let err = DataChecks::new()
        .max_outlier_share(1.5)
        .dataset(churn())
        .unwrap_err();
    assert!(err.to_string().contains("max_outlier_share"), "{err}");
}

mlharness::data_integrity_test! {
    data: halves().0,
    test: halves().1,
    id: "id",
    checks: DataChecks::new().ignore(&["id"]),
}
