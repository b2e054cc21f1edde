//! System tests of a model behind an HTTP API: start the real service, call it as clients do,
//! and check what comes back ([`contract`]), how fast ([`latency`]), what it logged
//! ([`log`]), what it reports on `/metrics` ([`prometheus`]) and whether SIGTERM under load
//! loses an answered request's log line ([`shutdown`]).
//!
//! [`Service::start`] runs a command (typically `env!("CARGO_BIN_EXE_my-service")`), waits for
//! the line on stdout that names its address (`listening on http://127.0.0.1:PORT`), keeps its
//! stdout and stderr for failure messages, and stops it when dropped — on a panic too: SIGTERM
//! first, so a service that shuts down gracefully finishes its log and, in an instrumented build
//! (`mlharness run`'s coverage), writes its coverage profile; SIGKILL after
//! [`StartOptions::stop_grace`] if it has not exited.
//! [`Service::external`] wraps a service started elsewhere, in any language.
//!
//! ```no_run
//! use mlharness::system::Service;
//! use std::process::Command;
//!
//! let mut cmd = Command::new("target/debug/churn-service");
//! cmd.args(["--port", "0"]);
//! let service = Service::start(cmd)?;
//! let reply = service.post_json("/predict", &serde_json::json!({"state": "KS"}))?;
//! assert_eq!(reply.status, 400, "{}", reply.text);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod contract;
pub mod latency;
pub mod log;
pub mod prometheus;
pub mod serving;
pub mod shutdown;

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use contract::{check_contract, Case};
pub use latency::{LatencyProbe, LatencyReport};
pub use log::{check_prediction_log, LogSummary};
pub use prometheus::{Metrics, PrometheusError, Sample};
pub use serving::{records, ServingModel};
pub use shutdown::{ShutdownReport, ShutdownUnderLoad};

/// Why a service could not be started or called. Each variant that concerns a started process
/// carries what it printed, since that is usually where the reason is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The command could not be spawned (missing binary, permissions).
    #[error("could not start `{program}`")]
    Spawn {
        /// The program.
        program: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// No ready line (or healthy answer) within the timeout; the process has been killed.
    #[error(
        "the service was not ready after {waited:?} (no stdout line with `http://`{health}); \
         it was killed\n--- stdout ---\n{stdout}--- stderr ---\n{stderr}",
        health = health.as_ref().map(|h| format!(" or no 2xx from {h}")).unwrap_or_default()
    )]
    NeverReady {
        /// How long it was waited for.
        waited: Duration,
        /// The health URL polled, if any.
        health: Option<String>,
        /// What it printed on stdout.
        stdout: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// The process exited before it was ready.
    #[error(
        "the service exited ({status}) before it was ready\n--- stdout ---\n{stdout}--- stderr ---\n{stderr}"
    )]
    Exited {
        /// Its exit status.
        status: ExitStatus,
        /// What it printed on stdout.
        stdout: String,
        /// What it printed on stderr.
        stderr: String,
    },
    /// A request failed below HTTP (connection refused, timeout, unreadable body).
    #[error("{method} {url} failed: {message}")]
    Http {
        /// `GET` or `POST`.
        method: &'static str,
        /// The URL called.
        url: String,
        /// What went wrong.
        message: String,
    },
}

/// How [`Service::start_with`] waits for a service.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// How long to wait for readiness before killing the process (default 30 s).
    pub timeout: Duration,
    /// A path (such as `/health`) to poll after the ready line until it answers 2xx.
    pub health_path: Option<String>,
    /// How long [`Service::stop`] waits after SIGTERM before it kills (default 5 s).
    pub stop_grace: Duration,
}

impl Default for StartOptions {
    fn default() -> Self {
        StartOptions {
            timeout: Duration::from_secs(30),
            health_path: None,
            stop_grace: Duration::from_secs(5),
        }
    }
}

/// Output a process printed, captured by reader threads as it arrives.
#[derive(Debug, Default)]
struct Captured {
    stdout: Mutex<String>,
    stderr: Mutex<String>,
    /// Reader threads that have reached the end of their stream.
    finished: Mutex<usize>,
    finished_changed: std::sync::Condvar,
}

impl Captured {
    fn finish(&self) {
        if let Ok(mut n) = self.finished.lock() {
            *n += 1;
            self.finished_changed.notify_all();
        }
    }

    /// Waits (at most `limit`) until `readers` reader threads have read everything the
    /// process wrote: after it exits, its last lines may still be in the pipe. A grandchild
    /// that keeps the pipe open is why the wait is bounded.
    fn wait_for_readers(&self, readers: usize, limit: Duration) {
        let deadline = Instant::now() + limit;
        let Ok(mut n) = self.finished.lock() else {
            return;
        };
        while *n < readers {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            match self.finished_changed.wait_timeout(n, left) {
                Ok((guard, _)) => n = guard,
                Err(_) => return,
            }
        }
    }

    fn stdout(&self) -> String {
        self.stdout.lock().map(|s| s.clone()).unwrap_or_default()
    }
    fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// A reply: status, headers (names lower-cased), body text and, when the body is JSON, its
/// value (`Value::Null` otherwise).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Headers, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub text: String,
    /// The body parsed as JSON, `Value::Null` when it is not JSON.
    pub json: Value,
}

