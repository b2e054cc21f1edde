//! Drift reports on the churn data: what the harness must catch, and what it must not flag.

use super::{churn, replace_column, shift_column};
use mlharness::data::{Column, Dataset};
use mlharness::drift::{Aspect, DecidedBy, DriftError, DriftOptions};
use mlharness::model::{ModelError, Predictions};
use mlharness::stats::Correction;
use rand::{Rng, SeedableRng};

fn halves(seed: u64) -> (Dataset, Dataset) {
    let split = churn().split_random(0.5, seed).unwrap();
    (split.train, split.test)
}

#[test]
fn half_a_standard_deviation_in_one_column_is_flagged_in_that_column_only() {
    let (reference, current) = halves(1);
    for column in [
        "total_day_minutes",
        "account_length",
        "number_customer_service_calls",
    ] {
        let shifted = shift_column(&current, column, 0.5);
        let report = DriftOptions::default()
            .compare(&reference, &shifted)
            .unwrap();
        assert_eq!(report.drifted_columns(), vec![column], "{report}");
        assert!(!report.outcome().passed());
        let row = report.distribution(column).unwrap();
        assert_eq!(row.decided_by, DecidedBy::EffectSize);
        let effect = row.effect_size.unwrap();
        assert!((0.35..0.65).contains(&effect), "{column}: effect {effect}");
        assert!(row.p_value.unwrap() < 1e-10, "{column}: {report}");
        let text = report.to_string();
        assert!(
            text.starts_with(&format!(
                "DRIFT: 1 of 20 columns drifted (5.0%, allowed 0.0%): {column}"
            )),
            "{text}"
        );
        assert!(text.contains(" SD)"), "the note says by how much: {text}");
        if column == "total_day_minutes" {
            // What a failing drift test shows: the drifted test's row, then the settings.
            insta::assert_snapshot!("drift_outcome", report.outcome().to_string());
        }
    }
}

#[test]
fn a_new_category_in_five_percent_of_rows_is_flagged() {
    let (reference, current) = halves(2);
    let plan = current.categorical("area_code").unwrap();
    let n = current.n_rows();
    let values: Vec<Option<String>> = (0..n)
        .map(|i| {
            if i % 20 == 0 {
                Some("area_code_999".to_string())
            } else {
                plan.get(i).map(str::to_string)
            }
        })
        .collect();
    let changed = replace_column(&current, "area_code", Column::categorical(values));
    let report = DriftOptions::default()
        .compare(&reference, &changed)
        .unwrap();
    assert_eq!(report.drifted_columns(), vec!["area_code"], "{report}");
    let row = report.distribution("area_code").unwrap();
    assert_eq!(row.test, "chi2");
    assert!(
        row.note
            .as_deref()
            .unwrap()
            .contains("new: `area_code_999` (5.0%)"),
        "{report}"
    );
}

#[test]
fn two_random_halves_are_not_flagged_across_20_seeds() {
    let mut alarms = Vec::new();
    let mut worst = (0.0f64, String::new());
    for seed in 0..20 {
        let (a, b) = halves(100 + seed);
        let report = DriftOptions::default().compare(&a, &b).unwrap();
        if !report.outcome().passed() {
            alarms.push(format!("seed {seed}:\n{report}"));
        }
        for row in &report.columns {
            let e = row.effect_size.unwrap();
            if e > worst.0 {
                worst = (e, format!("{} ({})", row.column, row.test));
            }
        }
    }
    println!(
        "false-alarm rate over 20 random halves of the churn data: {}/20; largest effect size {:.3} in {} (threshold 0.1)",
        alarms.len(),
        worst.0,
        worst.1
    );
    assert!(
        alarms.is_empty(),
        "{} false alarms:\n{}",
        alarms.len(),
        alarms.join("\n")
    );
}

#[test]
fn small_samples_are_decided_by_p_values_and_still_catch_half_a_standard_deviation() {
    let (reference, current) = halves(3);
    let small = |ds: &Dataset| ds.take(&(0..400).collect::<Vec<_>>()).unwrap();
    let (r, c) = (small(&reference), small(&current));
    let quiet = DriftOptions::default().compare(&r, &c).unwrap();
    assert!(quiet.outcome().passed(), "{quiet}");
    assert!(quiet
        .columns
        .iter()
        .all(|row| row.decided_by == DecidedBy::PValue));
    let shifted = shift_column(&c, "total_eve_minutes", 0.5);
    let report = DriftOptions::default().compare(&r, &shifted).unwrap();
    assert_eq!(
        report.drifted_columns(),
        vec!["total_eve_minutes"],
        "{report}"
    );
    let row = report.distribution("total_eve_minutes").unwrap();
    assert!(row.adjusted_p_value.unwrap() < 0.05);
}

