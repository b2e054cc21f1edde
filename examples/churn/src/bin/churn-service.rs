//! `churn-service`: the churn model behind an HTTP API, as a deployment would run it.
//!
//! ```text
//! churn-service [--port N] [--model ARTIFACT.json] [--log PREDICTIONS.jsonl]
//!               [--log-input] [--redact FIELD,FIELD…]
//! ```
//!
//! - `POST /predict`: one JSON record or an array of them → `{"model_version", "predictions":
//!   [{"label", "probabilities": {"no", "yes"}}]}`. Input is checked against `churn::schema()`;
//!   a bad request gets 400 (413 oversize body, 415 wrong content type) with a JSON body
//!   listing the problems, never a 5xx.
//! - `GET /health`, `GET /version`, `GET /metrics` (Prometheus text).
//!
//! It listens on 127.0.0.1 (port 0 by default: the system picks one) and prints one ready line,
//! `churn-service listening on http://127.0.0.1:PORT`. Without `--model` it trains at startup
//! from the churn data with `config/model.toml`. Every prediction request appends one JSON line
//! to the prediction log (`--log` or `CHURN_PREDICTION_LOG`).
//!
//! `CHURN_FAULT` selects a deliberately broken variant, for proving the system tests catch it:
//! `500_on_malformed`, `no_model_version_in_logs`, `slow_200ms`, `never_ready`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use churn::{ChurnModel, TrainConfig};
use mlharness::data::{Column, ColumnKind, Dataset};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry};
use serde_json::{json, Map, Value};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Largest request body accepted; a batch of a few hundred records fits.
const BODY_LIMIT: usize = 256 * 1024;
/// Bodies up to this size are read before the 413: a client still sending when the server
/// hangs up gets a broken pipe instead of the JSON error. Above it the connection is cut early.
const READ_LIMIT: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    None,
    FiveHundredOnMalformed,
    NoModelVersionInLogs,
    Slow200ms,
    NeverReady,
}

struct Options {
    port: u16,
    model: Option<PathBuf>,
    log: Option<PathBuf>,
    log_input: bool,
    redact: Vec<String>,
    fault: Fault,
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "churn-service: {problem}\nusage: churn-service [--port N] [--model ARTIFACT.json] \
         [--log PREDICTIONS.jsonl] [--log-input] [--redact FIELD,FIELD…]"
    );
    std::process::exit(2)
}

fn options() -> Options {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let mut o = Options {
        port: 0,
        model: env("CHURN_MODEL").map(PathBuf::from),
        log: env("CHURN_PREDICTION_LOG").map(PathBuf::from),
        log_input: false,
        redact: Vec::new(),
        fault: match env("CHURN_FAULT").as_deref() {
            None => Fault::None,
            Some("500_on_malformed") => Fault::FiveHundredOnMalformed,
            Some("no_model_version_in_logs") => Fault::NoModelVersionInLogs,
            Some("slow_200ms") => Fault::Slow200ms,
            Some("never_ready") => Fault::NeverReady,
            Some(other) => usage(&format!("unknown CHURN_FAULT {other:?}")),
        },
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .unwrap_or_else(|| usage(&format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--port" => {
                let v = value("--port");
                o.port = v
                    .parse()
                    .unwrap_or_else(|_| usage(&format!("--port {v:?} is not a port number")));
            }
            "--model" => o.model = Some(value("--model").into()),
            "--log" => o.log = Some(value("--log").into()),
            "--log-input" => o.log_input = true,
            "--redact" => {
                o.redact = value("--redact")
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .collect()
            }
            other => usage(&format!("unknown argument {other:?}")),
        }
    }
    o
}

struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    predictions: IntCounterVec,
}

impl Metrics {
    fn new(model_version: &str) -> prometheus::Result<Metrics> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route and status."),
            &["route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "Time from request to response, by route.",
            )
            .buckets(vec![
                0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
            ]),
            &["route"],
        )?;
        let predictions = IntCounterVec::new(
            Opts::new(
                "predictions_total",
                "Predicted labels by class and model version.",
            ),
            &["class", "model_version"],
        )?;
        let info = IntGauge::with_opts(
            Opts::new("model_info", "The model being served (always 1).")
                .const_label("model_version", model_version),
        )?;
        info.set(1);
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(predictions.clone()))?;
        registry.register(Box::new(info))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            predictions,
        })
    }
}

