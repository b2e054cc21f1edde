//! `split_random`, `split_stratified` and `split_ordered`.

use crate::{churn, temp_csv};
use mlharness::data::{Column, DataError, Dataset, Split};
use proptest::prelude::*;
use rstest::rstest;
use std::collections::BTreeMap;

/// A dataset whose `id` column holds the row number, plus a categorical `class`.
fn with_ids(classes: &[Option<&str>]) -> Dataset {
    Dataset::from_columns(vec![
        (
            "id".into(),
            Column::numeric((0..classes.len()).map(|i| i as f64).collect()),
        ),
        ("class".into(), Column::categorical(classes.iter().copied())),
    ])
    .unwrap()
}

fn numbered(n: usize) -> Dataset {
    with_ids(&vec![Some("x"); n])
}

fn ids(ds: &Dataset) -> Vec<usize> {
    ds.numeric("id")
        .unwrap()
        .values()
        .iter()
        .map(|&v| v as usize)
        .collect()
}

/// Both sides together hold every row exactly once.
fn assert_partition(split: &Split, n: usize) {
    let mut all: Vec<usize> = ids(&split.train)
        .into_iter()
        .chain(ids(&split.test))
        .collect();
    all.sort_unstable();
    assert_eq!(
        all,
        (0..n).collect::<Vec<_>>(),
        "train ∪ test must be every row exactly once"
    );
}

/// Per value of a categorical column (`None` = missing), how many rows hold it.
fn class_counts(ds: &Dataset, column: &str) -> BTreeMap<Option<String>, usize> {
    let c = ds.categorical(column).unwrap();
    let mut counts = BTreeMap::new();
    for i in 0..ds.n_rows() {
        *counts.entry(c.get(i).map(str::to_string)).or_insert(0) += 1;
    }
    counts
}

