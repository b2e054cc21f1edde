//! `mlharness::benchmark`: beats-baseline, thresholds files, key instances and slices — each
//! fed a model or file that must fail, with the failure message checked.

use mlharness::benchmark::{
    BeatsBaseline, CheckError, KeyInstances, Slices, Thresholds, ThresholdsError,
};
use mlharness::data::{Column, DataError, Dataset};
use mlharness::metrics::{Average, Metric, Multiclass};
use mlharness::model::{Model, ModelError, Predictions};
use mlharness::stats::Bootstrap;
use ndarray::Array2;
use rand::{Rng, SeedableRng};

const CLASSES: [&str; 2] = ["no", "yes"];

fn classes() -> Vec<String> {
    CLASSES.iter().map(|s| s.to_string()).collect()
}

/// `n` rows: a score `x` in [0, 1), a group (`a` for 80%, `b`, and 6 rows of `tiny`), and the
/// class `yes` with probability `x²` — so `x` ranks the classes well but not perfectly.
fn scored_data(n: usize, seed: u64) -> Dataset {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f64> = (0..n).map(|_| rng.gen::<f64>()).collect();
    let y: Vec<Option<&str>> = x
        .iter()
        .map(|&v| {
            Some(if rng.gen::<f64>() < v * v {
                "yes"
            } else {
                "no"
            })
        })
        .collect();
    let group: Vec<Option<&str>> = (0..n)
        .map(|i| {
            Some(if i < 6 {
                "tiny"
            } else if i % 5 == 0 {
                "b"
            } else {
                "a"
            })
        })
        .collect();
    Dataset::from_columns(vec![
        ("x".into(), Column::numeric(x)),
        ("group".into(), Column::categorical(group)),
        ("y".into(), Column::categorical(y)),
    ])
    .unwrap()
    .with_target("y")
    .unwrap()
}

fn probabilities(p_yes: &[f64]) -> Predictions {
    let mut m = Array2::zeros((p_yes.len(), 2));
    for (i, &p) in p_yes.iter().enumerate() {
        m[[i, 0]] = 1.0 - p;
        m[[i, 1]] = p;
    }
    Predictions::probabilities(classes(), m).unwrap()
}

/// P(yes) = x: a good model of `scored_data`.
fn score_model(ds: &Dataset) -> Result<Predictions, ModelError> {
    Ok(probabilities(ds.numeric("x")?.values()))
}

/// The truth itself, with certainty: nothing beats it.
fn oracle(ds: &Dataset) -> Result<Predictions, ModelError> {
    let truth = ds.target_indices(&classes())?;
    Ok(probabilities(
        &truth.iter().map(|&t| t as f64).collect::<Vec<_>>(),
    ))
}

/// Always `no` with the training share — what a majority-class model does.
fn majority(ds: &Dataset) -> Result<Predictions, ModelError> {
    Ok(probabilities(&vec![0.33; ds.n_rows()]))
}

// ---------------------------------------------------------------------------------------------
// Beats baseline
// ---------------------------------------------------------------------------------------------

#[test]
fn a_good_model_beats_the_most_frequent_baseline_beyond_noise() {
    let (train, test) = (scored_data(600, 1), scored_data(600, 2));
    let outcome = BeatsBaseline::new(Metric::RocAuc)
        .margin(0.2)
        .check(&score_model, &train, &test)
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    // The most-frequent baseline's ROC AUC is 0.5 (constant scores).
    let row = &outcome.table().rows()[0];
    assert_eq!(row[2], "0.5000", "{outcome}");
}

