//! Whole-pipeline checks: fit on training data with a seed, predict a holdout, and check what
//! every pipeline must keep — one finite prediction per row, identical predictions after an
//! artifact round trip and after refitting with the same seed, and predictions that do not
//! depend on the batch a row is in, on the order of rows, or on the order of named columns.
//!
//! The [`pipeline_test!`](crate::pipeline_test) macro turns each into a named test
//! (`mlharness_pipeline::batch_invariance`, …).
//!
//! ```
//! use mlharness::data::{Column, Dataset};
//! use mlharness::model::{ModelError, Predictions};
//! use mlharness::pipeline::PipelineCheck;
//! use mlharness::check::Checked;
//!
//! let data = Dataset::from_columns(vec![("x".into(), Column::numeric((0..20).map(f64::from).collect()))])?;
//! let (train, holdout) = (data.take(&(0..15).collect::<Vec<_>>())?, data.take(&(15..20).collect::<Vec<_>>())?);
//! // "Training" learns the mean; the model predicts the distance to it.
//! let fit = |train: &Dataset, _seed: u64| -> Result<_, ModelError> {
//!     let mean = train.numeric("x")?.present().sum::<f64>() / train.n_rows() as f64;
//!     Ok(move |d: &Dataset| -> Result<Predictions, ModelError> {
//!         Ok(Predictions::values(d.numeric("x")?.values().iter().map(|v| v - mean).collect()))
//!     })
//! };
//! let check = PipelineCheck::new(fit, train, holdout);
//! check.batch_invariance().assert_passed();
//! check.same_seed_same_model().assert_passed();
//! # Ok::<(), mlharness::data::DataError>(())
//! ```

use crate::check::{CheckError, InvalidSetting, Outcome};
mod parity;

pub use self::parity::Parity;

use crate::data::{DataError, Dataset, Row};
use crate::kind::Kind;
use crate::model::{Model, Predictions};
use crate::table::{number, Table};
use rand::seq::SliceRandom;
use std::fmt::Display;
use std::path::Path;

/// Rows predicted one by one in the batch-invariance check.
const ROWS_ALONE: usize = 50;

// Send + Sync, so that `pipeline_test!` can share one check (and its one fit) across the
// tests of a binary.
type Fit<M> = Box<dyn Fn(&Dataset, u64) -> Result<M, String> + Send + Sync>;
type Save<M> = Box<dyn Fn(&M, &Path) -> Result<(), String> + Send + Sync>;
type Load<M> = Box<dyn Fn(&Path) -> Result<M, String> + Send + Sync>;

/// A user's pipeline under test: a seeded fit function, training data and a holdout.
///
/// The model is fitted once, on first use, and shared by the checks; only
/// [`same_seed_same_model`](Self::same_seed_same_model) fits a second one. So the seven
/// checks of one `PipelineCheck` fit twice.
pub struct PipelineCheck<M> {
    fit: Fit<M>,
    fitted: std::sync::OnceLock<Result<M, String>>,
    train: Dataset,
    holdout: Dataset,
    seed: u64,
    tolerance: f64,
    artifact: Option<(Save<M>, Load<M>)>,
    budget: Option<crate::budget::TimeBudget>,
}

/// The checks of [`PipelineCheck`], by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Invariant {
    /// One prediction per holdout row.
    OnePredictionPerRow,
    /// No NaN or infinite prediction.
    FinitePredictions,
    /// Save → load gives identical predictions.
    ArtifactRoundTrip,
    /// Two fits with the same seed predict identically.
    SameSeedSameModel,
    /// A row predicted alone equals the same row inside the batch.
    BatchInvariance,
    /// Permuting rows permutes predictions.
    RowOrderInvariance,
    /// The order of named input columns does not matter.
    ColumnOrderInvariance,
    /// The holdout is predicted within the time budget.
    PredictionTime,
}

type Stop = crate::check::Stop<CheckError>;

/// The failed outcome of `check`: `what` (a call into the pipeline) failed with `e`.
fn err(check: &'static str, what: &str, e: impl Display) -> Stop {
    Stop::Failed(Box::new(fail(check, format!("{what} failed: {e}"))))
}

fn fail(check: &'static str, headline: impl Into<String>) -> Outcome {
    Outcome::fail(Kind::Integration, check, headline)
}

/// Runs a check's body, a failure of the pipeline being a failed outcome.
fn outcome(body: impl FnOnce() -> Result<Outcome, Stop>) -> Result<Outcome, CheckError> {
    crate::check::run(body)
}

