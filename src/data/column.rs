use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The kind of a column: numeric or categorical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Real numbers; missing is `NaN` or a masked position.
    Numeric,
    /// A value from a set of levels; missing is `None`.
    Categorical,
}

impl fmt::Display for ColumnKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
        })
    }
}

/// One column of a [`Dataset`](super::Dataset).
///
/// ```
/// use mlharness::data::{Column, ColumnKind};
/// let c = Column::categorical([Some("yes"), None, Some("no")]);
/// assert_eq!(c.kind(), ColumnKind::Categorical);
/// assert_eq!((c.len(), c.missing_count()), (3, 1));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers.
    Numeric(Numeric),
    /// Categories.
    Categorical(Categorical),
}

impl Column {
    /// A numeric column in which `NaN` means missing.
    pub fn numeric(values: Vec<f64>) -> Self {
        Column::Numeric(Numeric { values, mask: None })
    }

    /// A numeric column with an explicit missing mask (`true` = missing). With a mask, a `NaN`
    /// that is not masked is a value — the "NaN" oddity a schema flags — not a missing one.
    ///
    /// ```
    /// use mlharness::data::Column;
    /// let c = Column::numeric_masked(vec![1.0, f64::NAN, 0.0], vec![false, false, true])?;
    /// assert_eq!(c.missing_count(), 1);
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn numeric_masked(values: Vec<f64>, mask: Vec<bool>) -> Result<Self, super::DataError> {
        if values.len() != mask.len() {
            return Err(super::DataError::LengthMismatch {
                column: "<mask>".into(),
                expected: values.len(),
                found: mask.len(),
            });
        }
        Ok(Column::Numeric(Numeric {
            values,
            mask: Some(mask),
        }))
    }

    /// A categorical column from optional strings; levels are the distinct values, sorted.
    pub fn categorical<I, S>(values: I) -> Self
    where
        I: IntoIterator<Item = Option<S>>,
        S: AsRef<str>,
    {
        let raw: Vec<Option<String>> = values
            .into_iter()
            .map(|v| v.map(|s| s.as_ref().to_string()))
            .collect();
        let levels: Vec<String> = raw
            .iter()
            .flatten()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let codes = raw
            .iter()
            .map(|v| {
                v.as_ref()
                    .map(|s| levels.binary_search(s).expect("level collected above") as u32)
            })
            .collect();
        Column::Categorical(Categorical { levels, codes })
    }

    /// A categorical column from its levels, already sorted and distinct, and per row a code.
    pub(crate) fn from_sorted_levels(levels: Vec<String>, codes: Vec<Option<u32>>) -> Self {
        debug_assert!(levels.windows(2).all(|w| w[0] < w[1]));
        Column::Categorical(Categorical { levels, codes })
    }

    /// Numeric or categorical.
    pub fn kind(&self) -> ColumnKind {
        match self {
            Column::Numeric(_) => ColumnKind::Numeric,
            Column::Categorical(_) => ColumnKind::Categorical,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(n) => n.len(),
            Column::Categorical(c) => c.codes.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Column::Numeric(n) => n.is_missing(i),
            Column::Categorical(c) => c.codes[i].is_none(),
        }
    }

    /// Number of missing values.
    pub fn missing_count(&self) -> usize {
        (0..self.len()).filter(|&i| self.is_missing(i)).count()
    }

    pub(crate) fn take(&self, rows: &[usize]) -> Self {
        match self {
            Column::Numeric(n) => Column::Numeric(Numeric {
                values: rows.iter().map(|&r| n.values[r]).collect(),
                mask: n
                    .mask
                    .as_ref()
                    .map(|m| rows.iter().map(|&r| m[r]).collect()),
            }),
            Column::Categorical(c) => Column::Categorical(Categorical {
                levels: c.levels.clone(),
                codes: rows.iter().map(|&r| c.codes[r]).collect(),
            }),
        }
    }
}

