//! System tests of `churn-service`: the real binary, started on an ephemeral port and called as
//! clients call it. Its contract and bad inputs, latency under a bounded load, the prediction
//! log after concurrent requests, `/metrics` against the requests sent, the same prediction over
//! HTTP as in-process — and proof that the harness catches broken variants (`CHURN_FAULT`).

use churn::{ChurnModel, TrainConfig};
use mlharness::system::{
    check_contract, check_prediction_log, Case, LatencyProbe, Metrics, Service, ServiceError,
    StartOptions,
};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A trained artifact shared by the tests of one build of this test binary (training in each
/// test process would cost seconds apiece). Written atomically, so parallel tests may race.
fn artifact() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    let built = std::fs::metadata(&exe)
        .and_then(|m| m.modified())
        .map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default())
        .unwrap_or_default();
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("churn-system-model-{}.json", built.as_nanos()));
    if !path.exists() {
        let model = ChurnModel::train(&churn::load_churn().unwrap(), &TrainConfig::load().unwrap())
            .unwrap();
        model.save(&path).unwrap();
    }
    path
}

fn command(fault: Option<&str>, log: Option<&Path>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_churn-service"));
    cmd.args(["--port", "0", "--model"]).arg(artifact());
    cmd.env_remove("CHURN_FAULT")
        .env_remove("CHURN_PREDICTION_LOG");
    if let Some(f) = fault {
        cmd.env("CHURN_FAULT", f);
    }
    if let Some(l) = log {
        cmd.arg("--log").arg(l);
    }
    cmd
}

fn start(fault: Option<&str>, log: Option<&Path>) -> Service {
    Service::start_with(
        command(fault, log),
        &StartOptions {
            timeout: Duration::from_secs(60),
            health_path: Some("/health".into()),
            ..StartOptions::default()
        },
    )
    .unwrap()
}

/// Row `i` of the churn data as a JSON record, without the target.
fn record(i: usize) -> Value {
    let text = std::fs::read_to_string(churn::churn_csv()).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines.nth(i).unwrap().split(',').collect();
    let mut out = serde_json::Map::new();
    for (name, cell) in header.iter().zip(row) {
        let Some(column) = churn::schema().column(name) else {
            continue;
        };
        if !column.expected_in(Some("serving")) {
            continue;
        }
        out.insert(
            name.to_string(),
            match cell.parse::<f64>() {
                Ok(x) if column.kind == mlharness::data::ColumnKind::Numeric => json!(x),
                _ => json!(cell),
            },
        );
    }
    Value::Object(out)
}

fn records(n: usize) -> Vec<Value> {
    (0..n).map(record).collect()
}

fn with(field: &str, value: Value) -> Value {
    let mut r = record(0);
    r[field] = value;
    r
}

