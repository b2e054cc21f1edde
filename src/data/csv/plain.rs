//! Quote-free text, read straight from the bytes.
//!
//! Without a quote every line end ends a record and every delimiter ends a field, so a field
//! needs no copy and a number is read where it lies, in the one pass that finds its end. The
//! answer is csv-core's (its line ends are `\r`, `\n` or both, and an empty line is no record);
//! a line that does not fit its columns is judged by [`record_fault`], as csv-core's records
//! are, so a file gives one answer whichever reader takes a block.

#[cfg(target_arch = "x86_64")]
use super::simd::{Separators, Ssse3};
#[cfg(target_arch = "x86_64")]
use crate::data::levels::{Interner, Key};
#[cfg(target_arch = "x86_64")]
use std::mem::MaybeUninit;
use std::ops::Range;

use super::records::{
    cut_record_fault, push_field, record_fault, reserve_rows, Fault, Layout, Mode, Parsed, Part,
};
#[cfg(target_arch = "x86_64")]
use super::records::{level_field, number_field, FieldFault};

/// Whether `bytes` can be read here: no quote (`quote_free` when the caller knows it), and a
/// delimiter that is neither a line end nor a byte of a decimal (a number is read to the first
/// byte that cannot be in one).
pub(super) fn applies(bytes: &[u8], quote_free: bool, layout: &Layout) -> bool {
    !matches!(
        layout.delimiter,
        b'"' | b'\n' | b'\r' | b'0'..=b'9' | b'.' | b'+' | b'-'
    ) && (quote_free || memchr::memchr(b'"', bytes).is_none())
}

#[inline]
fn is_line_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Reads the records of `bytes` (no quote in it) as [`super::records::parse`] does.
pub(super) fn parse(
    bytes: &[u8],
    last: bool,
    layout: &Layout,
    modes: &[Mode],
    max_rows: usize,
    parts: &mut [Part],
    not_numbers: &mut [bool],
) -> Result<Parsed, Fault> {
    #[cfg(target_arch = "x86_64")]
    if let Some(ssse3) = Ssse3::detect() {
        // SAFETY: `detect` found SSSE3 on this CPU.
        return unsafe {
            parse_ssse3(
                ssse3,
                bytes,
                last,
                layout,
                modes,
                max_rows,
                parts,
                not_numbers,
            )
        };
    }
    parse_portable(bytes, last, layout, modes, max_rows, parts, not_numbers)
}

/// [`parse`] on any CPU: each field's end found as its value is read.
fn parse_portable(
    bytes: &[u8],
    last: bool,
    layout: &Layout,
    modes: &[Mode],
    max_rows: usize,
    parts: &mut [Part],
    not_numbers: &mut [bool],
) -> Result<Parsed, Fault> {
    let text = &bytes[..whole_lines(bytes, last)];
    let mut line = Line::new(text, layout);
    let mut at = Progress::default();
    while at.rows < max_rows {
        let record_start = at.pos;
        if !at.skip_blank_lines(text, bytes.len(), last) {
            break;
        }
        if at.rows == 0 {
            at.reserve(text, parts, bytes.len(), max_rows);
        }
        let end = line.read(record_start, at.pos, parts, modes, not_numbers)?;
        at.read(text, record_start, end);
    }
    at.finish(bytes, last, max_rows, layout)
}

/// Records gathered at once before their fields are read a column at a time: enough that
/// each column's loop runs long, few enough that their fields' ends stay in the L1 cache.
#[cfg(all(target_arch = "x86_64", not(test)))]
const BATCH: usize = 128;
/// Unit tests read short texts: in batches of three, they cross batches often.
#[cfg(all(target_arch = "x86_64", test))]
const BATCH: usize = 3;

