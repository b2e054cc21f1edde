//! Issue 18: every test-generating macro next to the imports a user's test file has. The
//! macros' modules once were named `drift`, `benchmark`, `differential`, `pipeline`, and this
//! file failed to compile (E0255: `drift` defined twice). Each macro's module name is the one
//! `mlharness::kind::Kind` gives its kind, which is how the gate classifies the tests.

#[allow(unused_imports)]
use mlharness::{benchmark, config, differential, drift, edge, integrity, pipeline, transform};

use mlharness::check::Outcome;
use mlharness::data::{Column, Dataset};
use mlharness::kind::Kind;
use mlharness::model::{ModelError, Predictions};
use mlharness::schema::Schema;

fn data() -> Dataset {
    let x: Vec<f64> = (0..40).map(|i| f64::from(i % 10)).collect();
    Dataset::from_columns(vec![("x".into(), Column::numeric(x))]).unwrap()
}

fn model(ds: &Dataset) -> Result<Predictions, ModelError> {
    Ok(Predictions::values(
        ds.numeric("x")?
            .values()
            .iter()
            .map(|v| v.clamp(0.0, 9.0))
            .collect(),
    ))
}

type Fitted = fn(&Dataset) -> Result<Predictions, ModelError>;

fn fit(_train: &Dataset, _seed: u64) -> Result<Fitted, ModelError> {
    Ok(model)
}

mlharness::benchmark_score! {
    fn passes() -> Outcome { Outcome::pass(mlharness::kind::Kind::Other, "passes") }
}

mlharness::differential! {
    fn passes() -> Outcome { Outcome::pass(mlharness::kind::Kind::Other, "passes") }
}

mlharness::drift_test! {
    reference: data(),
    no_drift: { same => data() },
}

mlharness::pipeline_test! {
    fit: fit,
    train: data(),
    holdout: data(),
}

mlharness::edge_cases! {
    model: model,
    data: data(),
    schema: Schema::infer(&data()),
    only: [single_row, extra_column],
    aim: ["x"],
}

mlharness::integration_checks! {
    fn passes() -> Outcome { Outcome::pass(mlharness::kind::Kind::Other, "passes") }
}

/// Distinct rows, so that the integrity checks pass.
fn distinct() -> Dataset {
    let x: Vec<f64> = (0..40).map(f64::from).collect();
    Dataset::from_columns(vec![("x".into(), Column::numeric(x))]).unwrap()
}

// Five checks of the data, and the two of a target, which pass saying there is none.
mlharness::data_integrity_test! {
    data: distinct(),
}

mlharness::config_diff! {
    equal => mlharness::config::ConfigCheck::new()
        .expected("a.toml", mlharness::config::parse_str("a = 1", mlharness::config::Format::Toml))
        .actual("b", mlharness::config::parse_str("a = 1", mlharness::config::Format::Toml)),
}

#[test]
fn every_macro_module_is_named_from_the_table_of_kinds() {
    // The modules exist under these names (a wrong name fails to compile here)...
    #[allow(unused_imports)]
    use self::{
        mlharness_benchmark as _, mlharness_config_diff as _, mlharness_data_integrity as _,
        mlharness_differential as _, mlharness_drift as _, mlharness_edge_cases as _,
        mlharness_integration as _, mlharness_pipeline as _,
    };
    // ...and the gate classifies a test inside each as the macro's kind.
    for (kind, module) in [
        (Kind::BenchmarkScore, "mlharness_benchmark"),
        (Kind::Differential, "mlharness_differential"),
        (Kind::Drift, "mlharness_drift"),
        (Kind::Integration, "mlharness_pipeline"),
        (Kind::EdgeCase, "mlharness_edge_cases"),
        (Kind::ConfigDiff, "mlharness_config_diff"),
        (Kind::Data, "mlharness_data_integrity"),
        (Kind::Unit, "mlharness_transform_properties"),
    ] {
        assert_eq!(kind.macro_module(), Some(module));
        let test = format!("macro_modules::{module}::some_test");
        // A binary named for no kind, so only the module can decide.
        assert_eq!(Kind::classify("app::checks", &test), kind, "{test}");
    }
    // `integration_checks!` shares the integration kind with `pipeline_test!`.
    assert_eq!(
        Kind::classify(
            "app::checks",
            "macro_modules::mlharness_integration::some_test"
        ),
        Kind::Integration
    );
}
