//! Datasets: a columnar table of named numeric and categorical columns.
//!
//! A [`Dataset`] holds columns of equal length, each either [`Column::Numeric`]
//! (a missing value is `NaN`, or a position set in an explicit mask) or
//! [`Column::Categorical`] (a missing value is `None`). One column may be the
//! target. Datasets load from CSV ([`Dataset::from_csv`]), build from `ndarray`
//! arrays ([`Dataset::from_array`]), encode to `Array2<f64>` for models
//! ([`Dataset::to_array`]), split ([`Dataset::split_random`],
//! [`Dataset::split_stratified`], [`Dataset::split_ordered`]) and slice
//! ([`Dataset::filter`], [`Dataset::slice`]).
//!
//! ```
//! use mlharness::data::{Column, Dataset};
//!
//! let ds = Dataset::from_columns(vec![
//!     ("age".into(), Column::numeric(vec![31.0, f64::NAN, 45.0])),
//!     ("plan".into(), Column::categorical([Some("basic"), Some("pro"), None])),
//! ])?
//! .with_target("plan")?;
//! assert_eq!(ds.n_rows(), 3);
//! assert_eq!(ds.column("age")?.missing_count(), 1);
//! assert_eq!(ds.feature_names(), vec!["age"]);
//! # Ok::<(), mlharness::data::DataError>(())
//! ```

mod column;
#[cfg(feature = "arrow")]
mod columnar;
pub(crate) mod csv;
mod error;
mod format;
mod levels;
pub(crate) mod split;

pub(crate) use self::column::quantile_sorted;
pub use self::column::{Categorical, Column, ColumnKind, Numeric};
#[cfg(feature = "arrow")]
pub(crate) use self::columnar::{for_each_ipc_batch, for_each_parquet_chunk};
pub use self::csv::{CsvOptions, MAX_FIELD_BYTES};
pub use self::error::{DataError, Part, Place};
pub use self::format::DataFormat;
pub(crate) use self::split::rng;
pub use self::split::Split;

use ndarray::{Array2, ArrayView2};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A table of named, equally long columns, with an optional target column.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    names: Vec<String>,
    columns: Vec<Column>,
    index: HashMap<String, usize>,
    target: Option<usize>,
    n_rows: usize,
    source: Option<PathBuf>,
}

/// Class labels of a categorical target: the class names and, per row, an index into them.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// let ds = Dataset::from_columns(vec![("y".into(), Column::categorical([Some("b"), Some("a")]))])?
///     .with_target("y")?;
/// let labels = ds.target_labels()?;
/// assert_eq!(labels.classes, vec!["a", "b"]);
/// assert_eq!(labels.y, vec![1, 0]);
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// Class names, sorted.
    pub classes: Vec<String>,
    /// Per row, the index of its class in `classes`.
    pub y: Vec<usize>,
}

/// One row of a dataset, as seen by a [`Dataset::filter`] predicate.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    data: &'a Dataset,
    index: usize,
}

impl Row<'_> {
    /// The row's position in the dataset (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The value of a numeric column in this row (`NaN` when missing).
    pub fn number(&self, column: &str) -> Result<f64, DataError> {
        let col = self.data.numeric(column)?;
        Ok(if col.is_missing(self.index) {
            f64::NAN
        } else {
            col.values()[self.index]
        })
    }

    /// The value of a categorical column in this row (`None` when missing).
    pub fn category(&self, column: &str) -> Result<Option<&str>, DataError> {
        Ok(self.data.categorical(column)?.get(self.index))
    }
}

impl Dataset {
    /// Builds a dataset from named columns. Names must be unique and columns equally long.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// let err = Dataset::from_columns(vec![
    ///     ("a".into(), Column::numeric(vec![1.0])),
    ///     ("b".into(), Column::numeric(vec![1.0, 2.0])),
    /// ]).unwrap_err();
    /// assert!(err.to_string().contains("column `b` has 2 rows"));
    /// ```
    pub fn from_columns(columns: Vec<(String, Column)>) -> Result<Self, DataError> {
        let n_rows = columns.first().map_or(0, |(_, c)| c.len());
        let mut ds = Dataset {
            names: Vec::with_capacity(columns.len()),
            columns: Vec::with_capacity(columns.len()),
            index: HashMap::with_capacity(columns.len()),
            target: None,
            n_rows,
            source: None,
        };
        for (name, column) in columns {
            ds.push_column(name, column)?;
        }
        Ok(ds)
    }

