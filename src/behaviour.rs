//! Behavioural tests of a model, after CheckList (Ribeiro et al., 2020): what its predictions
//! must do when the input changes in a known way — a check on outputs alone cannot see a
//! feature that is wired wrong, a sign table can.
//!
//! - [`Invariance`]: a perturbation that must not change the prediction (a name, an ID,
//!   whitespace in a category, the order of rows);
//! - [`Directional`]: a change of one feature that must move the score one way or not at all
//!   (a longer tenure must not raise P(churn)); [`Directional::table`] checks a whole sign
//!   table, from domain knowledge or the model's own fitted coefficients;
//! - [`minimum_functionality`]: hand-written cases with the labels they must get.
//!
//! Each reports the share of rows that break the expectation and the worst examples. The score
//! is the value of a regressor, or the probability of the second ("positive") class of a
//! two-class classifier.
//!
//! ```
//! use mlharness::behaviour::{Directional, Perturbation};
//! use mlharness::prelude::*;
//!
//! let data = Dataset::from_columns(vec![("tenure".into(), Column::numeric(vec![1.0, 12.0, 40.0]))])?;
//! // P(churn) falls with tenure.
//! let model = |d: &Dataset| -> Result<Predictions, ModelError> {
//!     Ok(Predictions::values(d.numeric("tenure")?.values().iter().map(|t| 1.0 / (1.0 + t)).collect()))
//! };
//! Directional::new("tenure", Perturbation::Add(12.0)).must_not_increase().check(&model, &data)?.assert_passed();
//! // The same model checked against the opposite expectation fails, showing the rows.
//! let wrong = Directional::new("tenure", Perturbation::Add(12.0)).must_not_decrease().check(&model, &data)?;
//! assert!(wrong.to_string().contains("3 of 3 rows"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::check::{predict, CheckError, InvalidSetting, Outcome, Range};
use crate::data::{Column, DataError, Dataset};
use crate::kind::Kind;
use crate::model::{Model, Predictions};
use crate::table::{number, Table};

/// Rows shown in a failure.
const EXAMPLES: usize = 5;

/// Per row, the score a behavioural test compares: the value of a regressor, the probability
/// of the positive class of a two-class classifier.
fn scores(check: &'static str, p: &Predictions) -> Result<Vec<f64>, CheckError> {
    match p {
        Predictions::Values(v) => Ok(v.clone()),
        Predictions::Classes(c) => match c.positive_scores() {
            Some(s) => Ok(s.to_vec()),
            None => Err(CheckError::Input {
                check,
                message: "the model gives neither values nor two-class probabilities: there \
                          is no score to compare"
                    .into(),
            }),
        },
    }
}

/// A change made to one column of every row.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Perturbation {
    /// Adds this to a numeric column.
    Add(f64),
    /// Multiplies a numeric column by this.
    Scale(f64),
    /// Sets a categorical column to this category.
    Set(String),
}

impl Perturbation {
    fn apply(&self, data: &Dataset, column: &str) -> Result<Dataset, DataError> {
        let changed = match self {
            Perturbation::Add(d) => Column::numeric(
                data.numeric(column)?
                    .values()
                    .iter()
                    .map(|v| v + d)
                    .collect(),
            ),
            Perturbation::Scale(k) => Column::numeric(
                data.numeric(column)?
                    .values()
                    .iter()
                    .map(|v| v * k)
                    .collect(),
            ),
            Perturbation::Set(level) => {
                data.categorical(column)?;
                Column::categorical(vec![Some(level.as_str()); data.n_rows()])
            }
        };
        data.replace_column(column, changed)
    }

    fn describe(&self, column: &str) -> String {
        match self {
            Perturbation::Add(d) => format!("`{column}` + {}", number(*d)),
            Perturbation::Scale(k) => format!("`{column}` × {}", number(*k)),
            Perturbation::Set(l) => format!("`{column}` = `{l}`"),
        }
    }
}

/// Which way a score may move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Direction {
    /// Up or not at all.
    NotDown,
    /// Down or not at all.
    NotUp,
}

/// A change of one feature that must move the score one way or not at all, for all but
/// `max_share` of the rows (default 5%: a model may bend a little where data is thin).
#[derive(Debug, Clone, PartialEq)]
pub struct Directional {
    column: String,
    perturbation: Perturbation,
    direction: Direction,
    tolerance: f64,
    max_share: f64,
}

impl Directional {
    /// `perturbation` applied to `column`; the direction is set with
    /// [`must_not_increase`](Self::must_not_increase) or
    /// [`must_not_decrease`](Self::must_not_decrease) (default: not decrease).
    pub fn new(column: impl Into<String>, perturbation: Perturbation) -> Self {
        Directional {
            column: column.into(),
            perturbation,
            direction: Direction::NotDown,
            tolerance: 1e-9,
            max_share: 0.05,
        }
    }

