//! CSV loading with type inference.
//!
//! The file is read in blocks of a few MiB, never whole (a regular file by position, each
//! block's halves on two cores): csv-core splits each block into records, and each field goes
//! straight into its column (a number parsed from the bytes, a category interned as it is
//! read), so memory stays near the decoded columns. A block is cut at line ends and its pieces
//! read on all cores, each looking for quotes in itself; when one has some, the cuts are
//! checked to fall between records, and the block is read whole when one does not. A column
//! inferred numeric that turns out to hold text is read as text from there on, and its earlier
//! rows again in a second pass over just that column.

mod fields;
mod plain;
mod quotes;
mod records;
#[cfg(target_arch = "x86_64")]
mod simd;

use self::fields::Missing;
use self::quotes::LongField;
use self::records::{Fault, Layout, Mode, Parsed, Part};
use super::levels::InternError;
use super::{Column, ColumnKind, DataError, Dataset};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Read;
use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;

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
    pub(super) kinds: BTreeMap<String, ColumnKind>,
    pub(super) target: Option<String>,
    max_field_bytes: usize,
    /// Declared kinds of columns the file lacks are let go instead of an error (a schema
    /// reports the absent column itself).
    pub(super) lenient_kinds: bool,
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
            lenient_kinds: false,
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

    pub(crate) fn lenient_kinds(mut self) -> Self {
        self.lenient_kinds = true;
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
        let mut ds = read(Input::File(path), path, options)?;
        ds.set_source(path);
        Ok(ds)
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
        let mut ds = read(Input::Bytes(bytes), path, options)?;
        ds.set_source(path);
        Ok(ds)
    }
}

/// How the input is cut: bytes read at a time (enough to share among cores, small next to
/// the data), and the smallest block worth cutting into pieces. Tests make both tiny.
#[derive(Debug, Clone, Copy)]
struct Tuning {
    block: usize,
    min_split: usize,
}

const TUNING: Tuning = Tuning {
    block: 4 << 20,
    min_split: 1 << 20,
};

/// Where the CSV text comes from; a file can be read twice without holding it.
#[derive(Clone, Copy)]
enum Input<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// The file's text, a block at a time: `text()` starts at a record boundary.
struct Blocks<'a> {
    path: &'a Path,
    source: Source<'a>,
    /// Storage for the text, kept at its largest length so a refill needs no zeroing: the text
    /// is its first `len` bytes.
    buf: Vec<u8>,
    len: usize,
    eof: bool,
    /// The line `text()` starts on.
    line: u64,
    /// The size of the whole input, when known (to size the columns once).
    size: Option<u64>,
    tuning: Tuning,
}

/// What is left to read of the input.
enum Source<'a> {
    Bytes(&'a [u8]),
    /// A regular file, read by position: a block's halves are read on two cores at once (the
    /// copy out of the page cache is most of what a read costs, and would otherwise hold up
    /// both).
    File {
        file: std::fs::File,
        at: u64,
    },
    /// A pipe or a device (`<(zcat data.csv.gz)`), read in turn.
    Stream(std::fs::File),
}

impl Source<'_> {
    /// Fills `buf` from the input; less only at its end.
    fn fill(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Source::Bytes(rest) => {
                let n = buf.len().min(rest.len());
                buf[..n].copy_from_slice(&rest[..n]);
                *rest = &rest[n..];
                Ok(n)
            }
            Source::File { file, at } => {
                let half = if buf.len() >= 1 << 20 {
                    buf.len() / 2
                } else {
                    buf.len()
                };
                let (a, b) = buf.split_at_mut(half);
                let (file, start) = (&*file, *at);
                let (first, rest) = crate::par::join(
                    || read_full(a, |a, n| read_at(file, a, start + n as u64)),
                    || read_full(b, |b, n| read_at(file, b, start + (half + n) as u64)),
                );
                let first = first?;
                // A short first half is the end of the file: what the second found (the file
                // grew meanwhile) would not follow on from it.
                let n = if first == half { first + rest? } else { first };
                *at += n as u64;
                Ok(n)
            }
            Source::Stream(file) => read_full(buf, |b, _| file.read(b)),
        }
    }
}

impl Read for Source<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Source::Bytes(rest) => rest.read(buf),
            Source::File { file, at } => {
                let n = read_at(file, buf, *at)?;
                *at += n as u64;
                Ok(n)
            }
            Source::Stream(file) => file.read(buf),
        }
    }
}

/// Fills `buf` by `read` (given the rest of `buf` and the bytes read so far), less only where
/// the input ends.
fn read_full(
    buf: &mut [u8],
    mut read: impl FnMut(&mut [u8], usize) -> std::io::Result<usize>,
) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match read(&mut buf[n..], n) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, offset)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, offset)
}

/// Elsewhere every file is read as a stream.
#[cfg(not(any(unix, windows)))]
fn read_at(_: &std::fs::File, _: &mut [u8], _: u64) -> std::io::Result<usize> {
    Err(std::io::ErrorKind::Unsupported.into())
}

