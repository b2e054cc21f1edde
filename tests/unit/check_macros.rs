//! `mlharness::check` (tables, outcomes, `enforce`) and the test-generating macros
//! `benchmark_score!` / `differential!`.

use mlharness::check::{enforce, Outcome, Table};
use mlharness::data::{Column, Dataset};
use mlharness::differential::Differential;
use mlharness::model::Predictions;

#[test]
fn tables_pad_columns_to_the_widest_cell() {
    let mut t = Table::new(["metric", "found"]).with_rule();
    t.row(["roc_auc", "0.8"]).row(["f1", "0.71234", "extra"]);
    assert_eq!(
        t.to_string(),
        "  metric   found\n  -------  -------  -----\n  roc_auc  0.8\n  f1       0.71234  extra\n"
    );
}

#[test]
fn enforce_is_quiet_on_success_and_shows_only_failed_tables() {
    let ok = Outcome::new("first check", true, Table::new(["a"]));
    enforce("benchmark::fine", vec![ok.clone()]);
    let bad = Outcome::new("second check", false, Table::new(["b"])).note("by 0.2");
    let message = std::panic::catch_unwind(|| enforce("benchmark::bad", vec![ok, bad]))
        .unwrap_err()
        .downcast::<String>()
        .unwrap();
    assert!(
        message.starts_with("benchmark::bad: 1 of 2 checks failed"),
        "{message}"
    );
    assert!(message.contains("FAILED second check"), "{message}");
    assert!(message.contains("by 0.2"), "{message}");
    assert!(
        !message.contains("first check"),
        "passed checks stay quiet: {message}"
    );
    let message = std::panic::catch_unwind(|| {
        enforce(
            "differential::x",
            Err::<Outcome, _>("golden.json: cannot read"),
        )
    })
    .unwrap_err()
    .downcast::<String>()
    .unwrap();
    assert_eq!(
        *message,
        "differential::x: the check could not run: golden.json: cannot read"
    );
}

fn one_column() -> Dataset {
    Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 3.0]))]).unwrap()
}

mlharness::benchmark_score! {
    /// The generated test is named `…::benchmark::<name>`, the gate's benchmark-score kind.
    fn is_named_in_the_benchmark_module() {
        let name = std::thread::current().name().unwrap_or("").to_string();
        let passed = name.ends_with("check_macros::mlharness_benchmark::is_named_in_the_benchmark_module");
        Outcome::new(format!("test name {name}"), passed, Table::new(["name"]))
    }

    #[should_panic(expected = "mlharness_benchmark::failing_outcome_fails_the_test: 1 of 1 checks failed")]
    fn failing_outcome_fails_the_test() {
        Outcome::new("always", false, Table::new(["x"]))
    }

    #[should_panic(expected = "the check could not run")]
    fn errors_fail_the_test() -> Result<Outcome, Box<dyn std::error::Error>> {
        let data = Dataset::from_columns(vec![])?;
        Ok(Differential::new().compare(&data, &Predictions::values(vec![]), &Predictions::values(vec![]), "v1")?)
    }
}

mlharness::differential! {
    fn helpers_of_the_enclosing_module_are_in_scope() -> Result<Vec<Outcome>, Box<dyn std::error::Error>> {
        let data = one_column();
        let p = Predictions::values(vec![1.0, 2.0, 3.0]);
        Ok(vec![Differential::new().compare(&data, &p, &p, "itself")?])
    }

    #[should_panic(expected = "FAILED differential: candidate vs v1 (3 rows)")]
    fn a_changed_prediction_fails_with_its_table() -> Result<Outcome, Box<dyn std::error::Error>> {
        let data = one_column();
        let v1 = Predictions::values(vec![1.0, 2.0, 3.0]);
        let v2 = Predictions::values(vec![1.0, 2.5, 3.0]);
        Ok(Differential::new().compare(&data, &v2, &v1, "v1")?)
    }
}
