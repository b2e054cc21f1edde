//! Datasets from Arrow record batches, Parquet files and Arrow IPC files (feature `arrow`).
//!
//! Floating-point and integer columns become numeric columns, strings, dictionaries and
//! booleans categorical ones (`false`/`true`, as a CSV file spells them). A null is a missing
//! value; a NaN that is not null stays a value (the "NaN" oddity a schema flags). Nested and
//! temporal types are refused with the column named: cast them to a string or a number first.
//!
//! A polars or DataFusion frame reaches a [`Dataset`] through Arrow: polars' `to_arrow()` (or
//! the Arrow C stream), DataFusion's `collect()`, give record batches, and
//! [`Dataset::from_record_batches`] takes each `f64` column's buffer as it is when it owns it
//! (a Rust `Vec`), and copies it in one `memcpy` otherwise, never value by value.
//!
//! ```
//! use arrow_array::{Float64Array, RecordBatch, StringArray};
//! use mlharness::data::Dataset;
//! use std::sync::Arc;
//!
//! // As `df.collect().await?` (DataFusion) or a polars frame exported to Arrow would give.
//! let batch = RecordBatch::try_from_iter([
//!     ("minutes", Arc::new(Float64Array::from(vec![Some(181.0), None, Some(12.5)])) as _),
//!     ("plan", Arc::new(StringArray::from(vec![Some("basic"), Some("pro"), None])) as _),
//! ])?;
//! let ds = Dataset::from_record_batches([batch])?;
//! assert_eq!(ds.n_rows(), 3);
//! assert!(ds.column("minutes")?.is_missing(1));
//! assert_eq!(ds.categorical("plan")?.get(1), Some("pro"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::levels::Interner;
use super::{Column, ColumnKind, CsvOptions, DataError, Dataset, Part, Place};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowDictionaryKeyType, Float32Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Integers beyond 2^53 have no exact `f64`: refused rather than rounded.
const EXACT_INT: u64 = 1 << 53;

/// One column being filled from batches.
enum Sink {
    Numbers {
        values: Vec<f64>,
        /// Set at the first null: which rows are missing.
        nulls: Option<Vec<bool>>,
        /// A NaN that is not null was seen: it stays a value, so the column needs a mask.
        nan_value: bool,
    },
    Text {
        interner: Interner,
        codes: Vec<Option<u32>>,
        /// Numbers declared categorical are written as text.
        from_numbers: bool,
    },
}

/// The kind a column of this Arrow type is read as, or `None` when it is not supported.
fn kind_of(data_type: &DataType) -> Option<ColumnKind> {
    match data_type {
        DataType::Float16 => None,
        t if t.is_floating() || t.is_integer() => Some(ColumnKind::Numeric),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean => {
            Some(ColumnKind::Categorical)
        }
        DataType::Dictionary(key, value)
            if key.is_integer()
                && matches!(
                    **value,
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
                ) =>
        {
            Some(ColumnKind::Categorical)
        }
        _ => None,
    }
}

/// Fills a dataset's columns from record batches of one schema.
struct Builder<'a> {
    path: Option<&'a Path>,
    schema: SchemaRef,
    sinks: Vec<Sink>,
}

