//! `report.html`: the run as one page, the verdict first. A failed run shows each failing test
//! with its output (the check's evidence table) before anything that passed, and links the page
//! a failing check left in `reports/`; a passing run shows the verdict and coverage first. Then
//! tests by kind, coverage per crate and per file (the uncovered lines of a file on demand),
//! what changed since the previous run, and the slowest tests.
//!
//! What the next run compares against is kept in `last-run.json` beside it.

use super::junit::{TestCase, TestStatus};
use super::report::GateReport;
use super::Kind;
use maud::{html, Markup};
use mlharness::html::{self as page, chart};
use mlharness::table::significant;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The directory, below the report directory, where failing checks leave their pages.
pub const PAGES: &str = "reports";
/// Lines of a failing test's output the page shows.
const OUTPUT_LINES: usize = 200;
/// Uncovered lines of one file shown with their source.
const SOURCE_LINES: usize = 300;
/// Uncovered lines shown with their source over the whole page; then line numbers only.
const SOURCE_BUDGET: usize = 20_000;
/// Failures shown with their output; the rest are counted.
const MAX_FAILURES: usize = 100;

/// One file's line coverage, from `lcov.info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileCoverage {
    /// The file, relative to the workspace root where it lies below it.
    pub path: String,
    /// Lines with code.
    pub lines: u64,
    /// Of those, executed at least once.
    pub covered: u64,
    /// The lines never executed.
    #[serde(skip)]
    pub uncovered: Vec<u32>,
    /// Where the file is, to show its uncovered lines.
    #[serde(skip)]
    pub source: PathBuf,
}

impl FileCoverage {
    fn percent(&self) -> f64 {
        if self.lines == 0 {
            100.0
        } else {
            100.0 * self.covered as f64 / self.lines as f64
        }
    }
}

/// Per-file coverage from an lcov tracefile; `None` when it is absent or unreadable (the
/// totals are measured either way: the files are detail).
pub fn read_lcov(path: &Path, root: &Path) -> Option<Vec<FileCoverage>> {
    let reader = lcov::Reader::open_file(path).ok()?;
    let mut files = Vec::new();
    let mut current: Option<FileCoverage> = None;
    for record in reader {
        match record.ok()? {
            lcov::Record::SourceFile { path } => {
                current = Some(FileCoverage {
                    path: path
                        .strip_prefix(root)
                        .unwrap_or(&path)
                        .display()
                        .to_string(),
                    lines: 0,
                    covered: 0,
                    uncovered: Vec::new(),
                    source: path,
                });
            }
            lcov::Record::LineData { line, count, .. } => {
                if let Some(f) = current.as_mut() {
                    f.lines += 1;
                    if count > 0 {
                        f.covered += 1;
                    } else {
                        f.uncovered.push(line);
                    }
                }
            }
            lcov::Record::EndOfRecord => files.extend(current.take()),
            _ => {}
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Some(files)
}

/// What the next run compares against.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LastRun {
    /// `binary test` → `passed`, `failed` or `skipped`.
    pub tests: BTreeMap<String, String>,
    /// Line coverage, percent, when measured.
    pub lines_percent: Option<f64>,
    /// Per file: line coverage, percent.
    pub files: BTreeMap<String, f64>,
}

fn status(s: TestStatus) -> &'static str {
    match s {
        TestStatus::Passed | TestStatus::Flaky => "passed",
        TestStatus::Failed | TestStatus::TimedOut => "failed",
        TestStatus::Skipped => "skipped",
    }
}

impl LastRun {
    /// The record of this run.
    pub fn of(report: &GateReport, tests: &[TestCase], files: &[FileCoverage]) -> LastRun {
        LastRun {
            tests: tests
                .iter()
                .map(|t| {
                    (
                        format!("{} {}", t.binary_id, t.name),
                        status(t.outcome).to_string(),
                    )
                })
                .collect(),
            lines_percent: report.coverage.as_ref().map(|c| c.lines_percent),
            files: files
                .iter()
                .map(|f| (f.path.clone(), f.percent()))
                .collect(),
        }
    }

