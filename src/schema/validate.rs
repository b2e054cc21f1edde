use super::condition::ConditionCheck;
use super::repeats::Repeats;
use super::{ColumnSchema, Schema};
use crate::check::{checked_report, Outcome};
use crate::data::{Categorical, Column, ColumnKind, Dataset, Numeric};
use crate::kind::Kind;
use crate::table::{number, Table};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::PathBuf;

/// How many example rows a violation lists.
const EXAMPLE_ROWS: usize = 5;

/// Category levels judged in one task: a column of distinct IDs is split across the cores.
const LEVELS_PER_TASK: usize = 1 << 16;

/// The kind of a schema violation; serialises in snake_case (`out_of_range`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ViolationKind {
    /// The batch has fewer rows than the schema's `min_rows`.
    TooFewRows,
    /// A column the schema expects is absent.
    MissingColumn,
    /// A column the schema does not expect (in this environment) is present.
    UnexpectedColumn,
    /// A column is numeric where the schema says categorical, or the reverse.
    WrongKind,
    /// A missing value in a column that is not nullable.
    MissingValue,
    /// A `NaN` value (not a missing marker) in a numeric column that does not allow it.
    Nan,
    /// ±infinity in a numeric column that does not allow it.
    Infinite,
    /// A number below `min` or above `max`.
    OutOfRange,
    /// A category the schema does not list.
    UnseenCategory,
    /// A value of a `unique` column that occurred before.
    NotUnique,
    /// A category that does not match the column's `pattern`.
    PatternMismatch,
    /// A category shorter than `min_length` or longer than `max_length`.
    LengthOutOfRange,
    /// A row that breaks a relation between columns.
    RelationBroken,
    /// A row where a condition holds and the expectation it guards does not.
    ConditionBroken,
}

impl ViolationKind {
    /// The snake_case name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::TooFewRows => "too_few_rows",
            ViolationKind::MissingColumn => "missing_column",
            ViolationKind::UnexpectedColumn => "unexpected_column",
            ViolationKind::WrongKind => "wrong_kind",
            ViolationKind::MissingValue => "missing_value",
            ViolationKind::Nan => "nan",
            ViolationKind::Infinite => "infinite",
            ViolationKind::OutOfRange => "out_of_range",
            ViolationKind::UnseenCategory => "unseen_category",
            ViolationKind::NotUnique => "not_unique",
            ViolationKind::PatternMismatch => "pattern_mismatch",
            ViolationKind::LengthOutOfRange => "length_out_of_range",
            ViolationKind::RelationBroken => "relation_broken",
            ViolationKind::ConditionBroken => "condition_broken",
        }
    }
}

impl fmt::Display for ViolationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One way a dataset breaks its schema: where, how often, example rows, and what was expected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Violation {
    /// The column (`None` for a dataset-level violation such as too few rows).
    pub column: Option<String>,
    /// What is wrong.
    pub kind: ViolationKind,
    /// How many rows (or, for a column-level violation, the dataset's rows).
    pub count: usize,
    /// `count` as a share of the rows.
    pub share: f64,
    /// A few 0-based row numbers where it happens.
    pub rows: Vec<usize>,
    /// Expected and found, in words.
    pub detail: String,
}

/// Every violation of a schema by one dataset. `Display` renders it as a table.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::schema::Schema;
/// let train = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.0, 1.0]))])?;
/// let bad = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.5, 9.0, f64::INFINITY]))])?;
/// let report = Schema::infer(&train).validate(&bad);
/// assert!(!report.outcome().passed());
/// let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
/// assert_eq!(json["valid"], false);
/// assert_eq!(json["violations"][0]["kind"], "infinite");
/// assert_eq!(json["violations"][1]["kind"], "out_of_range");
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationReport {
    valid: bool,
    rows: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    environment: Option<String>,
    violations: Vec<Violation>,
    #[serde(skip)]
    outcome: Outcome,
}

checked_report!(with_page: ValidationReport);

/// The violations as a table: column, kind, count, share, example rows, detail.
fn violations_table(violations: &[Violation]) -> Table {
    let mut table = Table::new(["column", "violation", "count", "share", "rows", "detail"])
        .right_align(2)
        .right_align(3);
    for v in violations {
        let rows: Vec<String> = v.rows.iter().map(usize::to_string).collect();
        table.row([
            v.column.clone().unwrap_or_else(|| "-".into()),
            v.kind.to_string(),
            v.count.to_string(),
            format!("{:.2}%", v.share * 100.0),
            rows.join(", "),
            v.detail.clone(),
        ]);
    }
    table
}

impl ValidationReport {
    fn new(
        rows: usize,
        source: Option<PathBuf>,
        environment: Option<String>,
        violations: Vec<Violation>,
    ) -> Self {
        let n = violations.len();
        let mut name = String::from("schema validation");
        if let Some(p) = &source {
            name.push_str(&format!(" of {}", p.display()));
        }
        if let Some(e) = &environment {
            name.push_str(&format!(" (environment `{e}`)"));
        }
        let outcome = if n == 0 {
            Outcome::pass(Kind::Other, name).with_headline(format!("{rows} rows match the schema"))
        } else {
            Outcome::fail(
                Kind::Other,
                name,
                format!(
                    "{n} violation{} in {rows} rows",
                    if n == 1 { "" } else { "s" }
                ),
            )
            .with_table(violations_table(&violations))
            .with_note("rows are 0-based data rows")
        };
        ValidationReport {
            valid: n == 0,
            rows,
            source,
            environment,
            violations,
            outcome,
        }
    }

    /// The check's outcome: passed when the dataset breaks no rule.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// The violations: dataset-level first, then by column in schema order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The violations of one kind.
    pub fn of_kind(&self, kind: ViolationKind) -> impl Iterator<Item = &Violation> {
        self.violations.iter().filter(move |v| v.kind == kind)
    }

