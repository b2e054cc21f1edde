//! The records of one block of CSV text, read by csv-core into column parts.
//!
//! A block starts at a record boundary. Its records become one [`Part`] per column; a record
//! cut by the block's end is left for the next block, and a fault is reported at its byte
//! offset, which the caller turns into a line number.

use super::fields::{self, Missing};
use crate::data::levels::{InternError, Interner};
use crate::data::Column;
use csv_core::ReadRecordResult;
use std::ops::Range;

/// How a column's fields are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// As numbers while every present value is one (inference).
    Infer,
    /// As numbers, declared: a value that is not one is an error.
    Number,
    /// As category levels.
    Text,
    /// Not at all (a second pass that only needs some columns).
    Skip,
}

/// One column's values from one block.
#[derive(Debug)]
pub(super) enum Part {
    /// Numbers; a missing value is `NaN`.
    Numbers(Vec<f64>),
    /// Codes into the block's own levels.
    Text {
        /// The block's levels, in the order first seen.
        interner: Interner,
        /// Per row, the code (`None` = missing).
        codes: Vec<Option<u32>>,
    },
    /// A column this pass does not read.
    Skipped,
}

impl Part {
    pub(super) fn empty(mode: Mode) -> Self {
        Part::new(mode, 0)
    }

    fn new(mode: Mode, rows: usize) -> Self {
        match mode {
            Mode::Infer | Mode::Number => Part::Numbers(Vec::with_capacity(rows)),
            Mode::Text => Part::Text {
                interner: Interner::default(),
                codes: Vec::with_capacity(rows),
            },
            Mode::Skip => Part::Skipped,
        }
    }
}

impl Part {
    /// Room for `rows` more rows.
    pub(super) fn reserve(&mut self, rows: usize) {
        match self {
            Part::Numbers(v) => v.reserve(rows),
            Part::Text { codes, .. } => codes.reserve(rows),
            Part::Skipped => {}
        }
    }

    /// Rows held (none in a skipped column).
    pub(super) fn len(&self) -> usize {
        match self {
            Part::Numbers(v) => v.len(),
            Part::Text { codes, .. } => codes.len(),
            Part::Skipped => 0,
        }
    }

    /// Whether this part holds a column read as `mode`.
    fn reads_as(&self, mode: Mode) -> bool {
        matches!(
            (self, mode),
            (Part::Numbers(_), Mode::Infer | Mode::Number)
                | (Part::Text { .. }, Mode::Text)
                | (Part::Skipped, Mode::Skip)
        )
    }

    /// Appends the rows of `other`, a part of the same column read after this one.
    pub(super) fn append(&mut self, mut other: Part) -> Result<(), InternError> {
        self.append_drain(&mut other)
    }

    /// Appends the rows of `other` and empties it, keeping its buffers for the next block
    /// (fresh ones would be paged in again each time).
    pub(super) fn append_drain(&mut self, other: &mut Part) -> Result<(), InternError> {
        match (self, other) {
            (Part::Numbers(into), Part::Numbers(more)) => {
                into.extend_from_slice(more);
                more.clear();
            }
            (
                Part::Text { interner, codes },
                Part::Text {
                    interner: theirs,
                    codes: more,
                },
            ) => {
                let map = theirs.drain_into(interner)?;
                codes.extend(more.drain(..).map(|c| c.map(|c| map[c as usize])));
            }
            (Part::Skipped, Part::Skipped) => {}
            (into, more) => unreachable!("a column read two ways: {into:?} then {more:?}"),
        }
        Ok(())
    }

    /// Keeps the first `rows` rows.
    pub(super) fn truncate(&mut self, rows: usize) {
        match self {
            Part::Numbers(v) => v.truncate(rows),
            Part::Text { codes, .. } => codes.truncate(rows),
            Part::Skipped => {}
        }
    }

    /// The finished column: levels sorted, as [`Column::categorical`] makes them; its storage
    /// no larger than its values need.
    pub(super) fn into_column(mut self) -> Column {
        match &mut self {
            Part::Numbers(v) => v.shrink_to_fit(),
            Part::Text { codes, .. } => codes.shrink_to_fit(),
            Part::Skipped => {}
        }
        self.into_block_column()
    }

    /// [`into_column`](Self::into_column), its storage kept at its size: a block's column is
    /// handed back to [`Part::refill`] once it has been seen.
    pub(super) fn into_block_column(self) -> Column {
        match self {
            Part::Numbers(v) => Column::numeric(v),
            Part::Text { interner, codes } => interner.into_column(codes),
            Part::Skipped => Column::numeric(Vec::new()),
        }
    }

