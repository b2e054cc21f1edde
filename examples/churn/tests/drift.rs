//! Drift tests of the churn system: real drift on a natural split of real data (Seattle's
//! weather, 2012–13 against 2014–15), no drift between random halves of the churn data, the
//! model's output drift, and a challenger model in shadow mode behind the champion.

use churn::{load_churn, ChurnModel, TrainConfig};
use mlharness::check::Checked;
use mlharness::data::{Column, ColumnKind, CsvOptions, Dataset};

use mlharness::drift::{DomainClassifier, DriftOptions};
use mlharness::model::Model;
use mlharness::shadow::Shadow;
use std::path::PathBuf;

/// `fixtures/seattle-weather.csv` (daily weather 2012–2015; see fixtures/README.md), without
/// its `date` column, split into the first two years and the last two.
fn weather_early_and_late() -> (Dataset, Dataset) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/seattle-weather.csv");
    let ds = Dataset::from_csv_with(
        &path,
        &CsvOptions::default().kind("date", ColumnKind::Categorical),
    )
    .unwrap();
    let year = |y: &[&str]| {
        let y: Vec<String> = y.iter().map(|s| s.to_string()).collect();
        ds.filter(|row| {
            Ok(y.iter().any(|p| {
                row.category("date")
                    .unwrap()
                    .unwrap()
                    .starts_with(p.as_str())
            }))
        })
        .unwrap()
        .without_column("date")
        .unwrap()
    };
    (year(&["2012", "2013"]), year(&["2014", "2015"]))
}

#[test]
fn weather_of_later_years_has_drifted_from_the_early_years() {
    let (early, late) = weather_early_and_late();
    assert_eq!((early.n_rows(), late.n_rows()), (731, 730));
    let report = mlharness::assert_drift!(early, late);
    println!("{report}");
    // Warmer years, and a change in how days were labelled (rain 34% → 1%, fog 12% → 44%);
    // rain amounts and wind did not move.
    assert_eq!(
        report.drifted_columns(),
        vec!["temp_max", "temp_min", "weather"],
        "{report}"
    );
    let weather = report.distribution("weather").unwrap();
    assert!(weather.p_value.unwrap() < 1e-50);
    assert!(
        weather.note.as_deref().unwrap().contains("gone: `snow`"),
        "{report}"
    );
}

#[test]
fn weather_halves_of_the_same_years_do_not_drift() {
    let (early, _) = weather_early_and_late();
    let split = early.split_random(0.5, 3).unwrap();
    mlharness::assert_no_drift!(split.train, split.test);
}

fn half(seed: u64, first: bool) -> Dataset {
    let split = load_churn().unwrap().split_random(0.5, seed).unwrap();
    if first {
        split.train
    } else {
        split.test
    }
}

// `mlharness_drift::churn_halves_seed_*`: random halves of the churn data must not alarm.
mlharness::drift_test! {
    reference: half(1, true),
    no_drift: {
        churn_halves_seed_1 => half(1, false),
    },
}

#[test]
fn churn_halves_do_not_alarm_across_20_seeds() {
    let alarms: Vec<u64> = (0..20)
        .filter(|&seed| {
            !DriftOptions::default()
                .compare(&half(seed, true), &half(seed, false))
                .unwrap()
                .outcome()
                .passed()
        })
        .collect();
    println!(
        "false-alarm rate, 20 random halves of the churn data: {}/20 (seeds {alarms:?})",
        alarms.len()
    );
    assert!(alarms.is_empty(), "false alarms on seeds {alarms:?}");
}

/// Drift that every column on its own hides: the current half's day charges moved to other
/// customers (rotated by half the rows), so each column keeps its distribution and the
/// per-column tests pass, but a charge no longer follows its minutes. The domain classifier
/// tells the halves apart and names the columns; on the untouched halves it stays quiet.
#[test]
fn a_domain_classifier_catches_charges_that_no_longer_follow_minutes() {
    let (reference, current) = (half(4, true), half(4, false));
    let quiet = DomainClassifier::new()
        .compare(&reference, &current)
        .unwrap();
    assert!(quiet.outcome().passed(), "{quiet}");

    let charge = current.numeric("total_day_charge").unwrap().values();
    let n = charge.len();
    let moved = (0..n).map(|i| charge[(i + n / 2) % n]).collect();
    let current = current
        .without_column("total_day_charge")
        .unwrap()
        .with_column("total_day_charge", Column::numeric(moved))
        .unwrap();
    DriftOptions::default()
        .compare(&reference, &current)
        .assert_passed();
    let report = DomainClassifier::new()
        .compare(&reference, &current)
        .unwrap();
    assert!(!report.outcome().passed(), "{report}");
    assert!(report.auc > 0.6, "{report}");
    let mut top: Vec<&str> = report.importances[..2]
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    top.sort_unstable();
    assert_eq!(
        top,
        ["total_day_charge", "total_day_minutes"],
        "the two most important features are the pair: {report}"
    );
}

