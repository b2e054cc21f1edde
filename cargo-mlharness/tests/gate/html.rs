//! report.html: the verdict first; a failure and its evidence before anything that passed;
//! coverage per file from lcov.info with the uncovered lines; what changed since the last run.

use crate::verdict::{case, green};
use cargo_mlharness::gate::html::{
    read_lcov, render, Changes, FileCoverage, Inputs, LastRun, PAGES,
};
use cargo_mlharness::gate::junit::TestStatus;
use cargo_mlharness::gate::report::GateReport;
use cargo_mlharness::gate::verdict::decide;
use cargo_mlharness::gate::GateConfig;
use std::collections::BTreeMap;

fn page(
    run: &cargo_mlharness::gate::verdict::Run,
    files: &[FileCoverage],
    changes: Option<Changes>,
    dir: &std::path::Path,
) -> String {
    let v = decide(run, &GateConfig::default());
    let report = GateReport::new(run, &v, 12.5, BTreeMap::new());
    render(&Inputs {
        report: &report,
        tests: &run.tests,
        files,
        changes,
        dir,
        min_coverage: 80.0,
    })
}

#[test]
fn a_failing_run_shows_the_failure_and_its_evidence_before_what_passed() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = green();
    let mut failed = case(
        "churn::drift",
        "mlharness_drift::after_the_bug",
        TestStatus::Failed,
    );
    failed.output = "DRIFT: 1 of 3 columns drifted: tenure\n  column  test  statistic\n  tenure  ks    0.41\n  report: target/mlharness/reports/mlharness_drift.after_the_bug.html\nstack backtrace:\n 0: std".into();
    run.tests.push(failed);
    let evidence = dir
        .path()
        .join(PAGES)
        .join("churn.drift.mlharness_drift.after_the_bug.html");
    std::fs::create_dir_all(evidence.parent().unwrap()).unwrap();
    std::fs::write(&evidence, "<svg></svg>").unwrap();
    let html = page(&run, &[], None, dir.path());
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in the page"))
    };
    assert!(at("verdict fail") < at("<h2>Failures</h2>"));
    assert!(
        at("<h2>Failures</h2>") < at("tenure  ks    0.41"),
        "the evidence table is in the failure"
    );
    assert!(
        at("tenure  ks    0.41") < at("<h2>Tests by kind</h2>"),
        "before anything that passed"
    );
    assert!(
        html.contains("href=\"reports/churn.drift.mlharness_drift.after_the_bug.html\""),
        "links the test's own page"
    );
    assert!(!html.contains("stack backtrace"));
}

#[test]
fn a_passing_run_shows_the_verdict_and_coverage_first() {
    let dir = tempfile::tempdir().unwrap();
    let html = page(&green(), &[], None, dir.path());
    let at = |needle: &str| html.find(needle).unwrap();
    assert!(at("verdict pass") < at("<h2>Coverage</h2>"));
    assert!(at("<h2>Coverage</h2>") < at("<h2>Tests by kind</h2>"));
    assert!(!html.contains("Failures"));
    assert!(html.contains("85.0%"), "the line coverage");
}

#[test]
fn coverage_per_file_comes_from_lcov_with_the_uncovered_lines_shown() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src/lib.rs");
    std::fs::create_dir_all(src.parent().unwrap()).unwrap();
    std::fs::write(
        &src,
        "pub fn a() {}\npub fn never() {\n    unreachable!()\n}\n",
    )
    .unwrap();
    let lcov = dir.path().join("lcov.info");
    std::fs::write(
        &lcov,
        format!(
            "TN:\nSF:{}\nDA:1,4\nDA:2,0\nDA:3,0\nLF:3\nLH:1\nend_of_record\n",
            src.display()
        ),
    )
    .unwrap();
    let files = read_lcov(&lcov, dir.path()).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(
        (files[0].path.as_str(), files[0].lines, files[0].covered),
        ("src/lib.rs", 3, 1)
    );
    assert_eq!(files[0].uncovered, vec![2, 3]);
    let html = page(&green(), &files, None, dir.path());
    assert!(html.contains("<h2>Coverage per file</h2>"));
    assert!(
        html.contains("    3 │     unreachable!()"),
        "the uncovered line with its text"
    );
    assert!(
        html.contains("tr class=\"fail\""),
        "33% is under the minimum"
    );
    assert!(read_lcov(&dir.path().join("missing.info"), dir.path()).is_none());
}

#[test]
fn changes_since_the_previous_run_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let before_run = green();
    let v = decide(&before_run, &GateConfig::default());
    let before = LastRun::of(
        &GateReport::new(&before_run, &v, 1.0, BTreeMap::new()),
        &before_run.tests,
        &[],
    );
    let mut run = green();
    run.tests[0].outcome = TestStatus::Failed;
    run.tests.push(case(
        "churn::unit",
        "imputer_uses_train_median",
        TestStatus::Passed,
    ));
    let v = decide(&run, &GateConfig::default());
    let now = LastRun::of(
        &GateReport::new(&run, &v, 1.0, BTreeMap::new()),
        &run.tests,
        &[],
    );
    let changes = Changes::between(&before, &now);
    assert_eq!(
        changes.newly_failing,
        vec!["churn::unit scaler_standardizes"]
    );
    assert_eq!(changes.added, vec!["churn::unit imputer_uses_train_median"]);
    assert_eq!(changes.coverage_delta, Some(0.0));
    let html = page(&run, &[], Some(changes), dir.path());
    assert!(
        html.contains("Newly failing (1)") && html.contains("Added (1)"),
        "{html}"
    );
    let same = Changes::between(&now, &now);
    assert!(page(&run, &[], Some(same), dir.path()).contains("Nothing changed"));
}