impl<'a> Builder<'a> {
    fn new(
        path: Option<&'a Path>,
        schema: SchemaRef,
        options: &CsvOptions,
        rows: usize,
    ) -> Result<Self, DataError> {
        let mut sinks = Vec::with_capacity(schema.fields().len());
        for field in schema.fields() {
            let stored = kind_of(field.data_type()).ok_or_else(|| DataError::UnsupportedType {
                path: path.map(Path::to_path_buf),
                column: field.name().clone(),
                data_type: field.data_type().to_string(),
            })?;
            let kind = match (options.kinds.get(field.name()), stored) {
                (Some(ColumnKind::Numeric), ColumnKind::Categorical) => {
                    return Err(DataError::Columnar {
                        path: path.map(Path::to_path_buf).unwrap_or_default(),
                        place: Place {
                            part: None,
                            column: Some(field.name().clone()),
                        },
                        message: format!(
                            "declared numeric, but the file stores it as {}",
                            field.data_type()
                        ),
                    });
                }
                (Some(&declared), _) => declared,
                (None, stored) => stored,
            };
            sinks.push(match kind {
                ColumnKind::Numeric => Sink::Numbers {
                    values: Vec::with_capacity(rows),
                    nulls: None,
                    nan_value: false,
                },
                ColumnKind::Categorical => Sink::Text {
                    interner: Interner::default(),
                    codes: Vec::with_capacity(rows),
                    from_numbers: stored == ColumnKind::Numeric,
                },
            });
        }
        let names: std::collections::HashSet<&String> =
            schema.fields().iter().map(|f| f.name()).collect();
        let declared = options.kinds.keys().filter(|_| !options.lenient_kinds);
        if let Some(unknown) = declared
            .chain(options.target.as_ref())
            .find(|c| !names.contains(c))
        {
            return Err(DataError::UnknownDeclaredColumn {
                path: path.map(Path::to_path_buf).unwrap_or_default(),
                column: unknown.clone(),
                available: schema
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(Builder {
            path,
            schema,
            sinks,
        })
    }

    /// Appends a batch; `part` names it in errors. An owned, lone batch of `f64` columns
    /// hands its buffers over without a copy.
    fn push(&mut self, batch: RecordBatch, part: Option<Part>) -> Result<(), DataError> {
        let columns = Columns {
            path: self.path,
            schema: &self.schema,
            first: 0,
        };
        columns.push(&mut self.sinks, batch, part)
    }

    fn finish(self, options: &CsvOptions) -> Result<Dataset, DataError> {
        let columns = self
            .schema
            .fields()
            .iter()
            .zip(self.sinks)
            .map(|(field, sink)| {
                let column = match sink {
                    Sink::Numbers {
                        values,
                        nulls,
                        nan_value: false,
                    } => {
                        let _ = nulls;
                        Column::numeric(values)
                    }
                    Sink::Numbers { values, nulls, .. } => {
                        let n = values.len();
                        Column::numeric_masked(values, nulls.unwrap_or_else(|| vec![false; n]))
                            .expect("one mask entry per value")
                    }
                    Sink::Text {
                        interner,
                        mut codes,
                        ..
                    } => {
                        codes.shrink_to_fit();
                        interner.into_column(codes)
                    }
                };
                (field.name().clone(), column)
            })
            .collect();
        let mut ds = Dataset::from_columns(columns)?;
        if let Some(path) = self.path {
            ds.set_source(path);
        }
        match &options.target {
            Some(t) => ds.with_target(t),
            None => Ok(ds),
        }
    }
}

/// The columns from `first` on of a builder's schema: a batch of them is appended to their
/// sinks (all of a builder's at once, or a Parquet column on a core of its own).
#[derive(Clone, Copy)]
struct Columns<'s> {
    path: Option<&'s Path>,
    schema: &'s SchemaRef,
    first: usize,
}

impl Columns<'_> {
    fn error(&self, part: Option<Part>, column: usize, message: String) -> DataError {
        DataError::Columnar {
            path: self.path.map(Path::to_path_buf).unwrap_or_default(),
            place: Place {
                part,
                column: Some(self.schema.field(column).name().clone()),
            },
            message,
        }
    }

    /// Appends `batch`, whose columns are those of `sinks`, from `first` on.
    fn push(
        &self,
        sinks: &mut [Sink],
        batch: RecordBatch,
        part: Option<Part>,
    ) -> Result<(), DataError> {
        let expected = self
            .schema
            .fields()
            .iter()
            .skip(self.first)
            .take(sinks.len());
        if !batch.schema().fields().iter().eq(expected) {
            return Err(DataError::Columnar {
                path: self.path.map(Path::to_path_buf).unwrap_or_default(),
                place: Place { part, column: None },
                message: format!(
                    "the batch's columns differ from the first batch's: {} vs {}",
                    batch.schema(),
                    self.schema
                ),
            });
        }
        let columns: Vec<ArrayRef> = batch.columns().to_vec();
        drop(batch);
        for ((j, array), sink) in (self.first..).zip(columns).zip(sinks) {
            let result = match sink {
                Sink::Numbers {
                    values,
                    nulls,
                    nan_value,
                } => push_numbers(array, values, nulls, nan_value),
                Sink::Text {
                    interner,
                    codes,
                    from_numbers,
                } => push_text(&array, interner, codes, *from_numbers),
            };
            result.map_err(|message| self.error(part, j, message))?;
        }
        Ok(())
    }
}

fn push_numbers(
    array: ArrayRef,
    values: &mut Vec<f64>,
    nulls: &mut Option<Vec<bool>>,
    nan_value: &mut bool,
) -> Result<(), String> {
    let start = values.len();
    let null_buffer = array.logical_nulls();
    match array.data_type() {
        DataType::Float64 => {
            let data = array.to_data();
            drop(array);
            let (_, buffer, _) = arrow_array::Float64Array::from(data).into_parts();
            if values.is_empty() && values.capacity() <= buffer.len() {
                // The first batch: take its buffer when it is a `Vec` nobody else holds.
                match buffer.into_inner().into_vec::<f64>() {
                    Ok(owned) => *values = owned,
                    Err(shared) => values.extend_from_slice(shared.typed_data::<f64>()),
                }
            } else {
                values.extend_from_slice(&buffer);
            }
        }
        DataType::Float32 => extend_as::<Float32Type>(values, &array, |v| Ok(f64::from(v)))?,
        DataType::Int8 => extend_as::<Int8Type>(values, &array, |v| Ok(f64::from(v)))?,
        DataType::Int16 => extend_as::<Int16Type>(values, &array, |v| Ok(f64::from(v)))?,
        DataType::Int32 => extend_as::<Int32Type>(values, &array, |v| Ok(f64::from(v)))?,
        DataType::UInt8 => extend_as::<UInt8Type>(values, &array, |v| Ok(f64::from(v)))?,
        DataType::UInt16 => extend_as::<UInt16Type>(values, &array, |v| Ok(f64::from(v)))?,
        DataType::UInt32 => extend_as::<UInt32Type>(values, &array, |v| Ok(f64::from(v)))?,
        DataType::Int64 => extend_as::<Int64Type>(values, &array, |v| {
            if v.unsigned_abs() > EXACT_INT {
                Err(format!(
                    "{v} has no exact f64 (beyond 2^53): cast an ID like this to a string"
                ))
            } else {
                Ok(v as f64)
            }
        })?,
        DataType::UInt64 => extend_as::<UInt64Type>(values, &array, |v| {
            if v > EXACT_INT {
                Err(format!(
                    "{v} has no exact f64 (beyond 2^53): cast an ID like this to a string"
                ))
            } else {
                Ok(v as f64)
            }
        })?,
        other => return Err(format!("{other} is not a numeric type")),
    }
    let added = &mut values[start..];
    *nan_value |= added
        .iter()
        .enumerate()
        .any(|(i, v)| v.is_nan() && null_buffer.as_ref().is_none_or(|n| n.is_valid(i)));
    if let Some(n) = null_buffer.filter(|n| n.null_count() > 0) {
        let mask = nulls.get_or_insert_with(|| vec![false; start]);
        mask.extend(n.iter().map(|valid| !valid));
        for (v, valid) in added.iter_mut().zip(n.iter()) {
            if !valid {
                *v = f64::NAN;
            }
        }
    } else if let Some(mask) = nulls {
        mask.resize(values.len(), false);
    }
    Ok(())
}

/// Values of a primitive array as `f64` (nulls hold whatever the buffer has; masked after).
fn extend_as<T: ArrowPrimitiveType>(
    values: &mut Vec<f64>,
    array: &ArrayRef,
    convert: impl Fn(T::Native) -> Result<f64, String>,
) -> Result<(), String> {
    let array = array.as_primitive::<T>();
    values.reserve(array.len());
    for (i, &v) in array.values().iter().enumerate() {
        values.push(if array.is_valid(i) {
            convert(v)?
        } else {
            f64::NAN
        });
    }
    Ok(())
}

fn push_text(
    array: &ArrayRef,
    interner: &mut Interner,
    codes: &mut Vec<Option<u32>>,
    from_numbers: bool,
) -> Result<(), String> {
    codes.reserve(array.len());
    let mut add = |value: Option<&str>| -> Result<(), String> {
        let code = match value {
            Some(v) => Some(
                interner
                    .code(v.as_bytes())
                    .map_err(|_| format!("more than {} distinct values", u32::MAX))?,
            ),
            None => None,
        };
        codes.push(code);
        Ok(())
    };
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().try_for_each(&mut add),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().try_for_each(&mut add),
        DataType::Utf8View => array.as_string_view().iter().try_for_each(&mut add),
        DataType::Boolean => array
            .as_boolean()
            .iter()
            .try_for_each(|b| add(b.map(|b| if b { "true" } else { "false" }))),
        DataType::Dictionary(key, _) => match **key {
            DataType::Int8 => push_dictionary::<Int8Type>(array, &mut add),
            DataType::Int16 => push_dictionary::<Int16Type>(array, &mut add),
            DataType::Int32 => push_dictionary::<Int32Type>(array, &mut add),
            DataType::Int64 => push_dictionary::<Int64Type>(array, &mut add),
            DataType::UInt8 => push_dictionary::<UInt8Type>(array, &mut add),
            DataType::UInt16 => push_dictionary::<UInt16Type>(array, &mut add),
            DataType::UInt32 => push_dictionary::<UInt32Type>(array, &mut add),
            DataType::UInt64 => push_dictionary::<UInt64Type>(array, &mut add),
            ref other => Err(format!("dictionary keys of type {other}")),
        },
        _ if from_numbers => {
            // A numeric column declared categorical: its numbers as text.
            let mut values = Vec::with_capacity(array.len());
            let (mut nulls, mut nan) = (None, false);
            push_numbers(array.clone(), &mut values, &mut nulls, &mut nan)?;
            values.iter().enumerate().try_for_each(|(i, v)| {
                let missing = nulls.as_ref().is_some_and(|n: &Vec<bool>| n[i]);
                add((!missing).then(|| v.to_string()).as_deref())
            })
        }
        other => Err(format!("{other} is not a text type")),
    }
}

