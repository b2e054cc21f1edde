//! Drift reports: does the current data (or a model's output on it) still look like the
//! reference data, column by column?
//!
//! Each column gets the test its kind calls for — two-sample Kolmogorov–Smirnov for a numeric
//! column, chi-squared on the category counts for a categorical one — plus, where they apply,
//! chi-squared on missing vs present and, for a sparse numeric column (at least half zeros in the
//! reference), on zero vs non-zero.
//!
//! **Who decides.** With fewer than [`DriftOptions::large_sample`] values (1,000) on either
//! side, the p-value decides (after [`Correction`] across every test of the report, Benjamini–
//! Hochberg by default, at α = 0.05). With more, any shift is "significant", so an *effect size*
//! decides instead (a drift must still be significant too, which guards against the noise of
//! effect sizes at moderate sizes), and the p-value is still reported: the normalised Wasserstein distance
//! (Wasserstein-1 over the reference's standard deviation; 0.1 = a tenth of a standard
//! deviation's worth of movement) for numeric columns, the Jensen–Shannon distance (natural log,
//! 0.1) for categories and for the missing and zero shares. Thresholds can be set per column.
//!
//! **Verdict.** The dataset has drifted when the share of drifted columns exceeds
//! [`DriftOptions::max_drifted_share`] (0 by default: any drifted column).
//!
//! Columns are tested in parallel on all cores when the default `parallel` feature (rayon) is on.
//!
//! ```
//! use mlharness::data::{Column, Dataset};
//! use mlharness::drift::DriftOptions;
//!
//! let reference = Dataset::from_columns(vec![
//!     ("minutes".into(), Column::numeric((0..200).map(|i| (i % 50) as f64).collect())),
//!     ("plan".into(), Column::categorical((0..200).map(|i| Some(if i % 3 == 0 { "pro" } else { "basic" })))),
//! ])?;
//! let current = Dataset::from_columns(vec![
//!     ("minutes".into(), Column::numeric((0..200).map(|i| (i % 50) as f64 + 20.0).collect())),
//!     ("plan".into(), Column::categorical((0..200).map(|i| Some(if i % 3 == 1 { "pro" } else { "basic" })))),
//! ])?;
//! let report = DriftOptions::default().compare(&reference, &current)?;
//! assert!(!report.outcome().passed());
//! assert_eq!(report.drifted_columns(), vec!["minutes"]);
//! println!("{report}"); // a table: column, test, statistic, p-value, effect size, drift
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod column;
mod domain;
#[cfg(feature = "html")]
mod html;
mod macros;
mod render;

pub use self::column::{
    Aspect, ColumnDrift, DecidedBy, KsPoint, Profile, PROFILE_BINS, PROFILE_LEVELS,
    PROFILE_QUANTILES,
};
pub use self::domain::{DomainClassifier, DomainReport};

use crate::check::{checked_report, InvalidSetting, Outcome};
use crate::data::{Column, ColumnKind, CsvOptions, DataError, DataFormat, Dataset};
use crate::kind::Kind;
use crate::model::{Model, ModelError, Predictions};
use crate::stats::Correction;
use crate::table::number;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Why a drift report could not be made.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::drift::{DriftError, DriftOptions};
/// let a = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0]))])?;
/// let b = Dataset::from_columns(vec![("y".into(), Column::numeric(vec![1.0]))])?;
/// let err = DriftOptions::default().compare(&a, &b).unwrap_err();
/// assert_eq!(err.to_string(), "column `x` is in the reference data but not in the current data (its columns: y)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriftError {
    /// A column to compare is missing from one side.
    #[error("column `{column}` is in the {present} data but not in the {absent} data (its columns: {available})")]
    MissingColumn {
        /// The column.
        column: String,
        /// `reference` or `current`.
        present: &'static str,
        /// The other side.
        absent: &'static str,
        /// The columns the other side has.
        available: String,
    },
    /// A column is numeric on one side and categorical on the other.
    #[error(
        "column `{column}` is {reference} in the reference data but {current} in the current data"
    )]
    KindMismatch {
        /// The column.
        column: String,
        /// Its kind in the reference.
        reference: ColumnKind,
        /// Its kind in the current data.
        current: ColumnKind,
    },
    /// A file has a header but no rows.
    #[error("{}: the {side} data has no rows: nothing to compare", path.display())]
    NoRows {
        /// The file.
        path: std::path::PathBuf,
        /// `reference` or `current`.
        side: &'static str,
    },
    /// One side has no rows.
    #[error("the {side} data has no rows: nothing to compare")]
    Empty {
        /// `reference` or `current`.
        side: &'static str,
    },
    /// An option is out of range.
    #[error(transparent)]
    Setting(#[from] InvalidSetting),
    /// Reading or building data failed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// The model failed to predict (prediction drift).
    #[error("the model failed to predict on the {side} data")]
    Model {
        /// `reference` or `current`.
        side: &'static str,
        /// The model's error.
        source: ModelError,
    },
}

