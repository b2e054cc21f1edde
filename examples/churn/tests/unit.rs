//! Unit tests of the churn feature transforms with mlharness's kits: the statistics the pipeline
//! promises (training median, mean and standard deviation) checked with `mlharness::transform`,
//! leakage and statefulness checks, one-hot invariants, and property tests on data generated
//! from the checked-in schema (`mlharness::strategy`, `transform_properties!`).

use churn::{load_churn, FeaturePipeline, UNSEEN};
use mlharness::check::Checked;
use mlharness::data::{Column, Dataset};
use mlharness::schema::{Schema, ViolationKind};
use mlharness::strategy;
use mlharness::transform::{self, Statistic};
use proptest::prelude::*;
use std::sync::OnceLock;

/// The feature columns: every schema column but the target.
fn features() -> Vec<String> {
    churn::schema()
        .columns
        .iter()
        .filter(|c| c.name != "churn")
        .map(|c| c.name.clone())
        .collect()
}

/// The serving schema: the checked-in one without the target.
fn serving_schema() -> Schema {
    let mut s = churn::schema().clone();
    s.columns.retain(|c| c.name != "churn");
    s
}

fn train() -> &'static Dataset {
    static TRAIN: OnceLock<Dataset> = OnceLock::new();
    TRAIN.get_or_init(|| {
        load_churn()
            .unwrap()
            .split_stratified("churn", 0.2, 42)
            .unwrap()
            .train
    })
}

fn pipeline() -> &'static FeaturePipeline {
    static PIPELINE: OnceLock<FeaturePipeline> = OnceLock::new();
    PIPELINE.get_or_init(|| FeaturePipeline::fit(train(), &features()).unwrap())
}

#[test]
fn the_checked_in_schema_describes_the_whole_churn_data() {
    churn::schema()
        .validate(&load_churn().unwrap())
        .assert_passed();
    // Its columns are what `mlharness schema infer` gives today (regenerate them when the data
    // changes); the rules between columns are written by hand and reviewed.
    let inferred = Schema::infer(&load_churn().unwrap());
    assert_eq!(
        inferred.columns,
        churn::schema().columns,
        "examples/churn/schema.json is stale"
    );
    assert_eq!(churn::schema().mlharness_schema, 3);
}

/// The hand-written rules catch what every column on its own lets through: a join that put
/// the day charges in the minutes column and the reverse, and voice-mail messages of a
/// customer without the plan (a default filled in upstream).
#[test]
fn the_schema_rules_catch_swapped_columns_and_a_filled_in_default() {
    let data = load_churn().unwrap();
    let minutes = data.column("total_day_minutes").unwrap().clone();
    let charge = data.column("total_day_charge").unwrap().clone();
    let swapped = data
        .without_column("total_day_minutes")
        .unwrap()
        .with_column("total_day_minutes", charge)
        .unwrap()
        .without_column("total_day_charge")
        .unwrap()
        .with_column("total_day_charge", minutes)
        .unwrap();
    let report = churn::schema().validate(&swapped);
    let broken: Vec<&str> = report
        .of_kind(ViolationKind::RelationBroken)
        .filter_map(|v| v.column.as_deref())
        .collect();
    assert_eq!(
        broken,
        ["total_day_charge <= total_day_minutes"],
        "{report}"
    );

    let plan = data.categorical("voice_mail_plan").unwrap();
    let filled: Vec<f64> = (0..data.n_rows())
        .map(|i| {
            if plan.get(i) == Some("no") {
                20.0
            } else {
                25.0
            }
        })
        .collect();
    let filled = data
        .without_column("number_vmail_messages")
        .unwrap()
        .with_column("number_vmail_messages", Column::numeric(filled))
        .unwrap();
    let report = churn::schema().validate(&filled);
    let broken = report
        .of_kind(ViolationKind::ConditionBroken)
        .next()
        .unwrap_or_else(|| panic!("no condition broken: {report}"));
    assert_eq!(
        broken.column.as_deref(),
        Some("if voice_mail_plan in [no] then number_vmail_messages <= 0")
    );
    assert!(
        broken.detail.contains("found number_vmail_messages = 20"),
        "{}",
        broken.detail
    );
}

#[test]
fn numeric_outputs_are_standardised_on_the_training_data() {
    let x = pipeline().transform(train()).unwrap();
    let k = pipeline().numeric().len();
    let names: Vec<String> = pipeline().output_names();
    transform::standardized(&x.slice(ndarray::s![.., ..k]).to_owned(), &names[..k], 1e-9)
        .assert_passed();
}

#[test]
fn missing_values_are_imputed_with_the_training_median_in_every_numeric_column() {
    let holdout = load_churn()
        .unwrap()
        .split_stratified("churn", 0.2, 42)
        .unwrap()
        .test;
    // Every seventh value missing in every numeric column.
    let columns = holdout
        .columns()
        .map(|(n, c)| {
            let c = match c {
                Column::Numeric(num) => Column::numeric(
                    (0..num.len())
                        .map(|i| {
                            if i % 7 == 0 {
                                f64::NAN
                            } else {
                                num.values()[i]
                            }
                        })
                        .collect(),
                ),
                other => other.clone(),
            };
            (n.to_string(), c)
        })
        .collect();
    let holed = Dataset::from_columns(columns).unwrap();
    let x = pipeline().transform(&holed).unwrap();
    for (j, state) in pipeline().numeric().iter().enumerate() {
        // Back to the column's own units: the imputer's output before standardisation.
        let unscaled = Column::numeric(
            x.column(j)
                .iter()
                .map(|z| z * state.std + state.mean)
                .collect(),
        );
        transform::imputed(
            &state.name,
            holed.column(&state.name).unwrap(),
            &unscaled,
            train().column(&state.name).unwrap(),
            Statistic::Median,
            1e-9,
        )
        .assert_passed();
    }
}

