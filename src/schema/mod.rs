//! Data contracts: what each column of a dataset may hold, inferred from real data, reviewed,
//! checked in, and checked against every batch.
//!
//! [`Schema::infer`] reads a whole dataset and records, per column, its kind, whether it may be
//! missing (and the share seen), the range of a numeric column, the allowed categories of a
//! categorical one (up to [`InferOptions::max_domain_size`]) and a few quantiles. The schema is
//! human-editable JSON ([`Schema::save`], [`Schema::load`]); [`Schema::validate`] reports every
//! violation of it at once, in a report whose outcome fails a test with that table
//! (`schema.validate(&data).assert_passed()`).
//!
//! ```
//! use mlharness::data::{Column, Dataset};
//! use mlharness::schema::{Schema, ViolationKind};
//!
//! let train = Dataset::from_columns(vec![
//!     ("tenure".into(), Column::numeric(vec![1.0, 12.0, 40.0, 72.0])),
//!     ("plan".into(), Column::categorical([Some("basic"), Some("pro"), Some("pro"), Some("basic")])),
//! ])?;
//! let schema = Schema::infer(&train);
//!
//! let live = Dataset::from_columns(vec![
//!     ("tenure".into(), Column::numeric(vec![5.0, -3.0])),
//!     ("plan".into(), Column::categorical([Some("gold"), Some("pro")])),
//! ])?;
//! let report = schema.validate(&live);
//! let kinds: Vec<_> = report.violations().iter().map(|v| v.kind).collect();
//! assert_eq!(kinds, [ViolationKind::OutOfRange, ViolationKind::UnseenCategory]);
//! assert!(report.to_string().contains("tenure"));
//! # Ok::<(), mlharness::data::DataError>(())
//! ```

mod condition;
#[cfg(feature = "html")]
mod html;
mod infer;
mod repeats;
mod validate;

pub use self::condition::{Condition, Predicate};
pub use self::infer::InferOptions;
pub use self::validate::{BatchError, ValidationReport, Validator, Violation, ViolationKind};

use crate::data::{ColumnKind, CsvOptions, DataFormat};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Rows of a Parquet file validated at a time: 64k rows of 20 columns hold 10 MB.
#[cfg(feature = "arrow")]
const PARQUET_CHUNK_ROWS: usize = 1 << 16;

/// The newest version of the schema file format. A schema is written with the oldest version
/// that holds what it uses, so older readers still read it: version 1 for kinds, ranges,
/// categories and missing values; 2 adds `unique`, `pattern`, `min_length`/`max_length` and
/// `relations`; 3 adds `conditions`. Every version is read.
pub const FORMAT_VERSION: u32 = 3;
/// The versions this crate reads.
const READS: [u32; 3] = [1, 2, 3];

/// What a dataset's columns may hold. Serialises to the JSON that is checked in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// File format version ([`FORMAT_VERSION`]).
    pub mlharness_schema: u32,
    /// Fewest rows a batch may have (`None`: any number, zero included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rows: Option<usize>,
    /// The columns, in the order they were inferred.
    pub columns: Vec<ColumnSchema>,
    /// Rules between columns (`a <= b`, `x` present when `y` is).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<Relation>,
    /// Expectations that hold on the rows where a condition does (`if plan in [none] then
    /// plan_minutes <= 0`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

/// A rule between two columns of a row: a comparison of two numeric columns (rows where both
/// are present), or `requires`: where `left` has a value, `right` must too.
///
/// ```
/// use mlharness::schema::{Relation, RelationOp};
/// let r: Relation = serde_json::from_str(r#"{"left": "day_charge", "op": "<=", "right": "total_charge"}"#)?;
/// assert_eq!(r.op, RelationOp::Le);
/// assert_eq!(r.to_string(), "day_charge <= total_charge");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    /// The left column.
    pub left: String,
    /// The comparison, or `requires`.
    pub op: RelationOp,
    /// The right column.
    pub right: String,
}

/// How a [`Relation`] relates its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelationOp {
    /// `left < right`
    #[serde(rename = "<")]
    Lt,
    /// `left <= right`
    #[serde(rename = "<=")]
    Le,
    /// `left == right`
    #[serde(rename = "==")]
    Eq,
    /// `left >= right`
    #[serde(rename = ">=")]
    Ge,
    /// `left > right`
    #[serde(rename = ">")]
    Gt,
    /// `right` has a value wherever `left` has one.
    #[serde(rename = "requires")]
    Requires,
}