/// Per-column thresholds overriding the report's defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Threshold {
    /// Significance level for this column's p-value decisions.
    pub alpha: Option<f64>,
    /// Effect size at or above which this column has drifted (large samples).
    pub effect_size: Option<f64>,
}

/// How a drift report decides; [`DriftOptions::compare`] makes the report.
///
/// ```
/// use mlharness::drift::DriftOptions;
/// use mlharness::stats::Correction;
/// let options = DriftOptions::default()
///     .alpha(0.01)
///     .correction(Correction::Bonferroni)
///     .effect_threshold("tenure", 0.2)
///     .columns(&["tenure", "plan"]);
/// assert_eq!(options.get_alpha(), 0.01);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftOptions {
    alpha: f64,
    correction: Correction,
    large_sample: usize,
    numeric_threshold: f64,
    categorical_threshold: f64,
    thresholds: BTreeMap<String, Threshold>,
    columns: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ignore: Vec<String>,
    skip_one_sided: bool,
    max_drifted_share: f64,
    missing_check: bool,
    sparse_zero_share: f64,
    max_levels: usize,
    /// Column kinds for [`compare_csv`]; not part of a report.
    #[serde(skip)]
    schema: Option<crate::schema::Schema>,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            alpha: 0.05,
            correction: Correction::BenjaminiHochberg,
            large_sample: 1000,
            numeric_threshold: 0.1,
            categorical_threshold: 0.1,
            thresholds: BTreeMap::new(),
            columns: None,
            ignore: Vec::new(),
            skip_one_sided: false,
            max_drifted_share: 0.0,
            missing_check: true,
            sparse_zero_share: 0.5,
            max_levels: 50,
            schema: None,
        }
    }
}

impl DriftOptions {
    /// Categorical columns with more distinct reference values than this (identifiers, free
    /// text, zip codes) are compared over their `max_levels - 1` most frequent reference values,
    /// one `(other)` bin and one `(unseen)` bin for current values the reference never had
    /// (default 50). A chi-squared over 500,000 one-count levels sees nothing; these bins see
    /// half the values turn new.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::drift::DriftOptions;
    /// // 2,000 customers, then 2,000 of whom half are new.
    /// let ids = |from: usize| {
    ///     let names: Vec<String> = (from..from + 2000).map(|i| format!("c{i}")).collect();
    ///     Dataset::from_columns(vec![("customer".into(), Column::categorical(names.iter().map(|s| Some(s.as_str()))))]).unwrap()
    /// };
    /// let report = DriftOptions::default().compare(&ids(0), &ids(1000))?;
    /// assert!(!report.outcome().passed(), "{report}");
    /// assert!(report.to_string().contains("identifier-like"), "{report}");
    /// # Ok::<(), mlharness::drift::DriftError>(())
    /// ```
    pub fn max_levels(mut self, levels: usize) -> Self {
        self.max_levels = levels;
        self
    }