fn push_dictionary<K: ArrowDictionaryKeyType>(
    array: &ArrayRef,
    add: &mut impl FnMut(Option<&str>) -> Result<(), String>,
) -> Result<(), String> {
    let dict = array.as_dictionary::<K>();
    let values = dict.values();
    let text: Vec<Option<String>> = match values.data_type() {
        DataType::Utf8 => values
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        DataType::LargeUtf8 => values
            .as_string::<i64>()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        DataType::Utf8View => values
            .as_string_view()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect(),
        other => return Err(format!("dictionary values of type {other}")),
    };
    for key in dict.keys_iter() {
        add(key.and_then(|k| text.get(k).and_then(|v| v.as_deref())))?;
    }
    Ok(())
}

impl Dataset {
    /// A dataset from Arrow record batches of one schema (feature `arrow`); see the
    /// [module](self) for the types read. No batch: an error, for want of a schema.
    ///
    /// ```
    /// use arrow_array::{Int64Array, RecordBatch};
    /// use mlharness::data::Dataset;
    /// use std::sync::Arc;
    /// let batch = |v: Vec<i64>| RecordBatch::try_from_iter([("calls", Arc::new(Int64Array::from(v)) as _)]);
    /// let ds = Dataset::from_record_batches([batch(vec![1, 2])?, batch(vec![3])?])?;
    /// assert_eq!(ds.numeric("calls")?.values(), &[1.0, 2.0, 3.0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_record_batches(
        batches: impl IntoIterator<Item = RecordBatch>,
    ) -> Result<Dataset, DataError> {
        Self::from_record_batches_with(batches, &CsvOptions::default())
    }

    /// [`from_record_batches`](Self::from_record_batches) with the kinds and target of
    /// `options` (its delimiter and missing tokens do not apply to typed data).
    pub fn from_record_batches_with(
        batches: impl IntoIterator<Item = RecordBatch>,
        options: &CsvOptions,
    ) -> Result<Dataset, DataError> {
        let mut batches = batches.into_iter();
        let first = batches.next().ok_or_else(|| DataError::Columnar {
            path: PathBuf::new(),
            place: Place::default(),
            message: "no record batch: a dataset needs at least one, for its schema".into(),
        })?;
        let mut builder = Builder::new(None, first.schema(), options, first.num_rows())?;
        builder.push(first, Some(Part::Batch(0)))?;
        for (i, batch) in batches.enumerate() {
            builder.push(batch, Some(Part::Batch(i + 1)))?;
        }
        builder.finish(options)
    }

    /// Loads a Parquet file (feature `arrow`), a row group at a time; errors name the file,
    /// the row group and the column.
    ///
    /// ```
    /// use arrow_array::{Float64Array, RecordBatch};
    /// use mlharness::data::Dataset;
    /// use std::sync::Arc;
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("train.parquet");
    /// let batch = RecordBatch::try_from_iter([("x", Arc::new(Float64Array::from(vec![0.5, 1.5])) as _)])?;
    /// let mut writer = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path)?, batch.schema(), None)?;
    /// writer.write(&batch)?;
    /// writer.close()?;
    /// assert_eq!(Dataset::from_parquet(&path)?.numeric("x")?.values(), &[0.5, 1.5]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_parquet(path: impl AsRef<Path>) -> Result<Dataset, DataError> {
        Self::from_parquet_with(path, &CsvOptions::default())
    }

    /// [`from_parquet`](Self::from_parquet) with the kinds and target of `options`.
    pub fn from_parquet_with(
        path: impl AsRef<Path>,
        options: &CsvOptions,
    ) -> Result<Dataset, DataError> {
        parquet_file::read(path.as_ref(), options)
    }

    /// Loads an Arrow IPC file (feature `arrow`): the file format (`.arrow`, `.feather` v2) or
    /// the stream format, told apart by their first bytes.
    ///
    /// ```
    /// use arrow_array::{RecordBatch, StringArray};
    /// use mlharness::data::Dataset;
    /// use std::sync::Arc;
    /// # let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("current.arrow");
    /// let batch = RecordBatch::try_from_iter([("plan", Arc::new(StringArray::from(vec!["pro", "basic"])) as _)])?;
    /// let mut writer = arrow_ipc::writer::FileWriter::try_new(std::fs::File::create(&path)?, &batch.schema())?;
    /// writer.write(&batch)?;
    /// writer.finish()?;
    /// assert_eq!(Dataset::from_arrow_ipc(&path)?.categorical("plan")?.levels(), ["basic", "pro"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_arrow_ipc(path: impl AsRef<Path>) -> Result<Dataset, DataError> {
        Self::from_arrow_ipc_with(path, &CsvOptions::default())
    }

    /// [`from_arrow_ipc`](Self::from_arrow_ipc) with the kinds and target of `options`.
    pub fn from_arrow_ipc_with(
        path: impl AsRef<Path>,
        options: &CsvOptions,
    ) -> Result<Dataset, DataError> {
        ipc_file::read(path.as_ref(), options)
    }
}

