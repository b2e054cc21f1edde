//! `mlharness::check` (tables, outcomes, `enforce`) and the test-generating macros
//! `benchmark_score!` / `differential!`.

use mlharness::check::{enforce, CheckFailure, Checked, Outcome};
use mlharness::data::{Column, Dataset};
use mlharness::differential::Differential;
use mlharness::kind::Kind;
use mlharness::model::Predictions;
use mlharness::table::Table;

#[test]
fn tables_pad_columns_to_the_widest_cell() {
    let mut t = Table::new(["metric", "found"]).with_rule();
    t.row(["roc_auc", "0.8"]).row(["f1", "0.71234", "extra"]);
    assert_eq!(
        t.to_string(),
        "  metric   found\n  -------  -------  -----\n  roc_auc  0.8\n  f1       0.71234  extra\n"
    );
}

/// `Outcome` without a table or headline, of kind benchmark-score.
fn outcome(check: &str, passed: bool) -> Outcome {
    Outcome::new(Kind::BenchmarkScore, check, passed)
}

#[test]
fn enforce_is_quiet_on_success_and_shows_only_failed_tables() {
    let ok = outcome("first check", true);
    enforce("benchmark::fine", vec![ok.clone()]);
    let bad = outcome("second check", false).with_note("by 0.2");
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

#[test]
fn one_outcome_renders_headline_table_and_notes() {
    let mut t = Table::new(["column", "mean"]);
    t.row(["age", "3"]);
    let o = Outcome::fail(Kind::Unit, "standardized", "`age` has mean 3, expected 0")
        .with_table(t)
        .with_note("was the scaler applied?");
    assert_eq!(
        o.to_string(),
        "FAILED standardized: `age` has mean 3, expected 0\n  column  mean\n  ------  ----\n  age     3\n  was the scaler applied?\n"
    );
    assert_eq!(
        (o.kind(), o.name(), o.passed()),
        (Kind::Unit, "standardized", false)
    );
    let json = serde_json::to_value(&o).unwrap();
    assert_eq!(json["kind"], "unit");
    assert_eq!(json["table"]["rows"][0][1], "3");
    // A passed outcome with nothing to show is one line.
    assert_eq!(
        Outcome::pass(Kind::Unit, "scaled").to_string(),
        "passed scaled\n"
    );
}

#[test]
fn require_turns_a_failed_or_unrunnable_check_into_an_error_that_renders_it() {
    let bad = Outcome::fail(Kind::Unit, "scaled", "mean 3");
    let failure = bad.clone().require().unwrap_err();
    assert_eq!(failure.outcomes(), std::slice::from_ref(&bad));
    // Debug is the message, so a test returning `Result<(), CheckFailure>` prints the table.
    assert_eq!(format!("{failure:?}"), format!("\n{bad}"));

    let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
    let unrunnable: Result<Outcome, _> = Err(mlharness::fs::WriteError {
        path: "golden.csv".into(),
        source: io,
    });
    let failure = unrunnable.require().unwrap_err();
    assert!(matches!(failure, CheckFailure::CouldNotRun(_)));
    // The cause is printed once, after the error's own message.
    assert_eq!(
        failure.to_string(),
        "the check could not run: golden.csv: cannot write: No such file"
    );
    assert!(
        Ok::<_, std::io::Error>(vec![Outcome::pass(Kind::Unit, "a")])
            .require()
            .is_ok()
    );
}

#[test]
fn assert_passed_panics_with_the_outcome() {
    let panic = std::panic::catch_unwind(|| {
        Outcome::fail(Kind::Unit, "scaled", "mean 3").assert_passed();
    });
    let message = panic.unwrap_err().downcast::<String>().unwrap();
    // The last line names the page the failed check left (the crate's tests have `html`).
    let (text, page) = message
        .rsplit_once("\n  report: ")
        .expect("the page is named");
    assert_eq!(text, "FAILED scaled: mean 3\n");
    assert!(
        page.ends_with("check_macros.assert_passed_panics_with_the_outcome.html"),
        "{page}"
    );
    assert!(std::fs::read_to_string(page).unwrap().contains("mean 3"));
    let unrunnable: Result<Outcome, String> = Err("data.csv: cannot read".into());
    let panic = std::panic::catch_unwind(|| unrunnable.assert_passed());
    let message = panic.unwrap_err().downcast::<String>().unwrap();
    assert_eq!(*message, "the check could not run: data.csv: cannot read");
}

#[test]
fn invalid_settings_name_the_check_setting_and_range() {
    use mlharness::check::{InvalidSetting, Range};
    assert_eq!(
        InvalidSetting::ensure("x", "alpha", Range::OpenUnit, 0.5),
        Ok(0.5)
    );
    for (range, bad) in [
        (Range::Finite, f64::INFINITY),
        (Range::NonNegative, -1.0),
        (Range::Share, 1.5),
        (Range::OpenUnit, 1.0),
        (Range::OpenUnit, f64::NAN),
    ] {
        let e = InvalidSetting::ensure("drift", "alpha", range, bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "drift: `alpha` must be {}, got {}",
                range.expected(),
                mlharness::table::number(bad)
            )
        );
    }
}

fn one_column() -> Dataset {
    Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 3.0]))]).unwrap()
}

mlharness::benchmark_score! {
    /// The generated test is named `…::benchmark::<name>`, the gate's benchmark-score kind.
    fn is_named_in_the_benchmark_module() {
        let name = std::thread::current().name().unwrap_or("").to_string();
        let passed = name.ends_with("check_macros::mlharness_benchmark::is_named_in_the_benchmark_module");
        Outcome::new(Kind::BenchmarkScore, format!("test name {name}"), passed)
    }

    #[should_panic(expected = "mlharness_benchmark::failing_outcome_fails_the_test: 1 of 1 checks failed")]
    fn failing_outcome_fails_the_test() {
        Outcome::fail(Kind::BenchmarkScore, "always", "fails")
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