fn uniform_column(n: usize, seed: u64, shift: f64) -> Dataset {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let values = (0..n).map(|_| rng.gen::<f64>() + shift).collect();
    Dataset::from_columns(vec![("x".into(), Column::numeric(values))]).unwrap()
}

#[test]
fn at_a_million_rows_a_negligible_shift_is_not_flagged_but_its_p_value_is_shown() {
    let sd = (1.0f64 / 12.0).sqrt();
    let reference = uniform_column(1_000_000, 1, 0.0);
    for (shift_sds, significant) in [(0.001, false), (0.01, true)] {
        let current = uniform_column(1_000_000, 2, shift_sds * sd);
        let report = DriftOptions::default()
            .compare(&reference, &current)
            .unwrap();
        assert!(report.outcome().passed(), "{report}");
        let row = report.distribution("x").unwrap();
        let p = row.p_value.expect("the p-value is reported");
        assert_eq!(row.decided_by, DecidedBy::EffectSize);
        assert!(row.effect_size.unwrap() < 0.1);
        // At 0.01 SD the shift is "significant" — and still too small to matter.
        assert_eq!(p < 0.05, significant, "shift {shift_sds} SD: p = {p}");
        // The text table shows it too, to four significant digits.
        let text = report.to_string();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("x "))
            .unwrap();
        let shown: f64 = line.split_whitespace().nth(3).unwrap().parse().unwrap();
        assert!((shown - p).abs() <= 1e-3 * p, "{text}");
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert!(json["columns"][0]["p_value"].is_f64());
    }
}

#[test]
fn a_column_that_loses_values_is_flagged_by_the_missing_check() {
    let (reference, current) = halves(4);
    let values = current.numeric("total_night_calls").unwrap().values();
    let holed: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, v)| if i % 10 == 0 { f64::NAN } else { *v })
        .collect();
    let changed = replace_column(&current, "total_night_calls", Column::numeric(holed));
    let report = DriftOptions::default()
        .compare(&reference, &changed)
        .unwrap();
    assert_eq!(
        report.drifted_columns(),
        vec!["total_night_calls"],
        "{report}"
    );
    let missing = report
        .column("total_night_calls")
        .find(|r| r.aspect == Aspect::Missing)
        .expect("a missing/present row");
    assert!(missing.drift);
    assert_eq!(missing.note.as_deref(), Some("missing 0.0% → 10.0%"));
    // The distribution of the present values did not move.
    assert!(!report.distribution("total_night_calls").unwrap().drift);
}

#[test]
fn a_sparse_column_whose_zeros_vanish_is_flagged_by_the_zero_check() {
    let (reference, current) = halves(5);
    let values = current.numeric("number_vmail_messages").unwrap().values();
    // A third of the zeros become small counts.
    let mut k = 0;
    let filled: Vec<f64> = values
        .iter()
        .map(|v| {
            if *v == 0.0 {
                k += 1;
                if k % 3 == 0 {
                    return 1.0;
                }
            }
            *v
        })
        .collect();
    let changed = replace_column(&current, "number_vmail_messages", Column::numeric(filled));
    let report = DriftOptions::default()
        .compare(&reference, &changed)
        .unwrap();
    let zeros = report
        .column("number_vmail_messages")
        .find(|r| r.aspect == Aspect::Zeros)
        .expect("the sparse column gets a zero/non-zero row");
    assert!(zeros.drift, "{report}");
    assert_eq!(report.drifted_columns(), vec!["number_vmail_messages"]);
}

