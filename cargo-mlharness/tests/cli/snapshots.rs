//! What each data verb prints, in every format, as insta snapshots (`tests/cli/snapshots/`):
//! a change of wording or layout shows up in `cargo insta review` and in the pull request.
//! Each case runs in a directory of its own with relative paths, so the output is the same on
//! every machine.

use std::process::Command;
use tempfile::TempDir;

/// Runs `mlharness ARGS` in a directory holding `files`; the exit code, stdout and stderr as
/// one text to snapshot.
fn run(files: &[(&str, &str)], args: &[&str]) -> String {
    let dir = TempDir::new().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .args(args)
        .current_dir(dir.path())
        .env_remove("MODEL_VERSION")
        .output()
        .unwrap();
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// 60 rows: `tenure` 1–60, `plan` basic/pro/gold, `calls` cycling 0–4.
fn reference() -> String {
    let mut s = String::from("tenure,plan,calls\n");
    for i in 0..60 {
        let plan = ["basic", "pro", "gold"][i % 3];
        s.push_str(&format!("{},{plan},{}\n", i + 1, i % 5));
    }
    s
}

/// As the reference, with tenure shifted by 40 and a new plan in every fourth row.
fn drifted() -> String {
    let mut s = String::from("tenure,plan,calls\n");
    for i in 0..60 {
        let plan = if i % 4 == 0 {
            "enterprise"
        } else {
            ["basic", "pro", "gold"][i % 3]
        };
        s.push_str(&format!("{},{plan},{}\n", i + 41, i % 5));
    }
    s
}

/// Violations of every common kind: out of range, unseen category, missing value, NaN.
fn broken() -> String {
    "tenure,plan,calls\n5,basic,1\n-3,pro,2\n7,platinum,\nNaN,gold,3\n".to_string()
}

#[test]
fn schema_infer() {
    insta::assert_snapshot!(run(
        &[("train.csv", &reference())],
        &["schema", "infer", "train.csv", "--target", "plan"]
    ));
}

#[test]
fn validate_text_and_json() {
    let schema = run(
        &[("train.csv", &reference())],
        &["schema", "infer", "train.csv"],
    );
    let json = schema
        .split("--- stdout\n")
        .nth(1)
        .unwrap()
        .split("--- stderr")
        .next()
        .unwrap();
    let files = [("schema.json", json), ("today.csv", &broken() as &str)];
    insta::assert_snapshot!(
        "validate_text",
        run(
            &files,
            &["validate", "--schema", "schema.json", "today.csv"]
        )
    );
    insta::assert_snapshot!(
        "validate_json",
        run(
            &files,
            &[
                "validate",
                "--schema",
                "schema.json",
                "today.csv",
                "--format",
                "json"
            ]
        )
    );
}

#[test]
fn drift_in_every_format() {
    let files = [("reference.csv", reference()), ("current.csv", drifted())];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    for format in ["text", "json", "md"] {
        insta::assert_snapshot!(
            format!("drift_{format}"),
            run(
                &files,
                &["drift", "reference.csv", "current.csv", "--format", format]
            )
        );
    }
    insta::assert_snapshot!(
        "drift_none",
        run(
            &[("a.csv", &reference()), ("b.csv", &reference())],
            &["drift", "a.csv", "b.csv"]
        )
    );
}

#[test]
fn config_diff_text_and_json() {
    let expected = "loss = \"log_loss\"\nalpha = 0.1\nfeatures = [\"calls\", \"plan\"]\n[server]\nport = 8080\n";
    let actual = "loss: hinge\nalpha: 0.3\nfeatures: [calls, tenure]\nserver:\n  port: 8080\n  debug: true\n";
    let rules = "[[rule]]\npath = \"loss\"\nallowed = [\"log_loss\"]\nreason = \"logistic regression fits log loss only\"\n";
    let files = [
        ("model.toml", expected),
        ("live.yaml", actual),
        ("rules.toml", rules),
    ];
    for format in ["text", "json"] {
        insta::assert_snapshot!(
            format!("config_diff_{format}"),
            run(
                &files,
                &[
                    "config-diff",
                    "model.toml",
                    "live.yaml",
                    "--rules",
                    "rules.toml",
                    "--format",
                    format
                ]
            )
        );
    }
    insta::assert_snapshot!(
        "config_diff_equal",
        run(&files, &["config-diff", "model.toml", "model.toml"])
    );
}

#[test]
fn input_errors_are_one_line() {
    insta::assert_snapshot!(
        "input_errors",
        [
            run(
                &[("bad.csv", "a,b\n1,\"x\n2,y\n")],
                &["schema", "infer", "bad.csv"]
            ),
            run(
                &[("a.csv", "a\n1\n")],
                &["validate", "--schema", "missing.json", "a.csv"]
            ),
            run(
                &[("a.toml", "a = [\n")],
                &["config-diff", "a.toml", "a.toml"]
            ),
            run(
                &[("a.csv", "a\n1\n"), ("b.csv", "a\n")],
                &["drift", "a.csv", "b.csv"]
            ),
        ]
        .join("\n")
    );
}
