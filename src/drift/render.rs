//! The report as text (a table), JSON and Markdown.

use super::column::DecidedBy;
use super::DriftReport;
use crate::check::Outcome;
use crate::kind::Kind;
use crate::table::{number, Table};
use std::fmt;

/// A number to four significant digits, as [`number`] prints it.
fn short(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return number(x);
    }
    let rounded: f64 = format!("{x:.3e}").parse().unwrap_or(x);
    number(rounded)
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), short)
}

impl DriftReport {
    /// The outcome: the summary, the drifted tests as its table, the settings as a note.
    pub(super) fn verdict(&self) -> Outcome {
        let summary = self.summary();
        let headline = summary.split_once(": ").map_or("", |(_, rest)| rest);
        let mut t = Table::new(Self::HEADER);
        for i in 2..6 {
            t = t.right_align(i);
        }
        for (row, cells) in self.columns.iter().zip(self.cells()) {
            if row.drift {
                t.row(cells);
            }
        }
        Outcome::new(Kind::Drift, "drift", !self.drift)
            .with_headline(headline)
            .with_table(t)
            .with_note(self.settings())
    }

    pub(super) fn summary(&self) -> String {
        let n = self.compared.len();
        let drifted = self.drifted_columns();
        let verdict = if self.drift { "DRIFT" } else { "no drift" };
        let mut s = format!(
            "{verdict}: {} of {n} columns drifted ({:.1}%, allowed {:.1}%)",
            drifted.len(),
            100.0 * self.drifted_share,
            100.0 * self.options.max_drifted_share
        );
        if !drifted.is_empty() {
            s.push_str(&format!(": {}", drifted.join(", ")));
        }
        s
    }

    pub(super) fn settings(&self) -> String {
        let o = &self.options;
        format!(
            "reference {} rows, current {} rows; p-values decide below {} values per side \
             (α {}, {} correction), effect sizes from there on (normalised Wasserstein ≥ {}, \
             Jensen–Shannon ≥ {})",
            self.reference_rows,
            self.current_rows,
            o.large_sample,
            number(o.alpha),
            o.correction.name(),
            number(o.numeric_threshold),
            number(o.categorical_threshold)
        )
    }

    fn cells(&self) -> Vec<[String; 9]> {
        self.columns
            .iter()
            .map(|r| {
                let threshold = match (r.decided_by, r.threshold) {
                    (DecidedBy::PValue, Some(t)) => format!("p < {}", number(t)),
                    (DecidedBy::EffectSize, Some(t)) => format!("effect ≥ {}", number(t)),
                    _ => "-".to_string(),
                };
                [
                    r.column.clone(),
                    r.test.to_string(),
                    opt(r.statistic),
                    opt(r.p_value),
                    opt(r.adjusted_p_value),
                    opt(r.effect_size),
                    threshold,
                    if r.drift { "DRIFT" } else { "ok" }.to_string(),
                    r.note.clone().unwrap_or_default(),
                ]
            })
            .collect()
    }

    const HEADER: [&'static str; 9] = [
        "column",
        "test",
        "statistic",
        "p-value",
        "adjusted p",
        "effect size",
        "decided by",
        "drift",
        "note",
    ];

    /// The report as JSON: `drift` (the verdict), `drifted_columns`, `drifted_share`, `columns`
    /// (one object per test: `column`, `aspect`, `test`, `statistic`, `p_value` (null where
    /// undefined), `adjusted_p_value`, `effect_size`, `effect_measure`, `decided_by`,
    /// `threshold`, `drift`, `reference_n`, `current_n`, `note`, and for a distribution test the
    /// `profile` the HTML report draws: shared histogram bins and 101 quantiles a side, or the
    /// compared level counts), the row counts and the options.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::drift::DriftOptions;
    /// let ds = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 3.0]))])?;
    /// let json: serde_json::Value = serde_json::from_str(&DriftOptions::default().compare(&ds, &ds)?.to_json())?;
    /// assert_eq!(json["drift"], false);
    /// assert_eq!(json["columns"][0]["test"], "ks");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serialises");
        s.push('\n');
        s
    }

    /// The report as a Markdown section (a verdict line and a table), for a CI summary.
    pub fn to_markdown(&self) -> String {
        let esc = |s: &str| s.replace('|', "\\|");
        let mut out = format!("**{}**\n\n{}\n\n", self.summary(), self.settings());
        out.push_str(&format!("| {} |\n", Self::HEADER.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(Self::HEADER.len())));
        for row in self.cells() {
            let cells: Vec<String> = row.iter().map(|c| esc(c)).collect();
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        out
    }
}

/// A verdict line, the settings, and a table of every test.
impl fmt::Display for DriftReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary())?;
        writeln!(f, "  {}", self.settings())?;
        let mut t = Table::new(Self::HEADER);
        for i in 2..6 {
            t = t.right_align(i);
        }
        for row in self.cells() {
            t.row(row);
        }
        write!(f, "{t}")
    }
}
