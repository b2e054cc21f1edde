//! A latency probe: N requests at a bounded concurrency (plain threads), then p50/p95/p99,
//! errors and throughput, and checks of them whose outcome fails with a table.
//!
//! ```
//! use mlharness::check::Checked;
//! use mlharness::system::LatencyProbe;
//! use std::time::Duration;
//!
//! // Any request function works; a service's would call `service.post_json(…)`.
//! let report = LatencyProbe::new(40, 4).run(|i| if i == 7 { Err("HTTP 500".into()) } else { Ok(()) });
//! assert_eq!((report.requests, report.errors), (40, 1));
//! report.p95_below(Duration::from_secs(1)).assert_passed();
//! let failure = report.no_errors().assert_failed();
//! assert!(failure.to_string().contains("1 of 40 requests failed"));
//! ```

use crate::check::Outcome;
use crate::figure::Figure;
use crate::kind::Kind;
use crate::table::Table;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many requests to send, and how many may be in flight at once.
#[derive(Debug, Clone, Copy)]
pub struct LatencyProbe {
    requests: usize,
    concurrency: usize,
}

/// What a probe measured.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LatencyReport {
    /// Requests sent.
    pub requests: usize,
    /// Concurrency used.
    pub concurrency: usize,
    /// Requests whose function returned an error.
    pub errors: usize,
    /// The first few error messages, with the request index.
    pub first_errors: Vec<(usize, String)>,
    /// Median latency.
    pub p50: Duration,
    /// 95th percentile latency.
    pub p95: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Slowest request.
    pub max: Duration,
    /// Wall-clock time of the whole probe.
    pub elapsed: Duration,
    /// Every latency, sorted (at most [`KEPT_LATENCIES`], evenly spaced over the sorted
    /// whole when there were more): what the HTML report's histogram draws.
    pub latencies: Vec<Duration>,
}

/// How many latencies a [`LatencyReport`] keeps for its picture.
pub const KEPT_LATENCIES: usize = 2_000;

impl LatencyProbe {
    /// `requests` requests, at most `concurrency` at once (both at least 1).
    pub fn new(requests: usize, concurrency: usize) -> Self {
        LatencyProbe {
            requests: requests.max(1),
            concurrency: concurrency.max(1),
        }
    }

    /// Calls `request(i)` for `i in 0..requests` from `concurrency` threads, timing each call.
    /// `Err(message)` counts as an error (a 5xx, a refused connection, a wrong answer).
    pub fn run<F>(&self, request: F) -> LatencyReport
    where
        F: Fn(usize) -> Result<(), String> + Sync,
    {
        let next = AtomicUsize::new(0);
        let latencies = Mutex::new(Vec::with_capacity(self.requests));
        let errors = Mutex::new(Vec::new());
        let start = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..self.concurrency.min(self.requests) {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= self.requests {
                            break;
                        }
                        let t = Instant::now();
                        let outcome = request(i);
                        mine.push(t.elapsed());
                        if let Err(e) = outcome {
                            if let Ok(mut errs) = errors.lock() {
                                errs.push((i, e));
                            }
                        }
                    }
                    if let Ok(mut all) = latencies.lock() {
                        all.extend(mine);
                    }
                });
            }
        });
        let elapsed = start.elapsed();
        let mut latencies = latencies.into_inner().unwrap_or_default();
        latencies.sort_unstable();
        let mut errors = errors.into_inner().unwrap_or_default();
        errors.sort_by_key(|(i, _)| *i);
        let n_errors = errors.len();
        errors.truncate(5);
        LatencyReport {
            requests: self.requests,
            concurrency: self.concurrency,
            errors: n_errors,
            first_errors: errors,
            p50: percentile(&latencies, 0.50),
            p95: percentile(&latencies, 0.95),
            p99: percentile(&latencies, 0.99),
            max: latencies.last().copied().unwrap_or_default(),
            elapsed,
            latencies: if latencies.len() > KEPT_LATENCIES {
                let step = latencies.len() as f64 / KEPT_LATENCIES as f64;
                (0..KEPT_LATENCIES)
                    .map(|i| latencies[(i as f64 * step) as usize])
                    .collect()
            } else {
                latencies
            },
        }
    }
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

impl LatencyReport {
    /// Requests per second over the whole probe.
    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The measurements as a table (percentiles, max, throughput, errors).
    pub fn table(&self) -> Table {
        let mut t = Table::new(["", "value"]).right_align(1);
        t.row(["requests".to_string(), self.requests.to_string()]);
        t.row(["concurrency".to_string(), self.concurrency.to_string()]);
        t.row(["p50".to_string(), ms(self.p50)]);
        t.row(["p95".to_string(), ms(self.p95)]);
        t.row(["p99".to_string(), ms(self.p99)]);
        t.row(["max".to_string(), ms(self.max)]);
        t.row([
            "throughput".to_string(),
            format!("{:.0} req/s", self.throughput()),
        ]);
        t.row(["errors".to_string(), self.errors.to_string()]);
        t
    }