    /// The checked-in schema, which decides column kinds when [`compare_csv`] reads files: a
    /// column of digits the schema calls categorical (a zip code, an area code) is compared
    /// as categories, not as numbers. Without it, kinds are inferred from the reference.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::drift::{compare_csv, DriftOptions};
    /// use mlharness::schema::Schema;
    /// # let dir = tempfile::tempdir()?;
    /// let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    /// std::fs::write(&a, "area\n415\n408\n415\n")?;
    /// std::fs::write(&b, "area\n415\n510\n415\n")?;
    /// let area = Column::categorical([Some("415"), Some("408")]);
    /// let schema = Schema::infer(&Dataset::from_columns(vec![("area".into(), area)])?);
    /// let report = compare_csv(&a, &b, &DriftOptions::default().schema(schema))?;
    /// assert!(report.to_string().contains("new: `510`"), "{report}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn schema(mut self, schema: crate::schema::Schema) -> Self {
        self.schema = Some(schema);
        self
    }

    /// Significance level for p-value decisions (default 0.05).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// The significance level in use.
    pub fn get_alpha(&self) -> f64 {
        self.alpha
    }

    /// Multiple-testing correction across the report's tests (default Benjamini–Hochberg).
    pub fn correction(mut self, correction: Correction) -> Self {
        self.correction = correction;
        self
    }

    /// From this many values on each side, effect sizes decide (default 1,000).
    pub fn large_sample(mut self, n: usize) -> Self {
        self.large_sample = n;
        self
    }

    /// Normalised Wasserstein distance at which a numeric column drifts (default 0.1).
    pub fn numeric_threshold(mut self, threshold: f64) -> Self {
        self.numeric_threshold = threshold;
        self
    }

    /// Jensen–Shannon distance at which categories (and missing/zero shares) drift (default 0.1).
    pub fn categorical_threshold(mut self, threshold: f64) -> Self {
        self.categorical_threshold = threshold;
        self
    }

    /// This column's effect-size threshold.
    pub fn effect_threshold(mut self, column: &str, threshold: f64) -> Self {
        self.thresholds
            .entry(column.to_string())
            .or_default()
            .effect_size = Some(threshold);
        self
    }

    /// This column's significance level.
    pub fn column_alpha(mut self, column: &str, alpha: f64) -> Self {
        self.thresholds.entry(column.to_string()).or_default().alpha = Some(alpha);
        self
    }

    /// Compare only these columns (default: every column of the reference, the target included).
    pub fn columns<S: AsRef<str>>(mut self, columns: &[S]) -> Self {
        self.columns = Some(columns.iter().map(|c| c.as_ref().to_string()).collect());
        self
    }

    /// Leave these columns out (an ID, the target, a timestamp): they are not compared.
    ///
    /// ```
    /// use mlharness::prelude::*;
    /// let a = Dataset::from_columns(vec![("id".into(), Column::numeric(vec![1.0, 2.0, 3.0])), ("x".into(), Column::numeric(vec![1.0, 2.0, 3.0]))])?;
    /// let b = Dataset::from_columns(vec![("id".into(), Column::numeric(vec![7.0, 8.0, 9.0])), ("x".into(), Column::numeric(vec![3.0, 1.0, 2.0]))])?;
    /// DriftOptions::default().ignore(&["id"]).compare(&a, &b)?.assert_passed();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ignore<S: AsRef<str>>(mut self, columns: &[S]) -> Self {
        self.ignore
            .extend(columns.iter().map(|c| c.as_ref().to_string()));
        self
    }

    /// A column on one side only is left out and named in the report's outcome, instead of
    /// being an error (default: an error naming the column and the other side's columns).
    pub fn skip_one_sided(mut self, skip: bool) -> Self {
        self.skip_one_sided = skip;
        self
    }

    /// The dataset has drifted when more than this share of its columns has (default 0: any).
    pub fn max_drifted_share(mut self, share: f64) -> Self {
        self.max_drifted_share = share;
        self
    }

    /// Whether to test missing vs present (default on).
    pub fn missing_check(mut self, on: bool) -> Self {
        self.missing_check = on;
        self
    }

    /// A numeric column with at least this share of zeros in the reference is sparse and gets a
    /// zero vs non-zero test (default 0.5; above 1 turns the check off).
    pub fn sparse_zero_share(mut self, share: f64) -> Self {
        self.sparse_zero_share = share;
        self
    }

    fn validate(&self) -> Result<(), DriftError> {
        let bad = |option, expected, value: f64| {
            Err(InvalidSetting::new("drift", option, expected, number(value)).into())
        };
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return bad("alpha", "strictly between 0 and 1", self.alpha);
        }
        if self.max_levels < 2 {
            return bad("max_levels", "at least 2", self.max_levels as f64);
        }
        if !(0.0..1.0).contains(&self.max_drifted_share) {
            return bad("max_drifted_share", "in [0, 1)", self.max_drifted_share);
        }
        for (name, t) in [
            ("numeric_threshold", self.numeric_threshold),
            ("categorical_threshold", self.categorical_threshold),
        ] {
            if !(t > 0.0 && t.is_finite()) {
                return bad(name, "a positive number", t);
            }
        }
        for t in self.thresholds.values() {
            if let Some(a) = t.alpha.filter(|a| !(*a > 0.0 && *a < 1.0)) {
                return bad("column_alpha", "strictly between 0 and 1", a);
            }
            if let Some(e) = t.effect_size.filter(|e| !(*e > 0.0 && e.is_finite())) {
                return bad("effect_threshold", "a positive number", e);
            }
        }
        Ok(())
    }

    /// Compares `current` with `reference`, column by column.
    pub fn compare(
        &self,
        reference: &Dataset,
        current: &Dataset,
    ) -> Result<DriftReport, DriftError> {
        self.compare_sides(Cow::Borrowed(reference), Cow::Borrowed(current))
    }

    /// [`DriftOptions::compare`] of datasets nothing else needs: each numeric column is sorted
    /// in its own buffer and freed when its tests are done, so the run holds no copy of a
    /// column beside the data (a column pair's copies on each core, before).
    pub(crate) fn compare_owned(
        &self,
        reference: Dataset,
        current: Dataset,
    ) -> Result<DriftReport, DriftError> {
        self.compare_sides(Cow::Owned(reference), Cow::Owned(current))
    }

    fn compare_sides(
        &self,
        reference: Cow<'_, Dataset>,
        current: Cow<'_, Dataset>,
    ) -> Result<DriftReport, DriftError> {
        self.validate()?;
        if reference.is_empty() {
            return Err(DriftError::Empty { side: "reference" });
        }
        if current.is_empty() {
            return Err(DriftError::Empty { side: "current" });
        }
        let names: Vec<String> = match &self.columns {
            Some(c) => c.clone(),
            None => reference
                .column_names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        // Where each compared column is on either side; a name listed twice is compared once.
        let mut pairs: Vec<(&str, usize, usize)> = Vec::with_capacity(names.len());
        let mut seen = std::collections::HashSet::new();
        let mut left_out = Vec::new();
        for name in names
            .iter()
            .filter(|n| !self.ignore.contains(n) && seen.insert(n.as_str()))
        {
            let one_sided = match (reference.column(name), current.column(name)) {
                (Ok(_), Err(_)) => Some("reference"),
                (Err(_), Ok(_)) => Some("current"),
                _ => None,
            };
            if let (Some(side), true) = (one_sided, self.skip_one_sided) {
                left_out.push(format!("`{name}` (only in the {side} data)"));
                continue;
            }
            let missing = |present, absent, ds: &Dataset| DriftError::MissingColumn {
                column: name.clone(),
                present,
                absent,
                available: ds.column_names().join(", "),
            };
            let r = reference
                .position(name)
                .map_err(|_| missing("current", "reference", &reference))?;
            let c = current
                .position(name)
                .map_err(|_| missing("reference", "current", &current))?;
            let (r_kind, c_kind) = (reference.kind_at(r), current.kind_at(c));
            if r_kind != c_kind {
                return Err(DriftError::KindMismatch {
                    column: name.clone(),
                    reference: r_kind,
                    current: c_kind,
                });
            }
            pairs.push((name.as_str(), r, c));
        }
        let compared: Vec<String> = pairs.iter().map(|(n, _, _)| n.to_string()).collect();
        let (reference_rows, current_rows) = (reference.n_rows(), current.n_rows());
        let (mut r_columns, mut c_columns) = (columns_of(reference), columns_of(current));
        let pairs: Vec<(&str, Cow<'_, Column>, Cow<'_, Column>)> = pairs
            .into_iter()
            .filter_map(|(name, r, c)| Some((name, r_columns[r].take()?, c_columns[c].take()?)))
            .collect();
        let per_column =
            crate::par::map_into(pairs, |(name, r, c)| column::tests(name, r, c, self));
        let mut rows: Vec<ColumnDrift> = per_column.into_iter().flatten().collect();
        let raw: Vec<f64> = rows.iter().filter_map(|r| r.p_value).collect();
        let mut adjusted = self.correction.adjust(&raw).into_iter();
        for row in &mut rows {
            if row.p_value.is_some() {
                row.adjusted_p_value = adjusted.next();
            }
            row.decide(self);
        }
        let mut report = DriftReport::new(rows, compared, reference_rows, current_rows, self);
        if !left_out.is_empty() {
            report.outcome = report
                .outcome
                .with_note(format!("left out: {}", left_out.join(", ")));
            report.left_out = left_out;
        }
        Ok(report)
    }

    /// Drift of a model's output: its predictions on `reference` against those on `current`,
    /// compared as columns (`prediction`: the class or the value; `score`: the positive class's
    /// probability, for a two-class model that gives probabilities).
    pub fn compare_predictions<M: Model + ?Sized>(
        &self,
        model: &M,
        reference: &Dataset,
        current: &Dataset,
    ) -> Result<DriftReport, DriftError> {
        let r = model
            .predict(reference)
            .map_err(|source| DriftError::Model {
                side: "reference",
                source,
            })?;
        let c = model.predict(current).map_err(|source| DriftError::Model {
            side: "current",
            source,
        })?;
        self.compare_owned(predictions_dataset(&r)?, predictions_dataset(&c)?)
    }

    pub(crate) fn threshold_for(&self, column: &str) -> Threshold {
        self.thresholds.get(column).copied().unwrap_or_default()
    }

    pub(crate) fn large_sample_size(&self) -> usize {
        self.large_sample
    }
}

