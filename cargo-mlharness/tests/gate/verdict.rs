//! Each verdict rule turns PASS into FAIL on its own.

use cargo_mlharness::gate::coverage::{Count, Coverage, Summary};
use cargo_mlharness::gate::junit::{TestCase, TestStatus};
use cargo_mlharness::gate::report::GateReport;
use cargo_mlharness::gate::verdict::{decide, CoverageStatus, Mode, Run};
use cargo_mlharness::gate::{GateConfig, Kind};
use std::collections::BTreeMap;

pub fn case(binary: &str, name: &str, outcome: TestStatus) -> TestCase {
    TestCase {
        binary_id: binary.into(),
        name: name.into(),
        kind: Kind::classify(binary, name),
        outcome,
        seconds: 0.01,
        output: if outcome == TestStatus::Failed {
            "assertion failed: mean 0.31, expected 0 ± 0.01\nstack backtrace:\n 0: std".into()
        } else {
            String::new()
        },
    }
}

pub fn coverage(percent: f64) -> CoverageStatus {
    let c = Count {
        count: 1000,
        covered: (percent * 10.0) as u64,
        percent,
    };
    let s = Summary {
        lines: c,
        functions: c,
        regions: c,
    };
    CoverageStatus::Measured {
        coverage: Coverage {
            totals: s,
            crates: BTreeMap::from([("churn".to_string(), s)]),
        },
    }
}

pub fn green() -> Run {
    Run {
        mode: Mode::Full,
        tests: vec![
            case("churn::unit", "scaler_standardizes", TestStatus::Passed),
            case("churn::integration", "auc_above_080", TestStatus::Passed),
        ],
        skipped: 1,
        not_selected: 0,
        leaky: Vec::new(),
        test_timeout: 300,
        coverage: coverage(85.0),
        problem: None,
    }
}

#[test]
fn green_run_passes() {
    let v = decide(&green(), &GateConfig::default());
    assert!(v.pass, "{:?}", v.reasons);
    let report = GateReport::new(&green(), &v, 1.0, BTreeMap::new());
    assert_eq!(report.verdict_line(), "PASS: 2 passed, 0 failed, 1 skipped");
    let summary = report.summary(&GateConfig::default(), "target/mlharness");
    assert!(summary.ends_with("PASS: 2 passed, 0 failed, 1 skipped"));
    insta::assert_snapshot!("green_summary", summary);
}

#[test]
fn a_failing_test_fails_the_run() {
    let mut run = green();
    run.tests.push(case(
        "churn::unit",
        "imputer_uses_train_median",
        TestStatus::Failed,
    ));
    let v = decide(&run, &GateConfig::default());
    assert!(!v.pass);
    assert_eq!(v.reasons, vec!["1 test failed"]);
    let report = GateReport::new(&run, &v, 1.0, BTreeMap::new());
    let summary = report.summary(&GateConfig::default(), "target/mlharness");
    assert!(
        summary.contains("FAIL [unit] churn::unit imputer_uses_train_median"),
        "{summary}"
    );
    assert!(summary.contains("mean 0.31, expected 0"), "{summary}");
    assert!(
        !summary.contains("stack backtrace"),
        "backtraces are left out: {summary}"
    );
    assert!(
        summary.ends_with("FAIL: 2 passed, 1 failed, 1 skipped"),
        "{summary}"
    );
}

#[test]
fn a_flaky_test_that_passed_on_retry_does_not_fail_the_run() {
    let mut run = green();
    run.tests
        .push(case("churn::unit", "retried", TestStatus::Flaky));
    assert!(decide(&run, &GateConfig::default()).pass);
}

#[test]
fn coverage_below_the_minimum_fails_the_run() {
    let mut run = green();
    run.coverage = coverage(79.9);
    let v = decide(&run, &GateConfig::default());
    assert!(!v.pass);
    assert!(
        v.reasons[0].contains("79.9% is below the minimum 80%"),
        "{:?}",
        v.reasons
    );
    let config = GateConfig {
        min_coverage: 75.0,
        ..GateConfig::default()
    };
    assert!(decide(&run, &config).pass);
}

#[test]
fn a_missing_required_kind_fails_the_run() {
    let config = GateConfig {
        required_kinds: vec![Kind::Unit, Kind::System],
        ..GateConfig::default()
    };
    let v = decide(&green(), &config);
    assert!(!v.pass);
    assert_eq!(v.reasons.len(), 1);
    assert!(
        v.reasons[0].contains("no system tests ran"),
        "{:?}",
        v.reasons
    );
}

#[test]
fn unmeasurable_coverage_fails_only_when_required() {
    let mut run = green();
    run.coverage = CoverageStatus::Unavailable {
        reason: "cargo install cargo-llvm-cov failed".into(),
    };
    assert!(!decide(&run, &GateConfig::default()).pass);
    let lenient = GateConfig {
        require_coverage: false,
        ..GateConfig::default()
    };
    assert!(decide(&run, &lenient).pass);
    run.coverage = CoverageStatus::Skipped {
        reason: "--no-coverage".into(),
    };
    assert!(
        decide(&run, &GateConfig::default()).pass,
        "skipping coverage on purpose is not a failure"
    );
}