    /// The score must not go up.
    pub fn must_not_increase(mut self) -> Self {
        self.direction = Direction::NotUp;
        self
    }

    /// The score must not go down.
    pub fn must_not_decrease(mut self) -> Self {
        self.direction = Direction::NotDown;
        self
    }

    /// Moves smaller than this are no move (default 1e-9).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The share of rows allowed to move the wrong way (default 0.05).
    pub fn max_share(mut self, share: f64) -> Self {
        self.max_share = share;
        self
    }

    /// A sign table: one check per `(column, direction)`, each with the same `perturbation`
    /// size (`Add(step)`), e.g. from domain knowledge or the signs of a linear model's fitted
    /// coefficients.
    ///
    /// ```
    /// use mlharness::behaviour::{Direction, Directional};
    /// let checks = Directional::table(&[("tenure", Direction::NotUp), ("calls", Direction::NotDown)], 1.0);
    /// assert_eq!(checks.len(), 2);
    /// ```
    pub fn table(signs: &[(&str, Direction)], step: f64) -> Vec<Directional> {
        signs
            .iter()
            .map(|&(column, direction)| Directional {
                direction,
                ..Directional::new(column, Perturbation::Add(step))
            })
            .collect()
    }

    /// Predicts `data` as it is and perturbed, and compares the scores row by row.
    pub fn check(
        &self,
        model: &(impl Model + ?Sized),
        data: &Dataset,
    ) -> Result<Outcome, CheckError> {
        const CHECK: &str = "directional";
        InvalidSetting::ensure(CHECK, "tolerance", Range::NonNegative, self.tolerance)?;
        InvalidSetting::ensure(CHECK, "max_share", Range::Share, self.max_share)?;
        let changed = self.perturbation.apply(data, &self.column)?;
        let before = scores(CHECK, &predict("the model", model, data)?)?;
        let after = scores(CHECK, &predict("the model", model, &changed)?)?;
        let (way, wrong) = match self.direction {
            Direction::NotUp => ("not increase", 1.0),
            Direction::NotDown => ("not decrease", -1.0),
        };
        let name = format!(
            "directional: {} must {way} the score",
            self.perturbation.describe(&self.column)
        );
        let moved: Vec<(usize, f64)> = before
            .iter()
            .zip(&after)
            .enumerate()
            .map(|(i, (b, a))| (i, (a - b) * wrong))
            .filter(|(_, d)| d.is_nan() || *d > self.tolerance)
            .collect();
        Ok(share_outcome(
            name,
            data.n_rows(),
            &moved,
            self.max_share,
            &before,
            &after,
            "the wrong way",
        ))
    }
}

/// A perturbation that must not change the prediction, for all but `max_share` of the rows
/// (default none).
///
/// ```
/// use mlharness::behaviour::Invariance;
/// use mlharness::prelude::*;
/// let data = Dataset::from_columns(vec![
///     ("id".into(), Column::numeric(vec![1.0, 2.0])),
///     ("x".into(), Column::numeric(vec![0.5, 3.0])),
/// ])?;
/// // A model that (wrongly) reads the ID.
/// let model = |d: &Dataset| -> Result<Predictions, ModelError> {
///     let (id, x) = (d.numeric("id")?.values(), d.numeric("x")?.values());
///     Ok(Predictions::values(id.iter().zip(x).map(|(i, x)| x + i * 1e-3).collect()))
/// };
/// let outcome = Invariance::new("a new ID").check(&model, &data, |d| {
///     d.replace_column("id", Column::numeric(vec![10.0, 20.0]))
/// })?;
/// assert!(outcome.to_string().starts_with("FAILED invariance: a new ID: 2 of 2 rows"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Invariance {
    name: String,
    tolerance: f64,
    max_share: f64,
}

impl Invariance {
    /// An invariance named for what it perturbs (`whitespace around the state`).
    pub fn new(name: impl Into<String>) -> Self {
        Invariance {
            name: name.into(),
            tolerance: 1e-9,
            max_share: 0.0,
        }
    }

    /// Score changes up to this are no change (default 1e-9).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The share of rows allowed to change (default 0).
    pub fn max_share(mut self, share: f64) -> Self {
        self.max_share = share;
        self
    }