/// Each class's test count is within one row of `n_class × fraction`.
fn assert_stratified(whole: &Dataset, split: &Split, column: &str, fraction: f64) {
    let all = class_counts(whole, column);
    let test = class_counts(&split.test, column);
    let train = class_counts(&split.train, column);
    for (class, &n_class) in &all {
        let t = test.get(class).copied().unwrap_or(0);
        let r = train.get(class).copied().unwrap_or(0);
        assert_eq!(t + r, n_class, "class {class:?}: rows lost or duplicated");
        let ideal = n_class as f64 * fraction;
        assert!(
            (t as f64 - ideal).abs() <= 1.0,
            "class {class:?}: {t} test rows of {n_class}, expected {ideal:.2} ± 1 (fraction {fraction})"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Random
// ---------------------------------------------------------------------------------------------

#[rstest]
#[case(10, 0.2)]
#[case(7, 0.5)]
#[case(100, 0.333)]
#[case(1000, 0.25)]
#[case(3, 0.9)]
#[case(1, 0.4)]
#[case(0, 0.3)]
fn split_random_test_size_is_rounded(#[case] n: usize, #[case] fraction: f64) {
    let split = numbered(n).split_random(fraction, 11).unwrap();
    let want = (n as f64 * fraction).round() as usize;
    assert_eq!(split.test.n_rows(), want);
    assert_eq!(split.train.n_rows(), n - want);
    assert_partition(&split, n);
}

#[test]
fn split_random_is_seeded() {
    let ds = numbered(200);
    let a = ds.split_random(0.3, 7).unwrap();
    assert_eq!(a, ds.split_random(0.3, 7).unwrap(), "same seed, same split");
    assert_ne!(
        ids(&a.test),
        ids(&ds.split_random(0.3, 8).unwrap().test),
        "another seed, another split"
    );
    // The test side is not simply the first or last rows.
    assert_ne!(ids(&a.test), (0..60).collect::<Vec<_>>());
    assert_ne!(ids(&a.test), (140..200).collect::<Vec<_>>());
}

#[test]
fn split_random_sides_keep_row_order() {
    let split = numbered(50).split_random(0.4, 3).unwrap();
    for side in [&split.train, &split.test] {
        let ids = ids(side);
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "{ids:?} is not in file order"
        );
    }
}

#[rstest]
#[case::zero(0.0)]
#[case::one(1.0)]
#[case::negative(-0.1)]
#[case::above_one(1.5)]
#[case::nan(f64::NAN)]
#[case::infinite(f64::INFINITY)]
fn invalid_fraction_is_rejected_by_every_split(#[case] fraction: f64) {
    let ds = with_ids(&[Some("a"), Some("b"), Some("a"), Some("b")]);
    let results = [
        ("random", ds.split_random(fraction, 1)),
        ("stratified", ds.split_stratified("class", fraction, 1)),
        ("ordered", ds.split_ordered("id", fraction)),
    ];
    for (name, result) in results {
        match result {
            Err(DataError::InvalidFraction { fraction: f }) => {
                assert!(
                    f == fraction || (f.is_nan() && fraction.is_nan()),
                    "{name}: reported {f}"
                )
            }
            other => {
                panic!("{name} with fraction {fraction}: expected InvalidFraction, got {other:?}")
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Stratified
// ---------------------------------------------------------------------------------------------

#[test]
fn churn_loads_with_its_target() {
    let ds = churn();
    assert_eq!(ds.n_rows(), 5000);
    assert_eq!(ds.n_columns(), 20);
    assert_eq!(ds.target_name(), Some("churn"));
    assert_eq!(ds.target_labels().unwrap().classes, vec!["no", "yes"]);
    assert!(ds.categorical("area_code").is_ok());
}

#[rstest]
fn stratified_split_of_churn_keeps_class_shares(
    #[values(0, 1, 42, 2024)] seed: u64,
    #[values(0.1, 0.2, 0.25, 0.5)] fraction: f64,
) {
    let ds = churn();
    let split = ds.split_stratified("churn", fraction, seed).unwrap();
    assert_eq!(split.train.n_rows() + split.test.n_rows(), ds.n_rows());
    assert_stratified(ds, &split, "churn", fraction);
    assert_eq!(split.test.target_name(), Some("churn"));
}

#[test]
fn stratified_split_of_churn_by_area_code() {
    let ds = churn();
    let split = ds.split_stratified("area_code", 0.2, 5).unwrap();
    assert_stratified(ds, &split, "area_code", 0.2);
}

#[test]
fn stratified_split_is_seeded() {
    let ds = churn();
    let a = ds.split_stratified("churn", 0.2, 42).unwrap();
    assert_eq!(a, ds.split_stratified("churn", 0.2, 42).unwrap());
    assert_ne!(a.test, ds.split_stratified("churn", 0.2, 43).unwrap().test);
}

#[test]
fn stratified_split_by_a_numeric_column() {
    // Classes 0/1/2 with 60/30/10 rows, interleaved.
    let y: Vec<f64> = (0..100)
        .map(|i| {
            if i % 10 == 0 {
                2.0
            } else if i % 10 < 4 {
                1.0
            } else {
                0.0
            }
        })
        .collect();
    let ds = Dataset::from_columns(vec![
        (
            "id".into(),
            Column::numeric((0..100).map(f64::from).collect()),
        ),
        ("y".into(), Column::numeric(y.clone())),
    ])
    .unwrap();
    let split = ds.split_stratified("y", 0.25, 9).unwrap();
    assert_partition(&split, 100);
    for class in [0.0, 1.0, 2.0] {
        let n_class = y.iter().filter(|&&v| v == class).count();
        let t = split
            .test
            .numeric("y")
            .unwrap()
            .values()
            .iter()
            .filter(|&&v| v == class)
            .count();
        assert!(
            (t as f64 - n_class as f64 * 0.25).abs() <= 1.0,
            "class {class}: {t} of {n_class}"
        );
    }
}

/// 500 `common`, 37 `rare`, 3 `tiny` and 11 missing, shuffled deterministically.
fn imbalanced() -> Dataset {
    let sorted: Vec<Option<&str>> = std::iter::repeat_n(Some("common"), 500)
        .chain(std::iter::repeat_n(Some("rare"), 37))
        .chain(std::iter::repeat_n(Some("tiny"), 3))
        .chain(std::iter::repeat_n(None, 11))
        .collect();
    // A fixed permutation: 551 = 19 × 29, and 389 is coprime with it.
    let n = sorted.len();
    let classes: Vec<Option<&str>> = (0..n).map(|i| sorted[(i * 389) % n]).collect();
    with_ids(&classes)
}

#[test]
fn imbalanced_fixture_is_a_permutation() {
    let counts = class_counts(&imbalanced(), "class");
    assert_eq!(counts.get(&Some("common".to_string())), Some(&500));
    assert_eq!(counts.get(&Some("rare".to_string())), Some(&37));
    assert_eq!(counts.get(&Some("tiny".to_string())), Some(&3));
    assert_eq!(counts.get(&None), Some(&11));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn stratified_split_keeps_each_class_within_one_row(seed in any::<u64>(), fraction in 0.01f64..0.99) {
        let ds = imbalanced();
        let split = ds.split_stratified("class", fraction, seed).unwrap();
        assert_partition(&split, ds.n_rows());
        // Missing values count as a class of their own.
        assert_stratified(&ds, &split, "class", fraction);
    }
}

// ---------------------------------------------------------------------------------------------
// Ordered
// ---------------------------------------------------------------------------------------------

#[rstest]
#[case(0.2)]
#[case(0.5)]
#[case(0.05)]
fn ordered_split_by_a_numeric_column_tests_on_the_latest_rows(#[case] fraction: f64) {
    let n = 40;
    // Time stamps in scrambled file order: row i has time (i × 7) mod 40.
    let time: Vec<f64> = (0..n).map(|i| ((i * 7) % n) as f64 * 10.0).collect();
    let ds = Dataset::from_columns(vec![
        (
            "id".into(),
            Column::numeric((0..n).map(|i| i as f64).collect()),
        ),
        ("t".into(), Column::numeric(time.clone())),
    ])
    .unwrap();
    let split = ds.split_ordered("t", fraction).unwrap();
    let k = (n as f64 * fraction).round() as usize;
    assert_eq!(split.test.n_rows(), k);
    assert_partition(&split, n);

    let mut sorted = time.clone();
    sorted.sort_by(f64::total_cmp);
    let cutoff = sorted[n - k];
    assert!(split
        .test
        .numeric("t")
        .unwrap()
        .values()
        .iter()
        .all(|&t| t >= cutoff));
    assert!(split
        .train
        .numeric("t")
        .unwrap()
        .values()
        .iter()
        .all(|&t| t < cutoff));
}

#[test]
fn ordered_split_by_iso_dates_from_csv() {
    // Dates out of order in the file, over a month and a year boundary.
    let dates = [
        "2024-02-01",
        "2023-12-31",
        "2024-01-15",
        "2024-03-10",
        "2023-11-05",
        "2024-01-02",
        "2024-02-29",
        "2023-12-01",
        "2024-03-01",
        "2024-01-31",
    ];
    let mut text = String::from("id,date\n");
    for (i, d) in dates.iter().enumerate() {
        text.push_str(&format!("{i},{d}\n"));
    }
    let file = temp_csv(&text);
    let ds = Dataset::from_csv(&file.path).unwrap();
    let split = ds.split_ordered("date", 0.3).unwrap();

    let mut latest: Vec<&str> = dates.to_vec();
    latest.sort_unstable();
    let latest: Vec<&str> = latest[dates.len() - 3..].to_vec();
    let date = split.test.categorical("date").unwrap();
    let mut got: Vec<&str> = (0..split.test.n_rows())
        .map(|i| date.get(i).unwrap())
        .collect();
    got.sort_unstable();
    assert_eq!(got, latest);
    assert_eq!(split.train.n_rows(), 7);
}

#[test]
fn ordered_split_ties_keep_file_order() {
    // Four rows share the latest date; the test side takes the last two of them in file order.
    let ds = with_ids(&[
        Some("2024-05-01"),
        Some("2024-06-01"),
        Some("2024-06-01"),
        Some("2024-06-01"),
        Some("2024-06-01"),
    ]);
    let split = ds.split_ordered("class", 0.4).unwrap();
    let mut test = ids(&split.test);
    test.sort_unstable();
    assert_eq!(test, vec![3, 4]);
}

#[test]
fn ordered_split_with_a_missing_order_value() {
    let cat = with_ids(&[Some("2024-01-01"), Some("2024-01-02"), None, None]);
    let err = cat.split_ordered("class", 0.5).unwrap_err();
    assert!(
        matches!(&err, DataError::MissingOrderValue { column, row: 2 } if column == "class"),
        "{err:?}"
    );
    assert!(err.to_string().contains("row 2"), "{err}");

    let num = Dataset::from_columns(vec![(
        "t".into(),
        Column::numeric(vec![1.0, f64::NAN, 3.0]),
    )])
    .unwrap();
    assert!(matches!(
        num.split_ordered("t", 0.5),
        Err(DataError::MissingOrderValue { row: 1, .. })
    ));

    assert!(matches!(
        num.split_ordered("time", 0.5),
        Err(DataError::UnknownColumn { .. })
    ));
}
