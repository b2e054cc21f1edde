//! The failure of a check of the unit and integration kits (transforms, pipelines): which check,
//! one line saying what is wrong and why where it can be told, and a table of where.
//!
//! ```
//! use mlharness::transform;
//! let x = ndarray::array![[5.0]];
//! let failure = transform::min_max_scaled(&x, &["age"], 0.0, 1.0, 0.0).unwrap_err();
//! assert_eq!(failure.check(), "min_max_scaled");
//! // Debug is the human message, so `.unwrap()` in a test prints it as is.
//! assert_eq!(format!("{failure:?}"), format!("\n{failure}"));
//! ```

use crate::table::Table;
use std::fmt;

/// A check that failed: a headline naming the check and the cause, and a table of where.
#[derive(Clone, PartialEq)]
pub struct CheckFailure {
    check: &'static str,
    headline: String,
    // Boxed: a failure travels in every check's `Err`, which should stay small.
    table: Option<Box<Table>>,
}

impl CheckFailure {
    pub(crate) fn new(check: &'static str, headline: impl Into<String>) -> Self {
        CheckFailure {
            check,
            headline: headline.into(),
            table: None,
        }
    }

    pub(crate) fn with_table(mut self, table: Table) -> Self {
        self.table = Some(Box::new(table));
        self
    }

    /// The check that failed (`standardized`, `imputed`, …).
    pub fn check(&self) -> &str {
        self.check
    }

    /// The one-line summary: what is wrong and, where it can be told, why.
    pub fn headline(&self) -> &str {
        &self.headline
    }
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: {}", self.check, self.headline)?;
        if let Some(t) = &self.table {
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CheckFailure {
    // `unwrap()` prints Debug: make it the message people need, not a struct dump.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{self}")
    }
}

impl std::error::Error for CheckFailure {}