#[test]
fn a_majority_class_model_fails_with_metric_baseline_margin_interval_and_n() {
    let (train, test) = (scored_data(600, 1), scored_data(400, 2));
    let outcome = BeatsBaseline::new(Metric::RocAuc)
        .margin(0.05)
        .check(&majority, &train, &test)
        .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    for expected in [
        "FAILED benchmark: roc_auc beats the most-frequent baseline by at least 0.0500",
        "baseline (most-frequent)",
        "improvement (model − baseline)",
        "95% interval",
        "[+0.0000, +0.0000]",
        "400",
        "is not above the margin 0.0500: short by 0.0500",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
}

#[test]
fn an_oracle_baseline_cannot_be_beaten() {
    let test = scored_data(500, 3);
    let outcome = BeatsBaseline::new(Metric::RocAuc)
        .check_against(&score_model, &oracle, "ground truth", &test)
        .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(text.contains("baseline (ground truth)"), "{text}");
    assert!(text.contains("1.0000"), "the oracle's AUC is shown: {text}");
}

#[test]
fn lower_is_better_metrics_count_the_improvement_as_baseline_minus_model() {
    let (train, test) = (scored_data(600, 1), scored_data(600, 2));
    let good = BeatsBaseline::new(Metric::LogLoss)
        .margin(0.05)
        .check(&score_model, &train, &test)
        .unwrap();
    assert!(good.passed(), "{good}");
    assert!(good.to_string().contains("improvement (baseline − model)"));
    // Confidently wrong: P(yes) = 1 − x. Far worse than the baseline's log loss.
    let inverted = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let x = ds.numeric("x")?.values();
        Ok(probabilities(
            &x.iter()
                .map(|v| (1.0 - v).clamp(0.01, 0.99))
                .collect::<Vec<_>>(),
        ))
    };
    let bad = BeatsBaseline::new(Metric::LogLoss)
        .check(&inverted, &train, &test)
        .unwrap();
    assert!(!bad.passed());
    let improvement = &bad.table().rows()[0][3];
    assert!(improvement.starts_with('-'), "negative improvement: {bad}");
}

#[test]
fn an_improvement_within_noise_fails_and_says_so() {
    // 200 rows; the model is right on one row more than the majority-class baseline.
    let y: Vec<Option<&str>> = (0..200)
        .map(|i| Some(if i < 40 { "yes" } else { "no" }))
        .collect();
    let data = Dataset::from_columns(vec![("y".into(), Column::categorical(y))])
        .unwrap()
        .with_target("y")
        .unwrap();
    let slightly = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Predictions::classes(
            classes(),
            (0..ds.n_rows())
                .map(|i| usize::from(i < 2 || i == 45))
                .collect(),
        )
    };
    let outcome = BeatsBaseline::new(Metric::Accuracy)
        .bootstrap(Bootstrap::new(9).resamples(500))
        .check(&slightly, &data, &data)
        .unwrap();
    assert!(!outcome.passed(), "{outcome}");
    assert!(outcome.to_string().contains("it may be noise"), "{outcome}");
}

#[test]
fn regressors_are_compared_with_the_mean_by_default() {
    let y: Vec<f64> = (0..200).map(|i| f64::from(i % 40)).collect();
    let data = Dataset::from_columns(vec![
        ("x".into(), Column::numeric(y.clone())),
        ("y".into(), Column::numeric(y)),
    ])
    .unwrap()
    .with_target("y")
    .unwrap();
    let near = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(Predictions::values(
            ds.numeric("x")?.values().iter().map(|v| v + 1.0).collect(),
        ))
    };
    let outcome = BeatsBaseline::new(Metric::Rmse)
        .margin(5.0)
        .check(&near, &data, &data)
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    assert!(outcome.to_string().contains("baseline (mean)"));
}