    /// The latencies as a figure, p50, p95 and p99 marked (and `limit`, when there is one).
    ///
    /// ```
    /// use mlharness::system::LatencyProbe;
    /// let report = LatencyProbe::new(20, 2).run(|_| Ok(()));
    /// let figure = report.figure("a no-op", None);
    /// assert!(matches!(figure, mlharness::figure::Figure::Latency { ref samples_ms, .. } if samples_ms.len() == 20));
    /// ```
    pub fn figure(&self, title: &str, limit: Option<(&str, Duration)>) -> Figure {
        let in_ms = |d: Duration| d.as_secs_f64() * 1e3;
        let mut marks = vec![
            ("p50".to_string(), in_ms(self.p50)),
            ("p95".to_string(), in_ms(self.p95)),
            ("p99".to_string(), in_ms(self.p99)),
        ];
        if let Some((name, d)) = limit {
            marks.push((name.to_string(), in_ms(d)));
        }
        Figure::Latency {
            title: title.to_string(),
            samples_ms: self.latencies.iter().map(|d| in_ms(*d)).collect(),
            marks,
        }
    }

    /// The probe as one self-contained HTML page: the latency histogram with p50, p95 and p99
    /// marked, and the table of measurements (feature `html`).
    ///
    /// ```
    /// use mlharness::system::LatencyProbe;
    /// let page = LatencyProbe::new(50, 4).run(|_| Ok(())).to_html("POST /predict");
    /// assert!(page.contains("<svg") && page.contains("p99"));
    /// ```
    #[cfg(feature = "html")]
    pub fn to_html(&self, title: &str) -> String {
        let body = maud::html! {
            (crate::html::table(&self.table()))
            (crate::html::figure(&self.figure(title, None)))
        };
        crate::html::page(&format!("Latency of {title}"), Some(self.errors == 0), body)
    }

    fn below(&self, name: &str, found: Duration, limit: Duration) -> Outcome {
        let check = format!("latency {name} below {}", ms(limit));
        let figure = self.figure(
            &format!(
                "{} requests at concurrency {}",
                self.requests, self.concurrency
            ),
            Some(("limit", limit)),
        );
        if found < limit {
            return Outcome::pass(Kind::System, check)
                .with_table(self.table())
                .with_figure(figure);
        }
        Outcome::fail(
            Kind::System,
            check,
            format!(
                "{name} is {} but must be below {} ({} over) — {} requests at concurrency {}",
                ms(found),
                ms(limit),
                ms(found - limit),
                self.requests,
                self.concurrency
            ),
        )
        .with_table(self.table())
        .with_figure(figure)
    }

    /// Passes when the median latency is below `limit`.
    pub fn p50_below(&self, limit: Duration) -> Outcome {
        self.below("p50", self.p50, limit)
    }

    /// Passes when the 95th percentile latency is below `limit`.
    pub fn p95_below(&self, limit: Duration) -> Outcome {
        self.below("p95", self.p95, limit)
    }

    /// Passes when the 99th percentile latency is below `limit`.
    pub fn p99_below(&self, limit: Duration) -> Outcome {
        self.below("p99", self.p99, limit)
    }

    /// Fails when any request failed, listing the first few.
    pub fn no_errors(&self) -> Outcome {
        if self.errors == 0 {
            return Outcome::pass(Kind::System, "latency: no failed request");
        }
        let mut t = Table::new(["request", "error"]).right_align(0);
        for (i, e) in &self.first_errors {
            t.row([i.to_string(), e.clone()]);
        }
        Outcome::fail(
            Kind::System,
            "latency: no failed request",
            format!(
                "{} of {} requests failed (first {} below)",
                self.errors,
                self.requests,
                self.first_errors.len()
            ),
        )
        .with_table(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 0.5), Duration::from_millis(50));
        assert_eq!(percentile(&d, 0.95), Duration::from_millis(95));
        assert_eq!(percentile(&d, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&d[..1], 0.99), Duration::from_millis(1));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn slow_requests_fail_the_assertion_with_a_table() {
        let report = LatencyProbe::new(6, 3).run(|_| {
            std::thread::sleep(Duration::from_millis(30));
            Ok(())
        });
        assert_eq!(report.requests, 6);
        let outcome = report.p95_below(Duration::from_millis(5));
        assert!(!outcome.passed());
        let text = outcome.to_string();
        assert!(
            text.starts_with("FAILED latency p95 below 5.00 ms: p95 is "),
            "{text}"
        );
        assert!(text.contains("must be below 5.00 ms"), "{text}");
        assert!(text.contains("throughput"), "{text}");
    }
}
