//! Time budgets: "100,000 rows predicted in under 2 s", or, robust on a noisy CI machine,
//! "a batch of 1,000 rows costs at most 50 single-row calls" — a budget relative to a reference
//! run on the same machine at the same moment. Each side is run several times, interleaved,
//! and the medians are compared, so one slow run (a page fault, a neighbour's build) does not
//! fail a test.
//!
//! The relative form catches what the absolute form cannot state portably: batch scoring that
//! went row by row is as slow per row as a single-row call, a healthy batch is many times
//! faster.
//!
//! ```
//! use mlharness::budget::TimeBudget;
//! use mlharness::check::Checked;
//! use std::time::Duration;
//!
//! let sum = |n: u64| (0..n).fold(0u64, |a, b| a.wrapping_add(b * b));
//! TimeBudget::at_most(Duration::from_secs(5))
//!     .check("a million squares", || Ok::<_, String>(sum(1_000_000)))?
//!     .assert_passed();
//! // Work that grows with n must cost more than a tenth of it: relative budgets say by how much.
//! let relative = TimeBudget::relative(0.1)
//!     .check_against("10x the work", || Ok::<_, String>(sum(100_000)), || Ok(sum(1_000_000)))?;
//! assert!(!relative.passed());
//! # Ok::<(), mlharness::check::CheckError>(())
//! ```

use crate::check::{CheckError, InvalidSetting, Outcome};
use crate::kind::Kind;
use crate::table::Table;
use std::fmt::Display;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// How long a call may take: an absolute limit, or a multiple of a reference call's time.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeBudget {
    limit: Limit,
    runs: usize,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Limit {
    Absolute(Duration),
    Relative(f64),
}

impl TimeBudget {
    /// The median run must take less than `limit` (5 runs by default).
    pub fn at_most(limit: Duration) -> Self {
        TimeBudget {
            limit: Limit::Absolute(limit),
            runs: 5,
            kind: Kind::Integration,
        }
    }

    /// The candidate's median must be at most `factor` × the reference's median, the two
    /// measured in turn (5 runs each by default).
    pub fn relative(factor: f64) -> Self {
        TimeBudget {
            limit: Limit::Relative(factor),
            runs: 5,
            kind: Kind::Integration,
        }
    }

    /// Runs per side (at least 1; default 5). The median of an odd count is one real run.
    pub fn runs(mut self, runs: usize) -> Self {
        self.runs = runs;
        self
    }

    /// The kind of test the outcome belongs to (default integration; an edge-case run's budget
    /// is `Kind::EdgeCase`).
    pub fn kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    fn validate(&self) -> Result<(), CheckError> {
        if self.runs == 0 {
            return Err(InvalidSetting::new("time budget", "runs", "at least 1", 0).into());
        }
        if let Limit::Relative(f) = self.limit {
            if !(f > 0.0 && f.is_finite()) {
                return Err(InvalidSetting::new(
                    "time budget",
                    "factor",
                    "a finite number > 0",
                    crate::table::number(f),
                )
                .into());
            }
        }
        Ok(())
    }

    /// Times `call` against an absolute budget. A call that fails fails the check (what is
    /// timed must work), naming the run.
    pub fn check<T, E: Display>(
        &self,
        name: &str,
        mut call: impl FnMut() -> Result<T, E>,
    ) -> Result<Outcome, CheckError> {
        self.validate()?;
        let Limit::Absolute(limit) = self.limit else {
            return Err(InvalidSetting::new(
                "time budget",
                "limit",
                "an absolute limit (`TimeBudget::at_most`); a relative one needs `check_against`",
                "relative",
            )
            .into());
        };
        let check = format!("time budget: {name} in under {}", ms(limit));
        let mut times = Vec::with_capacity(self.runs);
        for run in 1..=self.runs {
            match timed(&mut call) {
                Ok(t) => times.push(t),
                Err(e) => return Ok(failed_run(self.kind, check, run, &e)),
            }
        }
        let median = median(&mut times);
        let mut t = Table::new(["", "median", "runs (ms, sorted)"]);
        t.row(["call".to_string(), ms(median), runs_text(&times)]);
        let outcome = if median < limit {
            Outcome::pass(self.kind, check)
        } else {
            let over = median - limit;
            Outcome::fail(
                self.kind,
                check,
                format!(
                    "the median of {} runs is {}, over the budget by {} ({:.0}%)",
                    self.runs,
                    ms(median),
                    ms(over),
                    100.0 * over.as_secs_f64() / limit.as_secs_f64()
                ),
            )
        };
        Ok(outcome.with_table(t))
    }

    /// Times `candidate` against `reference`, run in turn, and compares the medians with the
    /// relative budget.
    pub fn check_against<T, U, E: Display>(
        &self,
        name: &str,
        mut reference: impl FnMut() -> Result<T, E>,
        mut candidate: impl FnMut() -> Result<U, E>,
    ) -> Result<Outcome, CheckError> {
        self.validate()?;
        let Limit::Relative(factor) = self.limit else {
            return Err(InvalidSetting::new(
                "time budget",
                "limit",
                "a relative limit (`TimeBudget::relative`); an absolute one needs `check`",
                "absolute",
            )
            .into());
        };
        let check = format!("time budget: {name} within {factor}× the reference");
        let (mut r, mut c) = (Vec::new(), Vec::new());
        for run in 1..=self.runs {
            match timed(&mut reference) {
                Ok(t) => r.push(t),
                Err(e) => return Ok(failed_run(self.kind, check, run, &e)),
            }
            match timed(&mut candidate) {
                Ok(t) => c.push(t),
                Err(e) => return Ok(failed_run(self.kind, check, run, &e)),
            }
        }
        let (rm, cm) = (median(&mut r), median(&mut c));
        let ratio = cm.as_secs_f64() / rm.as_secs_f64().max(1e-9);
        let mut t = Table::new(["", "median", "runs (ms, sorted)"]);
        t.row(["reference".to_string(), ms(rm), runs_text(&r)]);
        t.row(["candidate".to_string(), ms(cm), runs_text(&c)]);
        let outcome = if ratio <= factor {
            Outcome::pass(self.kind, check).with_headline(format!("{ratio:.2}× the reference"))
        } else {
            Outcome::fail(
                self.kind,
                check,
                format!(
                    "the candidate takes {ratio:.1}× the reference's time, above {factor}× \
                     ({:.1}× over)",
                    ratio / factor
                ),
            )
        };
        Ok(outcome.with_table(t))
    }
}

fn timed<T, E>(call: &mut impl FnMut() -> Result<T, E>) -> Result<Duration, E> {
    let start = Instant::now();
    let value = call()?;
    let elapsed = start.elapsed();
    black_box(value);
    Ok(elapsed)
}

fn failed_run(kind: Kind, check: String, run: usize, e: &dyn Display) -> Outcome {
    Outcome::fail(
        kind,
        check,
        format!("run {run} of the timed call failed: {e}"),
    )
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn runs_text(times: &[Duration]) -> String {
    times
        .iter()
        .map(|t| format!("{:.2}", t.as_secs_f64() * 1e3))
        .collect::<Vec<_>>()
        .join(" ")
}