/// Loads two CSV files and compares them: the reference's column kinds come from
/// [`DriftOptions::schema`] when one is given, and are inferred otherwise; the current file is
/// read with the same kinds, so a stray word in a numeric column is an error naming its line
/// and column rather than a silently categorical column.
///
/// ```
/// use mlharness::drift::{compare_csv, DriftOptions};
/// use mlharness::check::Checked;
/// # let dir = tempfile::tempdir()?;
/// let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
/// std::fs::write(&a, "x,plan\n1,basic\n2,pro\n3,basic\n")?;
/// std::fs::write(&b, "x,plan\n2,basic\n3,pro\n1,basic\n")?;
/// compare_csv(&a, &b, &DriftOptions::default()).assert_passed();
/// std::fs::write(&b, "x,plan\n2,basic\nthree,pro\n")?;
/// let err = compare_csv(&a, &b, &DriftOptions::default()).unwrap_err();
/// assert!(err.to_string().ends_with("b.csv:3: column `x` (field 1) is declared numeric, but `three` is not a number"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_csv(
    reference: impl AsRef<std::path::Path>,
    current: impl AsRef<std::path::Path>,
    options: &DriftOptions,
) -> Result<DriftReport, DriftError> {
    compare_files(reference, current, Some(DataFormat::Csv), options)
}

