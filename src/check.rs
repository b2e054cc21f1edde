//! The one outcome of every check in every kit, and the one way to assert it.
//!
//! A check returns `Result<Outcome, Error>`: `Err` means the check could not run (bad input, a
//! setting out of range, a model that cannot predict at all), and a check that ran is
//! `Ok(outcome)`, passed or failed, with the table of evidence that says what was expected,
//! what was found, by how much and where. Checks that produce more than a verdict (a drift
//! report, a validation report, a log summary) return a report holding its [`Outcome`].
//!
//! In a test, [`Checked::assert_passed`] fails with the table, or `?` on
//! [`Checked::require`] returns a [`CheckFailure`] that renders it. Both take the outcome, the
//! `Result` around it, a `Vec` of outcomes, or a report.
//!
//! ```
//! use mlharness::prelude::*;
//! use mlharness::table::Table;
//!
//! let mut table = Table::new(["metric", "found", "floor"]);
//! table.row(["roc_auc", "0.7756", "0.7900"]);
//! let outcome = Outcome::new(Kind::BenchmarkScore, "scores.toml thresholds", false)
//!     .with_headline("roc_auc is 0.0144 below its floor")
//!     .with_table(table);
//! let text = outcome.to_string();
//! assert!(text.starts_with("FAILED scores.toml thresholds: roc_auc is 0.0144 below its floor"));
//! assert!(text.contains("roc_auc  0.7756  0.7900"));
//!
//! let failure = outcome.require().unwrap_err();
//! assert_eq!(failure.to_string(), text);
//! ```

use crate::kind::Kind;
use crate::model::ModelError;
use serde::Serialize;
use std::error::Error;
use std::fmt;

pub use crate::table::Table;

/// The result of one check that ran: its kind and name, passed or failed, a one-line
/// headline, the table of evidence, and notes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
#[must_use = "an outcome may be a failure: assert it with `.assert_passed()` or `.require()?`"]
pub struct Outcome {
    kind: Kind,
    check: String,
    passed: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    headline: String,
    #[serde(skip_serializing_if = "Table::is_empty")]
    table: Table,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    figures: Vec<crate::figure::Figure>,
}

impl Outcome {
    /// An outcome of the check named `check`, of a test of kind `kind`.
    pub fn new(kind: Kind, check: impl Into<String>, passed: bool) -> Self {
        Outcome {
            kind,
            check: check.into(),
            passed,
            headline: String::new(),
            table: Table::new(Vec::<String>::new()),
            notes: Vec::new(),
            figures: Vec::new(),
        }
    }

    /// With a figure: what the HTML reports draw of this outcome (see [`crate::figure`]).
    pub fn with_figure(mut self, figure: crate::figure::Figure) -> Self {
        self.figures.push(figure);
        self
    }

    /// The figures, in the order they were added.
    pub fn figures(&self) -> &[crate::figure::Figure] {
        &self.figures
    }

    /// A passed outcome.
    pub fn pass(kind: Kind, check: impl Into<String>) -> Self {
        Outcome::new(kind, check, true)
    }

    /// A failed outcome with the headline saying what is wrong and, where it can be told, why.
    pub fn fail(kind: Kind, check: impl Into<String>, headline: impl Into<String>) -> Self {
        Outcome::new(kind, check, false).with_headline(headline)
    }

    /// Sets the one-line summary shown after the check's name.
    pub fn with_headline(mut self, headline: impl Into<String>) -> Self {
        self.headline = headline.into();
        self
    }

    /// Sets the table of evidence.
    pub fn with_table(mut self, table: Table) -> Self {
        self.table = table.with_rule();
        self
    }

    /// Adds a line shown under the table (the reason, a hint, what was written).
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// True when the check passed.
    pub fn passed(&self) -> bool {
        self.passed
    }

    /// The kind of test the check belongs to.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The check's name (`standardized`, `beats_baseline(roc_auc)`, …).
    pub fn name(&self) -> &str {
        &self.check
    }

    /// The one-line summary; empty when there is nothing to say.
    pub fn headline(&self) -> &str {
        &self.headline
    }

    /// The table of evidence.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The notes.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "passed" } else { "FAILED" };
        write!(f, "{verdict} {}", self.check)?;
        if !self.headline.is_empty() {
            write!(f, ": {}", self.headline)?;
        }
        writeln!(f)?;
        if !self.table.is_empty() {
            write!(f, "{}", self.table)?;
        }
        for note in &self.notes {
            writeln!(f, "  {note}")?;
        }
        Ok(())
    }
}

