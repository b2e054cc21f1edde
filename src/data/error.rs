use super::ColumnKind;
use std::path::PathBuf;

/// Everything that can go wrong building, loading or reading a dataset.
///
/// Errors from a file name the file and, where it applies, the 1-based line and the column.
///
/// ```
/// use mlharness::data::{Dataset, DataError};
/// let err = Dataset::from_csv("no/such/file.csv").unwrap_err();
/// assert!(matches!(err, DataError::Io { .. }));
/// assert!(err.to_string().starts_with("no/such/file.csv: cannot read"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("{}: cannot read", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file has no header line.
    #[error("{}: the file is empty: expected a header line naming the columns", path.display())]
    EmptyFile {
        /// The file.
        path: PathBuf,
    },
    /// A row has more or fewer fields than the header.
    #[error("{}:{line}: this row has {found} fields, the header has {expected}", path.display())]
    RaggedRow {
        /// The file.
        path: PathBuf,
        /// 1-based line where the row starts.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A value in a column declared numeric is not a number.
    #[error("{}:{line}: column `{column}` (field {field}) is declared numeric, but `{value}` is not a number", path.display())]
    BadNumber {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// Column name.
        column: String,
        /// 1-based field position in the row.
        field: usize,
        /// The text found.
        value: String,
    },
    /// A column was declared in the load options but the file has no such column.
    #[error("{}: option names column `{column}`, but the header has only: {available}", path.display())]
    UnknownDeclaredColumn {
        /// The file.
        path: PathBuf,
        /// The name asked for.
        column: String,
        /// The header's names.
        available: String,
    },
    /// A quoted field is opened and never closed: the rest of the file would be read into it.
    #[error("{}:{line}: a quoted field opened on this line is never closed (the rest of the file would be read into it)", path.display())]
    UnterminatedQuote {
        /// The file.
        path: PathBuf,
        /// 1-based line of the opening quote.
        line: u64,
    },
    /// A field is larger than [`super::CsvOptions::max_field_bytes`].
    #[error("{}:{line}: field {field}{} has {bytes} bytes, more than the {limit} accepted (a stray quote swallowing rows? raise CsvOptions::max_field_bytes if the data is right)", path.display(), if column.is_empty() { String::new() } else { format!(" (`{column}`)") })]
    FieldTooLarge {
        /// The file.
        path: PathBuf,
        /// 1-based line where the row starts.
        line: u64,
        /// 1-based field position in the row.
        field: usize,
        /// Column name (empty for a header field).
        column: String,
        /// The field's size.
        bytes: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A header name is empty (`x,,plan`): the column could not be named in any check.
    #[error("{}:1: column {column} of the header has no name", path.display())]
    EmptyHeader {
        /// The file.
        path: PathBuf,
        /// 1-based position of the nameless column.
        column: usize,
    },
    /// A header names the same column twice.
    #[error("{}:1: column `{column}` appears twice in the header", path.display())]
    DuplicateHeader {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        column: String,
    },
    /// A Parquet or Arrow IPC file (or record batch) that cannot be read.
    #[error("{}: {place}{message}", path.display())]
    Columnar {
        /// The file (empty for record batches in memory).
        path: PathBuf,
        /// The row group or record batch, and the column, where known.
        place: Place,
        /// What went wrong.
        message: String,
    },
    /// A column of an Arrow type a dataset does not hold (nested, temporal, binary…).
    #[error("{}column `{column}` has Arrow type {data_type}, which a dataset does not hold: cast it to a string or a number first", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    UnsupportedType {
        /// The file, when read from one.
        path: Option<PathBuf>,
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
    },
    /// A data format this build cannot read, or an unknown format name.
    #[error("{}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A column read as numbers turned to text in a pipe: its earlier rows would have to be
    /// read again, as text, and a pipe cannot be read twice.
    #[error("{}: column `{column}` holds text after {rows} rows read as numbers, and its earlier rows cannot be read again as text from a pipe: declare the column categorical (`CsvOptions::kind`, or its kind in the schema), or read a regular file", path.display())]
    TextAfterNumbersInPipe {
        /// The pipe.
        path: PathBuf,
        /// The column.
        column: String,
        /// Rows read before the block where the text was found.
        rows: usize,
    },
    /// Any other CSV syntax or encoding problem.
    #[error("{}:{line}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// What the CSV reader said.
        message: String,
    },
    /// No column has this name.
    #[error("no column named `{column}`; the columns are: {available}")]
    UnknownColumn {
        /// The name asked for.
        column: String,
        /// The dataset's column names.
        available: String,
    },
    /// Two columns with one name.
    #[error("column `{column}` is given twice")]
    DuplicateColumn {
        /// The name.
        column: String,
    },
    /// A column's length differs from the dataset's.
    #[error("column `{column}` has {found} rows, but the dataset has {expected}")]
    LengthMismatch {
        /// The column.
        column: String,
        /// The dataset's row count.
        expected: usize,
        /// The column's row count.
        found: usize,
    },
    /// Names and array columns differ in number.
    #[error("{names} names for an array of {columns} columns")]
    ShapeMismatch {
        /// Names given.
        names: usize,
        /// Array columns.
        columns: usize,
    },
    /// The column is of the other kind.
    #[error("column `{column}` is {found}, but {expected} was expected")]
    WrongKind {
        /// The column.
        column: String,
        /// Kind asked for.
        expected: ColumnKind,
        /// Kind it has.
        found: ColumnKind,
    },
    /// The dataset has no target column.
    #[error("the dataset has no target column: call `with_target(\"<column>\")` (or set `CsvOptions::target`)")]
    NoTarget,
    /// A target value is missing.
    #[error("target column `{column}` is missing a value in row {row}")]
    MissingTarget {
        /// The target column.
        column: String,
        /// 0-based row.
        row: usize,
    },
    /// A row without a value in the column a split orders by.
    #[error("cannot order rows by `{column}`: row {row} has no value")]
    MissingOrderValue {
        /// The ordering column.
        column: String,
        /// 0-based row.
        row: usize,
    },
    /// A target class the caller's class list does not have.
    #[error("row {row}: target class `{class}` is not one of the model's classes ({known})")]
    UnknownClass {
        /// The class found.
        class: String,
        /// 0-based row.
        row: usize,
        /// The known classes.
        known: String,
    },
    /// A row index past the end.
    #[error("row {row} is out of range: the dataset has {n_rows} rows")]
    RowOutOfRange {
        /// The index asked for.
        row: usize,
        /// Rows in the dataset.
        n_rows: usize,
    },
    /// A split fraction outside (0, 1).
    #[error("split fraction must lie strictly between 0 and 1, got {fraction}")]
    InvalidFraction {
        /// The fraction given.
        fraction: f64,
    },
    /// An operation that needs rows got an empty dataset.
    #[error("{what}: the dataset has no rows")]
    EmptyDataset {
        /// The operation.
        what: &'static str,
    },
}