/// [`parse`] a batch of records at a time: first where each field ends, found 64 bytes at a
/// time, then the fields a column at a time, decimals read sixteen bytes at once. A column's
/// loop knows its kind and holds its values' end, so a field takes no dispatch on its column
/// and no field waits for the end of the one before it. Compiled for SSSE3, so that the
/// decimal reader's instructions are inlined.
///
/// # Safety
/// The CPU has SSSE3.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
#[allow(clippy::too_many_arguments)]
unsafe fn parse_ssse3(
    digits: Ssse3,
    bytes: &[u8],
    last: bool,
    layout: &Layout,
    modes: &[Mode],
    max_rows: usize,
    parts: &mut [Part],
    not_numbers: &mut [bool],
) -> Result<Parsed, Fault> {
    let columns = parts.len();
    if columns == 0 {
        // No column: nothing a line can fit (a header has a column or more).
        return parse_portable(bytes, last, layout, modes, max_rows, parts, not_numbers);
    }
    let text = &bytes[..whole_lines(bytes, last)];
    let mut separators = Separators::new(text, layout.delimiter);
    let mut line = Line::new(text, layout);
    let mut batch = Batch {
        records: Vec::with_capacity(BATCH),
        ends: vec![0; BATCH * (columns + 1)],
    };
    let mut at = Progress::default();
    let mut at_end = false;
    while at.rows < max_rows && !at_end {
        batch.records.clear();
        let room = (max_rows - at.rows).min(BATCH);
        // A record whose fields do not fit its columns: read on its own, after the batch.
        let mut misfit = None;
        while batch.records.len() < room {
            let record_start = at.pos;
            if !at.skip_blank_lines(text, bytes.len(), last) {
                at_end = true;
                break;
            }
            let start = at.pos;
            if at.rows == 0 {
                at.reserve(text, parts, bytes.len(), max_rows);
            }
            // The record fits when each field but the last ends on a delimiter and the last
            // on the line's end: one test a field. A record within the field limit has every
            // field within it, so the fields' sizes are judged only past it.
            separators.seek(start);
            let k = batch.records.len();
            let row = &mut batch.ends[k * (columns + 1)..(k + 1) * (columns + 1)];
            let (before, fields) = row.split_at_mut(1);
            // The first field starts past a separator, as the others do.
            before[0] = start.wrapping_sub(1);
            let mut fits = true;
            let (last_end, ends) = fields.split_last_mut().expect("a column or more");
            for slot in ends {
                let (end, delimited) = separators.next();
                fits &= delimited;
                *slot = end;
            }
            let (end, delimited) = separators.next();
            fits &= !delimited;
            *last_end = end;
            if !fits || end - start > layout.max_field_bytes {
                misfit = Some((record_start, start));
                break;
            }
            batch.records.push((record_start, start));
            at.read(text, record_start, end);
        }
        line.read_batch(digits, &batch, parts, modes, not_numbers)?;
        if let Some((record_start, start)) = misfit {
            let end = line.read(record_start, start, parts, modes, not_numbers)?;
            at.read(text, record_start, end);
        }
    }
    at.finish(bytes, last, max_rows, layout)
}

/// The fields of `batch` into `parts`, a column at a time, as [`push_field`] puts them; the
/// fault of the first faulty field met, column by column (not always the first in the file).
///
/// # Safety
/// The CPU has SSSE3 (the decimal reader is inlined here).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn read_columns(
    digits: Ssse3,
    text: &[u8],
    layout: &Layout,
    simple: bool,
    batch: &Batch,
    parts: &mut [Part],
    modes: &[Mode],
    not_numbers: &mut [bool],
) -> Result<(), Fault> {
    let (n, columns) = (batch.records.len(), parts.len());
    for (j, part) in parts.iter_mut().enumerate() {
        let column = &Column { batch, columns, j };
        let fault = |i: usize| {
            move |fault: FieldFault| fault.at(batch.records[i].0, j, &text[column.field(i)])
        };
        // Each column's fields are read by a tight loop up to one it leaves, which is read
        // here; then the loop goes on past it.
        let mut i = 0;
        match part {
            Part::Numbers(values) => {
                values.reserve(n);
                let (out, mode) = (&mut values.spare_capacity_mut()[..n], modes[j]);
                while i < n {
                    if simple {
                        i = decimals(digits, text, layout.delimiter, column, i, out);
                    }
                    if let Some(slot) = out.get_mut(i) {
                        let field = &text[column.field(i)];
                        slot.write(
                            number_field(mode, field, layout, &mut not_numbers[j])
                                .map_err(fault(i))?,
                        );
                        i += 1;
                    }
                }
                // SAFETY: the loop wrote each of the `n` slots past the values (written in
                // place, they are not zeroed first: that was a pass over every value).
                values.set_len(values.len() + n);
            }
            Part::Text { interner, codes } => {
                codes.reserve(n);
                let out = &mut codes.spare_capacity_mut()[..n];
                while i < n {
                    i = known_levels(text, column, i, interner, out);
                    if let Some(slot) = out.get_mut(i) {
                        let field = &text[column.field(i)];
                        slot.write(level_field(interner, field, layout).map_err(fault(i))?);
                        i += 1;
                    }
                }
                // SAFETY: the loop wrote each of the `n` slots past the codes.
                codes.set_len(codes.len() + n);
            }
            Part::Skipped => {}
        }
    }
    Ok(())
}