/// A check that failed or could not run, as an error: `Display` is the failed outcomes with
/// their tables (or why the check could not run), and so is `Debug`, so a test returning
/// `Result<(), CheckFailure>` prints the tables, not a struct dump.
///
/// ```
/// use mlharness::prelude::*;
/// fn scaled() -> Result<(), CheckFailure> {
///     Outcome::fail(Kind::Unit, "scaled", "column `age` has mean 3").require()?;
///     Ok(())
/// }
/// let failure = scaled().unwrap_err();
/// assert_eq!(failure.outcomes().len(), 1);
/// assert_eq!(format!("{failure:?}"), "\nFAILED scaled: column `age` has mean 3\n");
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum CheckFailure {
    /// The checks ran and these failed.
    Failed(Vec<Outcome>),
    /// A check could not run; the error and its causes, joined by `: `.
    CouldNotRun(String),
}

impl CheckFailure {
    /// The failed outcomes (none when the check could not run).
    pub fn outcomes(&self) -> &[Outcome] {
        match self {
            CheckFailure::Failed(o) => o,
            CheckFailure::CouldNotRun(_) => &[],
        }
    }
}

impl fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckFailure::Failed(outcomes) => {
                for (i, o) in outcomes.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{o}")?;
                }
                Ok(())
            }
            CheckFailure::CouldNotRun(message) => write!(f, "the check could not run: {message}"),
        }
    }
}

impl fmt::Debug for CheckFailure {
    // `unwrap()` and a test's `Err` print Debug: make it the message people need.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{self}")
    }
}

impl Error for CheckFailure {}

/// An error and its causes on one line, joined by `: ` (each error's message says only its
/// own part; the cause is its `source()`).
///
/// ```
/// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
/// let e = mlharness::fs::WriteError { path: "golden.csv".into(), source: io };
/// assert_eq!(mlharness::check::chain(&e), "golden.csv: cannot write: no such file");
/// ```
pub fn chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let part = e.to_string();
        // An error that still repeats its cause in its own message is not printed twice.
        if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = e.source();
    }
    text
}

/// What a check returns: an [`Outcome`], a `Vec` of them, a report holding one, or any of
/// these in a `Result` whose error means the check could not run. The one way to assert a
/// check in a test.
///
/// ```
/// use mlharness::prelude::*;
/// let ok: Result<Outcome, std::io::Error> = Ok(Outcome::pass(Kind::Unit, "scaled"));
/// ok.assert_passed();
///
/// let bad = Outcome::fail(Kind::Unit, "scaled", "column `age` has mean 3");
/// let message = std::panic::catch_unwind(|| bad.assert_passed()).unwrap_err();
/// assert!(message.downcast_ref::<String>().unwrap().contains("mean 3"));
/// ```
pub trait Checked: Sized {
    /// The outcomes, or why the check could not run.
    fn into_outcomes(self) -> Result<Vec<Outcome>, CheckFailure>;

    /// The outcomes and, when one failed and the report draws pictures, its HTML page: what a
    /// failing test leaves in the report directory (feature `html`). Without a page of its own,
    /// the failed outcomes make one.
    #[doc(hidden)]
    fn into_outcomes_and_page(self) -> (Result<Vec<Outcome>, CheckFailure>, Option<String>) {
        (self.into_outcomes(), None)
    }

    /// `Ok` when every outcome passed; otherwise the failed ones (or why the check could not
    /// run), for `?` in a test returning `Result`.
    fn require(self) -> Result<(), CheckFailure> {
        let failed: Vec<Outcome> = self
            .into_outcomes()?
            .into_iter()
            .filter(|o| !o.passed())
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(CheckFailure::Failed(failed))
        }
    }

    /// Panics with the failed outcomes' tables (or why the check could not run); quiet when
    /// every outcome passed.
    #[track_caller]
    fn assert_passed(self) {
        let (outcomes, page) = self.into_outcomes_and_page();
        let failure = match outcomes {
            Err(failure) => failure,
            Ok(outcomes) if outcomes.iter().all(Outcome::passed) => return,
            Ok(outcomes) => {
                CheckFailure::Failed(outcomes.into_iter().filter(|o| !o.passed()).collect())
            }
        };
        panic!(
            "{failure}{}",
            evidence(&current_test("check"), page, failure.outcomes())
        );
    }

    /// Panics unless the check ran and failed; returns the failure, whose text is what a user
    /// would read. For the tests that prove a check catches a broken model or broken data.
    ///
    /// ```
    /// use mlharness::prelude::*;
    /// let broken = Outcome::fail(Kind::Unit, "scaled", "column `age` has mean 3");
    /// let failure = broken.assert_failed();
    /// assert!(failure.to_string().contains("mean 3"));
    /// ```
    #[track_caller]
    fn assert_failed(self) -> CheckFailure {
        match self.into_outcomes() {
            Err(CheckFailure::CouldNotRun(e)) => {
                panic!("expected the check to fail, but it could not run: {e}")
            }
            Err(failure) => failure,
            Ok(outcomes) => {
                let failed: Vec<Outcome> =
                    outcomes.iter().filter(|o| !o.passed()).cloned().collect();
                if failed.is_empty() {
                    let shown: Vec<String> = outcomes.iter().map(ToString::to_string).collect();
                    panic!(
                        "expected the check to fail, but it passed:\n{}",
                        shown.join("\n")
                    );
                }
                CheckFailure::Failed(failed)
            }
        }
    }
}

