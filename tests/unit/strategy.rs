//! `mlharness::strategy`: generated data is valid under its schema, edge data is not, and both
//! drive property tests of a transform.

use crate::edge::{base, schema};
use mlharness::data::Dataset;
use mlharness::schema::Schema;
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

/// `unique` columns whose draws repeat often: a narrow numeric range (shrinking pulls every
/// value to its minimum), forty listed categories (as many as the rows at most), free text.
fn unique_schema() -> Schema {
    let categories: Vec<String> = (0..40).map(|k| format!("\"c{k}\"")).collect();
    Schema::from_json(
        &format!(
            r#"{{"mlharness_schema": 2, "columns": [
                {{"name": "id", "kind": "numeric", "nullable": false, "unique": true, "min": 0, "max": 0.001}},
                {{"name": "wide", "kind": "numeric", "nullable": true, "unique": true}},
                {{"name": "code", "kind": "categorical", "nullable": true, "unique": true, "categories": [{}]}},
                {{"name": "tag", "kind": "categorical", "nullable": false, "unique": true}}
            ]}}"#,
            categories.join(", ")
        ),
        "unique.json",
    )
    .unwrap()
}

proptest! {
    #[test]
    fn generated_data_keeps_unique_columns_unique(ds in strategy::dataset(&unique_schema(), 0..40)) {
        let report = unique_schema().validate(&ds);
        prop_assert!(report.outcome().passed(), "{}", report);
    }

    #[test]
    fn generated_data_is_valid_under_the_schema(ds in strategy::dataset(&schema(), 0..40)) {
        let report = schema().validate(&ds);
        prop_assert!(report.outcome().passed(), "{}", report);
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
        invalid += usize::from(!schema().validate(&ds).outcome().passed());
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

mod transform_properties_catch {
    //! `transform::properties::check` fails, naming the property and the seed, on broken
    //! transforms; passes on a sound one.
    use crate::edge::schema;
    use mlharness::data::Dataset;
    use mlharness::transform::properties::{check, ApplyFn, Property, TransformFns};
    use ndarray::Array2;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn fit(d: &Dataset) -> Result<f64, String> {
        let age = d.numeric("age").map_err(|e| e.to_string())?;
        Ok(age.present().sum::<f64>() / d.n_rows() as f64)
    }

    fn centre(m: &f64, d: &Dataset) -> Result<Array2<f64>, String> {
        let age = d.numeric("age").map_err(|e| e.to_string())?;
        Ok(Array2::from_shape_fn((d.n_rows(), 1), |(i, _)| {
            age.values()[i] - m
        }))
    }

    fn failure(property: Property, apply: &ApplyFn<'_, f64, String>) -> String {
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check(
                property,
                &schema(),
                TransformFns {
                    fit: &fit,
                    apply,
                    inverse: None,
                },
                file!(),
            )
        }))
        .expect_err("the property should fail");
        panic.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    #[test]
    fn a_sound_transform_has_every_property() {
        for p in [
            Property::ShapePreserved,
            Property::Deterministic,
            Property::IdempotentFit,
        ] {
            check(
                p,
                &schema(),
                TransformFns {
                    fit: &fit,
                    apply: &centre,
                    inverse: None,
                },
                file!(),
            );
        }
    }

    #[test]
    fn a_transform_that_drops_a_row_breaks_shape() {
        let drops = |m: &f64, d: &Dataset| {
            centre(m, &d.take(&(1..d.n_rows()).collect::<Vec<_>>()).unwrap())
        };
        let message = failure(Property::ShapePreserved, &drops);
        assert!(
            message.starts_with("transform property `ShapePreserved` failed: "),
            "{message}"
        );
        assert!(message.contains("rows in,"), "{message}");
        assert!(
            message.contains("(replay with PROPTEST_RNG_SEED="),
            "{message}"
        );
    }

    #[test]
    fn a_transform_that_divides_by_zero_breaks_finiteness() {
        // age is at least 18 in the schema: 1 / (age - 18) is infinite at the minimum, which
        // proptest's shrinking finds.
        let divides = |_: &f64, d: &Dataset| -> Result<Array2<f64>, String> {
            let age = d.numeric("age").unwrap();
            Ok(Array2::from_shape_fn((d.n_rows(), 1), |(i, _)| {
                1.0 / (age.values()[i] - 18.0).floor()
            }))
        };
        let message = failure(Property::FiniteInFiniteOut, &divides);
        assert!(message.contains("is inf for valid input"), "{message}");
    }

    #[test]
    fn a_transform_with_hidden_state_breaks_determinism() {
        static CALLS: AtomicU64 = AtomicU64::new(0);
        let drifting = |m: &f64, d: &Dataset| {
            let k = CALLS.fetch_add(1, Ordering::SeqCst) as f64;
            centre(&(m + k), d)
        };
        let message = failure(Property::Deterministic, &drifting);
        assert!(message.contains("gave different outputs"), "{message}");
    }
}
