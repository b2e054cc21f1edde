//! Train/serve parity: the same rows through the training feature path and the serving path
//! give the same features, column by column (or the same predictions, row by row).
//!
//! A feature wired differently at serving — two weak columns swapped, a unit changed, a
//! default filled in — moves few predictions and no metric beyond the noise between healthy
//! seeds, so no check on outputs alone sees it. Comparing the two paths on the same rows does:
//! the failure names each column that differs, how often and by how much, example rows, and
//! the training column a differing serving column equals (a swap).
//!
//! ```
//! use mlharness::pipeline::Parity;
//! use ndarray::array;
//!
//! let names = ["plan=pro", "intl=yes", "calls"];
//! let training = array![[1.0, 0.0, 3.0], [0.0, 1.0, 5.0], [1.0, 1.0, 2.0]];
//! // The serving path swapped the two flags.
//! let serving = array![[0.0, 1.0, 3.0], [1.0, 0.0, 5.0], [1.0, 1.0, 2.0]];
//! let outcome = Parity::new().features(&names, &training, &serving)?;
//! let text = outcome.to_string();
//! assert!(text.starts_with("FAILED train/serve parity: 2 of 3 columns differ"), "{text}");
//! assert!(text.contains("equals training `intl=yes`"), "{text}");
//! # Ok::<(), mlharness::check::CheckError>(())
//! ```

use crate::check::{predict, CheckError, InvalidSetting, Outcome, Range};
use crate::data::Dataset;
use crate::kind::Kind;
use crate::model::{Model, Predictions};
use crate::table::{number, significant, Table};
use ndarray::{Array2, ArrayView1};
use std::fmt::Display;

/// Example rows shown per differing column.
const EXAMPLES: usize = 3;

/// Compares the training path with the serving path; see the [module docs](self).
#[derive(Debug, Clone, PartialEq)]
pub struct Parity {
    tolerance: f64,
}

impl Default for Parity {
    fn default() -> Self {
        Parity::new()
    }
}

impl Parity {
    /// Exact comparison, up to 1e-9 (summation order may differ between the paths).
    pub fn new() -> Self {
        Parity { tolerance: 1e-9 }
    }

