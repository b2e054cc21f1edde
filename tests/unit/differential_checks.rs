//! `mlharness::differential`: row-by-row comparison, metric bounds, paired significance,
//! golden files (creation, update, CI, staleness, malformed files) and reproducibility.

use mlharness::check::Checked;
use mlharness::data::{Column, Dataset};
use mlharness::differential::{
    fingerprint, CheckError, Differential, Golden, GoldenError, GoldenState, Reproducibility,
};
use mlharness::metrics::Metric;
use mlharness::model::{ModelError, Predictions};
use ndarray::Array2;
use std::cell::Cell;
use std::collections::HashMap;

fn classes() -> Vec<String> {
    vec!["no".into(), "yes".into()]
}

/// 200 rows, `yes` on every 4th row.
fn class_data() -> Dataset {
    let y: Vec<Option<&str>> = (0..200)
        .map(|i| Some(if i % 4 == 0 { "yes" } else { "no" }))
        .collect();
    Dataset::from_columns(vec![
        (
            "x".into(),
            Column::numeric((0..200).map(f64::from).collect()),
        ),
        ("y".into(), Column::categorical(y)),
    ])
    .unwrap()
    .with_target("y")
    .unwrap()
}

fn truth_labels() -> Vec<usize> {
    (0..200).map(|i| usize::from(i % 4 == 0)).collect()
}

fn with_p(labels: &[usize], confidence: f64) -> Predictions {
    let mut m = Array2::zeros((labels.len(), 2));
    for (i, &l) in labels.iter().enumerate() {
        m[[i, l]] = confidence;
        m[[i, 1 - l]] = 1.0 - confidence;
    }
    Predictions::classes_with_probabilities(classes(), labels.to_vec(), m).unwrap()
}

fn value_data(with_target: bool) -> Dataset {
    let y: Vec<f64> = (0..300).map(|i| f64::from(i % 50)).collect();
    let ds = Dataset::from_columns(vec![("y".into(), Column::numeric(y))]).unwrap();
    if with_target {
        ds.with_target("y").unwrap()
    } else {
        ds
    }
}

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync + 'static {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |k: &str| map.get(k).cloned()
}

// ---------------------------------------------------------------------------------------------
// Classifiers
// ---------------------------------------------------------------------------------------------

#[test]
fn identical_predictions_pass_quietly() {
    let data = class_data();
    let p = with_p(&truth_labels(), 0.9);
    let outcome = Differential::new()
        .metric(Metric::Accuracy, 0.0, 0.0)
        .compare(&data, &p, &p, "v1")
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    assert!(
        outcome.notes().is_empty(),
        "no worst rows when nothing changed: {outcome}"
    );
}

#[test]
fn class_flips_are_counted_and_the_worst_rows_listed() {
    let data = class_data();
    let reference = with_p(&truth_labels(), 0.9);
    let mut labels = truth_labels();
    for i in [0, 4, 8] {
        labels[i] = 0; // three `yes` rows flipped to `no`
    }
    let candidate = with_p(&labels, 0.9);
    let outcome = Differential::new()
        .max_changed_share(0.01)
        .compare(&data, &candidate, &reference, "golden v1")
        .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(
        text.contains("FAILED differential: candidate vs golden v1 (200 rows)"),
        "{text}"
    );
    assert_eq!(
        outcome.table().rows()[0],
        [
            "changed rows",
            "3 of 200 (1.50%)",
            "≤ 1.00%",
            "TOO MANY by 0.50 points"
        ]
    );
    assert!(text.contains("most changed rows (3 of 3 shown"), "{text}");
    // Row 0: reference `yes` at 0.9, candidate `no` (so P(yes) = 0.1), truth `yes`.
    assert!(
        text.contains("0    yes        no         0.900 → 0.100       yes"),
        "{text}"
    );
}

#[test]
fn probability_moves_count_when_a_tolerance_is_set() {
    let data = class_data();
    let reference = with_p(&truth_labels(), 0.9);
    let candidate = with_p(&truth_labels(), 0.6); // no flip, every probability moved by 0.3
    assert!(Differential::new()
        .compare(&data, &candidate, &reference, "v1")
        .unwrap()
        .passed());
    let outcome = Differential::new()
        .probability_tolerance(0.1)
        .compare(&data, &candidate, &reference, "v1")
        .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(text.contains("200 of 200 (100.00%)"), "{text}");
    assert!(text.contains("of which class flips"), "{text}");
}

#[test]
fn mcnemar_fails_a_significantly_worse_classifier_only() {
    let data = class_data();
    let truth = truth_labels();
    let reference = with_p(&truth, 0.9);
    // The candidate misses 30 of the 50 `yes` rows: b = 30, c = 0.
    let worse_labels: Vec<usize> = (0..200)
        .map(|i| usize::from(i % 4 == 0 && i >= 120))
        .collect();
    let worse = with_p(&worse_labels, 0.9);
    let lenient = Differential::new().max_changed_share(1.0);
    let outcome = lenient.compare(&data, &worse, &reference, "v1").unwrap();
    assert!(!outcome.passed());
    let row = &outcome.table().rows()[1];
    assert_eq!(row[0], "McNemar (exact)");
    assert!(
        row[1]
            .starts_with("30 rows only the reference got right, 0 only the candidate: p = 1.9e-9"),
        "{row:?}"
    );
    assert_eq!(row[3], "SIGNIFICANTLY WORSE");
    // The same difference the other way round is an improvement: not a McNemar failure.
    let better = lenient.compare(&data, &reference, &worse, "v0").unwrap();
    assert!(better.passed(), "{better}");
}