    /// An empty part that fills `column`'s storage again (memory already paged in, and sized
    /// for a block), read as a column of its kind is.
    pub(super) fn refill(column: Column) -> Self {
        match column {
            Column::Numeric(n) => {
                let mut values = n.into_values();
                values.clear();
                Part::Numbers(values)
            }
            Column::Categorical(c) => {
                let mut codes = c.into_codes();
                codes.clear();
                Part::Text {
                    interner: Interner::default(),
                    codes,
                }
            }
        }
    }
}

/// What every block of one file is read with.
#[derive(Debug)]
pub(super) struct Layout<'a> {
    pub(super) delimiter: u8,
    /// Fields in the header.
    pub(super) columns: usize,
    pub(super) missing: &'a Missing,
    pub(super) max_field_bytes: usize,
}

impl Layout<'_> {
    /// The longest a record can be with every field in the limit and one field too many:
    /// a longer one still being read is ragged, and said so without reading on to its end.
    pub(super) fn record_cap(&self) -> usize {
        self.max_field_bytes
            .saturating_mul(self.columns.saturating_add(1))
    }

    pub(super) fn reader(&self) -> csv_core::Reader {
        csv_core::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .build()
    }
}

/// What reading a slice's records into column parts came to.
#[derive(Debug)]
pub(super) struct Parsed {
    /// Records read.
    pub(super) rows: usize,
    /// Bytes of whole records (and blank lines); the rest is a record the block's end cut.
    pub(super) consumed: usize,
    /// Line ends (`\n`) in the bytes consumed.
    pub(super) lines: u64,
    /// Where the block's last whole record starts.
    pub(super) last_record: Option<Range<usize>>,
}

/// A fault in a block; offsets are into the block.
#[derive(Debug)]
pub(super) enum Fault {
    /// These inferred columns hold a value that is not a number: read them as text.
    NotNumbers(Vec<usize>),
    /// A record with another number of fields than the header.
    Ragged { record: Range<usize>, found: usize },
    /// A field over the size limit (0-based `field`); the record may go on past the block.
    TooLarge { record_start: usize, field: usize },
    /// A value that is not a number in a column declared numeric.
    BadNumber {
        record_start: usize,
        field: usize,
        value: Vec<u8>,
    },
    /// A text field that is not UTF-8, or one level too many.
    Text {
        record_start: usize,
        field: usize,
        error: InternError,
    },
}

/// Reads the records of `bytes`, at most `max_rows` of them, onto the end of `parts` (one
/// per column; a part read another way than its mode is replaced by an empty one); `last`
/// says the file ends with `bytes`, so a final record without a line end is whole;
/// `quote_free` that the caller already knows `bytes` holds no quote. After a fault `parts`
/// may hold some of the slice's rows: the caller truncates them.
pub(super) fn parse(
    bytes: &[u8],
    last: bool,
    layout: &Layout,
    modes: &[Mode],
    max_rows: usize,
    quote_free: bool,
    parts: &mut Vec<Part>,
) -> Result<Parsed, Fault> {
    parts.truncate(modes.len());
    for (j, &mode) in modes.iter().enumerate() {
        match parts.get_mut(j) {
            Some(part) if part.reads_as(mode) => {}
            Some(part) => *part = Part::empty(mode),
            None => parts.push(Part::empty(mode)),
        }
    }
    let mut not_numbers = vec![false; modes.len()];
    let read: ReadSlice = if super::plain::applies(bytes, quote_free, layout) {
        super::plain::parse
    } else {
        parse_records
    };
    let parsed = read(
        bytes,
        last,
        layout,
        modes,
        max_rows,
        parts,
        &mut not_numbers,
    );
    // Text found before a fault comes first: read as text, those columns may fault earlier.
    if not_numbers.iter().any(|&b| b) {
        return Err(Fault::NotNumbers(
            (0..modes.len()).filter(|&j| not_numbers[j]).collect(),
        ));
    }
    parsed
}

/// Room in `parts` for the rows of a slice of `bytes` bytes, guessed from its first record's
/// length (at most `max_rows`).
pub(super) fn reserve_rows(parts: &mut [Part], bytes: usize, first: usize, max_rows: usize) {
    let guess = (bytes / first.max(1) + 1).min(max_rows);
    for part in parts {
        part.reserve(guess);
    }
}

/// A reader of one slice's records into column parts (csv-core's, or the quote-free one).
pub(super) type ReadSlice =
    fn(&[u8], bool, &Layout, &[Mode], usize, &mut [Part], &mut [bool]) -> Result<Parsed, Fault>;