fn problems(reply: &mlharness::system::Reply) -> Vec<(String, String)> {
    reply.json["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["field"]
                            .as_str()
                            .or(p["column"].as_str())
                            .unwrap_or("")
                            .to_string(),
                        p["problem"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn contract_cases() -> Vec<Case> {
    let mut missing = record(0);
    missing.as_object_mut().unwrap().remove("total_day_minutes");
    vec![
        Case::get("health", "/health", 200),
        Case::get("version", "/version", 200),
        Case::get("metrics", "/metrics", 200),
        Case::post_json("one record", "/predict", &record(0), 200),
        Case::post_json("a batch", "/predict", &Value::Array(records(3)), 200),
        Case::post_json(
            "unseen category",
            "/predict",
            &with("state", json!("ZZ")),
            200,
        ),
        Case::post_json(
            "huge number",
            "/predict",
            &with("total_day_minutes", json!(1e300)),
            200,
        ),
        Case::post(
            "malformed JSON",
            "/predict",
            "application/json",
            b"{\"state\": ",
            400,
        ),
        Case::post(
            "number beyond f64",
            "/predict",
            "application/json",
            b"{\"account_length\": 1e400}",
            400,
        ),
        Case::post_json(
            "wrong type",
            "/predict",
            &with("account_length", json!("long")),
            400,
        ),
        Case::post_json(
            "NaN as a string",
            "/predict",
            &with("total_day_calls", json!("NaN")),
            400,
        ),
        Case::post_json("missing field", "/predict", &missing, 400),
        Case::post_json("empty batch", "/predict", &json!([]), 400),
        Case::post_json("scalar body", "/predict", &json!(42), 400),
        Case::post_json("batch of non-objects", "/predict", &json!([1, 2]), 400),
        Case::post(
            "oversize body",
            "/predict",
            "application/json",
            &vec![b' '; 2 << 20],
            413,
        ),
        Case::post(
            "wrong content type",
            "/predict",
            "text/csv",
            b"state\nKS\n",
            415,
        ),
        Case::post("no content type", "/predict", "", b"{}", 415),
        Case::get("unknown route", "/nope", 404),
        Case::get("GET on /predict", "/predict", 405),
    ]
}

#[test]
fn contract_holds_and_errors_are_json() {
    let service = start(None, None);
    check_contract(&service, &contract_cases()).unwrap();
}

#[test]
fn bad_inputs_name_the_record_and_field() {
    let service = start(None, None);
    let mut missing = record(1);
    missing.as_object_mut().unwrap().remove("state");
    let batch = json!([record(0), missing, with("total_day_calls", json!("NaN"))]);
    let reply = service.post_json("/predict", &batch).unwrap();
    assert_eq!(reply.status, 400, "{}", reply.text);
    let listed = problems(&reply);
    assert!(
        listed.contains(&("state".into(), "missing".into())),
        "{listed:?}"
    );
    assert!(
        listed.contains(&(
            "total_day_calls".into(),
            "expected a number, found \"NaN\"".into()
        )),
        "{listed:?}"
    );
    let records: Vec<u64> = reply.json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["record"].as_u64())
        .collect();
    assert_eq!(records, [1, 2], "{}", reply.text);

    let malformed = service
        .post("/predict", "application/json", b"[{\"state\": \"KS\",]")
        .unwrap();
    assert_eq!(malformed.status, 400);
    assert!(
        malformed.json["error"]
            .as_str()
            .unwrap()
            .starts_with("the body is not valid JSON: "),
        "{}",
        malformed.text
    );

    // A huge but finite number is out of the training range: predicted, not refused.
    let huge = service
        .post_json("/predict", &with("total_day_minutes", json!(1e300)))
        .unwrap();
    assert_eq!(huge.status, 200, "{}", huge.text);
    let p = huge.json["predictions"][0]["probabilities"]["yes"]
        .as_f64()
        .unwrap();
    assert!((0.0..=1.0).contains(&p), "{p}");
}

#[test]
fn latency_under_bounded_load() {
    let service = start(None, None);
    let body = record(0);
    let report = LatencyProbe::new(200, 4).run(|_| {
        let r = service
            .post_json("/predict", &body)
            .map_err(|e| e.to_string())?;
        if r.status == 200 {
            Ok(())
        } else {
            Err(format!("HTTP {}: {}", r.status, r.text))
        }
    });
    report.assert_no_errors().unwrap();
    // Generous: a debug build on a shared 2-core machine. The README reports release numbers.
    report.assert_p95_below(Duration::from_millis(250)).unwrap();
}

#[test]
fn log_is_complete_after_concurrent_requests() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("predictions.jsonl");
    let service = start(None, Some(&log));
    let batch = Value::Array(records(3));
    let single = record(0);
    let ids = std::sync::Mutex::new(Vec::new());
    let report = LatencyProbe::new(120, 8).run(|i| {
        let body = if i % 4 == 0 { &batch } else { &single };
        let r = service
            .post_json("/predict", body)
            .map_err(|e| e.to_string())?;
        ids.lock().unwrap().push(
            r.json["request_unique_id"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        );
        (r.status == 200)
            .then_some(())
            .ok_or(format!("HTTP {}", r.status))
    });
    report.assert_no_errors().unwrap();
    let summary = check_prediction_log(&log, Some(120)).unwrap();
    assert_eq!(summary.rows, 30 * 3 + 90);
    assert_eq!(
        summary.model_versions.into_iter().collect::<Vec<_>>(),
        ["churn-logreg-1.0.0"]
    );
    let logged: HashSet<String> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["request_unique_id"].to_string())
        .map(|id| id.trim_matches('"').to_string())
        .collect();
    let answered: HashSet<String> = ids.into_inner().unwrap().into_iter().collect();
    assert_eq!(logged, answered);
}

#[test]
fn log_input_is_off_by_default_and_redacted_when_on() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.jsonl");
    let service = start(None, Some(&plain));
    assert_eq!(
        service.post_json("/predict", &record(0)).unwrap().status,
        200
    );
    let line: Value = serde_json::from_str(&std::fs::read_to_string(&plain).unwrap()).unwrap();
    assert!(line.get("data").is_none(), "{line}");
    assert_eq!(line["request_type"], "single");

    let with_input = dir.path().join("with_input.jsonl");
    let mut cmd = command(None, Some(&with_input));
    cmd.args(["--log-input", "--redact", "state,area_code"]);
    let service = Service::start(cmd).unwrap();
    assert_eq!(
        service.post_json("/predict", &record(0)).unwrap().status,
        200
    );
    let line: Value = serde_json::from_str(&std::fs::read_to_string(&with_input).unwrap()).unwrap();
    let data = &line["data"][0];
    assert_eq!(data["state"], "<redacted>", "{line}");
    assert_eq!(data["area_code"], "<redacted>", "{line}");
    assert_eq!(
        data["account_length"],
        record(0)["account_length"],
        "{line}"
    );
}

