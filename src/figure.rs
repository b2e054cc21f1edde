//! What a check's outcome would show as a picture, as data: an [`Outcome`](crate::check::Outcome)
//! carries its figures in its serde form, and the HTML reports (feature `html`) draw them, so a
//! failing benchmark, differential or system check's page shows its interval, bars or latencies.
//!
//! ```
//! use mlharness::figure::{Figure, IntervalRow};
//! use mlharness::prelude::*;
//! let o = Outcome::fail(Kind::BenchmarkScore, "beats baseline", "short by 0.02").with_figure(Figure::Intervals {
//!     title: "Improvement over the baseline".into(),
//!     unit: "roc_auc".into(),
//!     reference_name: "margin".into(),
//!     rows: vec![IntervalRow { label: "all rows".into(), estimate: 0.03, low: -0.01, high: 0.07, reference: Some(0.05) }],
//! });
//! assert_eq!(o.figures().len(), 1);
//! ```

use serde::Serialize;

/// An estimate with its interval, one row of [`Figure::Intervals`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalRow {
    /// What the row is (the whole test set, a slice).
    pub label: String,
    /// The point estimate.
    pub estimate: f64,
    /// The interval's lower end.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
    /// The value the row is judged against (a margin, a floor).
    pub reference: Option<f64>,
}

/// A figure of an outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "figure", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Figure {
    /// Estimates with their intervals, each against its reference value.
    Intervals {
        /// The figure's title.
        title: String,
        /// What the numbers are (a metric).
        unit: String,
        /// What the reference values are (`margin`, `floor`).
        reference_name: String,
        /// One row each.
        rows: Vec<IntervalRow>,
    },
    /// One bar per label.
    Bars {
        /// The figure's title.
        title: String,
        /// What the numbers are (`rows`, a metric).
        unit: String,
        /// Label and value.
        rows: Vec<(String, f64)>,
    },
    /// The same labels counted on two sides (old and new model, reference and current).
    Pairs {
        /// The figure's title.
        title: String,
        /// The labels.
        labels: Vec<String>,
        /// The first side's name and counts.
        first: (String, Vec<f64>),
        /// The second side's name and counts.
        second: (String, Vec<f64>),
    },
    /// Latencies in milliseconds with named marks (p50, p95, p99, a budget).
    Latency {
        /// What was timed.
        title: String,
        /// Every latency, in milliseconds.
        samples_ms: Vec<f64>,
        /// Name and value of each mark, in milliseconds.
        marks: Vec<(String, f64)>,
    },
}