impl Dataset {
    /// The dataset as one Arrow record batch (feature `arrow`), to write as Parquet or hand to
    /// polars or DataFusion: numeric columns as `Float64` (a missing value is null, a masked
    /// NaN stays NaN), categorical ones as `Utf8`.
    ///
    /// ```
    /// use mlharness::data::{Column, Dataset};
    /// # let dir = tempfile::tempdir()?;
    /// let ds = Dataset::from_columns(vec![
    ///     ("minutes".into(), Column::numeric(vec![181.0, f64::NAN])),
    ///     ("plan".into(), Column::categorical([Some("pro"), None])),
    /// ])?;
    /// let batch = ds.to_record_batch()?;
    /// let path = dir.path().join("edge.parquet");
    /// let mut writer = parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path)?, batch.schema(), None)?;
    /// writer.write(&batch)?;
    /// writer.close()?;
    /// let back = Dataset::from_parquet(&path)?;
    /// assert!(back.column("minutes")?.is_missing(1) && back.column("plan")?.is_missing(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_record_batch(&self) -> Result<RecordBatch, DataError> {
        let columns = self.columns().map(|(name, column)| {
            let array: ArrayRef = match column {
                Column::Numeric(n) => Arc::new(arrow_array::Float64Array::from_iter(
                    (0..n.len()).map(|i| (!n.is_missing(i)).then(|| n.values()[i])),
                )),
                Column::Categorical(c) => Arc::new(arrow_array::StringArray::from_iter(
                    (0..c.codes().len()).map(|i| c.get(i)),
                )),
            };
            (name.to_string(), array)
        });
        RecordBatch::try_from_iter(columns).map_err(|e| DataError::Columnar {
            path: self.source().map(Path::to_path_buf).unwrap_or_default(),
            place: Place::default(),
            message: e.to_string(),
        })
    }
}