    /// Predicts `data` and `perturb(data)` (same rows, same order) and compares row by row.
    /// For a classifier without probabilities, a changed label is a change.
    pub fn check(
        &self,
        model: &(impl Model + ?Sized),
        data: &Dataset,
        perturb: impl Fn(&Dataset) -> Result<Dataset, DataError>,
    ) -> Result<Outcome, CheckError> {
        const CHECK: &str = "invariance";
        InvalidSetting::ensure(CHECK, "tolerance", Range::NonNegative, self.tolerance)?;
        InvalidSetting::ensure(CHECK, "max_share", Range::Share, self.max_share)?;
        let changed = perturb(data)?;
        if changed.n_rows() != data.n_rows() {
            return Err(CheckError::Input {
                check: CHECK,
                message: format!(
                    "the perturbation changed the row count ({} → {}): it must keep every row",
                    data.n_rows(),
                    changed.n_rows()
                ),
            });
        }
        let (p, q) = (
            predict("the model", model, data)?,
            predict("the model", model, &changed)?,
        );
        let (before, after) = match (scores(CHECK, &p), scores(CHECK, &q)) {
            (Ok(b), Ok(a)) => (b, a),
            _ => {
                let labels = |p: &Predictions| -> Vec<f64> {
                    p.as_classes()
                        .map(|c| c.labels().iter().map(|&l| l as f64).collect())
                        .unwrap_or_default()
                };
                (labels(&p), labels(&q))
            }
        };
        let moved: Vec<(usize, f64)> = before
            .iter()
            .zip(&after)
            .enumerate()
            .map(|(i, (b, a))| (i, (a - b).abs()))
            .filter(|(_, d)| d.is_nan() || *d > self.tolerance)
            .collect();
        Ok(share_outcome(
            format!("invariance: {}", self.name),
            data.n_rows(),
            &moved,
            self.max_share,
            &before,
            &after,
            "changed",
        ))
    }
}

/// The outcome of a share-of-rows expectation: passed when at most `max_share` of `n` rows
/// broke it; the worst rows (largest move first) as the table.
fn share_outcome(
    name: String,
    n: usize,
    broken: &[(usize, f64)],
    max_share: f64,
    before: &[f64],
    after: &[f64],
    how: &str,
) -> Outcome {
    let share = broken.len() as f64 / n.max(1) as f64;
    let headline = format!(
        "{} of {n} rows {how} ({:.2}%, allowed {:.2}%)",
        broken.len(),
        share * 100.0,
        max_share * 100.0
    );
    let passed = share <= max_share;
    let mut worst = broken.to_vec();
    worst.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut t = Table::new(["row", "score before", "score after", "moved"])
        .right_align(1)
        .right_align(2)
        .right_align(3);
    for &(i, _) in worst.iter().take(EXAMPLES) {
        t.row([
            i.to_string(),
            format!("{:.4}", before[i]),
            format!("{:.4}", after[i]),
            format!("{:+.4}", after[i] - before[i]),
        ]);
    }
    let outcome = Outcome::new(Kind::Integration, name, passed).with_headline(headline);
    if t.is_empty() {
        outcome
    } else {
        outcome.with_table(t)
    }
}

/// Hand-written cases with the labels they must get: `cases` holds the features and, as its
/// target, the expected label of each row. Fails on any miss, listing them.
///
/// ```
/// use mlharness::behaviour::minimum_functionality;
/// use mlharness::prelude::*;
/// let cases = Dataset::from_columns(vec![
///     ("calls".into(), Column::numeric(vec![0.0, 9.0])),
///     ("churn".into(), Column::categorical([Some("no"), Some("yes")])),
/// ])?
/// .with_target("churn")?;
/// let model = |d: &Dataset| -> Result<Predictions, ModelError> {
///     let calls = d.numeric("calls")?.values();
///     Predictions::classes(vec!["no".into(), "yes".into()], calls.iter().map(|&c| usize::from(c > 3.0)).collect())
/// };
/// minimum_functionality(&model, &cases)?.assert_passed();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn minimum_functionality(
    model: &(impl Model + ?Sized),
    cases: &Dataset,
) -> Result<Outcome, CheckError> {
    let truth = cases.target_labels()?;
    let p = predict("the model", model, cases)?;
    let Some(c) = p.as_classes() else {
        return Err(CheckError::Input {
            check: "minimum_functionality",
            message: "the model predicts values; the cases need class labels".into(),
        });
    };
    let mut t = Table::new(["row", "expected", "predicted", "P(predicted)"]);
    let mut missed = 0;
    for i in 0..cases.n_rows() {
        let expected = &truth.classes[truth.y[i]];
        let got = &c.classes()[c.labels()[i]];
        if expected != got {
            missed += 1;
            let p = c
                .probabilities()
                .map_or("-".to_string(), |m| format!("{:.3}", m[[i, c.labels()[i]]]));
            t.row([i.to_string(), expected.clone(), got.clone(), p]);
        }
    }
    let name = format!("minimum functionality ({} cases)", cases.n_rows());
    let headline = format!("{missed} of {} cases got the wrong label", cases.n_rows());
    Ok(if missed == 0 {
        Outcome::pass(Kind::Integration, name)
    } else {
        Outcome::fail(Kind::Integration, name, headline).with_table(t)
    })
}