    /// The previous run's record, if there is a readable one.
    pub fn read(path: &Path) -> Option<LastRun> {
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
    }
}

/// What changed between two runs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Tests in this run only.
    pub added: Vec<String>,
    /// Tests in the previous run only.
    pub removed: Vec<String>,
    /// Tests that failed now and did not before.
    pub newly_failing: Vec<String>,
    /// Tests that failed before and pass now.
    pub fixed: Vec<String>,
    /// Line coverage now minus before, in points.
    pub coverage_delta: Option<f64>,
    /// Files whose line coverage moved by at least a point: (file, before, now).
    pub files: Vec<(String, f64, f64)>,
}

impl Changes {
    /// The changes from `before` to `now`.
    ///
    /// ```
    /// use cargo_mlharness::gate::html::{Changes, LastRun};
    /// let mut before = LastRun::default();
    /// before.tests.insert("app t1".into(), "passed".into());
    /// before.tests.insert("app t2".into(), "passed".into());
    /// let mut now = before.clone();
    /// now.tests.remove("app t2");
    /// now.tests.insert("app t1".into(), "failed".into());
    /// let c = Changes::between(&before, &now);
    /// assert_eq!((c.removed, c.newly_failing), (vec!["app t2".to_string()], vec!["app t1".to_string()]));
    /// ```
    pub fn between(before: &LastRun, now: &LastRun) -> Changes {
        let mut c = Changes::default();
        for (test, s) in &now.tests {
            match before.tests.get(test) {
                None => c.added.push(test.clone()),
                Some(b) if s == "failed" && b != "failed" => c.newly_failing.push(test.clone()),
                Some(b) if s == "passed" && b == "failed" => c.fixed.push(test.clone()),
                _ => {}
            }
        }
        c.removed = before
            .tests
            .keys()
            .filter(|t| !now.tests.contains_key(*t))
            .cloned()
            .collect();
        c.coverage_delta = match (before.lines_percent, now.lines_percent) {
            (Some(b), Some(n)) => Some(n - b),
            _ => None,
        };
        for (file, n) in &now.files {
            if let Some(b) = before.files.get(file) {
                if (n - b).abs() >= 1.0 {
                    c.files.push((file.clone(), *b, *n));
                }
            }
        }
        c
    }

    fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.newly_failing.is_empty()
            && self.fixed.is_empty()
            && self.coverage_delta.is_none_or(|d| d.abs() < 0.05)
            && self.files.is_empty()
    }
}

/// Everything the page is made of.
pub struct Inputs<'a> {
    /// The run's report.
    pub report: &'a GateReport,
    /// Every test that ran.
    pub tests: &'a [TestCase],
    /// Per-file coverage (empty when not measured).
    pub files: &'a [FileCoverage],
    /// The changes since the previous run, when there was one.
    pub changes: Option<Changes>,
    /// The report directory (where `reports/` is).
    pub dir: &'a Path,
    /// The minimum line coverage.
    pub min_coverage: f64,
}

/// `report.html`.
pub fn render(i: &Inputs) -> String {
    let r = i.report;
    let passed = r.verdict == "PASS";
    let body = html! {
        p.summary { strong { (r.verdict_line()) } " in " (significant(r.duration_seconds, 3)) " s" }
        @for reason in &r.reasons { p.headline { "reason: " (reason) } }
        @if !r.failures.is_empty() { (failures(i)) }
        (coverage_summary(i))
        (kinds(r))
        @if let Some(c) = &i.changes { (changes(c)) }
        @if !i.files.is_empty() { (files(i)) }
        (slowest(r))
        @if !r.leaky.is_empty() {
            h2 { "Leaky tests" }
            ul { @for t in &r.leaky { li { code { (t) } " (a subprocess or handle it started was still open when it ended)" } } }
        }
        p.muted {
            @for (tool, v) in &r.tools { (tool) " " (v) " · " }
        }
    };
    page::page("mlharness gate", Some(passed), body)
}