/// The values of a column's fields from record `from` on, read by the decimal reader into
/// `out`, up to the first it leaves: where that one is, or `out.len()`.
///
/// # Safety
/// The CPU has SSSE3 (the decimal reader is inlined here).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
#[inline(never)]
unsafe fn decimals(
    digits: Ssse3,
    text: &[u8],
    delimiter: u8,
    column: &Column,
    from: usize,
    out: &mut [MaybeUninit<f64>],
) -> usize {
    let rest = out.get_mut(from..).unwrap_or_default();
    for (k, (slot, field)) in rest.iter_mut().zip(column.fields_from(from)).enumerate() {
        match digits.number(text, field.start, field.end, delimiter) {
            Some(v) => _ = slot.write(v),
            None => return from + k,
        }
    }
    out.len()
}

/// The codes of a column's fields from record `from` on that are levels already met, into
/// `out`, up to the first that is not: where that one is, or `out.len()`. A level met is no
/// missing token (levels are made only of fields that are none) and is UTF-8: its code is
/// all there is to find.
#[cfg(target_arch = "x86_64")]
#[inline(never)]
fn known_levels(
    text: &[u8],
    column: &Column,
    from: usize,
    interner: &Interner,
    out: &mut [MaybeUninit<Option<u32>>],
) -> usize {
    let rest = out.get_mut(from..).unwrap_or_default();
    for (k, (slot, field)) in rest.iter_mut().zip(column.fields_from(from)).enumerate() {
        match interner.known(&Key::within(text, field.start, field.end)) {
            Some(code) => _ = slot.write(Some(code)),
            None => return from + k,
        }
    }
    out.len()
}

/// Records whose fields fit their columns, found and not yet read.
#[cfg(target_arch = "x86_64")]
struct Batch {
    /// Where each record starts, blank lines first, and where its first field starts.
    records: Vec<(usize, usize)>,
    /// Per record, where its first field starts less one, then where each field ends: field
    /// `j` lies between slots `j` and `j + 1`, past the first. Room for [`BATCH`] records.
    ends: Vec<usize>,
}

/// Column `j` of a batch's records.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Column<'b> {
    batch: &'b Batch,
    columns: usize,
    j: usize,
}

#[cfg(target_arch = "x86_64")]
impl Column<'_> {
    /// Where the column's field lies in each record from record `from` on.
    #[inline(always)]
    fn fields_from(&self, from: usize) -> impl Iterator<Item = Range<usize>> + '_ {
        let stride = self.columns + 1;
        let j = self.j;
        self.batch.ends[..self.batch.records.len() * stride]
            .get(from * stride..)
            .unwrap_or_default()
            .chunks_exact(stride)
            .map(move |ends| ends[j].wrapping_add(1)..ends[j + 1])
    }

    /// Where the column's field lies in record `i`.
    fn field(&self, i: usize) -> Range<usize> {
        self.fields_from(i).next().unwrap_or_default()
    }
}

/// How far a slice's records have been read, and what [`Parsed`] will say of them.
#[derive(Default)]
struct Progress {
    /// Where the next record starts.
    pos: usize,
    rows: usize,
    /// Line ends (`\n`) so far, counted as the records are read, not in a pass of their own.
    lines: u64,
    /// What the records read take up, and the line ends in it.
    consumed: usize,
    consumed_lines: u64,
    last_record: Option<Range<usize>>,
}

impl Progress {
    /// Moves past the blank lines at `pos` (a record starts where the last ended, blank lines
    /// and all, as csv-core counts); `false` when the text ends there. In the slice that ends
    /// the file they are consumed; before a cut they are left with it, as csv-core leaves
    /// them.
    #[inline]
    fn skip_blank_lines(&mut self, text: &[u8], len: usize, last: bool) -> bool {
        while self.pos < text.len() && is_line_end(text[self.pos]) {
            self.lines += u64::from(text[self.pos] == b'\n');
            self.pos += 1;
        }
        if self.pos < text.len() {
            return true;
        }
        if last {
            self.consumed = len;
            self.consumed_lines = self.lines;
        }
        false
    }