#[test]
fn metric_changes_are_bounded_in_each_direction() {
    let data = class_data();
    let truth = truth_labels();
    let good = with_p(&truth, 0.9);
    let mut labels = truth.clone();
    for l in labels.iter_mut().take(40) {
        *l = 1 - *l; // 40 rows wrong: accuracy 0.8
    }
    let worse = with_p(&labels, 0.9);
    let check = Differential::new()
        .max_changed_share(1.0)
        .alpha(1e-12)
        .metric(Metric::Accuracy, 0.05, 0.1);
    let down = check.compare(&data, &worse, &good, "v1").unwrap();
    assert!(!down.passed());
    assert_eq!(
        down.table().rows()[2],
        [
            "accuracy",
            "0.8000 vs 1.0000: worse by 0.2000",
            "worse ≤ 0.0500, better ≤ 0.1000",
            "WORSE by 0.1500 beyond"
        ]
    );
    let up = check.compare(&data, &good, &worse, "v1").unwrap();
    assert!(
        !up.passed(),
        "an established model should not jump either: {up}"
    );
    assert_eq!(up.table().rows()[2][3], "BETTER by 0.1000 beyond");
}

#[test]
fn without_a_target_flips_are_still_compared() {
    let data = class_data().without_target();
    let p = with_p(&truth_labels(), 0.9);
    let outcome = Differential::new().compare(&data, &p, &p, "v1").unwrap();
    assert!(outcome.passed());
    assert!(
        outcome
            .to_string()
            .contains("not computed: the data has no target"),
        "{outcome}"
    );
}

// ---------------------------------------------------------------------------------------------
// Regressors
// ---------------------------------------------------------------------------------------------

#[test]
fn regression_rows_change_beyond_absolute_plus_relative_tolerance() {
    let data = value_data(true);
    let reference: Vec<f64> = data
        .target_values()
        .unwrap()
        .iter()
        .map(|v| v + 0.5)
        .collect();
    let mut candidate = reference.clone();
    candidate[10] += 0.05; // within 0.01 + 5% of 10.5
    candidate[20] += 3.0; // beyond
    let (c, r) = (
        Predictions::values(candidate),
        Predictions::values(reference),
    );
    let outcome = Differential::new()
        .tolerance(0.01)
        .relative_tolerance(0.05)
        .max_changed_share(0.0)
        .compare(&data, &c, &r, "v1")
        .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(text.contains("1 of 300 (0.33%)"), "{text}");
    assert!(
        text.contains("20   20.5000    23.5000    +3.0000  20.0000"),
        "{text}"
    );
}

#[test]
fn wilcoxon_fails_systematically_larger_errors() {
    let data = value_data(true);
    let y = data.target_values().unwrap().to_vec();
    let reference = Predictions::values(
        y.iter()
            .enumerate()
            .map(|(i, v)| v + if i % 2 == 0 { 0.1 } else { -0.1 })
            .collect(),
    );
    // Every error grows a little: small per row, but consistent.
    let candidate = Predictions::values(
        y.iter()
            .enumerate()
            .map(|(i, v)| v + if i % 2 == 0 { 0.3 } else { -0.3 })
            .collect(),
    );
    let outcome = Differential::new()
        .max_changed_share(1.0)
        .compare(&data, &candidate, &reference, "v1")
        .unwrap();
    assert!(!outcome.passed());
    let row = &outcome.table().rows()[1];
    assert_eq!(row[0], "Wilcoxon (|errors|)");
    assert!(
        row[1].starts_with("300 changed rows, mostly larger errors: p = "),
        "{row:?}"
    );
    assert_eq!(row[3], "SIGNIFICANT");
    // Smaller errors are not a failure.
    let better = Differential::new()
        .max_changed_share(1.0)
        .compare(&data, &reference, &candidate, "v0")
        .unwrap();
    assert!(better.passed(), "{better}");
}

#[test]
fn without_a_target_a_significant_shift_fails_either_way() {
    let data = value_data(false);
    let base: Vec<f64> = (0..300).map(|i| f64::from(i % 50)).collect();
    let up: Vec<f64> = base.iter().map(|v| v + 1.0).collect();
    let outcome = Differential::new()
        .max_changed_share(1.0)
        .compare(
            &data,
            &Predictions::values(up),
            &Predictions::values(base),
            "v1",
        )
        .unwrap();
    assert!(!outcome.passed());
    let row = &outcome.table().rows()[1];
    assert_eq!(row[0], "Wilcoxon (values)");
    assert!(row[1].contains("mostly higher values"), "{row:?}");
}

#[test]
fn nan_predictions_are_changed_rows_and_fail_the_paired_test() {
    let data = value_data(true);
    let r: Vec<f64> = data.target_values().unwrap().to_vec();
    let mut c = r.clone();
    c[5] = f64::NAN;
    let outcome = Differential::new()
        .max_changed_share(0.5)
        .compare(
            &data,
            &Predictions::values(c),
            &Predictions::values(r),
            "v1",
        )
        .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(text.contains("1 of 300"), "{text}");
    assert!(
        text.contains("not computed: 1 rows are NaN or infinite"),
        "{text}"
    );
    assert!(
        text.contains("5    5.0000     NaN"),
        "the NaN row is listed first: {text}"
    );
}

