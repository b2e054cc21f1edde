//! CSV loading with type inference.

use super::{Column, ColumnKind, DataError, Dataset};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// The tokens read as a missing value by default (compared after trimming spaces).
pub const DEFAULT_MISSING: [&str; 5] = ["", "NA", "NaN", "null", "None"];

/// How to read a CSV file. The default infers each column's kind, treats
/// [`DEFAULT_MISSING`] as missing, and reads comma-separated fields with a header line.
///
/// ```
/// use mlharness::data::{ColumnKind, CsvOptions, Dataset};
/// # let dir = tempfile::tempdir()?;
/// # let path = dir.path().join("d.csv");
/// std::fs::write(&path, "zip,churn\n02134,yes\n94105,no\n")?;
/// let ds = Dataset::from_csv_with(
///     &path,
///     &CsvOptions::default().target("churn").kind("zip", ColumnKind::Categorical),
/// )?;
/// assert_eq!(ds.categorical("zip")?.get(0), Some("02134"));
/// assert_eq!(ds.target_name(), Some("churn"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CsvOptions {
    delimiter: u8,
    missing: Vec<String>,
    kinds: BTreeMap<String, ColumnKind>,
    target: Option<String>,
    max_field_bytes: usize,
}

/// The largest field read by default: 1 MiB. A bigger one is almost always a quoting accident
/// (a stray quote swallowing rows) or not tabular data; [`CsvOptions::max_field_bytes`] raises it.
pub const MAX_FIELD_BYTES: usize = 1 << 20;

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            missing: DEFAULT_MISSING.iter().map(|s| s.to_string()).collect(),
            kinds: BTreeMap::new(),
            target: None,
            max_field_bytes: MAX_FIELD_BYTES,
        }
    }
}

impl CsvOptions {
    /// Field delimiter (default `,`).
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Replaces the missing-value tokens.
    pub fn missing_tokens<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tokens: I) -> Self {
        self.missing = tokens.into_iter().map(Into::into).collect();
        self
    }

    /// Declares a column's kind instead of inferring it. A value that does not parse in a
    /// column declared numeric is an error naming its line and column.
    pub fn kind(mut self, column: impl Into<String>, kind: ColumnKind) -> Self {
        self.kinds.insert(column.into(), kind);
        self
    }

    /// Marks a column as the target.
    pub fn target(mut self, column: impl Into<String>) -> Self {
        self.target = Some(column.into());
        self
    }

    /// The largest field accepted, in bytes (default [`MAX_FIELD_BYTES`]); a larger one is a
    /// [`DataError::FieldTooLarge`] naming its line and column.
    ///
    /// ```
    /// use mlharness::data::{CsvOptions, DataError, Dataset};
    /// let text = format!("id,notes\n1,{}\n", "x".repeat(100));
    /// let options = CsvOptions::default().max_field_bytes(64);
    /// let err = Dataset::from_csv_bytes(text.as_bytes(), "notes.csv", &options).unwrap_err();
    /// assert!(matches!(err, DataError::FieldTooLarge { line: 2, .. }), "{err}");
    /// ```
    pub fn max_field_bytes(mut self, bytes: usize) -> Self {
        self.max_field_bytes = bytes;
        self
    }
}

impl Dataset {
    /// Loads a CSV file with a header line, inferring column kinds (see [`CsvOptions`]).
    ///
    /// A column is numeric when every present value parses as a number, categorical otherwise.
    /// Quoted fields (with embedded delimiters, quotes or newlines), a UTF-8 byte-order mark and
    /// CRLF line ends are read as expected.
    ///
    /// ```
    /// use mlharness::data::Dataset;
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("d.csv");
    /// std::fs::write(&path, "\u{feff}x,label\r\n1.5,\"a, quoted\"\r\nNA,b\r\n")?;
    /// let ds = Dataset::from_csv(&path)?;
    /// assert_eq!(ds.column_names(), vec!["x", "label"]);
    /// assert!(ds.numeric("x")?.values()[1].is_nan());
    /// assert_eq!(ds.categorical("label")?.get(0), Some("a, quoted"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_csv(path: impl AsRef<Path>) -> Result<Self, DataError> {
        Self::from_csv_with(path, &CsvOptions::default())
    }

    /// Loads a CSV file with explicit options.
    pub fn from_csv_with(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self, DataError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| DataError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_csv_bytes(&bytes, path, options)
    }

    /// Reads CSV text already in memory; `source` names it in errors and becomes
    /// [`Dataset::source`].
    ///
    /// ```
    /// use mlharness::data::{CsvOptions, Dataset};
    /// let ds = Dataset::from_csv_bytes(b"x,y\n1,a\n", "upload.csv", &CsvOptions::default())?;
    /// assert_eq!(ds.n_rows(), 1);
    /// let err = Dataset::from_csv_bytes(b"x,y\n1\n", "upload.csv", &CsvOptions::default());
    /// assert!(err.unwrap_err().to_string().starts_with("upload.csv:2:"));
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn from_csv_bytes(
        bytes: &[u8],
        source: impl AsRef<Path>,
        options: &CsvOptions,
    ) -> Result<Self, DataError> {
        let path = source.as_ref();
        let mut ds = read(bytes, path, options)?;
        ds.set_source(path);
        Ok(ds)
    }
}