    /// Rows in the dataset validated.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The report as JSON: `valid`, `rows`, `source`, `environment`, `violations` (each with
    /// `column`, `kind`, `count`, `share`, `rows`, `detail`).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serialises");
        s.push('\n');
        s
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = self
            .source
            .as_ref()
            .map(|p| format!(" of {}", p.display()))
            .unwrap_or_default();
        let env = self
            .environment
            .as_ref()
            .map(|e| format!(" (environment `{e}`)"))
            .unwrap_or_default();
        if self.valid {
            return writeln!(f, "valid: {} rows{source} match the schema{env}", self.rows);
        }
        let n = self.violations.len();
        writeln!(
            f,
            "invalid: {n} violation{} in {} rows{source}{env}",
            if n == 1 { "" } else { "s" },
            self.rows
        )?;
        write!(f, "{}", violations_table(&self.violations))?;
        writeln!(f, "  (rows are 0-based data rows)")
    }
}

impl Schema {
    /// Checks `data` against every rule, in the default environment (every column expected).
    pub fn validate(&self, data: &Dataset) -> ValidationReport {
        self.validate_in(data, None)
    }

    /// Checks `data` in an environment: columns restricted to other environments must be absent
    /// (e.g. the target in `serving` data).
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::Schema;
    /// let train = Dataset::from_columns(vec![
    ///     ("x".into(), Column::numeric(vec![1.0, 2.0])),
    ///     ("y".into(), Column::categorical([Some("a"), Some("b")])),
    /// ])?.with_target("y")?;
    /// let schema = Schema::infer(&train);
    /// let serving = train.without_column("y")?;
    /// assert!(schema.validate_in(&serving, Some("serving")).outcome().passed());
    /// assert!(!schema.validate_in(&serving, Some("training")).outcome().passed());
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn validate_in(&self, data: &Dataset, environment: Option<&str>) -> ValidationReport {
        let mut validator = Validator::new(self, environment, false);
        validator.push_block(data, data.n_rows());
        validator.finish_from(data.source().map(PathBuf::from))
    }

    /// A [`Validator`] of rows that come in batches (from a database cursor, a stream of Arrow
    /// record batches, files of one day each), in `environment` (`None`: every column
    /// expected). The report is the one the batches put together would get, and only the
    /// rules' tallies are kept between batches.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::Schema;
    /// let batch = |ages: Vec<f64>| Dataset::from_columns(vec![("age".into(), Column::numeric(ages))]);
    /// let schema = Schema::infer(&batch(vec![18.0, 90.0])?);
    /// let mut validator = schema.validator(None);
    /// validator.push(&batch(vec![20.0, 30.0])?)?;
    /// validator.push(&batch(vec![40.0, 150.0])?)?;
    /// let report = validator.finish();
    /// assert!(!report.outcome().passed());
    /// // Rows are counted across batches: 150 is row 3.
    /// assert_eq!(report.violations()[0].rows, [3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validator<'s>(&'s self, environment: Option<&'s str>) -> Validator<'s> {
        Validator::new(self, environment, true)
    }
}

/// A schema's rules checked on a dataset's rows as they come, a batch at a time: each rule
/// keeps its tallies from one batch to the next (counts, first rows, the range found, the
/// values of a `unique` column), so rows are checked in memory the size of a batch, and the
/// report is the one the whole dataset would give. Made by [`Schema::validator`]; `validate`
/// streams a CSV file through one.
///
/// Every batch has the columns of the first ([`Validator::push`] refuses one that has not). A
/// column whose kind is not the schema's in some batch (text in a numeric column) is reported
/// as of the wrong kind, as a whole column is, with the rows of its text; its other rules are
/// not reported.
pub struct Validator<'s> {
    schema: &'s Schema,
    environment: Option<&'s str>,
    /// Whether more than one batch may come: only then does a `unique` categorical column keep
    /// its levels from one batch to the next.
    streaming: bool,
    rows: usize,
    /// The batches pushed, and the first one's column names, sorted.
    batches: usize,
    first_columns: Vec<String>,
    /// The checks, set up by the first batch.
    checks: Option<Checks<'s>>,
}

impl std::fmt::Debug for Validator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validator")
            .field("environment", &self.environment)
            .field("batches", &self.batches)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

/// A batch given to a [`Validator`] whose columns are not those of the first batch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "batch {batch} (rows from {first_row}) {}: every batch needs the first batch's columns",
    column_change(missing, extra)
)]
pub struct BatchError {
    /// The batch, numbered from 1.
    pub batch: usize,
    /// Its first row, 0-based, counting the rows of the batches before it.
    pub first_row: usize,
    /// Columns of the first batch it lacks.
    pub missing: Vec<String>,
    /// Columns it has that the first batch had not.
    pub extra: Vec<String>,
}

/// "lacks `a`, `b` and has `c`".
fn column_change(missing: &[String], extra: &[String]) -> String {
    match (missing.is_empty(), extra.is_empty()) {
        (false, false) => format!("lacks {} and has {}", quoted(missing), quoted(extra)),
        (false, true) => format!("lacks {}", quoted(missing)),
        _ => format!("has {}", quoted(extra)),
    }
}

/// "`a`, `b`": names or values as a failure message quotes them.
fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

struct Checks<'s> {
    columns: Vec<ColumnCheck<'s>>,
    relations: Vec<RelationCheck<'s>>,
    conditions: Vec<ConditionCheck<'s>>,
    /// The data's columns the schema does not name.
    unknown: Vec<String>,
}

impl<'s> Validator<'s> {
    /// A validator of one dataset, given whole in one block unless `streaming`.
    pub(crate) fn new(schema: &'s Schema, environment: Option<&'s str>, streaming: bool) -> Self {
        Validator {
            schema,
            environment,
            streaming,
            rows: 0,
            batches: 0,
            first_columns: Vec::new(),
            checks: None,
        }
    }

