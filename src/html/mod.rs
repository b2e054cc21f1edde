//! Self-contained HTML reports (feature `html`): one file, inline CSS and SVG, no network, no
//! script needed to read it (a small inline one sorts tables and opens every section for print).
//!
//! Each kit's report renders from its one serde form ([`DriftReport::to_html`] draws every
//! column's distributions); [`page`] and [`outcome`] are the parts they share, and the gate's
//! `report.html` is made of the same parts. A check that fails in a test leaves its page in the
//! report directory ([`report_dir`]) and the failure message names the file.
//!
//! ```
//! use mlharness::html;
//! use mlharness::prelude::*;
//! let failed = Outcome::fail(Kind::Unit, "scaled", "column `age` has mean 3");
//! let page = html::page("scaled", Some(false), html::outcome(&failed));
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(page.contains("column `age` has mean 3"));
//! ```
//!
//! [`DriftReport::to_html`]: crate::drift::DriftReport::to_html

pub mod chart;

/// The template crate the pages are made with, for pages of your own made of these parts.
pub use maud;

use crate::check::Outcome;
use crate::figure::Figure;
use crate::table::Table;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use std::path::{Path, PathBuf};

/// Light and dark colours, print rules; inline so the file needs nothing else.
const STYLE: &str = include_str!("style.css");
/// Sorting of `table.sortable` by a click on a header, and every `<details>` opened for print.
const SCRIPT: &str = include_str!("script.js");

/// A whole page: `title`, the verdict badge when there is one (`Some(true)` passed), then `body`.
///
/// ```
/// let page = mlharness::html::page("drift", Some(true), maud::html! { p { "fine" } });
/// assert!(page.contains("<title>drift</title>") && page.contains("PASS"));
/// ```
pub fn page(title: &str, passed: Option<bool>, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                meta name="generator" content=(concat!("mlharness ", env!("CARGO_PKG_VERSION")));
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    @if let Some(p) = passed {
                        span.verdict.pass[p].fail[!p] { @if p { "PASS" } @else { "FAIL" } }
                    }
                    h1 { (title) }
                }
                main { (body) }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    }
    .into_string()
}

/// A check's outcome: passed or failed, its headline, its evidence table and its notes.
pub fn outcome(o: &Outcome) -> Markup {
    let passed = o.passed();
    html! {
        section.outcome.failed[!passed] {
            h2 {
                span.badge.pass[passed].fail[!passed] { @if passed { "passed" } @else { "FAILED" } }
                " " code { (o.name()) }
                " " span.kind { (o.kind().to_string()) }
            }
            @if !o.headline().is_empty() { p.headline { (o.headline()) } }
            @if !o.table().is_empty() { (table(o.table())) }
            @for note in o.notes() {
                // A note may hold a table of its own (the most changed rows): kept as laid out.
                @if note.contains('\n') { pre.note { (note) } } @else { p.note { (note) } }
            }
            @if !o.figures().is_empty() {
                div.charts { @for f in o.figures() { (figure(f)) } }
            }
        }
    }
}

/// A [`Figure`] drawn as its chart.
///
/// ```
/// use mlharness::figure::Figure;
/// let f = Figure::Bars { title: "Changed rows".into(), unit: "rows".into(), rows: vec![("yes → no".into(), 4.0)] };
/// assert!(mlharness::html::figure(&f).into_string().contains("<svg"));
/// ```
pub fn figure(f: &Figure) -> Markup {
    match f {
        Figure::Intervals {
            title,
            unit,
            reference_name,
            rows,
        } => html! { (chart::intervals(title, rows, unit, reference_name)) },
        Figure::Bars { title, unit, rows } => html! { (chart::bars(title, rows, unit)) },
        Figure::Pairs {
            title,
            labels,
            first,
            second,
        } => html! {
            (chart::category_shares(title, labels, [(first.0.as_str(), &first.1), (second.0.as_str(), &second.1)]))
        },
        Figure::Latency {
            title,
            samples_ms,
            marks,
        } => {
            let marks: Vec<(&str, f64)> = marks.iter().map(|(n, v)| (n.as_str(), *v)).collect();
            html! { (chart::latency(title, samples_ms, &marks)) }
        }
    }
}