#[test]
fn incomparable_predictions_and_bad_settings_are_errors() {
    let data = class_data();
    let classes_p = with_p(&truth_labels(), 0.9);
    let values_p = Predictions::values(vec![0.0; 200]);
    let err = Differential::new()
        .compare(&data, &values_p, &classes_p, "v1")
        .unwrap_err();
    assert!(matches!(err, CheckError::Mismatch { .. }));
    assert_eq!(err.to_string(), "cannot compare the candidate with v1: the candidate predicts values, the reference classes");
    let short = Predictions::values(vec![0.0; 3]);
    let err = Differential::new()
        .compare(&data, &short, &values_p, "v1")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the data has 200 rows, the candidate 3 predictions"),
        "{err}"
    );
    let other = Predictions::classes(vec!["no".into(), "maybe".into()], vec![0; 200]).unwrap();
    let err = Differential::new()
        .compare(&data, &other, &classes_p, "v1")
        .unwrap_err();
    assert!(
        err.to_string().contains("the candidate has class `maybe`"),
        "{err}"
    );
    let err = Differential::new()
        .max_changed_share(1.5)
        .compare(&data, &classes_p, &classes_p, "v1")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`max_changed_share` must be between 0 and 1, got 1.5"),
        "{err}"
    );
}

#[test]
fn against_model_predicts_both() {
    let data = class_data();
    let v1 = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(with_p(&ds.target_indices(&classes())?, 0.8))
    };
    let broken =
        |_: &Dataset| -> Result<Predictions, ModelError> { Err(ModelError::new("no weights")) };
    assert!(Differential::new()
        .against_model(&data, &v1, &v1, "v1")
        .unwrap()
        .passed());
    let err = Differential::new()
        .against_model(&data, &broken, &v1, "v1")
        .unwrap_err();
    assert_eq!(
        mlharness::check::chain(&err),
        "the candidate failed to predict: no weights"
    );
}

// ---------------------------------------------------------------------------------------------
// Golden files
// ---------------------------------------------------------------------------------------------

fn model_with(confidence: f64) -> impl Fn(&Dataset) -> Result<Predictions, ModelError> {
    move |ds: &Dataset| Ok(with_p(&ds.target_indices(&classes())?, confidence))
}

#[test]
fn a_golden_is_created_on_the_first_run_then_compared_against() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("golden/model.json");
    let golden = Golden::new(&path).env(env(&[]));
    let data = class_data();
    let first = Differential::new()
        .against_golden(&data, &model_with(0.9), "m-1.0", &golden)
        .unwrap();
    assert!(first.passed());
    assert!(first.name().contains("golden created"), "{first}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"model_version\": \"m-1.0\""), "{text}");
    assert!(
        text.contains(&format!("\"data_fingerprint\": \"{}\"", fingerprint(&data))),
        "{text}"
    );
    assert!(text.contains("\"rounding\": 6"), "{text}");
    // One prediction per line, so a review diff shows which rows moved.
    assert_eq!(
        text.lines()
            .filter(|l| l.trim_start().starts_with("{\"label\""))
            .count(),
        200
    );
    // Atomic write: nothing but the golden is left in the directory.
    assert_eq!(
        std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
        1
    );

    let same = Differential::new()
        .against_golden(&data, &model_with(0.9), "m-1.0", &golden)
        .unwrap();
    assert!(same.passed(), "{same}");
    assert!(same.name().contains("golden"), "{same}");
    let drifted = Differential::new()
        .probability_tolerance(0.05)
        .against_golden(&data, &model_with(0.7), "m-1.1", &golden)
        .unwrap();
    assert!(!drifted.passed());
    assert!(
        drifted
            .to_string()
            .contains("(model m-1.0, rounded to 6 decimals)"),
        "{drifted}"
    );
    // Checking never rewrote the file.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn mlharness_update_rewrites_the_golden_and_says_what_it_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let data = class_data();
    Golden::new(&path)
        .env(env(&[]))
        .write(&data, &with_p(&truth_labels(), 0.9), "m-1.0")
        .unwrap();
    let update = Golden::new(&path).env(env(&[("MLHARNESS_UPDATE", "1")]));
    let outcome = Differential::new()
        .against_golden(&data, &model_with(0.7), "m-2.0", &update)
        .unwrap();
    assert!(outcome.passed());
    assert!(
        outcome
            .name()
            .contains("golden updated (was model version m-1.0)"),
        "{outcome}"
    );
    let file = Golden::new(&path).load().unwrap();
    assert_eq!(file.model_version, "m-2.0");
    let p = file
        .predictions()
        .as_classes()
        .unwrap()
        .probabilities()
        .unwrap()[[0, 1]];
    assert_eq!(p, 0.7);
    // Without the variable (or with it off) the golden is only read.
    for off in [&[][..], &[("MLHARNESS_UPDATE", "0")][..]] {
        let state = Golden::new(&path)
            .env(env(off))
            .resolve(&data, &with_p(&truth_labels(), 0.5), "m-3.0")
            .unwrap();
        assert!(matches!(state, GoldenState::Existing(_)), "{off:?}");
    }
}

