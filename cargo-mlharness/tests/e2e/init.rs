//! `mlharness init --data FILE --target COLUMN`: a schema and real tests on the user's data,
//! failing until the model is filled in, then passing.

use crate::{turn, Project};

/// 9f.
#[test]
fn init_with_data_writes_tests_that_fail_until_the_model_is_filled_in() {
    let _turn = turn();
    let p = Project::library("app");
    let churn = std::fs::read_to_string(crate::repo().join("fixtures/churn.csv")).unwrap();
    let head: Vec<&str> = churn.lines().take(601).collect();
    p.write("data/churn.csv", &(head.join("\n") + "\n"));
    let init = p.mlharness(&["init", "--data", "data/churn.csv", "--target", "churn"]);
    assert_eq!(init.code, 0, "{init}");
    for line in [
        "wrote mlharness.toml",
        "wrote schema.json: 20 columns inferred from 600 rows",
        "wrote tests/common/mod.rs",
        "wrote tests/edge_cases.rs",
        "wrote tests/drift.rs",
        "next: fill in `predict` in tests/common/mod.rs",
    ] {
        assert!(init.stdout.contains(line), "{line}: {init}");
    }

    let run = p.mlharness(&["run", "--no-coverage"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout
            .contains("fill in `predict` in tests/common/mod.rs: call your model there"),
        "{run}"
    );
    assert!(run.stdout.contains("edge-case"), "{run}");

    let common = p.read("tests/common/mod.rs");
    let filled = common.replace(
        "    let _ = rows;\n    panic!(\"fill in `predict` in tests/common/mod.rs: call your model there (mlharness init left it empty)\")",
        "    Ok(Predictions::values(vec![0.14; rows.n_rows()]))",
    );
    assert_ne!(filled, common, "the placeholder is where init put it");
    p.write("tests/common/mod.rs", &filled);
    let run = p.mlharness(&["run"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("edge-case 24"), "{run}");
    assert!(run.stdout.contains("drift 1"), "{run}");

    // Run again: nothing of the user's is overwritten.
    let again = p.mlharness(&["init", "--data", "data/churn.csv", "--target", "churn"]);
    assert!(
        again
            .stdout
            .contains("kept tests/common/mod.rs (already there)"),
        "{again}"
    );
    assert_eq!(p.read("tests/common/mod.rs"), filled);
}
