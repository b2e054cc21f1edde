use super::EdgeCase;
use crate::check::{checked_report, Outcome};
use crate::data::Dataset;
use crate::kind::Kind;
use crate::model::{Model, Predictions};
use crate::schema::{Schema, ValidationReport, Violation};
use std::collections::{BTreeMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Tolerance on a probability row's sum and range.
const PROBABILITY_TOLERANCE: f64 = 1e-6;

/// What a model should do with an edge case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expect {
    /// Either a valid prediction per row or a readable error (the default).
    #[default]
    Either,
    /// A valid prediction per row; an error is a failure.
    Prediction,
    /// A readable error; predictions are a failure (e.g. a model must refuse a missing column).
    Error,
}

/// What the model did with an edge case that kept the contract.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Response {
    /// One valid prediction per row.
    Predicted {
        /// Rows predicted.
        rows: usize,
    },
    /// A readable error, and the schema flags the data.
    Rejected {
        /// The model's error.
        error: String,
        /// What the schema says of the variant (and not of the base data).
        flagged: Vec<Violation>,
    },
}

impl Response {
    /// True when the model predicted.
    pub fn predicted(&self) -> bool {
        matches!(self, Response::Predicted { .. })
    }
}

/// How a model broke the edge-case contract.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Breach {
    /// The model panicked.
    Panicked(String),
    /// A prediction count other than the row count.
    WrongCount {
        /// Rows in the data.
        expected: usize,
        /// Predictions returned.
        found: usize,
    },
    /// Non-finite predictions (NaN or infinity), with a few rows.
    NonFinite {
        /// How many.
        count: usize,
        /// Example rows.
        rows: Vec<usize>,
    },
    /// Probability rows outside [0, 1] or not summing to 1.
    BadProbabilities {
        /// How many rows.
        count: usize,
        /// Example rows.
        rows: Vec<usize>,
    },
    /// An error where predictions were expected.
    UnexpectedError(String),
    /// Predictions where an error was expected.
    UnexpectedPrediction,
    /// An error with an empty message.
    EmptyError,
    /// The model refused data the schema accepts.
    SchemaBlind(String),
}

/// What a model did with one edge case: its response when it kept the contract, how it broke
/// it otherwise, and the check's [`Outcome`], whose failure says which oddity, what was
/// expected and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeReport {
    response: Result<Response, Breach>,
    outcome: Outcome,
}

impl EdgeReport {
    fn new(case: &EdgeCase, response: Result<Response, Breach>) -> Self {
        let name = format!("edge case `{}`", case.name);
        let outcome = match &response {
            Ok(Response::Predicted { rows }) => Outcome::pass(Kind::EdgeCase, name)
                .with_headline(format!("a valid prediction for each of {rows} rows")),
            Ok(Response::Rejected { error, flagged }) => {
                let flags: Vec<String> = flagged
                    .iter()
                    .map(|v| format!("{} {}", v.column.as_deref().unwrap_or("-"), v.kind))
                    .collect();
                Outcome::pass(Kind::EdgeCase, name).with_headline(format!(
                    "refused with `{error}`; the schema flags it too ({})",
                    flags.join("; ")
                ))
            }
            Err(breach) => {
                let (headline, found, expected) = breach.describe();
                let mut t = crate::table::Table::new(["", ""]);
                t.row(["oddity:", case.description.as_str()]);
                t.row(["expected:", &expected]);
                t.row(["found:", &found]);
                Outcome::fail(Kind::EdgeCase, name, headline).with_table(t)
            }
        };
        EdgeReport { response, outcome }
    }

    /// The check's outcome.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// What the model did, when it kept the contract.
    pub fn response(&self) -> Option<&Response> {
        self.response.as_ref().ok()
    }

    /// How the model broke the contract, when it did.
    pub fn breach(&self) -> Option<&Breach> {
        self.response.as_ref().err()
    }
}

checked_report!(EdgeReport);

/// The outcome: which oddity, what was expected and what happened.
impl std::fmt::Display for EdgeReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.outcome)
    }
}

