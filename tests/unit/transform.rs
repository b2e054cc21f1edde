//! `mlharness::transform`: each assertion passes on a correct transform and fails, with the
//! cause named, on the broken ones practitioners write.

use mlharness::check::Checked;
use mlharness::data::{Column, Dataset};
use mlharness::transform::{self, Statistic};
use ndarray::{array, Array2};

fn numbers(values: &[f64]) -> Dataset {
    Dataset::from_columns(vec![("x".into(), Column::numeric(values.to_vec()))]).unwrap()
}

/// A standard scaler's state: mean and population standard deviation of `x`.
fn fit_scaler(d: &Dataset) -> Result<(f64, f64), String> {
    let v: Vec<f64> = d
        .numeric("x")
        .map_err(|e| e.to_string())?
        .present()
        .collect();
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
    Ok((mean, sd))
}

fn apply_scaler(s: &(f64, f64), d: &Dataset) -> Array2<f64> {
    let v = d.numeric("x").unwrap().values();
    Array2::from_shape_fn((v.len(), 1), |(i, _)| (v[i] - s.0) / s.1)
}

fn split() -> (Dataset, Dataset, Dataset) {
    let all = numbers(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 20.0, 30.0]);
    let train = all.take(&[0, 1, 2, 3, 4, 5]).unwrap();
    let test = all.take(&[6, 7]).unwrap();
    (train, test, all)
}

#[test]
fn standardized_passes_a_fitted_scaler_and_names_an_unapplied_one() {
    let (train, _, _) = split();
    let z = apply_scaler(&fit_scaler(&train).unwrap(), &train);
    transform::standardized(&z, &["x"], 1e-9).assert_passed();
    let raw = train.to_array(&["x"]).unwrap();
    let err = transform::standardized(&raw, &["x"], 1e-9)
        .assert_failed()
        .to_string();
    assert!(
        err.starts_with("FAILED standardized: 1 column(s) not standardised; `x` has mean 3.5"),
        "{err}"
    );
    assert!(err.contains("x        3.5  1.707825127659933"), "{err}");
}

#[test]
fn a_scaler_fitted_on_test_data_is_caught() {
    let (train, test, all) = split();
    let leaky = fit_scaler(&test).unwrap();
    let err = transform::fitted_on_training(&leaky, fit_scaler, &train, &test, &all)
        .assert_failed()
        .to_string();
    insta::assert_snapshot!(err);
    assert!(
        err.contains("it is the state fitted on the test data (fit on test)"),
        "{err}"
    );
    let on_all = fit_scaler(&all).unwrap();
    let err = transform::fitted_on_training(&on_all, fit_scaler, &train, &test, &all)
        .assert_failed()
        .to_string();
    assert!(err.contains("fitted on all data"), "{err}");
    let good = fit_scaler(&train).unwrap();
    transform::fitted_on_training(&good, fit_scaler, &train, &test, &all).assert_passed();
}

#[test]
fn a_scaler_that_refits_on_the_batch_is_caught_twice() {
    let (train, test, _) = split();
    // Buggy: `transform` re-learns mean and sd from the data it is given.
    let refit = |s: &mut (f64, f64), d: &Dataset| -> Result<Array2<f64>, String> {
        *s = fit_scaler(d)?;
        Ok(apply_scaler(s, d))
    };
    let err = transform::state_unchanged(fit_scaler, refit, &train, &test).assert_failed();
    assert!(err.to_string().contains("changed its state"), "{err}");
    let per_batch =
        |d: &Dataset| -> Result<Array2<f64>, String> { Ok(apply_scaler(&fit_scaler(d)?, d)) };
    let err = transform::batch_independent(per_batch, &train, 1e-12)
        .assert_failed()
        .to_string();
    assert!(
        err.contains("uses statistics of the batch it is given"),
        "{err}"
    );
    let fitted = fit_scaler(&train).unwrap();
    transform::batch_independent(
        |d: &Dataset| Ok::<_, String>(apply_scaler(&fitted, d)),
        &test,
        0.0,
    )
    .assert_passed();
    transform::fit_deterministic(fit_scaler, &train).assert_passed();
}