/// A numeric column: values, and optionally an explicit missing mask.
#[derive(Debug, Clone, PartialEq)]
pub struct Numeric {
    values: Vec<f64>,
    mask: Option<Vec<bool>>,
}

impl Numeric {
    /// The raw values (a missing one is `NaN` unless the column has a mask).
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The values' storage (a mask dropped), to be filled again.
    pub(crate) fn into_values(self) -> Vec<f64> {
        self.values
    }

    /// The values and the mask, taken apart.
    pub(crate) fn into_parts(self) -> (Vec<f64>, Option<Vec<bool>>) {
        (self.values, self.mask)
    }

    /// The explicit missing mask, if the column has one.
    pub fn mask(&self) -> Option<&[bool]> {
        self.mask.as_deref()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// True when row `i` is missing: masked, or `NaN` in a column without a mask.
    pub fn is_missing(&self, i: usize) -> bool {
        match &self.mask {
            Some(m) => m[i],
            None => self.values[i].is_nan(),
        }
    }

    /// The median of the present values (the mean of the two middle ones for an even count,
    /// as numpy's `median`), or `None` when no value is present.
    ///
    /// ```
    /// use mlharness::data::Column;
    /// let Column::Numeric(n) = Column::numeric(vec![4.0, f64::NAN, 1.0, 3.0, 2.0]) else { unreachable!() };
    /// assert_eq!(n.median(), Some(2.5));
    /// ```
    pub fn median(&self) -> Option<f64> {
        let mut present: Vec<f64> = self.present().collect();
        if present.is_empty() {
            return None;
        }
        present.sort_by(f64::total_cmp);
        let m = present.len();
        Some(if m % 2 == 1 {
            present[m / 2]
        } else {
            (present[m / 2 - 1] + present[m / 2]) / 2.0
        })
    }

    /// The `p` quantile of the present values, interpolating linearly between order statistics
    /// (numpy's default method), or `None` when no value is present.
    ///
    /// ```
    /// use mlharness::data::Column;
    /// let Column::Numeric(n) = Column::numeric(vec![4.0, f64::NAN, 1.0, 3.0, 2.0]) else { unreachable!() };
    /// assert_eq!(n.quantile(0.25), Some(1.75));
    /// ```
    pub fn quantile(&self, p: f64) -> Option<f64> {
        let mut present: Vec<f64> = self.present().collect();
        if present.is_empty() {
            return None;
        }
        present.sort_by(f64::total_cmp);
        Some(quantile_sorted(&present, p))
    }

    /// The present values, in row order.
    pub fn present(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.values.len())
            .filter(|&i| !self.is_missing(i))
            .map(|i| self.values[i])
    }
}

/// A categorical column: sorted levels and, per row, the index of its level (`None` = missing).
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    levels: Vec<String>,
    codes: Vec<Option<u32>>,
}

impl Categorical {
    /// The distinct values, sorted.
    pub fn levels(&self) -> &[String] {
        &self.levels
    }

    /// The codes' storage, to be filled again.
    pub(crate) fn into_codes(self) -> Vec<Option<u32>> {
        self.codes
    }

    /// Per row, the index into [`levels`](Self::levels), or `None` when missing.
    pub fn codes(&self) -> &[Option<u32>] {
        &self.codes
    }

    /// The value in row `i` (`None` when missing).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.codes[i].map(|c| self.levels[c as usize].as_str())
    }

    /// The index of a level, if the column has it.
    pub fn level_code(&self, level: &str) -> Option<u32> {
        self.levels
            .binary_search_by(|l| l.as_str().cmp(level))
            .ok()
            .map(|i| i as u32)
    }

    /// Per level, how many rows hold it.
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.levels.len()];
        for c in self.codes.iter().flatten() {
            counts[*c as usize] += 1;
        }
        counts
    }
}

/// The `p` quantile of sorted, non-empty values with linear interpolation (numpy's default).
pub(crate) fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let pos = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    match sorted.get(i + 1) {
        Some(&next) if frac > 0.0 => sorted[i] + frac * (next - sorted[i]),
        _ => sorted[i],
    }
}