    /// Sizes the parts for the slice from its first record, at `pos`.
    fn reserve(&self, text: &[u8], parts: &mut [Part], len: usize, max_rows: usize) {
        let first =
            memchr::memchr2(b'\n', b'\r', &text[self.pos..]).unwrap_or(text.len() - self.pos);
        reserve_rows(parts, len, first + 1, max_rows);
    }

    /// The record from `record_start` was read, its last field ending at `end`: past the line
    /// end that ended it (csv-core takes the rest as a blank line).
    #[inline]
    fn read(&mut self, text: &[u8], record_start: usize, end: usize) {
        self.pos = (end + 1).min(text.len());
        self.lines += u64::from(text.get(end) == Some(&b'\n'));
        self.consumed = self.pos;
        self.consumed_lines = self.lines;
        self.last_record = Some(record_start..self.pos);
        self.rows += 1;
    }

    /// What was read; a record cut by the slice's end is judged first.
    fn finish(
        self,
        bytes: &[u8],
        last: bool,
        max_rows: usize,
        layout: &Layout,
    ) -> Result<Parsed, Fault> {
        if self.rows < max_rows && !last {
            cut_record(bytes, self.consumed, layout)?;
        }
        Ok(Parsed {
            rows: self.rows,
            consumed: self.consumed,
            lines: self.consumed_lines,
            last_record: self.last_record,
        })
    }
}

/// Where the whole lines of `bytes` end: at its end if `last` (the file ends there), else
/// past its last line end (what follows is a record the block's end cut).
fn whole_lines(bytes: &[u8], last: bool) -> usize {
    if last {
        bytes.len()
    } else {
        memchr::memrchr2(b'\n', b'\r', bytes).map_or(0, |i| i + 1)
    }
}

/// A record cut by the block's end, from `at` (blank lines first) to the end of `bytes`:
/// judged as csv-core's reader judges one at the end of its input.
fn cut_record(bytes: &[u8], at: usize, layout: &Layout) -> Result<(), Fault> {
    let tail = &bytes[at..];
    // Shorter than a field can be, and than a good record can: nothing to say yet.
    if tail.len() <= layout.max_field_bytes {
        return Ok(());
    }
    let content = tail
        .iter()
        .position(|&b| !is_line_end(b))
        .unwrap_or(tail.len());
    let ends = field_ends(&tail[content..], layout.delimiter);
    match cut_record_fault(
        ends,
        at..bytes.len(),
        layout.max_field_bytes,
        layout.record_cap(),
        layout.columns,
    ) {
        Some(fault) => Err(fault),
        None => Ok(()),
    }
}

/// Where each field of a quote-free record ends, as csv-core writes it: in the fields laid
/// end to end, delimiters left out.
fn field_ends(record: &[u8], delimiter: u8) -> Vec<usize> {
    let mut ends: Vec<usize> = memchr::memchr_iter(delimiter, record)
        .enumerate()
        .map(|(k, at)| at - k)
        .collect();
    ends.push(record.len() - ends.len());
    ends
}

/// The reader of one slice's lines.
struct Line<'t, 'l> {
    /// The whole lines of the slice.
    text: &'t [u8],
    layout: &'l Layout<'l>,
    /// No missing token reads as a number: a number can be taken before the tokens are tried.
    simple: bool,
    /// Columns this line found text in for the first time (undone if the line is faulty).
    flagged: Vec<usize>,
}

impl<'t, 'l> Line<'t, 'l> {
    fn new(text: &'t [u8], layout: &'l Layout<'l>) -> Self {
        Line {
            text,
            layout,
            simple: !layout.missing.has_numeric_token(),
            flagged: Vec::new(),
        }
    }