fn io_error(path: &Path, source: std::io::Error) -> DataError {
    DataError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Calls into Parquet's or Arrow's decoder, which panic on some malformed files (found by
/// fuzzing: a dictionary page missing, a buffer shorter than it claims). Such a panic becomes
/// a message for an error that names the file and the part (and column) being read, as the
/// decoder's own errors do; only the decoder's calls are guarded, so a panic in this crate's
/// code is not hidden.
fn decode<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).map_err(|panic| {
        let reason = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no reason given".to_string());
        format!("the decoder failed on it ({reason}): the file is malformed or truncated")
    })
}

fn columnar(path: &Path, part: Option<Part>, message: impl std::fmt::Display) -> DataError {
    DataError::Columnar {
        path: path.to_path_buf(),
        place: Place { part, column: None },
        message: message.to_string(),
    }
}

pub(crate) use ipc_file::for_each_batch as for_each_ipc_batch;
pub(crate) use parquet_file::for_each_chunk as for_each_parquet_chunk;

mod parquet_file {
    use super::*;
    use parquet::arrow::arrow_reader::{
        ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
    };
    use parquet::arrow::ProjectionMask;
    use std::fs::File;

    /// The file's metadata, or an error naming the file.
    fn metadata(path: &Path) -> Result<ArrowReaderMetadata, DataError> {
        let file = File::open(path).map_err(|e| io_error(path, e))?;
        decode(|| ArrowReaderMetadata::load(&file, ArrowReaderOptions::default()))
            .map_err(|m| columnar(path, None, m))?
            .map_err(|e| columnar(path, None, format!("not a readable Parquet file: {e}")))
    }

    /// The rows the file says it holds.
    fn rows(meta: &ArrowReaderMetadata) -> usize {
        usize::try_from(meta.metadata().file_metadata().num_rows()).unwrap_or(0)
    }

    pub(super) fn read(path: &Path, options: &CsvOptions) -> Result<Dataset, DataError> {
        let meta = metadata(path)?;
        let rows = rows(&meta);
        let mut builder = Builder::new(Some(path), meta.schema().clone(), options, rows)?;
        // Every column is a leaf (nested types are refused above), so each column is a
        // projection of its own, decoded by whichever core is free (`Columns::push` checks that
        // its batch holds it), through every row group in turn. pyarrow and polars write a
        // million rows or more to a row group, so row groups alone would keep one core busy;
        // and a column at a time holds one column's dictionary and pages per core, where a set
        // of columns read side by side holds all of theirs (for drift on 100k x 20, 66 MB at
        // the peak against 46 MB). A task per column, not per column and row group, opens the
        // file once and waits for no other: 1M x 20 in 1,000 row groups read in 0.39 s that
        // way, against 0.22 s in one.
        let groups = meta.metadata().num_row_groups();
        let Builder {
            path: _,
            schema,
            sinks,
        } = &mut builder;
        let mut columns: Vec<(Columns, &mut Sink)> = sinks
            .iter_mut()
            .enumerate()
            .map(|(first, sink)| {
                let columns = Columns {
                    path: Some(path),
                    schema,
                    first,
                };
                (columns, sink)
            })
            .collect();
        let results = crate::par::map_mut(&mut columns, |(column, sink)| {
            read_column(path, &meta, groups, *column, sink)
        });
        // The error a reader going row group by row group meets first: the earliest row
        // group's, and in it the first column's.
        let first = results
            .into_iter()
            .filter_map(Result::err)
            .min_by_key(|(group, _)| *group);
        if let Some((_, e)) = first {
            return Err(e);
        }
        builder.finish(options)
    }

    /// Decodes the column `column.first` of each of the first `groups` row groups into
    /// `sink`; an error names the row group and the column, and comes with the row group.
    fn read_column(
        path: &Path,
        meta: &ArrowReaderMetadata,
        groups: usize,
        column: Columns,
        sink: &mut Sink,
    ) -> Result<(), (usize, DataError)> {
        // Opened here, not cloned from the caller's: clones share one offset, which parquet
        // seeks before each read, and the other columns' tasks read at the same time.
        let own = File::open(path).map_err(|e| (0, io_error(path, e)))?;
        for group in 0..groups {
            let group_rows = meta.metadata().row_group(group).num_rows().max(1) as usize;
            // Each row group's reader takes a handle; this task's readers run one at a time,
            // so they may share its offset.
            let file = own.try_clone().map_err(|e| (group, io_error(path, e)))?;
            let mut reader = ColumnReader::new(file, meta, group, column, group_rows.min(1 << 20))
                .map_err(|e| (group, e))?;
            while reader.next_into(sink)? > 0 {}
        }
        Ok(())
    }

