//! End to end: `mlharness run` on a copy of a small sample crate (fixtures/gate/sample-crate)
//! with 5 passing, 2 failing and 1 ignored tests, checked through its output and report.json.

use crate::fixture;
use mlharness::gate::runner::{self, RunOptions};
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// A copy of the sample crate, with the environment of an enclosing coverage run removed so
/// the inner run builds plainly into its own target directory.
fn sample() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("sample-crate"), dir.path());
    for (key, _) in std::env::vars() {
        if key.starts_with("CARGO_LLVM_COV")
            || key.starts_with("NEXTEST")
            || key.starts_with("LLVM_PROFILE")
            || key == "RUSTFLAGS"
            || key == "CARGO_TARGET_DIR"
            || key == "CARGO_BUILD_TARGET_DIR"
            || key.starts_with("CARGO_ENCODED_RUSTFLAGS")
            || key == "RUSTC_WRAPPER"
            || key == "RUSTC_WORKSPACE_WRAPPER"
        {
            // SAFETY: nextest runs each test in its own process; no other thread reads the environment.
            unsafe { std::env::remove_var(key) };
        }
    }
    dir
}

fn run(dir: &Path, options: RunOptions) -> (bool, String, serde_json::Value) {
    let mut out = Vec::new();
    let pass = runner::run(
        &RunOptions {
            workspace: Some(dir.to_path_buf()),
            no_coverage: true,
            ..options
        },
        &mut out,
    );
    let out = String::from_utf8(out).unwrap();
    let report = std::fs::read_to_string(dir.join("target/mlharness/report.json")).unwrap();
    (pass, out, serde_json::from_str(&report).unwrap())
}

#[test]
fn failing_tests_give_fail_with_each_failure_and_a_report() {
    let dir = sample();
    let (pass, out, report) = run(dir.path(), RunOptions::default());
    assert!(!pass, "{out}");
    assert_eq!(
        out.lines().last().unwrap(),
        "FAIL: 5 passed, 2 failed, 1 skipped",
        "{out}"
    );
    assert!(
        out.contains("FAIL [unit] sample::unit fails") && out.contains("2 + 2 should be 5"),
        "{out}"
    );
    assert!(
        out.contains("FAIL [system] sample::system panics_with_message"),
        "{out}"
    );
    assert!(out.contains("reason: no integration tests ran"), "{out}");
    assert_eq!(report["verdict"], "FAIL");
    assert_eq!(
        report["counts"],
        serde_json::json!({"passed": 5, "failed": 2, "skipped": 1})
    );
    assert_eq!(report["kinds"]["edge-case"]["passed"], 2);
    assert_eq!(report["kinds"]["system"]["failed"], 1);
    assert!(dir.path().join("target/mlharness/report.md").exists());
    assert!(dir.path().join("target/mlharness/junit.xml").exists());

    // The same crate, filtered to its passing tests and configured to need only unit tests:
    // every rule holds, so it passes.
    std::fs::write(
        dir.path().join("mlharness.toml"),
        "[gate]\nrequired_kinds = [\"unit\"]\n",
    )
    .unwrap();
    let filter = Some("not (test(=fails) | test(=panics_with_message))".to_string());
    let (pass, out, report) = run(
        dir.path(),
        RunOptions {
            filter,
            ..RunOptions::default()
        },
    );
    assert!(pass, "{out}");
    assert_eq!(
        out.lines().last().unwrap(),
        "PASS: 5 passed, 0 failed, 3 skipped",
        "{out}"
    );
    assert_eq!(report["verdict"], "PASS");

    // --kind selects one kind only.
    let (_, out, report) = run(
        dir.path(),
        RunOptions {
            kinds: vec!["edge-case".parse().unwrap()],
            ..RunOptions::default()
        },
    );
    assert_eq!(report["counts"]["passed"], 2, "{out}");
    assert_eq!(report["kinds"]["edge-case"]["passed"], 2, "{out}");

    // A corrupt mlharness.toml is a one-line cause and FAIL, naming the key's line.
    std::fs::write(
        dir.path().join("mlharness.toml"),
        "[gate]\nrequired_kinds = \"unit\"\n",
    )
    .unwrap();
    let mut out = Vec::new();
    let pass = runner::run(
        &RunOptions {
            workspace: Some(dir.path().to_path_buf()),
            no_coverage: true,
            ..RunOptions::default()
        },
        &mut out,
    );
    let out = String::from_utf8(out).unwrap();
    assert!(!pass);
    assert!(
        out.contains("mlharness.toml") && out.contains("line 2"),
        "{out}"
    );
    assert_eq!(
        out.lines().last().unwrap(),
        "FAIL: 0 passed, 0 failed, 0 skipped"
    );
}

#[test]
fn a_test_binary_that_does_not_compile_is_a_fail_with_the_compiler_error() {
    let dir = sample();
    std::fs::write(
        dir.path().join("tests/system.rs"),
        "#[test] fn health() { let x: u32 = \"no\"; }\n",
    )
    .unwrap();
    let (pass, out, report) = run(dir.path(), RunOptions::default());
    assert!(!pass);
    assert!(
        out.contains("the tests did not build") && out.contains("tests/system.rs"),
        "{out}"
    );
    assert_eq!(report["verdict"], "FAIL");
    assert_eq!(
        out.lines().last().unwrap(),
        "FAIL: 0 passed, 0 failed, 0 skipped"
    );
}
