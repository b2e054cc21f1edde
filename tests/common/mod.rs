//! Helpers shared by mlharness's own test binaries (`#[path]`-included by each).

use mlharness::data::{ColumnKind, CsvOptions, Dataset};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A file of the repository, e.g. `fixtures/churn.csv`.
pub fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// `fixtures/churn.csv`, target `churn`, `area_code` declared categorical; loaded once per
/// process.
pub fn churn() -> &'static Dataset {
    static CHURN: OnceLock<Dataset> = OnceLock::new();
    CHURN.get_or_init(|| {
        mlharness::fixtures::dataset_with(
            "churn.csv",
            &CsvOptions::default()
                .target("churn")
                .kind("area_code", ColumnKind::Categorical),
        )
    })
}