/// A [`Table`] as a sortable HTML table (click a header; numbers sort as numbers).
///
/// ```
/// let mut t = mlharness::table::Table::new(["column", "rows"]);
/// t.row(["age", "3"]);
/// assert!(mlharness::html::table(&t).into_string().contains("<td>age</td>"));
/// ```
pub fn table(t: &Table) -> Markup {
    html! {
        div.scroll {
            table.sortable {
                thead { tr { @for h in t.headers() { th scope="col" { (h) } } } }
                tbody { @for row in t.rows() { tr { @for cell in row { td { (cell) } } } } }
            }
        }
    }
}

/// Where a failing check leaves its HTML page: `MLHARNESS_REPORT_DIR` (the gate sets it to
/// `<target>/mlharness/reports`, next to its own `report.html`), otherwise
/// `<target>/mlharness/reports` of the test binary that runs; `None` outside a cargo target
/// directory (a doc-test), where nothing is written.
pub fn report_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("MLHARNESS_REPORT_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    // A test binary lives at <target>/<profile>/deps/<name>-<hash>.
    let exe = std::env::current_exe().ok()?;
    let deps = exe.parent()?;
    if deps.file_name()? != "deps" {
        return None;
    }
    Some(deps.parent()?.parent()?.join("mlharness").join("reports"))
}

/// The file name a test's page gets, from its nextest binary ID and name (`app::drift`,
/// `mlharness_drift::tenure`): `::` as `.`, other characters a file name should not hold as
/// `_`; a long name is cut and ends on a hash of the whole, so two tests never share a page.
///
/// ```
/// use mlharness::html::page_file_name;
/// assert_eq!(page_file_name("app::drift::mlharness_drift::tenure"), "app.drift.mlharness_drift.tenure.html");
/// assert_ne!(page_file_name(&"x".repeat(300)), page_file_name(&format!("{}y", "x".repeat(299))));
/// ```
pub fn page_file_name(test: &str) -> String {
    use std::hash::{Hash, Hasher};
    const MAX: usize = 150;
    let safe: String = test
        .replace("::", ".")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.len() <= MAX && safe.as_str() == test.replace("::", ".") {
        return format!("{safe}.html");
    }
    // Cut or changed: the hash of the full name keeps names apart (one toolchain builds both
    // the test and the gate, so both sides compute the same one).
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    test.hash(&mut hasher);
    let cut: String = safe.chars().take(MAX).collect();
    format!("{cut}-{:016x}.html", hasher.finish())
}

/// What a running test's page is named after: nextest's binary ID (`NEXTEST_BINARY_ID`, so
/// the gate can find it) and the test's name.
pub(crate) fn page_key(test: &str) -> String {
    match std::env::var("NEXTEST_BINARY_ID") {
        Ok(binary) if !binary.is_empty() => format!("{binary}::{test}"),
        _ => test.to_string(),
    }
}

/// Writes a failing check's page for `test` into [`report_dir`] (atomically), returning the
/// path; `None` when there is no report directory or it cannot be written (the failure is
/// reported either way: the page is evidence, not the verdict).
pub(crate) fn leave_page(test: &str, html: &str) -> Option<PathBuf> {
    let path = report_dir()?.join(page_file_name(&page_key(test)));
    crate::fs::write_atomic(&path, html).ok()?;
    Some(relative_to_cwd(&path))
}

/// A path as the user would type it from where the test runs, when it is below it.
fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// The page of failed outcomes that have no report of their own to draw.
pub(crate) fn outcomes_page(test: &str, outcomes: &[Outcome]) -> String {
    let passed = outcomes.iter().all(Outcome::passed);
    page(
        test,
        Some(passed),
        html! { @for o in outcomes { (outcome(o)) } },
    )
}