#[test]
fn under_ci_a_missing_golden_fails_with_the_command_to_create_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let golden = Golden::new(&path).env(env(&[
        ("CI", "true"),
        ("CARGO_PKG_NAME", "churn"),
        ("NEXTEST_BINARY_ID", "churn::differential"),
        ("NEXTEST_TEST_NAME", "mlharness_differential::v2_vs_golden"),
    ]));
    let err = Differential::new()
        .against_golden(&class_data(), &model_with(0.9), "m-1.0", &golden)
        .unwrap_err();
    assert!(
        matches!(err, CheckError::Golden(GoldenError::MissingInCi { .. })),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("golden file missing, and CI is set"),
        "{text}"
    );
    assert!(
        text.contains("`MLHARNESS_UPDATE=1 cargo nextest run -p churn --test differential mlharness_differential::v2_vs_golden`"),
        "{text}"
    );
    assert!(!path.exists(), "nothing is written under CI");
    // CI=false is not CI.
    let local = Golden::new(&path).env(env(&[("CI", "false")]));
    assert!(Differential::new()
        .against_golden(&class_data(), &model_with(0.9), "m-1.0", &local)
        .unwrap()
        .passed());
}

/// Issue 18, item 6: on a first run, a check that only reads a golden started while the test
/// that owns it was still recording it, and failed with "golden file missing".
#[test]
fn a_read_only_check_waits_for_the_golden_being_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let data = class_data();
    let owner = {
        let (path, data) = (path.clone(), data.clone());
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            Golden::new(&path)
                .env(env(&[]))
                .write(&data, &with_p(&truth_labels(), 0.9), "owner")
                .unwrap();
        })
    };
    let outcome = Differential::new()
        .against_golden(
            &data,
            &|_: &Dataset| Ok(with_p(&truth_labels(), 0.9)),
            "reader",
            &Golden::new(&path).read_only().env(env(&[])),
        )
        .unwrap();
    owner.join().unwrap();
    assert!(outcome.passed(), "{outcome}");
    assert!(outcome.name().contains("model owner"), "{outcome}");
    // Under CI goldens are committed: a missing one fails at once, without waiting.
    let ci = Golden::new(dir.path().join("absent.json"))
        .read_only()
        .env(env(&[("CI", "true")]));
    let started = std::time::Instant::now();
    let err = ci
        .resolve(&data, &with_p(&truth_labels(), 0.9), "m")
        .unwrap_err();
    assert!(matches!(err, GoldenError::Missing { .. }), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_read_only_golden_is_never_written_even_when_updating() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let data = class_data();
    let update = [("MLHARNESS_UPDATE", "1")];
    let err = Golden::new(&path)
        .read_only()
        .wait_for(std::time::Duration::ZERO)
        .env(env(&update))
        .resolve(&data, &with_p(&truth_labels(), 0.9), "m")
        .unwrap_err();
    assert!(matches!(err, GoldenError::Missing { .. }), "{err}");
    assert!(
        err.to_string().contains("golden file missing (waited 0.0 s for the test that records it); this check only reads it"),
        "{err}"
    );
    assert!(!path.exists());
    Golden::new(&path)
        .env(env(&[]))
        .write(&data, &with_p(&truth_labels(), 0.9), "owner")
        .unwrap();
    let broken = with_p(&vec![0; 200], 0.9);
    let outcome = Differential::new()
        .against_golden(
            &data,
            &|_: &Dataset| Ok(broken.clone()),
            "broken",
            &Golden::new(&path).read_only().env(env(&update)),
        )
        .unwrap();
    assert!(!outcome.passed(), "compared, not recorded: {outcome}");
    assert_eq!(Golden::new(&path).load().unwrap().model_version, "owner");
}

