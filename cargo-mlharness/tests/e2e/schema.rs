//! A checked-in schema of version 3 (rules between columns, conditions) in a user's project:
//! `mlharness schema infer` / `validate` on the project's files, and a test of the project that
//! validates its data, whole and in batches, judged by the gate.

use crate::{turn, Project};

/// Plan, voice-mail messages, charge and minutes: a charge never above its minutes, and no
/// messages without the plan.
fn data(broken: bool) -> String {
    let mut csv = String::from("plan,messages,charge,minutes\n");
    for i in 0..60 {
        let plan = if i % 3 == 0 { "yes" } else { "no" };
        let messages = if plan == "yes" { i % 7 + 1 } else { 0 };
        csv.push_str(&format!("{plan},{messages},{}.5,{}\n", i, i + 10));
    }
    if broken {
        // Row 60: messages without the plan; row 61: a charge above its minutes.
        csv.push_str("no,4,10.5,20\nyes,2,30.5,12\n");
    }
    csv
}

const TEST: &str = r#"use mlharness::check::Checked;
use mlharness::data::Dataset;
use mlharness::schema::Schema;

#[test]
fn the_data_meets_its_schema() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let schema = Schema::load(format!("{dir}/schema.json")).unwrap();
    let data = Dataset::from_csv(format!("{dir}/data.csv")).unwrap();
    schema.validate(&data).assert_passed();
}

/// The same rows in three batches, as rows from a cursor come.
#[test]
fn the_data_meets_its_schema_in_batches() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let schema = Schema::load(format!("{dir}/schema.json")).unwrap();
    let data = Dataset::from_csv(format!("{dir}/data.csv")).unwrap();
    let n = data.n_rows();
    let mut validator = schema.validator(None);
    for rows in [0..n / 3, n / 3..n / 2, n / 2..n] {
        validator.push(&data.take(&rows.collect::<Vec<_>>()).unwrap()).unwrap();
    }
    validator.finish().assert_passed();
}
"#;

#[test]
fn a_version_3_schema_is_checked_by_the_command_and_by_the_projects_tests() {
    let _turn = turn();
    let p = Project::library("churnish");
    p.write("data.csv", &data(false));
    // The columns as inferred, then the rules between them written by hand, as a user would.
    let infer = p.mlharness(&["schema", "infer", "data.csv", "--output", "inferred.json"]);
    assert_eq!(infer.code, 0, "{infer}");
    let mut schema: serde_json::Value = serde_json::from_str(&p.read("inferred.json")).unwrap();
    schema["mlharness_schema"] = 3.into();
    schema["relations"] = serde_json::json!([{"left": "charge", "op": "<=", "right": "minutes"}]);
    schema["conditions"] = serde_json::json!([
        {"if": {"column": "plan", "in": ["no"]}, "then": {"column": "messages", "max": 0}}
    ]);
    p.write(
        "schema.json",
        &serde_json::to_string_pretty(&schema).unwrap(),
    );
    p.write("tests/data.rs", TEST);

    let valid = p.mlharness(&["validate", "data.csv", "--schema", "schema.json"]);
    assert_eq!(valid.code, 0, "{valid}");
    let run = p.mlharness(&["run", "--no-coverage"]);
    assert_eq!(run.code, 0, "{run}");

    p.write("data.csv", &data(true));
    let invalid = p.mlharness(&["validate", "data.csv", "--schema", "schema.json"]);
    assert_eq!(invalid.code, 1, "{invalid}");
    for named in [
        "found charge = 30.5 and minutes = 12 (row 61)",
        "expected messages <= 0 where plan in [no], found messages = 4 (row 60)",
    ] {
        assert!(invalid.stdout.contains(named), "`{named}` named: {invalid}");
    }
    let run = p.mlharness(&["run", "--no-coverage"]);
    assert_eq!(run.code, 1, "{run}");
    for test in [
        "the_data_meets_its_schema",
        "the_data_meets_its_schema_in_batches",
    ] {
        let failed = run
            .stdout
            .lines()
            .any(|l| l.contains("FAIL") && l.ends_with(&format!("::data {test}")));
        assert!(failed, "the gate names `{test}` as failed: {run}");
    }
    // In batches, the same two violations in the same rows as the whole file.
    assert!(
        run.stdout
            .contains("FAILED schema validation: 2 violations in 62 rows"),
        "{run}"
    );
}