/// Where in a Parquet or Arrow IPC file a problem is, for [`DataError::Columnar`].
///
/// ```
/// use mlharness::data::{Part, Place};
/// let place = Place { part: Some(Part::RowGroup(2)), column: Some("plan".into()) };
/// assert_eq!(place.to_string(), "row group 2: column `plan`: ");
/// let place = Place { part: Some(Part::Batch(0)), column: None };
/// assert_eq!(place.to_string(), "record batch 0: ");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// The row group or record batch.
    pub part: Option<Part>,
    /// The column.
    pub column: Option<String>,
}

/// A piece of a columnar file, 0-based: a Parquet row group, or a record batch of an Arrow
/// IPC file or of the batches given to [`Dataset::from_record_batches`](super::Dataset).
///
/// ```
/// use mlharness::data::{DataError, Part, Place};
/// fn which(err: &DataError) -> Option<Part> {
///     match err {
///         DataError::Columnar { place: Place { part, .. }, .. } => *part,
///         _ => None,
///     }
/// }
/// # let _ = which;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// A Parquet row group.
    RowGroup(usize),
    /// An Arrow record batch.
    Batch(usize),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.part {
            Some(Part::RowGroup(g)) => write!(f, "row group {g}: ")?,
            Some(Part::Batch(b)) => write!(f, "record batch {b}: ")?,
            None => {}
        }
        if let Some(c) = &self.column {
            write!(f, "column `{c}`: ")?;
        }
        Ok(())
    }
}