    /// Checks the next batch of rows, which must have the columns of the first (in any order).
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::Schema;
    /// let x = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0]))])?;
    /// let y = Dataset::from_columns(vec![("y".into(), Column::numeric(vec![1.0]))])?;
    /// let schema = Schema::infer(&x);
    /// let mut validator = schema.validator(None);
    /// validator.push(&x)?;
    /// let err = validator.push(&y).unwrap_err();
    /// assert_eq!(err.to_string(), "batch 2 (rows from 1) lacks `x` and has `y`: every batch needs the first batch's columns");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn push(&mut self, batch: &Dataset) -> Result<(), BatchError> {
        let mut names: Vec<String> = batch.column_names().into_iter().map(String::from).collect();
        names.sort_unstable();
        if self.batches == 0 {
            self.first_columns = names;
        } else if names != self.first_columns {
            let first = &self.first_columns;
            return Err(BatchError {
                batch: self.batches + 1,
                first_row: self.rows,
                missing: first
                    .iter()
                    .filter(|n| names.binary_search(n).is_err())
                    .cloned()
                    .collect(),
                extra: names
                    .iter()
                    .filter(|n| first.binary_search(n).is_err())
                    .cloned()
                    .collect(),
            });
        }
        self.batches += 1;
        self.push_block(batch, batch.n_rows());
        Ok(())
    }

    /// The report on every row pushed, as [`Schema::validator`]'s example shows.
    pub fn finish(self) -> ValidationReport {
        self.finish_from(None)
    }

    /// Checks the next block of rows; `expected_rows` is a guess at the rows of the whole
    /// dataset (it sizes the set of values a `unique` column has seen).
    pub(crate) fn push_block(&mut self, block: &Dataset, expected_rows: usize) {
        let (schema, environment, streaming) = (self.schema, self.environment, self.streaming);
        let expected_rows = expected_rows.max(block.n_rows());
        let checks = self.checks.get_or_insert_with(|| Checks {
            columns: schema
                .columns
                .iter()
                .map(|spec| {
                    let column = block.column(&spec.name).ok();
                    ColumnCheck::new(spec, environment, column, expected_rows, streaming)
                })
                .collect(),
            relations: schema.relations.iter().map(RelationCheck::new).collect(),
            conditions: schema.conditions.iter().map(ConditionCheck::new).collect(),
            unknown: {
                let known: HashSet<&str> = schema.columns.iter().map(|c| c.name.as_str()).collect();
                block
                    .column_names()
                    .into_iter()
                    .filter(|name| !known.contains(name))
                    .map(str::to_string)
                    .collect()
            },
        });
        let offset = self.rows;
        // Columns, relations and conditions are independent: each is checked on its own core.
        crate::par::map_mut(&mut checks.columns, |check| {
            let column = block.column(&check.spec().name).ok();
            check.push(column, offset);
        });
        crate::par::map_mut(&mut checks.relations, |check| {
            let (left, right) = (&check.relation.left, &check.relation.right);
            if let (Ok(a), Ok(b)) = (block.column(left), block.column(right)) {
                check.push(a, b, offset, block.n_rows());
            }
        });
        crate::par::map_mut(&mut checks.conditions, |check| {
            let (when, then) = check.columns();
            if let (Ok(a), Ok(b)) = (block.column(when), block.column(then)) {
                check.push(a, b, offset);
            }
        });
        self.rows += block.n_rows();
    }

    /// The report on every row pushed, read from `source`.
    pub(crate) fn finish_from(self, source: Option<PathBuf>) -> ValidationReport {
        let rows = self.rows;
        let mut violations = Vec::new();
        if let Some(min) = self.schema.min_rows {
            if rows < min {
                violations.push(Violation {
                    column: None,
                    kind: ViolationKind::TooFewRows,
                    count: rows,
                    share: 1.0,
                    rows: Vec::new(),
                    detail: format!("expected at least {min} rows, found {rows}"),
                });
            }
        }
        // Schema order, whatever order the checks ran in.
        if let Some(checks) = self.checks {
            for check in checks.columns {
                check.finish(rows, &mut violations);
            }
            for check in checks.relations {
                check.finish(rows, &mut violations);
            }
            for check in checks.conditions {
                check.finish(rows, &mut violations);
            }
            for name in checks.unknown {
                violations.push(whole_column(
                    name,
                    ViolationKind::UnexpectedColumn,
                    rows,
                    "the schema has no such column".into(),
                ));
            }
        }
        ValidationReport::new(
            rows,
            source,
            self.environment.map(str::to_string),
            violations,
        )
    }
}

/// A violation of a column as a whole (absent, unexpected, of the wrong kind): every row.
fn whole_column(column: String, kind: ViolationKind, rows: usize, detail: String) -> Violation {
    Violation {
        column: Some(column),
        kind,
        count: rows,
        share: 1.0,
        rows: Vec::new(),
        detail,
    }
}

/// Counts one kind of violation in a column: how many rows, and the first few.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) count: usize,
    pub(crate) rows: Vec<usize>,
}

impl Tally {
    pub(crate) fn add(&mut self, row: usize) {
        self.count += 1;
        if self.rows.len() < EXAMPLE_ROWS {
            self.rows.push(row);
        }
    }

    /// Reports the tally unless it is within the column's tolerance.
    fn report(
        self,
        spec: &ColumnSchema,
        kind: ViolationKind,
        rows: usize,
        detail: String,
        out: &mut Vec<Violation>,
    ) {
        let share = self.count as f64 / rows.max(1) as f64;
        if self.count > 0 && share > spec.tolerance {
            let allowed = if spec.tolerance > 0.0 {
                format!(" (tolerance {:.2}%)", spec.tolerance * 100.0)
            } else {
                String::new()
            };
            out.push(Violation {
                column: Some(spec.name.clone()),
                kind,
                count: self.count,
                share,
                rows: self.rows,
                detail: format!("{detail}{allowed}"),
            });
        }
    }
}