/// Per row, the numbers a prediction consists of: a value, a probability row, or a class index.
fn rows_of(p: &Predictions) -> Vec<Vec<f64>> {
    match p {
        Predictions::Values(v) => v.iter().map(|x| vec![*x]).collect(),
        Predictions::Classes(c) => match c.probabilities() {
            Some(m) => m.rows().into_iter().map(|r| r.to_vec()).collect(),
            None => c.labels().iter().map(|&l| vec![l as f64]).collect(),
        },
    }
}

fn max_diff(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    a.iter()
        .zip(b)
        .map(|(x, y)| if x == y { 0.0 } else { (x - y).abs() })
        .fold(0.0, |m, d| if d.is_nan() || d > m { d } else { m })
}

/// Compares predictions row by row (`pairs` maps a row of `a` to a row of `b`).
fn compare(
    check: &'static str,
    a: &[Vec<f64>],
    b: &[Vec<f64>],
    pairs: &[(usize, usize)],
    tolerance: f64,
    labels: (&str, &str),
    cause: &str,
) -> Outcome {
    let mut t = Table::new(["row", labels.0, labels.1, "difference"]);
    let mut n = 0;
    for &(i, j) in pairs {
        let d = max_diff(&a[i], &b[j]);
        if d.is_nan() || d > tolerance {
            n += 1;
            if t.len() < 5 {
                let show = |v: &[f64]| v.iter().map(|x| number(*x)).collect::<Vec<_>>().join(" ");
                t.row([i.to_string(), show(&a[i]), show(&b[j]), number(d)]);
            }
        }
    }
    if n == 0 {
        return Outcome::pass(Kind::Integration, check);
    }
    fail(
        check,
        format!(
            "{n} of {} rows differ (tolerance {}): {cause}",
            pairs.len(),
            number(tolerance)
        ),
    )
    .with_table(t)
}

/// Compares predictions row for row; a different number of rows is itself a failure, never a
/// shorter comparison.
fn compare_rows(
    check: &'static str,
    a: &[Vec<f64>],
    b: &[Vec<f64>],
    tolerance: f64,
    labels: (&str, &str),
    cause: &str,
) -> Outcome {
    if a.len() != b.len() {
        return fail(
            check,
            format!(
                "{} predictions {}, {} {}",
                a.len(),
                labels.0,
                b.len(),
                labels.1
            ),
        );
    }
    let pairs: Vec<(usize, usize)> = (0..a.len()).map(|i| (i, i)).collect();
    compare(check, a, b, &pairs, tolerance, labels, cause)
}

