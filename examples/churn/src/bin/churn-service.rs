//! `churn-service`: the churn model behind an HTTP API, as a deployment would run it.
//!
//! ```text
//! churn-service [--port N] [--model ARTIFACT.json] [--log PREDICTIONS.jsonl]
//!               [--log-input] [--redact FIELD,FIELD…]
//!               [--header-timeout SECS] [--request-timeout SECS] [--drain-timeout SECS]
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
//! to the prediction log (`--log` or `CHURN_PREDICTION_LOG`), in one `write` to a file opened
//! for appending; a log that ends in a cut-off line (a previous process killed mid-write) gets
//! a newline first, so that line stays detectably broken instead of corrupting the next one.
//!
//! Every connection has a deadline for its request head (`--header-timeout`, 10 s: a client
//! that sends half a header is dropped) and every request one for its body and answer
//! (`--request-timeout`, 10 s: a Content-Length larger than the body sent gets 408). On SIGTERM
//! or SIGINT it stops accepting, lets requests in flight finish for up to `--drain-timeout`
//! (5 s), and exits 0 (1 if the drain had to cut requests short).
//!
//! `CHURN_FAULT` selects a deliberately broken variant, for proving the system tests catch it:
//! `500_on_malformed`, `no_model_version_in_logs`, `slow_200ms`, `never_ready`,
//! `buffered_log` (log lines held in a buffer that is never flushed: SIGTERM loses them), and
//! `swapped_flags` (the serving path swaps `international_plan` and `voice_mail_plan`, a skew
//! that moves ROC AUC by almost nothing).

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use churn::{ChurnModel, TrainConfig};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};
use serde_json::{json, Map, Value};
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
    BufferedLog,
    SwappedFlags,
}

struct Options {
    port: u16,
    model: Option<PathBuf>,
    log: Option<PathBuf>,
    log_input: bool,
    redact: Vec<String>,
    fault: Fault,
    header_timeout: Duration,
    request_timeout: Duration,
    drain_timeout: Duration,
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "churn-service: {problem}\nusage: churn-service [--port N] [--model ARTIFACT.json] \
         [--log PREDICTIONS.jsonl] [--log-input] [--redact FIELD,FIELD…] \
         [--header-timeout SECS] [--request-timeout SECS] [--drain-timeout SECS]"
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
            Some("buffered_log") => Fault::BufferedLog,
            Some("swapped_flags") => Fault::SwappedFlags,
            Some(other) => usage(&format!("unknown CHURN_FAULT {other:?}")),
        },
        header_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_secs(10),
        drain_timeout: Duration::from_secs(5),
    };
    let seconds = |name: &str, v: String| -> Duration {
        v.parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
            .filter(|d| !d.is_zero())
            .unwrap_or_else(|| usage(&format!("{name} {v:?} is not a number of seconds > 0")))
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
            "--header-timeout" => {
                o.header_timeout = seconds("--header-timeout", value("--header-timeout"))
            }
            "--request-timeout" => {
                o.request_timeout = seconds("--request-timeout", value("--request-timeout"))
            }
            "--drain-timeout" => {
                o.drain_timeout = seconds("--drain-timeout", value("--drain-timeout"))
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
    in_flight: IntGaugeVec,
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
        // What a drain would wait for; also how a test knows a request reached its handler.
        let in_flight = IntGaugeVec::new(
            Opts::new(
                "http_requests_in_flight",
                "Requests whose head has been read and whose response is not yet sent, by route.",
            ),
            &["route"],
        )?;
        let info = IntGauge::with_opts(
            Opts::new("model_info", "The model being served (always 1).")
                .const_label("model_version", model_version),
        )?;
        info.set(1);
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(predictions.clone()))?;
        registry.register(Box::new(in_flight.clone()))?;
        registry.register(Box::new(info))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            predictions,
            in_flight,
        })
    }
}