impl<'a> Blocks<'a> {
    fn open(input: Input<'a>, path: &'a Path, tuning: Tuning) -> Result<Self, DataError> {
        let (source, size) = match input {
            Input::Bytes(bytes) => (Source::Bytes(bytes), Some(bytes.len() as u64)),
            Input::File(file) => {
                let f = std::fs::File::open(file).map_err(|source| DataError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
                match f.metadata() {
                    Ok(m) if m.is_file() && cfg!(any(unix, windows)) => {
                        (Source::File { file: f, at: 0 }, Some(m.len()))
                    }
                    _ => (Source::Stream(f), None),
                }
            }
        };
        // A small file is read in smaller blocks (an eighth of it, not under `min_split`), so
        // the block held is small next to its columns.
        let tuning = match size {
            Some(size) => Tuning {
                block: tuning
                    .block
                    .min(
                        usize::try_from(size / 8)
                            .unwrap_or(usize::MAX)
                            .max(tuning.min_split),
                    )
                    .max(1),
                ..tuning
            },
            None => tuning,
        };
        let mut blocks = Blocks {
            path,
            source,
            buf: Vec::new(),
            len: 0,
            eof: false,
            line: 1,
            size,
            tuning,
        };
        blocks.advance(0, 0)?;
        if blocks.text().starts_with(b"\xEF\xBB\xBF") {
            blocks.advance(3, 0)?;
        }
        Ok(blocks)
    }

    /// Whether the input is read in turn (a pipe), and so cannot be read again.
    fn is_stream(&self) -> bool {
        matches!(self.source, Source::Stream(_))
    }

    /// The text held, from a record boundary.
    fn text(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Drops the first `consumed` bytes (`lines` line ends among them) and reads on, up to a
    /// block held; when nothing was consumed (a record longer than what is held), as much
    /// again as is held, so such a record costs a few reads, not one per block.
    fn advance(&mut self, consumed: usize, lines: u64) -> Result<(), DataError> {
        self.line += lines;
        self.buf.copy_within(consumed..self.len, 0);
        self.len -= consumed;
        if self.eof {
            return Ok(());
        }
        let want = if consumed == 0 {
            self.tuning.block.max(self.len)
        } else {
            self.tuning.block.saturating_sub(self.len).max(1)
        };
        let end = self.len + want;
        if self.buf.is_empty() {
            // Zeroed by the allocator, a block is fresh pages that the reads fault in on both
            // cores, not a `memset` on one before them.
            self.buf = vec![0; end];
        } else if self.buf.len() < end {
            self.buf.resize(end, 0);
        }
        let read = self
            .source
            .fill(&mut self.buf[self.len..end])
            .map_err(|source| DataError::Io {
                path: self.path.to_path_buf(),
                source,
            })?;
        self.len += read;
        self.eof = read < want;
        Ok(())
    }

    /// The line of the record starting at `offset`, past any line ends csv-core took before
    /// it (blank lines, the `\n` of a CRLF).
    fn line_at(&self, offset: usize) -> u64 {
        let text = self.text();
        let offset = offset.min(text.len());
        let first = offset
            + text[offset..]
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
        self.line + newlines(&text[..first])
    }

    /// The error a fault in `buf` stands for.
    fn explain(&mut self, fault: Fault, header: &[String], layout: &Layout) -> DataError {
        let path = self.path.to_path_buf();
        let column = |j: usize| header.get(j).cloned().unwrap_or_default();
        match fault {
            Fault::Ragged { record, found } => {
                let line = self.line_at(record.start);
                // A quote opened in the row and never closed swallowed the rest of the file.
                if quotes::unterminated_quote(&self.text()[record], layout.delimiter).is_some() {
                    DataError::UnterminatedQuote { path, line }
                } else {
                    DataError::RaggedRow {
                        path,
                        line,
                        expected: header.len(),
                        found,
                    }
                }
            }
            Fault::TooLarge {
                record_start,
                field,
            } => {
                let line = self.line_at(record_start);
                let (prefix, source) = (&self.buf[record_start..self.len], &mut self.source);
                match quotes::follow_long_field(prefix, source, layout, field) {
                    Ok(LongField::QuoteLeftOpen) => DataError::UnterminatedQuote { path, line },
                    Ok(LongField::Ends(bytes)) => DataError::FieldTooLarge {
                        path,
                        line,
                        field: field + 1,
                        column: column(field),
                        bytes,
                        limit: layout.max_field_bytes,
                    },
                    Err(source) => DataError::Io { path, source },
                }
            }
            Fault::BadNumber {
                record_start,
                field,
                value,
            } => DataError::BadNumber {
                path,
                line: self.line_at(record_start),
                column: column(field),
                field: field + 1,
                value: String::from_utf8_lossy(&value).into_owned(),
            },
            Fault::Text {
                record_start,
                field,
                error,
            } => DataError::Csv {
                path,
                line: self.line_at(record_start),
                message: match error {
                    InternError::NotUtf8 => {
                        format!(
                            "field {} (`{}`) is not valid UTF-8",
                            field + 1,
                            column(field)
                        )
                    }
                    InternError::TooManyLevels => format!(
                        "column `{}` has more than {} distinct values",
                        column(field),
                        u32::MAX
                    ),
                },
            },
            Fault::NotNumbers(_) => unreachable!("handled by reading the columns as text"),
        }
    }
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Reads the header line, the column names trimmed.
fn header(blocks: &mut Blocks, layout: &Layout) -> Result<Vec<String>, DataError> {
    loop {
        match records::first_record(blocks.text(), blocks.eof, layout) {
            Ok(Some((fields, used))) => {
                let mut names = Vec::with_capacity(fields.len());
                for (j, field) in fields.into_iter().enumerate() {
                    let name = String::from_utf8(field).map_err(|_| DataError::Csv {
                        path: blocks.path.to_path_buf(),
                        line: 1,
                        message: format!("field {} of the header is not valid UTF-8", j + 1),
                    })?;
                    names.push(name.trim().to_string());
                }
                let lines = newlines(&blocks.text()[..used]);
                blocks.advance(used, lines)?;
                return Ok(names);
            }
            Ok(None) => blocks.advance(0, 0)?,
            Err(fault) => return Err(blocks.explain(fault, &[], layout)),
        }
    }
}

/// Reads the records of a block onto the end of `into` (a part per column), cut at line ends
/// into a piece per core: the first piece is read straight into `into`, the others into parts
/// of their own (from `spare`, emptied parts of earlier blocks, filled again rather than paged
/// in anew) appended after it, or, given `apart`, put there in order. Returns what was read
/// and the line ends in the bytes consumed. After a fault `into` is as it was.
fn parse_block(
    blocks: &Blocks,
    layout: &Layout,
    modes: &[Mode],
    max_rows: usize,
    spare: &mut Vec<Vec<Part>>,
    into: &mut Vec<Part>,
    apart: Option<&mut Vec<Vec<Part>>>,
) -> Result<Parsed, Fault> {
    let (buf, last) = (blocks.text(), blocks.eof);
    let lens: Vec<usize> = into.iter().map(Part::len).collect();
    let undo = |into: &mut Vec<Part>| {
        for (part, &len) in into.iter_mut().zip(&lens) {
            part.truncate(len);
        }
    };
    let whole_block = |into: &mut Vec<Part>| {
        let quote_free = memchr::memchr(b'"', buf).is_none();
        records::parse(buf, last, layout, modes, max_rows, quote_free, into)
            .inspect_err(|_| undo(into))
    };
    // A row limit (the second pass) is kept in one piece.
    let n = if max_rows == usize::MAX {
        crate::par::threads()
    } else {
        1
    };
    let pieces = pieces(buf, n, blocks.tuning.min_split);
    if pieces.len() == 1 {
        return whole_block(into);
    }
    let work: Vec<(Range<usize>, Mutex<Vec<Part>>)> = pieces
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let set = match k {
                0 => std::mem::take(into),
                _ => spare.pop().unwrap_or_default(),
            };
            (r.clone(), Mutex::new(set))
        })
        .collect();
    // Each piece looks for a quote in itself, on its own core. Without one, every line end in
    // the piece ends a record, so its records are whole (it starts on a record when the pieces
    // before it end on one). With one, a cut may fall inside a quoted field: the pieces are
    // read on the guess that none does, and the guess holds when each piece before a cut
    // ends on a whole record. A piece's line ends are counted where it is read too: all of
    // them before a cut, those it consumed in the last piece.
    let results = crate::par::map(&work, |(r, set): &(Range<usize>, Mutex<Vec<Part>>)| {
        let mut set = set.lock().unwrap_or_else(|e| e.into_inner());
        let piece = &buf[r.clone()];
        let quoted = memchr::memchr(b'"', piece).is_some();
        let final_piece = r.end == buf.len();
        let whole = if quoted {
            last && final_piece
        } else {
            last || !final_piece
        };
        let parsed = records::parse(piece, whole, layout, modes, usize::MAX, !quoted, &mut set);
        let parsed = parsed.map(|mut p| {
            if !final_piece {
                // Blank lines after the last record, before the cut (if the cut holds).
                p.lines += newlines(&piece[p.consumed..]);
            }
            p
        });
        (quoted, parsed)
    });
    let quoted = results.iter().any(|(quoted, _)| *quoted);
    let mut sets = work
        .into_iter()
        .map(|(_, set)| set.into_inner().unwrap_or_else(|e| e.into_inner()));
    *into = sets.next().unwrap_or_default();
    // Parts of pieces after the first; dropped, not kept, when they are not merged (they may
    // hold rows and levels).
    let rest: Vec<Vec<Part>> = sets.collect();
    let cuts_hold = !quoted
        || pieces
            .iter()
            .zip(&results)
            .take(pieces.len() - 1)
            .all(|(r, (_, result))| {
                result.as_ref().is_ok_and(|p| {
                    buf[r.start + p.consumed..r.end]
                        .iter()
                        .all(|&b| b == b'\n' || b == b'\r')
                })
            });
    if !cuts_hold {
        undo(into);
        return whole_block(into);
    }
    let mut not_numbers = BTreeSet::new();
    let mut read = Vec::with_capacity(pieces.len());
    for (piece, (_, result)) in pieces.iter().zip(results) {
        match result {
            Ok(parsed) => read.push(parsed),
            Err(Fault::NotNumbers(columns)) => not_numbers.extend(columns),
            // Text in an earlier piece comes first (read as text, it may fault earlier).
            Err(_) if !not_numbers.is_empty() => break,
            Err(fault) => {
                undo(into);
                return Err(fault.shifted(piece.start));
            }
        }
    }
    if !not_numbers.is_empty() {
        undo(into);
        return Err(Fault::NotNumbers(not_numbers.into_iter().collect()));
    }
    match apart {
        Some(apart) => apart.extend(rest),
        None => match merge(into, rest, &pieces[1..]) {
            Ok(emptied) => spare.extend(emptied),
            Err(fault) => {
                undo(into);
                return Err(fault);
            }
        },
    }
    let mut parsed = Parsed {
        rows: 0,
        consumed: 0,
        lines: 0,
        last_record: None,
    };
    for (piece, p) in pieces.iter().zip(read) {
        parsed.rows += p.rows;
        parsed.consumed = piece.start + p.consumed;
        parsed.lines += p.lines;
        if let Some(r) = p.last_record {
            parsed.last_record = Some(r.start + piece.start..r.end + piece.start);
        }
    }
    Ok(parsed)
}

/// Appends the pieces' parts, in order, to the columns of `into`, a column per core; returns
/// the pieces' parts emptied, to be filled again.
fn merge(
    into: &mut [Part],
    mut pieces: Vec<Vec<Part>>,
    ranges: &[Range<usize>],
) -> Result<Vec<Vec<Part>>, Fault> {
    let mut columns: Vec<(usize, &mut Part, Vec<&mut Part>)> = into
        .iter_mut()
        .enumerate()
        .map(|(j, part)| (j, part, Vec::with_capacity(pieces.len())))
        .collect();
    for set in &mut pieces {
        for (column, part) in columns.iter_mut().zip(set.iter_mut()) {
            column.2.push(part);
        }
    }
    let faults = crate::par::map_mut(&mut columns, |(j, into, parts)| {
        for (part, range) in parts.iter_mut().zip(ranges) {
            into.append_drain(part).map_err(|error| Fault::Text {
                record_start: range.start,
                field: *j,
                error,
            })?;
        }
        Ok(())
    });
    drop(columns);
    faults.into_iter().collect::<Result<(), Fault>>()?;
    Ok(pieces)
}

/// Up to `n` pieces of `buf`, each but the last ending just after a line end; one piece when
/// the block is small.
fn pieces(buf: &[u8], n: usize, min_split: usize) -> Vec<Range<usize>> {
    if n < 2 || buf.len() < min_split {
        return std::iter::once(0..buf.len()).collect();
    }
    let mut pieces = Vec::with_capacity(n);
    let mut start = 0;
    for i in 1..n {
        let target = (buf.len() * i / n).max(start);
        match memchr::memchr(b'\n', &buf[target..]) {
            Some(at) if target + at + 1 < buf.len() => {
                pieces.push(start..target + at + 1);
                start = target + at + 1;
            }
            _ => break,
        }
    }
    pieces.push(start..buf.len());
    pieces
}

fn read(input: Input<'_>, path: &Path, options: &CsvOptions) -> Result<Dataset, DataError> {
    read_tuned(input, path, options, TUNING)
}

fn read_tuned(
    input: Input<'_>,
    path: &Path,
    options: &CsvOptions,
    tuning: Tuning,
) -> Result<Dataset, DataError> {
    let missing = Missing::new(&options.missing);
    let mut layout = Layout {
        delimiter: options.delimiter,
        columns: 0,
        missing: &missing,
        max_field_bytes: options.max_field_bytes,
    };
    let Scanned {
        header,
        mut parts,
        text_from,
        ..
    } = scan(input, path, options, tuning, &mut layout, None)?;
    reread_as_text(input, path, &layout, tuning, &mut parts, &text_from)?;
    let ds = into_dataset(&header, parts, Part::into_column)?;
    match &options.target {
        Some(t) => ds.with_target(t),
        None => Ok(ds),
    }
}

/// The columns of `header`, from their parts (turned into columns by `into_column`).
fn into_dataset(
    header: &[String],
    parts: Vec<Part>,
    into_column: fn(Part) -> Column,
) -> Result<Dataset, DataError> {
    let columns = header
        .iter()
        .zip(parts)
        .map(|(name, part)| (name.clone(), into_column(part)))
        .collect();
    Dataset::from_columns(columns)
}

/// How a stream of blocks ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Streamed {
    /// Every row was handed out.
    Whole,
    /// A column read as numbers so far proved to hold text, after earlier blocks were handed
    /// out as numbers: the file must be read whole for that column's earlier rows to be text.
    KindChanged,
}

