use crate::fixture;
use cargo_mlharness::gate::coverage::{self, Scope};
use cargo_mlharness::gate::junit::{self, TestStatus};
use cargo_mlharness::gate::{GateConfig, GateError, Kind};
use std::path::PathBuf;

#[test]
fn junit_from_nextest_gives_every_case_with_kind_and_outcome() {
    let cases = junit::read(&fixture("nextest-junit.xml")).unwrap();
    let got: Vec<(&str, &str, Kind, TestStatus)> = cases
        .iter()
        .map(|c| (c.binary_id.as_str(), c.name.as_str(), c.kind, c.outcome))
        .collect();
    assert_eq!(
        got,
        vec![
            ("sample", "tests::adds", Kind::Unit, TestStatus::Passed),
            ("sample::system", "health", Kind::System, TestStatus::Passed),
            (
                "sample::system",
                "panics_with_message",
                Kind::System,
                TestStatus::Failed
            ),
            (
                "sample::unit",
                "edge_cases::nan",
                Kind::EdgeCase,
                TestStatus::Passed
            ),
            (
                "sample::unit",
                "edge_cases::unseen_category",
                Kind::EdgeCase,
                TestStatus::Passed
            ),
            ("sample::unit", "fails", Kind::Unit, TestStatus::Failed),
            ("sample::unit", "passes", Kind::Unit, TestStatus::Passed),
        ]
    );
}

#[test]
fn junit_failure_output_keeps_the_panic_message_unescaped() {
    let cases = junit::read(&fixture("nextest-junit.xml")).unwrap();
    let failed = cases.iter().find(|c| c.name == "fails").unwrap();
    assert!(
        failed.output.contains("2 + 2 should be 5"),
        "{}",
        failed.output
    );
    assert!(
        failed.output.contains("thread 'fails'"),
        "entities decoded: {}",
        failed.output
    );
    // nextest's `message` attribute is the first line of the failure text: shown once.
    let first: Vec<&str> = failed.output.lines().take(2).collect();
    assert!(
        first[0].contains("panicked at") && !first[1].contains("panicked at"),
        "{}",
        failed.output
    );
    let xml = r#"<testsuite><testcase name="t" classname="c::unit"><failure message="boom">other text</failure></testcase></testsuite>"#;
    assert_eq!(
        junit::parse(xml, "j.xml".as_ref()).unwrap()[0].output,
        "boom\nother text"
    );
}

#[test]
fn junit_flaky_and_skipped_cases() {
    let xml = r#"<testsuites><testsuite name="c::unit">
        <testcase name="retried" classname="c::unit" time="0.5"><flakyFailure message="first try">x</flakyFailure></testcase>
        <testcase name="skip" classname="c::unit"><skipped/></testcase>
        <testcase name="all_retries_failed" classname="c::unit"><failure message="m"/><rerunFailure message="m"/></testcase>
    </testsuite></testsuites>"#;
    let cases = junit::parse(xml, "j.xml".as_ref()).unwrap();
    let outcomes: Vec<TestStatus> = cases.iter().map(|c| c.outcome).collect();
    assert_eq!(
        outcomes,
        vec![TestStatus::Flaky, TestStatus::Skipped, TestStatus::Failed]
    );
}