/// `ds` with every customer calling customer service `extra` more times.
fn calling_more(ds: &Dataset, extra: f64) -> Dataset {
    let calls = ds
        .numeric("number_customer_service_calls")
        .unwrap()
        .values();
    ds.without_column("number_customer_service_calls")
        .unwrap()
        .with_column(
            "number_customer_service_calls",
            mlharness::data::Column::numeric(calls.iter().map(|c| c + extra).collect()),
        )
        .unwrap()
}

/// The drift report of two halves of the churn data, the second with customers calling
/// customer service more, as a page: one section per column, each with its charts (a histogram
/// and the ECDFs for a number, bars for a category), the moved column first.
#[test]
fn the_drift_page_draws_every_column_of_the_churn_data() {
    let (a, b) = (half(2, true), half(2, false));
    let busier = calling_more(&b, 2.0);
    let report = DriftOptions::default().compare(&a, &busier).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("drift.html");
    report.write_html(&path).unwrap();
    let page = std::fs::read_to_string(&path).unwrap();
    let sections: Vec<&str> = page.split("<section class=\"column").skip(1).collect();
    assert_eq!(sections.len(), a.n_columns(), "one section per column");
    for (name, column) in a.columns() {
        let section = sections
            .iter()
            .find(|s| s.contains(&format!("<code>{name}</code>")))
            .unwrap_or_else(|| panic!("no section for {name}"));
        let charts = if matches!(column, mlharness::data::Column::Numeric(_)) {
            2
        } else {
            1
        };
        assert_eq!(section.matches("<svg").count(), charts, "{name}");
    }
    assert!(sections[0].contains("<code>number_customer_service_calls</code>"));
}

/// The model trained on a quarter of the training split (quick; the contract does not depend
/// on the model's skill).
fn model(config: TrainConfig) -> ChurnModel {
    let split = load_churn()
        .unwrap()
        .split_stratified("churn", 0.2, 42)
        .unwrap();
    let config = TrainConfig {
        training_fraction: 0.25,
        ..config
    };
    ChurnModel::train(&split.train, &config).unwrap()
}

#[test]
fn the_model_output_does_not_drift_between_halves_but_does_when_customers_call_more() {
    let model = model(TrainConfig::default());
    let (a, b) = (half(5, true), half(5, false));
    let options = DriftOptions::default();
    let same = options.compare_predictions(&model, &a, &b).unwrap();
    assert!(same.outcome().passed(), "{same}");
    // Every customer calls customer service three more times: churn scores rise.
    let busier = calling_more(&b, 3.0);
    let moved = options.compare_predictions(&model, &a, &busier).unwrap();
    assert!(moved.drifted_columns().contains(&"score"), "{moved}");
}

#[test]
fn a_challenger_in_shadow_mode_is_compared_while_the_champion_answers() {
    let champion = model(TrainConfig::default());
    let challenger = model(TrainConfig {
        alpha: 10.0,
        seed: 7,
        model_version: "churn-logreg-1.1.0".into(),
        ..TrainConfig::default()
    });
    let requests = load_churn()
        .unwrap()
        .split_stratified("churn", 0.2, 42)
        .unwrap()
        .test;
    let served_by_champion = champion.predict(&requests).unwrap();
    let shadow = Shadow::new(champion, challenger);
    // The service's model is the shadow: its answers are the champion's.
    assert_eq!(shadow.predict(&requests).unwrap(), served_by_champion);
    let report = shadow.replay(&requests, 50).unwrap();
    println!("{report}");
    assert_eq!(report.requests, 1 + requests.n_rows().div_ceil(50));
    assert_eq!(report.challenger_errors, 0);
    assert!(report.agreement > 0.9, "{report}");
}