#[test]
fn no_tests_or_a_build_failure_is_never_a_pass() {
    let mut run = green();
    run.tests.clear();
    assert!(!decide(&run, &GateConfig::default()).pass);
    let mut run = green();
    run.tests.clear();
    run.problem = Some("the tests did not build".into());
    let v = decide(&run, &GateConfig::default());
    assert_eq!(v.reasons, vec!["the tests did not build"]);
}

#[test]
fn quick_runs_check_neither_coverage_nor_required_kinds() {
    let mut run = green();
    run.mode = Mode::Quick(vec![Kind::Unit]);
    run.tests.truncate(1);
    run.coverage = CoverageStatus::Skipped {
        reason: "--quick".into(),
    };
    assert!(decide(&run, &GateConfig::default()).pass);
}

#[test]
fn report_json_has_the_documented_schema() {
    let run = green();
    let v = decide(&run, &GateConfig::default());
    let json: serde_json::Value =
        serde_json::from_str(&GateReport::new(&run, &v, 2.5, BTreeMap::new()).to_json()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["verdict"], "PASS");
    assert_eq!(
        json["counts"],
        serde_json::json!({"passed": 2, "failed": 0, "skipped": 1, "timed_out": 0})
    );
    assert_eq!(json["not_selected"], 0);
    assert_eq!(json["leaky"], serde_json::json!([]));
    assert_eq!(json["kinds"]["unit"]["passed"], 1);
    assert_eq!(json["kinds"]["integration"]["passed"], 1);
    assert_eq!(
        json["kinds"]["system"]["passed"], 0,
        "every kind is listed, zeros included"
    );
    assert_eq!(json["coverage"]["lines_percent"], 85.0);
    assert_eq!(
        json["coverage"]["crates"]["churn"]["lines"]["percent"],
        85.0
    );
    assert_eq!(json["crates"]["churn"]["passed"], 2);
    assert_eq!(json["duration_seconds"], 2.5);
}

#[test]
fn report_markdown_shows_verdict_kinds_and_failures() {
    let mut run = green();
    run.tests.push(case(
        "churn::system",
        "predict_rejects_nan",
        TestStatus::Failed,
    ));
    let v = decide(&run, &GateConfig::default());
    let md = GateReport::new(&run, &v, 1.0, BTreeMap::new()).to_markdown(&GateConfig::default());
    assert!(
        md.starts_with("## ❌ mlharness: FAIL: 2 passed, 1 failed, 1 skipped"),
        "{md}"
    );
    assert!(md.contains("| system | 0 | 1 | 0 |"), "{md}");
    assert!(md.contains("churn::system predict_rejects_nan"), "{md}");
    insta::assert_snapshot!("red_markdown", md);
}

#[test]
fn kinds_filtersets_match_the_classification() {
    // The filterset for a kind must select the binaries and module segments `classify` uses.
    assert!(Kind::EdgeCase
        .filterset(&[])
        .contains("test(/(^|::)edge_cases::/)"));
    let unit = Kind::Unit.filterset(&["unit", "system"]);
    assert!(
        unit.contains("kind(lib)") && unit.contains("binary(=unit)"),
        "{unit}"
    );
    assert!(
        unit.contains("!("),
        "tests in another kind's module are excluded: {unit}"
    );
    assert!(!unit.contains("binary(=system)"), "{unit}");
    assert_eq!(
        Kind::Differential.filterset(&["unit"]),
        "test(/(^|::)mlharness_differential::/) | test(/(^|::)differential::/)"
    );
}

#[test]
fn a_timed_out_test_is_named_with_its_limit_and_a_leaky_one_is_shown() {
    let mut run = green();
    run.test_timeout = 42;
    run.tests.push(TestCase {
        output: "running 1 test\n".into(),
        ..case("churn::integration", "fit_converges", TestStatus::TimedOut)
    });
    run.leaky.push("churn::system starts_the_service".into());
    let v = decide(&run, &GateConfig::default());
    assert!(!v.pass);
    assert_eq!(
        v.reasons,
        vec!["1 test failed (1 timed out after 42 s, gate.test_timeout)"]
    );
    let report = GateReport::new(&run, &v, 1.0, BTreeMap::new());
    let summary = report.summary(&GateConfig::default(), "target/mlharness");
    assert!(
        summary.contains("TIMEOUT [integration] churn::integration fit_converges\n       timed out: stopped after 42 s (gate.test_timeout in mlharness.toml)"),
        "{summary}"
    );
    assert!(
        summary.contains("leaky: churn::system starts_the_service"),
        "{summary}"
    );
    assert_eq!(report.counts.timed_out, 1);
    assert!(report.failures[0].timed_out);
    // The whole summary, reviewed as a snapshot when its wording changes.
    insta::assert_snapshot!("red_summary_with_a_timeout_and_a_leak", summary);
}