#[test]
fn a_stale_golden_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let data = class_data();
    let preds = with_p(&truth_labels(), 0.9);
    Golden::new(&path)
        .env(env(&[]))
        .write(&data, &preds, "m-1.0")
        .unwrap();

    // Other data: one value changed.
    let mut x: Vec<f64> = (0..200).map(f64::from).collect();
    x[3] = -1.0;
    let changed = data
        .without_column("x")
        .unwrap()
        .with_column("x", Column::numeric(x))
        .unwrap();
    let err = Golden::new(&path)
        .env(env(&[]))
        .resolve(&changed, &preds, "m-1.0")
        .unwrap_err();
    assert!(matches!(err, GoldenError::StaleData { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("stale golden: recorded on data fnv1a64:"),
        "{err}"
    );

    let err = Golden::new(&path)
        .rounding(3)
        .env(env(&[]))
        .resolve(&data, &preds, "m-1.0")
        .unwrap_err();
    assert!(
        matches!(
            err,
            GoldenError::RoundingChanged {
                recorded: 6,
                configured: 3,
                ..
            }
        ),
        "{err}"
    );

    let err = Golden::new(&path)
        .expect_version("m-2.0")
        .env(env(&[]))
        .resolve(&data, &preds, "m-2.0")
        .unwrap_err();
    assert!(matches!(err, GoldenError::StaleVersion { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("recorded from model version `m-1.0`, the test expects `m-2.0`"),
        "{err}"
    );
    assert!(err.to_string().contains("MLHARNESS_UPDATE=1"), "{err}");
}

#[test]
fn malformed_golden_files_name_the_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let golden = Golden::new(&path).env(env(&[]));
    let write = |text: &str| std::fs::write(&path, text).unwrap();

    write("{\n  \"format\": 1,\n  \"model_version\": \"m\",\n  oops\n}");
    match golden.load().unwrap_err() {
        GoldenError::Syntax { line, .. } => assert_eq!(line, 4),
        e => panic!("{e}"),
    }
    let head =
        "\"format\": 1, \"model_version\": \"m\", \"data_fingerprint\": \"f\", \"rounding\": 6";
    write(&format!("{{{head}, \"rows\": 2, \"kind\": \"classes\", \"classes\": [\"no\", \"yes\"], \"predictions\": [{{\"label\": \"no\"}}, {{\"label\": \"maybe\"}}]}}"));
    let err = golden.load().unwrap_err().to_string();
    assert!(
        err.ends_with("`predictions[1].label`: `maybe` is not one of the classes (no, yes)"),
        "{err}"
    );
    write(&format!(
        "{{{head}, \"rows\": 3, \"kind\": \"values\", \"predictions\": [1.0, 2.0]}}"
    ));
    assert!(golden
        .load()
        .unwrap_err()
        .to_string()
        .contains("`rows`: says 3 rows, but the file has 2 predictions"));
    write(&format!(
        "{{{head}, \"rows\": 1, \"kind\": \"values\", \"predictions\": [\"x\"]}}"
    ));
    assert!(golden
        .load()
        .unwrap_err()
        .to_string()
        .contains("`predictions[0]`: `\"x\"` is not a number"));
    write(&format!(
        "{{{head}, \"rows\": 1, \"kind\": \"scores\", \"predictions\": [1.0]}}"
    ));
    assert!(golden
        .load()
        .unwrap_err()
        .to_string()
        .contains("`kind`: `scores` is neither"));
    write(&format!("{{{head}, \"rows\": 1, \"kind\": \"classes\", \"classes\": [\"a\"], \"predictions\": [{{\"label\": \"a\", \"p\": [0.5, 0.5]}}]}}"));
    assert!(golden
        .load()
        .unwrap_err()
        .to_string()
        .contains("`predictions[0].p`: 2 probabilities for 1 classes"));
    write(&format!("{{{head}, \"format\": 9}}").replace("\"format\": 1, ", ""));
    assert!(golden.load().is_err());
    let missing = Golden::new(dir.path().join("none.json"))
        .load()
        .unwrap_err();
    assert!(matches!(missing, GoldenError::Read { .. }));
}

#[test]
fn rounded_probabilities_still_sum_to_one() {
    // Seven classes of 1/7: each rounds to 0.143, which sum to 1.001.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let names: Vec<String> = (0..7).map(|k| format!("c{k}")).collect();
    let p = Array2::from_elem((2, 7), 1.0 / 7.0);
    let preds = Predictions::probabilities(names.clone(), p).unwrap();
    let labels: Vec<Option<&str>> = vec![Some("c0"), Some("c3")];
    let data = Dataset::from_columns(vec![("y".into(), Column::categorical(labels))])
        .unwrap()
        .with_target("y")
        .unwrap();
    let golden = Golden::new(&path).rounding(3).env(env(&[]));
    golden.write(&data, &preds, "m").unwrap();
    let file = golden.load().unwrap();
    let stored = file
        .predictions()
        .as_classes()
        .unwrap()
        .probabilities()
        .unwrap()
        .clone();
    for row in stored.outer_iter() {
        assert!((row.sum() - 1.0).abs() < 1e-12, "{row}");
        assert!(row.iter().all(|&v| (v - 0.143).abs() < 0.0011), "{row}");
    }
    // So log loss accepts the golden as a reference.
    assert!(Metric::LogLoss.evaluate(&data, file.predictions()).is_ok());
}

#[test]
fn non_finite_predictions_are_not_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.json");
    let data = value_data(true);
    let mut v = vec![1.0; 300];
    v[7] = f64::INFINITY;
    let err = Golden::new(&path)
        .write(&data, &Predictions::values(v), "m")
        .unwrap_err();
    assert!(
        matches!(err, GoldenError::NonFinite { row: 7, .. }),
        "{err}"
    );
    assert!(!path.exists());
}

#[test]
fn fingerprints_see_every_value_name_and_the_target() {
    let base = class_data();
    let fp = fingerprint(&base);
    assert_eq!(fp, fingerprint(&base.clone()));
    let renamed = Dataset::from_columns(vec![
        ("z".into(), base.column("x").unwrap().clone()),
        ("y".into(), base.column("y").unwrap().clone()),
    ])
    .unwrap()
    .with_target("y")
    .unwrap();
    let no_target = base.clone().without_target();
    let reordered = base.take(&(0..200).rev().collect::<Vec<_>>()).unwrap();
    let mut labels: Vec<Option<&str>> = (0..200)
        .map(|i| Some(if i % 4 == 0 { "yes" } else { "no" }))
        .collect();
    labels[199] = None;
    let one_missing = base
        .without_column("y")
        .unwrap()
        .with_column("y", Column::categorical(labels))
        .unwrap()
        .with_target("y")
        .unwrap();
    for (what, other) in [
        ("renamed", renamed),
        ("no target", no_target),
        ("reordered", reordered),
        ("one missing", one_missing),
    ] {
        assert_ne!(fingerprint(&other), fp, "{what}");
    }
    // Pinned: the fingerprint is stored in committed golden files, so its algorithm must not
    // change silently. (FNV-1a over the layout documented in `fingerprint`.)
    let tiny = Dataset::from_columns(vec![("a".into(), Column::numeric(vec![1.0, -0.0]))]).unwrap();
    let zero = Dataset::from_columns(vec![("a".into(), Column::numeric(vec![1.0, 0.0]))]).unwrap();
    assert_eq!(
        fingerprint(&tiny),
        fingerprint(&zero),
        "-0 and 0 are one value"
    );
    assert_eq!(
        fingerprint(&tiny),
        fnv_reference(&[
            &2u64.to_le_bytes(),
            &[0xff],
            b"a",
            &[0xff],
            b"n",
            &[1],
            &1f64.to_bits().to_le_bytes(),
            &[1],
            &0f64.to_bits().to_le_bytes()
        ])
    );
}

/// FNV-1a written out independently, to pin the fingerprint's definition.
fn fnv_reference(parts: &[&[u8]]) -> String {
    let mut h: u64 = 14695981039346656037;
    for b in parts.iter().flat_map(|p| p.iter()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(1099511628211);
    }
    format!("fnv1a64:{h:016x}")
}

// ---------------------------------------------------------------------------------------------
// Reproducibility
// ---------------------------------------------------------------------------------------------

#[test]
fn reproducibility_passes_a_seeded_trainer_and_reports_the_spread() {
    let data = value_data(true);
    let train = |seed: u64| -> Result<_, String> {
        let offset = (seed % 4) as f64 * 0.25;
        Ok(move |ds: &Dataset| -> Result<Predictions, ModelError> {
            Ok(Predictions::values(
                ds.target_values()?.iter().map(|v| v + offset).collect(),
            ))
        })
    };
    let outcome = Reproducibility::new(Metric::Mae)
        .seeds(&[4, 5, 6, 7])
        .check(&data, train)
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    let text = outcome.to_string();
    assert!(
        text.contains("seed 4 trained twice: identical predictions"),
        "{text}"
    );
    assert!(
        text.contains("spread of mae over the seeds: 0.7500 (min 0.0000, max 0.7500)"),
        "{text}"
    );
    assert!(
        text.contains("a prediction moves by up to 0.7500 with the seed alone"),
        "{text}"
    );
    let bounded = Reproducibility::new(Metric::Mae)
        .seeds(&[4, 5, 6, 7])
        .max_spread(0.5)
        .check(&data, train)
        .unwrap();
    assert!(!bounded.passed());
    assert!(
        bounded.to_string().contains("ABOVE the bound 0.5000"),
        "{bounded}"
    );
}

#[test]
fn reproducibility_counts_class_flips_between_seeds() {
    let data = class_data();
    // Seed 2 flips the first 10 rows.
    let train = |seed: u64| -> Result<_, String> {
        Ok(move |ds: &Dataset| -> Result<Predictions, ModelError> {
            let mut labels = ds.target_indices(&classes())?;
            if seed == 2 {
                labels.iter_mut().take(10).for_each(|l| *l = 1 - *l);
            }
            Ok(with_p(&labels, 0.9))
        })
    };
    let outcome = Reproducibility::new(Metric::Accuracy)
        .seeds(&[1, 2])
        .check(&data, train)
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    assert_eq!(outcome.table().rows()[1], ["2", "0.9500", "10 (5.00%)"]);
    assert!(
        outcome
            .to_string()
            .contains("up to 10 rows change class with the seed alone"),
        "{outcome}"
    );
}

#[test]
fn unseeded_randomness_fails_reproducibility() {
    let data = value_data(true);
    let calls = Cell::new(0u32);
    // Ignores the seed: every training differs.
    let train = |_seed: u64| -> Result<_, String> {
        calls.set(calls.get() + 1);
        let offset = f64::from(calls.get()) * 1e-9;
        Ok(move |ds: &Dataset| -> Result<Predictions, ModelError> {
            Ok(Predictions::values(
                ds.target_values()?.iter().map(|v| v + offset).collect(),
            ))
        })
    };
    let outcome = Reproducibility::new(Metric::Mae)
        .seeds(&[1, 2])
        .check(&data, train)
        .unwrap();
    assert!(!outcome.passed());
    assert!(
        outcome
            .to_string()
            .contains("seed 1 trained twice: 300 rows differ (first: 0, 1, 2, 3, 4)"),
        "{outcome}"
    );
    assert_eq!(
        calls.get(),
        3,
        "the first seed twice, then each other seed once"
    );
}

#[test]
fn reproducibility_errors_name_the_seed() {
    let data = value_data(true);
    type PlainModel = fn(&Dataset) -> Result<Predictions, ModelError>;
    let train = |seed: u64| -> Result<PlainModel, String> { Err(format!("seed {seed} diverged")) };
    let err = Reproducibility::new(Metric::Mae)
        .check(&data, train)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "training with seed 1 failed: seed 1 diverged"
    );
    let err = Reproducibility::new(Metric::Mae)
        .seeds(&[])
        .check(&data, train)
        .unwrap_err();
    assert!(err.to_string().contains("at least one seed"), "{err}");
}