impl Breach {
    /// The headline, what was found and what was expected.
    fn describe(&self) -> (String, String, String) {
        let rows = |r: &[usize]| {
            let listed = r
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            format!("{} {listed}", if r.len() == 1 { "row" } else { "rows" })
        };
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        match self {
            Breach::Panicked(msg) => (
                "the model panicked".to_string(),
                format!("panic: {msg}"),
                "no panic: a prediction per row or an error".to_string(),
            ),
            Breach::WrongCount { expected, found } => (
                "wrong number of predictions".into(),
                format!(
                    "{found} predictions ({} rows unanswered)",
                    expected.abs_diff(*found)
                ),
                format!("{expected} predictions, one per row"),
            ),
            Breach::NonFinite { count, rows: r } => (
                "non-finite predictions".into(),
                format!(
                    "{} NaN or infinite, {}",
                    plural(*count, "prediction", "predictions"),
                    rows(r)
                ),
                "finite predictions".into(),
            ),
            Breach::BadProbabilities { count, rows: r } => (
                "invalid probabilities".into(),
                format!(
                    "{} outside [0, 1] or not summing to 1: {}",
                    plural(*count, "row", "rows"),
                    rows(r)
                ),
                "probabilities in [0, 1] summing to 1 per row".into(),
            ),
            Breach::UnexpectedError(e) => (
                "the model refused data it should predict".into(),
                format!("error: {e}"),
                "a prediction per row".into(),
            ),
            Breach::UnexpectedPrediction => (
                "the model predicted data it should refuse".into(),
                "predictions".into(),
                "an error".into(),
            ),
            Breach::EmptyError => (
                "the model's error says nothing".into(),
                "an error with an empty message".into(),
                "an error a user can read".into(),
            ),
            Breach::SchemaBlind(e) => (
                "the model refused data the schema accepts".into(),
                format!("error: {e}; the schema flags nothing"),
                "the schema to flag every oddity the model refuses (tighten it)".into(),
            ),
        }
    }
}

/// Per-oddity expectations, for [`run_case`] and the [`edge_cases!`](crate::edge_cases) macro.
///
/// ```
/// use mlharness::edge::{EdgeOptions, Expect};
/// let options = EdgeOptions::new().expect_error(&["missing_column"]).expect_prediction(&["extra_column"]);
/// assert_eq!(options.expectation("missing_column"), Expect::Error);
/// assert_eq!(options.expectation("nan"), Expect::Either);
/// ```
#[derive(Debug, Clone, Default)]
pub struct EdgeOptions {
    expect: BTreeMap<String, Expect>,
    aim: Vec<String>,
    budget: Option<crate::budget::TimeBudget>,
}

impl EdgeOptions {
    /// Every oddity: either a prediction or an error.
    pub fn new() -> Self {
        Self::default()
    }

    /// The columns to aim column oddities at: each goes to every one of these of the right
    /// kind in turn (see [`variants_per_column`](super::variants_per_column)). Default: every
    /// feature column.
    ///
    /// ```
    /// use mlharness::edge::EdgeOptions;
    /// // An ID column first in the file is left out of NaN, infinity, missing-column, ….
    /// let options = EdgeOptions::new().aim(&["tenure", "plan"]);
    /// ```
    pub fn aim(mut self, columns: &[&str]) -> Self {
        self.aim = columns.iter().map(|c| c.to_string()).collect();
        self
    }

    /// Times the model on the `large_batch` variant (100,000 rows) against an absolute
    /// budget: a model that predicts but too slowly fails that oddity.
    ///
    /// ```
    /// use mlharness::budget::TimeBudget;
    /// use mlharness::edge::EdgeOptions;
    /// use std::time::Duration;
    /// let options = EdgeOptions::new().time_budget(TimeBudget::at_most(Duration::from_secs(2)).runs(3));
    /// ```
    pub fn time_budget(mut self, budget: crate::budget::TimeBudget) -> Self {
        self.budget = Some(budget);
        self
    }

    /// These oddities must be refused with an error.
    pub fn expect_error(mut self, oddities: &[&str]) -> Self {
        for o in oddities {
            self.expect.insert(o.to_string(), Expect::Error);
        }
        self
    }

    /// These oddities must be predicted.
    pub fn expect_prediction(mut self, oddities: &[&str]) -> Self {
        for o in oddities {
            self.expect.insert(o.to_string(), Expect::Prediction);
        }
        self
    }

    /// What is expected of an oddity.
    pub fn expectation(&self, oddity: &str) -> Expect {
        self.expect.get(oddity).copied().unwrap_or_default()
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic without a message)".into())
}

/// Runs `model` on an edge case and checks the contract; `base` is the data the variant was
/// made from, so that only what the schema says of the variant *and not of the base* counts as
/// flagging the oddity.
pub fn check<M: Model + ?Sized>(
    model: &M,
    case: &EdgeCase,
    base: &Dataset,
    schema: &Schema,
    expect: Expect,
) -> EdgeReport {
    EdgeReport::new(case, respond(model, case, base, schema, expect))
}

