//! `mlharness config-diff`, run as a user runs it.

use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;

fn dir(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .arg("config-diff")
        .args(args)
        .current_dir(dir)
        .env_remove("MODEL_VERSION")
        .envs(env.iter().copied())
        .output()
        .expect("run mlharness");
    (
        status.code().expect("exit code"),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

const EXPECTED: &str = "loss = \"log_loss\"\nalpha = 0.1\nfeatures = [\"calls\", \"plan\"]\nmodel_version = \"${MODEL_VERSION:-v1}\"\n[server]\nport = 8080\n";
const ACTUAL_YAML: &str = "loss: log_loss\nalpha: 0.1\nfeatures: [calls, plan]\nmodel_version: ${MODEL_VERSION:-v1}\nserver:\n  port: 8080\n";
const RULES: &str = "[[rule]]\npath = \"loss\"\nallowed = [\"log_loss\"]\n";

#[test]
fn equal_configs_exit_0_with_one_line() {
    let d = dir(&[
        ("expected.toml", EXPECTED),
        ("actual.yaml", ACTUAL_YAML),
        ("rules.toml", RULES),
    ]);
    let (code, out, err) = run(
        d.path(),
        &["expected.toml", "actual.yaml", "--rules", "rules.toml"],
        &[],
    );
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(
        out,
        "actual.yaml: 6 settings, equal to expected.toml, 1 rules hold\n"
    );
}

#[test]
fn differences_exit_1_with_a_table_naming_each_path() {
    let actual = ACTUAL_YAML
        .replace("alpha: 0.1", "alpha: \"0.1\"")
        .replace("port: 8080", "port: 9090");
    let d = dir(&[("expected.toml", EXPECTED), ("actual.yaml", &actual)]);
    let (code, out, _) = run(
        d.path(),
        &["expected.toml", "actual.yaml"],
        &[("MODEL_VERSION", "v2")],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out,
        "actual.yaml differs from expected.toml: 3 changes\n\
         \x20 path           change        expected  actual  note\n\
         \x20 alpha          type_changed  0.1       \"0.1\"   float → string\n\
         \x20 model_version  changed       \"v1\"      \"v2\"\n\
         \x20 server.port    changed       8080      9090    +1010 (+12.5%)\n"
    );
    let (code, out, _) = run(
        d.path(),
        &[
            "expected.toml",
            "actual.yaml",
            "--ignore",
            "server.port",
            "--ignore",
            "model_version",
        ],
        &[("MODEL_VERSION", "v2")],
    );
    assert_eq!(code, 1);
    assert!(out.contains("1 change\n"), "{out}");
}

#[test]
fn ignoring_every_difference_exits_0() {
    let actual = ACTUAL_YAML.replace("port: 8080", "port: 9090");
    let d = dir(&[("expected.toml", EXPECTED), ("actual.yaml", &actual)]);
    let (code, out, _) = run(
        d.path(),
        &["expected.toml", "actual.yaml", "--ignore", "*.port"],
        &[],
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_broken_rule_alone_exits_1() {
    let d = dir(&[
        ("expected.toml", EXPECTED),
        ("actual.yaml", ACTUAL_YAML),
        ("rules.toml", "[[rule]]\npath = \"alpha\"\nmin = 0.5\n"),
    ]);
    let (code, out, _) = run(
        d.path(),
        &["expected.toml", "actual.yaml", "--rules", "rules.toml"],
        &[],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("  alpha  range  0.1 is below the minimum 0.5\n"),
        "{out}"
    );
}

#[test]
fn json_output_has_equal_changes_and_rule_violations() {
    let actual = ACTUAL_YAML
        .replace("loss: log_loss", "loss: hinge")
        .replace("features: [calls, plan]", "features: [calls]");
    let d = dir(&[
        ("expected.toml", EXPECTED),
        ("actual.yaml", &actual),
        ("rules.toml", RULES),
    ]);
    let (code, out, _) = run(
        d.path(),
        &[
            "expected.toml",
            "actual.yaml",
            "--rules",
            "rules.toml",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).expect("JSON on stdout");
    assert_eq!(json["equal"], false);
    assert_eq!(
        json["changes"],
        serde_json::json!([
            {"path": "features[1]", "change": "removed", "expected": "plan", "actual": null},
            {"path": "loss", "change": "changed", "expected": "log_loss", "actual": "hinge"},
        ])
    );
    assert_eq!(json["rule_violations"][0]["path"], "loss");
    assert_eq!(json["rule_violations"][0]["rule"], "allowed");

    let d = dir(&[("expected.toml", EXPECTED), ("actual.yaml", ACTUAL_YAML)]);
    let (code, out, _) = run(
        d.path(),
        &["expected.toml", "actual.yaml", "--format", "json"],
        &[],
    );
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["equal"], true);
    assert_eq!(json["changes"], serde_json::json!([]));
    assert_eq!(json["rule_violations"], serde_json::json!([]));
}

#[test]
fn unusable_input_exits_2_with_a_one_line_cause() {
    let d = dir(&[
        ("expected.toml", EXPECTED),
        ("actual.yaml", ACTUAL_YAML),
        ("broken.yaml", "loss: [log_loss\n"),
        ("unset.yaml", "loss: ${LOSS}\n"),
        (
            "bad_rules.toml",
            "[[rule]]\npath = \"loss\"\nallowed = \"log_loss\"\n",
        ),
        ("model.ini", "loss = 1\n"),
    ]);
    let cases: [(&[&str], &str); 5] = [
        (
            &["expected.toml", "missing.yaml"],
            "mlharness config-diff: missing.yaml: cannot read",
        ),
        (
            &["expected.toml", "broken.yaml"],
            "mlharness config-diff: broken.yaml:2:1: invalid YAML",
        ),
        (
            &["expected.toml", "unset.yaml"],
            "mlharness config-diff: unset.yaml:1:7: environment variable `LOSS` is not set",
        ),
        (
            &["expected.toml", "actual.yaml", "--rules", "bad_rules.toml"],
            "mlharness config-diff: bad_rules.toml:3:11: invalid type",
        ),
        (
            &["expected.toml", "model.ini"],
            "mlharness config-diff: model.ini: cannot tell the format",
        ),
    ];
    for (args, cause) in cases {
        let (code, out, err) = run(d.path(), args, &[]);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_eq!(out, "", "{args:?}");
        assert!(err.starts_with(cause), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    }
}

/// Issue 14, bug 6: `--tolerance NaN` and `--tolerance -1` were accepted and made every number
/// equal, or none, without a word.
#[test]
fn a_tolerance_that_is_not_a_finite_non_negative_number_is_refused() {
    let d = dir(&[("expected.toml", EXPECTED), ("actual.yaml", ACTUAL_YAML)]);
    for (bad, shown) in [("NaN", "NaN"), ("-1", "-1"), ("inf", "inf")] {
        // Both spellings: `--tolerance -1` must not be taken for an unknown flag.
        for args in [
            vec![format!("--tolerance={bad}")],
            vec!["--tolerance".to_string(), bad.to_string()],
        ] {
            let mut all = vec!["expected.toml", "actual.yaml"];
            all.extend(args.iter().map(String::as_str));
            let (code, out, err) = run(d.path(), &all, &[]);
            assert_eq!((code, out.as_str()), (2, ""), "{bad}: {err}");
            assert_eq!(
                err.trim_end(),
                format!("mlharness config-diff: --tolerance {shown}: must be a finite number ≥ 0"),
            );
        }
    }
}
