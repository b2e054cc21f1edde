//! Property tests of a feature transform over data generated from a schema (feature
//! `proptest`): the engine behind [`transform_properties!`](crate::transform_properties).
//!
//! Each property runs proptest's runner with the seed printed on failure (and taken from
//! `PROPTEST_RNG_SEED` when set), the shrunk failing input shown, and failures persisted to
//! `proptest-regressions/` beside the test file — commit those files.

use crate::data::Dataset;
use crate::schema::Schema;
use ndarray::Array2;
use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use std::fmt::{Debug, Display};

/// A property of a fitted transform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Property {
    /// As many output rows as input rows, and the same number of columns for every batch.
    ShapePreserved,
    /// Schema-valid (finite) input gives finite output.
    FiniteInFiniteOut,
    /// Applying twice gives the same output.
    Deterministic,
    /// Fitting twice on the same data gives the same state.
    IdempotentFit,
    /// The inverse transform recovers the input (numeric features, within 1e-9 relative).
    InverseRoundTrip,
}

/// Applies a fitted state to data.
pub type ApplyFn<'a, S, E> = dyn Fn(&S, &Dataset) -> Result<Array2<f64>, E> + 'a;
/// Maps a transform's output back to the numeric features.
pub type InverseFn<'a, S, E> = dyn Fn(&S, &Array2<f64>) -> Result<Array2<f64>, E> + 'a;

/// The functions of a transform under test.
pub struct TransformFns<'a, S, E> {
    /// Learns the state from training data.
    pub fit: &'a dyn Fn(&Dataset) -> Result<S, E>,
    /// Applies a state to data.
    pub apply: &'a ApplyFn<'a, S, E>,
    /// Maps an output back to the numeric features (for [`Property::InverseRoundTrip`]).
    pub inverse: Option<&'a InverseFn<'a, S, E>>,
}

