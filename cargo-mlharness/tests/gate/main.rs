//! The gate's parts on their own: parsing real nextest and cargo-llvm-cov output, the verdict
//! rules, reports, git hooks and the set-aside of unstaged work. `tests/e2e` runs the whole
//! command on throwaway projects.

mod hooks;
mod html;
mod parsing;
mod snapshot;
mod verdict;
mod watch;

use std::path::{Path, PathBuf};
use std::process::Command;

/// `git ARGS` in `dir`, with no hook variables of an enclosing git in the way; its stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/gate")
        .join(name)
}