impl RelationOp {
    fn symbol(self) -> &'static str {
        match self {
            RelationOp::Lt => "<",
            RelationOp::Le => "<=",
            RelationOp::Eq => "==",
            RelationOp::Ge => ">=",
            RelationOp::Gt => ">",
            RelationOp::Requires => "requires",
        }
    }

    /// Whether `a op b` holds (for a comparison).
    pub(crate) fn holds(self, a: f64, b: f64) -> bool {
        match self {
            RelationOp::Lt => a < b,
            RelationOp::Le => a <= b,
            RelationOp::Eq => a == b,
            RelationOp::Ge => a >= b,
            RelationOp::Gt => a > b,
            RelationOp::Requires => true,
        }
    }
}

impl std::fmt::Display for Relation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.left, self.op.symbol(), self.right)
    }
}

/// What one column may hold.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::schema::Schema;
/// let ds = Dataset::from_columns(vec![("age".into(), Column::numeric(vec![18.0, f64::NAN, 90.0]))])?;
/// let age = &Schema::infer(&ds).columns[0];
/// assert_eq!((age.min, age.max), (Some(18.0), Some(90.0)));
/// assert!(age.nullable);
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSchema {
    /// Column name.
    pub name: String,
    /// Numeric or categorical.
    pub kind: ColumnKind,
    /// Whether a value may be missing.
    pub nullable: bool,
    /// Share of missing values seen when the schema was inferred (informational).
    #[serde(default)]
    pub missing_share: f64,
    /// Smallest allowed value of a numeric column (`None`: unbounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed value of a numeric column (`None`: unbounded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Whether a numeric column may hold `NaN` as a value (not as a missing marker).
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_nan: bool,
    /// Whether a numeric column may hold ±infinity.
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_infinite: bool,
    /// Allowed categories of a categorical column (`None`: any; the domain was too large to list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// A few quantiles seen at inference, as `(probability, value)` (informational, for review).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quantiles: Vec<(f64, f64)>,
    /// Share of rows that may violate this column's value rules before it is reported, in the
    /// spirit of "mostly": `0.01` lets 1% of rows be out of range, unseen or missing.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tolerance: f64,
    /// Environments in which the column is expected (`None`: all). A column outside the
    /// environment being validated must be absent; the target is inferred as `["training"]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<Vec<String>>,
    /// No value may occur twice (an ID). Missing values are not counted.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    /// A regular expression every category must match in full (`^[A-Z]{2}$` for a state
    /// code), matched in linear time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Fewest characters a category may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<usize>,
    /// Most characters a category may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl ColumnSchema {
    /// Whether the column is expected in `environment` (`None`: the default environment, in
    /// which every column is expected).
    pub fn expected_in(&self, environment: Option<&str>) -> bool {
        match (environment, &self.environments) {
            (None, _) | (_, None) => true,
            (Some(env), Some(envs)) => envs.iter().any(|e| e == env),
        }
    }
}

