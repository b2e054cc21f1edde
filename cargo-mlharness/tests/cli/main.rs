//! The data verbs of the `mlharness` command (`schema infer`, `validate`, `config-diff`,
//! `drift`), run as a user runs them: outputs and exit codes.

mod browser;
mod check_data;
mod config_diff;
mod drift;
mod parquet_files;
mod schema;
mod snapshots;

use std::path::{Path, PathBuf};

/// A file of the repository, e.g. `fixtures/churn.csv`.
pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}
