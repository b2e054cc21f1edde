//! Data integrity and train–test validity: the checks of deepchecks' data-integrity and
//! train-test-validation suites that catch real bugs before a model is trained on them.
//!
//! On one dataset: [`duplicates`], [`conflicting_labels`] (identical features, different
//! targets), [`category_mismatch`] (`MALE` / `male` / ` male`), [`mixed_types`] (numbers and
//! text in one column), [`special_characters`] (`?` as a category), [`outliers`] and
//! [`feature_label_leakage`] (one feature that alone predicts the target). On a training and
//! a test set: [`train_test_overlap`], [`shared_ids`] and [`predictive_power_drift`]. Each is
//! a one-liner with the defaults, or a method of [`DataChecks`] with settings; each returns an
//! [`IntegrityReport`] — its [`Outcome`] and, per check (and column), a [`Finding`] with the
//! count and examples (the JSON of `mlharness check-data`). The
//! [`data_integrity_test!`](crate::data_integrity_test) macro makes each a named test.
//!
//! ```
//! use mlharness::check::Checked;
//! use mlharness::data::{Column, Dataset};
//! use mlharness::integrity;
//!
//! let data = Dataset::from_columns(vec![
//!     ("plan".into(), Column::categorical([Some("pro"), Some("PRO"), Some("basic"), Some("basic")])),
//!     ("calls".into(), Column::numeric(vec![3.0, 4.0, 1.0, 1.0])),
//!     ("churn".into(), Column::categorical([Some("yes"), Some("no"), Some("no"), Some("no")])),
//! ])?
//! .with_target("churn")?;
//! let mismatch = integrity::category_mismatch(&data)?;
//! assert!(!mismatch.outcome().passed());
//! assert_eq!(mismatch.findings()[0].column.as_deref(), Some("plan"));
//! let duplicates = integrity::duplicates(&data)?;
//! assert_eq!(duplicates.findings()[0].count, 1); // row 3 repeats row 2
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod columns;
mod power;
mod rows;

use crate::check::{checked_report, CheckError, InvalidSetting, Outcome, Range};
use crate::data::Dataset;
use crate::kind::Kind;
use crate::table::Table;
use serde::Serialize;

/// Settings of the integrity checks; [`DataChecks::new`] has the defaults, which the
/// one-liners ([`duplicates`], …) use.
///
/// ```
/// use mlharness::integrity::DataChecks;
/// let checks = DataChecks::new().max_outlier_share(0.05).leakage_threshold(0.9);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DataChecks {
    max_duplicate_share: f64,
    max_conflict_share: f64,
    max_overlap_share: f64,
    leakage_threshold: f64,
    power_gap: f64,
    outlier_iqr: f64,
    max_outlier_share: f64,
    examples: usize,
    ignore: Vec<String>,
}

impl Default for DataChecks {
    fn default() -> Self {
        DataChecks::new()
    }
}

/// One check's result on one column (or on the whole data): passed, how many rows, examples.
/// The JSON of `mlharness check-data` lists these.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// The check (`duplicates`, `category_mismatch`, …).
    pub check: &'static str,
    /// The column, for a check of one column at a time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// False when this is a failure.
    pub passed: bool,
    /// Rows concerned: duplicates, conflicting or overlapping rows, rows with a stray spelling
    /// or an outlier (for a leakage or power check, the rows evaluated).
    pub count: usize,
    /// A few examples, as text (`rows 3, 17 are identical`, `` `MALE` (12), `male` (240) ``).
    pub examples: Vec<String>,
    /// A score, for the checks that have one (a feature's predictive power, a power gap).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// One more line (the bounds of an outlier, the powers compared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Finding {
    fn new(check: &'static str, column: Option<&str>, passed: bool, count: usize) -> Self {
        Finding {
            check,
            column: column.map(str::to_string),
            passed,
            count,
            examples: Vec::new(),
            value: None,
            detail: None,
        }
    }

    fn with_examples(mut self, examples: Vec<String>) -> Self {
        self.examples = examples;
        self
    }

    fn with_value(mut self, value: f64) -> Self {
        self.value = Some(value);
        self
    }

    fn with_detail(mut self, detail: String) -> Self {
        self.detail = Some(detail);
        self
    }
}