/// Blocks handed out while streaming: as large as when reading whole (measured on the
/// 1M × 20 file: 4 MiB blocks are validated 5–8% faster than 8 MiB ones, which the reader's
/// passes no longer find in the cache, and as fast as 2 MiB ones; 1 MiB ones cost more in
/// hand-overs than they save).
const STREAM_TUNING: Tuning = TUNING;

#[cfg(test)]
thread_local! {
    /// How tests stream a file on this thread: in tiny blocks, so that a few rows cross several.
    static STREAM_BLOCKS: std::cell::Cell<Option<Tuning>> = const { std::cell::Cell::new(None) };
}

/// Streams files on this thread in blocks of `block` bytes, cut into pieces from `min_split`.
#[cfg(test)]
pub(crate) fn stream_in_blocks(block: usize, min_split: usize) {
    STREAM_BLOCKS.with(|t| t.set(Some(Tuning { block, min_split })));
}

/// Reads a CSV file a block of rows at a time, each handed to `each` as a dataset of the
/// file's columns (the first block even when the file has no rows), with a guess at the rows
/// of the whole file. Memory stays near one block's columns, whatever the file's size: each
/// block's columns are filled again by the next.
pub(crate) fn for_each_block(
    path: &Path,
    options: &CsvOptions,
    each: &mut dyn FnMut(&Dataset, usize),
) -> Result<Streamed, DataError> {
    let tuning = STREAM_TUNING;
    #[cfg(test)]
    let tuning = STREAM_BLOCKS.with(std::cell::Cell::get).unwrap_or(tuning);
    let missing = Missing::new(&options.missing);
    let mut layout = Layout {
        delimiter: options.delimiter,
        columns: 0,
        missing: &missing,
        max_field_bytes: options.max_field_bytes,
    };
    let mut hand_out = |header: &[String], parts: &mut Vec<Part>, guess: usize| {
        let block = into_dataset(header, std::mem::take(parts), Part::into_block_column)?;
        each(&block, guess);
        *parts = block.into_columns().into_iter().map(Part::refill).collect();
        Ok(())
    };
    let input = Input::File(path);
    let scanned = scan(
        input,
        path,
        options,
        tuning,
        &mut layout,
        Some(&mut hand_out),
    )?;
    Ok(if scanned.kind_changed {
        Streamed::KindChanged
    } else {
        Streamed::Whole
    })
}

