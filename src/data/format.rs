//! Which reader a data file needs: CSV, Parquet or Arrow IPC.

use super::{CsvOptions, DataError, Dataset};
use std::path::Path;

/// The format of a data file. [`DataFormat::of`] tells it from the extension; the CLI's
/// `--data-format` overrides that.
///
/// ```
/// use mlharness::data::DataFormat;
/// assert_eq!(DataFormat::of("train.parquet"), DataFormat::Parquet);
/// assert_eq!(DataFormat::of("batch.feather"), DataFormat::ArrowIpc);
/// assert_eq!(DataFormat::of("export.txt"), DataFormat::Csv);
/// assert_eq!("ipc".parse::<DataFormat>(), Ok(DataFormat::ArrowIpc));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataFormat {
    /// Comma-separated text with a header line.
    Csv,
    /// Apache Parquet (feature `arrow`).
    Parquet,
    /// Arrow IPC, file or stream (`.arrow`, `.feather` v2, `.arrows`; feature `arrow`).
    ArrowIpc,
}

impl DataFormat {
    /// The format a file's extension names; CSV for any other extension.
    pub fn of(path: impl AsRef<Path>) -> DataFormat {
        let ext = path
            .as_ref()
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("parquet" | "pq") => DataFormat::Parquet,
            Some("arrow" | "arrows" | "ipc" | "feather") => DataFormat::ArrowIpc,
            _ => DataFormat::Csv,
        }
    }

    /// The format's name, as `--data-format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            DataFormat::Csv => "csv",
            DataFormat::Parquet => "parquet",
            DataFormat::ArrowIpc => "arrow",
        }
    }
}

impl std::fmt::Display for DataFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for DataFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(DataFormat::Csv),
            "parquet" | "pq" => Ok(DataFormat::Parquet),
            "arrow" | "ipc" | "feather" => Ok(DataFormat::ArrowIpc),
            other => Err(format!(
                "unknown data format `{other}`: expected csv, parquet or arrow"
            )),
        }
    }
}

impl Dataset {
    /// Loads a data file in the format its extension names ([`DataFormat::of`]).
    ///
    /// ```
    /// use mlharness::data::Dataset;
    /// # let dir = tempfile::tempdir()?;
    /// # let path = dir.path().join("d.csv");
    /// std::fs::write(&path, "x\n1\n")?;
    /// assert_eq!(Dataset::from_file(&path)?.n_rows(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, DataError> {
        Self::from_file_with(path, None, &CsvOptions::default())
    }

    /// Loads a data file in `format` (by default the one its extension names). The kinds and
    /// target of `options` apply to every format, its delimiter and missing tokens to CSV.
    pub fn from_file_with(
        path: impl AsRef<Path>,
        format: Option<DataFormat>,
        options: &CsvOptions,
    ) -> Result<Self, DataError> {
        let path = path.as_ref();
        match format.unwrap_or_else(|| DataFormat::of(path)) {
            DataFormat::Csv => Self::from_csv_with(path, options),
            #[cfg(feature = "arrow")]
            DataFormat::Parquet => Self::from_parquet_with(path, options),
            #[cfg(feature = "arrow")]
            DataFormat::ArrowIpc => Self::from_arrow_ipc_with(path, options),
            #[cfg(not(feature = "arrow"))]
            other => Err(DataError::Format {
                path: path.to_path_buf(),
                message: format!(
                    "reading {other} files needs mlharness's `arrow` feature (the `mlharness` command has it)"
                ),
            }),
        }
    }
}