fn failures(i: &Inputs) -> Markup {
    html! {
        h2 { "Failures" }
        @for f in i.report.failures.iter().take(MAX_FAILURES) {
            @let name = page::page_file_name(&format!("{}::{}", f.binary, f.test));
            @let evidence = i.dir.join(PAGES).join(&name);
            section.outcome.failed {
                h3 {
                    span.badge.fail { @if f.timed_out { "TIMEOUT" } @else { "FAIL" } }
                    " " code { (f.test) } " " span.kind { (f.kind.to_string()) " · " (f.binary) }
                }
                @if evidence.is_file() {
                    p { "Evidence with charts: " a href={ (PAGES) "/" (name) } { (PAGES) "/" (name) } }
                }
                @let output = i.tests.iter().find(|t| t.name == f.test && t.binary_id == f.binary).map(|t| t.output.as_str());
                pre { (shown_output(output, &f.first_lines)) }
            }
        }
        @if i.report.failures.len() > MAX_FAILURES {
            p.note { "… and " (i.report.failures.len() - MAX_FAILURES) " more failures, each in report.json and junit.xml." }
        }
    }
}

/// The failure's output without the backtrace, bounded.
fn shown_output(output: Option<&str>, first_lines: &[String]) -> String {
    match output {
        Some(o) if !o.trim().is_empty() => o
            .lines()
            .take_while(|l| !l.starts_with("stack backtrace:"))
            .take(OUTPUT_LINES)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => first_lines.join("\n"),
    }
}

fn coverage_summary(i: &Inputs) -> Markup {
    let r = i.report;
    html! {
        h2 { "Coverage" }
        @match (&r.coverage, &r.coverage_note) {
            (Some(c), _) => {
                p {
                    strong { (format!("{:.1}%", c.lines_percent)) } " of lines (minimum " (i.min_coverage) "%), "
                    (format!("{:.1}%", c.functions_percent)) " of functions, " (format!("{:.1}%", c.regions_percent)) " of regions"
                }
                div.scroll { table.sortable {
                    thead { tr { th { "crate" } th.num { "lines" } th.num { "covered" } th.num { "functions" } th.num { "regions" } } }
                    tbody { @for (name, s) in &c.crates {
                        tr.fail[s.lines.percent < i.min_coverage] {
                            td { (name) }
                            td.num { (format!("{:.1}%", s.lines.percent)) }
                            td.num { (s.lines.covered) " / " (s.lines.count) }
                            td.num { (format!("{:.1}%", s.functions.percent)) }
                            td.num { (format!("{:.1}%", s.regions.percent)) }
                        }
                    } }
                } }
            }
            (None, Some(note)) => p.muted { "Not measured: " (note) },
            (None, None) => p.muted { "Not measured." },
        }
    }
}

fn kinds(r: &GateReport) -> Markup {
    let shown: Vec<(&Kind, &super::verdict::Counts)> = r
        .kinds
        .iter()
        .filter(|(k, c)| **k != Kind::Other || c.passed + c.failed + c.skipped > 0)
        .collect();
    let bars: Vec<(String, f64)> = shown
        .iter()
        .map(|(k, c)| (k.to_string(), (c.passed + c.failed) as f64))
        .collect();
    html! {
        h2 { "Tests by kind" }
        div.scroll { table.sortable {
            thead { tr { th { "kind" } th.num { "passed" } th.num { "failed" } th.num { "skipped" } } }
            tbody { @for (k, c) in &shown {
                tr.fail[c.failed > 0] { td { (k.to_string()) } td.num { (c.passed) } td.num { (c.failed) } td.num { (c.skipped) } }
            } }
        } }
        (chart::bars("Tests per kind", &bars, "tests"))
        @if r.not_selected > 0 { p.muted { (r.not_selected) " tests outside this selection were not run." } }
    }
}

