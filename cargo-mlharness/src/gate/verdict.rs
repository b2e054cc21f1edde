//! The rules that turn a test run into PASS or FAIL.

use super::coverage::Coverage;
use super::junit::{TestCase, TestStatus};
use super::{GateConfig, Kind};
use serde::Serialize;
use std::collections::BTreeMap;

/// Which tests a run selected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "mode", content = "kinds")]
pub enum Mode {
    /// Everything, with coverage: for pre-push and CI.
    Full,
    /// The quick kinds of the configuration, without coverage: for pre-commit and TDD.
    Quick(Vec<Kind>),
    /// The kinds named with `--kind`.
    Kinds(Vec<Kind>),
}

/// Whether coverage was measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum CoverageStatus {
    /// Measured.
    Measured {
        /// What was measured.
        coverage: Coverage,
    },
    /// Not measured on purpose (`--no-coverage`, `--quick`, `--kind`).
    Skipped {
        /// Why.
        reason: String,
    },
    /// Could not be measured (the tool is missing and could not be installed…).
    Unavailable {
        /// Why.
        reason: String,
    },
}

/// Everything a run produced that the verdict depends on.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Which tests were selected.
    pub mode: Mode,
    /// Every test that ran, from the JUnit report.
    pub tests: Vec<TestCase>,
    /// Selected tests that did not run because they are `#[ignore]`d.
    pub skipped: usize,
    /// Tests of the workspace that the selection (`--quick`, `--kind`, `-E`) left out.
    pub not_selected: usize,
    /// Tests that left a subprocess or handle running after they ended (`binary test`).
    pub leaky: Vec<String>,
    /// The time limit per test in seconds, for the message of a test that ran past it.
    pub test_timeout: u64,
    /// Coverage, or why there is none.
    pub coverage: CoverageStatus,
    /// Something that stopped the run itself: a build failure, a crash of the runner.
    pub problem: Option<String>,
}

/// Passed, failed and skipped tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Passed (including flaky tests that passed on a retry).
    pub passed: usize,
    /// Failed, crashed or timed out.
    pub failed: usize,
    /// Of the failed, those stopped at the time limit.
    pub timed_out: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, outcome: TestStatus) {
        match outcome {
            TestStatus::Passed | TestStatus::Flaky => self.passed += 1,
            TestStatus::Failed => self.failed += 1,
            TestStatus::TimedOut => {
                self.failed += 1;
                self.timed_out += 1;
            }
            TestStatus::Skipped => self.skipped += 1,
        }
    }
}

impl Run {
    /// Totals over every test.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for t in &self.tests {
            c.add(t.outcome);
        }
        c.skipped += self.skipped;
        c
    }

    /// Counts per kind, every kind present (zero when it has no test).
    pub fn kind_counts(&self) -> BTreeMap<Kind, Counts> {
        let mut m: BTreeMap<Kind, Counts> =
            Kind::ALL.iter().map(|&k| (k, Counts::default())).collect();
        for t in &self.tests {
            m.entry(t.kind).or_default().add(t.outcome);
        }
        m
    }

    /// Counts per crate.
    pub fn crate_counts(&self) -> BTreeMap<String, Counts> {
        let mut m: BTreeMap<String, Counts> = BTreeMap::new();
        for t in &self.tests {
            m.entry(t.crate_name().to_string())
                .or_default()
                .add(t.outcome);
        }
        m
    }
}

/// PASS or FAIL, with every reason for a FAIL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// True for PASS.
    pub pass: bool,
    /// Why it failed, one line each (empty on PASS).
    pub reasons: Vec<String>,
}

/// Decides the verdict. PASS exactly when the run completed, at least one test ran, none
/// failed, and — in a full run — line coverage meets the minimum (or, unmeasurable, is not
/// required) and every required kind has a test.
///
/// ```
/// use cargo_mlharness::gate::verdict::{decide, CoverageStatus, Mode, Run};
/// use cargo_mlharness::gate::GateConfig;
/// let run = Run { mode: Mode::Full, tests: vec![], skipped: 0, not_selected: 0, leaky: vec![],
///     test_timeout: 300, problem: None,
///     coverage: CoverageStatus::Skipped { reason: "--no-coverage".into() } };
/// let verdict = decide(&run, &GateConfig::default());
/// assert!(!verdict.pass);
/// assert_eq!(verdict.reasons[0], "no tests ran");
/// ```
pub fn decide(run: &Run, config: &GateConfig) -> Verdict {
    let mut reasons = Vec::new();
    if let Some(problem) = &run.problem {
        reasons.push(problem.clone());
    }
    let counts = run.counts();
    if run.tests.is_empty() && run.problem.is_none() {
        reasons.push("no tests ran".to_string());
    }
    if counts.failed > 0 {
        let timed_out = match counts.timed_out {
            0 => String::new(),
            n => format!(
                " ({n} timed out after {} s, gate.test_timeout)",
                run.test_timeout
            ),
        };
        reasons.push(format!(
            "{} test{} failed{timed_out}",
            counts.failed,
            if counts.failed == 1 { "" } else { "s" }
        ));
    }
    if run.mode == Mode::Full {
        match &run.coverage {
            CoverageStatus::Measured { coverage } => {
                let lines = coverage.totals.lines.percent;
                if lines < config.min_coverage {
                    reasons.push(format!(
                        "line coverage {lines:.1}% is below the minimum {}% (short by {:.1} points; the minimum is {})",
                        config.min_coverage,
                        config.min_coverage - lines,
                        config.origin("gate.min_coverage")
                    ));
                }
            }
            CoverageStatus::Unavailable { reason } if config.require_coverage => {
                reasons.push(format!(
                    "coverage could not be measured ({reason}); it is required by {}",
                    config.origin("gate.require_coverage")
                ))
            }
            _ => {}
        }
        let kinds = run.kind_counts();
        for kind in &config.required_kinds {
            let c = kinds.get(kind).copied().unwrap_or_default();
            if c.passed + c.failed == 0 && run.problem.is_none() {
                reasons.push(format!(
                    "no {kind} tests ran, but mlharness.toml requires at least one (gate.required_kinds)"
                ));
            }
        }
    }
    Verdict {
        pass: reasons.is_empty(),
        reasons,
    }
}
