//! Small aligned text tables, the shape every failure message of mlharness takes.
//!
//! ```
//! use mlharness::table::Table;
//! let mut t = Table::new(["column", "violation", "count"]).right_align(2);
//! t.row(["tenure", "out_of_range", "12"]);
//! t.row(["plan", "unseen_category", "3"]);
//! assert_eq!(
//!     t.to_string(),
//!     "  column  violation        count\n  tenure  out_of_range        12\n  plan    unseen_category      3\n"
//! );
//! ```

use serde::ser::{Serialize, SerializeStruct, Serializer};
use std::fmt;

/// A text table: a header, rows of cells, columns padded to their widest cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    right: Vec<bool>,
    indent: usize,
    rule: bool,
}

impl Table {
    /// A table with these column headers, indented by two spaces. With every header blank,
    /// no header line is drawn (a list of labelled lines).
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let header: Vec<String> = header.into_iter().map(|s| s.as_ref().to_string()).collect();
        let right = vec![false; header.len()];
        Table {
            header,
            rows: Vec::new(),
            right,
            indent: 2,
            rule: false,
        }
    }

    /// Right-aligns column `index` (for numbers).
    pub fn right_align(mut self, index: usize) -> Self {
        if let Some(r) = self.right.get_mut(index) {
            *r = true;
        }
        self
    }

    /// Sets the indent of every line (default 2).
    pub fn indent(mut self, spaces: usize) -> Self {
        self.indent = spaces;
        self
    }

    /// Draws a line of dashes under the header (for tables read on their own, such as a
    /// check's outcome).
    pub fn with_rule(mut self) -> Self {
        self.rule = true;
        self
    }

    /// The column headers.
    pub fn headers(&self) -> &[String] {
        &self.header
    }

    /// The rows, as given.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// Adds a row; missing cells are blank, extra cells are kept.
    pub fn row<I, S>(&mut self, cells: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Number of rows, the header not counted.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

impl Serialize for Table {
    // The layout (alignment, indent) is for text; the serde form is the cells.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Table", 2)?;
        s.serialize_field("header", &self.header)?;
        s.serialize_field("rows", &self.rows)?;
        s.end()
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self
            .rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![0; n];
        for line in std::iter::once(&self.header).chain(&self.rows) {
            for (w, cell) in widths.iter_mut().zip(line) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
        // A table whose header cells are all blank is a list of labelled lines: no header.
        let headed = self.header.iter().any(|h| !h.is_empty());
        let rule_line = (self.rule && headed).then_some(&rule);
        let lines = std::iter::once(&self.header)
            .filter(|_| headed)
            .chain(rule_line)
            .chain(&self.rows);
        for line in lines {
            let mut text = " ".repeat(self.indent);
            for (j, w) in widths.iter().enumerate() {
                let cell = line.get(j).map_or("", String::as_str);
                let pad = w - cell.chars().count();
                if j > 0 {
                    text.push_str("  ");
                }
                if self.right.get(j).copied().unwrap_or(false) {
                    text.push_str(&" ".repeat(pad));
                    text.push_str(cell);
                } else {
                    text.push_str(cell);
                    text.push_str(&" ".repeat(pad));
                }
            }
            writeln!(f, "{}", text.trim_end())?;
        }
        Ok(())
    }
}

/// A number as people read it in a report: plain when moderate (`72`, `0.25`), scientific when
/// huge or tiny (`1e300`, `2.5e-7`), and `NaN`, `inf`, `-inf` as such.
///
/// ```
/// use mlharness::table::number;
/// assert_eq!(number(72.0), "72");
/// assert_eq!(number(-1e300), "-1e300");
/// assert_eq!(number(0.000_000_25), "2.5e-7");
/// ```
pub fn number(x: f64) -> String {
    number_inner(x)
}

/// `x` to `digits` significant digits (at least 1), trailing zeros dropped, in [`number`]'s
/// notation: for example rows of a table, where the full 17 digits of a probability are noise
/// to a reader (a column of differences keeps [`number`]).
///
/// ```
/// use mlharness::table::significant;
/// assert_eq!(significant(0.09412263458224757, 4), "0.09412");
/// assert_eq!(significant(1234567.0, 3), "1230000");
/// assert_eq!(significant(2.5e-7, 3), "2.5e-7");
/// assert_eq!(significant(f64::NAN, 3), "NaN");
/// ```
pub fn significant(x: f64, digits: u32) -> String {
    if !x.is_finite() || x == 0.0 {
        return number(x);
    }
    let digits = digits.max(1) as i32;
    let magnitude = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - magnitude);
    let rounded = (x * scale).round() / scale;
    // Parsing the rounded text back drops the float noise of the division.
    let text = format!("{:.*e}", (digits - 1) as usize, rounded);
    number(text.parse().unwrap_or(rounded))
}

fn number_inner(x: f64) -> String {
    let a = x.abs();
    if x.is_finite() && a != 0.0 && !(1e-4..1e9).contains(&a) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}