/// [`compare_csv`] for files of any format: `format`, or by default the one each file's
/// extension names (CSV, Parquet, Arrow IPC; see [`DataFormat`]).
///
/// ```
/// use mlharness::drift::{compare_files, DriftOptions};
/// # let dir = tempfile::tempdir()?;
/// # let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
/// std::fs::write(&a, "x\n1\n2\n3\n")?;
/// std::fs::write(&b, "x\n1\n2\n3\n")?;
/// assert!(compare_files(&a, &b, None, &DriftOptions::default())?.outcome().passed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare_files(
    reference: impl AsRef<std::path::Path>,
    current: impl AsRef<std::path::Path>,
    format: Option<DataFormat>,
    options: &DriftOptions,
) -> Result<DriftReport, DriftError> {
    let r = match &options.schema {
        Some(schema) => schema.read(&reference, format)?,
        None => Dataset::from_file_with(&reference, format, &CsvOptions::default())?,
    };
    if r.is_empty() {
        // Checked before the current file is read with the reference's kinds, which a
        // header-only file cannot give.
        return Err(DriftError::NoRows {
            path: reference.as_ref().to_path_buf(),
            side: "reference",
        });
    }
    let kinds = r
        .columns()
        .fold(CsvOptions::default(), |o, (name, c)| o.kind(name, c.kind()));
    let c = Dataset::from_file_with(&current, format, &kinds).or_else(|e| match e {
        // A column the current file lacks: report it as a drift error naming both sides.
        DataError::UnknownDeclaredColumn { .. } => {
            Dataset::from_file_with(current_path(&e), format, &CsvOptions::default())
        }
        e => Err(e),
    })?;
    if c.is_empty() {
        return Err(DriftError::NoRows {
            path: current.as_ref().to_path_buf(),
            side: "current",
        });
    }
    options.compare_owned(r, c)
}

