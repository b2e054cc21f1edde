//! Shadow mode: a challenger model sees the same requests as the champion; the champion's
//! answers are served, both are logged, and the two are compared — agreement, drift between the
//! two prediction distributions, each model's latency.
//!
//! [`Shadow`] is itself a [`Model`]: wrap a service's model in it and the service keeps
//! answering with the champion while the challenger is measured. The challenger runs after the
//! champion has answered, on the same thread; its failures are logged, never served.
//! Over a recorded request log, [`Shadow::replay`] sends the rows as requests of a given size.
//!
//! ```
//! use mlharness::data::{Column, Dataset};
//! use mlharness::model::{Model, ModelError, Predictions};
//! use mlharness::shadow::Shadow;
//!
//! let rule = |threshold: f64| move |ds: &Dataset| -> Result<Predictions, ModelError> {
//!     let calls = ds.numeric("calls")?.values();
//!     Predictions::classes(vec!["no".into(), "yes".into()], calls.iter().map(|&c| usize::from(c > threshold)).collect())
//! };
//! let shadow = Shadow::new(rule(3.0), rule(4.0));
//! let requests = Dataset::from_columns(vec![("calls".into(), Column::numeric((0..96).map(|i| f64::from(i % 8)).collect()))])?;
//! let report = shadow.replay(&requests, 12)?;
//! assert_eq!(report.requests, 8);
//! assert!((report.agreement - 0.875).abs() < 1e-12); // they differ on calls == 4
//! // Served answers are the champion's.
//! let served = shadow.predict(&requests)?;
//! assert_eq!(served, rule(3.0)(&requests)?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::data::{Column, DataError, Dataset};
use crate::drift::{DriftError, DriftOptions, DriftReport};
use crate::model::{Model, ModelError, Predictions};
use crate::table::{number, Table};
use serde::Serialize;
use std::fmt;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why a shadow report could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShadowError {
    /// No request was served with both models answering.
    #[error("no request had answers from both models ({requests} served, {challenger_errors} challenger failures{})", first_error.as_ref().map(|e| format!("; first: {e}")).unwrap_or_default())]
    NothingToCompare {
        /// Requests served.
        requests: usize,
        /// Requests the challenger failed on.
        challenger_errors: usize,
        /// The challenger's first error.
        first_error: Option<String>,
    },
    /// One model classifies and the other gives values.
    #[error("request {request}: the champion gives {champion} but the challenger gives {challenger}: they cannot be compared")]
    KindMismatch {
        /// The request (0-based).
        request: usize,
        /// `classes` or `values`.
        champion: &'static str,
        /// `classes` or `values`.
        challenger: &'static str,
    },
    /// The challenger answered a different number of rows.
    #[error(
        "request {request}: the champion answered {champion} rows, the challenger {challenger}"
    )]
    LengthMismatch {
        /// The request (0-based).
        request: usize,
        /// Rows the champion answered.
        champion: usize,
        /// Rows the challenger answered.
        challenger: usize,
    },
    /// A replay's request size is 0.
    #[error("replay: requests must have at least 1 row")]
    EmptyRequests,
    /// The champion failed (its error is what a caller of the service would see).
    #[error("the champion failed on request {request}")]
    Champion {
        /// The request (0-based).
        request: usize,
        /// Its error.
        source: ModelError,
    },
    /// Data handling failed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The drift comparison failed.
    #[error(transparent)]
    Drift(#[from] DriftError),
    /// Writing the log failed.
    #[error(transparent)]
    Write(#[from] crate::fs::WriteError),
}

/// One request as the shadow saw it.
#[derive(Debug, Clone)]
struct Record {
    rows: usize,
    champion: Predictions,
    challenger: Result<Predictions, String>,
    champion_latency: Duration,
    challenger_latency: Duration,
}

/// A champion serving, a challenger shadowing; see the [module docs](self).
pub struct Shadow<C, H> {
    champion: C,
    challenger: H,
    tolerance: f64,
    drift: DriftOptions,
    log: Mutex<Vec<Record>>,
}

impl<C: Model, H: Model> Shadow<C, H> {
    /// A shadow of `challenger` behind `champion`.
    pub fn new(champion: C, challenger: H) -> Self {
        Shadow {
            champion,
            challenger,
            tolerance: 0.0,
            drift: DriftOptions::default(),
            log: Mutex::new(Vec::new()),
        }
    }

    /// Regression values agree when they differ by at most this much (default 0: equal).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// How the two prediction distributions are compared (default [`DriftOptions::default`]).
    pub fn drift_options(mut self, options: DriftOptions) -> Self {
        self.drift = options;
        self
    }

    /// Answers one request with the champion; runs and logs the challenger too.
    pub fn serve(&self, request: &Dataset) -> Result<Predictions, ModelError> {
        let start = Instant::now();
        let answer = self.champion.predict(request)?;
        let champion_latency = start.elapsed();
        let start = Instant::now();
        let shadow = self.challenger.predict(request).map_err(|e| e.to_string());
        let challenger_latency = start.elapsed();
        self.lock().push(Record {
            rows: request.n_rows(),
            champion: answer.clone(),
            challenger: shadow,
            champion_latency,
            challenger_latency,
        });
        Ok(answer)
    }

    /// Sends a recorded request log through the shadow, `rows_per_request` rows at a time (the
    /// last request may be smaller), and reports on everything logged so far.
    pub fn replay(
        &self,
        requests: &Dataset,
        rows_per_request: usize,
    ) -> Result<ShadowReport, ShadowError> {
        if rows_per_request == 0 {
            return Err(ShadowError::EmptyRequests);
        }
        let first = self.lock().len();
        let mut start = 0;
        while start < requests.n_rows() {
            let end = (start + rows_per_request).min(requests.n_rows());
            let batch = requests.take(&(start..end).collect::<Vec<_>>())?;
            self.serve(&batch).map_err(|source| ShadowError::Champion {
                request: first + start / rows_per_request,
                source,
            })?;
            start = end;
        }
        self.report()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Record>> {
        // A panic while logging leaves a whole record or none: the log is still usable.
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Agreement, prediction drift (champion's predictions as the reference) and latencies over
    /// every request served so far.
    pub fn report(&self) -> Result<ShadowReport, ShadowError> {
        let log = self.lock();
        let mut champion = Outputs::default();
        let mut challenger = Outputs::default();
        let (mut agree, mut compared) = (0usize, 0usize);
        let mut errors = 0;
        let mut first_error = None;
        for (i, r) in log.iter().enumerate() {
            let shadow = match &r.challenger {
                Ok(p) => p,
                Err(e) => {
                    errors += 1;
                    first_error.get_or_insert_with(|| format!("request {i}: {e}"));
                    continue;
                }
            };
            if shadow.len() != r.champion.len() {
                return Err(ShadowError::LengthMismatch {
                    request: i,
                    champion: r.champion.len(),
                    challenger: shadow.len(),
                });
            }
            agree += agreeing(i, &r.champion, shadow, self.tolerance)?;
            compared += r.champion.len();
            champion.push(&r.champion);
            challenger.push(shadow);
        }
        if compared == 0 {
            return Err(ShadowError::NothingToCompare {
                requests: log.len(),
                challenger_errors: errors,
                first_error,
            });
        }
        let drift = self
            .drift
            .compare_owned(champion.dataset()?, challenger.dataset()?)?;
        Ok(ShadowReport {
            requests: log.len(),
            rows: log.iter().map(|r| r.rows).sum(),
            compared_rows: compared,
            agreement: agree as f64 / compared as f64,
            challenger_errors: errors,
            first_challenger_error: first_error,
            champion_latency: Latency::of(log.iter().map(|r| r.champion_latency)),
            challenger_latency: Latency::of(log.iter().map(|r| r.challenger_latency)),
            drift,
        })
    }

    /// Writes the log as JSON lines, one request per line: `request`, `rows`, `champion` and
    /// `challenger` (labels or values; the challenger's `{"error": …}` when it failed), and
    /// both latencies in microseconds.
    pub fn write_log(&self, path: impl AsRef<Path>) -> Result<(), ShadowError> {
        let out = |p: &Predictions| match p {
            Predictions::Classes(c) => serde_json::json!(c.label_names().collect::<Vec<_>>()),
            Predictions::Values(v) => serde_json::json!(v),
        };
        let mut text = String::new();
        for (i, r) in self.lock().iter().enumerate() {
            let line = serde_json::json!({
                "request": i,
                "rows": r.rows,
                "champion": out(&r.champion),
                "challenger": match &r.challenger {
                    Ok(p) => out(p),
                    Err(e) => serde_json::json!({ "error": e }),
                },
                "champion_latency_us": r.champion_latency.as_secs_f64() * 1e6,
                "challenger_latency_us": r.challenger_latency.as_secs_f64() * 1e6,
            });
            text.push_str(&line.to_string());
            text.push('\n');
        }
        crate::fs::write_atomic(path, text)?;
        Ok(())
    }
}

impl<C: Model, H: Model> Model for Shadow<C, H> {
    /// The champion's answer; the challenger's is logged.
    fn predict(&self, data: &Dataset) -> Result<Predictions, ModelError> {
        self.serve(data)
    }
}

fn kind(p: &Predictions) -> &'static str {
    match p {
        Predictions::Classes(_) => "classes",
        Predictions::Values(_) => "values",
    }
}

/// How many rows the two answers agree on (classes by name, values within `tolerance`).
fn agreeing(
    request: usize,
    a: &Predictions,
    b: &Predictions,
    tolerance: f64,
) -> Result<usize, ShadowError> {
    match (a, b) {
        (Predictions::Classes(x), Predictions::Classes(y)) => Ok(x
            .label_names()
            .zip(y.label_names())
            .filter(|(p, q)| p == q)
            .count()),
        (Predictions::Values(x), Predictions::Values(y)) => Ok(x
            .iter()
            .zip(y)
            .filter(|(p, q)| (*p - *q).abs() <= tolerance)
            .count()),
        _ => Err(ShadowError::KindMismatch {
            request,
            champion: kind(a),
            challenger: kind(b),
        }),
    }
}

/// One model's outputs over many requests, gathered into columns.
#[derive(Default)]
struct Outputs {
    labels: Vec<Option<String>>,
    values: Vec<f64>,
    scores: Vec<f64>,
    every_request_scored: bool,
    requests: usize,
}

impl Outputs {
    fn push(&mut self, p: &Predictions) {
        if self.requests == 0 {
            self.every_request_scored = true;
        }
        self.requests += 1;
        match p {
            Predictions::Values(v) => self.values.extend(v),
            Predictions::Classes(c) => {
                self.labels
                    .extend(c.label_names().map(|l| Some(l.to_string())));
                match c.positive_scores() {
                    Some(s) => self.scores.extend(s.iter()),
                    None => self.every_request_scored = false,
                }
            }
        }
    }

    fn dataset(self) -> Result<Dataset, DataError> {
        if self.labels.is_empty() {
            return Dataset::from_columns(vec![(
                "prediction".into(),
                Column::numeric(self.values),
            )]);
        }
        let mut columns = vec![("prediction".to_string(), Column::categorical(self.labels))];
        if self.every_request_scored {
            columns.push(("score".into(), Column::numeric(self.scores)));
        }
        Dataset::from_columns(columns)
    }
}

/// Latency of one model over the requests, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Latency {
    /// Mean.
    pub mean_us: f64,
    /// Median.
    pub p50_us: f64,
    /// 95th percentile (nearest rank).
    pub p95_us: f64,
    /// Slowest request.
    pub max_us: f64,
}

impl Latency {
    fn of(durations: impl Iterator<Item = Duration>) -> Self {
        let mut us: Vec<f64> = durations.map(|d| d.as_secs_f64() * 1e6).collect();
        us.sort_by(f64::total_cmp);
        let rank = |q: f64| us[((q * us.len() as f64).ceil() as usize).clamp(1, us.len()) - 1];
        Latency {
            mean_us: us.iter().sum::<f64>() / us.len() as f64,
            p50_us: rank(0.5),
            p95_us: rank(0.95),
            max_us: us[us.len() - 1],
        }
    }
}

/// What shadow mode found: see [`Shadow::report`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ShadowReport {
    /// Requests served.
    pub requests: usize,
    /// Rows in them.
    pub rows: usize,
    /// Rows both models answered (the challenger's failed requests left out).
    pub compared_rows: usize,
    /// Share of compared rows on which the two agree.
    pub agreement: f64,
    /// Requests the challenger failed on.
    pub challenger_errors: usize,
    /// The challenger's first error, with its request.
    pub first_challenger_error: Option<String>,
    /// The champion's latency per request.
    pub champion_latency: Latency,
    /// The challenger's latency per request.
    pub challenger_latency: Latency,
    /// The challenger's predictions against the champion's, as a drift report.
    pub drift: DriftReport,
}

impl ShadowReport {
    /// The report as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises") + "\n"
    }
}

impl fmt::Display for ShadowReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "shadow: {} requests, {} rows; the models agree on {:.2}% of {} compared rows; the challenger failed on {} requests",
            self.requests,
            self.rows,
            100.0 * self.agreement,
            self.compared_rows,
            self.challenger_errors
        )?;
        if let Some(e) = &self.first_challenger_error {
            writeln!(f, "  first challenger failure: {e}")?;
        }
        let mut t = Table::new(["model", "mean µs", "p50 µs", "p95 µs", "max µs"]);
        for i in 1..5 {
            t = t.right_align(i);
        }
        for (name, l) in [
            ("champion", self.champion_latency),
            ("challenger", self.challenger_latency),
        ] {
            let r = |x: f64| number((x * 10.0).round() / 10.0);
            t.row([
                name.to_string(),
                r(l.mean_us),
                r(l.p50_us),
                r(l.p95_us),
                r(l.max_us),
            ]);
        }
        write!(f, "{t}")?;
        writeln!(f, "prediction drift (challenger against champion):")?;
        write!(f, "{}", self.drift)
    }
}