fn changes(c: &Changes) -> Markup {
    let list = |title: &str, items: &[String]| {
        html! {
            @if !items.is_empty() {
                details open[items.len() <= 10] {
                    summary { (title) " (" (items.len()) ")" }
                    ul { @for t in items.iter().take(500) { li { code { (t) } } } }
                    @if items.len() > 500 { p.muted { "… and " (items.len() - 500) " more" } }
                }
            }
        }
    };
    html! {
        h2 { "Since the previous run" }
        @if c.is_empty() {
            p.muted { "Nothing changed: the same tests with the same results and coverage." }
        } @else {
            @if let Some(d) = c.coverage_delta { p { "Line coverage " (format!("{d:+.2}")) " points." } }
            (list("Newly failing", &c.newly_failing))
            (list("Fixed", &c.fixed))
            (list("Added", &c.added))
            (list("Removed", &c.removed))
            @if !c.files.is_empty() {
                div.scroll { table.sortable {
                    thead { tr { th { "file" } th.num { "before" } th.num { "now" } th.num { "change" } } }
                    tbody { @for (f, b, n) in &c.files {
                        tr.fail[n < b] { td { code { (f) } } td.num { (format!("{b:.1}%")) } td.num { (format!("{n:.1}%")) } td.num { (format!("{:+.1}", n - b)) } }
                    } }
                } }
            }
        }
    }
}

fn files(i: &Inputs) -> Markup {
    let mut budget = SOURCE_BUDGET;
    html! {
        h2 { "Coverage per file" }
        p.muted { "Click a header to sort; open a file for its uncovered lines." }
        div.scroll { table.sortable {
            thead { tr { th { "file" } th.num { "lines" } th.num { "covered" } th.num { "uncovered" } } }
            tbody { @for f in i.files {
                tr.fail[f.percent() < i.min_coverage] {
                    td {
                        @if f.uncovered.is_empty() { code { (f.path) } } @else {
                            details {
                                summary { code { (f.path) } }
                                pre { (uncovered_source(f, &mut budget)) }
                            }
                        }
                    }
                    td.num data-sort=(f.percent()) { (format!("{:.1}%", f.percent())) }
                    td.num { (f.covered) " / " (f.lines) }
                    td.num { (f.uncovered.len()) }
                }
            } }
        } }
    }
}

/// The uncovered lines of a file with their numbers and text (only the numbers when the file
/// cannot be read), bounded.
fn uncovered_source(f: &FileCoverage, budget: &mut usize) -> String {
    if *budget == 0 {
        let numbers: Vec<String> = f.uncovered.iter().map(u32::to_string).collect();
        return format!("lines {}", numbers.join(", "));
    }
    let text = std::fs::read_to_string(&f.source).ok();
    let lines: Vec<&str> = text
        .as_deref()
        .map(|t| t.lines().collect())
        .unwrap_or_default();
    let mut out = String::new();
    let shown = f.uncovered.len().min(SOURCE_LINES).min(*budget);
    *budget -= shown;
    for n in f.uncovered.iter().take(shown) {
        let code = (*n as usize)
            .checked_sub(1)
            .and_then(|i| lines.get(i))
            .copied()
            .unwrap_or("");
        out.push_str(&format!("{n:>5} │ {code}\n"));
    }
    if f.uncovered.len() > shown {
        out.push_str(&format!("… and {} more lines\n", f.uncovered.len() - shown));
    }
    out
}

fn slowest(r: &GateReport) -> Markup {
    html! {
        h2 { "Slowest tests" }
        div.scroll { table.sortable {
            thead { tr { th { "test" } th { "kind" } th.num { "seconds" } } }
            tbody { @for t in &r.slowest {
                tr { td { code { (t.binary) " " (t.test) } } td { (t.kind.to_string()) } td.num { (format!("{:.3}", t.seconds)) } }
            } }
        } }
    }
}