/// The error of a pipe whose `demoted` columns turned to text after `rows` rows of numbers:
/// those rows cannot be read again.
fn text_in_pipe(path: &Path, header: &[String], demoted: &[usize], rows: usize) -> DataError {
    DataError::TextAfterNumbersInPipe {
        path: path.to_path_buf(),
        column: demoted
            .first()
            .and_then(|&j| header.get(j))
            .cloned()
            .unwrap_or_default(),
        rows,
    }
}

/// What [`scan`] read.
struct Scanned {
    header: Vec<String>,
    /// Each column's values, unless they were handed out block by block.
    parts: Vec<Part>,
    /// Per column, the row from which a column inferred numeric was read as text (its earlier
    /// rows come from a second pass).
    text_from: Vec<Option<usize>>,
    /// Whether the scan stopped because a column handed out as numbers proved to hold text.
    kind_changed: bool,
}

/// Hands out a block's parts (the header's columns), given a guess at the rows of the file;
/// leaves them empty.
type HandOut<'f> = &'f mut dyn FnMut(&[String], &mut Vec<Part>, usize) -> Result<(), DataError>;

/// Reads the header and the records after it: into whole columns, or, given `hand_out`, a
/// block at a time into columns that are handed out and emptied.
fn scan(
    input: Input<'_>,
    path: &Path,
    options: &CsvOptions,
    tuning: Tuning,
    layout: &mut Layout,
    mut hand_out: Option<HandOut>,
) -> Result<Scanned, DataError> {
    let mut blocks = Blocks::open(input, path, tuning)?;
    let header = header(&mut blocks, layout)?;
    check_header(&header, path, options)?;
    layout.columns = header.len();
    let layout = &*layout;

    let mut modes: Vec<Mode> = header
        .iter()
        .map(|name| match options.kinds.get(name) {
            Some(ColumnKind::Categorical) => Mode::Text,
            Some(ColumnKind::Numeric) => Mode::Number,
            None => Mode::Infer,
        })
        .collect();
    let mut parts: Vec<Part> = modes.iter().map(|&mode| Part::empty(mode)).collect();
    let mut text_from: Vec<Option<usize>> = vec![None; modes.len()];
    let mut rows = 0;
    let mut spare = Vec::new();
    let mut guess = 0;
    // Handed out, the pieces of a block need not be put together: the parts of each piece
    // after the first.
    let mut apart = Vec::new();
    loop {
        let parsed = loop {
            let pieces = hand_out.is_some().then_some(&mut apart);
            match parse_block(
                &blocks,
                layout,
                &modes,
                usize::MAX,
                &mut spare,
                &mut parts,
                pieces,
            ) {
                Ok(read) => break read,
                // Earlier rows of the column, read as numbers, would have to be read again.
                Err(Fault::NotNumbers(demoted)) if rows > 0 && blocks.is_stream() => {
                    return Err(text_in_pipe(path, &header, &demoted, rows));
                }
                Err(Fault::NotNumbers(_)) if hand_out.is_some() && rows > 0 => {
                    return Ok(Scanned {
                        header,
                        parts,
                        text_from,
                        kind_changed: true,
                    });
                }
                Err(Fault::NotNumbers(demoted)) => {
                    for j in demoted {
                        modes[j] = Mode::Text;
                        parts[j] = Part::empty(Mode::Text);
                        text_from[j] = Some(rows);
                    }
                }
                Err(fault) => return Err(blocks.explain(fault, &header, layout)),
            }
        };
        if blocks.eof {
            // csv-core ends a quote left open at the end of the file without a word: only the
            // last record can hold one.
            if let Some(record) = parsed.last_record.clone() {
                if let Some(at) =
                    quotes::unterminated_quote(&blocks.text()[record.clone()], layout.delimiter)
                {
                    let line = blocks.line + newlines(&blocks.text()[..record.start + at]);
                    return Err(DataError::UnterminatedQuote {
                        path: path.to_path_buf(),
                        line,
                    });
                }
            }
        }
        if rows == 0 && parsed.rows > 0 {
            // Guess the file's rows from the first block's bytes per row.
            if let Some(size) = blocks.size {
                let per_row = parsed.consumed.max(1) as u64 / parsed.rows as u64;
                guess = (size / per_row.max(1)) as usize;
            }
            // Whole columns are sized once, from the guess.
            if hand_out.is_none() {
                for part in &mut parts {
                    part.reserve((guess + guess / 16).saturating_sub(part.len()));
                }
            }
        }
        rows += parsed.rows;
        let done = blocks.eof && parsed.consumed >= blocks.len;
        blocks.advance(parsed.consumed, parsed.lines)?;
        let done = done || (blocks.eof && blocks.len == 0);
        if let Some(hand_out) = &mut hand_out {
            // A block of no rows is handed out only when it is the file's only one: its
            // columns' kinds are still news.
            let news = parsed.rows > 0 || (done && rows == 0);
            if news {
                hand_out(&header, &mut parts, guess.max(rows))?;
            }
            for mut piece in apart.drain(..) {
                if news {
                    hand_out(&header, &mut piece, guess.max(rows))?;
                }
                spare.push(piece);
            }
        }
        if done {
            break;
        }
    }
    Ok(Scanned {
        header,
        parts,
        text_from,
        kind_changed: false,
    })
}

