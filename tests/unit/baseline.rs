//! Naive baselines: MostFrequent, Stratified, Uniform, Mean, Median.

use crate::{churn, close};
use mlharness::baseline::{Mean, Median, MostFrequent, Stratified, Uniform};
use mlharness::data::{Column, DataError, Dataset};
use mlharness::metrics::{self, Metric};
use mlharness::model::{Model, Predictions};
use rstest::rstest;

fn classes_target(values: &[&str]) -> Dataset {
    Dataset::from_columns(vec![
        (
            "x".into(),
            Column::numeric((0..values.len()).map(|i| i as f64).collect()),
        ),
        (
            "y".into(),
            Column::categorical(values.iter().map(|v| Some(*v))),
        ),
    ])
    .unwrap()
    .with_target("y")
    .unwrap()
}

fn numeric_target(values: &[f64]) -> Dataset {
    Dataset::from_columns(vec![("y".into(), Column::numeric(values.to_vec()))])
        .unwrap()
        .with_target("y")
        .unwrap()
}

/// `n` rows without a target, for predicting on.
fn rows(n: usize) -> Dataset {
    Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.0; n]))]).unwrap()
}

/// Per class index, the share of labels equal to it.
fn label_shares(preds: &Predictions, k: usize) -> Vec<f64> {
    let labels = preds.as_classes().unwrap().labels();
    (0..k)
        .map(|c| labels.iter().filter(|&&l| l == c).count() as f64 / labels.len() as f64)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// MostFrequent
// ---------------------------------------------------------------------------------------------

#[test]
fn most_frequent_predicts_the_majority_with_training_shares() {
    let train = classes_target(&["b", "a", "b", "c", "b", "a"]);
    let preds = MostFrequent::fit(&train)
        .unwrap()
        .predict(&rows(4))
        .unwrap();
    let c = preds.as_classes().unwrap();
    assert_eq!(c.classes(), &["a", "b", "c"]);
    assert_eq!(c.label_names().collect::<Vec<_>>(), vec!["b"; 4]);
    let p = c.probabilities().expect("MostFrequent gives probabilities");
    assert_eq!(p.dim(), (4, 3));
    // a: 2 of 6, b: 3 of 6, c: 1 of 6 — on every row.
    for row in p.outer_iter() {
        for (got, want) in row.iter().zip([2.0 / 6.0, 3.0 / 6.0, 1.0 / 6.0]) {
            assert!(close(*got, want), "{row:?}");
        }
    }
}

#[rstest]
#[case(&["y", "x", "x", "y"])]
#[case(&["y", "y", "x", "x"])]
#[case(&["x", "y"])]
fn most_frequent_tie_goes_to_the_first_class(#[case] values: &[&str]) {
    let preds = MostFrequent::fit(&classes_target(values))
        .unwrap()
        .predict(&rows(3))
        .unwrap();
    let c = preds.as_classes().unwrap();
    assert_eq!(c.classes(), &["x", "y"]);
    assert_eq!(c.labels(), &[0, 0, 0]);
}

#[test]
fn most_frequent_of_a_numeric_target() {
    let preds = MostFrequent::fit(&numeric_target(&[1.0, 0.0, 1.0]))
        .unwrap()
        .predict(&rows(2))
        .unwrap();
    assert_eq!(
        preds
            .as_classes()
            .unwrap()
            .label_names()
            .collect::<Vec<_>>(),
        vec!["1", "1"]
    );
}

#[test]
fn most_frequent_on_the_churn_holdout_is_the_majority_share_with_auc_one_half() {
    let split = churn().split_stratified("churn", 0.2, 42).unwrap();
    let baseline = MostFrequent::fit(&split.train).unwrap();
    let preds = baseline.predict(&split.test).unwrap();

    // Count the test set's classes directly from the column.
    let churn_col = split.test.categorical("churn").unwrap();
    let n_test = split.test.n_rows();
    let n_no = (0..n_test)
        .filter(|&i| churn_col.get(i) == Some("no"))
        .count();
    let n_yes = (0..n_test)
        .filter(|&i| churn_col.get(i) == Some("yes"))
        .count();
    assert_eq!(n_no + n_yes, n_test);
    assert!(n_no > n_yes, "`no` is the majority of the churn data");
    let train_col = split.train.categorical("churn").unwrap();
    let train_no = (0..split.train.n_rows())
        .filter(|&i| train_col.get(i) == Some("no"))
        .count();
    assert!(
        2 * train_no > split.train.n_rows(),
        "and of its training side"
    );

    assert_eq!(
        preds
            .as_classes()
            .unwrap()
            .label_names()
            .filter(|&l| l == "no")
            .count(),
        n_test
    );
    let accuracy = Metric::Accuracy.evaluate(&split.test, &preds).unwrap();
    assert!(
        close(accuracy, n_no as f64 / n_test as f64),
        "accuracy {accuracy} vs majority share {n_no}/{n_test}"
    );
    assert_eq!(Metric::RocAuc.evaluate(&split.test, &preds).unwrap(), 0.5);
    assert_eq!(
        Metric::BalancedAccuracy
            .evaluate(&split.test, &preds)
            .unwrap(),
        0.5
    );

    // Its log loss is the cross-entropy of the training shares on the test classes.
    let p_no = train_no as f64 / split.train.n_rows() as f64;
    let want = -(n_no as f64 * p_no.ln() + n_yes as f64 * (1.0 - p_no).ln()) / n_test as f64;
    assert!(close(
        Metric::LogLoss.evaluate(&split.test, &preds).unwrap(),
        want
    ));
}

// ---------------------------------------------------------------------------------------------
// Stratified and Uniform
// ---------------------------------------------------------------------------------------------

/// 60% a, 30% b, 10% c.
fn skewed() -> Dataset {
    let values: Vec<&str> = (0..100)
        .map(|i| {
            if i < 60 {
                "a"
            } else if i < 90 {
                "b"
            } else {
                "c"
            }
        })
        .collect();
    classes_target(&values)
}

#[test]
fn stratified_draws_with_the_training_shares() {
    let model = Stratified::fit(&skewed(), 7).unwrap();
    let preds = model.predict(&rows(20_000)).unwrap();
    let shares = label_shares(&preds, 3);
    for (got, want) in shares.iter().zip([0.6, 0.3, 0.1]) {
        assert!(
            (got - want).abs() <= 0.02,
            "drawn shares {shares:?}, training shares [0.6, 0.3, 0.1]"
        );
    }
    // Each row's probability is 1 for its drawn class.
    let c = preds.as_classes().unwrap();
    let p = c.probabilities().unwrap();
    for (row, &label) in c.labels().iter().enumerate().take(500) {
        for class in 0..3 {
            assert_eq!(
                p[[row, class]],
                if class == label { 1.0 } else { 0.0 },
                "row {row}"
            );
        }
    }
}

#[test]
fn stratified_is_seeded() {
    let data = rows(200);
    let a = Stratified::fit(&skewed(), 1)
        .unwrap()
        .predict(&data)
        .unwrap();
    let b = Stratified::fit(&skewed(), 1)
        .unwrap()
        .predict(&data)
        .unwrap();
    let c = Stratified::fit(&skewed(), 2)
        .unwrap()
        .predict(&data)
        .unwrap();
    assert_eq!(a, b, "same seed, same draws");
    assert_ne!(
        a.as_classes().unwrap().labels(),
        c.as_classes().unwrap().labels(),
        "another seed, other draws"
    );
}

#[test]
fn uniform_draws_each_class_about_equally() {
    let model = Uniform::fit(&skewed(), 3).unwrap();
    let preds = model.predict(&rows(20_000)).unwrap();
    let shares = label_shares(&preds, 3);
    for got in &shares {
        assert!(
            (got - 1.0 / 3.0).abs() <= 0.02,
            "drawn shares {shares:?}, expected 1/3 each"
        );
    }
    let c = preds.as_classes().unwrap();
    assert_eq!(c.classes(), &["a", "b", "c"]);
    assert!(c
        .probabilities()
        .unwrap()
        .iter()
        .all(|&p| close(p, 1.0 / 3.0)));

    let again = Uniform::fit(&skewed(), 3)
        .unwrap()
        .predict(&rows(20_000))
        .unwrap();
    assert_eq!(preds, again, "same seed, same draws");
    let other = Uniform::fit(&skewed(), 4)
        .unwrap()
        .predict(&rows(20_000))
        .unwrap();
    assert_ne!(preds, other, "another seed, other draws");
}

// ---------------------------------------------------------------------------------------------
// Mean and Median
// ---------------------------------------------------------------------------------------------

#[rstest]
#[case::odd(&[5.0, 1.0, 3.0], 3.0, 3.0)]
#[case::even(&[10.0, 1.0, 3.0, 2.0], 4.0, 2.5)]
#[case::one(&[-7.5], -7.5, -7.5)]
#[case::negative_and_repeated(&[-1.0, -1.0, 4.0, 0.0, -1.0], 0.2, -1.0)]
fn mean_and_median(#[case] y: &[f64], #[case] mean: f64, #[case] median: f64) {
    let train = numeric_target(y);
    let m = Mean::fit(&train).unwrap();
    let d = Median::fit(&train).unwrap();
    assert!(close(m.value(), mean), "mean {}", m.value());
    assert_eq!(d.value(), median);
    for (model, want) in [(&m as &dyn Model, m.value()), (&d as &dyn Model, median)] {
        let preds = model.predict(&rows(3)).unwrap();
        assert_eq!(preds.as_values().unwrap(), &[want; 3]);
    }
}

#[test]
fn mean_baseline_scores_r2_zero_on_its_training_data() {
    let train = numeric_target(&[1.0, 2.0, 4.0, 9.0]);
    let preds = Mean::fit(&train).unwrap().predict(&train).unwrap();
    assert!(Metric::R2.evaluate(&train, &preds).unwrap().abs() <= 1e-12);
    let y = train.target_values().unwrap();
    assert!(close(
        Metric::Mse.evaluate(&train, &preds).unwrap(),
        metrics::mse(y, preds.as_values().unwrap()).unwrap()
    ));
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

type Fit = fn(&Dataset) -> Result<(), DataError>;

#[rstest]
#[case::most_frequent(|d: &Dataset| MostFrequent::fit(d).map(drop))]
#[case::stratified(|d: &Dataset| Stratified::fit(d, 0).map(drop))]
#[case::uniform(|d: &Dataset| Uniform::fit(d, 0).map(drop))]
fn classifier_baselines_need_rows_and_a_target(#[case] fit: Fit) {
    let empty = classes_target(&[]);
    assert!(
        matches!(fit(&empty), Err(DataError::EmptyDataset { .. })),
        "{:?}",
        fit(&empty)
    );
    let untargeted = classes_target(&["a", "b"]).without_target();
    assert!(matches!(fit(&untargeted), Err(DataError::NoTarget)));
    let missing = Dataset::from_columns(vec![("y".into(), Column::categorical([Some("a"), None]))])
        .unwrap()
        .with_target("y")
        .unwrap();
    assert!(matches!(
        fit(&missing),
        Err(DataError::MissingTarget { row: 1, .. })
    ));
}

#[rstest]
#[case::mean(|d: &Dataset| Mean::fit(d).map(drop))]
#[case::median(|d: &Dataset| Median::fit(d).map(drop))]
fn regression_baselines_need_rows_and_a_numeric_target(#[case] fit: Fit) {
    assert!(matches!(
        fit(&numeric_target(&[])),
        Err(DataError::EmptyDataset { .. })
    ));
    assert!(matches!(
        fit(&numeric_target(&[1.0]).without_target()),
        Err(DataError::NoTarget)
    ));
    assert!(matches!(
        fit(&classes_target(&["a"])),
        Err(DataError::WrongKind { .. })
    ));
    assert!(matches!(
        fit(&numeric_target(&[1.0, f64::NAN])),
        Err(DataError::MissingTarget { row: 1, .. })
    ));
}

#[test]
fn a_baseline_knows_only_the_classes_its_training_rows_hold() {
    use mlharness::data::{Column, Dataset};
    use mlharness::model::Model;
    let all = Dataset::from_columns(vec![(
        "y".into(),
        Column::categorical([Some("a"), Some("b"), Some("c")]),
    )])
    .unwrap()
    .with_target("y")
    .unwrap();
    let train = all.take(&[0, 1]).unwrap();
    let preds = mlharness::baseline::Uniform::fit(&train, 1)
        .unwrap()
        .predict(&all)
        .unwrap();
    assert_eq!(
        preds.as_classes().unwrap().classes(),
        &["a".to_string(), "b".to_string()]
    );
}