    /// Builds a dataset of numeric columns from a 2-D array, one name per array column.
    ///
    /// ```
    /// use mlharness::data::Dataset;
    /// use ndarray::array;
    /// let ds = Dataset::from_array(&["x", "y"], array![[1.0, 2.0], [3.0, 4.0]].view())?;
    /// assert_eq!(ds.numeric("y")?.values(), &[2.0, 4.0]);
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn from_array(names: &[&str], array: ArrayView2<'_, f64>) -> Result<Self, DataError> {
        if names.len() != array.ncols() {
            return Err(DataError::ShapeMismatch {
                names: names.len(),
                columns: array.ncols(),
            });
        }
        let columns = names
            .iter()
            .zip(array.columns())
            .map(|(name, col)| (name.to_string(), Column::numeric(col.to_vec())))
            .collect();
        Self::from_columns(columns)
    }

    /// Adds a column at the end.
    pub fn with_column(
        mut self,
        name: impl Into<String>,
        column: Column,
    ) -> Result<Self, DataError> {
        self.push_column(name.into(), column)?;
        Ok(self)
    }

    fn push_column(&mut self, name: String, column: Column) -> Result<(), DataError> {
        if self.index.contains_key(&name) {
            return Err(DataError::DuplicateColumn { column: name });
        }
        if self.columns.is_empty() {
            self.n_rows = column.len();
        } else if column.len() != self.n_rows {
            return Err(DataError::LengthMismatch {
                column: name,
                expected: self.n_rows,
                found: column.len(),
            });
        }
        self.index.insert(name.clone(), self.names.len());
        self.names.push(name);
        self.columns.push(column);
        Ok(())
    }

    /// Marks a column as the target (the label a model predicts).
    pub fn with_target(mut self, name: &str) -> Result<Self, DataError> {
        self.target = Some(self.position(name)?);
        Ok(self)
    }

    /// Removes the target mark (the column stays).
    pub fn without_target(mut self) -> Self {
        self.target = None;
        self
    }

    /// The same dataset with column `name` replaced by `column` (same place, same target):
    /// a perturbation for a behavioural test, or a fault for a test that proves a check
    /// catches it.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// let ds = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))])?;
    /// let doubled = ds.replace_column("x", Column::numeric(vec![2.0, 4.0]))?;
    /// assert_eq!(doubled.numeric("x")?.values(), &[2.0, 4.0]);
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn replace_column(&self, name: &str, column: Column) -> Result<Self, DataError> {
        let at = self.position(name)?;
        if column.len() != self.n_rows {
            return Err(DataError::LengthMismatch {
                column: name.to_string(),
                expected: self.n_rows,
                found: column.len(),
            });
        }
        let mut ds = self.clone();
        ds.columns[at] = column;
        Ok(ds)
    }

    /// Removes a column (a user-chosen feature set, or a schema's "missing column" case).
    pub fn without_column(&self, name: &str) -> Result<Self, DataError> {
        let drop = self.position(name)?;
        let kept = self
            .names
            .iter()
            .zip(&self.columns)
            .enumerate()
            .filter(|(i, _)| *i != drop)
            .map(|(_, (n, c))| (n.clone(), c.clone()))
            .collect();
        let mut ds = Self::from_columns(kept)?;
        ds.n_rows = self.n_rows;
        ds.source.clone_from(&self.source);
        if let Some(t) = self.target.filter(|&t| t != drop) {
            ds.target = Some(ds.position(&self.names[t])?);
        }
        Ok(ds)
    }

    /// The columns, in order, for their storage to be used again.
    pub(crate) fn into_columns(self) -> Vec<Column> {
        self.columns
    }

    /// The file this dataset was loaded from, if any.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    pub(crate) fn set_source(&mut self, path: &Path) {
        self.source = Some(path.to_path_buf());
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns, the target included.
    pub fn n_columns(&self) -> usize {
        self.columns.len()
    }

    /// True when the dataset has no rows.
    pub fn is_empty(&self) -> bool {
        self.n_rows == 0
    }

    /// Column names in order, the target included.
    pub fn column_names(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }

