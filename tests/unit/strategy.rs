//! `mlharness::strategy`: generated data is valid under its schema, edge data is not, and both
//! drive property tests of a transform.

use crate::edge::{base, schema};
use mlharness::data::Dataset;
use mlharness::strategy;
use proptest::prelude::*;

/// Standardises `age` with statistics from `train` (missing imputed with the training mean).
fn standardize(train: &Dataset, data: &Dataset) -> Vec<f64> {
    let t = train.numeric("age").unwrap();
    let present: Vec<f64> = t.present().collect();
    let mean = present.iter().sum::<f64>() / present.len() as f64;
    let sd = (present.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / present.len() as f64)
        .sqrt()
        .max(1e-12);
    let age = data.numeric("age").unwrap();
    (0..data.n_rows())
        .map(|i| {
            let v = if age.is_missing(i) {
                mean
            } else {
                age.values()[i]
            };
            (v - mean) / sd
        })
        .collect()
}

proptest! {
    #[test]
    fn generated_data_is_valid_under_the_schema(ds in strategy::dataset(&schema(), 0..40)) {
        let report = schema().validate(&ds);
        prop_assert!(report.is_valid(), "{}", report);
        let expected = base();
        prop_assert_eq!(ds.column_names(), expected.column_names());
    }

    #[test]
    fn a_transform_keeps_shape_and_finiteness_on_valid_data(ds in strategy::dataset(&schema(), 1..40)) {
        let out = standardize(&base(), &ds);
        prop_assert_eq!(out.len(), ds.n_rows());
        prop_assert!(out.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn edge_data_breaks_the_schema_and_a_naive_transform() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let s = strategy::dataset_with_edges(&schema(), 30..31);
    let (mut invalid, mut non_finite) = (0, 0);
    for _ in 0..100 {
        let ds = s.new_tree(&mut runner).unwrap().current();
        invalid += usize::from(!schema().validate(&ds).is_valid());
        non_finite += usize::from(standardize(&base(), &ds).iter().any(|v| !v.is_finite()));
    }
    // A fifth of cells are odd: nearly every 30-row batch breaks the schema, and the naive
    // transform (no guard against NaN or infinity) lets non-finite values through.
    assert!(
        invalid >= 95,
        "{invalid} of 100 edge batches broke the schema"
    );
    assert!(
        non_finite >= 50,
        "{non_finite} of 100 edge batches gave non-finite output"
    );
}
