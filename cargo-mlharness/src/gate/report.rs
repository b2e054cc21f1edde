//! What a run reports: the terminal summary, `report.json` and `report.md`.
//!
//! `report.json` has a stable, versioned schema ([`SCHEMA_VERSION`]); fields are only ever
//! added within a version:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `schema_version` | integer | 1 |
//! | `verdict` | `"PASS"` \| `"FAIL"` | the one boolean |
//! | `reasons` | [string] | why it failed (empty on PASS) |
//! | `mode` | object | `{"mode": "full"}`, `{"mode": "quick", "kinds": [...]}` or `{"mode": "kinds", ...}` |
//! | `counts` | `{passed, failed, skipped}` | over every test |
//! | `kinds` | map kind → `{passed, failed, skipped}` | every kind, zeros included |
//! | `crates` | map crate → `{passed, failed, skipped}` | per workspace crate |
//! | `counts` also has `timed_out` | integer | of the failed, those stopped at `gate.test_timeout` |
//! | `failures` | [`{test, binary, kind, timed_out, first_lines}`] | each failed test and the start of its output |
//! | `not_selected` | integer | tests the selection (`--quick`, `--kind`, `-E`) left out; not counted as skipped |
//! | `leaky` | [string] | tests (`binary test`) whose subprocesses or handles outlived them |
//! | `slowest` | [`{test, binary, kind, seconds}`] | the ten slowest tests |
//! | `coverage` | object \| null | `lines_percent`, `functions_percent`, `regions_percent`, `crates` (per crate: `lines`, `functions`, `regions` as `{count, covered, percent}`); null when not measured |
//! | `coverage_note` | string \| null | why coverage is null |
//! | `duration_seconds` | number | wall time of the whole run |
//! | `tools` | map tool → version | cargo, cargo-nextest, cargo-llvm-cov, mlharness |

use super::coverage::Summary;
use super::junit::{TestCase, TestStatus};
use super::verdict::{Counts, CoverageStatus, Mode, Run, Verdict};
use super::{GateConfig, Kind};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Version of the `report.json` schema.
pub const SCHEMA_VERSION: u32 = 1;

/// How many lines of a failure's output the reports keep.
const FIRST_LINES: usize = 12;

/// The content of `report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct GateReport {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `"PASS"` or `"FAIL"`.
    pub verdict: &'static str,
    /// Why it failed.
    pub reasons: Vec<String>,
    /// Which tests were selected.
    pub mode: Mode,
    /// Over every test.
    pub counts: Counts,
    /// Per kind.
    pub kinds: BTreeMap<Kind, Counts>,
    /// Per crate.
    pub crates: BTreeMap<String, Counts>,
    /// Tests the selection left out.
    pub not_selected: usize,
    /// Tests that leaked a subprocess or handle.
    pub leaky: Vec<String>,
    /// Each failed test.
    pub failures: Vec<Failure>,
    /// The slowest tests.
    pub slowest: Vec<Timing>,
    /// Coverage, when measured.
    pub coverage: Option<CoverageReport>,
    /// Why coverage is absent.
    pub coverage_note: Option<String>,
    /// Wall time.
    pub duration_seconds: f64,
    /// Versions of the tools used.
    pub tools: BTreeMap<String, String>,
}

/// A failed test in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// Test name.
    pub test: String,
    /// nextest binary ID.
    pub binary: String,
    /// Its kind.
    pub kind: Kind,
    /// Stopped at the time limit.
    pub timed_out: bool,
    /// The start of its failure output.
    pub first_lines: Vec<String>,
}

/// A test's duration in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    /// Test name.
    pub test: String,
    /// nextest binary ID.
    pub binary: String,
    /// Its kind.
    pub kind: Kind,
    /// Wall time.
    pub seconds: f64,
}

/// Coverage in the report.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    /// Line coverage, percent.
    pub lines_percent: f64,
    /// Function coverage, percent.
    pub functions_percent: f64,
    /// Region coverage, percent.
    pub regions_percent: f64,
    /// Per crate.
    pub crates: BTreeMap<String, Summary>,
}

fn first_lines(output: &str) -> Vec<String> {
    // Backtraces say where the panic came from in std, not in the user's test: leave them out.
    output
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .take_while(|l| !l.starts_with("stack backtrace:"))
        .take(FIRST_LINES)
        .map(String::from)
        .collect()
}

impl GateReport {
    /// Builds the report of a run and its verdict.
    pub fn new(
        run: &Run,
        verdict: &Verdict,
        duration_seconds: f64,
        tools: BTreeMap<String, String>,
    ) -> Self {
        let failures = run
            .tests
            .iter()
            .filter(|t| t.outcome.is_failure())
            .map(|t| {
                let timed_out = t.outcome == TestStatus::TimedOut;
                let mut lines = first_lines(&t.output);
                if timed_out {
                    lines.insert(
                        0,
                        format!(
                            "timed out: stopped after {} s (gate.test_timeout in mlharness.toml)",
                            run.test_timeout
                        ),
                    );
                }
                Failure {
                    test: t.name.clone(),
                    binary: t.binary_id.clone(),
                    kind: t.kind,
                    timed_out,
                    first_lines: lines,
                }
            })
            .collect();
        let mut by_time: Vec<&TestCase> = run.tests.iter().collect();
        by_time.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
        let slowest = by_time
            .into_iter()
            .take(10)
            .map(|t| Timing {
                test: t.name.clone(),
                binary: t.binary_id.clone(),
                kind: t.kind,
                seconds: t.seconds,
            })
            .collect();
        let (coverage, coverage_note) = match &run.coverage {
            CoverageStatus::Measured { coverage } => (
                Some(CoverageReport {
                    lines_percent: coverage.totals.lines.percent,
                    functions_percent: coverage.totals.functions.percent,
                    regions_percent: coverage.totals.regions.percent,
                    crates: coverage.crates.clone(),
                }),
                None,
            ),
            CoverageStatus::Skipped { reason } | CoverageStatus::Unavailable { reason } => {
                (None, Some(reason.clone()))
            }
        };
        GateReport {
            schema_version: SCHEMA_VERSION,
            verdict: if verdict.pass { "PASS" } else { "FAIL" },
            reasons: verdict.reasons.clone(),
            mode: run.mode.clone(),
            counts: run.counts(),
            kinds: run.kind_counts(),
            crates: run.crate_counts(),
            not_selected: run.not_selected,
            leaky: run.leaky.clone(),
            failures,
            slowest,
            coverage,
            coverage_note,
            duration_seconds,
            tools,
        }
    }