struct AppState {
    model: ChurnModel,
    metrics: Metrics,
    // One writer for the log, written before the response is sent, so a client that got its
    // answer can read its line.
    log: Option<Mutex<Log>>,
    log_input: bool,
    redact: Vec<String>,
    fault: Fault,
    ids: AtomicU64,
    id_prefix: String,
}

/// The prediction log. `Direct` is the service as it should be; `Buffered` is the
/// `buffered_log` fault, whose lines sit in memory until the buffer fills.
enum Log {
    Direct(File),
    Buffered(BufWriter<File>),
}

impl Log {
    /// Opens `path` for appending. A file that ends in a cut-off line gets a newline first:
    /// the broken line stays one line, which a log check reports, and the next entry starts
    /// whole instead of being glued to it.
    fn open(path: &Path, fault: Fault) -> std::io::Result<Log> {
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)?;
        let len = file.metadata()?.len();
        if len > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                eprintln!(
                    "churn-service: {} ends in a cut-off line (a writer stopped mid-line); \
                     ending it, so new entries start on a line of their own",
                    path.display()
                );
                file.write_all(b"\n")?;
            }
        }
        Ok(match fault {
            Fault::BufferedLog => Log::Buffered(BufWriter::new(file)),
            _ => Log::Direct(file),
        })
    }

    /// Appends one whole line. On a file opened for appending, one `write` puts the line at
    /// the end in one piece; a short write (a disk nearly full) is finished, then reported.
    fn append(&mut self, line: &[u8]) -> std::io::Result<()> {
        match self {
            Log::Direct(file) => {
                let n = file.write(line)?;
                if n < line.len() {
                    file.write_all(&line[n..])?;
                    return Err(std::io::Error::other(format!(
                        "a short write ({n} of {} bytes) had to be finished",
                        line.len()
                    )));
                }
                Ok(())
            }
            Log::Buffered(buffer) => buffer.write_all(line),
        }
    }
}

type Shared = Arc<AppState>;

fn error(status: StatusCode, message: &str, problems: Vec<Value>) -> Response {
    let mut body = json!({"error": message});
    if !problems.is_empty() {
        body["problems"] = Value::Array(problems);
    }
    (status, Json(body)).into_response()
}

/// The `swapped_flags` fault: two yes/no columns exchanged on the way in.
fn swap_flags(
    data: &mlharness::data::Dataset,
) -> Result<mlharness::data::Dataset, mlharness::data::DataError> {
    let (a, b) = ("international_plan", "voice_mail_plan");
    let (ca, cb) = (data.column(a)?.clone(), data.column(b)?.clone());
    data.replace_column(a, cb)?.replace_column(b, ca)
}