impl<M: Model + 'static> PipelineCheck<M> {
    /// A pipeline: `fit(train, seed)` returns a model; `holdout` is what it predicts.
    pub fn new<E: Display>(
        fit: impl Fn(&Dataset, u64) -> Result<M, E> + Send + Sync + 'static,
        train: Dataset,
        holdout: Dataset,
    ) -> Self {
        PipelineCheck {
            fit: Box::new(move |d, s| fit(d, s).map_err(|e| e.to_string())),
            fitted: std::sync::OnceLock::new(),
            train,
            holdout,
            seed: 42,
            tolerance: 1e-9,
            artifact: None,
            budget: None,
        }
    }

    /// The seed passed to `fit` (default 42).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Largest difference between predictions that must agree (default 1e-9; floating-point
    /// summation order may differ between a batch and a single row).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// How to save a model to a file and load it back, for the artifact round trip.
    pub fn artifact<E1: Display, E2: Display>(
        mut self,
        save: impl Fn(&M, &Path) -> Result<(), E1> + Send + Sync + 'static,
        load: impl Fn(&Path) -> Result<M, E2> + Send + Sync + 'static,
    ) -> Self {
        self.artifact = Some((
            Box::new(move |m, p| save(m, p).map_err(|e| e.to_string())),
            Box::new(move |p| load(p).map_err(|e| e.to_string())),
        ));
        self
    }

    /// How long predicting the holdout may take (see [`prediction_time`](Self::prediction_time)).
    ///
    /// ```
    /// # use mlharness::data::{Column, Dataset};
    /// # use mlharness::model::{ModelError, Predictions};
    /// use mlharness::budget::TimeBudget;
    /// use mlharness::check::Checked;
    /// use mlharness::pipeline::PipelineCheck;
    /// use std::time::Duration;
    /// # let data = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))])?;
    /// let fit = |_: &Dataset, _: u64| -> Result<_, ModelError> {
    ///     Ok(|d: &Dataset| -> Result<Predictions, ModelError> { Ok(Predictions::values(vec![0.0; d.n_rows()])) })
    /// };
    /// let check = PipelineCheck::new(fit, data.clone(), data)
    ///     .time_budget(TimeBudget::at_most(Duration::from_secs(2)));
    /// check.prediction_time().assert_passed();
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn time_budget(mut self, budget: crate::budget::TimeBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// The fitted model predicts the whole holdout within the [time
    /// budget](Self::time_budget) — the median of repeated runs under an absolute limit, so
    /// batch scoring that went row by row fails. Without a budget, it is a setting error.
    pub fn prediction_time(&self) -> Result<Outcome, CheckError> {
        let c = "prediction_time";
        let Some(budget) = &self.budget else {
            return Err(InvalidSetting::new(
                "pipeline check",
                "time_budget",
                "a budget (`PipelineCheck::time_budget`)",
                "none",
            )
            .into());
        };
        let model = match self.fitted(c) {
            Ok(m) => m,
            Err(crate::check::Stop::Failed(o)) => return Ok(*o),
            Err(crate::check::Stop::Error(e)) => return Err(e),
        };
        budget.check(
            &format!("{c}: {} holdout rows", self.holdout.n_rows()),
            || model.predict(&self.holdout),
        )
    }

    /// The model fitted with the check's seed, fitted on first use and kept.
    fn fitted(&self, check: &'static str) -> Result<&M, Stop> {
        self.fitted
            .get_or_init(|| (self.fit)(&self.train, self.seed))
            .as_ref()
            .map_err(|e| err(check, "fit", e))
    }

    /// A second model fitted with the same seed, for the checks that compare two fits.
    fn refitted(&self, check: &'static str) -> Result<M, Stop> {
        (self.fit)(&self.train, self.seed).map_err(|e| err(check, "second fit", e))
    }

    fn predict(&self, check: &'static str, model: &M, data: &Dataset) -> Result<Predictions, Stop> {
        model
            .predict(data)
            .map_err(|e| err(check, &format!("predicting {} rows", data.n_rows()), e))
    }

    /// Runs one check by name.
    pub fn run(&self, check: Invariant) -> Result<Outcome, CheckError> {
        match check {
            Invariant::OnePredictionPerRow => self.one_prediction_per_row(),
            Invariant::FinitePredictions => self.finite_predictions(),
            Invariant::ArtifactRoundTrip => self.artifact_round_trip(),
            Invariant::SameSeedSameModel => self.same_seed_same_model(),
            Invariant::BatchInvariance => self.batch_invariance(),
            Invariant::RowOrderInvariance => self.row_order_invariance(),
            Invariant::ColumnOrderInvariance => self.column_order_invariance(),
            Invariant::PredictionTime => self.prediction_time(),
        }
    }

    /// One prediction per holdout row.
    pub fn one_prediction_per_row(&self) -> Result<Outcome, CheckError> {
        let c = "one_prediction_per_row";
        outcome(|| {
            let p = self.predict(c, self.fitted(c)?, &self.holdout)?;
            if p.len() == self.holdout.n_rows() {
                return Ok(Outcome::pass(Kind::Integration, c));
            }
            Ok(fail(
                c,
                format!("{} predictions for {} rows", p.len(), self.holdout.n_rows()),
            ))
        })
    }

    /// No NaN or infinite prediction on the holdout.
    pub fn finite_predictions(&self) -> Result<Outcome, CheckError> {
        let c = "finite_predictions";
        outcome(|| {
            let rows = rows_of(&self.predict(c, self.fitted(c)?, &self.holdout)?);
            let bad: Vec<usize> = (0..rows.len())
                .filter(|&i| rows[i].iter().any(|x| !x.is_finite()))
                .collect();
            if bad.is_empty() {
                return Ok(Outcome::pass(Kind::Integration, c));
            }
            Ok(fail(
                c,
                format!(
                    "{} of {} predictions are NaN or infinite, rows {}",
                    bad.len(),
                    rows.len(),
                    crate::transform::rows_text(&bad)
                ),
            ))
        })
    }

    /// Save → load gives identical predictions (needs [`PipelineCheck::artifact`]).
    pub fn artifact_round_trip(&self) -> Result<Outcome, CheckError> {
        let c = "artifact_round_trip";
        let Some((save, load)) = &self.artifact else {
            return Err(InvalidSetting::new(
                c,
                "artifact",
                "save and load functions (PipelineCheck::artifact)",
                "none",
            )
            .into());
        };
        outcome(|| {
            let model = self.fitted(c)?;
            let dir =
                tempfile::tempdir().map_err(|e| err(c, "creating a temporary directory", e))?;
            let path = dir.path().join("model.artifact");
            save(model, &path).map_err(|e| err(c, "save", e))?;
            let loaded = load(&path).map_err(|e| err(c, "load", e))?;
            let a = rows_of(&self.predict(c, model, &self.holdout)?);
            let b = rows_of(&self.predict(c, &loaded, &self.holdout)?);
            Ok(compare_rows(
                c,
                &a,
                &b,
                0.0,
                ("fitted", "loaded"),
                "the artifact does not carry everything the model predicts with (rounded numbers, a missing fitted state?)",
            ))
        })
    }

    /// Two fits with the same seed predict identically; the failure names the likely cause.
    pub fn same_seed_same_model(&self) -> Result<Outcome, CheckError> {
        let c = "same_seed_same_model";
        outcome(|| {
            let a = rows_of(&self.predict(c, self.fitted(c)?, &self.holdout)?);
            let b = rows_of(&self.predict(c, &self.refitted(c)?, &self.holdout)?);
            Ok(compare_rows(
                c,
                &a,
                &b,
                0.0,
                ("first fit", "second fit"),
                &format!("two fits with seed {} disagree: the pipeline uses randomness the seed does not control (an unseeded RNG, thread timing, hash order?)", self.seed),
            ))
        })
    }

    /// Each of the first holdout rows predicted alone equals its prediction inside the batch.
    pub fn batch_invariance(&self) -> Result<Outcome, CheckError> {
        let c = "batch_invariance";
        outcome(|| {
            let model = self.fitted(c)?;
            let batch = rows_of(&self.predict(c, model, &self.holdout)?);
            let n = self.holdout.n_rows().min(ROWS_ALONE);
            let mut alone = Vec::with_capacity(n);
            for i in 0..n {
                let one = self.holdout.take(&[i])?;
                let p = rows_of(&self.predict(c, model, &one)?);
                alone.push(p.into_iter().next().unwrap_or_default());
            }
            Ok(compare_rows(
                c,
                &batch[..n.min(batch.len())],
                &alone,
                self.tolerance,
                ("in batch", "alone"),
                "a row's prediction depends on the batch it is in (statistics computed on the batch at prediction time?)",
            ))
        })
    }

    /// Predicting a seeded permutation of the holdout gives the permuted predictions.
    pub fn row_order_invariance(&self) -> Result<Outcome, CheckError> {
        let c = "row_order_invariance";
        outcome(|| {
            let model = self.fitted(c)?;
            let mut order: Vec<usize> = (0..self.holdout.n_rows()).collect();
            order.shuffle(&mut crate::data::rng(self.seed));
            let shuffled = self.holdout.take(&order)?;
            let a = rows_of(&self.predict(c, model, &self.holdout)?);
            let b = rows_of(&self.predict(c, model, &shuffled)?);
            if a.len() != b.len() {
                return Ok(fail(
                    c,
                    format!("{} predictions in order, {} permuted", a.len(), b.len()),
                ));
            }
            let pairs: Vec<(usize, usize)> =
                order.iter().enumerate().map(|(k, &i)| (i, k)).collect();
            Ok(compare(
                c,
                &a,
                &b,
                &pairs,
                self.tolerance,
                ("in order", "permuted"),
                "predictions depend on the order of rows",
            ))
        })
    }

    /// Reversing the order of the input columns does not change a prediction.
    pub fn column_order_invariance(&self) -> Result<Outcome, CheckError> {
        let c = "column_order_invariance";
        outcome(|| {
            let model = self.fitted(c)?;
            let mut columns: Vec<_> = self
                .holdout
                .columns()
                .map(|(n, col)| (n.to_string(), col.clone()))
                .collect();
            columns.reverse();
            let mut reversed = Dataset::from_columns(columns)?;
            if let Some(t) = self.holdout.target_name() {
                reversed = reversed.with_target(t)?;
            }
            let a = rows_of(&self.predict(c, model, &self.holdout)?);
            let b = rows_of(&self.predict(c, model, &reversed)?);
            Ok(compare_rows(
                c,
                &a,
                &b,
                self.tolerance,
                ("as given", "columns reversed"),
                "the pipeline reads columns by position, not by name",
            ))
        })
    }
}

