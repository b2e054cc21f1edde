//! The drift report as one HTML page: the verdict, every test sorted by effect size, and per
//! column its two distributions drawn over each other (feature `html`).

use super::column::{Aspect, ColumnDrift, Profile};
use super::DriftReport;
use crate::html::{self, chart};
use crate::table::significant;
use maud::{html, Markup};
use std::path::Path;

/// Columns the page draws (the drifted, then the largest effects); the rest are in its table.
const MAX_CHARTED: usize = 100;

/// A row's effect size for ordering: a NaN or missing one last.
fn effect(r: &ColumnDrift) -> f64 {
    r.effect_size
        .filter(|v| v.is_finite())
        .unwrap_or(f64::NEG_INFINITY)
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |v| significant(v, 4))
}

impl DriftReport {
    /// The report as one self-contained HTML page: the verdict on top, a sortable table of every
    /// test, then one section per column (largest effect first) with the reference and current
    /// distributions overlaid (a histogram for a numeric column, bars for categories), the two
    /// ECDFs with the KS distance marked, and the test, statistic, p-value, effect size and
    /// threshold. Inline SVG and CSS, no network.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::drift::DriftOptions;
    /// let a = Dataset::from_columns(vec![("x".into(), Column::numeric((0..100).map(f64::from).collect()))])?;
    /// let b = Dataset::from_columns(vec![("x".into(), Column::numeric((30..130).map(f64::from).collect()))])?;
    /// let page = DriftOptions::default().compare(&a, &b)?.to_html();
    /// assert!(page.contains("FAIL") && page.contains("x: ECDF"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_html(&self) -> String {
        // The rows of each column, grouped once: a report of 50,000 columns is one pass.
        let mut order: Vec<&str> = Vec::new();
        let mut by_column: std::collections::HashMap<&str, Vec<&ColumnDrift>> = Default::default();
        for row in &self.columns {
            by_column
                .entry(row.column.as_str())
                .or_insert_with(|| {
                    order.push(row.column.as_str());
                    Vec::new()
                })
                .push(row);
        }
        let key = |name: &str| {
            let rows = &by_column[name];
            let effect = rows
                .iter()
                .map(|r| effect(r))
                .fold(f64::NEG_INFINITY, f64::max);
            (rows.iter().any(|r| r.drift), effect)
        };
        // Drifted columns first, then by effect size: what moved most is read first.
        order.sort_by(|a, b| {
            let ((da, ea), (db, eb)) = (key(a), key(b));
            db.cmp(&da).then(eb.total_cmp(&ea))
        });
        let uncharted = order.len().saturating_sub(MAX_CHARTED);
        let body = html! {
            p.summary { (self.summary()) }
            p.muted { (self.settings()) }
            @if !self.left_out.is_empty() {
                p.note { "Left out (on one side only): " (self.left_out.join(", ")) }
            }
            h2 { "Tests" }
            (self.tests_table())
            h2 { "Columns" }
            @for name in order.iter().take(MAX_CHARTED) {
                (column_section(name, &by_column[name]))
            }
            @if uncharted > 0 {
                p.note { (uncharted) " more columns, with smaller effects, are in the table above without charts." }
            }
        };
        html::page("Drift report", Some(!self.drift), body)
    }

    /// Writes [`to_html`](Self::to_html) to `path`, atomically.
    ///
    /// ```
    /// # use mlharness::data::{Column, Dataset};
    /// # use mlharness::drift::DriftOptions;
    /// # let a = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 3.0]))])?;
    /// let dir = tempfile::tempdir()?;
    /// DriftOptions::default().compare(&a, &a)?.write_html(dir.path().join("drift.html"))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_html(&self, path: impl AsRef<Path>) -> Result<(), crate::fs::WriteError> {
        crate::fs::write_atomic(path, self.to_html())
    }

    fn tests_table(&self) -> Markup {
        let mut rows: Vec<&ColumnDrift> = self.columns.iter().collect();
        rows.sort_by(|a, b| b.drift.cmp(&a.drift).then(effect(b).total_cmp(&effect(a))));
        html! {
            div.scroll { table.sortable {
                thead { tr {
                    th { "column" } th { "aspect" } th { "test" } th.num { "statistic" } th.num { "p-value" }
                    th.num { "adjusted p" } th.num { "effect size" } th.num { "threshold" } th { "decided by" } th { "drift" }
                } }
                tbody { @for r in rows {
                    tr.fail[r.drift] {
                        td { a href={ "#col-" (anchor(&r.column)) } { (r.column) } }
                        td { (aspect(r.aspect)) }
                        td { (r.test) }
                        td.num { (opt(r.statistic)) }
                        td.num { (opt(r.p_value)) }
                        td.num { (opt(r.adjusted_p_value)) }
                        td.num { (opt(r.effect_size)) }
                        td.num { (opt(r.threshold)) }
                        td { (decided(r)) }
                        td { @if r.drift { "DRIFT" } @else { "no" } }
                    }
                } }
            } }
        }
    }
}

