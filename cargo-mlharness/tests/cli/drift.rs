//! `mlharness drift reference.csv current.csv`: exit codes, formats, column selection.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

/// Writes a CSV of `n` rows: `minutes` (0..97 cycling, plus `shift`), `plan` (basic/pro, with
/// `new_every`th row a new plan when given), `calls` (cycling, or all missing).
fn csv(
    dir: &Path,
    name: &str,
    n: usize,
    shift: f64,
    new_every: Option<usize>,
    calls_missing: bool,
) -> PathBuf {
    let mut text = String::from("minutes,plan,calls\n");
    for i in 0..n {
        let plan = match new_every {
            Some(k) if i % k == 0 => "premium",
            _ if i % 3 == 0 => "pro",
            _ => "basic",
        };
        let calls = if calls_missing {
            String::new()
        } else {
            (i % 7).to_string()
        };
        text.push_str(&format!(
            "{},{plan},{calls}\n",
            (i * 37 % 97) as f64 + shift
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .arg("drift")
        .args(args)
        .output()
        .expect("run mlharness")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn no_drift_exits_0_with_the_table() {
    let dir = TempDir::new().unwrap();
    let a = csv(dir.path(), "a.csv", 500, 0.0, None, false);
    let b = csv(dir.path(), "b.csv", 400, 0.0, None, false);
    let out = run(&[s(&a), s(&b)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("no drift: 0 of 3 columns drifted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("minutes") && stdout.contains("ks"),
        "{stdout}"
    );
}

#[test]
fn drift_exits_1_and_the_json_names_the_column() {
    let dir = TempDir::new().unwrap();
    let a = csv(dir.path(), "a.csv", 500, 0.0, None, false);
    let b = csv(dir.path(), "b.csv", 500, 30.0, None, true);
    let out = run(&[s(&a), s(&b), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&text(&out.stdout)).unwrap();
    assert_eq!(json["drift"], true);
    let columns = json["columns"].as_array().unwrap();
    let find = |column: &str, test: &str| {
        columns
            .iter()
            .find(|c| c["column"] == column && c["test"] == test)
            .unwrap_or_else(|| panic!("{column} {test} in {json}"))
    };
    let minutes = find("minutes", "ks");
    assert_eq!(minutes["drift"], true);
    assert!(minutes["p_value"].as_f64().unwrap() < 1e-6);
    assert!(minutes["statistic"].as_f64().unwrap() > 0.2);
    assert!(minutes["effect_size"].is_f64());
    // `calls` has no value left: its distribution cannot be tested (p-value null), and the
    // missing check flags it.
    let calls = find("calls", "ks");
    assert!(
        calls["p_value"].is_null() && calls["statistic"].is_null(),
        "{calls}"
    );
    assert_eq!(find("calls", "chi2 missing/present")["drift"], true);
    assert_eq!(find("plan", "chi2")["drift"], false);
}

#[test]
fn columns_and_markdown() {
    let dir = TempDir::new().unwrap();
    let a = csv(dir.path(), "a.csv", 2000, 0.0, None, false);
    let b = csv(dir.path(), "b.csv", 2000, 30.0, Some(20), false);
    let out = run(&[s(&a), s(&b), "--columns", "plan,calls", "--format", "md"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(
        md.starts_with("**DRIFT: 1 of 2 columns drifted (50.0%, allowed 0.0%): plan**"),
        "{md}"
    );
    assert!(md.contains("new: `premium` (5.0%)"), "{md}");
    assert!(!md.contains("| minutes |"), "only the chosen columns: {md}");
    let out = run(&[s(&a), s(&b), "--columns", "calls"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn unusable_input_exits_2_with_a_one_line_cause() {
    let dir = TempDir::new().unwrap();
    let a = csv(dir.path(), "a.csv", 50, 0.0, None, false);
    let missing = dir.path().join("nope.csv");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "minutes,plan,calls\n1,basic,2\nlots,pro,3\n").unwrap();
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "minutes,plan\n1,basic\n").unwrap();
    let cases: [(Vec<&str>, String); 4] = [
        (vec![s(&a), s(&missing)], format!("{}: cannot read", missing.display())),
        (
            vec![s(&a), s(&bad)],
            format!("{}:3: column `minutes` (field 1) is declared numeric, but `lots` is not a number", bad.display()),
        ),
        (
            vec![s(&a), s(&other)],
            "column `calls` is in the reference data but not in the current data (its columns: minutes, plan)".into(),
        ),
        (vec![s(&a), s(&a), "--columns", "tenure"], "column `tenure` is in the current data but not in the reference".into()),
    ];
    for (args, cause) in cases {
        let out = run(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(
            stderr.starts_with("mlharness drift: ") && stderr.contains(&cause),
            "{stderr}\nexpected: {cause}"
        );
        assert!(out.stdout.is_empty());
    }
}

/// Issue 14, bug 6: a reference file with a header and no rows was reported as a problem of the
/// current file.
#[test]
fn a_reference_without_rows_is_named_as_such() {
    let dir = TempDir::new().unwrap();
    let empty = dir.path().join("reference.csv");
    std::fs::write(&empty, "minutes,plan,calls\n").unwrap();
    let b = csv(dir.path(), "current.csv", 50, 0.0, None, false);
    let out = run(&[s(&empty), s(&b)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!(
            "mlharness drift: {}: the reference data has no rows: nothing to compare\n",
            empty.display()
        )
    );
    let out = run(&[s(&b), s(&empty)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        format!(
            "mlharness drift: {}: the current data has no rows: nothing to compare\n",
            empty.display()
        )
    );
}

/// Issue 18, item 5: with `--schema`, a numeric-looking column the schema calls categorical (an
/// area code) is compared as categories; without it, as numbers.
#[test]
fn a_schema_decides_that_an_area_code_is_compared_as_categories() {
    let dir = TempDir::new().unwrap();
    let write = |name: &str, codes: &[&str]| {
        let mut text = String::from("area_code,minutes\n");
        for (i, code) in codes.iter().cycle().take(300).enumerate() {
            text.push_str(&format!("{code},{}\n", i % 50));
        }
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let reference = write("reference.csv", &["415", "408", "510", "415"]);
    let current = write("current.csv", &["415", "408", "510", "999"]);
    // As reviewed and checked in: the area code is a code, not a quantity.
    let schema = dir.path().join("schema.json");
    std::fs::write(
        &schema,
        r#"{"mlharness_schema": 1, "columns": [
            {"name": "area_code", "kind": "categorical", "nullable": false, "categories": ["408", "415", "510"]},
            {"name": "minutes", "kind": "numeric", "nullable": false}
        ]}"#,
    )
    .unwrap();
    let test_of = |extra: &[&str]| {
        let mut args = vec![
            reference.to_str().unwrap(),
            current.to_str().unwrap(),
            "--format",
            "json",
            "--columns",
            "area_code",
        ];
        args.extend(extra);
        let out = run(&args);
        assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let distribution = json["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["aspect"] == "distribution")
            .cloned()
            .unwrap();
        (
            distribution["test"].as_str().unwrap().to_string(),
            distribution["note"].as_str().unwrap_or("").to_string(),
        )
    };
    assert_eq!(test_of(&[]).0, "ks");
    let (test, note) = test_of(&["--schema", schema.to_str().unwrap()]);
    assert_eq!(test, "chi2");
    assert!(note.contains("new: `999` (25.0%)"), "{note}");
}

#[test]
fn a_schema_that_does_not_load_is_exit_2_naming_it() {
    let dir = TempDir::new().unwrap();
    let a = csv(dir.path(), "a.csv", 20, 0.0, None, false);
    let bad = dir.path().join("schema.json");
    std::fs::write(&bad, "{\"columns\": 5}").unwrap();
    let out = run(&[
        a.to_str().unwrap(),
        a.to_str().unwrap(),
        "--schema",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("schema.json"),
        "{}",
        text(&out.stderr)
    );
}

/// Issue 19, item 5: an ID column is left out with `--ignore`; a column on one side only
/// (the target, present in training data only) is left out and named with `--skip-one-sided`
/// instead of making the input unusable.
#[test]
fn ignore_and_skip_one_sided_leave_columns_out() {
    let dir = TempDir::new().unwrap();
    let a = csv(dir.path(), "a.csv", 500, 0.0, None, false);
    let b = csv(dir.path(), "b.csv", 500, 30.0, None, false);
    let out = run(&[s(&a), s(&b), "--ignore", "minutes"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).starts_with("no drift: 0 of 2 columns drifted"),
        "{}",
        text(&out.stdout)
    );

    let other = dir.path().join("other.csv");
    let mut body = String::from("minutes,plan\n");
    for i in 0..200 {
        body.push_str(&format!("{},basic\n", i * 37 % 97));
    }
    std::fs::write(&other, body).unwrap();
    let out = run(&[s(&a), s(&other)]);
    assert_eq!(out.status.code(), Some(2), "without the flag: unusable");
    let out = run(&[s(&a), s(&other), "--skip-one-sided", "--format", "json"]);
    let stdout = text(&out.stdout);
    assert_ne!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(
        json["columns"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["column"] != "calls"),
        "{stdout}"
    );
    assert!(
        stdout.contains("calls"),
        "the left-out column is named: {stdout}"
    );
}
