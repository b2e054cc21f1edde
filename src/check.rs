//! Check outcomes: a verdict with a small table saying what was expected, what was found,
//! by how much, and where — the failure message of benchmark-score and differential tests.
//!
//! Every check in [`benchmark`](crate::benchmark) and [`differential`](crate::differential)
//! returns an [`Outcome`]. A test fails on it with [`Outcome::assert_passed`], or through the
//! [`benchmark_score!`](crate::benchmark_score) and [`differential!`](crate::differential)
//! macros, which accept anything that is a [`Verdict`].
//!
//! ```
//! use mlharness::check::{Outcome, Table};
//! let mut table = Table::new(["metric", "found", "floor"]);
//! table.row(["roc_auc", "0.7756", "0.7900"]);
//! let outcome = Outcome::new("scores.toml thresholds", false, table)
//!     .note("roc_auc is 0.0144 below its floor");
//! let text = outcome.to_string();
//! assert!(text.starts_with("FAILED scores.toml thresholds"));
//! assert!(text.contains("roc_auc  0.7756  0.7900"));
//! ```

use std::fmt;

pub use crate::table::Table;

/// The result of one check: passed or not, the table that shows why, and notes.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    check: String,
    passed: bool,
    table: Table,
    notes: Vec<String>,
}

impl Outcome {
    /// An outcome of the named check.
    pub fn new(check: impl Into<String>, passed: bool, table: Table) -> Self {
        Outcome {
            check: check.into(),
            passed,
            table: table.with_rule(),
            notes: Vec::new(),
        }
    }

    /// Adds a line shown under the table (the reason, a hint, what was written).
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// True when the check passed.
    pub fn passed(&self) -> bool {
        self.passed
    }

    /// The check's name.
    pub fn check(&self) -> &str {
        &self.check
    }

    /// The table.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The notes.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Panics with the outcome (its table and notes) when the check failed.
    ///
    /// ```should_panic
    /// use mlharness::check::{Outcome, Table};
    /// Outcome::new("always fails", false, Table::new(["x"])).assert_passed();
    /// ```
    #[track_caller]
    pub fn assert_passed(&self) {
        if !self.passed {
            panic!("{self}");
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "passed" } else { "FAILED" };
        writeln!(f, "{verdict} {}", self.check)?;
        write!(f, "{}", self.table)?;
        for note in &self.notes {
            writeln!(f, "  {note}")?;
        }
        Ok(())
    }
}

/// What a check-generating test body may return: an [`Outcome`], several, or either inside a
/// `Result` whose error (bad input, a model that cannot predict) fails the test too.
pub trait Verdict {
    /// The outcomes, or the error that kept the check from running.
    fn into_outcomes(self) -> Result<Vec<Outcome>, String>;
}

impl Verdict for Outcome {
    fn into_outcomes(self) -> Result<Vec<Outcome>, String> {
        Ok(vec![self])
    }
}

impl Verdict for Vec<Outcome> {
    fn into_outcomes(self) -> Result<Vec<Outcome>, String> {
        Ok(self)
    }
}

impl<T: Verdict, E: fmt::Display> Verdict for Result<T, E> {
    fn into_outcomes(self) -> Result<Vec<Outcome>, String> {
        self.map_err(|e| e.to_string())?.into_outcomes()
    }
}

/// Fails the test `name` (panics) when the verdict holds a failed outcome or an error; quiet
/// otherwise. The macros call this; it is public for hand-written tests.
///
/// ```
/// use mlharness::check::{enforce, Outcome, Table};
/// enforce("benchmark::ok", Outcome::new("passes", true, Table::new(["x"])));
/// let failed = std::panic::catch_unwind(|| {
///     enforce("benchmark::bad", Err::<Outcome, _>("data/holdout.csv: cannot read"));
/// });
/// assert!(failed.is_err());
/// ```
#[track_caller]
pub fn enforce(name: &str, verdict: impl Verdict) {
    match verdict.into_outcomes() {
        Err(error) => panic!("{name}: the check could not run: {error}"),
        Ok(outcomes) => {
            let failed: Vec<String> = outcomes
                .iter()
                .filter(|o| !o.passed())
                .map(ToString::to_string)
                .collect();
            if !failed.is_empty() {
                panic!(
                    "{name}: {} of {} checks failed\n\n{}",
                    failed.len(),
                    outcomes.len(),
                    failed.join("\n")
                );
            }
        }
    }
}