fn respond<M: Model + ?Sized>(
    model: &M,
    case: &EdgeCase,
    base: &Dataset,
    schema: &Schema,
    expect: Expect,
) -> Result<Response, Breach> {
    let result = catch_unwind(AssertUnwindSafe(|| model.predict(&case.data)))
        .map_err(|p| Breach::Panicked(panic_message(p.as_ref())))?;
    match result {
        Ok(predictions) => {
            if expect == Expect::Error {
                return Err(Breach::UnexpectedPrediction);
            }
            let rows = case.data.n_rows();
            check_predictions(&predictions, rows)?;
            Ok(Response::Predicted { rows })
        }
        Err(e) => {
            let error = e.to_string();
            if expect == Expect::Prediction {
                return Err(Breach::UnexpectedError(error));
            }
            if error.trim().is_empty() {
                return Err(Breach::EmptyError);
            }
            let flagged = new_violations(&schema.validate(base), &schema.validate(&case.data));
            if flagged.is_empty() {
                return Err(Breach::SchemaBlind(error));
            }
            Ok(Response::Rejected { error, flagged })
        }
    }
}

/// Violations of `variant` that the base data does not have (same column and kind).
fn new_violations(base: &ValidationReport, variant: &ValidationReport) -> Vec<Violation> {
    let known: HashSet<(Option<&str>, _)> = base
        .violations()
        .iter()
        .map(|v| (v.column.as_deref(), v.kind))
        .collect();
    variant
        .violations()
        .iter()
        .filter(|v| !known.contains(&(v.column.as_deref(), v.kind)))
        .cloned()
        .collect()
}

fn check_predictions(predictions: &Predictions, rows: usize) -> Result<(), Breach> {
    if predictions.len() != rows {
        return Err(Breach::WrongCount {
            expected: rows,
            found: predictions.len(),
        });
    }
    // Rows failing a per-row test: how many, and the first few.
    let failing = |test: &dyn Fn(usize) -> bool| {
        let all: Vec<usize> = (0..rows).filter(|&i| test(i)).collect();
        (all.len(), all.into_iter().take(5).collect::<Vec<_>>())
    };
    match predictions {
        Predictions::Values(v) => {
            let (count, bad) = failing(&|i| !v[i].is_finite());
            if count > 0 {
                return Err(Breach::NonFinite { count, rows: bad });
            }
        }
        Predictions::Classes(c) => {
            if let Some(p) = c.probabilities() {
                let (count, bad) = failing(&|i| p.row(i).iter().any(|x| !x.is_finite()));
                if count > 0 {
                    return Err(Breach::NonFinite { count, rows: bad });
                }
                let (count, bad) = failing(&|i| {
                    let row = p.row(i);
                    let range = -PROBABILITY_TOLERANCE..=1.0 + PROBABILITY_TOLERANCE;
                    !row.iter().all(|x| range.contains(x))
                        || (row.sum() - 1.0).abs() > PROBABILITY_TOLERANCE
                });
                if count > 0 {
                    return Err(Breach::BadProbabilities { count, rows: bad });
                }
            }
        }
    }
    Ok(())
}

/// A user's own variant: from the base data and its schema, the odd dataset.
pub type BuildVariant = dyn Fn(&Dataset, &Schema) -> Dataset;