impl Reply {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// True when the body parsed as JSON.
    pub fn is_json(&self) -> bool {
        !self.json.is_null() || self.text.trim() == "null"
    }
}

/// A service under test: a process this fixture started (and stops on drop), or an external
/// URL.
pub struct Service {
    child: Option<Child>,
    stop_grace: Duration,
    url: String,
    captured: Arc<Captured>,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("url", &self.url)
            .field("pid", &self.pid())
            .finish()
    }
}

fn agent() -> ureq::Agent {
    agent_with_timeout(Duration::from_secs(30))
}

fn agent_with_timeout(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        // Tests look at 4xx/5xx replies; they are answers, not errors.
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

impl Service {
    /// Starts `command` with stdout and stderr captured, and waits (30 s at most) for a stdout
    /// line containing `http://HOST:PORT`, which becomes [`Service::url`]. Pass the service
    /// port 0 (by argument or environment) so parallel tests never collide.
    pub fn start(command: Command) -> Result<Service, ServiceError> {
        Self::start_with(command, &StartOptions::default())
    }

    /// [`Service::start`] with a timeout and an optional health path to poll.
    pub fn start_with(
        mut command: Command,
        options: &StartOptions,
    ) -> Result<Service, ServiceError> {
        let program = command.get_program().to_string_lossy().into_owned();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| ServiceError::Spawn { program, source })?;
        let captured = Arc::new(Captured::default());
        let (lines_tx, lines) = mpsc::channel::<String>();
        if let Some(out) = child.stdout.take() {
            let captured = Arc::clone(&captured);
            std::thread::spawn(move || {
                pump(out, |line| {
                    if let Ok(mut s) = captured.stdout.lock() {
                        s.push_str(line);
                        s.push('\n');
                    }
                    let _ = lines_tx.send(line.to_string());
                });
                captured.finish();
            });
        }
        if let Some(err) = child.stderr.take() {
            let captured = Arc::clone(&captured);
            std::thread::spawn(move || {
                pump(err, |line| {
                    if let Ok(mut s) = captured.stderr.lock() {
                        s.push_str(line);
                        s.push('\n');
                    }
                });
                captured.finish();
            });
        }
        // From here on the child is owned by `service`, whose Drop kills it on every early return.
        let mut service = Service {
            child: Some(child),
            stop_grace: options.stop_grace,
            url: String::new(),
            captured,
            agent: agent(),
        };
        let start = Instant::now();
        let deadline = start + options.timeout;
        let never_ready = |service: &Service| ServiceError::NeverReady {
            waited: start.elapsed(),
            health: options
                .health_path
                .as_ref()
                .map(|p| format!("{}{p}", service.url)),
            stdout: service.captured.stdout(),
            stderr: service.captured.stderr(),
        };
        loop {
            if let Some(status) = service.exited() {
                return Err(service.exited_error(status));
            }
            let now = Instant::now();
            if now >= deadline {
                service.stop();
                return Err(never_ready(&service));
            }
            // Short waits so an early exit is noticed without waiting out the whole timeout.
            match lines.recv_timeout((deadline - now).min(Duration::from_millis(50))) {
                Ok(line) => {
                    if let Some(url) = url_in(&line) {
                        service.url = url;
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // stdout closed: the process is exiting (or closed it); wait for it or time out.
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        if let Some(path) = &options.health_path {
            loop {
                if let Some(status) = service.exited() {
                    return Err(service.exited_error(status));
                }
                if matches!(service.get(path), Ok(r) if (200..300).contains(&r.status)) {
                    break;
                }
                if Instant::now() >= deadline {
                    service.stop();
                    return Err(never_ready(&service));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(service)
    }

    /// A service started elsewhere (any language, any host), at `url` such as
    /// `http://127.0.0.1:8000`. Nothing is stopped on drop.
    ///
    /// ```
    /// let service = mlharness::system::Service::external("http://127.0.0.1:8000/");
    /// assert_eq!(service.url(), "http://127.0.0.1:8000");
    /// assert_eq!(service.pid(), None);
    /// ```
    pub fn external(url: impl Into<String>) -> Service {
        Service {
            child: None,
            stop_grace: Duration::ZERO,
            url: url.into().trim_end_matches('/').to_string(),
            captured: Arc::default(),
            agent: agent(),
        }
    }

    /// The base URL, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The process id of a started service; `None` for an external one.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// What the service printed on stdout so far.
    pub fn stdout(&self) -> String {
        self.captured.stdout()
    }

    /// What the service printed on stderr so far.
    pub fn stderr(&self) -> String {
        self.captured.stderr()
    }

    /// `GET url()+path`.
    pub fn get(&self, path: &str) -> Result<Reply, ServiceError> {
        let url = format!("{}{path}", self.url);
        let response = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| http_error("GET", &url, e))?;
        reply("GET", &url, response)
    }

    /// `GET url()+path`, expecting JSON back (see [`Reply::json`]).
    pub fn get_json(&self, path: &str) -> Result<Reply, ServiceError> {
        self.get(path)
    }

    /// `POST url()+path` with `value` as a JSON body.
    pub fn post_json(&self, path: &str, value: &Value) -> Result<Reply, ServiceError> {
        self.post(path, "application/json", value.to_string().as_bytes())
    }

    /// `POST url()+path` with a raw body and content type: for malformed bodies and wrong types.
    pub fn post(&self, path: &str, content_type: &str, body: &[u8]) -> Result<Reply, ServiceError> {
        let url = format!("{}{path}", self.url);
        let response = self
            .agent
            .post(&url)
            .header("content-type", content_type)
            .send(body)
            .map_err(|e| http_error("POST", &url, e))?;
        reply("POST", &url, response)
    }

    /// Stops a started service: SIGTERM, up to [`StartOptions::stop_grace`] for it to exit,
    /// then SIGKILL; then waits so no zombie is left. Returns how the process ended (`None`
    /// for an external service). Idempotent.
    ///
    /// ```
    /// # #[cfg(unix)] {
    /// use mlharness::system::Service;
    /// use std::process::Command;
    /// let mut cmd = Command::new("sh");
    /// cmd.args(["-c", "trap 'exit 0' TERM; echo listening on http://127.0.0.1:9; while :; do sleep 0.05; done"]);
    /// let mut service = Service::start(cmd)?;
    /// // The service heard SIGTERM and exited by itself, with status 0.
    /// assert_eq!(service.stop().and_then(|s| s.code()), Some(0));
    /// # }
    /// # Ok::<(), mlharness::system::ServiceError>(())
    /// ```
    pub fn stop(&mut self) -> Option<ExitStatus> {
        let grace = self.stop_grace;
        let child = self.child.as_mut()?;
        {
            if child.try_wait().ok().flatten().is_none() {
                if terminate(child) {
                    let deadline = Instant::now() + grace;
                    while Instant::now() < deadline && child.try_wait().ok().flatten().is_none() {
                        std::thread::sleep(Duration::from_millis(10));
                    }
                }
                if child.try_wait().ok().flatten().is_none() {
                    let _ = child.kill();
                }
            }
            let status = child.wait().ok();
            // So that `stdout()` and `stderr()` after `stop()` hold everything it printed.
            self.captured
                .wait_for_readers(READERS, Duration::from_secs(1));
            status
        }
    }

    fn exited(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    fn exited_error(&self, status: ExitStatus) -> ServiceError {
        self.captured
            .wait_for_readers(READERS, Duration::from_secs(1));
        ServiceError::Exited {
            status,
            stdout: self.captured.stdout(),
            stderr: self.captured.stderr(),
        }
    }
}

impl Drop for Service {
    // Runs during unwinding too, so a failing test leaves no process behind.
    fn drop(&mut self) {
        self.stop();
    }
}

/// Reader threads of a started service: stdout and stderr.
const READERS: usize = 2;

/// Asks a child to stop (SIGTERM); false where there is no such signal.
#[cfg(unix)]
fn terminate(child: &Child) -> bool {
    let Ok(pid) = libc::pid_t::try_from(child.id()) else {
        return false;
    };
    // SAFETY: kill(2) with a pid we spawned and have not reaped (try_wait saw it running).
    unsafe { libc::kill(pid, libc::SIGTERM) == 0 }
}

#[cfg(not(unix))]
fn terminate(_: &Child) -> bool {
    false
}

fn pump(stream: impl Read, mut on_line: impl FnMut(&str)) {
    let mut reader = BufReader::new(stream);
    let mut buf = Vec::new();
    while let Ok(n) = reader.read_until(b'\n', &mut buf) {
        if n == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buf);
        on_line(line.trim_end_matches(['\n', '\r']));
        buf.clear();
    }
}

/// The `http://host:port` in a ready line, without path or trailing punctuation.
fn url_in(line: &str) -> Option<String> {
    let start = line.find("http://")?;
    let rest = &line[start + "http://".len()..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
        .unwrap_or(rest.len());
    let authority = rest[..end].trim_end_matches(['.', ',', ';', ')']);
    (!authority.is_empty()).then(|| format!("http://{authority}"))
}

fn http_error(method: &'static str, url: &str, e: ureq::Error) -> ServiceError {
    ServiceError::Http {
        method,
        url: url.to_string(),
        message: e.to_string(),
    }
}

fn reply(
    method: &'static str,
    url: &str,
    mut response: ureq::http::Response<ureq::Body>,
) -> Result<Reply, ServiceError> {
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|e| http_error(method, url, e))?;
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Ok(Reply {
        status,
        headers,
        text,
        json,
    })
}

#[cfg(test)]
mod tests {
    use super::url_in;

    #[test]
    fn ready_line_url() {
        assert_eq!(
            url_in("listening on http://127.0.0.1:4321").as_deref(),
            Some("http://127.0.0.1:4321")
        );
        assert_eq!(
            url_in("Serving at http://[::1]:80/ (ready).").as_deref(),
            Some("http://[::1]:80")
        );
        assert_eq!(url_in("starting"), None);
        assert_eq!(url_in("http:// nothing"), None);
    }
}