/// One schema column's checks.
enum ColumnCheck<'s> {
    /// Absent where expected, or present where not: judged once, from the first block.
    Whole(&'s ColumnSchema, ViolationKind, String),
    /// Absent, and not expected in this environment.
    Absent(&'s ColumnSchema),
    Numeric(NumericCheck<'s>),
    Categorical(CategoricalCheck<'s>),
    WrongKind(WrongKind<'s>),
}

impl<'s> ColumnCheck<'s> {
    fn new(
        spec: &'s ColumnSchema,
        environment: Option<&str>,
        column: Option<&Column>,
        expected_rows: usize,
        streaming: bool,
    ) -> Self {
        match (column, spec.expected_in(environment)) {
            (None, true) => ColumnCheck::Whole(
                spec,
                ViolationKind::MissingColumn,
                format!("expected a {} column, found none", spec.kind),
            ),
            (Some(_), false) => ColumnCheck::Whole(
                spec,
                ViolationKind::UnexpectedColumn,
                format!(
                    "expected only in {}, not in `{}`",
                    spec.environments.as_deref().unwrap_or_default().join(", "),
                    environment.unwrap_or_default()
                ),
            ),
            (None, false) => ColumnCheck::Absent(spec),
            (Some(column), true) => Self::of_kind(spec, column.kind(), expected_rows, streaming),
        }
    }

    /// The checks of a column of kind `found`.
    fn of_kind(
        spec: &'s ColumnSchema,
        found: ColumnKind,
        expected_rows: usize,
        streaming: bool,
    ) -> Self {
        match (spec.kind, found) {
            (ColumnKind::Numeric, ColumnKind::Numeric) => {
                ColumnCheck::Numeric(NumericCheck::new(spec, expected_rows))
            }
            (ColumnKind::Categorical, ColumnKind::Categorical) => {
                ColumnCheck::Categorical(CategoricalCheck::new(spec, streaming))
            }
            _ => ColumnCheck::WrongKind(WrongKind {
                spec,
                found,
                tally: Tally::default(),
                examples: Vec::new(),
            }),
        }
    }

    fn spec(&self) -> &'s ColumnSchema {
        match self {
            ColumnCheck::Whole(spec, ..) | ColumnCheck::Absent(spec) => spec,
            ColumnCheck::Numeric(c) => c.spec,
            ColumnCheck::Categorical(c) => c.spec,
            ColumnCheck::WrongKind(c) => c.spec,
        }
    }

    /// Checks the column's next block, its first row row `offset` of the data.
    fn push(&mut self, column: Option<&Column>, offset: usize) {
        let Some(column) = column else { return };
        let found = column.kind();
        let changed = match self {
            ColumnCheck::Numeric(_) => found != ColumnKind::Numeric,
            ColumnCheck::Categorical(_) => found != ColumnKind::Categorical,
            // Once of the wrong kind, always: a later batch of the right kind does not undo
            // the text found before it.
            ColumnCheck::WrongKind(_) => false,
            ColumnCheck::Whole(..) | ColumnCheck::Absent(_) => return,
        };
        if changed {
            *self = Self::of_kind(self.spec(), found, 0, true);
        }
        match (self, column) {
            (ColumnCheck::Numeric(check), Column::Numeric(n)) => check.push(n, offset),
            (ColumnCheck::Categorical(check), Column::Categorical(c)) => check.push(c, offset),
            (ColumnCheck::WrongKind(check), column) => check.push(column, offset),
            _ => {}
        }
    }

    fn finish(self, rows: usize, out: &mut Vec<Violation>) {
        match self {
            ColumnCheck::Whole(spec, kind, detail) => {
                out.push(whole_column(spec.name.clone(), kind, rows, detail))
            }
            ColumnCheck::Absent(_) => {}
            ColumnCheck::Numeric(check) => check.finish(rows, out),
            ColumnCheck::Categorical(check) => check.finish(rows, out),
            ColumnCheck::WrongKind(check) => check.finish(rows, out),
        }
    }
}

/// A column of another kind than the schema's; a categorical one names values that are not
/// numbers.
struct WrongKind<'s> {
    spec: &'s ColumnSchema,
    found: ColumnKind,
    tally: Tally,
    examples: Vec<String>,
}

impl WrongKind<'_> {
    fn push(&mut self, column: &Column, offset: usize) {
        let Column::Categorical(c) = column else {
            return;
        };
        let not_numbers: Vec<bool> = c
            .levels()
            .iter()
            .map(|l| l.trim().parse::<f64>().is_err())
            .collect();
        for (i, code) in c.codes().iter().enumerate() {
            let Some(code) = code else { continue };
            if not_numbers[*code as usize] {
                self.tally.add(offset + i);
                let level = &c.levels()[*code as usize];
                if self.examples.len() < 3 && !self.examples.contains(level) {
                    self.examples.push(level.clone());
                }
            }
        }
    }

    fn finish(self, rows: usize, out: &mut Vec<Violation>) {
        let like = if self.examples.is_empty() {
            String::new()
        } else {
            format!(" (values like {})", quoted(&self.examples))
        };
        out.push(Violation {
            rows: self.tally.rows,
            ..whole_column(
                self.spec.name.clone(),
                ViolationKind::WrongKind,
                rows,
                format!("expected {}, found {}{like}", self.spec.kind, self.found),
            )
        });
    }
}

/// The tallies of one numeric column's rules, filled in one pass over its rows.
#[derive(Default)]
struct NumericTallies {
    missing: Tally,
    nan: Tally,
    inf: Tally,
    range: Tally,
    repeated: Tally,
    found_lo: Option<f64>,
    found_hi: Option<f64>,
}

impl NumericTallies {
    /// Classifies a value that is not a finite number in range (rare, so off the hot path).
    #[cold]
    fn classify(
        &mut self,
        spec: &ColumnSchema,
        (lo, hi): (f64, f64),
        i: usize,
        v: f64,
        missing: bool,
    ) {
        if missing {
            if !spec.nullable {
                self.missing.add(i);
            }
        } else if v.is_nan() {
            if !spec.allow_nan {
                self.nan.add(i);
            }
        } else if v.is_infinite() {
            if !spec.allow_infinite {
                self.inf.add(i);
            }
        } else if v < lo || v > hi {
            self.range.add(i);
            self.found_lo = Some(self.found_lo.map_or(v, |x| x.min(v)));
            self.found_hi = Some(self.found_hi.map_or(v, |x| x.max(v)));
        }
    }

    /// One pass over a block, its first row row `offset`: a finite value in range takes one
    /// comparison (and, for a `unique` column, one lookup in the values it has seen,
    /// `repeats`), so validation runs near the speed of a plain pass.
    fn scan(
        &mut self,
        spec: &ColumnSchema,
        bounds: (f64, f64),
        mut repeats: Option<&mut Repeats>,
        n: &Numeric,
        offset: usize,
    ) {
        let (lo, hi) = bounds;
        let values = n.values();
        // Within the finite bounds, a value is finite and in range: two comparisons, which NaN
        // fails. `&`, not `&&`: no branch, so a chunk's values are compared together.
        let (lo_finite, hi_finite) = (lo.max(f64::MIN), hi.min(f64::MAX));
        let fine = |v: f64| (v >= lo_finite) & (v <= hi_finite);
        if repeats.is_none() && n.mask().is_none() {
            // Most values are fine: a chunk is judged whole, without a branch per value (so
            // the compiler can compare several at once), and only a chunk that holds a value
            // to tally is gone through value by value.
            const CHUNK: usize = 16;
            for (c, chunk) in values.chunks(CHUNK).enumerate() {
                if chunk.iter().fold(true, |all, &v| all & fine(v)) {
                    continue;
                }
                for (k, &v) in chunk.iter().enumerate() {
                    if !fine(v) {
                        self.classify(spec, bounds, offset + c * CHUNK + k, v, v.is_nan());
                    }
                }
            }
            return;
        }
        match n.mask() {
            None => {
                for (i, &v) in values.iter().enumerate() {
                    let seen = |r: &mut Repeats| r.seen(v);
                    if !v.is_nan() && repeats.as_deref_mut().is_some_and(seen) {
                        self.repeated.add(offset + i);
                    }
                    if v >= lo && v <= hi && v.is_finite() {
                        continue;
                    }
                    self.classify(spec, bounds, offset + i, v, v.is_nan());
                }
            }
            Some(mask) => {
                for (i, (&v, &m)) in values.iter().zip(mask).enumerate() {
                    let seen = |r: &mut Repeats| r.seen(v);
                    if !m && repeats.as_deref_mut().is_some_and(seen) {
                        self.repeated.add(offset + i);
                    }
                    if !m && v >= lo && v <= hi && v.is_finite() {
                        continue;
                    }
                    self.classify(spec, bounds, offset + i, v, m);
                }
            }
        }
    }
}

/// A numeric column's checks.
struct NumericCheck<'s> {
    spec: &'s ColumnSchema,
    bounds: (f64, f64),
    tallies: NumericTallies,
    /// The values seen, for a `unique` column.
    repeats: Option<Repeats>,
    /// The first value seen again, and its row.
    again: Option<(String, usize)>,
}