    /// Names of every column but the target, in order.
    pub fn feature_names(&self) -> Vec<&str> {
        self.names
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != self.target)
            .map(|(_, n)| n.as_str())
            .collect()
    }

    /// Name of the target column, if one is set.
    pub fn target_name(&self) -> Option<&str> {
        self.target.map(|t| self.names[t].as_str())
    }

    /// The target column, or [`DataError::NoTarget`].
    pub fn target(&self) -> Result<&Column, DataError> {
        self.target
            .map(|t| &self.columns[t])
            .ok_or(DataError::NoTarget)
    }

    pub(crate) fn position(&self, name: &str) -> Result<usize, DataError> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| DataError::UnknownColumn {
                column: name.to_string(),
                available: self.names.join(", "),
            })
    }

    /// The kind of the column at `position` (from [`Dataset::position`]).
    pub(crate) fn kind_at(&self, position: usize) -> ColumnKind {
        self.columns[position].kind()
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Result<&Column, DataError> {
        Ok(&self.columns[self.position(name)?])
    }

    /// Columns with their names, in order.
    pub fn columns(&self) -> impl Iterator<Item = (&str, &Column)> {
        self.names.iter().map(String::as_str).zip(&self.columns)
    }

    /// The numeric column with this name, or a [`DataError::WrongKind`] naming it.
    pub fn numeric(&self, name: &str) -> Result<&Numeric, DataError> {
        match self.column(name)? {
            Column::Numeric(n) => Ok(n),
            Column::Categorical(_) => Err(DataError::WrongKind {
                column: name.to_string(),
                expected: ColumnKind::Numeric,
                found: ColumnKind::Categorical,
            }),
        }
    }

    /// The categorical column with this name, or a [`DataError::WrongKind`] naming it.
    pub fn categorical(&self, name: &str) -> Result<&Categorical, DataError> {
        match self.column(name)? {
            Column::Categorical(c) => Ok(c),
            Column::Numeric(_) => Err(DataError::WrongKind {
                column: name.to_string(),
                expected: ColumnKind::Categorical,
                found: ColumnKind::Numeric,
            }),
        }
    }

    /// The target as class labels. A categorical target's classes are its levels; a numeric
    /// target's classes are its distinct values. A missing target value is an error naming the row.
    pub fn target_labels(&self) -> Result<Labels, DataError> {
        let name = self.target_name().ok_or(DataError::NoTarget)?;
        let missing = |row| DataError::MissingTarget {
            column: name.to_string(),
            row,
        };
        match self.target()? {
            Column::Categorical(c) => {
                let y = c
                    .codes()
                    .iter()
                    .enumerate()
                    .map(|(row, code)| code.map(|c| c as usize).ok_or_else(|| missing(row)))
                    .collect::<Result<_, _>>()?;
                Ok(Labels {
                    classes: c.levels().to_vec(),
                    y,
                })
            }
            Column::Numeric(n) => {
                if let Some(row) = (0..n.len()).find(|&i| n.is_missing(i)) {
                    return Err(missing(row));
                }
                let mut distinct: Vec<f64> = n.values().to_vec();
                distinct.sort_by(f64::total_cmp);
                distinct.dedup();
                let y = n
                    .values()
                    .iter()
                    .map(|v| distinct.partition_point(|d| d < v))
                    .collect();
                Ok(Labels {
                    classes: distinct.iter().map(|v| v.to_string()).collect(),
                    y,
                })
            }
        }
    }

    /// Per row, the index of its target class within `classes` (for instance a model's classes).
    /// A target value that is not one of `classes` is an error naming it.
    pub fn target_indices(&self, classes: &[String]) -> Result<Vec<usize>, DataError> {
        let labels = self.target_labels()?;
        let map: Vec<Option<usize>> = labels
            .classes
            .iter()
            .map(|c| classes.iter().position(|k| k == c))
            .collect();
        labels
            .y
            .iter()
            .enumerate()
            .map(|(row, &l)| {
                map[l].ok_or_else(|| DataError::UnknownClass {
                    class: labels.classes[l].clone(),
                    row,
                    known: classes.join(", "),
                })
            })
            .collect()
    }

    /// The target as numbers (regression), or an error if it is categorical or has a missing value.
    pub fn target_values(&self) -> Result<&[f64], DataError> {
        let name = self.target_name().ok_or(DataError::NoTarget)?;
        let n = self.numeric(name)?;
        if let Some(row) = (0..n.len()).find(|&i| n.is_missing(i)) {
            return Err(DataError::MissingTarget {
                column: name.to_string(),
                row,
            });
        }
        Ok(n.values())
    }

    /// Encodes the named columns as a `rows × columns` matrix for a model: numeric values as
    /// they are (missing as `NaN`), categorical values as their level index (missing as `NaN`).
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// let ds = Dataset::from_columns(vec![
    ///     ("x".into(), Column::numeric(vec![0.5, 1.5])),
    ///     ("c".into(), Column::categorical([Some("b"), Some("a")])),
    /// ])?;
    /// let m = ds.to_array(&["x", "c"])?;
    /// assert_eq!(m, ndarray::array![[0.5, 1.0], [1.5, 0.0]]);
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn to_array(&self, columns: &[&str]) -> Result<Array2<f64>, DataError> {
        let cols: Vec<&Column> = columns
            .iter()
            .map(|c| self.column(c))
            .collect::<Result<_, _>>()?;
        let mut out = Array2::<f64>::zeros((self.n_rows, cols.len()));
        for (j, col) in cols.iter().enumerate() {
            let mut dst = out.column_mut(j);
            match col {
                Column::Numeric(n) => {
                    for (i, d) in dst.iter_mut().enumerate() {
                        *d = if n.is_missing(i) {
                            f64::NAN
                        } else {
                            n.values()[i]
                        };
                    }
                }
                Column::Categorical(c) => {
                    for (d, code) in dst.iter_mut().zip(c.codes()) {
                        *d = code.map_or(f64::NAN, f64::from);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Encodes every feature column (all but the target); see [`Dataset::to_array`].
    pub fn features_array(&self) -> Result<Array2<f64>, DataError> {
        self.to_array(&self.feature_names())
    }

    /// A new dataset with the given rows, in the given order (indices may repeat).
    /// Categorical levels are kept, so encodings stay aligned with the original.
    pub fn take(&self, rows: &[usize]) -> Result<Self, DataError> {
        if let Some(&bad) = rows.iter().find(|&&r| r >= self.n_rows) {
            return Err(DataError::RowOutOfRange {
                row: bad,
                n_rows: self.n_rows,
            });
        }
        Ok(Dataset {
            names: self.names.clone(),
            columns: self.columns.iter().map(|c| c.take(rows)).collect(),
            index: self.index.clone(),
            target: self.target,
            n_rows: rows.len(),
            source: self.source.clone(),
        })
    }

    /// The row at `index`, for reading values by column name.
    pub fn row(&self, index: usize) -> Result<Row<'_>, DataError> {
        if index >= self.n_rows {
            return Err(DataError::RowOutOfRange {
                row: index,
                n_rows: self.n_rows,
            });
        }
        Ok(Row { data: self, index })
    }

    /// The rows for which `predicate` holds (a data slice). The predicate reads values through
    /// [`Row`], so a misspelt column is an error rather than a silently empty slice.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// let ds = Dataset::from_columns(vec![("age".into(), Column::numeric(vec![20.0, 50.0, 70.0]))])?;
    /// let older = ds.filter(|row| Ok(row.number("age")? >= 50.0))?;
    /// assert_eq!(older.n_rows(), 2);
    /// assert!(ds.filter(|row| Ok(row.number("agge")? > 0.0)).is_err());
    /// # Ok::<(), mlharness::data::DataError>(())
    /// ```
    pub fn filter<F>(&self, mut predicate: F) -> Result<Self, DataError>
    where
        F: FnMut(&Row<'_>) -> Result<bool, DataError>,
    {
        let mut keep = Vec::new();
        for index in 0..self.n_rows {
            if predicate(&Row { data: self, index })? {
                keep.push(index);
            }
        }
        self.take(&keep)
    }

    /// The rows whose categorical `column` equals `value`.
    pub fn slice(&self, column: &str, value: &str) -> Result<Self, DataError> {
        let c = self.categorical(column)?;
        let rows: Vec<usize> = match c.level_code(value) {
            Some(code) => (0..self.n_rows)
                .filter(|&i| c.codes()[i] == Some(code))
                .collect(),
            None => Vec::new(),
        };
        self.take(&rows)
    }

    /// One slice per level of a categorical column, in level order, empty slices left out.
    pub fn slices(&self, column: &str) -> Result<Vec<(String, Self)>, DataError> {
        let c = self.categorical(column)?;
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); c.levels().len()];
        for (i, code) in c.codes().iter().enumerate() {
            if let Some(code) = code {
                rows[*code as usize].push(i);
            }
        }
        c.levels()
            .iter()
            .zip(rows)
            .filter(|(_, r)| !r.is_empty())
            .map(|(level, r)| Ok((level.clone(), self.take(&r)?)))
            .collect()
    }
}