/// The result of one integrity check: its [`Outcome`] (for `assert_passed` and the gate) and
/// its [`Finding`]s (for tools).
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrityReport {
    findings: Vec<Finding>,
    outcome: Outcome,
}

checked_report!(IntegrityReport);

impl std::fmt::Display for IntegrityReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.outcome)
    }
}

impl IntegrityReport {
    /// The check's outcome.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// What the check found: one entry for a check of the whole data, one per column
    /// concerned for a check of columns (none when no column is).
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// A check of the whole data: one finding.
    fn single(finding: Finding, headline: String) -> Self {
        let mut outcome = Outcome::new(Kind::Data, finding.check, finding.passed);
        if !finding.passed {
            outcome = outcome.with_headline(headline);
            let mut t = Table::new([""]);
            for e in &finding.examples {
                t.row([e.as_str()]);
            }
            if !t.is_empty() {
                outcome = outcome.with_table(t);
            }
        }
        IntegrityReport {
            findings: vec![finding],
            outcome,
        }
    }

    /// A check of columns: passed when every finding did.
    fn per_column(check: &'static str, findings: Vec<Finding>, what: &str) -> Self {
        let failed: Vec<&Finding> = findings.iter().filter(|f| !f.passed).collect();
        let mut outcome = Outcome::new(Kind::Data, check, failed.is_empty());
        if !failed.is_empty() {
            let names: Vec<String> = failed
                .iter()
                .map(|f| format!("`{}`", f.column.as_deref().unwrap_or("-")))
                .collect();
            outcome = outcome.with_headline(format!(
                "{what} in {} column{}: {}",
                failed.len(),
                if failed.len() == 1 { "" } else { "s" },
                names.join(", ")
            ));
            let mut t = Table::new(["column", "rows", "examples"]).right_align(1);
            for f in &failed {
                let mut examples = f.examples.join("; ");
                if let Some(d) = &f.detail {
                    examples = if examples.is_empty() {
                        d.clone()
                    } else {
                        format!("{d}: {examples}")
                    };
                }
                t.row([
                    f.column.clone().unwrap_or_default(),
                    f.count.to_string(),
                    examples,
                ]);
            }
            outcome = outcome.with_table(t);
        } else if !findings.is_empty() {
            outcome = outcome.with_headline(format!(
                "within bounds in {} column{}",
                findings.len(),
                if findings.len() == 1 { "" } else { "s" }
            ));
        }
        IntegrityReport { findings, outcome }
    }
}

impl DataChecks {
    /// No duplicate rows, no conflicting labels and no overlap allowed; leakage at a feature
    /// power of 0.95; a power gap of 0.2 between training and test; outliers beyond 3
    /// interquartile ranges allowed in 2% of a column; 5 examples.
    pub fn new() -> Self {
        DataChecks {
            max_duplicate_share: 0.0,
            max_conflict_share: 0.0,
            max_overlap_share: 0.0,
            leakage_threshold: 0.95,
            power_gap: 0.2,
            outlier_iqr: 3.0,
            max_outlier_share: 0.02,
            examples: 5,
            ignore: Vec::new(),
        }
    }

