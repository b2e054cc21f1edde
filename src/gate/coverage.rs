//! Reading the JSON summary that `cargo llvm-cov --json --summary-only` writes.

use super::GateError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Covered out of count, and the percentage.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Count {
    /// Items (lines, functions, regions).
    pub count: u64,
    /// Items executed at least once.
    pub covered: u64,
    /// `covered / count` in percent (100 when there is nothing to cover).
    pub percent: f64,
}

impl Count {
    fn add(&mut self, other: &Count) {
        self.count += other.count;
        self.covered += other.covered;
        self.percent = if self.count == 0 {
            100.0
        } else {
            100.0 * self.covered as f64 / self.count as f64
        };
    }
}

/// Line, function and region coverage.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Lines.
    pub lines: Count,
    /// Functions.
    pub functions: Count,
    /// Regions (the finest unit LLVM counts).
    pub regions: Count,
}

impl Summary {
    fn add(&mut self, other: &Summary) {
        self.lines.add(&other.lines);
        self.functions.add(&other.functions);
        self.regions.add(&other.regions);
    }
}

/// Coverage of a whole run: totals, and per crate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Over every instrumented file.
    pub totals: Summary,
    /// Per workspace crate (files outside every crate root under `other`).
    pub crates: BTreeMap<String, Summary>,
}

#[derive(Deserialize)]
struct Export {
    data: Vec<ExportData>,
}

#[derive(Deserialize)]
struct ExportData {
    totals: Summary,
    #[serde(default)]
    files: Vec<ExportFile>,
}

#[derive(Deserialize)]
struct ExportFile {
    filename: PathBuf,
    summary: Summary,
}

/// Parses an llvm-cov JSON export. Files are attributed to the crate whose root directory
/// (from `crate_roots`, name and directory) is the longest prefix of their path.
///
/// ```
/// use mlharness::gate::coverage::parse;
/// let json = r#"{"type":"llvm.coverage.json.export","version":"3.1.0","data":[{
///   "totals":{"lines":{"count":10,"covered":8,"percent":80.0},
///             "functions":{"count":2,"covered":2,"percent":100.0},
///             "regions":{"count":4,"covered":3,"percent":75.0}},
///   "files":[]}]}"#;
/// let cov = parse(json, "coverage.json".as_ref(), &[])?;
/// assert_eq!(cov.totals.lines.percent, 80.0);
/// # Ok::<(), mlharness::gate::GateError>(())
/// ```
pub fn parse(
    json: &str,
    path: &Path,
    crate_roots: &[(String, PathBuf)],
) -> Result<Coverage, GateError> {
    let export: Export = serde_json::from_str(json).map_err(|e| GateError::Coverage {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let data = export
        .data
        .into_iter()
        .next()
        .ok_or_else(|| GateError::Coverage {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: "`data` is empty: llvm-cov exported no coverage".into(),
        })?;
    let mut crates: BTreeMap<String, Summary> = BTreeMap::new();
    for file in &data.files {
        let owner = crate_roots
            .iter()
            .filter(|(_, root)| file.filename.starts_with(root))
            .max_by_key(|(_, root)| root.as_os_str().len())
            .map_or("other", |(name, _)| name.as_str());
        crates
            .entry(owner.to_string())
            .or_default()
            .add(&file.summary);
    }
    Ok(Coverage {
        totals: data.totals,
        crates,
    })
}

/// Reads and parses a coverage summary file.
pub fn read(path: &Path, crate_roots: &[(String, PathBuf)]) -> Result<Coverage, GateError> {
    let json = std::fs::read_to_string(path).map_err(|source| GateError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&json, path, crate_roots)
}