/// A dataset's columns, each to be taken once: borrowed, or owned when the dataset is.
fn columns_of(ds: Cow<'_, Dataset>) -> Vec<Option<Cow<'_, Column>>> {
    match ds {
        Cow::Borrowed(ds) => ds.columns().map(|(_, c)| Some(Cow::Borrowed(c))).collect(),
        Cow::Owned(ds) => ds
            .into_columns()
            .into_iter()
            .map(|c| Some(Cow::Owned(c)))
            .collect(),
    }
}

fn current_path(e: &DataError) -> std::path::PathBuf {
    match e {
        DataError::UnknownDeclaredColumn { path, .. } => path.clone(),
        _ => std::path::PathBuf::new(),
    }
}

/// A model's predictions as a dataset: `prediction` (class name or value) and, for two classes
/// with probabilities, `score`.
pub fn predictions_dataset(p: &Predictions) -> Result<Dataset, DataError> {
    match p {
        Predictions::Values(v) => {
            Dataset::from_columns(vec![("prediction".into(), Column::numeric(v.clone()))])
        }
        Predictions::Classes(c) => {
            let mut cols = vec![(
                "prediction".to_string(),
                Column::categorical(c.label_names().map(Some)),
            )];
            if let Some(s) = c.positive_scores() {
                cols.push(("score".into(), Column::numeric(s.to_vec())));
            }
            Dataset::from_columns(cols)
        }
    }
}

/// A drift report: one row per test (a column's distribution, and its missing and zero shares
/// where they apply), and the dataset verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DriftReport {
    // The verdict, in the serde form; in the API it is the outcome's.
    drift: bool,
    // In the serde form only: `drifted_columns()` in the API.
    drifted_columns: Vec<String>,
    /// Share of compared columns with at least one drifted test.
    pub drifted_share: f64,
    /// One row per test.
    pub columns: Vec<ColumnDrift>,
    /// Rows in the reference data.
    pub reference_rows: usize,
    /// Rows in the current data.
    pub current_rows: usize,
    /// The options the report was made with.
    pub options: DriftOptions,
    #[serde(skip)]
    compared: Vec<String>,
    /// Columns on one side only, left out ([`DriftOptions::skip_one_sided`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    left_out: Vec<String>,
    #[serde(skip)]
    outcome: Outcome,
}

checked_report!(with_page: DriftReport);

/// The compared columns with at least one drifted row, in column order; a set, so that a
/// report over 50,000 columns is not a quadratic walk.
fn drifted_in<'a>(
    compared: &'a [String],
    rows: &'a [ColumnDrift],
) -> impl Iterator<Item = &'a str> + 'a {
    let drifted: std::collections::HashSet<&str> = rows
        .iter()
        .filter(|r| r.drift)
        .map(|r| r.column.as_str())
        .collect();
    compared
        .iter()
        .map(String::as_str)
        .filter(move |c| drifted.contains(c))
}

impl DriftReport {
    fn new(
        columns: Vec<ColumnDrift>,
        compared: Vec<String>,
        reference_rows: usize,
        current_rows: usize,
        options: &DriftOptions,
    ) -> Self {
        let drifted = drifted_in(&compared, &columns).count();
        let drifted_share = if compared.is_empty() {
            0.0
        } else {
            drifted as f64 / compared.len() as f64
        };
        let mut report = DriftReport {
            drift: drifted_share > options.max_drifted_share,
            drifted_columns: drifted_in(&compared, &columns)
                .map(str::to_string)
                .collect(),
            drifted_share,
            columns,
            reference_rows,
            current_rows,
            options: options.clone(),
            compared,
            left_out: Vec::new(),
            outcome: Outcome::pass(Kind::Drift, "drift"),
        };
        report.outcome = report.verdict();
        report
    }

    /// The check's outcome: failed when more than `max_drifted_share` of the columns drifted
    /// (for [`assert_drift!`](crate::assert_drift), that is the expected result); its table
    /// lists the drifted tests.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// Names of the columns with at least one drifted test, in column order.
    pub fn drifted_columns(&self) -> Vec<&str> {
        self.drifted_columns.iter().map(String::as_str).collect()
    }

    /// The rows of one column.
    pub fn column<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a ColumnDrift> + 'a {
        self.columns.iter().filter(move |r| r.column == name)
    }

    /// The distribution test's row of one column (KS or chi-squared), if the column was compared.
    pub fn distribution(&self, name: &str) -> Option<&ColumnDrift> {
        self.columns
            .iter()
            .find(|r| r.column == name && r.aspect == column::Aspect::Distribution)
    }
}