#[test]
fn every_categorical_is_one_hot_with_an_unseen_column() {
    let x = pipeline().transform(train()).unwrap();
    let names = pipeline().output_names();
    for c in pipeline().categorical() {
        transform::one_hot(&x, &names, &c.name, Some(UNSEEN)).assert_passed();
    }
}

#[test]
fn the_pipeline_learns_only_from_the_training_split() {
    let all = load_churn().unwrap();
    let split = all.split_stratified("churn", 0.2, 42).unwrap();
    let fit = |d: &Dataset| FeaturePipeline::fit(d, &features());
    transform::fitted_on_training(pipeline(), fit, &split.train, &split.test, &all).assert_passed();
    transform::fit_deterministic(fit, &split.train).assert_passed();
    let apply = |d: &Dataset| pipeline().transform(d);
    // A failure names the output column (`international_plan=yes`), not its index.
    let names = pipeline().output_names();
    transform::batch_independent_named(apply, &split.test, &names, 0.0).assert_passed();
}

/// Every fifth row is a test row; the rest train.
fn train_rows(all: &Dataset) -> Vec<usize> {
    (0..all.n_rows()).filter(|i| i % 5 != 0).collect()
}

/// Fitting on the training rows reads nothing else: with every test row moved far, the fitted
/// medians, scales and categories are the same.
#[test]
fn fitting_reads_only_the_training_rows() {
    let all = load_churn().unwrap();
    let fit = |d: &Dataset, rows: &[usize]| FeaturePipeline::fit(&d.take(rows)?, &features());
    transform::fit_ignores_test_rows(fit, &all, &train_rows(&all)).assert_passed();
}

mod harness_catches {
    use super::*;

    /// Issue 19: a leak inside `fit` (statistics of every row, test rows included) passed
    /// `fitted_on_training`, which only compares finished states.
    #[test]
    fn a_fit_that_reads_the_test_rows() {
        let all = load_churn().unwrap();
        let leaky = |d: &Dataset, _rows: &[usize]| FeaturePipeline::fit(d, &features());
        let failure = transform::fit_ignores_test_rows(leaky, &all, &train_rows(&all))
            .assert_failed()
            .to_string();
        assert!(
            failure.starts_with("FAILED fit_ignores_test_rows: the fitted state changed when only the 1000 test rows changed"),
            "{failure}"
        );
    }
}

#[test]
fn an_unseen_category_goes_to_the_unseen_column() {
    let one = train().take(&[0]).unwrap();
    let columns = one
        .columns()
        .map(|(n, c)| {
            let c = if n == "state" {
                Column::categorical([Some("Atlantis")])
            } else {
                c.clone()
            };
            (n.to_string(), c)
        })
        .collect();
    let x = pipeline()
        .transform(&Dataset::from_columns(columns).unwrap())
        .unwrap();
    let names = pipeline().output_names();
    let unseen = names
        .iter()
        .position(|n| n == &format!("state={UNSEEN}"))
        .unwrap();
    assert_eq!(x[[0, unseen]], 1.0);
}

/// Sizes of the one-hot blocks, after the numeric columns.
fn one_hot_blocks() -> Vec<usize> {
    pipeline()
        .categorical()
        .iter()
        .map(|c| c.levels.len() + 1)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn valid_data_keeps_its_shape_and_stays_finite(ds in strategy::dataset(&serving_schema(), 1..30)) {
        let x = pipeline().transform(&ds).unwrap();
        prop_assert_eq!(x.dim(), (ds.n_rows(), pipeline().output_names().len()));
        prop_assert!(x.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn each_row_has_exactly_one_hot_per_categorical(ds in strategy::dataset(&serving_schema(), 1..30)) {
        let x = pipeline().transform(&ds).unwrap();
        for row in x.rows() {
            let mut offset = pipeline().numeric().len();
            for width in one_hot_blocks() {
                let block = row.slice(ndarray::s![offset..offset + width]);
                prop_assert_eq!(block.iter().filter(|&&v| v == 1.0).count(), 1);
                prop_assert_eq!(block.iter().filter(|&&v| v == 0.0).count(), width - 1);
                offset += width;
            }
        }
    }

    #[test]
    fn transform_is_deterministic_and_row_wise(ds in strategy::dataset(&serving_schema(), 1..30)) {
        let x = pipeline().transform(&ds).unwrap();
        prop_assert_eq!(&x, &pipeline().transform(&ds).unwrap());
        let last = ds.n_rows() - 1;
        let alone = pipeline().transform(&ds.take(&[last]).unwrap()).unwrap();
        prop_assert_eq!(alone.row(0), x.row(last));
    }

    #[test]
    fn odd_data_is_refused_or_transformed_to_finite_values(
        ds in strategy::dataset_with_edges(&serving_schema(), 1..30)
    ) {
        if let Ok(x) = pipeline().transform(&ds) {
            prop_assert!(x.iter().all(|v| v.is_finite()), "non-finite output for finite-looking input");
        }
    }
}

// shape_preserved, finite_in_finite_out, deterministic and idempotent_fit, as
// `mlharness_transform_properties::<name>` tests over data generated from the serving schema.
mlharness::transform_properties! {
    fit: |d: &Dataset| FeaturePipeline::fit(d, &features()),
    apply: |p: &FeaturePipeline, d: &Dataset| p.transform(d),
    schema: serving_schema(),
}