    /// One column of one row group, decoded a batch at a time.
    struct ColumnReader<'c> {
        reader: parquet::arrow::arrow_reader::ParquetRecordBatchReader,
        group: usize,
        column: Columns<'c>,
    }

    impl<'c> ColumnReader<'c> {
        fn new(
            file: File,
            meta: &ArrowReaderMetadata,
            group: usize,
            column: Columns<'c>,
            batch_rows: usize,
        ) -> Result<Self, DataError> {
            let part = Some(Part::RowGroup(group));
            let failed = |m: String| column.error(part, column.first, m);
            let schema = meta.metadata().file_metadata().schema_descr();
            let reader = decode(|| {
                ParquetRecordBatchReaderBuilder::new_with_metadata(file, meta.clone())
                    .with_row_groups(vec![group])
                    .with_projection(ProjectionMask::leaves(schema, [column.first]))
                    .with_batch_size(batch_rows)
                    .build()
            })
            .map_err(failed)?
            .map_err(|e| failed(e.to_string()))?;
            Ok(ColumnReader {
                reader,
                group,
                column,
            })
        }

        /// Appends the next batch to `sink`: its rows, 0 at the row group's end. An error
        /// names the row group and the column, and comes with the row group.
        fn next_into(&mut self, sink: &mut Sink) -> Result<usize, (usize, DataError)> {
            let (group, column) = (self.group, self.column);
            let part = Some(Part::RowGroup(group));
            let failed = |m: String| (group, column.error(part, column.first, m));
            let Some(batch) = decode(|| self.reader.next()).map_err(failed)? else {
                return Ok(0);
            };
            let batch = batch.map_err(|e| failed(e.to_string()))?;
            let rows = batch.num_rows();
            column
                .push(std::slice::from_mut(sink), batch, part)
                .map_err(|e| (group, e))?;
            Ok(rows)
        }
    }

    /// The file read `rows` rows at a time, each row group in chunks of at most that many,
    /// each chunk handed to `each` as a dataset (with the file's columns, even when the file
    /// has no rows) with the rows the whole file holds. A chunk's columns are decoded side by
    /// side, a column to a core; only a chunk and each column's decoder are held at a time.
    pub(crate) fn for_each_chunk(
        path: &Path,
        options: &CsvOptions,
        rows: usize,
        each: &mut dyn FnMut(Dataset, usize) -> Result<(), DataError>,
    ) -> Result<(), DataError> {
        let meta = metadata(path)?;
        let total = self::rows(&meta);
        let schema = meta.schema().clone();
        let chunk = |rows| Builder::new(Some(path), schema.clone(), options, rows);
        // The columns' kinds are checked before a row is read.
        let mut empty = Some(chunk(0)?);
        for group in 0..meta.metadata().num_row_groups() {
            let group_rows = meta.metadata().row_group(group).num_rows().max(0) as usize;
            let columns = (0..schema.fields().len()).map(|first| Columns {
                path: Some(path),
                schema: &schema,
                first,
            });
            let mut readers = columns
                .map(|column| {
                    let file = File::open(path).map_err(|e| io_error(path, e))?;
                    ColumnReader::new(file, &meta, group, column, rows.max(1))
                })
                .collect::<Result<Vec<_>, _>>()?;
            loop {
                let mut builder = chunk(rows.min(group_rows))?;
                let mut work: Vec<(&mut ColumnReader, &mut Sink)> =
                    readers.iter_mut().zip(&mut builder.sinks).collect();
                let read = crate::par::map_mut(&mut work, |(reader, sink)| reader.next_into(sink));
                let mut counts = Vec::with_capacity(read.len());
                for result in read {
                    counts.push(result.map_err(|(_, e)| e)?);
                }
                if counts.iter().all(|&n| n == 0) {
                    break;
                }
                if counts.iter().any(|&n| n != counts[0]) {
                    return Err(columnar(
                        path,
                        Some(Part::RowGroup(group)),
                        format!(
                            "the columns of the row group hold different numbers of rows \
                             ({} to {}): the file is damaged",
                            counts.iter().min().unwrap_or(&0),
                            counts.iter().max().unwrap_or(&0)
                        ),
                    ));
                }
                empty = None;
                each(builder.finish(options)?, total)?;
            }
        }
        match empty {
            Some(builder) => each(builder.finish(options)?, total),
            None => Ok(()),
        }
    }
}

mod ipc_file {
    use super::*;
    use arrow_ipc::reader::{FileReader, StreamReader};
    use std::io::{BufReader, Read, Seek, SeekFrom};

    /// The file's record batches, each to be read in turn.
    type Batches = Box<dyn Iterator<Item = Result<RecordBatch, arrow_schema::ArrowError>>>;