/// The header's names must be there, distinct, and include every column the options name.
fn check_header(header: &[String], path: &Path, options: &CsvOptions) -> Result<(), DataError> {
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
    for name in header {
        if !seen.insert(name.as_str()) {
            return Err(DataError::DuplicateHeader {
                path: path.to_path_buf(),
                column: name.clone(),
            });
        }
    }
    let kinds = options.kinds.keys().filter(|_| !options.lenient_kinds);
    if let Some(unknown) = kinds
        .chain(options.target.as_ref())
        .find(|c| !seen.contains(c.as_str()))
    {
        return Err(DataError::UnknownDeclaredColumn {
            path: path.to_path_buf(),
            column: unknown.clone(),
            available: header.join(", "),
        });
    }
    Ok(())
}

/// The second pass: the rows of each column read as text only after it proved not numeric
/// (from row `text_from`), put before the rows it has.
fn reread_as_text(
    input: Input<'_>,
    path: &Path,
    layout: &Layout,
    tuning: Tuning,
    parts: &mut [Part],
    text_from: &[Option<usize>],
) -> Result<(), DataError> {
    let Some(upto) = text_from.iter().flatten().copied().max() else {
        return Ok(());
    };
    if upto == 0 {
        return Ok(());
    }
    let modes: Vec<Mode> = text_from
        .iter()
        .map(|from| match from {
            Some(r) if *r > 0 => Mode::Text,
            _ => Mode::Skip,
        })
        .collect();
    let mut blocks = Blocks::open(input, path, tuning)?;
    let names = header(&mut blocks, layout)?;
    let mut before: Vec<Part> = modes.iter().map(|&m| Part::empty(m)).collect();
    let mut rows = 0;
    let mut spare = Vec::new();
    while rows < upto {
        let parsed = parse_block(
            &blocks,
            layout,
            &modes,
            upto - rows,
            &mut spare,
            &mut before,
            None,
        )
        .map_err(|fault| blocks.explain(fault, &names, layout))?;
        rows += parsed.rows;
        if parsed.rows == 0 && blocks.eof {
            break;
        }
        blocks.advance(parsed.consumed, parsed.lines)?;
    }
    for ((part, mut b), from) in parts.iter_mut().zip(before).zip(text_from) {
        if let Some(from) = from.filter(|&r| r > 0) {
            b.truncate(from);
            let after = std::mem::replace(part, Part::Skipped);
            b.append(after).map_err(|error| DataError::Csv {
                path: path.to_path_buf(),
                line: 0,
                message: format!("{error:?}"),
            })?;
            *part = b;
        }
    }
    Ok(())
}