struct AppState {
    model: ChurnModel,
    metrics: Metrics,
    // One writer for the log: a line is written whole under the lock, so concurrent requests
    // never interleave, and before the response is sent, so a client that got its answer can
    // read its line.
    log: Option<Mutex<File>>,
    log_input: bool,
    redact: Vec<String>,
    fault: Fault,
    ids: AtomicU64,
    id_prefix: String,
    /// Feature columns expected in serving, with their kinds, in schema order.
    columns: Vec<(String, ColumnKind)>,
}

type Shared = Arc<AppState>;

fn error(status: StatusCode, message: &str, problems: Vec<Value>) -> Response {
    let mut body = json!({"error": message});
    if !problems.is_empty() {
        body["problems"] = Value::Array(problems);
    }
    (status, Json(body)).into_response()
}

fn problem(record: Option<usize>, field: &str, what: String) -> Value {
    json!({"record": record, "field": field, "problem": what})
}

async fn predict(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let start = Instant::now();
    if state.fault == Fault::Slow200ms {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mime = content_type.split(';').next().unwrap_or("").trim();
    if !mime.eq_ignore_ascii_case("application/json") {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &format!("expected content-type application/json, found {content_type:?}"),
            vec![],
        );
    }
    let body = match body {
        Ok(b) if b.len() > BODY_LIMIT => {
            return error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "the body has {} bytes, more than the {BODY_LIMIT} accepted",
                    b.len()
                ),
                vec![],
            )
        }
        Ok(b) => b,
        Err(rejection) => {
            let status = rejection.status();
            return if status == StatusCode::PAYLOAD_TOO_LARGE {
                error(
                    status,
                    &format!("the body is larger than the {BODY_LIMIT} bytes accepted"),
                    vec![],
                )
            } else {
                error(StatusCode::BAD_REQUEST, &rejection.body_text(), vec![])
            };
        }
    };
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            let status = if state.fault == Fault::FiveHundredOnMalformed {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::BAD_REQUEST
            };
            return error(status, &format!("the body is not valid JSON: {e}"), vec![]);
        }
    };
    let (records, batch) = match value {
        Value::Array(items) => (items, true),
        v @ Value::Object(_) => (vec![v], false),
        other => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("expected a JSON object or an array of objects, found {other}"),
                vec![],
            )
        }
    };
    if records.is_empty() {
        return error(StatusCode::BAD_REQUEST, "the batch is empty", vec![]);
    }
    let data = match to_dataset(&state.columns, &records) {
        Ok(d) => d,
        Err(problems) => {
            return error(
                StatusCode::BAD_REQUEST,
                "the input breaks the churn data contract",
                problems,
            )
        }
    };
    let p_yes = match state.model.churn_probability(&data) {
        Ok(p) => p,
        Err(churn::ChurnError::InvalidInput(invalid)) => {
            let report: Value = serde_json::from_str(&invalid.0.to_json()).unwrap_or(Value::Null);
            let problems = report
                .get("violations")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            return error(
                StatusCode::BAD_REQUEST,
                "the input breaks the churn data contract",
                problems,
            );
        }
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("prediction failed: {e}"),
                vec![],
            )
        }
    };
    let version = state.model.model_version();
    let predictions: Vec<Value> = p_yes
        .iter()
        .map(|&p| {
            let label = if p >= 0.5 { "yes" } else { "no" };
            state
                .metrics
                .predictions
                .with_label_values(&[label, version])
                .inc();
            json!({"label": label, "probabilities": {"no": 1.0 - p, "yes": p}})
        })
        .collect();
    let id = format!(
        "{}-{}",
        state.id_prefix,
        state.ids.fetch_add(1, Ordering::Relaxed)
    );
    if let Some(log) = &state.log {
        let labels: Vec<&Value> = predictions.iter().map(|p| &p["label"]).collect();
        let probs: Vec<f64> = p_yes.to_vec();
        let mut line = Map::new();
        line.insert("runtime".into(), json!(start.elapsed().as_secs_f64() * 1e3));
        line.insert(
            "timestamp".into(),
            json!(humantime::format_rfc3339_micros(SystemTime::now()).to_string()),
        );
        line.insert(
            "prediction".into(),
            if batch {
                json!(labels)
            } else {
                labels[0].clone()
            },
        );
        line.insert(
            "probability".into(),
            if batch { json!(probs) } else { json!(probs[0]) },
        );
        line.insert(
            "input_data_summary".into(),
            json!({"rows": data.n_rows(), "columns": data.n_columns()}),
        );
        if state.fault != Fault::NoModelVersionInLogs {
            line.insert("model_version".into(), json!(version));
        }
        line.insert("request_unique_id".into(), json!(id));
        line.insert(
            "request_type".into(),
            json!(if batch { "batch" } else { "single" }),
        );
        if state.log_input {
            let data: Vec<Value> = records
                .iter()
                .map(|r| {
                    let mut r = r.clone();
                    if let Value::Object(m) = &mut r {
                        for f in &state.redact {
                            if m.contains_key(f) {
                                m.insert(f.clone(), json!("<redacted>"));
                            }
                        }
                    }
                    r
                })
                .collect();
            line.insert("data".into(), Value::Array(data));
        }
        let mut text = Value::Object(line).to_string();
        text.push('\n');
        let written = log
            .lock()
            .map_err(|_| std::io::Error::other("log lock poisoned"))
            .and_then(|mut f| f.write_all(text.as_bytes()));
        if let Err(e) = written {
            eprintln!("churn-service: cannot write the prediction log: {e}");
        }
    }
    let mut response = Json(json!({
        "model_version": version,
        "request_unique_id": id,
        "predictions": predictions,
    }))
    .into_response();
    response.headers_mut().insert(
        "x-request-id",
        id.parse().unwrap_or(header::HeaderValue::from_static("?")),
    );
    response
}

