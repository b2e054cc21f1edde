//! "SIGTERM during load loses no answered request's log line": start the service, keep it
//! busy with concurrent requests, stop it the way a deployment does ([`Service::stop`]:
//! SIGTERM, a grace period, then SIGKILL), and compare the replies with the prediction log.
//! Repeated over several rounds appending to the same log, so a restart that glues its first
//! line to a cut-off one is caught too.
//!
//! A round fails when an answered (2xx) request has no log line, when the log holds a line
//! that is not a whole valid record (see [`check_prediction_lines`]), when it ends in a
//! cut-off line, or when the service did not exit by itself with status 0 within the grace.
//!
//! ```no_run
//! use mlharness::check::Checked;
//! use mlharness::system::shutdown::ShutdownUnderLoad;
//! use mlharness::system::Service;
//! use std::process::Command;
//!
//! let log = std::path::Path::new("target/predictions.jsonl");
//! let report = ShutdownUnderLoad::new("/predict", serde_json::json!({"tenure": 3}))
//!     .rounds(20)
//!     .run(log, || {
//!         // In a package's own tests: `env!("CARGO_BIN_EXE_my-service")`.
//!         let mut cmd = Command::new("target/debug/my-service");
//!         cmd.args(["--port", "0", "--log"]).arg(log);
//!         Service::start(cmd)
//!     })?;
//! report.outcome().assert_passed();
//! assert!(report.answered > 0);
//! # Ok::<(), mlharness::system::ServiceError>(())
//! ```

use super::log::check_prediction_lines;
use super::{Service, ServiceError};
use crate::check::{checked_report, Outcome, Stop};
use crate::kind::Kind;
use crate::table::Table;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

const CHECK: &str = "shutdown under load";

/// The check's settings; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct ShutdownUnderLoad {
    path: String,
    body: Value,
    clients: usize,
    load_for: Duration,
    rounds: usize,
    id_field: String,
}

/// What the rounds saw, summed, and the check's outcome.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Rounds run.
    pub rounds: usize,
    /// Requests answered 2xx.
    pub answered: usize,
    /// Requests that got no answer (refused or reset once the service stopped accepting).
    pub unanswered: usize,
    /// Whole lines in the log after the last round.
    pub logged: usize,
    outcome: Outcome,
}

checked_report!(ShutdownReport);

impl ShutdownReport {
    /// The check's outcome: failed on the first round that lost an answered request's line,
    /// left a broken or cut-off log, or did not exit cleanly.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }
}

/// One round's answers.
#[derive(Default)]
struct Answers {
    ids: Vec<String>,
    answered: usize,
    unanswered: usize,
}

impl ShutdownUnderLoad {
    /// POSTs `body` as JSON to `path`; 4 clients, 300 ms of load before SIGTERM, one round,
    /// answers matched to log lines by `request_unique_id` (in the reply's JSON body).
    pub fn new(path: &str, body: Value) -> Self {
        ShutdownUnderLoad {
            path: path.to_string(),
            body,
            clients: 4,
            load_for: Duration::from_millis(300),
            rounds: 1,
            id_field: "request_unique_id".into(),
        }
    }

    /// Concurrent clients, each sending one request after another (at least 1).
    pub fn clients(mut self, n: usize) -> Self {
        self.clients = n.max(1);
        self
    }

    /// How long the load runs before SIGTERM.
    pub fn load_for(mut self, d: Duration) -> Self {
        self.load_for = d;
        self
    }

    /// How many start–load–SIGTERM rounds, appending to the same log (at least 1).
    pub fn rounds(mut self, n: usize) -> Self {
        self.rounds = n.max(1);
        self
    }

    /// The field naming a request's id, in the reply's JSON body and in the log line.
    pub fn id_field(mut self, name: &str) -> Self {
        self.id_field = name.to_string();
        self
    }

    /// Runs the rounds; `start` starts the service so that it appends to `log`. `Err` when
    /// the service cannot be started.
    pub fn run(
        &self,
        log: &Path,
        start: impl FnMut() -> Result<Service, ServiceError>,
    ) -> Result<ShutdownReport, ServiceError> {
        let mut report = ShutdownReport {
            rounds: 0,
            answered: 0,
            unanswered: 0,
            logged: 0,
            outcome: Outcome::pass(Kind::System, CHECK),
        };
        let outcome = crate::check::run(|| self.run_rounds(log, start, &mut report))?;
        report.outcome = outcome;
        Ok(report)
    }