async fn predict(State(state): State<Shared>, request: Request) -> Response {
    let start = Instant::now();
    if state.fault == Fault::Slow200ms {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
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
    let body = match read_body(&parts.headers, body).await {
        Ok(b) => b,
        Err(response) => return response,
    };
    let churn::PredictRequest {
        records,
        batch,
        data,
    } = match churn::parse_request(&body) {
        Ok(r) => r,
        Err(bad) => {
            let status = if state.fault == Fault::FiveHundredOnMalformed
                && bad.message.starts_with("the body is not valid JSON")
            {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::BAD_REQUEST
            };
            return error(status, &bad.message, bad.problems);
        }
    };
    let data = if state.fault == Fault::SwappedFlags {
        match swap_flags(&data) {
            Ok(d) => d,
            Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string(), vec![]),
        }
    } else {
        data
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
            .and_then(|mut log| log.append(text.as_bytes()));
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

/// The body, at most [`READ_LIMIT`] bytes; 413 over [`BODY_LIMIT`], 400 when it cannot be read.
/// (The whole request runs under `--request-timeout`, so a body that never arrives is a 408.)
async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, Response> {
    let too_large = |size: String| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body has {size} bytes, more than the {BODY_LIMIT} accepted"),
            vec![],
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > READ_LIMIT as u64) {
        return Err(too_large(n.to_string()));
    }
    match axum::body::to_bytes(body, READ_LIMIT).await {
        Ok(b) if b.len() > BODY_LIMIT => Err(too_large(b.len().to_string())),
        Ok(b) => Ok(b.to_vec()),
        Err(e) if e.to_string().contains("length limit") => {
            Err(too_large(format!("more than {READ_LIMIT}")))
        }
        Err(e) => Err(error(
            StatusCode::BAD_REQUEST,
            &format!("cannot read the body: {e}"),
            vec![],
        )),
    }
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
    let in_flight = state.metrics.in_flight.with_label_values(&[route.as_str()]);
    in_flight.inc();
    // A guard, not a `dec` after the await: a request cut by the drain is dropped mid-await.
    let _leaves = Leaves(in_flight);
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

/// Takes a request off the in-flight gauge however its future ends.
struct Leaves(IntGauge);

impl Drop for Leaves {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The whole request, body included, within `--request-timeout`. Handlers write the log only
/// after their last await, so a request cut here was neither answered nor logged.
async fn deadline(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error(
            StatusCode::REQUEST_TIMEOUT,
            &format!(
                "the request was not complete within {:?} (a Content-Length larger than the body?)",
                limit
            ),
            vec![],
        ),
    }
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
        Log::open(path, o.fault)
            .map(Mutex::new)
            .unwrap_or_else(|e| {
                eprintln!(
                    "churn-service: cannot open the prediction log {}: {e}",
                    path.display()
                );
                std::process::exit(1)
            })
    });
    let started = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let state = Arc::new(AppState {
        model,
        metrics,
        log,
        log_input: o.log_input,
        redact: o.redact.clone(),
        fault: o.fault,
        ids: AtomicU64::new(0),
        // Unique across restarts appending to the same log: start time, process, counter.
        id_prefix: format!("{:x}-{:x}", started.as_micros(), std::process::id()),
    });
    let app = Router::new()
        .route("/predict", post(predict))
        .route("/health", get(health))
        .route("/version", get(version))
        .route("/metrics", get(scrape))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(o.request_timeout, deadline))
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| {
            eprintln!("churn-service: cannot start the runtime: {e}");
            std::process::exit(1)
        });
    let code = runtime.block_on(async move {
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
        serve(listener, app, &o).await
    });
    // Tasks cut by the drain are not waited for again.
    runtime.shutdown_timeout(Duration::from_millis(100));
    std::process::exit(code)
}

/// Accepts connections until SIGTERM or SIGINT, then drains. Returns the exit code.
///
/// hyper's own connection loop rather than `axum::serve`, which sets no timer and so no
/// deadline for a request head: a client sending half a header would hold its connection
/// (and a task) for ever.
async fn serve(listener: tokio::net::TcpListener, app: Router, o: &Options) -> i32 {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(o.header_timeout);
    let graceful = GracefulShutdown::new();
    let mut signal = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let conn = http.serve_connection(
                        TokioIo::new(stream),
                        TowerToHyperService::new(app.clone()),
                    );
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        // A client that hangs up or times out is its own business.
                        let _ = conn.await;
                    });
                }
                Err(e) => {
                    // Out of file descriptors, typically: back off instead of spinning.
                    eprintln!("churn-service: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = &mut signal => break,
        }
    }
    // Stop accepting first, so a client sees a refused connection, not a hung one.
    drop(listener);
    if o.fault == Fault::BufferedLog {
        // The fault: exit at once, as a service that never flushes its buffer would.
        std::process::exit(0);
    }
    match tokio::time::timeout(o.drain_timeout, graceful.shutdown()).await {
        Ok(()) => 0,
        Err(_) => {
            eprintln!(
                "churn-service: requests still in flight after the {:?} drain; cutting them",
                o.drain_timeout
            );
            1
        }
    }
}