    /// Largest difference that is still equal.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    fn same(&self, a: f64, b: f64) -> bool {
        a == b || (a - b).abs() <= self.tolerance
    }

    fn same_column(&self, a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> bool {
        a.iter().zip(b).all(|(x, y)| self.same(*x, *y))
    }

    /// Compares two feature matrices of the same rows; `names` names their columns.
    pub fn features<S: AsRef<str>>(
        &self,
        names: &[S],
        training: &Array2<f64>,
        serving: &Array2<f64>,
    ) -> Result<Outcome, CheckError> {
        InvalidSetting::ensure("parity", "tolerance", Range::NonNegative, self.tolerance)?;
        const CHECK: &str = "train/serve parity";
        let name = |j: usize| {
            names
                .get(j)
                .map_or_else(|| format!("column {j}"), |s| s.as_ref().to_string())
        };
        if training.dim() != serving.dim() {
            return Ok(Outcome::fail(
                Kind::Integration,
                CHECK,
                format!(
                    "the training path gives {} rows × {} columns, the serving path {} × {}",
                    training.nrows(),
                    training.ncols(),
                    serving.nrows(),
                    serving.ncols()
                ),
            ));
        }
        let (rows, cols) = training.dim();
        let mut t = Table::new([
            "column",
            "rows differing",
            "largest difference",
            "examples (row: training → serving)",
            "hint",
        ])
        .right_align(1)
        .right_align(2);
        let mut differing = 0;
        for j in 0..cols {
            let (a, b) = (training.column(j), serving.column(j));
            let bad: Vec<usize> = (0..rows).filter(|&i| !self.same(a[i], b[i])).collect();
            if bad.is_empty() {
                continue;
            }
            differing += 1;
            let largest = bad
                .iter()
                .map(|&i| (a[i] - b[i]).abs())
                .fold(0.0f64, |m, d| if d.is_nan() || d > m { d } else { m });
            let examples: Vec<String> = bad
                .iter()
                .take(EXAMPLES)
                .map(|&i| format!("{i}: {}", training_to_serving(a[i], b[i])))
                .collect();
            let twin = (0..cols)
                .filter(|&k| k != j)
                .find(|&k| self.same_column(training.column(k), b));
            let hint = match twin {
                Some(k) => format!("equals training `{}`: swapped?", name(k)),
                None if b.iter().all(|v| *v == b[0]) => {
                    format!("constant {} at serving: a default?", number(b[0]))
                }
                None => String::new(),
            };
            t.row([
                name(j),
                format!(
                    "{} ({:.1}%)",
                    bad.len(),
                    100.0 * bad.len() as f64 / rows as f64
                ),
                number(largest),
                examples.join(", "),
                hint,
            ]);
        }
        if differing == 0 {
            return Ok(Outcome::pass(Kind::Integration, CHECK)
                .with_headline(format!("{rows} rows × {cols} columns equal")));
        }
        Ok(Outcome::fail(
            Kind::Integration,
            CHECK,
            format!("{differing} of {cols} columns differ between the training and serving paths ({rows} rows)"),
        )
        .with_table(t))
    }

    /// Runs `data` through both feature paths and compares the matrices; `names` names their
    /// columns. An error of either path fails the check, naming the path.
    pub fn check<S, E1, E2>(
        &self,
        data: &Dataset,
        names: &[S],
        training: impl Fn(&Dataset) -> Result<Array2<f64>, E1>,
        serving: impl Fn(&Dataset) -> Result<Array2<f64>, E2>,
    ) -> Result<Outcome, CheckError>
    where
        S: AsRef<str>,
        E1: Display,
        E2: Display,
    {
        let failed = |path: &str, e: &dyn Display| {
            Outcome::fail(
                Kind::Integration,
                "train/serve parity",
                format!("the {path} path failed on {} rows: {e}", data.n_rows()),
            )
        };
        let a = match training(data) {
            Ok(a) => a,
            Err(e) => return Ok(failed("training", &e)),
        };
        let b = match serving(data) {
            Ok(b) => b,
            Err(e) => return Ok(failed("serving", &e)),
        };
        self.features(names, &a, &b)
    }

    /// Compares the predictions of the training-time model with the serving path's (a model
    /// behind the service, for instance), row by row: the end-to-end form, when the features
    /// of the serving path cannot be seen.
    pub fn predictions(
        &self,
        data: &Dataset,
        training: &(impl Model + ?Sized),
        serving: &(impl Model + ?Sized),
    ) -> Result<Outcome, CheckError> {
        let a = predict("the training model", training, data)?;
        let b = predict("the serving path", serving, data)?;
        let (a, b, names) = (rows_of(&a), rows_of(&b), prediction_names(&a));
        self.features(&names, &a, &b).map(|o| {
            let headline = o.headline().replace("columns", "prediction columns");
            Outcome::new(o.kind(), "train/serve parity (predictions)", o.passed())
                .with_headline(headline)
                .with_table(o.table().clone())
        })
    }
}

/// Predictions as a matrix: one column per value, class probability or label.
fn rows_of(p: &Predictions) -> Array2<f64> {
    match p {
        Predictions::Values(v) => Array2::from_shape_fn((v.len(), 1), |(i, _)| v[i]),
        Predictions::Classes(c) => match c.probabilities() {
            Some(m) => m.clone(),
            None => Array2::from_shape_fn((c.labels().len(), 1), |(i, _)| c.labels()[i] as f64),
        },
    }
}

fn prediction_names(p: &Predictions) -> Vec<String> {
    match p {
        Predictions::Values(_) => vec!["prediction".into()],
        Predictions::Classes(c) if c.probabilities().is_some() => {
            c.classes().iter().map(|k| format!("P({k})")).collect()
        }
        Predictions::Classes(_) => vec!["label".into()],
    }
}

/// `a → b` to 6 significant digits, or as many more as it takes to tell them apart.
fn training_to_serving(a: f64, b: f64) -> String {
    (6..=17)
        .map(|d| (significant(a, d), significant(b, d)))
        .find(|(x, y)| x != y)
        .map(|(x, y)| format!("{x} → {y}"))
        .unwrap_or_else(|| format!("{} → {}", number(a), number(b)))
}
