//! Unit tests of the churn feature transforms, on data generated from the checked-in schema
//! (`mlharness::strategy`): shape, finiteness, one-hot invariants, determinism, and the
//! statistics the pipeline promises (training median, mean and standard deviation).

use churn::{load_churn, FeaturePipeline, UNSEEN};
use mlharness::data::{Column, Dataset};
use mlharness::schema::Schema;
use mlharness::strategy;
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
    let report = churn::schema().validate(&load_churn().unwrap());
    assert!(report.is_valid(), "{report}");
    // And it is what `mlharness schema infer` gives today: regenerate it when the data changes.
    let inferred = Schema::infer(&load_churn().unwrap());
    assert_eq!(
        &inferred,
        churn::schema(),
        "examples/churn/schema.json is stale"
    );
}

#[test]
fn numeric_outputs_are_standardised_on_the_training_data() {
    let x = pipeline().transform(train()).unwrap();
    for (j, state) in pipeline().numeric().iter().enumerate() {
        let col = x.column(j);
        let mean = col.mean().unwrap();
        let std = col.std(0.0);
        assert!(mean.abs() < 1e-9, "{}: mean {mean}", state.name);
        assert!((std - 1.0).abs() < 1e-9, "{}: std {std}", state.name);
    }
}

#[test]
fn a_missing_value_is_imputed_with_the_training_median() {
    let state = &pipeline().numeric()[0];
    let median = train().numeric(&state.name).unwrap().median().unwrap();
    assert_eq!(state.median, median);
    let one = train().take(&[0]).unwrap();
    let columns = one
        .columns()
        .map(|(n, c)| {
            let c = if n == state.name {
                Column::numeric(vec![f64::NAN])
            } else {
                c.clone()
            };
            (n.to_string(), c)
        })
        .collect();
    let x = pipeline()
        .transform(&Dataset::from_columns(columns).unwrap())
        .unwrap();
    assert_eq!(x[[0, 0]], (median - state.mean) / state.std);
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