impl Checked for Outcome {
    fn into_outcomes(self) -> Result<Vec<Outcome>, CheckFailure> {
        Ok(vec![self])
    }
}

impl Checked for &Outcome {
    fn into_outcomes(self) -> Result<Vec<Outcome>, CheckFailure> {
        Ok(vec![self.clone()])
    }
}

/// Several checks (outcomes, reports) assert as one: every table of the failed ones.
impl<T: Checked> Checked for Vec<T> {
    fn into_outcomes(self) -> Result<Vec<Outcome>, CheckFailure> {
        let mut all = Vec::with_capacity(self.len());
        for checked in self {
            all.extend(checked.into_outcomes()?);
        }
        Ok(all)
    }
}

impl<T: Checked, E: Into<Box<dyn Error>>> Checked for Result<T, E> {
    fn into_outcomes_and_page(self) -> (Result<Vec<Outcome>, CheckFailure>, Option<String>) {
        match self {
            Ok(checked) => checked.into_outcomes_and_page(),
            Err(e) => (Err::<T, E>(e).into_outcomes(), None),
        }
    }

    fn into_outcomes(self) -> Result<Vec<Outcome>, CheckFailure> {
        match self {
            Ok(checked) => checked.into_outcomes(),
            Err(e) => {
                let boxed: Box<dyn Error> = e.into();
                match boxed.downcast::<CheckFailure>() {
                    Ok(failure) => Err(*failure),
                    Err(other) => Err(CheckFailure::CouldNotRun(chain(other.as_ref()))),
                }
            }
        }
    }
}

/// Implements [`Checked`] for a report that holds an [`Outcome`], by value and by reference;
/// `with_page:` for a report whose `to_html` a failing test leaves as its page.
macro_rules! checked_report {
    (with_page: $($report:ty),* $(,)?) => {$(
        impl $crate::check::Checked for $report {
            fn into_outcomes(self) -> Result<Vec<$crate::check::Outcome>, $crate::check::CheckFailure> {
                Ok(vec![self.outcome().clone()])
            }
            fn into_outcomes_and_page(self) -> (Result<Vec<$crate::check::Outcome>, $crate::check::CheckFailure>, Option<String>) {
                (&self).into_outcomes_and_page()
            }
        }
        impl $crate::check::Checked for &$report {
            fn into_outcomes(self) -> Result<Vec<$crate::check::Outcome>, $crate::check::CheckFailure> {
                Ok(vec![self.outcome().clone()])
            }
            fn into_outcomes_and_page(self) -> (Result<Vec<$crate::check::Outcome>, $crate::check::CheckFailure>, Option<String>) {
                let outcome = self.outcome().clone();
                // Drawn only for a failure: a passing check costs nothing more.
                // A panic while drawing must not replace the check's own failure message.
                #[cfg(feature = "html")]
                let page = (!outcome.passed())
                    .then(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.to_html())).ok())
                    .flatten();
                #[cfg(not(feature = "html"))]
                let page = None;
                (Ok(vec![outcome]), page)
            }
        }
    )*};
    ($($report:ty),* $(,)?) => {$(
        impl $crate::check::Checked for $report {
            fn into_outcomes(self) -> Result<Vec<$crate::check::Outcome>, $crate::check::CheckFailure> {
                Ok(vec![self.outcome().clone()])
            }
        }
        impl $crate::check::Checked for &$report {
            fn into_outcomes(self) -> Result<Vec<$crate::check::Outcome>, $crate::check::CheckFailure> {
                Ok(vec![self.outcome().clone()])
            }
        }
    )*};
}
pub(crate) use checked_report;