/// Row filtering during preparation removes exactly the rows a rule says it should: the expected
/// count is derived from the data by `keep`, not written down as a number that breaks when the
/// data is updated.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::pipeline;
/// use mlharness::check::Checked;
/// let raw = Dataset::from_columns(vec![("age".into(), Column::numeric(vec![15.0, 30.0, f64::NAN, 45.0]))])?;
/// // Buggy preparation: drops minors but forgets rows with a missing age.
/// let prepare = |d: &Dataset| d.filter(|r| Ok(!(r.number("age")? < 18.0)));
/// let keep = |r: &mlharness::data::Row| Ok(r.number("age")? >= 18.0);
/// let err = pipeline::filters_rows(prepare, &raw, keep).assert_failed();
/// assert!(err.to_string().contains("kept 3 of 4 rows; the rule keeps 2 (1 too many)"));
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn filters_rows<E: Display>(
    prepare: impl Fn(&Dataset) -> Result<Dataset, E>,
    raw: &Dataset,
    keep: impl Fn(&Row<'_>) -> Result<bool, DataError>,
) -> Result<Outcome, CheckError> {
    let c = "filters_rows";
    outcome(|| {
        let prepared = prepare(raw).map_err(|e| err(c, "prepare", e))?;
        let expected = raw.filter(|r| keep(r))?;
        if prepared.n_rows() == expected.n_rows() {
            return Ok(Outcome::pass(Kind::Integration, c));
        }
        let (found, want) = (prepared.n_rows(), expected.n_rows());
        Ok(fail(
            c,
            format!(
                "preparation kept {found} of {} rows; the rule keeps {want} ({} too {})",
                raw.n_rows(),
                found.abs_diff(want),
                if found > want { "many" } else { "few" }
            ),
        ))
    })
}

/// Generates one test per pipeline check in a module `mlharness_pipeline`, so reports read
/// `mlharness_pipeline::batch_invariance`. `fit` is `|train: &Dataset, seed: u64| -> Result<Model, E>`,
/// `train` and `holdout` are datasets; optional `save` / `load` add `artifact_round_trip`, and
/// `time_budget: TimeBudget::at_most(..)` adds `prediction_time`. The tests of one invocation
/// share one [`PipelineCheck`], so the model is fitted once per test binary (twice with
/// `same_seed_same_model`). Invoke it once per module.
///
/// ```
/// # use mlharness::data::{Column, Dataset};
/// # use mlharness::model::{ModelError, Predictions};
/// # fn data() -> Dataset { Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))]).unwrap() }
/// fn fit(_train: &Dataset, _seed: u64) -> Result<fn(&Dataset) -> Result<Predictions, ModelError>, ModelError> {
///     Ok(|d| Ok(Predictions::values(d.numeric("x")?.values().to_vec())))
/// }
/// mlharness::pipeline_test! {
///     fit: fit,
///     train: data(),
///     holdout: data(),
///     time_budget: mlharness::budget::TimeBudget::at_most(std::time::Duration::from_secs(2)),
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! pipeline_test {
    (
        fit: $fit:expr,
        train: $train:expr,
        holdout: $holdout:expr
        $(, save: $save:expr, load: $load:expr)?
        $(, time_budget: $budget:expr)?
        $(,)?
    ) => {
        #[cfg(test)]
        mod mlharness_pipeline {
            #[allow(unused_imports)]
            use super::*;

            $crate::pipeline_test!(@all (
                $crate::pipeline::PipelineCheck::new($fit, $train, $holdout)
                    $(.artifact($save, $load))?
                    $(.time_budget($budget))?
            ) [$($save)?] [$($budget)?]);
        }
    };
    (@all $build:tt [$($save:expr)?] [$($budget:expr)?]) => {
        $crate::pipeline_test!(@tests $build
            one_prediction_per_row OnePredictionPerRow,
            finite_predictions FinitePredictions,
            same_seed_same_model SameSeedSameModel,
            batch_invariance BatchInvariance,
            row_order_invariance RowOrderInvariance,
            column_order_invariance ColumnOrderInvariance,
        );
        $crate::pipeline_test!(@given $build [$($save)?] artifact_round_trip ArtifactRoundTrip);
        $crate::pipeline_test!(@given $build [$($budget)?] prediction_time PredictionTime);
    };
    // A test that exists when its option was given.
    (@given $build:tt [] $name:ident $check:ident) => {};
    (@given $build:tt [$given:expr] $name:ident $check:ident) => {
        $crate::pipeline_test!(@tests $build $name $check,);
    };
    (@tests $build:tt $($name:ident $check:ident,)*) => {
        $(
            #[test]
            fn $name() {
                // One check, so one fit, for the tests of this invocation in this process.
                let check = $crate::_macro_support::shared(
                    concat!(module_path!(), "::pipeline_check"),
                    || $build,
                );
                $crate::_macro_support::enforce(
                    concat!("mlharness_pipeline::", stringify!($name)),
                    check.run($crate::pipeline::Invariant::$check),
                );
            }
        )*
    };
}