/// JSON records → a dataset with the schema's serving columns; every record's missing fields
/// and wrong types are listed, not just the first.
fn to_dataset(columns: &[(String, ColumnKind)], records: &[Value]) -> Result<Dataset, Vec<Value>> {
    let mut problems = Vec::new();
    let mut out = Vec::with_capacity(columns.len());
    for (name, kind) in columns {
        let mut numbers = Vec::new();
        let mut categories: Vec<Option<String>> = Vec::new();
        for (i, record) in records.iter().enumerate() {
            let Some(record) = record.as_object() else {
                if out.is_empty() && name == &columns[0].0 {
                    problems.push(problem(Some(i), "", format!("not a JSON object: {record}")));
                }
                continue;
            };
            let value = record.get(name);
            match (kind, value) {
                (_, None) => problems.push(problem(Some(i), name, "missing".into())),
                (ColumnKind::Numeric, Some(Value::Null)) => numbers.push(f64::NAN),
                (ColumnKind::Numeric, Some(Value::Number(n))) => match n.as_f64() {
                    Some(x) => numbers.push(x),
                    None => problems.push(problem(Some(i), name, format!("{n} is not a float"))),
                },
                (ColumnKind::Categorical, Some(Value::Null)) => categories.push(None),
                (ColumnKind::Categorical, Some(Value::String(s))) => {
                    categories.push(Some(s.clone()))
                }
                (ColumnKind::Numeric, Some(v)) => problems.push(problem(
                    Some(i),
                    name,
                    format!("expected a number, found {v}"),
                )),
                (ColumnKind::Categorical, Some(v)) => problems.push(problem(
                    Some(i),
                    name,
                    format!("expected a string, found {v}"),
                )),
            }
        }
        out.push((
            name.clone(),
            match kind {
                ColumnKind::Numeric => Column::numeric(numbers),
                ColumnKind::Categorical => Column::categorical(categories),
            },
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Dataset::from_columns(out).map_err(|e| vec![problem(None, "", e.to_string())])
}

async fn health(State(state): State<Shared>) -> Json<Value> {
    Json(json!({"status": "ok", "model_version": state.model.model_version()}))
}

async fn version(State(state): State<Shared>) -> Json<Value> {
    Json(json!({
        "model_version": state.model.model_version(),
        "service_version": env!("CARGO_PKG_VERSION"),
        "classes": churn::CLASSES,
    }))
}

async fn scrape(State(state): State<Shared>) -> Response {
    let mut buf = Vec::new();
    let encoder = prometheus::TextEncoder::new();
    match encoder.encode(&state.metrics.registry.gather(), &mut buf) {
        Ok(()) => (
            [(header::CONTENT_TYPE, encoder.format_type().to_string())],
            buf,
        )
            .into_response(),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot encode metrics: {e}"),
            vec![],
        ),
    }
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "no such route", vec![])
}

async fn method_not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method not allowed on this route",
        vec![],
    )
}

