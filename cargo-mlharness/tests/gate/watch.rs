use cargo_mlharness::gate::junit::TestStatus;
use cargo_mlharness::gate::watch::{changes, is_relevant};
use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn sources_tests_fixtures_and_config_trigger_a_rerun_target_and_git_do_not() {
    let root = Path::new("/w");
    for p in [
        "/w/src/lib.rs",
        "/w/tests/unit.rs",
        "/w/fixtures/churn.csv",
        "/w/fixtures/golden.bin",
        "/w/mlharness.toml",
    ] {
        assert!(is_relevant(root, Path::new(p)), "{p}");
    }
    for p in [
        "/w/target/debug/x.rs",
        "/w/.git/index",
        "/w/README.md",
        "/elsewhere/src/lib.rs",
    ] {
        assert!(!is_relevant(root, Path::new(p)), "{p}");
    }
}

#[test]
fn only_changed_outcomes_are_reported() {
    let map = |v: &[(&str, TestStatus)]| {
        v.iter()
            .map(|(n, o)| (n.to_string(), *o))
            .collect::<BTreeMap<_, _>>()
    };
    let before = map(&[
        ("u a", TestStatus::Passed),
        ("u b", TestStatus::Passed),
        ("u gone", TestStatus::Passed),
    ]);
    let after = map(&[
        ("u a", TestStatus::Passed),
        ("u b", TestStatus::Flaky),
        ("u new", TestStatus::Failed),
    ]);
    assert_eq!(
        changes(&before, &after),
        vec!["new, failing: u new", "gone: u gone"]
    );
    assert!(changes(&after, &after).is_empty());
}