/// Two output columns, the second broken: the failure names it by the name given (`x_rank`),
/// not by its index, in the headline's table; a fitted pair passes.
#[test]
fn batch_independent_named_names_the_broken_output_column() {
    let (train, test, _) = split();
    let scaler = fit_scaler(&train).unwrap();
    // Buggy second column: each value's rank within the batch it is given.
    let with_rank = |d: &Dataset| -> Result<Array2<f64>, String> {
        let z = apply_scaler(&scaler, d);
        let v = d.numeric("x").map_err(|e| e.to_string())?.values();
        Ok(Array2::from_shape_fn((v.len(), 2), |(i, j)| match j {
            0 => z[[i, 0]],
            _ => v.iter().filter(|&&w| w < v[i]).count() as f64,
        }))
    };
    let names = ["x_scaled", "x_rank"];
    let err = transform::batch_independent_named(with_rank, &test, &names, 0.0)
        .assert_failed()
        .to_string();
    assert!(
        err.contains("1 row(s) transform differently alone than inside the batch (rows 1)"),
        "{err}"
    );
    let row = err
        .lines()
        .find(|l| l.trim_start().starts_with('1'))
        .unwrap_or_else(|| panic!("no row 1 in the table: {err}"));
    assert_eq!(
        row.split_whitespace().collect::<Vec<_>>(),
        ["1", "x_rank", "1", "0"],
        "{err}"
    );
    let fitted = |d: &Dataset| -> Result<Array2<f64>, String> {
        let z = apply_scaler(&scaler, d);
        Ok(Array2::from_shape_fn((d.n_rows(), 2), |(i, j)| {
            z[[i, 0]] * (j + 1) as f64
        }))
    };
    transform::batch_independent_named(fitted, &test, &names, 0.0).assert_passed();
}

#[test]
fn an_imputer_using_the_test_median_is_caught_with_its_cause() {
    let train = Column::numeric(vec![1.0, 2.0, 3.0, 100.0]); // median 2.5
    let test = Column::numeric(vec![10.0, f64::NAN, 30.0]); // median 20
    let leaky = Column::numeric(vec![10.0, 20.0, 30.0]);
    let err = transform::imputed("tenure", &test, &leaky, &train, Statistic::Median, 1e-9)
        .assert_failed()
        .to_string();
    assert!(
        err.contains("1 missing value(s) filled with 20, expected the training median 2.5"),
        "{err}"
    );
    assert!(
        err.contains("fitted on the data being transformed (test data)"),
        "{err}"
    );
    // Median of train and test together: [1, 2, 3, 10, 30, 100] -> 6.5.
    let on_all = Column::numeric(vec![10.0, 6.5, 30.0]);
    let err = transform::imputed("tenure", &test, &on_all, &train, Statistic::Median, 1e-9)
        .assert_failed()
        .to_string();
    assert!(err.contains("fitted on all data (leakage)"), "{err}");
    transform::imputed(
        "tenure",
        &test,
        &Column::numeric(vec![10.0, 2.5, 30.0]),
        &train,
        Statistic::Median,
        1e-9,
    )
    .assert_passed();
}

#[test]
fn imputation_must_fill_everything_and_touch_nothing_else() {
    let train = Column::numeric(vec![2.0, 4.0]);
    let input = Column::numeric(vec![f64::NAN, 5.0]);
    let err = transform::imputed("x", &input, &input, &train, Statistic::Mean, 0.0).assert_failed();
    assert!(err
        .to_string()
        .contains("1 value(s) still missing after imputation, rows 0"));
    let changed = Column::numeric(vec![3.0, 6.0]);
    let err =
        transform::imputed("x", &input, &changed, &train, Statistic::Mean, 0.0).assert_failed();
    assert!(
        err.to_string()
            .contains("1 present value(s) changed by imputation"),
        "{err}"
    );
}

#[test]
fn most_frequent_imputation_of_categories() {
    let train = Column::categorical([Some("a"), Some("b"), Some("b")]);
    let input = Column::categorical([None, Some("a")]);
    transform::imputed(
        "plan",
        &input,
        &Column::categorical([Some("b"), Some("a")]),
        &train,
        Statistic::MostFrequent,
        0.0,
    )
    .assert_passed();
    let err = transform::imputed(
        "plan",
        &input,
        &Column::categorical([Some("a"), Some("a")]),
        &train,
        Statistic::MostFrequent,
        0.0,
    )
    .assert_failed()
    .to_string();
    assert!(
        err.contains("filled with `a`, expected the training most frequent value `b`"),
        "{err}"
    );
}

#[test]
fn clipping_at_training_quantiles() {
    let train: Vec<f64> = (0..=100).map(f64::from).collect();
    let input = [-5.0, 50.0, 150.0];
    transform::clipped(
        "calls",
        &input,
        &[5.0, 50.0, 95.0],
        &train,
        0.05,
        0.95,
        1e-9,
    )
    .assert_passed();
    let err = transform::clipped(
        "calls",
        &input,
        &[0.0, 50.0, 100.0],
        &train,
        0.05,
        0.95,
        1e-9,
    )
    .assert_failed()
    .to_string();
    assert!(
        err.contains("2 value(s) not clipped to the training quantiles [5, 95]"),
        "{err}"
    );
}