    /// The file's schema and its batches, once every message is found to lie inside the file.
    fn open(path: &Path) -> Result<(SchemaRef, Batches), DataError> {
        let mut file = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
        let size = file.metadata().map_err(|e| io_error(path, e))?.len();
        let mut magic = [0u8; 6];
        let n = file.read(&mut magic).map_err(|e| io_error(path, e))?;
        let bad = |e: arrow_schema::ArrowError| {
            columnar(path, None, format!("not a readable Arrow IPC file: {e}"))
        };
        if &magic[..n] == b"ARROW1" {
            for b in footer_blocks(path, &mut file, size)? {
                message_fits(
                    path,
                    &mut file,
                    size,
                    b.offset,
                    Some((b.meta, b.body)),
                    b.batch,
                )?;
            }
            file.rewind().map_err(|e| io_error(path, e))?;
            let reader = decode(|| FileReader::try_new_buffered(file, None))
                .map_err(|m| columnar(path, None, m))?
                .map_err(bad)?;
            Ok((reader.schema(), Box::new(reader)))
        } else {
            let (mut offset, mut batch) = (0, 0);
            while let Some((next, was_batch)) =
                message_fits(path, &mut file, size, offset, None, batch)?
            {
                offset = next;
                batch += usize::from(was_batch);
            }
            file.rewind().map_err(|e| io_error(path, e))?;
            let reader = decode(|| StreamReader::try_new(BufReader::new(file), None))
                .map_err(|m| columnar(path, None, m))?
                .map_err(bad)?;
            Ok((reader.schema(), Box::new(reader)))
        }
    }

    pub(super) fn read(path: &Path, options: &CsvOptions) -> Result<Dataset, DataError> {
        let (schema, batches) = open(path)?;
        let mut builder = Builder::new(Some(path), schema, options, 0)?;
        each_batch(path, batches, |batch, part| builder.push(batch, part))?;
        builder.finish(options)
    }

    /// The file a record batch at a time, each handed to `each` as a dataset (one with the
    /// file's columns and no rows when the file has no batch), with 0 for the rows of the whole
    /// file, which an IPC file does not give.
    pub(crate) fn for_each_batch(
        path: &Path,
        options: &CsvOptions,
        each: &mut dyn FnMut(Dataset, usize) -> Result<(), DataError>,
    ) -> Result<(), DataError> {
        let (schema, batches) = open(path)?;
        let mut any = false;
        each_batch(path, batches, |batch, part| {
            any = true;
            let mut builder = Builder::new(Some(path), schema.clone(), options, batch.num_rows())?;
            builder.push(batch, part)?;
            each(builder.finish(options)?, 0)
        })?;
        if !any {
            each(
                Builder::new(Some(path), schema, options, 0)?.finish(options)?,
                0,
            )?;
        }
        Ok(())
    }

    /// Each batch of `batches`, with its place for errors; a decoder's error or panic names the
    /// batch.
    fn each_batch(
        path: &Path,
        mut batches: Batches,
        mut each: impl FnMut(RecordBatch, Option<Part>) -> Result<(), DataError>,
    ) -> Result<(), DataError> {
        for i in 0.. {
            let part = Some(Part::Batch(i));
            let Some(batch) = decode(|| batches.next()).map_err(|m| columnar(path, part, m))?
            else {
                break;
            };
            each(batch.map_err(|e| columnar(path, part, e))?, part)?;
        }
        Ok(())
    }

    /// A message the footer of an IPC file lists: where it starts, its metadata and body
    /// lengths, and its index among the record batches (0 for a dictionary batch).
    struct Block {
        offset: u64,
        meta: u64,
        body: u64,
        batch: usize,
    }

    /// The messages the footer of an IPC file lists, each of which must lie inside the file:
    /// arrow-ipc reserves and zeroes a block's declared size before reading it, so a few bytes of
    /// forged footer would cost gigabytes of memory (found by fuzzing). A footer that cannot be
    /// read is left to arrow-ipc to report.
    fn footer_blocks(
        path: &Path,
        file: &mut std::fs::File,
        size: u64,
    ) -> Result<Vec<Block>, DataError> {
        let mut tail = [0u8; 10];
        if size < 16
            || file.seek(SeekFrom::End(-10)).is_err()
            || file.read_exact(&mut tail).is_err()
        {
            return Ok(Vec::new());
        }
        let footer = arrow_ipc::reader::read_footer_length(tail)
            .ok()
            .filter(|&len| len as u64 + 10 <= size)
            .and_then(|len| {
                let mut bytes = vec![0u8; len];
                file.seek(SeekFrom::End(-10 - len as i64)).ok()?;
                file.read_exact(&mut bytes).ok()?;
                Some(bytes)
            });
        let Some(footer) = footer else {
            return Ok(Vec::new());
        };
        let Ok(footer) = arrow_ipc::root_as_footer(&footer) else {
            return Ok(Vec::new());
        };
        let batches = footer.recordBatches().into_iter().flatten().zip(0..);
        let dictionaries = footer
            .dictionaries()
            .into_iter()
            .flatten()
            .zip([0].into_iter().cycle());
        let mut messages = Vec::new();
        for (block, batch) in batches.chain(dictionaries) {
            let (offset, meta, body) = (block.offset(), block.metaDataLength(), block.bodyLength());
            let end = i128::from(offset) + i128::from(meta) + i128::from(body);
            if offset < 0 || meta < 0 || body < 0 || end > i128::from(size) {
                return Err(columnar(
                    path,
                    None,
                    format!(
                        "not a readable Arrow IPC file: its footer places a block at bytes \
                         {offset}..{end}, past the end of the file ({size} bytes): the file is \
                         truncated or damaged"
                    ),
                ));
            }
            messages.push(Block {
                offset: offset as u64,
                meta: meta as u64,
                body: body as u64,
                batch,
            });
        }
        Ok(messages)
    }