#[test]
fn malformed_junit_names_file_and_line() {
    let xml = "<testsuites>\n<testsuite name=\"a\">\n<testcase name=\"x\" classname=\"a\">\n</testsuite>\n";
    let err = junit::parse(xml, "target/junit.xml".as_ref()).unwrap_err();
    assert!(matches!(err, GateError::Junit { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.starts_with("target/junit.xml:4:"), "{msg}");
}

#[test]
fn missing_junit_is_a_read_error_naming_the_file() {
    let err = junit::read(&fixture("no-such.xml")).unwrap_err();
    assert!(matches!(err, GateError::Read { .. }));
    assert!(err.to_string().contains("no-such.xml"));
}

#[test]
fn coverage_from_llvm_cov_gives_totals_and_per_crate() {
    let root = PathBuf::from("/tmp/scratch-gate");
    let scope = Scope::from_parts(&root, vec![("sample".into(), root.clone())], &[]).unwrap();
    let (cov, left_out) = coverage::read(&fixture("llvm-cov-summary.json"), &scope).unwrap();
    assert!(left_out.is_empty());
    assert_eq!((cov.totals.lines.count, cov.totals.lines.covered), (4, 2));
    assert_eq!(cov.totals.lines.percent, 50.0);
    assert_eq!(cov.totals.functions.percent, 50.0);
    assert_eq!(cov.crates["sample"].lines.covered, 2);
}

#[test]
fn files_outside_the_workspace_or_excluded_do_not_count() {
    // The recorded file belongs to no crate of this workspace (mlharness itself, say).
    let elsewhere = PathBuf::from("/home/u/app");
    let scope =
        Scope::from_parts(&elsewhere, vec![("app".into(), elsewhere.clone())], &[]).unwrap();
    let (cov, left_out) = coverage::read(&fixture("llvm-cov-summary.json"), &scope).unwrap();
    assert!(cov.crates.is_empty());
    assert_eq!(
        left_out,
        vec![PathBuf::from("/tmp/scratch-gate/src/lib.rs")]
    );
    assert_eq!(cov.totals.lines.count, 0);
    assert_eq!(
        cov.totals.lines.percent, 0.0,
        "nothing measured is not 100%"
    );

    let root = PathBuf::from("/tmp/scratch-gate");
    let scope = Scope::from_parts(
        &root,
        vec![("sample".into(), root.clone())],
        &["src/*.rs".into()],
    )
    .unwrap();
    let (cov, left_out) = coverage::read(&fixture("llvm-cov-summary.json"), &scope).unwrap();
    assert!(cov.crates.is_empty() && left_out.len() == 1);
}

#[test]
fn malformed_coverage_names_line_and_column() {
    let err = coverage::parse(
        "{\"data\": [\n  {\"files\": 3}]}",
        "cov.json".as_ref(),
        &Scope::from_parts("/".as_ref(), vec![], &[]).unwrap(),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("cov.json:2:"), "{msg}");
}

#[test]
fn config_defaults_without_a_file() {
    let config = GateConfig::load(&fixture("no-mlharness.toml")).unwrap();
    assert_eq!(config, GateConfig::default());
}

#[test]
fn config_errors_name_the_key_and_line() {
    let err = GateConfig::parse(
        "[gate]\nmin_coverage = 80\nrequired_kinds = [\"unit\", \"smoke\"]\n",
        "mlharness.toml".as_ref(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("mlharness.toml:3:") && err.contains("smoke"),
        "{err}"
    );
    let err = GateConfig::parse("[gate]\nmin_coverage = \"high\"\n", "m.toml".as_ref())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "m.toml:2:16: invalid TOML: invalid type: string \"high\", expected f64 (in `min_coverage = \"high\"`)"
    );
    // One line, however long the offending one.
    let deep = format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let err = GateConfig::parse(&deep, "m.toml".as_ref())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("m.toml:1:") && !err.contains('\n') && err.len() < 400,
        "{err}"
    );
    let err = GateConfig::parse("[gate]\nmin_coverage = 180.0\n", "m.toml".as_ref())
        .unwrap_err()
        .to_string();
    assert!(err.contains("gate.min_coverage"), "{err}");
}

/// Found by fuzzing (fuzz/regressions/junit/bom-then-bad-declaration): a byte-order mark
/// followed by a malformed declaration panicked while counting lines for the error message
/// (a str slice ending inside the mark).
#[test]
fn malformed_junit_after_a_byte_order_mark_is_an_error_not_a_panic() {
    let input = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/regressions/junit/bom-then-bad-declaration"),
    )
    .unwrap();
    let xml = String::from_utf8(input).unwrap();
    let err = junit::parse(&xml, "junit.xml".as_ref()).unwrap_err();
    assert!(matches!(err, GateError::Junit { line: 1, .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("junit.xml:1: malformed JUnit XML"),
        "{err}"
    );
}