/// Issue 19: at one of 20 training seeds the golden differential failed — 2.34% of rows
/// changed, nearly all class flips near the threshold. Near-threshold flips are now reported
/// apart and not counted; confident flips still are.
#[test]
fn near_threshold_flips_are_reported_apart_and_confident_ones_counted() {
    let data = class_data();
    let n = data.n_rows();
    let truth = truth_labels();
    // 4% of rows flip between the two, each between 0.52 and 0.48 — half of them right in
    // one model, half in the other: a threshold moved by retraining noise.
    let flip = |rows: std::ops::Range<usize>| {
        let mut labels = truth.clone();
        for i in rows {
            labels[i] = 1 - labels[i];
        }
        labels
    };
    let (reference_labels, flipped) = (flip(0..n / 50), flip(n / 50..n / 25));
    let reference = with_p(&reference_labels, 0.52);
    let candidate = with_p(&flipped, 0.52);
    let strict = Differential::new().max_changed_share(0.02);
    strict
        .compare(&data, &candidate, &reference, "v1")
        .assert_failed();
    let aware = strict.clone().near_threshold(0.1);
    let outcome = aware.compare(&data, &candidate, &reference, "v1").unwrap();
    assert!(outcome.passed(), "{outcome}");
    let text = outcome.to_string();
    let row = |name: &str| {
        let line = text.lines().find(|l| l.trim_start().starts_with(name));
        line.unwrap_or_default().to_string()
    };
    assert!(row("changed rows").contains("0 of 200 (0.00%)"), "{text}");
    let near = row("class flips near the threshold");
    assert!(
        near.contains("8 (4.00%), top two probabilities within 0.1")
            && near.contains("not counted"),
        "{text}"
    );
    // The same flips made with confidence (0.9 → 0.1) count, and fail.
    let confident = with_p(&flipped, 0.9);
    aware
        .compare(&data, &confident, &with_p(&reference_labels, 0.9), "v1")
        .assert_failed();
}