    /// Columns every check leaves out — an identifier (which makes every row unique, so no
    /// duplicate could be found), a timestamp, a row number. [`shared_ids`](Self::shared_ids)
    /// still compares the ID column it is given.
    ///
    /// ```
    /// use mlharness::check::Checked;
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::integrity::DataChecks;
    /// let data = Dataset::from_columns(vec![
    ///     ("id".into(), Column::numeric(vec![1.0, 2.0])),
    ///     ("x".into(), Column::numeric(vec![7.0, 7.0])),
    /// ])?;
    /// DataChecks::new().duplicates(&data).assert_passed(); // the IDs differ
    /// DataChecks::new().ignore(&["id"]).duplicates(&data).assert_failed();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ignore<S: AsRef<str>>(mut self, columns: &[S]) -> Self {
        self.ignore
            .extend(columns.iter().map(|c| c.as_ref().to_string()));
        self
    }

    /// `data` without the ignored columns (borrowed when there are none to drop).
    fn kept<'a>(&self, data: &'a Dataset) -> Result<std::borrow::Cow<'a, Dataset>, CheckError> {
        let present: Vec<&String> = self
            .ignore
            .iter()
            .filter(|c| data.column(c).is_ok())
            .collect();
        if present.is_empty() {
            return Ok(std::borrow::Cow::Borrowed(data));
        }
        let mut out = data.clone();
        for c in present {
            out = out.without_column(c)?;
        }
        Ok(std::borrow::Cow::Owned(out))
    }

    /// The largest share of duplicate rows that passes (default 0).
    pub fn max_duplicate_share(mut self, share: f64) -> Self {
        self.max_duplicate_share = share;
        self
    }

    /// The largest share of rows with conflicting labels that passes (default 0).
    pub fn max_conflict_share(mut self, share: f64) -> Self {
        self.max_conflict_share = share;
        self
    }

    /// The largest share of test rows also in the training data that passes (default 0).
    pub fn max_overlap_share(mut self, share: f64) -> Self {
        self.max_overlap_share = share;
        self
    }

    /// The predictive power (0–1) from which one feature alone counts as a leak (default 0.95).
    pub fn leakage_threshold(mut self, power: f64) -> Self {
        self.leakage_threshold = power;
        self
    }

    /// The largest difference of a feature's power between training and test (default 0.2).
    pub fn power_gap(mut self, gap: f64) -> Self {
        self.power_gap = gap;
        self
    }

    /// How many interquartile ranges beyond the quartiles a value must be to be an outlier
    /// (default 3, "far out").
    pub fn outlier_iqr(mut self, k: f64) -> Self {
        self.outlier_iqr = k;
        self
    }

    /// The largest share of a column's values that may be outliers (default 0.02).
    pub fn max_outlier_share(mut self, share: f64) -> Self {
        self.max_outlier_share = share;
        self
    }

    /// How many examples each finding lists (default 5).
    pub fn examples(mut self, examples: usize) -> Self {
        self.examples = examples;
        self
    }

    fn validate(&self) -> Result<(), CheckError> {
        let ensure = |setting, range, v| InvalidSetting::ensure("data checks", setting, range, v);
        ensure(
            "max_duplicate_share",
            Range::Share,
            self.max_duplicate_share,
        )?;
        ensure("max_conflict_share", Range::Share, self.max_conflict_share)?;
        ensure("max_overlap_share", Range::Share, self.max_overlap_share)?;
        ensure("leakage_threshold", Range::Share, self.leakage_threshold)?;
        ensure("power_gap", Range::Share, self.power_gap)?;
        ensure("outlier_iqr", Range::NonNegative, self.outlier_iqr)?;
        ensure("max_outlier_share", Range::Share, self.max_outlier_share)?;
        Ok(())
    }

    /// Every check of one dataset, in the order of the module's list; the target checks
    /// (`conflicting_labels`, `feature_label_leakage`) only when `data` has a target.
    ///
    /// ```
    /// use mlharness::check::Checked;
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::integrity::DataChecks;
    /// let data = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 3.0]))])?;
    /// DataChecks::new().dataset(&data)?.assert_passed();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dataset(&self, data: &Dataset) -> Result<Vec<IntegrityReport>, CheckError> {
        self.validate()?;
        let mut reports = vec![self.duplicates(data)?];
        if data.target_name().is_some() {
            reports.push(self.conflicting_labels(data)?);
        }
        reports.push(self.category_mismatch(data)?);
        reports.push(self.mixed_types(data)?);
        reports.push(self.special_characters(data)?);
        reports.push(self.outliers(data)?);
        if data.target_name().is_some() {
            reports.push(self.feature_label_leakage(data)?);
        }
        Ok(reports)
    }

    /// Every check of a training and a test set: `train_test_overlap`, `shared_ids` when an
    /// `id` column is named, `predictive_power_drift` when both have the target.
    pub fn pair(
        &self,
        train: &Dataset,
        test: &Dataset,
        id: Option<&str>,
    ) -> Result<Vec<IntegrityReport>, CheckError> {
        self.validate()?;
        let mut reports = vec![self.train_test_overlap(train, test)?];
        if let Some(id) = id {
            reports.push(self.shared_ids(train, test, id)?);
        }
        if train.target_name().is_some() && test.target_name() == train.target_name() {
            reports.push(self.predictive_power_drift(train, test)?);
        }
        Ok(reports)
    }
}