/// Physical 1-based line numbers from byte offsets. The csv crate's own line count runs one
/// short after CRLF line ends (rust-csv#395), so lines are counted here, incrementally.
struct Lines<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, byte: u64) -> u64 {
        // After a CRLF the csv crate's record offset points at the `\n`, not past it: count
        // through the byte at the offset (for LF files it is the record's first, never `\n`).
        let byte = (byte as usize + 1).min(self.bytes.len());
        if byte < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.bytes[self.offset..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = byte;
        self.line
    }
}

/// The offset of a quote that opens a field and is never closed, scanning RFC 4180 quoting
/// (`""` inside quotes is a quote).
fn unterminated_quote(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let (mut in_quotes, mut field_start, mut opened) = (false, true, 0);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_quotes {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quotes = false;
                }
            }
        } else if field_start && b == b'"' {
            (in_quotes, field_start, opened) = (true, false, i);
        } else {
            field_start = b == delimiter || b == b'\n' || b == b'\r';
        }
        i += 1;
    }
    in_quotes.then_some(opened)
}

fn read(input: &[u8], path: &Path, options: &CsvOptions) -> Result<Dataset, DataError> {
    let lines = std::cell::RefCell::new(Lines {
        bytes: input,
        offset: 0,
        line: 1,
    });
    let line_of = |pos: Option<&csv::Position>| pos.map_or(0, |p| lines.borrow_mut().at(p.byte()));
    let csv_error = |e: csv::Error| match e.kind() {
        csv::ErrorKind::Io(_) => {
            let csv::ErrorKind::Io(source) = e.into_kind() else {
                unreachable!("matched above")
            };
            DataError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
        // A short row that opens a quote it never closes: the quote is the cause.
        csv::ErrorKind::UnequalLengths { pos: Some(pos), .. }
            if unterminated_quote(
                &input[(pos.byte() as usize).min(input.len())..],
                options.delimiter,
            )
            .is_some() =>
        {
            DataError::UnterminatedQuote {
                path: path.to_path_buf(),
                line: line_of(Some(pos)),
            }
        }
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => DataError::RaggedRow {
            path: path.to_path_buf(),
            line: line_of(pos.as_ref()),
            expected: *expected_len as usize,
            found: *len as usize,
        },
        _ => DataError::Csv {
            path: path.to_path_buf(),
            line: line_of(e.position()),
            message: e.to_string(),
        },
    };

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(options.delimiter)
        .has_headers(true)
        .flexible(false)
        .from_reader(input);
    let too_large =
        |line: u64, field: usize, column: String, bytes: usize| DataError::FieldTooLarge {
            path: path.to_path_buf(),
            line,
            field,
            column,
            bytes,
            limit: options.max_field_bytes,
        };
    let header_record = reader.headers().map_err(csv_error)?;
    if let Some((j, h)) = header_record
        .iter()
        .enumerate()
        .find(|(_, h)| h.len() > options.max_field_bytes)
    {
        return Err(too_large(1, j + 1, String::new(), h.len()));
    }
    let header: Vec<String> = header_record.iter().map(|h| h.trim().to_string()).collect();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(DataError::EmptyFile {
            path: path.to_path_buf(),
        });
    }
    if let Some(i) = header.iter().position(|h| h.is_empty()) {
        return Err(DataError::EmptyHeader {
            path: path.to_path_buf(),
            column: i + 1,
        });
    }
    let mut seen = HashSet::new();
    for name in &header {
        if !seen.insert(name.as_str()) {
            return Err(DataError::DuplicateHeader {
                path: path.to_path_buf(),
                column: name.clone(),
            });
        }
    }
    let declared: Vec<&String> = options
        .kinds
        .keys()
        .chain(options.target.as_ref())
        .collect();
    if let Some(unknown) = declared.into_iter().find(|c| !seen.contains(c.as_str())) {
        return Err(DataError::UnknownDeclaredColumn {
            path: path.to_path_buf(),
            column: unknown.clone(),
            available: header.join(", "),
        });
    }

    // Raw text per column plus each row's line, so a type error found after reading can still
    // name the line it came from.
    let mut raw: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    let mut row_lines: Vec<u64> = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut last_start = None;
    while reader.read_record(&mut record).map_err(csv_error)? {
        last_start = record.position().map(|p| p.byte() as usize);
        row_lines.push(line_of(record.position()));
        for (j, (col, field)) in raw.iter_mut().zip(record.iter()).enumerate() {
            if field.len() > options.max_field_bytes {
                let line = row_lines.last().copied().unwrap_or(0);
                // A quote never closed is the usual cause, and the better message.
                let start = last_start.unwrap_or(0).min(input.len());
                if unterminated_quote(&input[start..], options.delimiter).is_some() {
                    return Err(DataError::UnterminatedQuote {
                        path: path.to_path_buf(),
                        line,
                    });
                }
                return Err(too_large(line, j + 1, header[j].clone(), field.len()));
            }
            col.push(field.to_string());
        }
    }
    // An opening quote that is never closed makes the csv crate read the rest of the file
    // into one field, without an error; only the last record can hold one.
    if let Some(start) = last_start.filter(|&s| s < input.len()) {
        if let Some(offset) = unterminated_quote(&input[start..], options.delimiter) {
            let at = start + offset;
            return Err(DataError::UnterminatedQuote {
                path: path.to_path_buf(),
                line: 1 + input[..at].iter().filter(|&&b| b == b'\n').count() as u64,
            });
        }
    }

    let is_missing = |s: &str| options.missing.iter().any(|m| m == s.trim());
    let mut columns = Vec::with_capacity(header.len());
    for (j, (name, values)) in header.iter().zip(raw).enumerate() {
        let declared = options.kinds.get(name).copied();
        let parsed = match declared {
            Some(ColumnKind::Categorical) => None,
            _ => Some(parse_numeric(&values, &is_missing)),
        };
        let column = match parsed {
            Some(Ok(numbers)) => Column::numeric(numbers),
            Some(Err(row)) if declared == Some(ColumnKind::Numeric) => {
                return Err(DataError::BadNumber {
                    path: path.to_path_buf(),
                    line: row_lines[row],
                    column: name.clone(),
                    field: j + 1,
                    value: values[row].clone(),
                })
            }
            _ => Column::categorical(values.iter().map(|v| (!is_missing(v)).then_some(v))),
        };
        columns.push((name.clone(), column));
    }
    let ds = Dataset::from_columns(columns)?;
    match &options.target {
        Some(t) => ds.with_target(t),
        None => Ok(ds),
    }
}

/// Parses every present value as a number; on failure, the first row that does not parse.
fn parse_numeric(values: &[String], is_missing: &impl Fn(&str) -> bool) -> Result<Vec<f64>, usize> {
    values
        .iter()
        .enumerate()
        .map(|(row, v)| {
            if is_missing(v) {
                Ok(f64::NAN)
            } else {
                let t = v.trim();
                // Rust parses "nan" in any case; a NaN that is not a missing token is text,
                // never a silently missing value.
                if t.eq_ignore_ascii_case("nan")
                    || t.eq_ignore_ascii_case("+nan")
                    || t.eq_ignore_ascii_case("-nan")
                {
                    return Err(row);
                }
                t.parse::<f64>().map_err(|_| row)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Dataset, DataError> {
        read(text.as_bytes(), Path::new("t.csv"), &CsvOptions::default())
    }

    #[test]
    fn all_missing_column_is_numeric_and_all_nan() {
        let ds = load("a,b\n1,\n2,NA\n").unwrap();
        assert_eq!(ds.column("b").unwrap().kind(), ColumnKind::Numeric);
        assert_eq!(ds.column("b").unwrap().missing_count(), 2);
    }
}