impl<'s> NumericCheck<'s> {
    fn new(spec: &'s ColumnSchema, expected_rows: usize) -> Self {
        let bounds = (
            spec.min.unwrap_or(f64::NEG_INFINITY),
            spec.max.unwrap_or(f64::INFINITY),
        );
        NumericCheck {
            spec,
            bounds,
            tallies: NumericTallies::default(),
            repeats: spec
                .unique
                .then(|| Repeats::new(bounds.0, bounds.1, expected_rows)),
            again: None,
        }
    }

    fn push(&mut self, n: &Numeric, offset: usize) {
        let (spec, bounds) = (self.spec, self.bounds);
        let repeats = self.repeats.as_mut();
        self.tallies.scan(spec, bounds, repeats, n, offset);
        if self.again.is_none() {
            if let Some(&r) = self.tallies.repeated.rows.first() {
                self.again = Some((number(n.values()[r - offset]), r));
            }
        }
    }

    fn finish(self, rows: usize, out: &mut Vec<Violation>) {
        let (spec, t) = (self.spec, self.tallies);
        t.missing.report(
            spec,
            ViolationKind::MissingValue,
            rows,
            "expected no missing value (not nullable)".into(),
            out,
        );
        t.nan.report(
            spec,
            ViolationKind::Nan,
            rows,
            "expected a number, found NaN".into(),
            out,
        );
        t.inf.report(
            spec,
            ViolationKind::Infinite,
            rows,
            "expected a finite number, found ±infinity".into(),
            out,
        );
        t.repeated.report(
            spec,
            ViolationKind::NotUnique,
            rows,
            unique_detail(self.again),
            out,
        );
        let bound = |b: Option<f64>| b.map_or("unbounded".to_string(), number);
        let found = match (t.found_lo, t.found_hi) {
            (Some(a), Some(b)) if a != b => format!("{} .. {}", number(a), number(b)),
            (Some(a), _) => number(a),
            _ => String::new(),
        };
        t.range.report(
            spec,
            ViolationKind::OutOfRange,
            rows,
            format!(
                "expected [{}, {}], found {found}",
                bound(spec.min),
                bound(spec.max)
            ),
            out,
        );
    }
}

/// What a repeated value of a `unique` column breaks, numeric or categorical alike, with the
/// first value seen again and its row.
fn unique_detail(again: Option<(String, usize)>) -> String {
    match again {
        Some((value, row)) => {
            format!("expected every value once (unique), found {value} again (row {row})")
        }
        None => "expected every value once (unique)".into(),
    }
}

/// Flags of a category level: the rules its text breaks.
const UNSEEN: u8 = 1;
const PATTERN: u8 = 2;
const LENGTH: u8 = 4;

/// A categorical column's checks.
struct CategoricalCheck<'s> {
    spec: &'s ColumnSchema,
    cats: Option<HashSet<&'s str>>,
    pattern: Option<regex::Regex>,
    has_length: bool,
    missing: Tally,
    unseen: Tally,
    mismatched: Tally,
    wrong_length: Tally,
    repeated: Tally,
    /// Rows of each unseen level.
    unseen_counts: HashMap<String, usize>,
    pattern_examples: Vec<String>,
    length_examples: Vec<String>,
    /// The first value seen again, and its row.
    again: Option<String>,
    /// The levels of earlier blocks, for a `unique` column read in several blocks.
    seen: Option<HashSet<String>>,
}