#[test]
fn beats_baseline_reports_bad_settings_and_failing_models_as_errors() {
    let data = scored_data(100, 1);
    let err = BeatsBaseline::new(Metric::RocAuc)
        .margin(-0.1)
        .check(&score_model, &data, &data)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`margin` must be a finite number ≥ 0, got -0.1"),
        "{err}"
    );
    let broken = |_: &Dataset| -> Result<Predictions, ModelError> {
        Err(ModelError::new("weights file missing"))
    };
    let err = BeatsBaseline::new(Metric::RocAuc)
        .check(&broken, &data, &data)
        .unwrap_err();
    assert!(matches!(err, CheckError::Predict { .. }));
    assert_eq!(
        mlharness::check::chain(&err),
        "the model failed to predict: weights file missing"
    );
    // A metric that does not fit the predictions is the metric's own error.
    let err = BeatsBaseline::new(Metric::Mse)
        .check(&score_model, &data, &data)
        .unwrap_err();
    assert!(err.to_string().contains("mse"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------------

const SCORES: &str = "# bars for the holdout\n[metrics]\nroc_auc = { min = 0.75 }\nlog_loss = { max = 0.6 }\naccuracy = { min = 0.6, max = 0.999 }\n";

#[test]
fn thresholds_pass_a_good_model_and_name_each_bound_missed() {
    let t = Thresholds::parse(SCORES, "scores.toml").unwrap();
    assert_eq!(t.len(), 3);
    let data = scored_data(800, 4);
    let good = t.check(&score_model, &data).unwrap();
    assert!(good.passed(), "{good}");
    let bad = t.check(&majority, &data).unwrap();
    assert!(!bad.passed());
    let text = bad.to_string();
    assert!(
        text.contains("FAILED benchmark: scores within the bounds of scores.toml (800 rows)"),
        "{text}"
    );
    let row = |metric: &str| {
        bad.table()
            .rows()
            .iter()
            .find(|r| r[0] == metric)
            .cloned()
            .unwrap_or_else(|| panic!("no {metric} row: {text}"))
    };
    assert_eq!(
        row("roc_auc"),
        ["roc_auc", "0.5000", "0.7500", "-", "below min by 0.2500"]
    );
    assert_eq!(row("accuracy")[4], "ok", "{text}");
    assert!(text.contains("bounds missed"), "{text}");
    // An oracle's accuracy of 1 is above the 0.999 max: leakage smell.
    let leak = t.check(&oracle, &data).unwrap();
    assert!(leak.to_string().contains("above max by 0.0010"), "{leak}");
}

const SPECIES: [&str; 3] = ["adelie", "chinstrap", "gentoo"];

/// `n` rows of three classes: `x` in [0, 3) and the class `⌊x⌋`, replaced by a random class
/// a fifth of the time — so the best a model can be is 13/15 sure of `⌊x⌋`.
fn three_class_data(n: usize, seed: u64) -> Dataset {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let x: Vec<f64> = (0..n).map(|_| rng.gen::<f64>() * 3.0).collect();
    let y: Vec<Option<&str>> = x
        .iter()
        .map(|&v| {
            let class = if rng.gen::<f64>() < 0.2 {
                rng.gen_range(0..3)
            } else {
                v as usize
            };
            Some(SPECIES[class])
        })
        .collect();
    Dataset::from_columns(vec![
        ("x".into(), Column::numeric(x)),
        ("species".into(), Column::categorical(y)),
    ])
    .unwrap()
    .with_target("species")
    .unwrap()
}

/// A model that gives `sure` to the class `⌊x⌋` and splits the rest evenly.
fn sure_of_floor_x(ds: &Dataset, sure: f64) -> Result<Predictions, ModelError> {
    let x = ds.numeric("x")?.values();
    let mut p = Array2::from_elem((x.len(), 3), (1.0 - sure) / 2.0);
    for (i, &v) in x.iter().enumerate() {
        p[[i, v as usize]] = sure;
    }
    Ok(Predictions::probabilities(SPECIES.iter().map(|s| s.to_string()).collect(), p).unwrap())
}

/// The multiclass ROC AUC, the Brier score and the expected calibration error bound a model
/// as any metric does: an honest model passes, an overconfident one fails on calibration
/// alone, and a model blind to `x` on ranking and on the Brier score.
#[test]
fn thresholds_on_multiclass_auc_brier_and_ece_fail_the_models_they_are_for() {
    let t = Thresholds::parse(
        "[metrics]\nroc_auc_ovr = { min = 0.8 }\nroc_auc_ovo_weighted = { min = 0.8 }\nbrier_score = { max = 0.35 }\nece = { max = 0.05 }\n",
        "species.toml",
    )
    .unwrap();
    let data = three_class_data(1500, 7);
    let honest = t
        .check(&|ds: &Dataset| sure_of_floor_x(ds, 13.0 / 15.0), &data)
        .unwrap();
    assert!(honest.passed(), "{honest}");

    let status = |outcome: &mlharness::check::Outcome, metric: &str| {
        outcome
            .table()
            .rows()
            .iter()
            .find(|r| r[0] == metric)
            .unwrap_or_else(|| panic!("no {metric} row: {outcome}"))[4]
            .clone()
    };
    let overconfident = t
        .check(&|ds: &Dataset| sure_of_floor_x(ds, 0.999), &data)
        .unwrap();
    assert!(!overconfident.passed());
    assert!(
        status(&overconfident, "ece").starts_with("above max by 0.0"),
        "{overconfident}"
    );
    for metric in ["roc_auc_ovr", "roc_auc_ovo_weighted", "brier_score"] {
        assert_eq!(status(&overconfident, metric), "ok", "{overconfident}");
    }

    // Blind: a third to each class, whatever `x` says.
    let blind = |ds: &Dataset| {
        let p = Array2::from_elem((ds.n_rows(), 3), 1.0 / 3.0);
        Ok(Predictions::probabilities(SPECIES.iter().map(|s| s.to_string()).collect(), p).unwrap())
    };
    let blind = t.check(&blind, &data).unwrap();
    assert!(!blind.passed());
    assert_eq!(
        status(&blind, "roc_auc_ovr"),
        "below min by 0.3000",
        "{blind}"
    );
    assert_eq!(
        status(&blind, "roc_auc_ovo_weighted"),
        "below min by 0.3000",
        "{blind}"
    );
    assert!(
        status(&blind, "brier_score").starts_with("above max by 0.3"),
        "{blind}"
    );
}

/// The bootstrap resamples the Brier score as it does any mean over rows, so a baseline
/// check can use it; the ECE and the multiclass ROC AUC, computed over bins and class pairs,
/// are refused by name rather than giving NaN.
#[test]
fn the_bootstrap_resamples_the_brier_score_and_names_what_it_cannot() {
    let (train, test) = (three_class_data(900, 3), three_class_data(600, 4));
    let honest = |ds: &Dataset| sure_of_floor_x(ds, 13.0 / 15.0);
    let outcome = BeatsBaseline::new(Metric::Brier)
        .margin(0.1)
        .check(&honest, &train, &test)
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    // Blind: a third to each class, no better than the class shares.
    let blind = |ds: &Dataset| {
        let p = Array2::from_elem((ds.n_rows(), 3), 1.0 / 3.0);
        Ok::<_, ModelError>(
            Predictions::probabilities(SPECIES.iter().map(|s| s.to_string()).collect(), p).unwrap(),
        )
    };
    let outcome = BeatsBaseline::new(Metric::Brier)
        .margin(0.1)
        .check(&blind, &train, &test)
        .unwrap();
    assert!(!outcome.passed(), "{outcome}");
    for metric in [
        Metric::Ece,
        Metric::RocAucMulticlass(Multiclass::OneVsRest, Average::Macro),
    ] {
        let err = BeatsBaseline::new(metric)
            .check(&honest, &train, &test)
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("{metric} is not resampled")), "{err}");
    }
}