pub(super) fn parse_records(
    bytes: &[u8],
    last: bool,
    layout: &Layout,
    modes: &[Mode],
    max_rows: usize,
    parts: &mut [Part],
    not_numbers: &mut [bool],
) -> Result<Parsed, Fault> {
    let mut records = Records::new(bytes, last, layout, layout.columns);
    let mut rows = 0;
    let mut last_record = None;
    while rows < max_rows {
        let Some(record) = records.next()? else {
            break;
        };
        if rows == 0 {
            reserve_rows(parts, bytes.len(), record.end - record.start, max_rows);
        }
        if let Some(fault) = record_fault(record.ends, record.start..record.end, layout) {
            return Err(fault);
        }
        record.push_into(parts, modes, layout, not_numbers)?;
        last_record = Some(record.start..record.end);
        rows += 1;
    }
    Ok(Parsed {
        rows,
        consumed: records.start,
        lines: super::newlines(&bytes[..records.start]),
        last_record,
    })
}

/// csv-core's reader over one slice, a whole record at a time, its output buffers grown as
/// needed up to the size limits.
struct Records<'b> {
    bytes: &'b [u8],
    last: bool,
    reader: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    pos: usize,
    /// Where the record being read starts; after the slice, where the cut record starts.
    start: usize,
    max_field_bytes: usize,
    /// More fields than this is ragged however the record ends.
    max_fields: usize,
    /// A ragged record longer than this is reported before its end is read.
    record_cap: usize,
}

impl<'b> Records<'b> {
    fn new(bytes: &'b [u8], last: bool, layout: &Layout, max_fields: usize) -> Self {
        Records {
            bytes,
            last,
            reader: layout.reader(),
            out: vec![0u8; 1 << 12],
            // One end per expected field and one to see a ragged row; a header starts small.
            ends: vec![0usize; max_fields.checked_add(1).unwrap_or(64)],
            pos: 0,
            start: 0,
            max_field_bytes: layout.max_field_bytes,
            max_fields,
            record_cap: layout.record_cap(),
        }
    }

    /// The next whole record; `None` at the end of the file, or of the slice when a record
    /// goes on past it (it starts at `start`).
    fn next(&mut self) -> Result<Option<Record<'_>>, Fault> {
        let (mut outlen, mut endlen) = (0, 0);
        loop {
            if self.pos == self.bytes.len() && !self.last {
                // The record goes on past the slice: a fault already, or read on.
                let ends = self.ends[..endlen].iter().copied().chain([outlen]);
                return match cut_record_fault(
                    ends,
                    self.start..self.pos,
                    self.max_field_bytes,
                    self.record_cap,
                    self.max_fields,
                ) {
                    Some(fault) => Err(fault),
                    None => Ok(None),
                };
            }
            let (result, nin, nout, nend) = self.reader.read_record(
                &self.bytes[self.pos..],
                &mut self.out[outlen..],
                &mut self.ends[endlen..],
            );
            self.pos += nin;
            outlen += nout;
            endlen += nend;
            match result {
                // With `last`, the next call (on no input) ends the record.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    // The fields so far and the one being written.
                    let ends = self.ends[..endlen].iter().copied().chain([outlen]);
                    if let Some(field) = first_too_large(ends, self.max_field_bytes) {
                        return Err(Fault::TooLarge {
                            record_start: self.start,
                            field,
                        });
                    }
                    self.out.resize(self.out.len() * 2, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    self.ends.resize(self.ends.len() * 2, 0);
                }
                ReadRecordResult::Record => {
                    let start = std::mem::replace(&mut self.start, self.pos);
                    return Ok(Some(Record {
                        out: &self.out[..outlen],
                        ends: &self.ends[..endlen],
                        start,
                        end: self.pos,
                    }));
                }
                ReadRecordResult::End => {
                    self.start = self.pos;
                    return Ok(None);
                }
            }
        }
    }
}

/// One record as csv-core wrote it: the unquoted fields end to end, where each ends, and
/// the bytes it came from.
struct Record<'a> {
    out: &'a [u8],
    ends: &'a [usize],
    start: usize,
    end: usize,
}

impl Record<'_> {
    fn push_into(
        &self,
        parts: &mut [Part],
        modes: &[Mode],
        layout: &Layout,
        not_numbers: &mut [bool],
    ) -> Result<(), Fault> {
        let mut field_start = 0;
        for (j, (part, &end)) in parts.iter_mut().zip(self.ends).enumerate() {
            let field = &self.out[field_start..end];
            field_start = end;
            push_field(part, modes[j], field, layout, &mut not_numbers[j])
                .map_err(|fault| fault.at(self.start, j, field))?;
        }
        Ok(())
    }
}

/// Why one field could not go into its column.
#[derive(Debug)]
pub(super) enum FieldFault {
    /// Not a number, in a column declared numeric.
    BadNumber,
    /// Text that is not UTF-8, or one level too many.
    Text(InternError),
}

impl FieldFault {
    /// The fault of field `j` of the record starting at `record_start`.
    pub(super) fn at(self, record_start: usize, field: usize, value: &[u8]) -> Fault {
        match self {
            FieldFault::BadNumber => Fault::BadNumber {
                record_start,
                field,
                value: value.to_vec(),
            },
            FieldFault::Text(error) => Fault::Text {
                record_start,
                field,
                error,
            },
        }
    }
}