impl<'s> CategoricalCheck<'s> {
    fn new(spec: &'s ColumnSchema, streaming: bool) -> Self {
        CategoricalCheck {
            spec,
            cats: spec
                .categories
                .as_ref()
                .map(|cats| cats.iter().map(String::as_str).collect()),
            pattern: spec
                .pattern
                .as_deref()
                .and_then(|p| regex::Regex::new(&format!("^(?:{p})$")).ok()),
            has_length: spec.min_length.is_some() || spec.max_length.is_some(),
            missing: Tally::default(),
            unseen: Tally::default(),
            mismatched: Tally::default(),
            wrong_length: Tally::default(),
            repeated: Tally::default(),
            unseen_counts: HashMap::new(),
            pattern_examples: Vec::new(),
            length_examples: Vec::new(),
            again: None,
            seen: (streaming && spec.unique).then(HashSet::new),
        }
    }

    /// The rules `level` breaks, as flags.
    fn flags(&self, level: &str) -> u8 {
        let spec = self.spec;
        let mut flags = 0;
        if self.cats.as_ref().is_some_and(|cats| !cats.contains(level)) {
            flags |= UNSEEN;
        }
        if self.pattern.as_ref().is_some_and(|re| !re.is_match(level)) {
            flags |= PATTERN;
        }
        if self.has_length {
            let n = level.chars().count();
            if spec.min_length.is_some_and(|m| n < m) || spec.max_length.is_some_and(|m| n > m) {
                flags |= LENGTH;
            }
        }
        flags
    }

    fn push(&mut self, c: &Categorical, offset: usize) {
        // Every rule on a category's text is decided once per level, not per row (categories
        // are interned), as one flag byte, so the pass over the rows reads one byte per rule
        // set. A column of distinct IDs has as many levels as rows: the levels are judged on
        // all cores.
        let spec = self.spec;
        let levels = c.levels();
        let off: Vec<u8> = if self.cats.is_some() || self.pattern.is_some() || self.has_length {
            let chunks: Vec<&[String]> = levels.chunks(LEVELS_PER_TASK).collect();
            crate::par::map(&chunks, |chunk| {
                chunk.iter().map(|l| self.flags(l)).collect::<Vec<u8>>()
            })
            .concat()
        } else {
            Vec::new()
        };
        let mut unseen_counts = vec![0usize; if self.cats.is_some() { levels.len() } else { 0 }];
        // Per level, whether it occurred: in an earlier block, or in this one so far.
        let mut occurred: Vec<bool> = match (&self.seen, spec.unique) {
            (Some(seen), _) => levels.iter().map(|l| seen.contains(l)).collect(),
            (None, true) => vec![false; levels.len()],
            (None, false) => Vec::new(),
        };
        for (i, code) in c.codes().iter().enumerate() {
            let row = offset + i;
            match code {
                None if !spec.nullable => self.missing.add(row),
                None => {}
                Some(code) => {
                    let k = *code as usize;
                    let flags = off.get(k).copied().unwrap_or(0);
                    if flags & UNSEEN != 0 {
                        self.unseen.add(row);
                        unseen_counts[k] += 1;
                    }
                    if flags & PATTERN != 0 {
                        self.mismatched.add(row);
                        note_example(&mut self.pattern_examples, &levels[k]);
                    }
                    if flags & LENGTH != 0 {
                        self.wrong_length.add(row);
                        note_example(&mut self.length_examples, &levels[k]);
                    }
                    if spec.unique {
                        if occurred[k] {
                            self.repeated.add(row);
                            if self.again.is_none() {
                                self.again = Some(levels[k].clone());
                            }
                        }
                        occurred[k] = true;
                    }
                }
            }
        }
        for (level, &n) in levels.iter().zip(&unseen_counts) {
            if n > 0 {
                *self.unseen_counts.entry(level.clone()).or_default() += n;
            }
        }
        if let Some(seen) = &mut self.seen {
            for (level, _) in levels.iter().zip(&occurred).filter(|(_, &o)| o) {
                if !seen.contains(level) {
                    seen.insert(level.clone());
                }
            }
        }
    }

    fn finish(self, rows: usize, out: &mut Vec<Violation>) {
        let spec = self.spec;
        if let Some(p) = &spec.pattern {
            self.mismatched.report(
                spec,
                ViolationKind::PatternMismatch,
                rows,
                format!(
                    "expected values matching `{p}`, found {}",
                    quoted(&self.pattern_examples)
                ),
                out,
            );
        }
        if self.has_length {
            let bound = |b: Option<usize>| b.map_or("any".to_string(), |n| n.to_string());
            self.wrong_length.report(
                spec,
                ViolationKind::LengthOutOfRange,
                rows,
                format!(
                    "expected {} to {} characters, found {}",
                    bound(spec.min_length),
                    bound(spec.max_length),
                    quoted(&self.length_examples)
                ),
                out,
            );
        }
        let again = self
            .repeated
            .rows
            .first()
            .zip(self.again)
            .map(|(&r, level)| (format!("`{level}`"), r));
        self.repeated.report(
            spec,
            ViolationKind::NotUnique,
            rows,
            unique_detail(again),
            out,
        );
        self.missing.report(
            spec,
            ViolationKind::MissingValue,
            rows,
            "expected no missing value (not nullable)".into(),
            out,
        );
        if self.unseen.count > 0 {
            let mut found: Vec<(usize, &String)> =
                self.unseen_counts.iter().map(|(l, n)| (*n, l)).collect();
            found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            let shown: Vec<String> = found
                .iter()
                .take(3)
                .map(|(n, l)| format!("`{l}` ×{n}"))
                .collect();
            let more = if found.len() > 3 {
                format!(" and {} more", found.len() - 3)
            } else {
                String::new()
            };
            let n_allowed = spec.categories.as_ref().map_or(0, Vec::len);
            let detail = format!(
                "expected one of {n_allowed} categories, found {}{more}",
                shown.join(", ")
            );
            self.unseen
                .report(spec, ViolationKind::UnseenCategory, rows, detail, out);
        }
    }
}