/// [`DataChecks::duplicates`] with the defaults.
pub fn duplicates(data: &Dataset) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().duplicates(data)
}

/// [`DataChecks::conflicting_labels`] with the defaults.
pub fn conflicting_labels(data: &Dataset) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().conflicting_labels(data)
}

/// [`DataChecks::category_mismatch`] with the defaults.
pub fn category_mismatch(data: &Dataset) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().category_mismatch(data)
}

/// [`DataChecks::mixed_types`] with the defaults.
pub fn mixed_types(data: &Dataset) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().mixed_types(data)
}

/// [`DataChecks::special_characters`] with the defaults.
pub fn special_characters(data: &Dataset) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().special_characters(data)
}

/// [`DataChecks::outliers`] with the defaults.
pub fn outliers(data: &Dataset) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().outliers(data)
}

/// [`DataChecks::feature_label_leakage`] with the defaults.
pub fn feature_label_leakage(data: &Dataset) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().feature_label_leakage(data)
}

/// [`DataChecks::train_test_overlap`] with the defaults.
pub fn train_test_overlap(train: &Dataset, test: &Dataset) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().train_test_overlap(train, test)
}

/// [`DataChecks::shared_ids`] with the defaults.
pub fn shared_ids(
    train: &Dataset,
    test: &Dataset,
    id: &str,
) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().shared_ids(train, test, id)
}

/// [`DataChecks::predictive_power_drift`] with the defaults.
pub fn predictive_power_drift(
    train: &Dataset,
    test: &Dataset,
) -> Result<IntegrityReport, CheckError> {
    DataChecks::new().predictive_power_drift(train, test)
}

/// Runs one check by name on `data` (and `test`, for the train–test checks), as the
/// [`data_integrity_test!`](crate::data_integrity_test) macro does. `id` is the identifier
/// column for `shared_ids`.
#[doc(hidden)]
pub fn run_named(
    checks: &DataChecks,
    name: &str,
    data: &Dataset,
    test: Option<&Dataset>,
    id: Option<&str>,
) -> Result<Outcome, CheckError> {
    checks.validate()?;
    let needs_test = || {
        test.ok_or_else(|| CheckError::Input {
            check: "data_integrity_test!",
            message: format!("`{name}` compares two datasets: give `test:`"),
        })
    };
    let report = match name {
        "duplicates" => checks.duplicates(data)?,
        "conflicting_labels" => checks.conflicting_labels(data)?,
        "category_mismatch" => checks.category_mismatch(data)?,
        "mixed_types" => checks.mixed_types(data)?,
        "special_characters" => checks.special_characters(data)?,
        "outliers" => checks.outliers(data)?,
        "feature_label_leakage" => checks.feature_label_leakage(data)?,
        "train_test_overlap" => checks.train_test_overlap(data, needs_test()?)?,
        "predictive_power_drift" => checks.predictive_power_drift(data, needs_test()?)?,
        "shared_ids" => {
            let id = id.ok_or_else(|| CheckError::Input {
                check: "data_integrity_test!",
                message: "`shared_ids` needs the identifier column: give `id:`".into(),
            })?;
            checks.shared_ids(data, needs_test()?, id)?
        }
        other => {
            return Err(CheckError::Input {
                check: "data_integrity_test!",
                message: format!("no integrity check is named `{other}`"),
            })
        }
    };
    Ok(report.outcome)
}

