//! `mlharness check-data TRAIN [TEST] --target COLUMN`: a clean pair passes (exit 0); planted
//! duplicates, conflicting labels, overlapping rows and a leaked copy of the target are each
//! reported with counts (exit 1); unusable input is exit 2 with a one-line cause.

use super::repo_file;
use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;

/// `fixtures/churn.csv` with an `id` column in front: its header and rows.
fn churn_lines() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(repo_file("fixtures/churn.csv")).unwrap();
    let mut lines = text.lines();
    let header = format!("id,{}", lines.next().unwrap());
    let rows = lines
        .enumerate()
        .map(|(i, l)| format!("c{i},{l}"))
        .collect();
    (header, rows)
}

fn write(dir: &Path, name: &str, header: &str, rows: &[String]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    path.to_str().unwrap().to_string()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .arg("check-data")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run mlharness")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The last field (the target) of a CSV line flipped between `yes` and `no`.
fn flipped(line: &str) -> String {
    let (head, label) = line.rsplit_once(',').unwrap();
    format!("{head},{}", if label == "yes" { "no" } else { "yes" })
}

#[test]
fn a_clean_pair_passes_and_a_planted_one_reports_each_fault() {
    let dir = TempDir::new().unwrap();
    let (header, rows) = churn_lines();
    let (train_rows, test_rows) = rows.split_at(2500);
    let train = write(dir.path(), "train.csv", &header, train_rows);
    let test = write(dir.path(), "test.csv", &header, test_rows);
    let clean = run(
        dir.path(),
        &["train.csv", "test.csv", "--target", "churn", "--id", "id"],
    );
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}{}",
        text(&clean.stdout),
        text(&clean.stderr)
    );
    let stdout = text(&clean.stdout);
    assert!(
        stdout.ends_with("PASS: all 17 data checks passed\n"),
        "{stdout}"
    );
    let _ = (train, test);

    // Planted: two duplicates and a conflicting copy in training, three training customers in
    // the test file, and `voice_mail_plan` replaced by the target in both.
    let leak = |line: &str| {
        let fields: Vec<&str> = line.split(',').collect();
        let mut out: Vec<&str> = fields.clone();
        out[5] = fields[fields.len() - 1];
        out.join(",")
    };
    let mut bad_train: Vec<String> = train_rows.iter().map(|l| leak(l)).collect();
    bad_train.push(bad_train[10].clone());
    bad_train.push(bad_train[11].clone());
    bad_train.push(flipped(&bad_train[12]));
    let mut bad_test: Vec<String> = test_rows.iter().map(|l| leak(l)).collect();
    bad_test.extend(bad_train[20..23].iter().cloned());
    write(dir.path(), "bad-train.csv", &header, &bad_train);
    write(dir.path(), "bad-test.csv", &header, &bad_test);
    let args = [
        "bad-train.csv",
        "bad-test.csv",
        "--target",
        "churn",
        "--id",
        "id",
        "--format",
        "json",
    ];
    let out = run(dir.path(), &args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(json["passed"], false);
    let find = |check: &str, file: &str| -> &serde_json::Value {
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == check && c["file"] == file)
            .unwrap_or_else(|| panic!("{check} on {file} in {json}"))
    };
    let pair = "bad-train.csv vs bad-test.csv";
    // The copies repeat rows with their own IDs: the ID is left out, so they are duplicates.
    assert_eq!(
        (find("duplicates", "bad-train.csv")["count"].as_u64()),
        Some(2)
    );
    assert_eq!(find("duplicates", "bad-train.csv")["passed"], false);
    assert_eq!(
        find("conflicting_labels", "bad-train.csv")["count"].as_u64(),
        Some(2)
    );
    assert_eq!(find("train_test_overlap", pair)["count"].as_u64(), Some(3));
    assert_eq!(find("shared_ids", pair)["count"].as_u64(), Some(3));
    let leakage = find("feature_label_leakage", "bad-train.csv");
    assert_eq!(leakage["column"], "voice_mail_plan");
    assert!(leakage["examples"].is_array());
    assert_eq!(find("duplicates", "bad-test.csv")["passed"], true);

    // The text form: each failure with its table, the passes one line each, a verdict.
    let out = run(dir.path(), &args[..6]);
    insta::assert_snapshot!(text(&out.stdout));
    let md = run(
        dir.path(),
        &["bad-train.csv", "--target", "churn", "--format", "md"],
    );
    assert_eq!(md.status.code(), Some(1));
    assert!(
        text(&md.stdout).starts_with("**FAIL: 3 of 7 data checks failed**"),
        "{}",
        text(&md.stdout)
    );
    // The page: failed checks first, each with its table; the exit code is the same.
    let page = run(
        dir.path(),
        &["bad-train.csv", "--target", "churn", "--format", "html"],
    );
    assert_eq!(page.status.code(), Some(1));
    let html = text(&page.stdout);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("verdict fail"));
    let first_pass = html.find("badge pass").expect("a passed check");
    assert_eq!(
        html[..first_pass].matches("badge fail").count(),
        3,
        "the 3 failures come first"
    );
}

#[test]
fn unusable_input_is_exit_2_with_a_one_line_cause() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("a.csv"), "x,y\n1,yes\n2,no\n").unwrap();
    std::fs::write(dir.path().join("b.csv"), "x,y\nlots,yes\n").unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &["missing.csv", "--target", "y"],
            "missing.csv: cannot read",
        ),
        (&["a.csv", "--target", "z"], "`z`"),
        (
            &["a.csv", "b.csv", "--target", "y"],
            "b.csv:2: column `x` (field 1) is declared numeric, but `lots` is not a number",
        ),
    ];
    for (args, cause) in cases {
        let out = run(dir.path(), args);
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {stderr}{}",
            text(&out.stdout)
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.starts_with("mlharness check-data: ") && stderr.contains(cause),
            "{stderr}\nexpected {cause}"
        );
    }
}