    /// Reads the records of `batch` into `parts`, a column at a time. A faulty field sends
    /// the batch to [`Line::read`], a record at a time, which finds the fault that comes
    /// first in the file.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn read_batch(
        &mut self,
        digits: Ssse3,
        batch: &Batch,
        parts: &mut [Part],
        modes: &[Mode],
        not_numbers: &mut [bool],
    ) -> Result<(), Fault> {
        if batch.records.is_empty() {
            return Ok(());
        }
        let (text, layout) = (self.text, self.layout);
        let before = (
            parts.iter().map(Part::len).collect::<Vec<_>>(),
            not_numbers.to_vec(),
        );
        // SAFETY: an `Ssse3` exists only where the CPU has SSSE3.
        let read = unsafe {
            read_columns(
                digits,
                text,
                layout,
                self.simple,
                batch,
                parts,
                modes,
                not_numbers,
            )
        };
        if let Err(fault) = read {
            // Undone and read again a record at a time, the batch gives the fault that comes
            // first in the file (one before this field's, or this field's again), with the
            // text flags of the records before it only.
            let (lens, flags) = before;
            for (part, len) in parts.iter_mut().zip(lens) {
                part.truncate(len);
            }
            not_numbers.copy_from_slice(&flags);
            for &(record_start, start) in &batch.records {
                self.read(record_start, start, parts, modes, not_numbers)?;
            }
            return Err(fault);
        }
        Ok(())
    }

    /// Puts field `j` of the line, `text[field]`, into `part` as [`push_field`] does; its
    /// fault is the line's if the line has one.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn push_text(
        &mut self,
        record_start: usize,
        start: usize,
        j: usize,
        part: &mut Part,
        mode: Mode,
        field: Range<usize>,
        not_numbers: &mut [bool],
    ) -> Result<(), Fault> {
        let text = self.text;
        let flagged = not_numbers[j];
        let pushed = push_field(
            part,
            mode,
            &text[field.clone()],
            self.layout,
            &mut not_numbers[j],
        );
        if let Err(fault) = pushed {
            // A fault of the record as a whole comes first, as in csv-core's reader.
            return Err(self
                .fault(record_start, start, not_numbers)
                .unwrap_or_else(|| fault.at(record_start, j, &text[field])));
        }
        if !flagged && not_numbers[j] {
            self.flagged.push(j);
        }
        Ok(())
    }

    /// Reads the record whose fields start at `start` into `parts`; returns where it ends (a
    /// line end, or the end of the text). Faults name it by `record_start`, before its blank
    /// lines.
    #[inline]
    fn read(
        &mut self,
        record_start: usize,
        start: usize,
        parts: &mut [Part],
        modes: &[Mode],
        not_numbers: &mut [bool],
    ) -> Result<usize, Fault> {
        let (text, delimiter) = (self.text, self.layout.delimiter);
        let columns = parts.len();
        let mut i = start;
        for (j, part) in parts.iter_mut().enumerate() {
            let field_start = i;
            let number = match part {
                Part::Numbers(values) if self.simple => {
                    simple_number(text, i, delimiter).map(|(v, next)| {
                        values.push(v);
                        i = next;
                    })
                }
                _ => None,
            };
            if number.is_none() {
                i = field_end(text, i, delimiter);
                if i - field_start <= self.layout.max_field_bytes {
                    self.push_text(
                        record_start,
                        start,
                        j,
                        part,
                        modes[j],
                        field_start..i,
                        not_numbers,
                    )?;
                }
            }
            let at_end = i == text.len() || is_line_end(text[i]);
            let fits =
                i - field_start <= self.layout.max_field_bytes && at_end == (j + 1 == columns);
            if !fits {
                // A field too long, or too few or too many: the line is faulty.
                return Err(self.fault(record_start, start, not_numbers).unwrap_or(
                    Fault::Ragged {
                        record: record_start..i,
                        found: j + 1,
                    },
                ));
            }
            i += usize::from(!at_end);
        }
        self.flagged.clear();
        Ok(i)
    }

    /// The fault of the line whose fields start at `start`, if it has one; the text it
    /// flagged in inferred columns is undone (csv-core's reader never reads a faulty record's
    /// fields).
    #[cold]
    fn fault(
        &mut self,
        record_start: usize,
        start: usize,
        not_numbers: &mut [bool],
    ) -> Option<Fault> {
        let rest = &self.text[start..];
        let len = rest
            .iter()
            .position(|&b| is_line_end(b))
            .unwrap_or(rest.len());
        let ends = field_ends(&rest[..len], self.layout.delimiter);
        // csv-core's record ends past its line end.
        let end = (start + len + 1).min(self.text.len());
        let fault = record_fault(&ends, record_start..end, self.layout);
        if fault.is_some() {
            for j in self.flagged.drain(..) {
                not_numbers[j] = false;
            }
        }
        fault
    }
}