#[test]
fn corrections_and_thresholds_are_configurable() {
    let (reference, current) = halves(6);
    let shifted = shift_column(&current, "total_day_calls", 0.15);
    // 0.15 SD is above the default threshold 0.1 …
    let report = DriftOptions::default()
        .compare(&reference, &shifted)
        .unwrap();
    assert_eq!(
        report.drifted_columns(),
        vec!["total_day_calls"],
        "{report}"
    );
    // … and below a per-column threshold of 0.2.
    let lenient = DriftOptions::default().effect_threshold("total_day_calls", 0.2);
    assert!(lenient
        .compare(&reference, &shifted)
        .unwrap()
        .outcome()
        .passed());
    // With p-values deciding, Bonferroni adjusts by the number of tests (21 here).
    let pv = DriftOptions::default()
        .large_sample(usize::MAX)
        .correction(Correction::Bonferroni);
    let r = pv.compare(&reference, &shifted).unwrap();
    for row in &r.columns {
        let expected = (row.p_value.unwrap() * r.columns.len() as f64).min(1.0);
        assert!((row.adjusted_p_value.unwrap() - expected).abs() < 1e-15);
    }
    // A dataset verdict that tolerates one drifted column in twenty.
    let tolerant = DriftOptions::default().max_drifted_share(0.1);
    let r = tolerant.compare(&reference, &shifted).unwrap();
    assert!(
        r.outcome().passed() && r.drifted_columns() == vec!["total_day_calls"],
        "{r}"
    );
}

#[test]
fn prediction_drift_compares_the_model_outputs() {
    let (reference, current) = halves(7);
    // A rule-based model: churn when there are many service calls.
    let model = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let calls = ds.numeric("number_customer_service_calls")?.values();
        let labels = calls.iter().map(|&c| usize::from(c > 3.0)).collect();
        Predictions::classes(vec!["no".into(), "yes".into()], labels)
    };
    let options = DriftOptions::default();
    let same = options
        .compare_predictions(&model, &reference, &current)
        .unwrap();
    assert!(same.outcome().passed(), "{same}");
    assert_eq!(same.columns[0].column, "prediction");
    let busier = shift_column(&current, "number_customer_service_calls", 1.0);
    let moved = options
        .compare_predictions(&model, &reference, &busier)
        .unwrap();
    assert_eq!(moved.drifted_columns(), vec!["prediction"], "{moved}");
    let broken =
        |_: &Dataset| -> Result<Predictions, ModelError> { Err(ModelError::new("no weights")) };
    let err = options
        .compare_predictions(&broken, &reference, &current)
        .unwrap_err();
    assert_eq!(
        mlharness::check::chain(&err),
        "the model failed to predict on the reference data: no weights"
    );
}

#[test]
fn unusable_input_is_a_typed_error_naming_the_column() {
    let (reference, current) = halves(8);
    let without = current.without_column("state").unwrap();
    let err = DriftOptions::default()
        .compare(&reference, &without)
        .unwrap_err();
    assert!(matches!(err, DriftError::MissingColumn { ref column, .. } if column == "state"));
    let as_text = replace_column(
        &current,
        "account_length",
        Column::categorical((0..current.n_rows()).map(|_| Some("x"))),
    );
    let err = DriftOptions::default()
        .compare(&reference, &as_text)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "column `account_length` is numeric in the reference data but categorical in the current data"
    );
    let empty = current.take(&[]).unwrap();
    let err = DriftOptions::default()
        .compare(&reference, &empty)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the current data has no rows: nothing to compare"
    );
    let err = DriftOptions::default()
        .alpha(1.5)
        .compare(&reference, &current)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "drift: `alpha` must be strictly between 0 and 1, got 1.5"
    );
    let err = DriftOptions::default()
        .columns(&["nope"])
        .compare(&reference, &current)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("column `nope` is in the current data but not in the reference"),
        "{err}"
    );
}

#[test]
fn json_and_markdown_carry_the_verdict_and_every_test() {
    let (reference, current) = halves(9);
    let shifted = shift_column(&current, "total_intl_calls", 0.5);
    let report = DriftOptions::default()
        .compare(&reference, &shifted)
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["drift"], true);
    assert_eq!(
        json["drifted_columns"],
        serde_json::json!(["total_intl_calls"])
    );
    let rows = json["columns"].as_array().unwrap();
    assert_eq!(rows.len(), report.columns.len());
    for row in rows {
        for key in [
            "column",
            "test",
            "statistic",
            "p_value",
            "effect_size",
            "drift",
        ] {
            assert!(row.get(key).is_some(), "{key} in {row}");
        }
    }
    let md = report.to_markdown();
    assert!(md.starts_with("**DRIFT: 1 of 20 columns drifted"), "{md}");
    assert!(
        md.lines()
            .any(|l| l.starts_with("| total_intl_calls | ks |") && l.contains("| DRIFT |")),
        "{md}"
    );
}