/// Keeps `level` as an example, if it is new and fewer than three are kept.
fn note_example(examples: &mut Vec<String>, level: &str) {
    if examples.len() < 3 && !examples.iter().any(|e| e == level) {
        examples.push(level.to_string());
    }
}

/// The rows that break a relation: a comparison where both columns have a value, or
/// `requires` where the left has one and the right has none.
struct RelationCheck<'s> {
    relation: &'s super::Relation,
    broken: Tally,
    /// The values in the first broken row of a comparison.
    example: Option<(f64, f64)>,
}

impl<'s> RelationCheck<'s> {
    fn new(relation: &'s super::Relation) -> Self {
        RelationCheck {
            relation,
            broken: Tally::default(),
            example: None,
        }
    }

    fn push(&mut self, a: &Column, b: &Column, offset: usize, rows: usize) {
        match (self.relation.op, a, b) {
            (super::RelationOp::Requires, _, _) => {
                for i in 0..rows {
                    if !a.is_missing(i) && b.is_missing(i) {
                        self.broken.add(offset + i);
                    }
                }
            }
            (op, Column::Numeric(x), Column::Numeric(y)) => {
                // A row that holds is done with one comparison; only the others ask whether a
                // value is missing (a NaN never holds, so every missing NaN comes this way).
                for (i, (&a, &b)) in x.values().iter().zip(y.values()).enumerate() {
                    if op.holds(a, b) || x.is_missing(i) || y.is_missing(i) {
                        continue;
                    }
                    self.broken.add(offset + i);
                    self.example.get_or_insert((a, b));
                }
            }
            // A comparison of a categorical column is refused when the schema loads; a dataset
            // whose column has the wrong kind is reported as `wrong_kind` already.
            _ => {}
        }
    }