/// The end of the field starting at `i`: the next delimiter or line end. Looked for eight
/// bytes at a time, so that a short field (a category) is found without a loop whose end
/// depends on its length.
#[inline]
fn field_end(text: &[u8], i: usize, delimiter: u8) -> usize {
    let mut at = i;
    while let Some(word) = word_at(text, at) {
        let ends = byte_in(word, delimiter) | byte_in(word, b'\n') | byte_in(word, b'\r');
        if ends != 0 {
            return at + (ends.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    text[at..]
        .iter()
        .position(|&b| b == delimiter || is_line_end(b))
        .map_or(text.len(), |n| at + n)
}

/// The high bit of each byte of `word` equal to `byte`, exact up to the first (a borrow may
/// mark bytes after it, which [`u64::trailing_zeros`] never looks at).
#[inline]
fn byte_in(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & (ONES * 0x80)
}

/// Powers of ten a double holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A plain decimal (`-12.5`, `.5`, `7.`) at `i`, ended by a delimiter, a line end or the end
/// of the text: its value and where it ends. `None` sends the field to the full reader (an
/// exponent, spaces, more digits than a `u64` holds, a token).
///
/// The digits make an integer `m` and the point `k` places from the end: when `m ≤ 2^53` and
/// `k ≤ 22`, both `m` and `10^k` are exact doubles, so `m / 10^k` is the correctly rounded
/// value, the same bits as `str::parse` (Clinger's fast path).
#[inline]
pub(super) fn simple_number(text: &[u8], mut i: usize, delimiter: u8) -> Option<(f64, usize)> {
    let negative = match text.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let (m, places, end) = match short_decimal(text, i) {
        Some(short) => short,
        None => long_decimal(text, i)?,
    };
    let ends = text
        .get(end)
        .is_none_or(|&b| b == delimiter || is_line_end(b));
    if !ends {
        return None;
    }
    Some((value(m, places, negative), end))
}

/// `m / 10^places`, negated if `negative`: correctly rounded for `m ≤ 2^53` and `places < 23`.
#[inline(always)]
fn value(m: u64, places: usize, negative: bool) -> f64 {
    // `m ≤ 2^53` converts exactly as an `i64`, one instruction (a `u64` takes several on x86).
    let v = m as i64 as f64 / POW10[places];
    // The sign bit set without a branch: in a column of values around zero the sign is a
    // coin toss, and a branch on it was mispredicted every other value.
    f64::from_bits(v.to_bits() | u64::from(negative) << 63)
}

/// Digits (a point among them) at `i` read eight bytes at a time: `m`, the places after the
/// point and where the digits end. `None` when fewer than eight bytes follow a run, or a run
/// is eight digits or more: [`long_decimal`] reads those.
///
/// A byte-by-byte loop mispredicts where each run of digits ends, twice a number; here the
/// end is found by arithmetic on the word. At most seven digits a side keep `m < 10^14`, under
/// 2^53, and the places under 23, so the caller's division is exact.
#[inline]
fn short_decimal(text: &[u8], i: usize) -> Option<(u64, usize, usize)> {
    let (int_digits, int) = digit_run(word_at(text, i)?)?;
    let point = i + int_digits;
    if text[point] != b'.' {
        return (int_digits > 0).then_some((int, 0, point));
    }
    let (places, frac) = digit_run(word_at(text, point + 1)?)?;
    if int_digits + places == 0 {
        return None;
    }
    Some((int * POW10_INT[places] + frac, places, point + 1 + places))
}

/// The eight bytes at `i`, the first in the lowest byte; `None` past the end.
#[inline]
fn word_at(text: &[u8], i: usize) -> Option<u64> {
    let bytes: [u8; 8] = text.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// The run of ASCII digits that starts `word`: how many (under eight; `None` for eight) and
/// their value.
#[inline]
fn digit_run(word: u64) -> Option<(usize, u64)> {
    // A digit byte becomes 0..=9; the high bit marks any byte that is not one. `& 0x7f` first
    // keeps the sum within its byte.
    let d = word ^ (ONES * u64::from(b'0'));
    let not_digit = (((d & (ONES * 0x7f)) + ONES * 0x76) | d) & (ONES * 0x80);
    if not_digit == 0 {
        return None;
    }
    let n = (not_digit.trailing_zeros() / 8) as usize;
    if n == 0 {
        return Some((0, 0));
    }
    // The run's bytes moved to the top, zeros (leading zero digits) below them; what followed
    // the run falls off the top. Then pairs, fours and eight digits are combined in place.
    let v = d << (8 * (8 - n));
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let low = 0x0000_00ff_0000_00ff;
    let v = ((v & low)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & low).wrapping_mul(1 + (10_000 << 32))))
        >> 32;
    Some((n, v))
}

/// What [`short_decimal`] reads, a byte at a time, for runs up to 19 digits in all.
fn long_decimal(text: &[u8], mut i: usize) -> Option<(u64, usize, usize)> {
    // Digits from `i` onto `m`: where they end.
    let digits_onto = |mut i: usize, m: &mut u64| {
        while let Some(d) = text
            .get(i)
            .map(|b| b.wrapping_sub(b'0'))
            .filter(|&d| d < 10)
        {
            *m = m.wrapping_mul(10).wrapping_add(u64::from(d));
            i += 1;
        }
        i
    };
    let mut m: u64 = 0;
    let int_end = digits_onto(i, &mut m);
    let mut digits = int_end - i;
    i = int_end;
    let mut places = 0;
    if text.get(i) == Some(&b'.') {
        let end = digits_onto(i + 1, &mut m);
        places = end - (i + 1);
        digits += places;
        i = end;
    }
    if digits == 0 || digits > 19 || m > 1 << 53 || places >= POW10.len() {
        return None;
    }
    Some((m, places, i))
}

/// Powers of ten under eight digits, as integers.
const POW10_INT: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

#[cfg(test)]
mod tests {
    use super::super::fields::Missing;
    use super::super::records::{parse_records, ReadSlice};
    use super::*;
    use proptest::prelude::*;

    /// What a reader made of a slice: its columns, rows, bytes consumed and last record, or
    /// its fault; and the columns it found text in.
    fn outcome(
        read: ReadSlice,
        bytes: &[u8],
        last: bool,
        layout: &Layout,
        modes: &[Mode],
        max_rows: usize,
    ) -> String {
        let mut parts: Vec<Part> = modes.iter().map(|&m| Part::empty(m)).collect();
        let mut not_numbers = vec![false; modes.len()];
        let result = match read(
            bytes,
            last,
            layout,
            modes,
            max_rows,
            &mut parts,
            &mut not_numbers,
        ) {
            Ok(p) => {
                let columns: Vec<String> = parts
                    .into_iter()
                    .map(|c| format!("{:?}", c.into_column()))
                    .collect();
                format!(
                    "{columns:?} rows {} consumed {} last {:?}",
                    p.rows, p.consumed, p.last_record
                )
            }
            Err(fault) => format!("{fault:?}"),
        };
        format!("{result}; text in {not_numbers:?}")
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Quote-free bytes read here (by this CPU's reader and the portable one) and by
        /// csv-core give the same answer, faults included. Texts run past 64 bytes, where the
        /// separators' windows meet, and 16, where decimals are read at once.
        #[test]
        fn reads_quote_free_bytes_as_csv_core_does(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b','), Just(b'\n'), Just(b'\r'), Just(b'1'), Just(b'.'), Just(b'-'),
                    Just(b'e'), Just(b'a'), Just(b' '), Just(0xc3), Just(0xa9), Just(0xff),
                    Just(b'7'), Just(b'0'),
                ],
                0..160,
            ),
            last in any::<bool>(),
            columns in 1usize..4,
            max_field_bytes in prop_oneof![Just(usize::MAX), 1usize..6],
            max_rows in prop_oneof![Just(usize::MAX), 0usize..4],
            declared in any::<bool>(),
            delimiter in prop_oneof![3 => Just(b','), 1 => Just(b'e')],
        ) {
            let missing = Missing::new(&["".to_string(), "a".to_string()]);
            let layout = Layout { delimiter, columns, missing: &missing, max_field_bytes };
            let first = if declared { Mode::Number } else { Mode::Infer };
            let modes: Vec<Mode> =
                (0..columns).map(|j| if j == 2 { Mode::Text } else { first }).collect();
            // A delimiter that can be in a number is left to csv-core.
            prop_assume!(applies(&bytes, false, &layout));
            let expected = outcome(parse_records, &bytes, last, &layout, &modes, max_rows);
            prop_assert_eq!(outcome(parse, &bytes, last, &layout, &modes, max_rows), expected.clone());
            prop_assert_eq!(
                outcome(parse_portable, &bytes, last, &layout, &modes, max_rows),
                expected
            );
        }
    }

    /// What csv-core's reader and this CPU's reader make of `text` (comma-delimited, the empty
    /// field missing) read as `modes`.
    fn both_readers(text: &[u8], modes: &[Mode]) -> (String, String) {
        let missing = Missing::new(&["".to_string()]);
        let layout = Layout {
            delimiter: b',',
            columns: modes.len(),
            missing: &missing,
            max_field_bytes: usize::MAX,
        };
        let read = |reader| outcome(reader, text, true, &layout, modes, usize::MAX);
        (read(parse_records), read(parse))
    }

    /// Read a column at a time, a batch of records still reports the fault that comes first
    /// in the file: the record before, though its faulty field is in a later column.
    #[test]
    fn the_first_fault_in_the_file_is_reported_not_the_first_in_a_column() {
        let (expected, found) =
            both_readers(b"1,2\n3,x\ny,4\n5,6\n", &[Mode::Number, Mode::Number]);
        assert!(
            expected.contains("BadNumber { record_start: 4, field: 1"),
            "{expected}"
        );
        assert_eq!(found, expected);
    }

    /// A faulty field in a batch read a column at a time: the text found in an earlier column
    /// of a later record is not kept (csv-core's reader never reaches that record).
    #[test]
    fn a_fault_keeps_the_text_flags_of_the_records_before_it_only() {
        let modes = [Mode::Infer, Mode::Infer, Mode::Text];
        let (expected, found) = both_readers(b"1,2,\xff\n3,a,b\n", &modes);
        assert!(
            expected.ends_with("NotUtf8 }; text in [false, false, false]"),
            "{expected}"
        );
        assert_eq!(found, expected);
    }

    fn std_parse(text: &str) -> Option<u64> {
        text.parse::<f64>().ok().map(f64::to_bits)
    }

    #[test]
    fn plain_decimals_are_what_str_parse_reads() {
        for case in [
            "0",
            "-0",
            "+0",
            "-0.0",
            "1.",
            ".5",
            "-.5",
            "+.5",
            "00012",
            "9007199254740992",
            "9007199254740993",
            "0.1",
            "0.3",
            "123456789.123456789",
            "1234567890123456789",
            "0.0000000000000000000001",
            "0.00000000000000000000001",
            "-1291.4498",
        ] {
            // Alone (read a byte at a time) and followed by a record (eight at a time).
            for text in [case.to_string(), format!("{case},0.1234567\n")] {
                if let Some((v, end)) = simple_number(text.as_bytes(), 0, b',') {
                    assert_eq!(end, case.len(), "{case}");
                    assert_eq!(Some(v.to_bits()), std_parse(case), "{case}");
                }
            }
        }
        // Left to the full reader.
        for case in [
            ".",
            "-",
            "+",
            "",
            "1e5",
            " 1",
            "1 ",
            "inf",
            "1.2.3",
            "12345678901234567890",
        ] {
            for text in [case.to_string(), format!("{case};12345678")] {
                assert_eq!(simple_number(text.as_bytes(), 0, b';'), None, "{case}");
            }
        }
        // Ends at a delimiter or a line end, not before.
        assert_eq!(simple_number(b"-2.5,x", 0, b','), Some((-2.5, 4)));
        assert_eq!(simple_number(b"-2.5,xxxxxxxxx", 0, b','), Some((-2.5, 4)));
        assert_eq!(simple_number(b"7\r\n", 0, b','), Some((7.0, 1)));
        assert_eq!(simple_number(b"7\r\n12345678", 0, b','), Some((7.0, 1)));
        assert_eq!(simple_number(b"7;", 0, b','), None);
        assert_eq!(simple_number(b"7;12345678", 0, b','), None);
        assert_eq!(simple_number(b"7.5e3,12345678", 0, b','), None);
        // A byte that differs from a digit in its high bit only.
        assert_eq!(simple_number(b"1\xb1,12345678", 0, b','), None);
    }

    proptest! {
        #[test]
        fn any_plain_decimal_has_the_bits_of_str_parse(
            sign in prop_oneof![Just(""), Just("-"), Just("+")],
            int in "[0-9]{0,9}",
            frac in proptest::option::of("[0-9]{0,9}"),
        ) {
            let text = match &frac {
                Some(f) => format!("{sign}{int}.{f}"),
                None => format!("{sign}{int}"),
            };
            // At the end of the text, and followed by more (read eight bytes at a time).
            for padded in [text.clone(), format!("{text},12345678\n")] {
                if let Some((v, end)) = simple_number(padded.as_bytes(), 0, b',') {
                    prop_assert_eq!(end, text.len());
                    prop_assert_eq!(Some(v.to_bits()), std_parse(&text), "{}", text);
                } else {
                    // Only text with no digit, or too many for an exact double, is left over.
                    let digits = text.bytes().filter(u8::is_ascii_digit).count();
                    prop_assert!(digits == 0 || digits > 15, "{}", text);
                }
            }
        }
    }
}