#[test]
fn assert_no_drift_fails_with_the_report_as_its_message() {
    let (reference, current) = halves(10);
    let shifted = shift_column(&current, "total_night_minutes", 0.5);
    mlharness::assert_no_drift!(reference, current);
    let failure =
        std::panic::catch_unwind(|| mlharness::assert_no_drift!(reference, shifted)).unwrap_err();
    let message = failure
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(
        message.starts_with(
            "DRIFT: 1 of 20 columns drifted (5.0%, allowed 0.0%): total_night_minutes"
        ),
        "{message}"
    );
    let row = message
        .lines()
        .find(|l| l.trim_start().starts_with("total_night_minutes "))
        .unwrap();
    assert!(row.contains("DRIFT") && row.contains("(+0.4"), "{row}");
    let failure =
        std::panic::catch_unwind(|| mlharness::assert_drift!(reference, current)).unwrap_err();
    let message = failure.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with("expected drift, found none:\nno drift: 0 of 20"),
        "{message}"
    );
}

#[test]
fn infinite_values_are_left_out_of_the_distribution_and_said_so() {
    let (reference, current) = halves(12);
    let values = current.numeric("total_eve_minutes").unwrap().values();
    let odd: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(i, v)| if i < 3 { f64::INFINITY } else { *v })
        .collect();
    let changed = replace_column(&current, "total_eve_minutes", Column::numeric(odd));
    let report = DriftOptions::default()
        .compare(&reference, &changed)
        .unwrap();
    let row = report.distribution("total_eve_minutes").unwrap();
    assert!(
        row.statistic.unwrap().is_finite() && row.effect_size.unwrap().is_finite(),
        "{report}"
    );
    assert_eq!(row.current_n, current.n_rows() - 3);
    assert!(
        row.note
            .as_deref()
            .unwrap()
            .ends_with("0 non-finite values in the reference and 3 in the current data left out"),
        "{report}"
    );
}