/// A setting of a check outside its range: which check, which setting, what it must be and
/// what it was. Every kit's error has it as a variant.
///
/// ```
/// use mlharness::check::{InvalidSetting, Range};
/// let e = InvalidSetting::ensure("beats_baseline", "margin", Range::Finite, f64::NAN).unwrap_err();
/// assert_eq!(e.to_string(), "beats_baseline: `margin` must be a finite number, got NaN");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{check}: `{setting}` must be {expected}, got {value}")]
#[non_exhaustive]
pub struct InvalidSetting {
    /// The check (or option set) the setting belongs to.
    pub check: &'static str,
    /// The setting.
    pub setting: &'static str,
    /// What it must be.
    pub expected: &'static str,
    /// What it was.
    pub value: String,
}

impl InvalidSetting {
    /// The error for `setting = value`.
    pub fn new(
        check: &'static str,
        setting: &'static str,
        expected: &'static str,
        value: impl fmt::Display,
    ) -> Self {
        InvalidSetting {
            check,
            setting,
            expected,
            value: value.to_string(),
        }
    }

    /// `Ok(value)` when it is in `range`, else the error naming the setting.
    pub fn ensure(
        check: &'static str,
        setting: &'static str,
        range: Range,
        value: f64,
    ) -> Result<f64, InvalidSetting> {
        if range.contains(value) {
            Ok(value)
        } else {
            Err(InvalidSetting::new(
                check,
                setting,
                range.expected(),
                crate::table::number(value),
            ))
        }
    }
}

/// The ranges checks' numeric settings take, for [`InvalidSetting::ensure`].
///
/// ```
/// use mlharness::check::Range;
/// assert!(Range::Share.contains(1.0) && !Range::OpenUnit.contains(1.0));
/// assert_eq!(Range::NonNegative.expected(), "a finite number ≥ 0");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Range {
    /// Any finite number.
    Finite,
    /// A finite number ≥ 0 (tolerances, margins).
    NonNegative,
    /// In [0, 1] (shares).
    Share,
    /// In (0, 1), ends excluded (significance levels, confidence).
    OpenUnit,
}

impl Range {
    /// True when `value` is in the range (NaN never is).
    pub fn contains(self, value: f64) -> bool {
        match self {
            Range::Finite => value.is_finite(),
            Range::NonNegative => value.is_finite() && value >= 0.0,
            Range::Share => (0.0..=1.0).contains(&value),
            Range::OpenUnit => value > 0.0 && value < 1.0,
        }
    }

    /// The range as the error message says it.
    pub fn expected(self) -> &'static str {
        match self {
            Range::Finite => "a finite number",
            Range::NonNegative => "a finite number ≥ 0",
            Range::Share => "between 0 and 1",
            Range::OpenUnit => "strictly between 0 and 1",
        }
    }
}

