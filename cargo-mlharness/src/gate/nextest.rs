//! How the gate drives cargo-nextest in a project it does not own.
//!
//! The gate never reads or edits the project's `.config/nextest.toml`. It writes its own
//! profile, `mlharness`, to a file under its report directory and hands it to nextest as
//! tool-specific configuration (`--tool-config-file mlharness:PATH`). nextest layers that file
//! *under* the repository's own configuration: a project's `[profile.default]` settings
//! (retries, test groups, per-test overrides) still apply, and a project that defines its own
//! `[profile.mlharness]` wins over ours.

use super::GateConfig;
use nextest_metadata::{FilterMatch, TestListSummary};
use std::path::Path;

pub use nextest_metadata::NextestExitCode as ExitCode;

/// The nextest profile the gate runs under.
pub const PROFILE: &str = "mlharness";

/// The tool name nextest reports for our configuration file.
pub const TOOL: &str = "mlharness";

/// The text of the gate's tool configuration: our profile, with the JUnit report written to
/// `junit` (an absolute path, so it lands there whatever `store.dir` the project sets and
/// wherever `CARGO_TARGET_DIR` points).
///
/// ```
/// use cargo_mlharness::gate::{nextest, GateConfig};
/// let text = nextest::tool_config("/p/target/mlharness/junit.xml".as_ref(), &GateConfig::default());
/// assert!(text.contains("[profile.mlharness]"));
/// assert!(text.contains(r#"slow-timeout = { period = "300s", terminate-after = 1 }"#));
/// assert!(text.contains(r#"path = "/p/target/mlharness/junit.xml""#));
/// ```
pub fn tool_config(junit: &Path, config: &GateConfig) -> String {
    let path = toml::Value::String(junit.to_string_lossy().into_owned());
    format!(
        "# Written by mlharness for its runs; layered under this project's own nextest config.\n\
         [profile.{PROFILE}]\n\
         # Every test runs: the verdict lists all failures, not the first.\n\
         fail-fast = false\n\
         # A hung test is stopped and named as timed out (gate.test_timeout in mlharness.toml).\n\
         slow-timeout = {{ period = \"{timeout}s\", terminate-after = 1 }}\n\
         failure-output = \"final\"\n\
         success-output = \"never\"\n\
         # LEAK lines name tests whose subprocesses or handles outlived them.\n\
         status-level = \"leak\"\n\
         final-status-level = \"fail\"\n\
         \n\
         [profile.{PROFILE}.junit]\n\
         path = {path}\n\
         store-success-output = false\n\
         store-failure-output = true\n",
        timeout = config.test_timeout,
    )
}

/// Tests that nextest reported as leaky (`LEAK` status lines: a subprocess or handle outlived
/// the test), as `binary test`.
///
/// ```
/// use cargo_mlharness::gate::nextest::leaky_tests;
/// let log = "        LEAK [   0.207s] (2/2) p::t leak\n        PASS [   0.005s] (1/2) p::t ok\n";
/// assert_eq!(leaky_tests(log), vec!["p::t leak"]);
/// ```
pub fn leaky_tests(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|l| {
            let rest = l.trim_start();
            let rest = rest
                .strip_prefix("LEAK-FAIL")
                .or_else(|| rest.strip_prefix("LEAK"))?;
            let (_, after_time) = rest.split_once(']')?;
            let after_time = after_time.trim_start();
            // `(2/2) ` counts are absent in some output modes.
            let name = match after_time.strip_prefix('(') {
                Some(counted) => counted.split_once(')')?.1.trim_start(),
                None => after_time,
            };
            Some(name.trim_end().to_string())
        })
        .collect()
}

/// Tests nextest skipped, from its `Summary` line (`… 3 skipped`); JUnit does not list them.
pub fn skipped_from_log(log: &str) -> usize {
    log.lines()
        .filter(|l| l.trim_start().starts_with("Summary"))
        .filter_map(|l| {
            let words: Vec<&str> = l.split([' ', ',']).filter(|w| !w.is_empty()).collect();
            words
                .windows(2)
                .find(|w| w[1].starts_with("skipped"))
                .and_then(|w| w[0].parse().ok())
        })
        .next_back()
        .unwrap_or(0)
}

/// What a filtered run selected, from `cargo nextest list --run-ignored all -E …`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Selection {
    /// Tests the filter selects that are `#[ignore]`d: skipped.
    pub ignored: usize,
    /// Tests the filter leaves out: not selected, and not skipped either.
    pub not_selected: usize,
}

/// Counts a test list listed with `--run-ignored all`, where an ignored test that the filter
/// selects shows as matching.
pub fn selection(list: &TestListSummary) -> Selection {
    let mut s = Selection::default();
    for case in list
        .rust_suites
        .values()
        .flat_map(|suite| suite.test_cases.values())
    {
        match case.filter_match {
            FilterMatch::Matches if case.ignored => s.ignored += 1,
            FilterMatch::Matches => {}
            FilterMatch::Mismatch { .. } => s.not_selected += 1,
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_count_comes_from_the_nextest_summary_line() {
        let log = "    Starting 7 tests across 3 binaries (1 test skipped)\n     Summary [   0.081s] 7 tests run: 5 passed, 2 failed, 3 skipped\n";
        assert_eq!(skipped_from_log(log), 3);
        assert_eq!(
            skipped_from_log("     Summary [ 0.1s] 2 tests run: 2 passed\n"),
            0
        );
    }

    #[test]
    fn leak_lines_without_counts_and_leak_fail_are_read() {
        let log =
            "   LEAK-FAIL [   1.000s] churn::system starts\n        LEAK [   0.1s] c::u x::y\n";
        assert_eq!(leaky_tests(log), vec!["churn::system starts", "c::u x::y"]);
    }
}
