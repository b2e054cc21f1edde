//! `mlharness::system::Service` against small shell commands: readiness, timeouts, early exits,
//! and no process left behind (on drop and on panic).
#![cfg(all(feature = "system", unix))]

use mlharness::system::{Service, ServiceError, StartOptions};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn sh(script: &str) -> Command {
    let mut c = Command::new("sh");
    c.args(["-c", script]);
    c
}

fn alive(pid: u32) -> bool {
    // A zombie still has a /proc entry; its state is `Z`. Killed-and-reaped means no entry.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn never_ready_fails_within_its_timeout_with_the_output() {
    let start = Instant::now();
    let err = Service::start_with(
        sh("echo loading model; echo 'disk slow' >&2; exec sleep 30"),
        &StartOptions {
            timeout: Duration::from_millis(500),
            health_path: None,
            ..StartOptions::default()
        },
    )
    .unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let msg = err.to_string();
    assert!(matches!(err, ServiceError::NeverReady { .. }), "{msg}");
    assert!(msg.starts_with("the service was not ready after"), "{msg}");
    assert!(msg.contains("no stdout line with `http://`"), "{msg}");
    assert!(msg.contains("it was killed"), "{msg}");
    assert!(msg.contains("--- stdout ---\nloading model\n"), "{msg}");
    assert!(msg.contains("--- stderr ---\ndisk slow\n"), "{msg}");
}

#[test]
fn exit_before_ready_is_reported_with_status_and_stderr() {
    let err = Service::start(sh("echo 'no such model file' >&2; exit 3")).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("exited (exit status: 3) before it was ready"),
        "{msg}"
    );
    assert!(msg.contains("no such model file"), "{msg}");
}

#[test]
fn missing_program_is_a_spawn_error() {
    let err = Service::start(Command::new("/nonexistent/service")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("could not start `/nonexistent/service`"),
        "{err}"
    );
}

#[test]
fn ready_line_gives_the_url_and_drop_kills_the_process() {
    let service = Service::start(sh(
        "echo booting; echo 'listening on http://127.0.0.1:9 (ready)'; exec sleep 30",
    ))
    .unwrap();
    assert_eq!(service.url(), "http://127.0.0.1:9");
    let pid = service.pid().unwrap();
    assert!(alive(pid));
    assert!(service.stdout().starts_with("booting\n"));
    drop(service);
    assert!(!alive(pid), "process {pid} outlived its Service");
}

#[test]
fn panic_in_a_test_still_kills_the_process() {
    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = std::thread::spawn(move || {
        let service = Service::start(sh("echo http://127.0.0.1:9; exec sleep 30")).unwrap();
        tx.send(service.pid().unwrap()).unwrap();
        panic!("a failing assertion");
    })
    .join();
    assert!(outcome.is_err());
    let pid = rx.recv().unwrap();
    assert!(!alive(pid), "process {pid} outlived a panicking test");
}

#[test]
fn health_path_that_never_answers_is_never_ready() {
    // Port 9 (discard) is closed on loopback: the health poll is refused until the timeout.
    let err = Service::start_with(
        sh("echo http://127.0.0.1:9; exec sleep 30"),
        &StartOptions {
            timeout: Duration::from_millis(400),
            health_path: Some("/health".into()),
            ..StartOptions::default()
        },
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("or no 2xx from http://127.0.0.1:9/health"),
        "{msg}"
    );
}

#[test]
fn calls_to_a_dead_address_are_typed_errors() {
    let service = Service::external("http://127.0.0.1:9/");
    let err = service.get_json("/health").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("GET http://127.0.0.1:9/health failed:"),
        "{err}"
    );
    assert!(Path::new("/proc/self").exists());
}

#[cfg(unix)]
#[test]
fn a_service_that_ignores_sigterm_is_killed_after_the_grace_period() {
    use std::os::unix::process::ExitStatusExt;
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        "trap '' TERM; echo listening on http://127.0.0.1:9; while :; do sleep 0.05; done",
    ]);
    let mut service = Service::start_with(
        cmd,
        &StartOptions {
            stop_grace: Duration::from_millis(200),
            ..StartOptions::default()
        },
    )
    .unwrap();
    let started = Instant::now();
    let status = service.stop().expect("a started service has a status");
    assert_eq!(status.signal(), Some(9), "{status:?}");
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert!(service.stop().is_some(), "stopping twice is harmless");
}

/// A one-shot HTTP server on an ephemeral port: answers each request with `status` and `body`
/// and sends the request bodies it received down the channel.
fn canned(status: u16, body: &'static str) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut request = vec![0; length];
            let _ = reader.read_exact(&mut request);
            let _ = tx.send(String::from_utf8_lossy(&request).into_owned());
            let mut stream = stream;
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, rx)
}

/// Issue 19, item 1: the serving path as a model. It posts the feature columns as JSON records
/// (missing values as null, no target), and a reply it cannot use is a model error naming the
/// endpoint and what was wrong — never a shorter comparison.
#[test]
fn a_serving_model_posts_records_and_names_bad_replies() {
    use mlharness::data::{Column, Dataset};
    use mlharness::model::{Model, ModelError, Predictions};
    use mlharness::system::ServingModel;
    let data = Dataset::from_columns(vec![
        (
            "calls".into(),
            Column::numeric_masked(vec![3.0, 0.0], vec![false, true]).unwrap(),
        ),
        (
            "plan".into(),
            Column::categorical([Some("pro"), Some("basic")]),
        ),
        (
            "churn".into(),
            Column::categorical([Some("yes"), Some("no")]),
        ),
    ])
    .unwrap()
    .with_target("churn")
    .unwrap();
    let parse = |reply: &serde_json::Value| -> Result<Predictions, ModelError> {
        let scores = reply
            .as_array()
            .ok_or_else(|| ModelError::new("not an array"))?;
        Ok(Predictions::values(
            scores
                .iter()
                .map(|s| s.as_f64().unwrap_or(f64::NAN))
                .collect(),
        ))
    };

    let (url, requests) = canned(200, "[0.25, 0.5]");
    let service = Service::external(url);
    let predictions = ServingModel::new(&service, "/predict", parse)
        .predict(&data)
        .unwrap();
    assert_eq!(predictions.as_values(), Some(&[0.25, 0.5][..]));
    assert_eq!(
        requests.recv().unwrap(),
        r#"[{"calls":3.0,"plan":"pro"},{"calls":null,"plan":"basic"}]"#
    );

    let (url, _) = canned(500, "{\"error\": \"model not loaded\"}");
    let service = Service::external(url);
    let err = ServingModel::new(&service, "/predict", parse)
        .predict(&data)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "POST /predict: status 500: {\"error\": \"model not loaded\"}"
    );

    let (url, _) = canned(200, "[0.25]");
    let service = Service::external(url);
    let err = ServingModel::new(&service, "/predict", parse)
        .predict(&data)
        .unwrap_err();
    assert_eq!(err.to_string(), "POST /predict: 1 predictions for 2 rows");
}
