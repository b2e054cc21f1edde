//! The gate's own tests: parsing real nextest and cargo-llvm-cov output, the verdict rules,
//! reports, git hooks, and end-to-end runs of `mlharness run` on a sample crate.

mod hooks;
mod parsing;
mod run;
mod verdict;
mod watch;

use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/gate")
        .join(name)
}
