//! Unit tests of mlharness's core: CSV loading, datasets, splits, metrics (against
//! scikit-learn's reference values), baselines, the model trait and atomic writes.
//!
//! Expected values come from the inputs themselves (counted or computed independently in the
//! test) or from `fixtures/reference/metrics.json`, never from the implementation's output.

#[path = "common/mod.rs"]
mod common;
pub use common::{churn, repo_file};
#[path = "unit/baseline.rs"]
mod baseline;
#[path = "unit/behaviour.rs"]
mod behaviour;
#[path = "unit/benchmark_checks.rs"]
mod benchmark_checks;
#[path = "unit/calibration.rs"]
mod calibration;
#[path = "unit/check_macros.rs"]
mod check_macros;
#[cfg(feature = "arrow")]
#[path = "unit/columnar.rs"]
mod columnar;
#[path = "unit/config.rs"]
mod config;
#[path = "unit/csv.rs"]
mod csv;
#[path = "unit/dataset.rs"]
mod dataset;
#[path = "unit/differential_checks.rs"]
mod differential_checks;
#[path = "unit/edge.rs"]
mod edge;
#[path = "unit/fixtures.rs"]
mod fixtures;
#[path = "unit/fs.rs"]
mod fs;
#[cfg(feature = "html")]
#[path = "unit/html.rs"]
mod html;
#[path = "unit/integrity.rs"]
mod integrity;
#[path = "unit/macro_modules.rs"]
mod macro_modules;
#[path = "unit/metrics.rs"]
mod metrics;
#[path = "unit/model.rs"]
mod model;
#[path = "unit/paired_stats.rs"]
mod paired_stats;
#[path = "unit/pipeline.rs"]
mod pipeline;
#[path = "unit/schema.rs"]
mod schema;
#[path = "unit/split.rs"]
mod split;
#[cfg(feature = "proptest")]
#[path = "unit/strategy.rs"]
mod strategy;
#[path = "unit/transform.rs"]
mod transform;

use std::path::PathBuf;
use tempfile::TempDir;

/// A CSV file written into a fresh temporary directory (removed when dropped).
pub struct TempCsv {
    _dir: TempDir,
    pub path: PathBuf,
}

/// Writes `contents` verbatim to `<tempdir>/data.csv`.
pub fn temp_csv(contents: &str) -> TempCsv {
    temp_csv_bytes(contents.as_bytes())
}

/// Writes `bytes` verbatim to `<tempdir>/data.csv`.
pub fn temp_csv_bytes(bytes: &[u8]) -> TempCsv {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let path = dir.path().join("data.csv");
    std::fs::write(&path, bytes).expect("write the CSV file");
    TempCsv { _dir: dir, path }
}

/// `a` and `b` agree to within 1e-9, relative to `b` (absolute below 1).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// Owned strings, for class lists.
pub fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