#[test]
fn a_differential_takes_its_bound_from_the_noise_between_seeds() {
    let data = class_data();
    let truth = truth_labels();
    // Seed s flips the first s rows: healthy models disagree on up to 3 rows (1.5%).
    let train = |seed: u64| -> Result<_, ModelError> {
        let mut labels = truth.clone();
        for l in labels.iter_mut().take(seed as usize) {
            *l = 1 - *l;
        }
        Ok(move |_: &Dataset| -> Result<Predictions, ModelError> { Ok(with_p(&labels, 0.9)) })
    };
    let noise = Reproducibility::new(Metric::Accuracy)
        .seeds(&[0, 1, 2, 3])
        .measure(&data, train)
        .unwrap();
    assert_eq!(noise.max_changed_share, 3.0 / 200.0);
    let bounded = Differential::new()
        .max_changed_share(0.0)
        .within_seed_noise(&noise, 0.005);
    // A new seed's model (4 rows flipped vs seed 0: 2%) is within 1.5% + 0.5 points.
    let flip = |k: usize| {
        let mut labels = truth.clone();
        for l in labels.iter_mut().take(k) {
            *l = 1 - *l;
        }
        with_p(&labels, 0.9)
    };
    let outcome = bounded
        .compare(&data, &flip(4), &with_p(&truth, 0.9), "seed 0")
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    assert!(outcome.to_string().contains("bound from seed noise: 1.50% of rows change class between healthy seeds (4 seeds), plus 0.50 points"), "{outcome}");
    // Twice the noise is not.
    bounded
        .compare(&data, &flip(6), &with_p(&truth, 0.9), "seed 0")
        .assert_failed();
}

// ---------------------------------------------------------------------------------------------
// Metadata recorded with a golden: seed noise and time per row (issue 19, items 3 and 4)
// ---------------------------------------------------------------------------------------------

/// A classifier whose seed decides which rows it gets wrong (every `10 + seed`-th): healthy
/// seeds disagree on 15–18% of rows, each as often right where the other is wrong.
fn seeded(seed: u64) -> impl Fn(&Dataset) -> Result<Predictions, ModelError> + Send + Sync {
    move |ds: &Dataset| {
        let mut labels = ds.target_indices(&classes())?;
        let every = 10 + seed as usize;
        for (i, l) in labels.iter_mut().enumerate() {
            if i % every == 0 {
                *l = 1 - *l;
            }
        }
        Ok(with_p(&labels, 0.9))
    }
}