/// Puts one field (untrimmed, unquoted) into its column; text in a column being inferred sets
/// `not_number` and stands as `NaN` until the column is read again as text.
#[inline]
pub(super) fn push_field(
    part: &mut Part,
    mode: Mode,
    field: &[u8],
    layout: &Layout,
    not_number: &mut bool,
) -> Result<(), FieldFault> {
    match part {
        Part::Numbers(values) => values.push(number_field(mode, field, layout, not_number)?),
        Part::Text { interner, codes } => codes.push(level_field(interner, field, layout)?),
        Part::Skipped => {}
    }
    Ok(())
}

/// The value of a field of a column of numbers, as [`push_field`] puts it there.
#[inline]
pub(super) fn number_field(
    mode: Mode,
    field: &[u8],
    layout: &Layout,
    not_number: &mut bool,
) -> Result<f64, FieldFault> {
    match layout.missing.number_or_missing(fields::trim(field)) {
        Some(v) => Ok(v),
        None if mode == Mode::Number => Err(FieldFault::BadNumber),
        None => {
            *not_number = true;
            Ok(f64::NAN)
        }
    }
}

/// The code of a field of a column of levels (`None`: missing), as [`push_field`] puts it
/// there.
#[inline]
pub(super) fn level_field(
    interner: &mut Interner,
    field: &[u8],
    layout: &Layout,
) -> Result<Option<u32>, FieldFault> {
    if layout.missing.is_missing(fields::trim(field)) {
        Ok(None)
    } else {
        interner.code(field).map(Some).map_err(FieldFault::Text)
    }
}

/// The first fault of a whole record whose fields end at `ends` (offsets from `record_start`,
/// as csv-core writes them): a field over the size limit, else another number of fields than
/// the header. Both readers judge a record by this, so a file gives one answer whichever reads
/// a block.
pub(super) fn record_fault(ends: &[usize], record: Range<usize>, layout: &Layout) -> Option<Fault> {
    if let Some(field) = first_too_large(ends.iter().copied(), layout.max_field_bytes) {
        return Some(Fault::TooLarge {
            record_start: record.start,
            field,
        });
    }
    (ends.len() != layout.columns).then_some(Fault::Ragged {
        record,
        found: ends.len(),
    })
}

/// The fault of a record cut by the end of a slice, whose fields so far end at `ends` (the
/// last still being read): a field over the limit, or too many fields in more bytes than a
/// good record can take (then it is said without reading on to its end, which may be far).
pub(super) fn cut_record_fault(
    ends: impl IntoIterator<Item = usize>,
    record: Range<usize>,
    max_field_bytes: usize,
    record_cap: usize,
    max_fields: usize,
) -> Option<Fault> {
    let mut fields = 0;
    let ends = ends.into_iter().inspect(|_| fields += 1);
    if let Some(field) = first_too_large(ends, max_field_bytes) {
        return Some(Fault::TooLarge {
            record_start: record.start,
            field,
        });
    }
    // Fields ended so far (the last is still going on).
    let found = fields - 1;
    (found > max_fields && record.len() > record_cap).then_some(Fault::Ragged { record, found })
}

/// The first field longer than `max`, of fields ending at `ends` (offsets from the record's
/// start).
pub(super) fn first_too_large(ends: impl IntoIterator<Item = usize>, max: usize) -> Option<usize> {
    let mut start = 0;
    for (j, end) in ends.into_iter().enumerate() {
        if end - start > max {
            return Some(j);
        }
        start = end;
    }
    None
}

/// The raw fields of a header line, and the bytes it took.
pub(super) type Header = (Vec<Vec<u8>>, usize);

/// The fields of the first record (the header) and the bytes it took, or `None` when the
/// record goes on past `bytes` and the file does not end there.
pub(super) fn first_record(
    bytes: &[u8],
    last: bool,
    layout: &Layout,
) -> Result<Option<Header>, Fault> {
    let mut records = Records::new(bytes, last, layout, usize::MAX);
    let Some(record) = records.next()? else {
        // The file ends without a record (no header), or the slice ends inside one.
        return Ok(last.then(|| (Vec::new(), bytes.len())));
    };
    let mut fields = Vec::with_capacity(record.ends.len());
    let mut field_start = 0;
    for (j, &end) in record.ends.iter().enumerate() {
        if end - field_start > layout.max_field_bytes {
            return Err(Fault::TooLarge {
                record_start: 0,
                field: j,
            });
        }
        fields.push(record.out[field_start..end].to_vec());
        field_start = end;
    }
    Ok(Some((fields, record.end)))
}
