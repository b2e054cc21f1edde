//! Quotes left open: the usual cause of a ragged row or a giant field, and the better message.

use super::records::Layout;
use csv_core::ReadRecordResult;
use std::io::Read;

/// RFC 4180 quoting, scanned a piece at a time (`""` inside quotes is a quote): where a quote
/// opened a field and whether it is still open.
#[derive(Debug)]
pub(super) struct QuoteScan {
    delimiter: u8,
    in_quotes: bool,
    field_start: bool,
    /// Inside quotes, the last byte was a quote: it closes them unless a quote follows.
    quote_pending: bool,
    opened: usize,
    offset: usize,
}

impl QuoteScan {
    pub(super) fn new(delimiter: u8) -> Self {
        QuoteScan {
            delimiter,
            in_quotes: false,
            field_start: true,
            quote_pending: false,
            opened: 0,
            offset: 0,
        }
    }

    pub(super) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.quote_pending {
                self.quote_pending = false;
                if b == b'"' {
                    self.offset += 1;
                    continue;
                }
                self.in_quotes = false;
            }
            if self.in_quotes {
                self.quote_pending = b == b'"';
            } else if self.field_start && b == b'"' {
                (self.in_quotes, self.field_start, self.opened) = (true, false, self.offset);
            } else {
                self.field_start = b == self.delimiter || b == b'\n' || b == b'\r';
            }
            self.offset += 1;
        }
    }

    /// The offset (from the first byte fed) of the quote still open, if one is.
    pub(super) fn open_quote(&self) -> Option<usize> {
        (self.in_quotes && !self.quote_pending).then_some(self.opened)
    }
}

/// The offset of a quote in `bytes` that opens a field and is never closed.
pub(super) fn unterminated_quote(bytes: &[u8], delimiter: u8) -> Option<usize> {
    let mut scan = QuoteScan::new(delimiter);
    scan.feed(bytes);
    scan.open_quote()
}

/// How a field found over the size limit ends.
#[derive(Debug)]
pub(super) enum LongField {
    /// It ends, this long.
    Ends(usize),
    /// A quote opened before it is never closed: the rest of the file would be read into it.
    QuoteLeftOpen,
}

/// Follows the record that starts `prefix` (and goes on in `rest`) to the end of its field
/// `field` (0-based) without keeping the field: its length, or an open quote that runs to the
/// end of the file.
pub(super) fn follow_long_field(
    prefix: &[u8],
    rest: &mut dyn Read,
    layout: &Layout,
    field: usize,
) -> std::io::Result<LongField> {
    let mut reader = layout.reader();
    let mut scan = QuoteScan::new(layout.delimiter);
    // Output is thrown away as it comes; csv-core's field ends count the whole record.
    let mut scratch = vec![0u8; 1 << 16];
    let mut end = [0usize; 1];
    let (mut fields, mut field_start) = (0, 0);
    let mut chunk = vec![0u8; 1 << 20];
    let mut data: &[u8] = prefix;
    let mut eof = false;
    loop {
        scan.feed(data);
        let mut pos = 0;
        loop {
            let (result, nin, _, nend) = reader.read_record(&data[pos..], &mut scratch, &mut end);
            pos += nin;
            if nend == 1 {
                if fields == field {
                    // A field that ends only because the file does may be a quote left open.
                    let open = eof && pos == data.len() && scan.open_quote().is_some();
                    return Ok(if open {
                        LongField::QuoteLeftOpen
                    } else {
                        LongField::Ends(end[0] - field_start)
                    });
                }
                (fields, field_start) = (fields + 1, end[0]);
            }
            match result {
                ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
                ReadRecordResult::InputEmpty if !eof => break,
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::Record | ReadRecordResult::End => {
                    // The record (or the file) ended first: the field ran to its end.
                    return Ok(match scan.open_quote() {
                        Some(_) => LongField::QuoteLeftOpen,
                        None => LongField::Ends(end[0].saturating_sub(field_start)),
                    });
                }
            }
        }
        let n = rest.read(&mut chunk)?;
        eof = n == 0;
        data = &chunk[..n];
    }
}
