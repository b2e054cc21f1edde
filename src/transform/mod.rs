//! Feature-transform assertions: each a one-liner in a test, each failing with the column, what
//! was expected, what was found and the worst rows.
//!
//! Checks return `Result<Outcome, CheckError>` like every check of mlharness: `Err` when the
//! input cannot be checked, and otherwise the [`Outcome`](crate::check::Outcome), which
//! `.assert_passed()` fails on with its table (and `.assert_failed()` expects to fail, for
//! tests that prove a check catches a broken transform).
//!
//! ```
//! use mlharness::transform;
//! use mlharness::check::Checked;
//! use ndarray::array;
//!
//! // A scaler that was never applied: the columns keep their raw scale.
//! let raw = array![[1.0, 200.0], [2.0, 400.0], [3.0, 600.0]];
//! let err = transform::standardized(&raw, &["calls", "minutes"], 0.01).assert_failed();
//! assert!(err.to_string().contains("calls"));
//! assert!(err.to_string().contains("mean 2, expected 0 ± 0.01"));
//!
//! let z = array![[-1.224744871391589], [0.0], [1.224744871391589]];
//! transform::standardized(&z, &["calls"], 1e-9).assert_passed();
//! ```

mod assertions;
mod leakage;
#[cfg(feature = "proptest")]
pub mod properties;

pub use self::assertions::{
    clipped, imputed, inverse_round_trip, min_max_scaled, monotone, one_hot, standardized,
    Statistic, Unseen,
};
pub use self::leakage::{
    batch_independent, batch_independent_named, fit_deterministic, fit_ignores_test_rows,
    fitted_on_training, state_unchanged,
};

use crate::check::Outcome;
use crate::kind::Kind;

/// Column `j`'s name, or `column j` when the caller gave fewer names.
pub(crate) fn name_of<S: AsRef<str>>(names: &[S], j: usize) -> String {
    names
        .get(j)
        .map_or_else(|| format!("column {j}"), |s| s.as_ref().to_string())
}

/// Up to five row numbers, as text.
pub(crate) fn rows_text(rows: &[usize]) -> String {
    let shown: Vec<String> = rows.iter().take(5).map(usize::to_string).collect();
    if rows.len() > 5 {
        format!("{} … ({} rows)", shown.join(", "), rows.len())
    } else {
        shown.join(", ")
    }
}

/// A passed outcome of the unit-kind check `check`.
pub(crate) fn pass(check: &str) -> Outcome {
    Outcome::pass(Kind::Unit, check)
}

/// A failed outcome of the unit-kind check `check`.
pub(crate) fn fail(check: &str, headline: impl Into<String>) -> Outcome {
    Outcome::fail(Kind::Unit, check, headline)
}