impl Fault {
    fn shifted(self, by: usize) -> Fault {
        match self {
            Fault::NotNumbers(c) => Fault::NotNumbers(c),
            Fault::Ragged { record, found } => Fault::Ragged {
                record: record.start + by..record.end + by,
                found,
            },
            Fault::TooLarge {
                record_start,
                field,
            } => Fault::TooLarge {
                record_start: record_start + by,
                field,
            },
            Fault::BadNumber {
                record_start,
                field,
                value,
            } => Fault::BadNumber {
                record_start: record_start + by,
                field,
                value,
            },
            Fault::Text {
                record_start,
                field,
                error,
            } => Fault::Text {
                record_start: record_start + by,
                field,
                error,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Column;
    use proptest::prelude::*;

    fn load(text: &str) -> Result<Dataset, DataError> {
        read(
            Input::Bytes(text.as_bytes()),
            Path::new("t.csv"),
            &CsvOptions::default(),
        )
    }

    fn load_tuned(text: &[u8], block: usize, min_split: usize) -> Result<Dataset, DataError> {
        read_tuned(
            Input::Bytes(text),
            Path::new("t.csv"),
            &CsvOptions::default(),
            Tuning { block, min_split },
        )
    }

    /// The reader before this one: the csv crate's records, then each column numeric when
    /// every present value parses as `str::parse` reads it.
    fn oracle(text: &[u8]) -> Dataset {
        let mut reader = csv::Reader::from_reader(text);
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let mut raw: Vec<Vec<String>> = vec![Vec::new(); header.len()];
        for record in reader.records() {
            for (col, field) in raw.iter_mut().zip(record.unwrap().iter()) {
                col.push(field.to_string());
            }
        }
        let missing = |v: &str| DEFAULT_MISSING.contains(&v.trim());
        let columns = header
            .into_iter()
            .zip(raw)
            .map(|(name, values)| {
                let numbers: Option<Vec<f64>> = values
                    .iter()
                    .map(|v| match missing(v) {
                        true => Some(f64::NAN),
                        false => v.trim().parse::<f64>().ok().filter(|x| !x.is_nan()),
                    })
                    .collect();
                let column = match numbers {
                    Some(n) => Column::numeric(n),
                    None => Column::categorical(values.iter().map(|v| (!missing(v)).then_some(v))),
                };
                (name, column)
            })
            .collect();
        Dataset::from_columns(columns).unwrap()
    }

    /// Names and columns in order (`Debug` of the dataset would show its name index's
    /// arbitrary order; NaN would not compare equal).
    fn canon(ds: &Dataset) -> String {
        ds.column_names()
            .iter()
            .map(|n| format!("{n}: {:?}\n", ds.column(n).unwrap()))
            .collect()
    }

    fn field() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("1.5".to_string()),
            Just("-3".to_string()),
            Just(" 7 ".to_string()),
            Just("1e3".to_string()),
            Just("inf".to_string()),
            Just("0012".to_string()),
            Just(String::new()),
            Just("NA".to_string()),
            Just(" NaN ".to_string()),
            Just("nan".to_string()),
            Just("basic".to_string()),
            Just("a, b".to_string()),
            Just("say \"hi\"".to_string()),
            Just("two\nlines".to_string()),
            Just("crlf\r\ninside".to_string()),
            Just("ünï".to_string()),
            Just("\u{a0}5".to_string()),
            "[a-c]{1,3}",
            any::<i32>().prop_map(|n| n.to_string()),
            any::<f64>().prop_map(|x| x.to_string()),
        ]
    }

    fn quote(value: &str, always: bool) -> String {
        if always || value.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value.to_string()
        }
    }