/// A schema file that cannot be read, parsed or used; names the file and, where it applies,
/// the line, column and field.
///
/// ```
/// use mlharness::schema::{Schema, SchemaError};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("schema.json");
/// std::fs::write(&path, r#"{"mlharness_schema": 1, "columns": [{"name": "x", "kind": "numeric", "nulable": true}]}"#)?;
/// let err = Schema::load(&path).unwrap_err();
/// assert!(matches!(err, SchemaError::Parse { line: 1, .. }));
/// assert!(err.to_string().contains("nulable"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The file could not be read.
    #[error("{}: cannot read the schema", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid schema JSON (syntax, an unknown or misspelt field, a wrong type).
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, naming the field.
        message: String,
    },
    /// The file parses but contradicts itself (e.g. `min` above `max`).
    #[error("{}: column `{column}`, field `{field}`: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The schema column.
        column: String,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A relation or a condition cannot be used (a column it names is not in the schema, a
    /// test that does not fit the column's kind).
    #[error("{}: {rule}, field `{field}`: {message}", path.display())]
    Rule {
        /// The file.
        path: PathBuf,
        /// Which rule, numbered from 1 in its list, and the rule itself.
        rule: String,
        /// The field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The file declares a version older than an expectation it uses.
    #[error("{}: field `mlharness_schema`: version {found} has no `{feature}`: declare version {needed}", path.display())]
    VersionTooOld {
        /// The file.
        path: PathBuf,
        /// The version declared.
        found: u32,
        /// The version the file's contents need.
        needed: u32,
        /// An expectation the declared version lacks.
        feature: &'static str,
    },
    /// The file's format version is not one this crate reads.
    #[error("{}: field `mlharness_schema`: version {found} is not supported (this mlharness reads versions 1 to {FORMAT_VERSION})", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
    /// The schema could not be written.
    #[error(transparent)]
    Write(#[from] crate::fs::WriteError),
}

impl Schema {
    /// Infers a schema from a whole dataset with default [`InferOptions`].
    pub fn infer(data: &crate::data::Dataset) -> Schema {
        InferOptions::default().infer(data)
    }

    /// The schema of the column named `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Mutable access to a column's schema, for adjusting an inferred schema in code.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::Schema;
    /// let ds = Dataset::from_columns(vec![("age".into(), Column::numeric(vec![18.0, 90.0]))])?;
    /// let mut schema = Schema::infer(&ds);
    /// schema.column_mut("age").unwrap().max = Some(120.0);
    /// assert!(schema.validate(&ds).outcome().passed());
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn column_mut(&mut self, name: &str) -> Option<&mut ColumnSchema> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// Loads a CSV file reading each column the schema declares categorical as categorical (so a
    /// column of digits such as a zip code stays categorical); other columns are inferred, so a
    /// wrong kind shows up as a `wrong_kind` violation rather than a load error.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::Schema;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("d.csv");
    /// std::fs::write(&path, "zip\n02134\n94105\n")?;
    /// let train = Dataset::from_columns(vec![("zip".into(), Column::categorical([Some("02134"), Some("94105")]))])?;
    /// let ds = Schema::infer(&train).read_csv(&path)?;
    /// assert_eq!(ds.categorical("zip")?.get(0), Some("02134"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_csv(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<crate::data::Dataset, crate::data::DataError> {
        self.read(path, Some(DataFormat::Csv))
    }

    /// Loads a data file as [`read_csv`](Self::read_csv) does, in `format` (by default the one
    /// its extension names: CSV, Parquet or Arrow IPC, see [`DataFormat`]).
    /// A column the schema calls categorical that a Parquet file stores as numbers is read as
    /// their text.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::Schema;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("d.csv");
    /// std::fs::write(&path, "zip\n02134\n")?;
    /// let train = Dataset::from_columns(vec![("zip".into(), Column::categorical([Some("02134")]))])?;
    /// assert!(Schema::infer(&train).validate(&Schema::infer(&train).read(&path, None)?).outcome().passed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read(
        &self,
        path: impl AsRef<Path>,
        format: Option<DataFormat>,
    ) -> Result<crate::data::Dataset, crate::data::DataError> {
        crate::data::Dataset::from_file_with(path, format, &self.read_options())
    }

    /// How a data file is read for this schema: its categorical columns as text.
    fn read_options(&self) -> CsvOptions {
        // A column the file lacks is reported by validation as `missing_column`.
        self.columns
            .iter()
            .filter(|c| c.kind == ColumnKind::Categorical)
            .fold(CsvOptions::default().lenient_kinds(), |o, c| {
                o.kind(c.name.clone(), ColumnKind::Categorical)
            })
    }

    /// Checks a data file against every rule as [`validate_in`](Self::validate_in) checks it
    /// once [`read`](Self::read), with the same report. A CSV file is checked as it is read, a
    /// block of rows at a time, a Parquet file 64k rows at a time and an Arrow IPC file a record
    /// batch at a time (feature `arrow`), so memory stays near one block's columns whatever the
    /// file's size.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::{Schema, ViolationKind};
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("scores.csv");
    /// std::fs::write(&path, "score\n0.5\n7\n0.25\n")?;
    /// let train = Dataset::from_columns(vec![("score".into(), Column::numeric(vec![0.0, 1.0]))])?;
    /// let report = Schema::infer(&train).validate_file(&path, None, None)?;
    /// let out_of_range = report.of_kind(ViolationKind::OutOfRange).next().unwrap();
    /// assert_eq!(out_of_range.rows, [1]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate_file(
        &self,
        path: impl AsRef<Path>,
        format: Option<DataFormat>,
        environment: Option<&str>,
    ) -> Result<ValidationReport, crate::data::DataError> {
        let path = path.as_ref();
        let format = format.unwrap_or_else(|| DataFormat::of(path));
        if format == DataFormat::Csv {
            let mut validator = validate::Validator::new(self, environment, true);
            let streamed = crate::data::csv::for_each_block(
                path,
                &self.read_options(),
                &mut |block, expected_rows| validator.push_block(block, expected_rows),
            )?;
            if streamed == crate::data::csv::Streamed::Whole {
                return Ok(validator.finish_from(Some(path.to_path_buf())));
            }
            // A column proved not numeric after blocks of numbers: read whole, so that its
            // earlier rows are text too and the column is judged once, as of the wrong kind.
        }
        #[cfg(feature = "arrow")]
        if matches!(format, DataFormat::Parquet | DataFormat::ArrowIpc) {
            // A chunk of rows at a time: the file's types hold for all its rows, so no chunk
            // can change a column's kind.
            let mut validator = validate::Validator::new(self, environment, true);
            let mut push = |chunk: crate::data::Dataset, rows| {
                validator.push_block(&chunk, rows);
                Ok(())
            };
            let options = self.read_options();
            match format {
                DataFormat::Parquet => crate::data::for_each_parquet_chunk(
                    path,
                    &options,
                    PARQUET_CHUNK_ROWS,
                    &mut push,
                )?,
                _ => crate::data::for_each_ipc_batch(path, &options, &mut push)?,
            }
            return Ok(validator.finish_from(Some(path.to_path_buf())));
        }
        let data = self.read(path, Some(format))?;
        Ok(self.validate_in(&data, environment))
    }

    /// The schema as pretty JSON, one field per line so that a review diff shows each change.
    pub fn to_json(&self) -> String {
        let mut out = self.clone();
        out.mlharness_schema = self.needed_version();
        let mut s = serde_json::to_string_pretty(&out).expect("a schema always serialises");
        s.push('\n');
        s
    }

    /// Parses a schema from JSON text; `path` only names the source in errors.
    pub fn from_json(text: &str, path: impl AsRef<Path>) -> Result<Schema, SchemaError> {
        let path = path.as_ref();
        let schema: Schema = serde_json::from_str(text).map_err(|e| SchemaError::Parse {
            path: path.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_string(),
        })?;
        schema.check(path)?;
        Ok(schema)
    }

    /// Reads a schema file.
    pub fn load(path: impl AsRef<Path>) -> Result<Schema, SchemaError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SchemaError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Schema::from_json(&text, path)
    }

    /// Writes the schema atomically (a reader never sees half a file).
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// use mlharness::schema::Schema;
    /// let ds = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))])?;
    /// let dir = tempfile::tempdir()?;
    /// let schema = Schema::infer(&ds);
    /// schema.save(dir.path().join("schema.json"))?;
    /// assert_eq!(Schema::load(dir.path().join("schema.json"))?, schema);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), SchemaError> {
        crate::fs::write_atomic(path, self.to_json())?;
        Ok(())
    }

    /// The first expectation the schema uses that `version` does not have, for errors.
    fn first_feature_past(&self, version: u32) -> &'static str {
        let column = |f: fn(&ColumnSchema) -> bool| self.columns.iter().any(f);
        if version >= 2 {
            "conditions"
        } else if !self.relations.is_empty() {
            "relations"
        } else if column(|c| c.unique) {
            "unique"
        } else if column(|c| c.pattern.is_some()) {
            "pattern"
        } else if column(|c| c.min_length.is_some() || c.max_length.is_some()) {
            "min_length"
        } else {
            "conditions"
        }
    }

    /// The oldest format version that holds every expectation the schema uses.
    pub(crate) fn needed_version(&self) -> u32 {
        if !self.conditions.is_empty() {
            3
        } else if !self.relations.is_empty()
            || self.columns.iter().any(|c| {
                c.unique || c.pattern.is_some() || c.min_length.is_some() || c.max_length.is_some()
            })
        {
            2
        } else {
            1
        }
    }

    fn check(&self, path: &Path) -> Result<(), SchemaError> {
        if !READS.contains(&self.mlharness_schema) {
            return Err(SchemaError::Version {
                path: path.to_path_buf(),
                found: self.mlharness_schema,
            });
        }
        let invalid = |column: &str, field, message: String| SchemaError::Invalid {
            path: path.to_path_buf(),
            column: column.to_string(),
            field,
            message,
        };
        let mut seen = std::collections::HashSet::new();
        for c in &self.columns {
            if !seen.insert(c.name.as_str()) {
                return Err(invalid(
                    &c.name,
                    "name",
                    "the column is listed twice".into(),
                ));
            }
            if let (Some(lo), Some(hi)) = (c.min, c.max) {
                if lo > hi {
                    return Err(invalid(
                        &c.name,
                        "min",
                        format!("min {lo} is above max {hi}"),
                    ));
                }
            }
            if !(0.0..=1.0).contains(&c.tolerance) {
                return Err(invalid(
                    &c.name,
                    "tolerance",
                    format!("{} is not a share between 0 and 1", c.tolerance),
                ));
            }
            if c.kind == ColumnKind::Categorical && (c.min.is_some() || c.max.is_some()) {
                return Err(invalid(
                    &c.name,
                    if c.min.is_some() { "min" } else { "max" },
                    "a categorical column has no range; use `categories`".into(),
                ));
            }
            if let Some(p) = &c.pattern {
                if let Err(e) = regex::Regex::new(p) {
                    return Err(invalid(
                        &c.name,
                        "pattern",
                        format!("not a valid regular expression: {e}"),
                    ));
                }
            }
            if c.kind == ColumnKind::Numeric
                && (c.pattern.is_some() || c.min_length.is_some() || c.max_length.is_some())
            {
                return Err(invalid(
                    &c.name,
                    if c.pattern.is_some() {
                        "pattern"
                    } else {
                        "min_length"
                    },
                    "a numeric column has no text to match; use `min` and `max`".into(),
                ));
            }
            if let (Some(lo), Some(hi)) = (c.min_length, c.max_length) {
                if lo > hi {
                    return Err(invalid(
                        &c.name,
                        "min_length",
                        format!("min_length {lo} is above max_length {hi}"),
                    ));
                }
            }
            if c.kind == ColumnKind::Numeric && c.categories.is_some() {
                return Err(invalid(
                    &c.name,
                    "categories",
                    "a numeric column has no categories; use `min` and `max`".into(),
                ));
            }
        }
        for (i, r) in self.relations.iter().enumerate() {
            let rule = |field, message| SchemaError::Rule {
                path: path.to_path_buf(),
                rule: format!("relation {} `{r}`", i + 1),
                field,
                message,
            };
            for name in [&r.left, &r.right] {
                let Some(c) = self.column(name) else {
                    return Err(rule(
                        if name == &r.left { "left" } else { "right" },
                        format!("no column `{name}` in the schema"),
                    ));
                };
                if r.op != RelationOp::Requires && c.kind != ColumnKind::Numeric {
                    return Err(rule(
                        "op",
                        format!("`{name}` is categorical: only `requires` relates it"),
                    ));
                }
            }
        }
        for (i, condition) in self.conditions.iter().enumerate() {
            let rule = |field, message| SchemaError::Rule {
                path: path.to_path_buf(),
                rule: format!("condition {} `{condition}`", i + 1),
                field,
                message,
            };
            for (side, test) in [("if", &condition.when), ("then", &condition.then)] {
                let Some(c) = self.column(&test.column) else {
                    return Err(rule(
                        condition_field(side, "column"),
                        format!("no column `{}` in the schema", test.column),
                    ));
                };
                if let Some((field, message)) = test.problem(c.kind) {
                    return Err(rule(condition_field(side, field), message));
                }
            }
        }
        let needed = self.needed_version();
        if self.mlharness_schema < needed {
            return Err(SchemaError::VersionTooOld {
                path: path.to_path_buf(),
                found: self.mlharness_schema,
                needed,
                feature: self.first_feature_past(self.mlharness_schema),
            });
        }
        Ok(())
    }
}

/// The path of a field of a condition's test (`if.min`, `then.in`), for errors.
fn condition_field(side: &str, field: &str) -> &'static str {
    match (side, field) {
        ("if", "column") => "if.column",
        ("if", "present") => "if.present",
        ("if", "in") => "if.in",
        ("if", "max") => "if.max",
        ("if", _) => "if.min",
        (_, "column") => "then.column",
        (_, "present") => "then.present",
        (_, "in") => "then.in",
        (_, "max") => "then.max",
        _ => "then.min",
    }
}