    /// `report.json`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serialises") + "\n"
    }

    /// The verdict line: `PASS: 212 passed, 0 failed, 3 skipped`.
    pub fn verdict_line(&self) -> String {
        format!(
            "{}: {} passed, {} failed, {} skipped",
            self.verdict, self.counts.passed, self.counts.failed, self.counts.skipped
        )
    }

    fn kinds_line(&self) -> String {
        self.kinds
            .iter()
            .filter(|(k, c)| **k != Kind::Other || c.passed + c.failed > 0)
            .map(|(k, c)| {
                if c.failed > 0 {
                    format!("{k} {} ({} failed)", c.passed + c.failed, c.failed)
                } else {
                    format!("{k} {}", c.passed)
                }
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    fn coverage_line(&self, config: &GateConfig) -> String {
        match (&self.coverage, &self.coverage_note) {
            (Some(c), _) => format!(
                "coverage: {:.1}% of lines (minimum {}%), {:.1}% of functions, {:.1}% of regions",
                c.lines_percent, config.min_coverage, c.functions_percent, c.regions_percent
            ),
            (None, Some(note)) => format!("coverage: not measured ({note})"),
            (None, None) => "coverage: not measured".to_string(),
        }
    }

    /// The terminal summary, ending on the verdict line. Quiet when green: kinds, coverage,
    /// verdict. When red: each failure with the start of its output, and each reason.
    /// `report_dir` is where the reports are, as the user should read it.
    pub fn summary(&self, config: &GateConfig, report_dir: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "kinds: {}", self.kinds_line());
        if self.not_selected > 0 {
            let _ = writeln!(
                s,
                "not selected: {} test{} outside this selection",
                self.not_selected,
                if self.not_selected == 1 { "" } else { "s" }
            );
        }
        for t in &self.leaky {
            let _ = writeln!(
                s,
                "leaky: {t} (a subprocess or handle it started was still open when it ended)"
            );
        }
        for f in &self.failures {
            let status = if f.timed_out { "TIMEOUT" } else { "FAIL" };
            let _ = writeln!(s, "\n  {status} [{}] {} {}", f.kind, f.binary, f.test);
            for line in &f.first_lines {
                let _ = writeln!(s, "       {line}");
            }
        }
        if !self.failures.is_empty() {
            s.push('\n');
        }
        let _ = writeln!(s, "{}", self.coverage_line(config));
        for reason in &self.reasons {
            let _ = writeln!(s, "reason: {reason}");
        }
        let _ = writeln!(
            s,
            "report: {report_dir}/report.html (and report.json, report.md, junit.xml)"
        );
        let _ = write!(s, "{}", self.verdict_line());
        s
    }

    /// `report.md`, for a CI job summary.
    pub fn to_markdown(&self, config: &GateConfig) -> String {
        let mut s = String::new();
        let icon = if self.verdict == "PASS" { "✅" } else { "❌" };
        let _ = writeln!(s, "## {icon} mlharness: {}\n", self.verdict_line());
        for reason in &self.reasons {
            let _ = writeln!(s, "- {reason}");
        }
        for t in &self.leaky {
            let _ = writeln!(s, "- leaky: `{t}`");
        }
        if !self.reasons.is_empty() || !self.leaky.is_empty() {
            s.push('\n');
        }
        let _ = writeln!(
            s,
            "| kind | passed | failed | skipped |\n|---|---:|---:|---:|"
        );
        for (k, c) in &self.kinds {
            let _ = writeln!(s, "| {k} | {} | {} | {} |", c.passed, c.failed, c.skipped);
        }
        let _ = writeln!(s, "\n{}\n", self.coverage_line(config));
        if let Some(c) = &self.coverage {
            let _ = writeln!(
                s,
                "| crate | lines | functions | regions |\n|---|---:|---:|---:|"
            );
            for (name, sum) in &c.crates {
                let _ = writeln!(
                    s,
                    "| {name} | {:.1}% | {:.1}% | {:.1}% |",
                    sum.lines.percent, sum.functions.percent, sum.regions.percent
                );
            }
            s.push('\n');
        }
        if !self.failures.is_empty() {
            let _ = writeln!(s, "### Failures\n");
            for f in &self.failures {
                let _ = writeln!(
                    s,
                    "<details><summary><code>{} {}</code> ({})</summary>\n\n```text",
                    f.binary, f.test, f.kind
                );
                for line in &f.first_lines {
                    let _ = writeln!(s, "{line}");
                }
                let _ = writeln!(s, "```\n</details>\n");
            }
        }
        let _ = writeln!(
            s,
            "### Slowest tests\n\n| test | kind | seconds |\n|---|---|---:|"
        );
        for t in &self.slowest {
            let _ = writeln!(
                s,
                "| `{} {}` | {} | {:.3} |",
                t.binary, t.test, t.kind, t.seconds
            );
        }
        s
    }
}
