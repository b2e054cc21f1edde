//! The validation report as one HTML page: violations per column, with example rows
//! (feature `html`).

use super::validate::ValidationReport;
use crate::html::{self, chart};
use maud::html;
use std::collections::BTreeMap;
use std::path::Path;

impl ValidationReport {
    /// The report as one self-contained HTML page: the verdict, a chart of the rows in violation
    /// per column, and a sortable table of every violation with its example rows (0-based).
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::Schema;
    /// let train = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.0, 1.0]))])?;
    /// let bad = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.5, 9.0]))])?;
    /// let page = Schema::infer(&train).validate(&bad).to_html();
    /// assert!(page.contains("out_of_range") && page.contains("<svg"));
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn to_html(&self) -> String {
        let mut per_column: BTreeMap<&str, f64> = BTreeMap::new();
        for v in self.violations() {
            *per_column
                .entry(v.column.as_deref().unwrap_or("(dataset)"))
                .or_default() += v.count as f64;
        }
        let bars: Vec<(String, f64)> = per_column
            .into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect();
        let body = html! {
            (html::outcome(self.outcome()))
            @if !bars.is_empty() {
                (chart::bars("Rows in violation per column", &bars, "rows"))
            }
        };
        html::page("Schema validation", Some(self.outcome().passed()), body)
    }

    /// Writes [`to_html`](Self::to_html) to `path`, atomically.
    ///
    /// ```
    /// # use mlharness::data::{Column, Dataset};
    /// # use mlharness::schema::Schema;
    /// # let train = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.0, 1.0]))])?;
    /// let dir = tempfile::tempdir()?;
    /// Schema::infer(&train).validate(&train).write_html(dir.path().join("validation.html"))?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_html(&self, path: impl AsRef<Path>) -> Result<(), crate::fs::WriteError> {
        crate::fs::write_atomic(path, self.to_html())
    }
}