    /// How far LZ4 can expand its input: a match grows by at most 255 bytes per byte spent.
    const LZ4_MAX_RATIO: u64 = 255;

    /// Checks the message at `at`, which would be record batch `batch`; returns where the next
    /// starts (in a stream) and whether this one was a record batch. `block` is the metadata
    /// and body lengths the footer gives (a file); a stream's messages give their own.
    ///
    /// arrow-ipc allocates the uncompressed length an LZ4 buffer declares before decompressing
    /// it, so a forged length would abort the process (found by fuzzing). A length LZ4 cannot
    /// reach from the buffer's bytes is refused here; zstd's reader bounds its own allocation.
    /// The message is found as arrow-ipc finds it; what cannot be read is left to arrow-ipc.
    fn message_fits(
        path: &Path,
        file: &mut std::fs::File,
        size: u64,
        at: u64,
        block: Option<(u64, u64)>,
        batch: usize,
    ) -> Result<Option<(u64, bool)>, DataError> {
        let mut read = |offset: u64, len: u64| -> Option<Vec<u8>> {
            if offset.checked_add(len)? > size {
                return None;
            }
            let mut bytes = vec![0u8; usize::try_from(len).ok()?];
            file.seek(SeekFrom::Start(offset)).ok()?;
            file.read_exact(&mut bytes).ok()?;
            Some(bytes)
        };
        // A length, after the continuation marker of current writers.
        let Some(prefix) = read(at, 8) else {
            return Ok(None);
        };
        let word =
            |i: usize| u32::from_le_bytes([prefix[i], prefix[i + 1], prefix[i + 2], prefix[i + 3]]);
        let (skip, len) = match word(0) {
            u32::MAX => (8, word(4)),
            len => (4, len),
        };
        // A stream's metadata is the length its prefix gives. A file's reader parses the
        // message from the whole block after the prefix: read as far as the metadata first,
        // which gives the same message whenever it verifies (a flatbuffer read within it).
        // The body follows the metadata length the footer gives, even one shorter than the
        // prefix; a stream's ends the stream at a length of 0.
        let (meta_len, body_start, body) = match block {
            Some((meta, body)) => (meta.saturating_sub(skip), at + meta, Some(body)),
            None if len == 0 => return Ok(None),
            None => (u64::from(len), at + skip + u64::from(len), None),
        };
        let Some(meta) = read(at + skip, meta_len) else {
            return Ok(None);
        };
        let whole;
        let message = match (arrow_ipc::root_as_message(&meta), body) {
            (Ok(message), _) => message,
            (Err(_), Some(body)) => {
                whole = read(at + skip, (body_start + body).saturating_sub(at + skip));
                match whole.as_deref().map(arrow_ipc::root_as_message) {
                    Some(Ok(message)) => message,
                    _ => return Ok(None),
                }
            }
            (Err(_), None) => return Ok(None),
        };
        let Some(body_len) = body.or_else(|| u64::try_from(message.bodyLength()).ok()) else {
            return Ok(None);
        };
        let record_batch = message.header_as_record_batch();
        let data = record_batch.or_else(|| message.header_as_dictionary_batch()?.data());
        let lz4 = data.filter(|b| {
            b.compression()
                .is_some_and(|c| c.codec() == arrow_ipc::CompressionType::LZ4_FRAME)
        });
        for (k, buffer) in lz4
            .and_then(|b| b.buffers())
            .into_iter()
            .flatten()
            .enumerate()
        {
            let (Ok(offset), Ok(length)) = (
                u64::try_from(buffer.offset()),
                u64::try_from(buffer.length()),
            ) else {
                return Ok(None);
            };
            if length < 8 || offset.checked_add(length).is_none_or(|end| end > body_len) {
                continue;
            }
            let Some(declared) = read(body_start + offset, 8) else {
                return Ok(None);
            };
            let declared = i64::from_le_bytes(declared.try_into().unwrap_or_default());
            let bytes = length - 8;
            if declared > 0 && declared as u64 > LZ4_MAX_RATIO * bytes + 64 {
                let (part, what) = match record_batch {
                    Some(_) => (Some(Part::Batch(batch)), ""),
                    None => (None, "a dictionary batch: "),
                };
                return Err(columnar(
                    path,
                    part,
                    format!(
                        "not a readable Arrow IPC file: {what}buffer {k} declares {declared} bytes \
                         once decompressed, from {bytes} bytes of LZ4, more than LZ4 can expand \
                         ({LZ4_MAX_RATIO}x): the file is damaged"
                    ),
                ));
            }
        }
        Ok(body_start
            .checked_add(body_len)
            .filter(|&end| end < size)
            .map(|next| (next, record_batch.is_some())))
    }
}