    /// CSV text of random values: quoted where needed (and sometimes anyway), LF or CRLF,
    /// blank lines between records, and a last line end or none.
    fn csv_text() -> impl Strategy<Value = Vec<u8>> {
        (1usize..5, 0usize..40)
            .prop_flat_map(|(cols, rows)| {
                (
                    proptest::collection::vec(proptest::collection::vec(field(), cols), rows),
                    any::<bool>(),
                    any::<bool>(),
                    any::<bool>(),
                    proptest::collection::vec(any::<bool>(), rows),
                    Just(cols),
                )
            })
            .prop_map(|(rows, crlf, quote_all, last_end, blank, cols)| {
                let end = if crlf { "\r\n" } else { "\n" };
                let mut text = (0..cols)
                    .map(|j| format!("c{j}"))
                    .collect::<Vec<_>>()
                    .join(",");
                for (i, row) in rows.iter().enumerate() {
                    text.push_str(end);
                    if blank[i] {
                        text.push_str(end);
                    }
                    let fields: Vec<String> = row.iter().map(|v| quote(v, quote_all)).collect();
                    // A lone empty field would be a blank line, which CSV skips.
                    if fields.len() == 1 && fields[0].is_empty() {
                        text.push_str("\"\"");
                    } else {
                        text.push_str(&fields.join(","));
                    }
                }
                if last_end {
                    text.push_str(end);
                }
                text.into_bytes()
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn reads_what_the_csv_crate_reads_however_the_blocks_fall(
            text in csv_text(),
            block in 1usize..64,
            min_split in 0usize..64,
        ) {
            let want = canon(&oracle(&text));
            let whole = load_tuned(&text, 1 << 20, usize::MAX).unwrap();
            prop_assert_eq!(&canon(&whole), &want);
            let cut = load_tuned(&text, block, min_split).unwrap();
            prop_assert_eq!(&canon(&cut), &want);
        }

        #[test]
        fn any_bytes_give_the_same_answer_in_any_blocks(
            text in proptest::collection::vec(
                prop_oneof![Just(b','), Just(b'"'), Just(b'\n'), Just(b'\r'), Just(b'1'), Just(b'a'), Just(b' '), any::<u8>()],
                0..200,
            ),
            block in 1usize..32,
        ) {
            let whole = load_tuned(&text, 1 << 20, usize::MAX).map(|d| canon(&d)).map_err(|e| e.to_string());
            let cut = load_tuned(&text, block, 0).map(|d| canon(&d)).map_err(|e| e.to_string());
            prop_assert_eq!(whole, cut);
        }
    }

    /// A file is read by position, a block's halves on two cores: the same answer as its
    /// bytes in memory, line numbers of faults included.
    #[test]
    fn a_file_reads_as_its_bytes_do_in_blocks_read_by_halves() {
        // Quoted line ends, blank lines and CRLF before row `ragged`, which has a field too many.
        let text = |ragged: Option<usize>| {
            let mut text = String::from("id,x,note\r\n");
            for i in 0..60_000 {
                let note = match i % 7_001 {
                    0 => "\"a, \"\"quoted\"\"\nnote\"".to_string(),
                    _ => format!("n{}", i % 13),
                };
                let extra = if ragged == Some(i) { ",extra" } else { "" };
                text.push_str(&format!("{i},{}.{:03}{extra},{note}\r\n", i % 97, i % 1000));
                if i % 10_007 == 0 {
                    text.push_str("\r\n");
                }
            }
            text
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let read_both = |text: &str, tuning: Tuning| {
            std::fs::write(&path, text).unwrap();
            let options = CsvOptions::default();
            let show =
                |r: Result<Dataset, DataError>| r.map(|d| canon(&d)).map_err(|e| e.to_string());
            let from_file = show(read_tuned(Input::File(&path), &path, &options, tuning));
            let from_bytes = show(read_tuned(
                Input::Bytes(text.as_bytes()),
                &path,
                &options,
                tuning,
            ));
            assert!(
                from_file == from_bytes,
                "a file and its bytes read differently"
            );
            from_file
        };
        let tunings = [
            TUNING,
            Tuning {
                block: (1 << 20) + 12_345,
                min_split: 1 << 16,
            },
        ];
        for tuning in tunings {
            let ds = read_both(&text(None), tuning);
            assert!(
                ds.as_ref().is_ok_and(|d| d.starts_with("id: ")),
                "{:?}",
                ds.err()
            );
            let err = read_both(&text(Some(45_000)), tuning).unwrap_err();
            // The header, the rows before, one more line per quoted note and per blank line.
            let line = 2 + 45_000 + 45_000 / 7_001 + 1 + 45_000 / 10_007 + 1;
            assert!(err.contains(&format!(":{line}:")), "line {line}: {err}");
        }
    }

    /// A pipe (`<(zcat data.csv.gz)`) cannot be read by position: it is read in turn.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_named_pipe_is_read_in_turn() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("data.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let mut text = String::from("x,label\n");
        for i in 0..300_000 {
            text.push_str(&format!("{i}.5,l{}\n", i % 3));
        }
        let writer = {
            let (fifo, text) = (fifo.clone(), text.clone());
            std::thread::spawn(move || std::fs::write(fifo, text))
        };
        let ds = Dataset::from_csv(&fifo).unwrap();
        writer.join().unwrap().unwrap();
        assert_eq!(canon(&ds), canon(&load(&text).unwrap()));
        assert_eq!(ds.n_rows(), 300_000);
    }

    /// Writes `text` into a new named pipe, on a thread of its own; the pipe and the thread.
    #[cfg(target_os = "linux")]
    fn pipe_of(
        dir: &Path,
        text: &str,
    ) -> (
        std::path::PathBuf,
        std::thread::JoinHandle<std::io::Result<()>>,
    ) {
        let fifo = dir.join("data.csv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let (path, text) = (fifo.clone(), text.to_string());
        // A reader that stops early closes the pipe: the writer's error is not the test's.
        (fifo, std::thread::spawn(move || std::fs::write(path, text)))
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn text_after_numbers_in_a_pipe_is_an_error_naming_the_column_not_a_second_read() {
        let mut text = String::from("x,label\n");
        for i in 0..800_000 {
            text.push_str(&format!("{i}.5,l{}\n", i % 3));
        }
        text.push_str("oops,l1\n");
        let expected = "column `x` holds text after";
        // Read whole: the text comes blocks after the first.
        let dir = tempfile::tempdir().unwrap();
        let (fifo, writer) = pipe_of(dir.path(), &text);
        let error = Dataset::from_csv(&fifo).unwrap_err();
        let _ = writer.join();
        assert!(
            matches!(error, DataError::TextAfterNumbersInPipe { .. }),
            "{error}"
        );
        assert!(error.to_string().contains(expected), "{error}");
        // Checked as it streams.
        let dir = tempfile::tempdir().unwrap();
        let (fifo, writer) = pipe_of(dir.path(), &text);
        stream_in_blocks(1 << 16, 1 << 14);
        let train = load("x,label\n1.5,l1\n").unwrap();
        let error = crate::schema::Schema::infer(&train)
            .validate_file(&fifo, None, None)
            .unwrap_err();
        let _ = writer.join();
        assert!(error.to_string().contains(expected), "{error}");
        // From a regular file the same text is read again, as text.
        let file = dir.path().join("data-file.csv");
        std::fs::write(&file, &text).unwrap();
        let ds = Dataset::from_csv(&file).unwrap();
        assert_eq!(ds.categorical("x").unwrap().get(800_000), Some("oops"));
    }

    /// `rows` rows of zip codes that read as numbers, then one that does not.
    fn zips_then_text(rows: usize) -> String {
        let mut text = String::from("zip,n\n");
        for i in 0..rows {
            text.push_str(&format!("{:05},{i}\n", i * 7));
        }
        text.push_str(&format!("N/A,{rows}\n"));
        text
    }

    #[test]
    fn a_column_that_turns_to_text_blocks_later_keeps_its_earlier_text() {
        let text = zips_then_text(500);
        for block in [16, 4096, 1 << 20] {
            let ds = load_tuned(text.as_bytes(), block, 64).unwrap();
            let zip = ds.categorical("zip").unwrap();
            assert_eq!(zip.get(0), Some("00000"), "block {block}");
            assert_eq!(zip.get(3), Some("00021"), "block {block}");
            assert_eq!(zip.get(500), Some("N/A"), "block {block}");
            assert_eq!(zip.levels().len(), 501);
            assert_eq!(ds.numeric("n").unwrap().values()[499], 499.0);
        }
    }

    /// The blocks `for_each_block` hands out for `text`, streamed `block` bytes at a time.
    fn stream(text: &str, block: usize) -> (Result<Streamed, DataError>, Vec<Dataset>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.csv");
        std::fs::write(&path, text).unwrap();
        stream_in_blocks(block, 64);
        let mut blocks = Vec::new();
        let streamed = for_each_block(&path, &CsvOptions::default(), &mut |b, _| {
            blocks.push(b.clone())
        });
        (streamed, blocks)
    }

    #[test]
    fn a_stream_hands_out_every_row_once_in_order_in_blocks() {
        let mut text = String::from("n,c\n");
        for i in 0..300 {
            text.push_str(&format!("{i},level{}\n", i % 7));
        }
        let whole = load(&text).unwrap();
        let (streamed, blocks) = stream(&text, 256);
        assert_eq!(streamed.unwrap(), Streamed::Whole);
        assert!(blocks.len() > 10, "{} blocks", blocks.len());
        let n: Vec<f64> = blocks
            .iter()
            .flat_map(|b| b.numeric("n").unwrap().values().to_vec())
            .collect();
        assert_eq!(n, whole.numeric("n").unwrap().values());
        let c: Vec<Option<&str>> = blocks
            .iter()
            .flat_map(|b| {
                let c = b.categorical("c").unwrap();
                (0..c.codes().len()).map(|i| c.get(i))
            })
            .collect();
        let expected = whole.categorical("c").unwrap();
        assert_eq!(c, (0..300).map(|i| expected.get(i)).collect::<Vec<_>>());
    }

    #[test]
    fn a_file_of_no_rows_is_handed_out_as_one_empty_block() {
        let (streamed, blocks) = stream("n,c\n", 256);
        assert_eq!(streamed.unwrap(), Streamed::Whole);
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].n_rows(), 0);
        assert_eq!(blocks[0].column_names(), ["n", "c"]);
    }

    #[test]
    fn a_column_that_turns_to_text_after_blocks_were_handed_out_stops_the_stream() {
        let text = zips_then_text(200);
        let (streamed, blocks) = stream(&text, 256);
        assert_eq!(streamed.unwrap(), Streamed::KindChanged);
        assert!(!blocks.is_empty());
        // Text in the first block is found before anything is handed out.
        let (streamed, blocks) = stream("zip,n\nN/A,1\n00007,2\n", 256);
        assert_eq!(streamed.unwrap(), Streamed::Whole);
        assert_eq!(blocks[0].categorical("zip").unwrap().get(1), Some("00007"));
    }

    #[test]
    fn a_fault_after_blocks_were_handed_out_is_the_error_reading_whole_gives() {
        let mut text = String::from("n,m\n");
        for i in 0..200 {
            text.push_str(&format!("{i},{i}\n"));
        }
        text.push_str("1,2,3\n");
        let (streamed, blocks) = stream(&text, 256);
        assert!(!blocks.is_empty());
        let error = streamed.unwrap_err().to_string();
        assert!(error.contains(":202:"), "{error}");
    }

    #[test]
    fn quote_free_blocks_are_cut_into_pieces_at_line_ends() {
        let text = "a,b\n1,x\n22,yy\n333,zzz\n4444,w\n";
        let buf = text.as_bytes();
        let pieces = pieces(buf, 3, 0);
        assert!(pieces.len() > 1, "{pieces:?}");
        assert_eq!(pieces.first().unwrap().start, 0);
        assert_eq!(pieces.last().unwrap().end, buf.len());
        for w in pieces.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert_eq!(buf[w[0].end - 1], b'\n');
        }
    }

    #[test]
    fn a_cut_inside_a_quoted_field_is_undone() {
        // Every line end but the header's is inside a quoted field: any cut is wrong.
        let mut text = String::from("id,note\n");
        for i in 0..200 {
            text.push_str(&format!("{i},\"line one\nline two, {i}\"\n"));
        }
        for block in [64, 1 << 20] {
            let ds = load_tuned(text.as_bytes(), block, 0).unwrap();
            assert_eq!(ds.n_rows(), 200, "block {block}");
            let note = ds.categorical("note").unwrap();
            assert_eq!(note.get(7), Some("line one\nline two, 7"));
        }
    }

    #[test]
    fn a_piece_wholly_inside_a_quoted_field_is_not_read_as_records() {
        // A quoted field of many lines: some pieces hold no quote at all, only its middle.
        let mut text = String::from("id,note\n");
        for i in 0..50 {
            text.push_str(&format!("{i},plain {i}\n"));
        }
        text.push_str("50,\"");
        for k in 0..300 {
            text.push_str(&format!("inside {k}, still\n"));
        }
        text.push_str("\"\n");
        for i in 51..100 {
            text.push_str(&format!("{i},plain {i}\n"));
        }
        let want = canon(&oracle(text.as_bytes()));
        for (block, min_split) in [(512, 64), (4096, 64), (1 << 20, 0)] {
            let ds = load_tuned(text.as_bytes(), block, min_split).unwrap();
            assert_eq!(ds.n_rows(), 100, "block {block}");
            assert!(canon(&ds) == want, "block {block}: not what csv reads");
        }
    }

    #[test]
    fn a_row_with_many_fields_too_many_is_counted_whole_with_or_without_quotes() {
        for text in ["a,b\n1,2\n1,2,3,4,5,6\n", "a,b\n\"1\",2\n1,2,3,4,5,6\n"] {
            match load(text) {
                Err(DataError::RaggedRow {
                    line,
                    expected,
                    found,
                    ..
                }) => assert_eq!((line, expected, found), (3, 2, 6), "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_delimiter_that_can_be_in_a_number_ends_a_field_as_in_csv() {
        // `-5` is an empty field and a 5, not minus five; `1.5` with `.` is a 1 and a 5.
        for (delimiter, text) in [
            (b'-', "x-y\n-5\n"),
            (b'.', "x.y\n.5\n"),
            (b'1', "x1y\n15\n"),
        ] {
            let options = CsvOptions::default().delimiter(delimiter);
            let ds = Dataset::from_csv_bytes(text.as_bytes(), "odd.csv", &options).unwrap();
            let x = ds.column("x").unwrap();
            assert_eq!(x.missing_count(), 1, "{text:?}");
            assert_eq!(ds.numeric("y").unwrap().values(), [5.0], "{text:?}");
        }
    }

    #[test]
    fn all_missing_column_is_numeric_and_all_nan() {
        let ds = load("a,b\n1,\n2,NA\n").unwrap();
        assert_eq!(ds.column("b").unwrap().kind(), ColumnKind::Numeric);
        assert_eq!(ds.column("b").unwrap().missing_count(), 2);
    }
}