    fn run_rounds(
        &self,
        log: &Path,
        mut start: impl FnMut() -> Result<Service, ServiceError>,
        report: &mut ShutdownReport,
    ) -> Result<Outcome, Stop<ServiceError>> {
        let fail = |headline: String, table: Option<Table>| {
            let f = Outcome::fail(Kind::System, CHECK, headline);
            Stop::Failed(Box::new(match table {
                Some(t) => f.with_table(t),
                None => f,
            }))
        };
        let mut answered_ids: Vec<String> = Vec::new();
        for round in 1..=self.rounds {
            let mut service = start()?;
            let (answers, status) = self.load_then_stop(&mut service);
            let stderr = service.stderr();
            report.rounds = round;
            report.answered += answers.answered;
            report.unanswered += answers.unanswered;
            match status {
                Some(s) if s.success() => {}
                Some(s) => {
                    let how = match s.code() {
                        Some(code) => format!("exited with status {code}"),
                        None => format!(
                            "did not exit within its grace period after SIGTERM and was killed ({s})"
                        ),
                    };
                    return Err(fail(
                        format!(
                            "round {round}: after SIGTERM under load the service {how}; \
                             expected a clean exit with status 0\n--- stderr ---\n{stderr}"
                        ),
                        None,
                    ));
                }
                None => {
                    return Err(fail(
                        format!("round {round}: the service is external; this check stops it, so it must be started by `start`"),
                        None,
                    ))
                }
            }
            if answers.answered == 0 {
                return Err(fail(
                    format!(
                        "round {round}: no request was answered 2xx in {:?} of load: nothing was \
                         tested (is {} the right path and the body valid?)",
                        self.load_for, self.path
                    ),
                    None,
                ));
            }
            let text = std::fs::read_to_string(log).map_err(|e| {
                fail(
                    format!("round {round}: cannot read the log {}: {e}", log.display()),
                    None,
                )
            })?;
            let summary = check_prediction_lines(&text, &log.display().to_string(), None);
            if !summary.outcome().passed() {
                return Err(fail(
                    format!(
                        "round {round}: the log is broken after SIGTERM: {}",
                        summary.outcome().headline()
                    ),
                    Some(summary.outcome().table().clone()),
                ));
            }
            if let Some(n) = summary.torn_last_line {
                return Err(fail(
                    format!(
                        "round {round}: {} ends in a cut-off line (line {n}) after the service \
                         exited: a line was written in more than one piece, or not flushed",
                        log.display()
                    ),
                    None,
                ));
            }
            report.logged = summary.lines;
            answered_ids.extend(answers.ids);
            let logged: HashSet<String> = text
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter_map(|v| {
                    v.get(&self.id_field)
                        .and_then(Value::as_str)
                        .map(String::from)
                })
                .collect();
            let lost: Vec<&String> = answered_ids
                .iter()
                .filter(|id| !logged.contains(*id))
                .collect();
            if !lost.is_empty() {
                let mut t = Table::new([self.id_field.as_str()]);
                for id in lost.iter().take(10) {
                    t.row([id.as_str()]);
                }
                if lost.len() > 10 {
                    t.row([format!("… and {} more", lost.len() - 10)]);
                }
                return Err(fail(
                    format!(
                        "round {round}: {} of {} answered requests have no line in {} \
                         (expected every answered request logged before SIGTERM ends the \
                         process)",
                        lost.len(),
                        answered_ids.len(),
                        log.display()
                    ),
                    Some(t),
                ));
            }
        }
        Ok(Outcome::pass(Kind::System, CHECK).with_headline(format!(
            "{} rounds, {} answered requests, each logged",
            report.rounds, report.answered
        )))
    }

    /// Sends requests from `clients` threads; after `load_for`, SIGTERMs the service while
    /// they are still sending, and returns what was answered and how the service ended.
    fn load_then_stop(&self, service: &mut Service) -> (Answers, Option<ExitStatus>) {
        let url = format!("{}{}", service.url(), self.path);
        let body = self.body.to_string();
        let stop = AtomicBool::new(false);
        let answers = Mutex::new(Answers::default());
        let status = std::thread::scope(|scope| {
            for _ in 0..self.clients {
                scope.spawn(|| {
                    let agent = super::agent_with_timeout(Duration::from_secs(10));
                    while !stop.load(Ordering::Relaxed) {
                        let reply = agent
                            .post(&url)
                            .header("content-type", "application/json")
                            .send(body.as_bytes())
                            .map_err(|e| e.to_string())
                            .and_then(|r| super::reply("POST", &url, r).map_err(|e| e.to_string()));
                        let Ok(mut a) = answers.lock() else { return };
                        match reply {
                            Ok(r) if (200..300).contains(&r.status) => {
                                a.answered += 1;
                                if let Some(id) = r.json.get(&self.id_field).and_then(Value::as_str)
                                {
                                    a.ids.push(id.to_string());
                                }
                            }
                            // A 4xx/5xx is an answer, but not one this check is about.
                            Ok(_) => {}
                            Err(_) => {
                                a.unanswered += 1;
                                drop(a);
                                // Refused: the service has stopped accepting; don't spin.
                                std::thread::sleep(Duration::from_millis(5));
                            }
                        }
                    }
                });
            }
            std::thread::sleep(self.load_for);
            let status = service.stop();
            stop.store(true, Ordering::Relaxed);
            status
        });
        (answers.into_inner().unwrap_or_default(), status)
    }
}