#[test]
fn the_seed_noise_is_measured_once_with_the_golden_and_bounds_later_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("golden.json");
    let measured = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = measured.clone();
    let golden = Golden::new(&path).env(env(&[])).seed_noise(move || {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Reproducibility::new(Metric::Accuracy)
            .seeds(&[0, 1, 2])
            .measure(&class_data(), |seed| Ok::<_, ModelError>(seeded(seed)))
    });
    let check = Differential::new().within_recorded_noise(0.01);
    let created = check
        .against_golden(&class_data(), &seeded(0), "v1", &golden)
        .unwrap();
    assert!(created.passed(), "{created}");
    assert!(
        created
            .to_string()
            .contains("recorded the seed noise of 3 seeds"),
        "{created}"
    );
    let file = golden.load().unwrap();
    let noise = file.seed_noise.clone().expect("recorded");
    assert_eq!(noise.seeds, vec![0, 1, 2]);
    // Seeds 0 and 1 get rows 0, 10, 20, … and 0, 11, 22, … wrong: 35 of 200 rows differ.
    assert!(
        noise.max_changed_share > 0.1 && noise.max_changed_share < 0.2,
        "{noise:?}"
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("\"format\": 2"));

    // A healthy seed stays within the recorded noise; the noise is not measured again.
    let healthy = check
        .against_golden(&class_data(), &seeded(2), "v1", &golden)
        .unwrap();
    assert!(healthy.passed(), "{healthy}");
    assert!(
        healthy.to_string().contains("(recorded with the golden)"),
        "{healthy}"
    );
    assert_eq!(measured.load(std::sync::atomic::Ordering::SeqCst), 1);
    // A broken model (every other row flipped) is far outside it.
    let broken = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let labels: Vec<usize> = ds
            .target_indices(&classes())?
            .iter()
            .enumerate()
            .map(|(i, &l)| if i % 2 == 0 { 1 - l } else { l })
            .collect();
        Ok(with_p(&labels, 0.9))
    };
    let failed = check
        .against_golden(&class_data(), &broken, "v1", &golden)
        .unwrap()
        .assert_failed();
    assert!(failed.to_string().contains("80 of 200"), "{failed}");

    // A golden recorded without noise cannot bound a check that asks for it: an error saying
    // how to re-record, never a silent fallback to the default bound.
    let plain = Golden::new(dir.path().join("plain.json")).env(env(&[]));
    Differential::new()
        .against_golden(&class_data(), &seeded(0), "v1", &plain)
        .unwrap()
        .assert_passed();
    assert!(std::fs::read_to_string(plain.path())
        .unwrap()
        .contains("\"format\": 1"));
    let err = check
        .against_golden(&class_data(), &seeded(0), "v1", &plain)
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`seed_noise`: not recorded with this golden")
            && text.contains("MLHARNESS_UPDATE=1"),
        "{text}"
    );
    // A measurement that fails is an error naming the golden, and nothing is written.
    let failing = Golden::new(dir.path().join("failing.json"))
        .env(env(&[]))
        .seed_noise(|| {
            Reproducibility::new(Metric::Accuracy)
                .seeds(&[0])
                .measure(&class_data(), |seed| Ok::<_, ModelError>(seeded(seed)))
        });
    let err = check
        .against_golden(&class_data(), &seeded(0), "v1", &failing)
        .unwrap_err();
    assert!(
        mlharness::check::chain(&err).contains("failing.json: measuring the seed noise"),
        "{}",
        mlharness::check::chain(&err)
    );
    assert!(!failing.path().exists());
}

#[test]
fn a_time_budget_relative_to_the_golden_fails_a_model_that_became_slow() {
    let dir = tempfile::tempdir().unwrap();
    let golden = Golden::new(dir.path().join("golden.json")).env(env(&[]));
    let fast = model_with(0.9);
    let slow = |ds: &Dataset| -> Result<Predictions, ModelError> {
        std::thread::sleep(std::time::Duration::from_millis(40));
        model_with(0.9)(ds)
    };
    let check = Differential::new().time_budget(3.0);
    let created = check
        .against_golden(&class_data(), &slow, "v1", &golden)
        .unwrap();
    assert!(
        created.to_string().contains("recorded the time per row"),
        "{created}"
    );
    let recorded = golden.load().unwrap().seconds_per_row.expect("recorded");
    assert!(recorded >= 0.040 / 200.0, "{recorded}");
    // Faster than when recorded: within budget, the row shows both times.
    let faster = check
        .against_golden(&class_data(), &fast, "v1", &golden)
        .unwrap();
    assert!(faster.passed(), "{faster}");
    assert!(faster.to_string().contains("time per row"), "{faster}");

    // Recorded fast, now slow: fails on time alone, predictions identical.
    let fast_golden = Golden::new(dir.path().join("fast.json")).env(env(&[]));
    let instant = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(with_p(&ds.target_indices(&classes())?, 0.9))
    };
    check
        .against_golden(&class_data(), &instant, "v1", &fast_golden)
        .unwrap()
        .assert_passed();
    let failed = check
        .against_golden(&class_data(), &slow, "v1", &fast_golden)
        .unwrap()
        .assert_failed();
    let text = failed.to_string();
    assert!(
        text.contains("time per row") && text.contains("SLOWER"),
        "{text}"
    );
    assert!(
        text.contains("0 of 200"),
        "the predictions did not change: {text}"
    );

    // A golden recorded without a time says so.
    let untimed = Golden::new(dir.path().join("untimed.json")).env(env(&[]));
    Differential::new()
        .against_golden(&class_data(), &fast, "v1", &untimed)
        .unwrap()
        .assert_passed();
    let err = check
        .against_golden(&class_data(), &fast, "v1", &untimed)
        .unwrap_err();
    assert!(
        err.to_string().contains("`seconds_per_row`: not recorded"),
        "{err}"
    );
    let bad =
        Differential::new()
            .time_budget(0.0)
            .against_golden(&class_data(), &fast, "v1", &untimed);
    assert!(bad.unwrap_err().to_string().contains("time_budget"));
}
