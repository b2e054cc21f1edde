//! The test-generating macros as a user's compiler sees them.

use crate::{turn, Project};

/// Issue 18: a misspelt oddity in `edge_cases!` silently became "either outcome" (a weaker test
/// than written). Now it does not compile, and the error points at the misspelt token.
#[test]
fn an_unknown_oddity_name_is_a_compile_error_at_its_token() {
    let _turn = turn();
    let p = Project::library("oddities");
    p.write(
        "tests/edge_cases.rs",
        r#"use mlharness::data::{Column, Dataset};
use mlharness::model::{ModelError, Predictions};
use mlharness::schema::Schema;

fn base() -> Dataset {
    Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))]).unwrap()
}

fn model(ds: &Dataset) -> Result<Predictions, ModelError> {
    Ok(Predictions::values(vec![0.0; ds.n_rows()]))
}

mlharness::edge_cases! {
    model: model,
    data: base(),
    schema: Schema::infer(&base()),
    expect_error: [missing_colum, my_own],
    only: [nan, singel_row],
    custom: { my_own => |b: &Dataset, _: &Schema| b.clone() },
}
"#,
    );
    let out = p
        .command("cargo")
        .args(["test", "--no-run", "--quiet", "--color", "never"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a misspelt oddity compiled");
    let stderr = crate::text(&out.stderr);
    // The errors and where they point, without the rest of rustc's rendering (which changes
    // between compiler versions).
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error[") || l.trim_start().starts_with("--> "))
        .collect();
    insta::assert_snapshot!(errors.join("\n"), @r"
    error[E0425]: cannot find value `missing_colum` in module `__mlharness_names`
      --> tests/edge_cases.rs:17:20
    error[E0425]: cannot find value `singel_row` in module `__mlharness_oddities`
      --> tests/edge_cases.rs:18:17
    ");
    // rustc suggests the name meant; `my_own` (a custom oddity) is accepted.
    assert!(stderr.contains("`missing_column`"), "{stderr}");
    assert!(stderr.contains("`single_row`"), "{stderr}");
}