/// Counts every response by route and status, and times it.
async fn record(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("other", |p| p.as_str())
        .to_string();
    let start = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .latency
        .with_label_values(&[route.as_str()])
        .observe(start.elapsed().as_secs_f64());
    state
        .metrics
        .requests
        .with_label_values(&[route.as_str(), response.status().as_str()])
        .inc();
    response
}

fn load_model(o: &Options) -> Result<ChurnModel, String> {
    match &o.model {
        Some(path) => ChurnModel::load(path).map_err(|e| e.to_string()),
        None => {
            let data = churn::load_churn().map_err(|e| e.to_string())?;
            let config = TrainConfig::load().map_err(|e| e.to_string())?;
            ChurnModel::train(&data, &config).map_err(|e| e.to_string())
        }
    }
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = terminate => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

fn main() {
    let o = options();
    let model = load_model(&o).unwrap_or_else(|e| {
        eprintln!("churn-service: cannot load the model: {e}");
        std::process::exit(1)
    });
    let metrics = Metrics::new(model.model_version()).unwrap_or_else(|e| {
        eprintln!("churn-service: cannot set up metrics: {e}");
        std::process::exit(1)
    });
    let log = o.log.as_ref().map(|path| {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map(Mutex::new)
            .unwrap_or_else(|e| {
                eprintln!(
                    "churn-service: cannot open the prediction log {}: {e}",
                    path.display()
                );
                std::process::exit(1)
            })
    });
    let columns = churn::schema()
        .columns
        .iter()
        .filter(|c| c.expected_in(Some("serving")))
        .map(|c| (c.name.clone(), c.kind))
        .collect();
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let state = Arc::new(AppState {
        model,
        metrics,
        log,
        log_input: o.log_input,
        redact: o.redact,
        fault: o.fault,
        ids: AtomicU64::new(0),
        // Unique across restarts appending to the same log: start time, process, counter.
        id_prefix: format!("{:x}-{:x}", started.as_micros(), std::process::id()),
        columns,
    });
    let app = Router::new()
        .route("/predict", post(predict))
        .route("/health", get(health))
        .route("/version", get(version))
        .route("/metrics", get(scrape))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .layer(DefaultBodyLimit::max(READ_LIMIT))
        .with_state(state);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("churn-service: cannot start the runtime: {e}");
            std::process::exit(1)
        });
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", o.port))
            .await
            .unwrap_or_else(|e| {
                eprintln!("churn-service: cannot listen on 127.0.0.1:{}: {e}", o.port);
                std::process::exit(1)
            });
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        if o.fault != Fault::NeverReady {
            println!("churn-service listening on http://{addr}");
        }
        // SIGTERM (how test fixtures and process managers stop a service) or Ctrl-C: stop
        // accepting, finish the requests in flight, and return from main, so every prediction
        // log line is whole and an instrumented build writes its coverage profile.
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
        {
            eprintln!("churn-service: server error: {e}");
            std::process::exit(1)
        }
    });
}