#[test]
fn a_report_from_files_is_the_report_on_the_data_they_hold() {
    // `compare_files` sorts the columns it read in their own buffers; `compare` copies them.
    // Missing values, infinities and -0.0 included, both give one report.
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, seed: u64, shift: f64| {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut text = String::from("x,plan\n");
        for _ in 0..6000 {
            let x = match rng.gen_range(0..20) {
                0 => String::new(),
                1 => "inf".into(),
                2 => "-0.0".into(),
                _ => (rng.gen::<f64>() + shift).to_string(),
            };
            let plan = ["basic", "pro", ""][rng.gen_range(0..3)];
            text.push_str(&format!("{x},{plan}\n"));
        }
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let (a, b) = (write("a.csv", 1, 0.0), write("b.csv", 2, 0.1));
    let options = DriftOptions::default();
    let from_files = mlharness::drift::compare_files(&a, &b, None, &options).unwrap();
    let read = |p| Dataset::from_csv(p).unwrap();
    let in_memory = options.compare(&read(&a), &read(&b)).unwrap();
    assert_eq!(from_files.to_json(), in_memory.to_json());
    let row = from_files.distribution("x").unwrap();
    assert!(row.drift, "{from_files}");
    assert!(
        row.note.as_deref().unwrap().contains("non-finite values"),
        "{from_files}"
    );
}

#[test]
fn a_column_listed_twice_is_compared_once() {
    let (reference, current) = halves(5);
    let report = DriftOptions::default()
        .columns(&["total_day_minutes", "state", "total_day_minutes"])
        .compare(&reference, &current)
        .unwrap();
    let compared: Vec<&str> = report.columns.iter().map(|r| r.column.as_str()).collect();
    assert_eq!(compared, ["total_day_minutes", "state"], "{report}");
}

fn ids(names: &[String]) -> Dataset {
    Dataset::from_columns(vec![(
        "customer".into(),
        Column::categorical(names.iter().map(|s| Some(s.as_str()))),
    )])
    .unwrap()
}

/// Issue 14, bug 5: 500,000 distinct values of which half were new reported "no drift" (p = 1)
/// in an 11 MB report.
#[test]
fn an_identifier_like_column_with_half_new_values_is_flagged_in_a_small_report() {
    let n = 200_000;
    let reference: Vec<String> = (0..n).map(|i| format!("cust-{i}")).collect();
    let current: Vec<String> = (n / 2..n + n / 2).map(|i| format!("cust-{i}")).collect();
    let report = DriftOptions::default()
        .compare(&ids(&reference), &ids(&current))
        .unwrap();
    assert!(!report.outcome().passed(), "{report}");
    let row = report.column("customer").next().unwrap();
    let note = row.note.as_deref().unwrap();
    assert!(
        note.starts_with("identifier-like: 200000 distinct values in 200000 reference rows, compared as the 49 most frequent, (other) and (unseen); 50.0% of current values unseen in the reference"),
        "{note}"
    );
    assert!(note.contains("new: `(unseen)` (50.0%)"), "{note}");
    let md = report.to_markdown();
    assert!(
        md.len() < 64 * 1024,
        "Markdown fits a CI job summary: {} bytes",
        md.len()
    );
    assert!(report.to_json().len() < 64 * 1024);
}

/// The same binning does not alarm on two samples of one high-cardinality distribution.
#[test]
fn an_identifier_like_column_from_one_distribution_is_not_flagged() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut draw = |n: usize| -> Vec<String> {
        (0..n)
            // 2,000 zip-code-like values, a few frequent and a long tail.
            .map(|_| format!("z{}", (rng.gen::<f64>().powi(3) * 2000.0) as usize))
            .collect()
    };
    let (a, b) = (draw(20_000), draw(20_000));
    let report = DriftOptions::default().compare(&ids(&a), &ids(&b)).unwrap();
    assert!(report.outcome().passed(), "{report}");
    assert!(report.to_string().contains("identifier-like"), "{report}");
    // The same values on both sides: none unseen, said without a sign.
    let report = DriftOptions::default().compare(&ids(&a), &ids(&a)).unwrap();
    let note = report
        .distribution("customer")
        .unwrap()
        .note
        .clone()
        .unwrap();
    assert!(note.contains("; 0.0% of current values unseen"), "{note}");
}

/// New and vanished categories are named up to a bound, then counted.
#[test]
fn new_categories_are_named_up_to_ten_then_counted() {
    let reference: Vec<String> = (0..4000).map(|i| format!("plan-{}", i % 40)).collect();
    let current: Vec<String> = (0..4000).map(|i| format!("plan-{}", 40 + i % 30)).collect();
    let report = DriftOptions::default()
        .compare(&ids(&reference), &ids(&current))
        .unwrap();
    let note = report
        .column("customer")
        .next()
        .unwrap()
        .note
        .clone()
        .unwrap();
    assert!(note.contains(", … and 20 more; gone: "), "{note}");
    assert!(note.ends_with(", … and 30 more"), "{note}");
}

/// Issue 19: drift failed when a column (an ID, the target) was on one side only, with no way
/// to leave it out.
#[test]
fn ignored_and_one_sided_columns_are_left_out_and_named() {
    let (reference, current) = halves(3);
    let with_id = current
        .clone()
        .with_column(
            "request_id",
            mlharness::data::Column::numeric(vec![1.0; current.n_rows()]),
        )
        .unwrap();
    let err = DriftOptions::default()
        .compare(&with_id, &reference)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("column `request_id` is in the reference data but not in the current data"),
        "{err}"
    );
    let report = DriftOptions::default()
        .skip_one_sided(true)
        .compare(&with_id, &reference)
        .unwrap();
    assert!(report.outcome().passed(), "{report}");
    assert!(
        report
            .outcome()
            .notes()
            .iter()
            .any(|n| n == "left out: `request_id` (only in the reference data)"),
        "{:?}",
        report.outcome().notes()
    );
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        json["left_out"][0],
        "`request_id` (only in the reference data)"
    );
    // An ignored column is not compared, whatever it holds.
    let moved = shift_column(&current, "total_day_minutes", 3.0);
    let report = DriftOptions::default()
        .ignore(&["total_day_minutes"])
        .compare(&reference, &moved)
        .unwrap();
    assert!(report.outcome().passed(), "{report}");
    assert!(report.column("total_day_minutes").next().is_none());
}