fn column_section(name: &str, rows: &[&ColumnDrift]) -> Markup {
    let drifted = rows.iter().any(|r| r.drift);
    let profile = rows
        .iter()
        .find(|r| r.aspect == Aspect::Distribution)
        .and_then(|r| r.profile.as_ref().map(|p| (p, *r)));
    html! {
        section.column.failed[drifted] id={ "col-" (anchor(name)) } {
            h3 {
                span.badge.pass[!drifted].fail[drifted] { @if drifted { "DRIFT" } @else { "no drift" } }
                " " code { (name) }
            }
            @if let Some((p, row)) = profile {
                div.charts { (charts(name, p, row)) }
            }
            ul {
                @for r in rows {
                    li {
                        (aspect(r.aspect)) ": " code { (r.test) } " statistic " (opt(r.statistic))
                        ", p " (opt(r.p_value)) " (adjusted " (opt(r.adjusted_p_value)) ")"
                        ", " (r.effect_measure) " " (opt(r.effect_size))
                        ", decided by " (decided(r)) " against " (opt(r.threshold))
                        ", " (r.reference_n) " → " (r.current_n) " values"
                        @if let Some(note) = &r.note { " — " (note) }
                    }
                }
            }
        }
    }
}

fn charts(name: &str, profile: &Profile, row: &ColumnDrift) -> Markup {
    match profile {
        Profile::Numeric {
            edges,
            reference,
            current,
            reference_quantiles,
            current_quantiles,
            ks_at,
        } => {
            let gap = chart::Gap {
                x: ks_at.x,
                first: ks_at.reference,
                second: ks_at.current,
            };
            html! {
                (chart::histograms(name, edges, [("reference", reference), ("current", current)]))
                (chart::ecdfs(name, [("reference", reference_quantiles), ("current", current_quantiles)], row.statistic.map(|_| gap)))
            }
        }
        Profile::Categorical {
            levels,
            reference,
            current,
        } => html! {
            (chart::category_shares(name, levels, [("reference", reference), ("current", current)]))
        },
    }
}

fn aspect(a: Aspect) -> &'static str {
    match a {
        Aspect::Distribution => "distribution",
        Aspect::Missing => "missing share",
        Aspect::Zeros => "zero share",
    }
}

fn decided(r: &ColumnDrift) -> &'static str {
    match r.decided_by {
        super::DecidedBy::PValue => "p-value",
        super::DecidedBy::EffectSize => "effect size",
        super::DecidedBy::Nothing => "nothing to test",
    }
}

/// An id for a column's section: letters and digits as they are, anything else as `_` and its
/// code point, so that two column names never share one.
fn anchor(name: &str) -> String {
    let mut id = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else {
            // Terminated, so `é1` (`_e9_1`) and `ຑ` (`_e91_`) stay apart.
            id.push_str(&format!("_{:x}_", c as u32));
        }
    }
    id
}
