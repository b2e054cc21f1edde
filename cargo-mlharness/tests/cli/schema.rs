//! `mlharness schema infer` and `mlharness validate`: outputs and exit codes (0 valid, 1 with
//! the violations, 2 with a one-line cause on unusable input).

use crate::repo_file;
use std::path::Path;
use std::process::{Command, Output};

fn mlharness(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run mlharness")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary directory with `train.csv` (the churn fixture) and its inferred `schema.json`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        repo_file("fixtures/churn.csv"),
        dir.path().join("train.csv"),
    )
    .unwrap();
    let out = mlharness(
        &[
            "schema",
            "infer",
            "train.csv",
            "-o",
            "schema.json",
            "--target",
            "churn",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("wrote schema.json: 20 columns inferred from 5000 rows"));
    dir
}

#[test]
fn infer_writes_a_schema_that_the_same_data_passes() {
    let dir = workspace();
    let out = mlharness(
        &["validate", "train.csv", "--schema", "schema.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(
        text(&out.stdout),
        "valid: 5000 rows of train.csv match the schema\n"
    );
}

#[test]
fn infer_without_output_prints_the_schema() {
    let dir = workspace();
    let out = mlharness(&["schema", "infer", "train.csv"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["columns"][1]["name"], "account_length");
}

#[test]
fn invalid_data_exits_1_with_every_violation_as_text_or_json() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("live.csv"),
        "state,account_length,churn\nKS,-5,no\nZZ,1e300,maybe\n",
    )
    .unwrap();
    let out = mlharness(
        &["validate", "live.csv", "--schema", "schema.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout);
    assert!(
        shown.starts_with("invalid: 20 violations in 2 rows of live.csv"),
        "{shown}"
    );
    assert!(
        shown.contains("expected [1, 243], found -5 .. 1e300"),
        "{shown}"
    );

    let out = mlharness(
        &[
            "validate",
            "live.csv",
            "--schema",
            "schema.json",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], false);
    let violations = json["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 20);
    let first = &violations[0];
    assert_eq!(
        (first["column"].as_str(), first["kind"].as_str()),
        (Some("state"), Some("unseen_category"))
    );
    assert_eq!(first["count"], 1);
    assert!(violations
        .iter()
        .any(|v| v["kind"] == "missing_column" && v["column"] == "total_day_minutes"));
}

#[test]
fn serving_data_without_the_target_is_valid_in_the_serving_environment() {
    let dir = workspace();
    let rows: String = std::fs::read_to_string(dir.path().join("train.csv"))
        .unwrap()
        .lines()
        .take(50)
        .map(|l| format!("{}\n", l.rsplit_once(',').unwrap().0))
        .collect();
    std::fs::write(dir.path().join("serving.csv"), rows).unwrap();
    let args = ["validate", "serving.csv", "--schema", "schema.json"];
    assert_eq!(mlharness(&args, dir.path()).status.code(), Some(1));
    let out = mlharness(
        &[&args[..], &["--environment", "serving"]].concat(),
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn unusable_input_exits_2_with_a_one_line_cause() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("bad.json"),
        "{\"mlharness_schema\": 1,\n\"columns\": 3}",
    )
    .unwrap();
    std::fs::write(dir.path().join("ragged.csv"), "a,b\n1,2\n3\n").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["validate", "missing.csv", "--schema", "schema.json"],
            "missing.csv: cannot read",
        ),
        (
            &["validate", "train.csv", "--schema", "bad.json"],
            "bad.json:2:",
        ),
        (
            &["validate", "ragged.csv", "--schema", "schema.json"],
            "ragged.csv:3: this row has 1 fields",
        ),
        (
            &["schema", "infer", "missing.csv"],
            "missing.csv: cannot read",
        ),
    ];
    for (args, cause) in cases {
        let out = mlharness(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(cause), "{args:?}: {err}");
    }
}

/// A schema of 3,000 columns: more output than a pipe buffer holds.
fn wide_csv(dir: &Path) -> std::path::PathBuf {
    let names: Vec<String> = (0..3000).map(|i| format!("feature_{i}")).collect();
    let values: Vec<String> = (0..3000).map(|i| i.to_string()).collect();
    let path = dir.join("wide.csv");
    std::fs::write(
        &path,
        format!("{}\n{}\n", names.join(","), values.join(",")),
    )
    .unwrap();
    path
}

/// Issue 14, bug 4: `mlharness … | head -1` panicked (exit 101) when the pipe closed.
#[test]
fn a_closed_stdout_ends_quietly_and_a_full_disk_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let wide = wide_csv(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .args(["schema", "infer"])
        .arg(&wide)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away, as `head` does
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "quiet");

    if Path::new("/dev/full").exists() {
        let full = std::fs::File::create("/dev/full").unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_mlharness"))
            .args(["schema", "infer"])
            .arg(&wide)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).starts_with("ERROR: mlharness: cannot write to standard output:"),
            "{}",
            text(&out.stderr)
        );
    }
}