/// One edge-case check as the [`edge_cases!`](crate::edge_cases) macro runs it: builds the
/// variants of the oddity named `oddity` — one per column it applies to, among the aimed ones
/// (see [`variants_per_column`](super::variants_per_column)); with `custom`, the user's one —
/// and checks `model` on each. It passes when the model keeps the contract on every variant;
/// a failure names each column where it did not. An oddity the data has nothing for passes,
/// with a note saying why. With a [time budget](EdgeOptions::time_budget), `large_batch` is
/// also timed.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::edge::{self, EdgeOptions};
/// use mlharness::model::{ModelError, Predictions};
/// use mlharness::schema::Schema;
/// let base = Dataset::from_columns(vec![
///     ("id".into(), Column::numeric(vec![1.0, 2.0, 3.0])),
///     ("tenure".into(), Column::numeric(vec![3.0, 40.0, 7.0])),
/// ])?;
/// // Sums its inputs: a NaN in any column comes out as a NaN prediction.
/// let model = |d: &Dataset| -> Result<Predictions, ModelError> {
///     let (a, b) = (d.numeric("id")?.values(), d.numeric("tenure")?.values());
///     Ok(Predictions::values(a.iter().zip(b).map(|(x, y)| x + y).collect()))
/// };
/// let schema = Schema::infer(&base);
/// let outcome = edge::run_case("nan", &model, &base, &schema, &EdgeOptions::new(), None)?;
/// assert!(!outcome.passed());
/// assert!(outcome.headline().contains("2 of 2 columns"), "{outcome}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_case<M: Model + ?Sized>(
    oddity: &str,
    model: &M,
    base: &Dataset,
    schema: &Schema,
    options: &EdgeOptions,
    custom: Option<&BuildVariant>,
) -> Result<Outcome, super::EdgeError> {
    let expect = options.expectation(oddity);
    if let Some(build) = custom {
        let case = EdgeCase::new(
            oddity,
            format!("custom oddity `{oddity}`"),
            build(base, schema),
        );
        return Ok(check(model, &case, base, schema, expect).outcome);
    }
    // (column, description, report); the data of a variant is dropped once checked, but for
    // an oddity of the whole data, which a time budget may still need.
    let mut reports: Vec<(Option<String>, String, EdgeReport)> = Vec::new();
    let mut whole: Option<Dataset> = None;
    let visited =
        super::oddity::for_each_variant(oddity, base, schema, &options.aim, |column, case| {
            let report = check(model, &case, base, schema, expect);
            reports.push((column.map(str::to_string), case.description, report));
            if column.is_none() {
                whole = Some(case.data);
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
    match visited {
        Ok(_) => {}
        Err(super::EdgeError::NotApplicable { oddity, reason }) => {
            return Ok(
                Outcome::pass(Kind::EdgeCase, format!("edge case `{oddity}`"))
                    .with_headline(format!("not applicable: {reason}")),
            );
        }
        Err(e) => return Err(e),
    }
    let outcome = match reports.as_slice() {
        [(_, _, report)] => report.outcome.clone(),
        _ => across_columns(oddity, &reports),
    };
    let predicted = outcome.passed()
        && reports
            .iter()
            .all(|(_, _, r)| r.response().is_some_and(Response::predicted));
    match (&options.budget, whole) {
        (Some(budget), Some(data)) if oddity == super::Oddity::LargeBatch.name() && predicted => {
            let timed = budget.clone().kind(Kind::EdgeCase).check(
                &format!("edge case `{oddity}`, {} rows predicted", data.n_rows()),
                || model.predict(&data),
            );
            match timed {
                Ok(t) if !t.passed() => Ok(t),
                Ok(t) => Ok(outcome.with_note(format!("{}: kept", t.name()))),
                Err(e) => Err(super::EdgeError::Budget(e)),
            }
        }
        _ => Ok(outcome),
    }
}

/// One outcome for an oddity put into several columns in turn: passed when the model kept the
/// contract in each; a failure lists the columns where it did not.
fn across_columns(oddity: &str, reports: &[(Option<String>, String, EdgeReport)]) -> Outcome {
    let name = format!("edge case `{oddity}`");
    let broken: Vec<&(Option<String>, String, EdgeReport)> = reports
        .iter()
        .filter(|(_, _, r)| r.breach().is_some())
        .collect();
    if broken.is_empty() {
        return Outcome::pass(Kind::EdgeCase, name).with_headline(format!(
            "the contract kept in each of the {} columns it applies to",
            reports.len()
        ));
    }
    let columns: Vec<String> = broken
        .iter()
        .map(|(c, _, _)| format!("`{}`", c.as_deref().unwrap_or("-")))
        .collect();
    let shown = if columns.len() > 5 {
        format!("{}, …", columns[..5].join(", "))
    } else {
        columns.join(", ")
    };
    let first = broken[0]
        .2
        .breach()
        .map(|b| b.describe().0)
        .unwrap_or_default();
    let mut t = crate::table::Table::new(["column", "expected", "found"]);
    for (column, _, report) in &broken {
        if let Some(breach) = report.breach() {
            let (_, found, expected) = breach.describe();
            t.row([column.clone().unwrap_or_default(), expected, found]);
        }
    }
    Outcome::fail(
        Kind::EdgeCase,
        name,
        format!(
            "broken in {} of {} columns ({shown}): {first}",
            broken.len(),
            reports.len()
        ),
    )
    .with_table(t)
    .with_note(format!("oddity: {}", broken[0].1))
}