/// Generates one `#[test]` per integrity check in a module `mlharness_data_integrity`
/// (`mlharness_data_integrity::duplicates`, …, counted by the gate as kind `data`). `data` is
/// the dataset (with its target, for the label checks); optional, in this order: `test:` adds
/// `train_test_overlap` and `predictive_power_drift`, `id: "customer_id"` adds `shared_ids`,
/// and `checks: DataChecks::new()…` sets thresholds. The expressions are evaluated in each
/// test, with the enclosing module's items in scope. Invoke it once per module.
///
/// ```
/// # use mlharness::data::{Column, Dataset};
/// fn train() -> Dataset {
///     Dataset::from_columns(vec![
///         ("id".into(), Column::numeric(vec![1.0, 2.0, 3.0, 4.0])),
///         ("x".into(), Column::numeric(vec![0.5, 0.1, 0.9, 0.3])),
///     ]).unwrap()
/// }
/// fn test() -> Dataset {
///     Dataset::from_columns(vec![
///         ("id".into(), Column::numeric(vec![5.0, 6.0])),
///         ("x".into(), Column::numeric(vec![0.7, 0.2])),
///     ]).unwrap()
/// }
/// mlharness::data_integrity_test! {
///     data: train(),
///     test: test(),
///     id: "id",
///     checks: mlharness::integrity::DataChecks::new().max_outlier_share(0.05),
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! data_integrity_test {
    (
        data: $data:expr
        $(, test: $test:expr)?
        $(, id: $id:literal)?
        $(, checks: $checks:expr)?
        $(,)?
    ) => {
        #[cfg(test)]
        mod mlharness_data_integrity {
            #[allow(unused_imports)]
            use super::*;

            fn __mlharness_checks() -> $crate::integrity::DataChecks {
                #[allow(unused_mut)]
                let mut checks = $crate::integrity::DataChecks::new();
                $(checks = $checks;)?
                checks
            }
            #[allow(unused_mut, unused_assignments)]
            fn __mlharness_test() -> ::std::option::Option<$crate::data::Dataset> {
                let mut test = ::std::option::Option::None;
                $(test = ::std::option::Option::Some($test);)?
                test
            }
            #[allow(unused_mut, unused_assignments)]
            fn __mlharness_id() -> ::std::option::Option<&'static str> {
                let mut id = ::std::option::Option::None;
                $(id = ::std::option::Option::Some($id);)?
                id
            }
            fn __mlharness_run(name: &str, needs_target: bool) -> ::std::result::Result<$crate::check::Outcome, $crate::check::CheckError> {
                let (data, test) = ($data, __mlharness_test());
                if needs_target && data.target_name().is_none() {
                    // A check of the target on data without one: passes, saying so.
                    return ::std::result::Result::Ok($crate::check::Outcome::pass($crate::kind::Kind::Data, name)
                        .with_headline("not applicable: the data has no target (`Dataset::with_target`)"));
                }
                $crate::integrity::run_named(&__mlharness_checks(), name, &data, test.as_ref(), __mlharness_id())
            }

            $crate::data_integrity_test!(@one duplicates false);
            $crate::data_integrity_test!(@one category_mismatch false);
            $crate::data_integrity_test!(@one mixed_types false);
            $crate::data_integrity_test!(@one special_characters false);
            $crate::data_integrity_test!(@one outliers false);
            $crate::data_integrity_test!(@one conflicting_labels true);
            $crate::data_integrity_test!(@one feature_label_leakage true);
            $(
                $crate::data_integrity_test!(@given [$test] train_test_overlap false);
                $crate::data_integrity_test!(@given [$test] predictive_power_drift true);
            )?
            $(
                $crate::data_integrity_test!(@given [$id] shared_ids false);
            )?
        }
    };
    (@one $name:ident $needs_target:literal) => {
        #[test]
        fn $name() {
            $crate::_macro_support::enforce(
                concat!("mlharness_data_integrity::", stringify!($name)),
                __mlharness_run(stringify!($name), $needs_target),
            );
        }
    };
    (@given [$given:expr] $name:ident $needs_target:literal) => {
        $crate::data_integrity_test!(@one $name $needs_target);
    };
}
