//! Drift and statistical tests: `mlharness::stats` against scipy's reference values, drift
//! reports on real and shifted data, the `drift_test!` macro, the `mlharness drift` command and
//! shadow mode.

#[path = "drift/stats.rs"]
mod stats;

use std::path::{Path, PathBuf};

/// A file of the repository, e.g. `fixtures/churn.csv`.
pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}