#[test]
fn thresholds_file_errors_name_file_line_and_field() {
    let cases: [(&str, &str); 8] = [
        ("[metrics]\nroc_auc = { min = 0.8 \n", "scores.toml:2:"),
        (
            "[metrics]\nroc_aux = { min = 0.8 }\n",
            "scores.toml:2: `metrics.roc_aux`: unknown metric; known: accuracy",
        ),
        (
            "[metrics]\nroc_auc = { min = \"high\" }\n",
            "scores.toml:2: `metrics.roc_auc.min`: must be a number, got `\"high\"`",
        ),
        (
            "[metrics]\nroc_auc = { minimum = 0.8 }\n",
            "scores.toml:2:13: unknown field `minimum`, expected `min` or `max`",
        ),
        (
            "[metrics]\n\nroc_auc = { min = 0.9, max = 0.8 }\n",
            "scores.toml:3: `metrics.roc_auc`: `min` 0.9 is above `max` 0.8",
        ),
        (
            "[metrics]\nroc_auc = {}\n",
            "`metrics.roc_auc`: needs `min`, `max` or both",
        ),
        (
            "roc_auc = { min = 0.8 }\n",
            "scores.toml:1:1: unknown field `roc_auc`, expected `metrics`",
        ),
        (
            "[metrics]\nroc_auc = 0.8\n",
            "scores.toml:2:11: invalid type: floating point `0.8`, expected a table such as `{ min = 0.8 }`",
        ),
    ];
    for (text, expected) in cases {
        let err = Thresholds::parse(text, "scores.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(expected) || err.contains(expected),
            "for {text:?}:\n  {err}\n  expected {expected}"
        );
    }
    let err = Thresholds::parse("", "scores.toml").unwrap_err();
    assert!(err.to_string().contains("`metrics`: missing"), "{err}");
    let err = Thresholds::load("no/such/scores.toml").unwrap_err();
    assert!(matches!(err, ThresholdsError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with("no/such/scores.toml: cannot read"),
        "{err}"
    );
}

#[test]
fn a_syntax_error_gives_line_and_column() {
    let err = Thresholds::parse("[metrics]\nroc_auc = { min = 0.8 ]\n", "s.toml").unwrap_err();
    match err {
        ThresholdsError::Syntax { line, column, .. } => {
            assert_eq!(line, 2);
            assert!(column > 1, "{column}");
        }
        e => panic!("expected a syntax error, got {e}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Key instances
// ---------------------------------------------------------------------------------------------

fn customers() -> Dataset {
    Dataset::from_columns(vec![
        (
            "customer".into(),
            Column::categorical([Some("loyal"), Some("leaving"), Some("borderline")]),
        ),
        ("x".into(), Column::numeric(vec![0.05, 0.95, 0.45])),
        (
            "y".into(),
            Column::categorical([Some("no"), Some("yes"), Some("no")]),
        ),
    ])
    .unwrap()
    .with_target("y")
    .unwrap()
}

#[test]
fn key_instances_pass_when_every_named_row_is_right() {
    let outcome = KeyInstances::new("customer")
        .check(&score_model, &customers())
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    assert_eq!(outcome.table().rows().len(), 3);
}

#[test]
fn a_wrong_key_instance_is_named_with_expected_and_predicted_class() {
    let outcome = KeyInstances::new("customer")
        .check(&majority, &customers())
        .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert_eq!(
        outcome.table().rows()[1],
        ["leaving", "yes", "no", "0.3300", "WRONG CLASS"],
        "{text}"
    );
    assert!(text.contains("1 of 3 key instances wrong"), "{text}");
}

#[test]
fn regression_key_instances_use_absolute_and_relative_tolerance() {
    let houses = Dataset::from_columns(vec![
        (
            "house".into(),
            Column::categorical([Some("flat"), Some("manor")]),
        ),
        ("m2".into(), Column::numeric(vec![50.0, 1000.0])),
        (
            "price".into(),
            Column::numeric(vec![150_000.0, 2_950_000.0]),
        ),
    ])
    .unwrap()
    .with_target("price")
    .unwrap();
    let model = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(Predictions::values(
            ds.numeric("m2")?
                .values()
                .iter()
                .map(|m| m * 3000.0)
                .collect(),
        ))
    };
    // Off by 0 and by 50,000.
    let strict = KeyInstances::new("house")
        .tolerance(10_000.0)
        .check(&model, &houses)
        .unwrap();
    assert!(!strict.passed());
    let text = strict.to_string();
    assert_eq!(
        strict.table().rows()[1],
        [
            "manor",
            "2950000",
            "3000000",
            "+50000",
            "±10000",
            "OFF by 40000 beyond"
        ],
        "{text}"
    );
    assert_eq!(strict.table().rows()[0][5], "ok", "{text}");
    // 10k + 2% of 2.95M = 69k covers it.
    let relative = KeyInstances::new("house")
        .tolerance(10_000.0)
        .relative_tolerance(0.02)
        .check(&model, &houses)
        .unwrap();
    assert!(relative.passed(), "{relative}");
}

#[test]
fn key_instance_errors_name_the_column_or_setting() {
    let err = KeyInstances::new("client")
        .check(&score_model, &customers())
        .unwrap_err();
    assert!(
        matches!(err, CheckError::Data(DataError::UnknownColumn { .. })),
        "{err}"
    );
    assert!(err.to_string().contains("`client`"), "{err}");
    let err = KeyInstances::new("customer")
        .tolerance(-1.0)
        .check(&score_model, &customers())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`tolerance` must be a finite number ≥ 0"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Slices
// ---------------------------------------------------------------------------------------------

/// Good on group `a`, reversed (wrong) on group `b`.
fn unfair_model(ds: &Dataset) -> Result<Predictions, ModelError> {
    let x = ds.numeric("x")?.values();
    let group = ds.categorical("group")?;
    let p: Vec<f64> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if group.get(i) == Some("b") {
                1.0 - v
            } else {
                v
            }
        })
        .collect();
    Ok(probabilities(&p))
}

#[test]
fn slices_pass_a_fair_model_and_report_tiny_slices_as_too_small() {
    let data = scored_data(1000, 5);
    let outcome = Slices::new(Metric::RocAuc)
        .by_column("group")
        .floor(0.7)
        .max_gap(0.15)
        .check(&score_model, &data)
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    let text = outcome.to_string();
    let tiny = outcome
        .table()
        .rows()
        .iter()
        .find(|r| r[0] == "group=tiny")
        .expect("a tiny row");
    assert_eq!(
        tiny,
        &[
            "group=tiny",
            "6",
            "-",
            "0.7000",
            "too small (< 30 rows): not judged"
        ],
        "{text}"
    );
    assert!(text.contains("largest gap in `group`"), "{text}");
}

#[test]
fn an_unfair_model_fails_on_the_slice_and_the_gap() {
    let data = scored_data(1000, 5);
    let outcome = Slices::new(Metric::RocAuc)
        .by_column("group")
        .floor(0.7)
        .max_gap(0.15)
        .check(&unfair_model, &data)
        .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(text.contains("group=b"), "{text}");
    assert!(text.contains("BELOW by"), "{text}");
    assert!(text.contains("FAILED: bound 0.1500, over by"), "{text}");
}

#[test]
fn slices_where_the_metric_is_undefined_are_not_judged() {
    // Group `b` has only `no` rows: its ROC AUC is undefined, not a failure.
    let n = 200;
    let x: Vec<f64> = (0..n).map(|i| f64::from(i) / f64::from(n)).collect();
    let group: Vec<Option<&str>> = (0..n)
        .map(|i| Some(if i < 100 { "a" } else { "b" }))
        .collect();
    let y: Vec<Option<&str>> = (0..n)
        .map(|i| Some(if i < 100 && i % 2 == 0 { "yes" } else { "no" }))
        .collect();
    let data = Dataset::from_columns(vec![
        ("x".into(), Column::numeric(x)),
        ("group".into(), Column::categorical(group)),
        ("y".into(), Column::categorical(y)),
    ])
    .unwrap()
    .with_target("y")
    .unwrap();
    let outcome = Slices::new(Metric::RocAuc)
        .by_column("group")
        .floor(0.4)
        .check(&score_model, &data)
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    assert!(outcome.to_string().contains("undefined ("), "{outcome}");
}

#[test]
fn predicate_slices_and_missing_values_are_slices_too() {
    let data = scored_data(600, 6);
    let group = data.categorical("group").unwrap();
    let with_missing: Vec<Option<&str>> = (0..600)
        .map(|i| if i % 10 == 3 { None } else { group.get(i) })
        .collect();
    let data = data
        .without_column("group")
        .unwrap()
        .with_column("group", Column::categorical(with_missing))
        .unwrap();
    let outcome = Slices::new(Metric::Accuracy)
        .by_column("group")
        .predicate("high x", |row| Ok(row.number("x")? > 0.5))
        .predicate("low x", |row| Ok(row.number("x")? <= 0.5))
        .check(&score_model, &data)
        .unwrap();
    let text = outcome.to_string();
    let missing = outcome
        .table()
        .rows()
        .iter()
        .find(|r| r[0] == "group=<missing>")
        .expect("a <missing> slice");
    assert_eq!(missing[1], "60", "{text}");
    assert!(text.contains("high x"), "{text}");
    assert!(text.contains("largest gap in the predicates"), "{text}");
}

/// Issue 19: `Slices::by_column` needed a categorical column (a 0/1 flag took two predicates).
#[test]
fn numeric_flags_slice_by_value_and_continuous_columns_by_bins() {
    let data = scored_data(1000, 5);
    let flag: Vec<f64> = (0..1000).map(|i| f64::from(u8::from(i % 5 == 0))).collect();
    let data = data.with_column("is_b", Column::numeric(flag)).unwrap();
    // The unfair model is bad on every fifth row: the flag's slice `is_b=1`.
    let text = Slices::new(Metric::RocAuc)
        .by_column("is_b")
        .floor(0.7)
        .check(&unfair_model, &data)
        .unwrap()
        .to_string();
    assert!(
        text.contains("is_b=1") && text.contains("BELOW by"),
        "{text}"
    );
    assert!(text.contains("is_b=0"), "{text}");
    let text = Slices::new(Metric::Accuracy)
        .by_bins("x", &[0.25, 0.5, 0.75])
        .check(&score_model, &data)
        .unwrap()
        .to_string();
    for name in [
        "x < 0.25",
        "x in [0.25, 0.5)",
        "x in [0.5, 0.75)",
        "x ≥ 0.75",
    ] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
}

#[test]
fn lower_is_better_slices_have_a_ceiling() {
    let data = scored_data(1000, 5);
    let outcome = Slices::new(Metric::LogLoss)
        .by_column("group")
        .floor(0.6)
        .check(&unfair_model, &data)
        .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(text.contains("ceiling"), "{text}");
    assert!(text.contains("ABOVE by"), "{text}");
}

#[test]
fn slice_errors_are_typed() {
    let data = scored_data(100, 1);
    // A continuous numeric column is sliced with bins, not value by value.
    let err = Slices::new(Metric::Accuracy)
        .by_column("x")
        .check(&score_model, &data)
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "column `x` has more than 10 distinct numbers: slice it with `by_bins(\"x\", &[…])`"
        ),
        "{err}"
    );
    let err = Slices::new(Metric::Accuracy)
        .by_bins("x", &[0.5, 0.2])
        .check(&score_model, &data)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`edges` must be finite numbers in increasing order"),
        "{err}"
    );
    let err = Slices::new(Metric::Accuracy)
        .check(&score_model, &data)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("at least one `by_column` or `predicate`"),
        "{err}"
    );
    let err = Slices::new(Metric::Accuracy)
        .predicate("typo", |row| Ok(row.number("xx")? > 0.0))
        .check(&score_model, &data)
        .unwrap_err();
    assert!(err.to_string().contains("`xx`"), "{err}");
}

#[test]
fn checks_accept_any_model_type() {
    // Trait objects and named types work as well as closures.
    let boxed: Box<dyn Model> = Box::new(score_model);
    let data = scored_data(300, 7);
    assert!(BeatsBaseline::new(Metric::RocAuc)
        .check(boxed.as_ref(), &data, &data)
        .unwrap()
        .passed());
}
