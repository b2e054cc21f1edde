//! Shadow mode over a recorded request log (the churn data): the champion is served, both are
//! logged and compared.

use super::churn;
use mlharness::data::Dataset;
use mlharness::model::{Model, ModelError, Predictions};
use mlharness::shadow::{Shadow, ShadowError};

/// Churn when customer-service calls exceed `threshold`.
fn rule(threshold: f64) -> impl Fn(&Dataset) -> Result<Predictions, ModelError> {
    move |ds: &Dataset| {
        let calls = ds.numeric("number_customer_service_calls")?.values();
        let labels = calls.iter().map(|&c| usize::from(c > threshold)).collect();
        Predictions::classes(vec!["no".into(), "yes".into()], labels)
    }
}

fn requests() -> Dataset {
    churn().take(&(0..1000).collect::<Vec<_>>()).unwrap()
}

#[test]
fn identical_models_agree_everywhere_and_show_no_drift() {
    let shadow = Shadow::new(rule(3.0), rule(3.0));
    let report = shadow.replay(&requests(), 25).unwrap();
    assert_eq!(
        (report.requests, report.rows, report.compared_rows),
        (40, 1000, 1000)
    );
    assert_eq!(report.agreement, 1.0);
    assert!(report.drift.outcome().passed(), "{report}");
    assert!(report.champion_latency.max_us >= report.champion_latency.p50_us);
    assert!(report.challenger_latency.p95_us <= report.challenger_latency.max_us);
}

#[test]
fn a_different_challenger_disagrees_and_its_predictions_drift() {
    let data = requests();
    let calls = data
        .numeric("number_customer_service_calls")
        .unwrap()
        .values();
    // The two rules differ exactly on rows with 2 or 3 calls.
    let expected =
        calls.iter().filter(|&&c| !(c > 1.0 && c <= 3.0)).count() as f64 / calls.len() as f64;
    let shadow = Shadow::new(rule(3.0), rule(1.0));
    let report = shadow.replay(&data, 100).unwrap();
    assert!(
        (report.agreement - expected).abs() < 1e-12,
        "{} vs {expected}",
        report.agreement
    );
    assert_eq!(
        report.drift.drifted_columns(),
        vec!["prediction"],
        "{report}"
    );
    let text = report.to_string();
    assert!(
        text.starts_with("shadow: 10 requests, 1000 rows; the models agree on"),
        "{text}"
    );
    assert!(
        text.contains("champion") && text.contains("p95 µs"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["drift"]["drift"], true);
    assert_eq!(json["requests"], 10);
}

#[test]
fn the_champion_is_served_even_when_the_challenger_fails() {
    let failing = |ds: &Dataset| -> Result<Predictions, ModelError> {
        if ds.n_rows() < 50 {
            Err(ModelError::new("batch too small for the challenger"))
        } else {
            rule(3.0)(ds)
        }
    };
    let shadow = Shadow::new(rule(3.0), failing);
    let data = requests();
    let small = data.take(&(0..10).collect::<Vec<_>>()).unwrap();
    // Through the Model trait, as a service would call it.
    assert_eq!(shadow.predict(&small).unwrap(), rule(3.0)(&small).unwrap());
    shadow.serve(&data).unwrap();
    let report = shadow.report().unwrap();
    assert_eq!(
        (
            report.requests,
            report.challenger_errors,
            report.compared_rows
        ),
        (2, 1, 1000)
    );
    assert_eq!(
        report.first_challenger_error.as_deref(),
        Some("request 0: batch too small for the challenger")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shadow.jsonl");
    shadow.write_log(&path).unwrap();
    let log = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0]["challenger"]["error"],
        "batch too small for the challenger"
    );
    assert_eq!(lines[1]["champion"].as_array().unwrap().len(), 1000);
    assert!(lines[1]["challenger_latency_us"].is_f64());
}

#[test]
fn comparisons_that_cannot_be_made_are_errors() {
    let always_failing =
        |_: &Dataset| -> Result<Predictions, ModelError> { Err(ModelError::new("no model file")) };
    let shadow = Shadow::new(rule(3.0), always_failing);
    let err = shadow.replay(&requests(), 500).unwrap_err();
    assert!(matches!(
        err,
        ShadowError::NothingToCompare {
            challenger_errors: 2,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "no request had answers from both models (2 served, 2 challenger failures; first: request 0: no model file)"
    );
    let regressor = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(Predictions::values(vec![0.5; ds.n_rows()]))
    };
    let err = Shadow::new(rule(3.0), regressor)
        .replay(&requests(), 500)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "request 0: the champion gives classes but the challenger gives values: they cannot be compared"
    );
    let err = Shadow::new(always_failing, rule(3.0))
        .replay(&requests(), 500)
        .unwrap_err();
    assert_eq!(
        mlharness::check::chain(&err),
        "the champion failed on request 0: no model file"
    );
    assert!(matches!(
        Shadow::new(rule(1.0), rule(2.0)).replay(&requests(), 0),
        Err(ShadowError::EmptyRequests)
    ));
}

#[test]
fn regression_values_agree_within_the_tolerance() {
    let base = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(Predictions::values(
            ds.numeric("total_day_minutes")?.values().to_vec(),
        ))
    };
    let nudged = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let v = ds.numeric("total_day_minutes")?.values();
        Ok(Predictions::values(
            v.iter()
                .enumerate()
                .map(|(i, x)| if i % 4 == 0 { x + 0.5 } else { *x })
                .collect(),
        ))
    };
    let exact = Shadow::new(base, nudged).replay(&requests(), 100).unwrap();
    assert!(
        (exact.agreement - 0.75).abs() < 1e-12,
        "{}",
        exact.agreement
    );
    let tolerant = Shadow::new(base, nudged)
        .tolerance(0.5)
        .replay(&requests(), 100)
        .unwrap();
    assert_eq!(tolerant.agreement, 1.0);
    assert!(tolerant.drift.outcome().passed(), "{tolerant}");
}