    fn finish(self, rows: usize, out: &mut Vec<Violation>) {
        let (relation, broken) = (self.relation, self.broken);
        if broken.count == 0 {
            return;
        }
        let share = broken.count as f64 / rows.max(1) as f64;
        let detail = match self.example {
            Some((x, y)) => format!(
                "expected {relation}, found {} = {} and {} = {} (row {})",
                relation.left,
                number(x),
                relation.right,
                number(y),
                broken.rows[0]
            ),
            None => format!(
                "expected `{}` wherever `{}` has a value",
                relation.right, relation.left
            ),
        };
        out.push(Violation {
            column: Some(relation.to_string()),
            kind: ViolationKind::RelationBroken,
            count: broken.count,
            share,
            rows: broken.rows,
            detail,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A CSV cell of each test column: numbers with repeats, gaps, NaN and infinities; short
    /// categories; and numbers that may turn to text at some row.
    fn cell(column: usize) -> BoxedStrategy<String> {
        let pick = |options: &'static [&'static str]| {
            proptest::sample::select(options).prop_map(str::to_string)
        };
        match column {
            0 => pick(&["0", "1", "2", "3", "0.5", "-3", "1000", "", "nan", "inf"]).boxed(),
            1 => pick(&["0", "1", "2", "5", ""]).boxed(),
            _ => pick(&["a", "b", "cc", "ddd", "", "a"]).boxed(),
        }
    }

    /// A schema with every kind of rule on the test columns, each rule drawn on or off.
    fn schema() -> impl Strategy<Value = Schema> {
        (proptest::collection::vec(any::<bool>(), 12), 0usize..40).prop_map(|(on, min_rows)| {
            let flag = |k: usize| on[k];
            let mut columns = vec![
                format!(
                    r#"{{"name": "x", "kind": "numeric", "nullable": {}, "unique": {}, "min": 0, "max": {}, "allow_nan": {}, "tolerance": {}}}"#,
                    flag(0),
                    flag(1),
                    if flag(2) { 3 } else { 1000 },
                    flag(3),
                    if flag(4) { 0.1 } else { 0.0 }
                ),
                format!(
                    r#"{{"name": "y", "kind": "numeric", "nullable": {}, "unique": {}}}"#,
                    flag(5),
                    flag(1)
                ),
                format!(
                    r#"{{"name": "c", "kind": "categorical", "nullable": {}, "unique": {}, "pattern": "[a-c]+", "max_length": 2{}}}"#,
                    flag(6),
                    flag(7),
                    if flag(8) { r#", "categories": ["a", "b"]"# } else { "" }
                ),
                format!(
                    r#"{{"name": "late", "kind": "{}", "nullable": true}}"#,
                    if flag(9) { "numeric" } else { "categorical" }
                ),
            ];
            if flag(10) {
                columns.push(r#"{"name": "gone", "kind": "numeric", "nullable": true}"#.into());
            }
            let json = format!(
                r#"{{"mlharness_schema": 3, "min_rows": {min_rows}, "columns": [{}],
                "relations": [{{"left": "x", "op": "<=", "right": "y"}}, {{"left": "c", "op": "requires", "right": "y"}}],
                "conditions": [{{"if": {{"column": "c", "in": ["a"]}}, "then": {{"column": "x", "max": 1}}}},
                               {{"if": {{"column": "x", "min": 2}}, "then": {{"column": "c", "present": {}}}}}]}}"#,
                columns.join(", "),
                flag(11)
            );
            Schema::from_json(&json, "schema.json").expect("a valid schema")
        })
    }

    /// A CSV text of the test columns (and one the schema does not know); column `late` holds
    /// text from row `text_at` on, if that is a row.
    fn csv() -> impl Strategy<Value = String> {
        let row = (cell(0), cell(1), cell(2), 0u32..1000);
        (proptest::collection::vec(row, 0..60), 0usize..80).prop_map(|(rows, text_at)| {
            let mut text = String::from("x,y,c,late,extra\n");
            for (i, (x, y, c, late)) in rows.into_iter().enumerate() {
                let late = if i >= text_at {
                    format!("t{late}")
                } else {
                    late.to_string()
                };
                text.push_str(&format!("{x},{y},{c},{late},{i}\n"));
            }
            text
        })
    }

    #[test]
    fn each_value_to_tally_is_found_at_its_row_in_any_chunk() {
        let mut values = vec![0.5; 100];
        values[17] = f64::INFINITY;
        values[40] = 7.0;
        values[41] = f64::NAN;
        values[99] = -1.0;
        let data = Dataset::from_columns(vec![("x".into(), Column::numeric(values))]).unwrap();
        let schema = Schema::from_json(
            r#"{"mlharness_schema": 1, "columns": [{"name": "x", "kind": "numeric", "nullable": false, "min": 0, "max": 1}]}"#,
            "schema.json",
        )
        .unwrap();
        let report = schema.validate(&data);
        let rows = |kind| {
            report
                .of_kind(kind)
                .flat_map(|v| v.rows.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(rows(ViolationKind::Infinite), [17]);
        assert_eq!(rows(ViolationKind::OutOfRange), [40, 99]);
        assert_eq!(rows(ViolationKind::MissingValue), [41]);
    }

    proptest! {
        /// A file checked as it streams, in blocks of a few rows, gets the report of the file
        /// read whole and then checked.
        #[test]
        fn a_streamed_file_gets_the_report_of_the_whole(
            schema in schema(),
            text in csv(),
            block in prop_oneof![Just(16usize), Just(40), Just(128), Just(1 << 20)],
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("data.csv");
            std::fs::write(&path, &text).unwrap();
            crate::data::csv::stream_in_blocks(block, 32);
            let streamed = schema.validate_file(&path, None, None).unwrap();
            let whole = schema.validate_in(&schema.read(&path, None).unwrap(), None);
            prop_assert_eq!(&streamed, &whole, "{}\n{}", streamed, whole);
        }

        /// Rows pushed to a validator in batches (empty ones too) get the report of the rows
        /// checked together.
        #[test]
        fn batches_get_the_report_of_the_whole(
            schema in schema(),
            text in csv(),
            cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..6),
        ) {
            let data = Dataset::from_csv_bytes(text.as_bytes(), "data.csv", &schema.read_options()).unwrap();
            let n = data.n_rows();
            let mut at: Vec<usize> = cuts.iter().map(|c| c.index(n + 1)).collect();
            at.extend([0, n]);
            at.sort_unstable();
            let mut validator = schema.validator(None);
            for w in at.windows(2) {
                let rows: Vec<usize> = (w[0]..w[1]).collect();
                validator.push(&data.take(&rows).unwrap()).unwrap();
            }
            let batched = serde_json::to_value(validator.finish()).unwrap();
            let mut whole = serde_json::to_value(schema.validate(&data)).unwrap();
            whole.as_object_mut().unwrap().remove("source");
            prop_assert_eq!(&batched, &whole);
        }
    }

    fn batch(columns: Vec<(&str, Column)>) -> Dataset {
        Dataset::from_columns(
            columns
                .into_iter()
                .map(|(n, c)| (n.to_string(), c))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn a_batch_without_the_first_batchs_columns_is_refused_and_not_counted() {
        let xy = |x: f64| {
            batch(vec![
                ("x", Column::numeric(vec![x])),
                ("y", Column::numeric(vec![x])),
            ])
        };
        let schema = Schema::infer(&xy(1.0));
        let mut validator = schema.validator(None);
        validator.push(&xy(1.0)).unwrap();
        let only_x = batch(vec![("x", Column::numeric(vec![500.0]))]);
        assert_eq!(
            validator.push(&only_x).unwrap_err().to_string(),
            "batch 2 (rows from 1) lacks `y`: every batch needs the first batch's columns"
        );
        let xyz = batch(vec![
            ("z", Column::numeric(vec![1.0])),
            ("y", Column::numeric(vec![1.0])),
            ("x", Column::numeric(vec![1.0])),
        ]);
        let err = validator.push(&xyz).unwrap_err();
        assert_eq!(
            (err.batch, err.missing.len(), err.extra.clone()),
            (2, 0, vec!["z".to_string()])
        );
        // The columns in another order are the same columns.
        let yx = batch(vec![
            ("y", Column::numeric(vec![1.0])),
            ("x", Column::numeric(vec![2.0])),
        ]);
        validator.push(&yx).unwrap();
        let report = validator.finish();
        // The refused batches' rows (x = 500 among them) are not in the report.
        assert_eq!(report.rows, 2);
        assert!(!report.valid);
        assert_eq!(report.violations[0].rows, [1]);
    }

    #[test]
    fn a_column_that_turns_to_text_in_a_later_batch_is_of_the_wrong_kind_from_there() {
        let schema = Schema::infer(&batch(vec![("x", Column::numeric(vec![1.0, 2.0]))]));
        let mut validator = schema.validator(None);
        validator
            .push(&batch(vec![("x", Column::numeric(vec![1.0, 2.0]))]))
            .unwrap();
        validator
            .push(&batch(vec![(
                "x",
                Column::categorical([Some("one"), Some("two")]),
            )]))
            .unwrap();
        validator
            .push(&batch(vec![("x", Column::numeric(vec![3.0]))]))
            .unwrap();
        let report = validator.finish();
        let wrong: Vec<_> = report.of_kind(ViolationKind::WrongKind).collect();
        assert_eq!(wrong.len(), 1, "{report}");
        // The whole column, as the rows together would be reported; the text's rows named.
        assert_eq!((wrong[0].count, wrong[0].rows.clone()), (5, vec![2, 3]));
    }

    #[test]
    fn a_batch_of_the_right_kind_after_text_leaves_the_column_of_the_wrong_kind() {
        let schema = Schema::infer(&batch(vec![("x", Column::numeric(vec![1.0, 2.0]))]));
        let mut validator = schema.validator(None);
        validator
            .push(&batch(vec![("x", Column::categorical([Some("one")]))]))
            .unwrap();
        validator
            .push(&batch(vec![("x", Column::numeric(vec![1.0, 2.0]))]))
            .unwrap();
        let report = validator.finish();
        let wrong: Vec<_> = report.of_kind(ViolationKind::WrongKind).collect();
        assert_eq!(wrong.len(), 1, "{report}");
        assert_eq!(wrong[0].rows, [0]);
    }
}