fn fail(e: impl Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// Checks one property on `cases` generated (training, batch) pairs; panics with the seed, the
/// reason and the shrunk input on failure. `source_file` is the test's `file!()`, which places
/// the regression file.
#[track_caller]
pub fn check<S, E>(
    property: Property,
    schema: &Schema,
    fns: TransformFns<'_, S, E>,
    source_file: &'static str,
) where
    S: PartialEq + Debug,
    E: Display,
{
    let mut config = Config {
        source_file: Some(source_file),
        ..Config::default()
    };
    let seed = match config.rng_seed {
        RngSeed::Fixed(s) => s,
        RngSeed::Random => rand::random(),
    };
    config.rng_seed = RngSeed::Fixed(seed);
    let mut runner = TestRunner::new(config);
    let data = (
        crate::strategy::dataset(schema, 5..40),
        crate::strategy::dataset(schema, 1..40),
    )
        .prop_map(|(train, batch)| (train, batch));
    let result = runner.run(&data, |(train, batch)| {
        let state = (fns.fit)(&train).map_err(fail)?;
        let out = (fns.apply)(&state, &batch).map_err(fail)?;
        match property {
            Property::ShapePreserved => {
                let other = (fns.apply)(&state, &train).map_err(fail)?;
                if out.nrows() != batch.n_rows() {
                    return Err(fail(format!(
                        "{} rows in, {} out",
                        batch.n_rows(),
                        out.nrows()
                    )));
                }
                if out.ncols() != other.ncols() {
                    return Err(fail(format!(
                        "{} output columns for this batch, {} for the training data",
                        out.ncols(),
                        other.ncols()
                    )));
                }
            }
            Property::FiniteInFiniteOut => {
                if let Some(((i, j), v)) = out.indexed_iter().find(|(_, v)| !v.is_finite()) {
                    return Err(fail(format!(
                        "output row {i}, column {j} is {v} for valid input"
                    )));
                }
            }
            Property::Deterministic => {
                let again = (fns.apply)(&state, &batch).map_err(fail)?;
                if again != out {
                    return Err(fail(
                        "applying the same state to the same batch twice gave different outputs",
                    ));
                }
            }
            Property::IdempotentFit => {
                let again = (fns.fit)(&train).map_err(fail)?;
                if again != state {
                    return Err(fail(format!(
                        "two fits on the same data differ:\n  {state:?}\n  {again:?}"
                    )));
                }
            }
            Property::InverseRoundTrip => {
                let Some(inverse) = fns.inverse else {
                    return Err(fail("no inverse transform was given"));
                };
                let back = inverse(&state, &out).map_err(fail)?;
                let original = batch.features_array().map_err(fail)?;
                let outcome = crate::transform::inverse_round_trip(
                    &original,
                    &back,
                    &batch.feature_names(),
                    1e-9,
                )
                .map_err(fail)?;
                if !outcome.passed() {
                    return Err(fail(outcome));
                }
            }
        }
        Ok(())
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(reason, (train, batch))) => panic!(
            "transform property `{property:?}` failed: {reason}\nseed: {seed} (replay with PROPTEST_RNG_SEED={seed})\nshrunk training data: {} rows; shrunk batch: {} rows\n{batch:#?}\ntraining data:\n{train:#?}",
            train.n_rows(),
            batch.n_rows(),
        ),
        Err(e) => panic!("transform property `{property:?}`: {e} (seed {seed})"),
    }
}

/// Generates proptest tests of a transform in a module `mlharness_transform_properties`, one per property:
/// `shape_preserved`, `finite_in_finite_out`, `deterministic`, `idempotent_fit`, and
/// `inverse_round_trip` when `inverse` is given. `fit` is `|&Dataset| -> Result<State, E>`,
/// `apply` is `|&State, &Dataset| -> Result<Array2<f64>, E>`; data comes from `schema`.
/// Needs the `proptest` feature. Invoke it once per module.
///
/// ```
/// # use mlharness::data::{Column, Dataset};
/// # use mlharness::schema::Schema;
/// # use ndarray::Array2;
/// fn fit(d: &Dataset) -> Result<f64, String> { Ok(1.0) }
/// fn apply(s: &f64, d: &Dataset) -> Result<Array2<f64>, String> { Ok(Array2::zeros((d.n_rows(), 1))) }
/// fn schema() -> Schema { Schema::infer(&Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.0, 1.0]))]).unwrap()) }
/// mlharness::transform_properties! { fit: fit, apply: apply, schema: schema() }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! transform_properties {
    (fit: $fit:expr, apply: $apply:expr, schema: $schema:expr $(, inverse: $inverse:expr)? $(,)?) => {
        #[cfg(test)]
        mod mlharness_transform_properties {
            #[allow(unused_imports)]
            use super::*;

            $crate::transform_properties!(@test shape_preserved, ShapePreserved, $fit, $apply, $schema $(, $inverse)?);
            $crate::transform_properties!(@test finite_in_finite_out, FiniteInFiniteOut, $fit, $apply, $schema $(, $inverse)?);
            $crate::transform_properties!(@test deterministic, Deterministic, $fit, $apply, $schema $(, $inverse)?);
            $crate::transform_properties!(@test idempotent_fit, IdempotentFit, $fit, $apply, $schema $(, $inverse)?);
            $(
                $crate::transform_properties!(@test inverse_round_trip, InverseRoundTrip, $fit, $apply, $schema, $inverse);
            )?
        }
    };
    (@test $name:ident, $property:ident, $fit:expr, $apply:expr, $schema:expr $(, $inverse:expr)?) => {
        #[test]
        fn $name() {
            let fit = $fit;
            let apply = $apply;
            $( let inverse = $inverse; )?
            $crate::transform::properties::check(
                $crate::transform::properties::Property::$property,
                &$schema,
                $crate::transform::properties::TransformFns {
                    fit: &fit,
                    apply: &apply,
                    inverse: $crate::transform_properties!(@inverse $($inverse)?),
                },
                file!(),
            );
        }
    };
    (@inverse) => { None };
    (@inverse $inverse:expr) => { Some(&inverse) };
}