#[test]
fn metrics_count_the_requests_sent() {
    let service = start(None, None);
    let mut yes = 0.0;
    let mut count_yes = |reply: &mlharness::system::Reply| {
        assert_eq!(reply.status, 200, "{}", reply.text);
        yes += reply.json["predictions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["label"] == "yes")
            .count() as f64;
    };
    // Rows 0..40 hold both classes' predictions.
    for i in 0..5 {
        count_yes(&service.post_json("/predict", &record(i * 8)).unwrap());
    }
    count_yes(
        &service
            .post_json("/predict", &Value::Array(records(40)))
            .unwrap(),
    );
    for _ in 0..3 {
        assert_eq!(
            service
                .post("/predict", "application/json", b"{")
                .unwrap()
                .status,
            400
        );
    }
    assert_eq!(
        service.post("/predict", "text/plain", b"x").unwrap().status,
        415
    );
    assert!(
        yes > 0.0,
        "no `yes` among 45 predictions: the class check would be vacuous"
    );

    let scrape = service.get("/metrics").unwrap();
    assert!(scrape
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let m = Metrics::parse(&scrape.text).unwrap();
    let status = |s| [("route", "/predict"), ("status", s)];
    m.assert_sum("http_requests_total", &status("200"), 6.0)
        .unwrap();
    m.assert_sum("http_requests_total", &status("400"), 3.0)
        .unwrap();
    m.assert_sum("http_requests_total", &status("415"), 1.0)
        .unwrap();
    m.assert_sum(
        "http_request_duration_seconds_count",
        &[("route", "/predict")],
        10.0,
    )
    .unwrap();
    assert_eq!(m.kind("http_request_duration_seconds"), Some("histogram"));
    let version = ("model_version", "churn-logreg-1.0.0");
    m.assert_sum("predictions_total", &[version], 45.0).unwrap();
    m.assert_sum("predictions_total", &[("class", "yes"), version], yes)
        .unwrap();
    m.assert_sum("model_info", &[version], 1.0).unwrap();
}

#[test]
fn same_prediction_over_http_as_in_process() {
    let service = start(None, None);
    let model = ChurnModel::load(artifact()).unwrap();
    let rows: Vec<usize> = (0..25).map(|i| i * 97).collect();
    let batch = Value::Array(rows.iter().map(|&i| record(i)).collect());
    let reply = service.post_json("/predict", &batch).unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text);
    let data = churn::load_churn()
        .unwrap()
        .take(&rows)
        .unwrap()
        .without_target();
    let expected = model.churn_probability(&data).unwrap();
    let served: Vec<f64> = reply.json["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["probabilities"]["yes"].as_f64().unwrap())
        .collect();
    // JSON carries f64 exactly (shortest round-trip): the numbers must be the same bits.
    assert_eq!(served, expected.to_vec());
    assert_eq!(reply.json["model_version"], model.model_version());
}

#[test]
fn no_process_is_left_behind() {
    let service = start(None, None);
    let pid = service.pid().unwrap();
    assert!(Path::new(&format!("/proc/{pid}")).exists());
    drop(service);
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "churn-service {pid} is still running"
    );
    // Other tests of this binary may run their own services beside this one (`cargo test`
    // runs them as threads of one process): only this service's process is checked.
}

mod harness_catches {
    use super::*;

    #[test]
    fn a_500_on_a_malformed_body() {
        let service = start(Some("500_on_malformed"), None);
        let failure = check_contract(&service, &contract_cases()).unwrap_err();
        let msg = failure.to_string();
        assert!(
            msg.starts_with("contract: 2 of 20 cases broke the contract"),
            "{msg}"
        );
        assert!(msg.contains("malformed JSON"), "{msg}");
        assert!(msg.contains("400    500  server error"), "{msg}");
    }

    #[test]
    fn a_log_without_model_version() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("predictions.jsonl");
        let service = start(Some("no_model_version_in_logs"), Some(&log));
        for i in 0..3 {
            assert_eq!(
                service.post_json("/predict", &record(i)).unwrap().status,
                200
            );
        }
        let failure = check_prediction_log(&log, Some(3)).unwrap_err();
        let msg = failure.to_string();
        assert!(
            msg.contains("3 problem(s) on 3 line(s), first on line 1"),
            "{msg}"
        );
        assert!(msg.contains("1  model_version  missing"), "{msg}");
    }

    #[test]
    fn two_hundred_ms_added_per_request() {
        let service = start(Some("slow_200ms"), None);
        let body = record(0);
        let report = LatencyProbe::new(16, 4).run(|_| {
            service
                .post_json("/predict", &body)
                .map(|_| ())
                .map_err(|e| e.to_string())
        });
        report.assert_no_errors().unwrap();
        let msg = report
            .assert_p95_below(Duration::from_millis(50))
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("latency: p95 is 2"), "{msg}");
        assert!(msg.contains("must be below 50.00 ms"), "{msg}");
    }

    #[test]
    fn a_service_that_never_becomes_ready() {
        let started = Instant::now();
        let err = Service::start_with(
            command(Some("never_ready"), None),
            &StartOptions {
                timeout: Duration::from_secs(3),
                health_path: None,
                ..StartOptions::default()
            },
        )
        .unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{:?}",
            started.elapsed()
        );
        assert!(matches!(err, ServiceError::NeverReady { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.starts_with("the service was not ready after 3"),
            "{msg}"
        );
        assert!(msg.contains("it was killed"), "{msg}");
    }
}