#[test]
fn one_hot_invariants() {
    let names = ["plan=basic", "plan=pro", "plan=<unseen>", "age"];
    let good = array![[1.0, 0.0, 0.0, 3.0], [0.0, 0.0, 1.0, 4.0]];
    transform::one_hot(&good, &names, "plan", Some("<unseen>")).assert_passed();
    let two = array![[1.0, 1.0, 0.0, 3.0], [0.0, 0.5, 0.0, 4.0]];
    let err = transform::one_hot(&two, &names, "plan", transform::Unseen::NotExpected)
        .assert_failed()
        .to_string();
    assert!(
        err.contains("2 row(s) without exactly one 1 among its 3 columns"),
        "{err}"
    );
    assert!(err.contains("plan=pro=0.5"), "{err}");
    let err = transform::one_hot(&good, &names[..2], "plan", Some("<unseen>")).assert_failed();
    assert!(err.to_string().contains("has no column `plan=<unseen>`"));
}

/// Issue 17: an encoder with scikit-learn's `handle_unknown="ignore"` writes an unseen
/// category as an all-zero row; `Unseen::AllZeros` accepts that, and still fails two 1s.
#[test]
fn one_hot_accepts_all_zero_rows_when_asked() {
    let names = ["plan=basic", "plan=pro"];
    let ignored = array![[1.0, 0.0], [0.0, 0.0]];
    transform::one_hot(&ignored, &names, "plan", transform::Unseen::AllZeros).assert_passed();
    transform::one_hot(&ignored, &names, "plan", transform::Unseen::NotExpected).assert_failed();
    let two = array![[1.0, 1.0], [0.0, 0.0]];
    let err = transform::one_hot(&two, &names, "plan", transform::Unseen::AllZeros).assert_failed();
    assert!(
        err.to_string().contains("1 row(s) without at most one 1"),
        "{err}"
    );
}

#[test]
fn an_encoder_that_shifts_columns_when_a_category_is_absent_is_caught() {
    let data = Dataset::from_columns(vec![(
        "plan".into(),
        Column::categorical([Some("basic"), Some("pro"), Some("gold")]),
    )])
    .unwrap();
    // Buggy: one column per category *present in the batch*.
    let shifting = |d: &Dataset| -> Result<Array2<f64>, String> {
        let c = d.categorical("plan").map_err(|e| e.to_string())?;
        let present: Vec<&String> = c
            .levels()
            .iter()
            .zip(c.counts())
            .filter(|(_, n)| *n > 0)
            .map(|(l, _)| l)
            .collect();
        Ok(Array2::from_shape_fn(
            (d.n_rows(), present.len()),
            |(i, j)| f64::from(c.get(i) == Some(present[j].as_str())),
        ))
    };
    let err = transform::batch_independent(shifting, &data, 0.0)
        .assert_failed()
        .to_string();
    assert!(
        err.contains("row 0 alone gives 1 output columns, the whole batch 3"),
        "{err}"
    );
    assert!(
        err.contains("shifts its columns when a category is absent"),
        "{err}"
    );
}

#[test]
fn monotone_and_inverse_round_trip() {
    let x = [1.0, 10.0, 100.0, 10.0];
    let logged: Vec<f64> = x.iter().map(|v: &f64| v.ln()).collect();
    transform::monotone("income", &x, &logged).assert_passed();
    let broken = [0.0, 2.0, 1.0, 2.0];
    let err = transform::monotone("income", &x, &broken)
        .assert_failed()
        .to_string();
    assert!(
        err.contains("1 pair(s) of neighbouring values change order"),
        "{err}"
    );
    let original = array![[1.0, 10.0], [2.0, 20.0]];
    let err = transform::inverse_round_trip(
        &original,
        &array![[1.0, 10.0], [2.0, 21.0]],
        &["a", "b"],
        1e-9,
    )
    .assert_failed()
    .to_string();
    assert!(
        err.contains("b               1  1    20        21"),
        "{err}"
    );
}

#[test]
fn min_max_scaling_into_a_range() {
    transform::min_max_scaled(&array![[0.0], [1.0]], &["x"], 0.0, 1.0, 0.0).assert_passed();
    let err =
        transform::min_max_scaled(&array![[-0.5], [1.0]], &["x"], 0.0, 1.0, 0.0).assert_failed();
    assert!(
        err.to_string().contains("x       -0.5    1  rows 0"),
        "{err}"
    );
}