/// Why a check of a model could not run (as opposed to running and failing): the error of
/// the benchmark-score, differential, pipeline and transform kits.
///
/// ```
/// use mlharness::benchmark::BeatsBaseline;
/// use mlharness::prelude::*;
/// let data = Dataset::from_columns(vec![("y".into(), Column::numeric(vec![1.0, 2.0]))])?.with_target("y")?;
/// let broken = |_: &Dataset| -> Result<Predictions, ModelError> { Err(ModelError::new("no weights")) };
/// let err = BeatsBaseline::new(Metric::Mae).check(&broken, &data, &data).unwrap_err();
/// assert!(matches!(err, CheckError::Predict { .. }));
/// assert_eq!(mlharness::check::chain(&err), "the model failed to predict: no weights");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A model (or a baseline) could not predict.
    #[error("{who} failed to predict")]
    Predict {
        /// `model`, `the candidate`, the baseline's name, a seed's model.
        who: String,
        /// The model's error.
        #[source]
        source: ModelError,
    },
    /// Training (for a check that trains, such as reproducibility) failed.
    #[error("training with seed {seed} failed: {message}")]
    Train {
        /// The seed.
        seed: u64,
        /// The trainer's error.
        message: String,
    },
    /// Two sets of predictions (or arrays) cannot be compared row by row.
    #[error("cannot compare {what}: {message}")]
    Mismatch {
        /// What was compared (`the candidate with v1`, `input and output`).
        what: String,
        /// What differs.
        message: String,
    },
    /// The input cannot be checked (a training column with no value to take a statistic of).
    #[error("{check}: {message}")]
    Input {
        /// The check.
        check: &'static str,
        /// What is wrong with the input.
        message: String,
    },
    /// The golden file is missing (under CI), stale or malformed.
    #[error(transparent)]
    Golden(#[from] crate::differential::GoldenError),
    /// The thresholds file is not valid.
    #[error(transparent)]
    Thresholds(#[from] crate::benchmark::ThresholdsError),
    /// The data does not fit the check (no target, a missing column, a wrong kind).
    #[error(transparent)]
    Data(#[from] crate::data::DataError),
    /// A metric cannot be computed on these predictions.
    #[error(transparent)]
    Metric(#[from] crate::metrics::MetricError),
    /// A statistic (a bootstrap interval, a paired test) cannot be computed.
    #[error(transparent)]
    Stats(#[from] crate::stats::StatsError),
    /// A setting of the check is out of range.
    #[error(transparent)]
    Setting(#[from] InvalidSetting),
}

/// `model.predict(data)`, its error naming `who`.
pub(crate) fn predict(
    who: &str,
    model: &(impl crate::model::Model + ?Sized),
    data: &crate::data::Dataset,
) -> Result<crate::model::Predictions, CheckError> {
    model.predict(data).map_err(|source| CheckError::Predict {
        who: who.to_string(),
        source,
    })
}

/// Why a check stopped before its end: what it tests failed (a failed outcome), or the check
/// itself could not run.
pub(crate) enum Stop<E> {
    // Boxed: the `Err` of every step of a check should stay small.
    Failed(Box<Outcome>),
    Error(E),
}

impl<E> From<E> for Stop<E> {
    fn from(e: E) -> Self {
        Stop::Error(e)
    }
}

impl From<crate::data::DataError> for Stop<CheckError> {
    fn from(e: crate::data::DataError) -> Self {
        Stop::Error(e.into())
    }
}

/// Runs a check's body, in which `?` on a [`Stop`] ends the check early.
pub(crate) fn run<E>(body: impl FnOnce() -> Result<Outcome, Stop<E>>) -> Result<Outcome, E> {
    match body() {
        Ok(o) => Ok(o),
        Err(Stop::Failed(o)) => Ok(*o),
        Err(Stop::Error(e)) => Err(e),
    }
}

/// Fails the test `name` (panics) when the checks failed or could not run; quiet otherwise.
/// The macros call this, through `_macro_support`.
#[doc(hidden)]
#[track_caller]
pub fn enforce(name: &str, checked: impl Checked) {
    let (outcomes, page) = checked.into_outcomes_and_page();
    let test = current_test(name);
    match outcomes {
        Err(CheckFailure::CouldNotRun(error)) => panic!("{name}: the check could not run: {error}"),
        Err(failure) => panic!(
            "{name}: {failure}{}",
            evidence(&test, page, failure.outcomes())
        ),
        Ok(outcomes) => {
            let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.passed()).collect();
            if !failed.is_empty() {
                let shown: Vec<String> = failed.iter().map(ToString::to_string).collect();
                let failed: Vec<Outcome> = failed.into_iter().cloned().collect();
                panic!(
                    "{name}: {} of {} checks failed\n\n{}{}",
                    shown.len(),
                    outcomes.len(),
                    shown.join("\n"),
                    evidence(&test, page, &failed)
                );
            }
        }
    }
}

/// Panics with `message`, after leaving the failed check's HTML page (feature `html`) and
/// naming it on the message's last line. For macros whose message is a whole report.
#[doc(hidden)]
#[track_caller]
pub fn fail_with_evidence(message: String, checked: impl Checked) -> ! {
    let (outcomes, page) = checked.into_outcomes_and_page();
    let failed: Vec<Outcome> = outcomes
        .map(|o| o.into_iter().filter(|o| !o.passed()).collect())
        .unwrap_or_default();
    let test = current_test("check");
    panic!("{message}{}", evidence(&test, page, &failed));
}

/// The running test's name: libtest names each test's thread after it (under `cargo test`
/// and under nextest alike); `fallback` elsewhere.
fn current_test(fallback: &str) -> String {
    std::thread::current()
        .name()
        .filter(|t| *t != "main")
        .unwrap_or(fallback)
        .to_string()
}

/// Leaves the HTML page of a failed check for `test` (its report's own, or one made of the
/// failed outcomes) and returns the line that names it; empty without the `html` feature or a
/// report directory.
#[cfg_attr(not(feature = "html"), allow(unused_variables))]
fn evidence(test: &str, page: Option<String>, failed: &[Outcome]) -> String {
    #[cfg(feature = "html")]
    {
        // A check that could not run has nothing to show.
        if page.is_none() && failed.is_empty() {
            return String::new();
        }
        let page = match page {
            Some(page) => page,
            None => match std::panic::catch_unwind(|| crate::html::outcomes_page(test, failed)) {
                Ok(page) => page,
                Err(_) => return String::new(),
            },
        };
        if let Some(path) = crate::html::leave_page(test, &page) {
            return format!("\n  report: {}", path.display());
        }
    }
    String::new()
}
