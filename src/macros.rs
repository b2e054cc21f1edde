//! `benchmark_score!` and `differential!`: checks as named tests.

/// Generates `mod mlharness_benchmark { #[test] fn … }`: benchmark-score tests named
/// `mlharness_benchmark::<name>`, which the gate counts as the benchmark-score kind.
///
/// Each `fn name() { … }` (optionally `fn name() -> Type { … }`, so that `?` works) returns a
/// [`Verdict`](crate::check::Verdict): an [`Outcome`](crate::check::Outcome), a `Vec` of them, or
/// either in a `Result`. The test fails with the failing outcomes' tables, or with the error
/// that kept a check from running; it is quiet when green. Attributes (`#[ignore]`, doc
/// comments) are kept. The generated module imports the enclosing one (`use super::*`), so
/// helpers defined next to the macro are in scope. Invoke it once per module.
///
/// ```
/// use mlharness::benchmark::BeatsBaseline;
/// use mlharness::data::{Column, Dataset};
/// use mlharness::metrics::Metric;
/// use mlharness::model::{ModelError, Predictions};
///
/// fn data() -> Dataset {
///     let y: Vec<f64> = (0..100).map(f64::from).collect();
///     Dataset::from_columns(vec![("y".into(), Column::numeric(y))]).unwrap().with_target("y").unwrap()
/// }
///
/// mlharness::benchmark_score! {
///     /// Predicting the row's own value beats predicting the mean.
///     fn beats_the_mean() -> Result<mlharness::check::Outcome, Box<dyn std::error::Error>> {
///         let model = |ds: &Dataset| -> Result<Predictions, ModelError> {
///             Ok(Predictions::values(ds.target_values()?.to_vec()))
///         };
///         Ok(BeatsBaseline::new(Metric::Mae).margin(10.0).check(&model, &data(), &data())?)
///     }
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! benchmark_score {
    ($($checks:tt)*) => {
        $crate::__check_tests! { mlharness_benchmark; $($checks)* }
    };
}

/// Generates `mod mlharness_differential { #[test] fn … }`: differential tests named
/// `mlharness_differential::<name>` (e.g. `mlharness_differential::v2_vs_golden`), which the gate counts as the
/// differential kind. Same syntax as [`benchmark_score!`](crate::benchmark_score).
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::differential::Differential;
/// use mlharness::model::Predictions;
///
/// mlharness::differential! {
///     fn v2_vs_v1() -> Result<mlharness::check::Outcome, Box<dyn std::error::Error>> {
///         let data = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))])?;
///         let v1 = Predictions::values(vec![1.0, 2.0]);
///         let v2 = Predictions::values(vec![1.0, 2.0]);
///         Ok(Differential::new().compare(&data, &v2, &v1, "v1")?)
///     }
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! differential {
    ($($checks:tt)*) => {
        $crate::__check_tests! { mlharness_differential; $($checks)* }
    };
}

/// Generates `mod mlharness_integration { #[test] fn … }`: integration tests of any check —
/// train/serve [`Parity`](crate::pipeline::Parity), [`behaviour`](crate::behaviour) tests,
/// [`TimeBudget`](crate::budget::TimeBudget)s — named `mlharness_integration::<name>`, which
/// the gate counts as the integration kind. Same syntax as
/// [`benchmark_score!`](crate::benchmark_score); it sits beside
/// [`pipeline_test!`](crate::pipeline_test) in one file.
///
/// ```
/// use mlharness::prelude::*;
/// use mlharness::pipeline::Parity;
///
/// fn features(d: &Dataset) -> Result<ndarray::Array2<f64>, DataError> {
///     d.to_array(&["x"])
/// }
///
/// mlharness::integration_checks! {
///     fn training_and_serving_features_agree() -> Result<Outcome, CheckError> {
///         let data = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0]))])?;
///         Parity::new().check(&data, &["x"], features, features)
///     }
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! integration_checks {
    ($($checks:tt)*) => {
        $crate::__check_tests! { mlharness_integration; $($checks)* }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __check_tests {
    ($module:ident; $( $(#[$meta:meta])* fn $name:ident() $(-> $ret:ty)? $body:block )*) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            $(
                $(#[$meta])*
                #[test]
                fn $name() {
                    #[allow(clippy::redundant_closure_call)]
                    let verdict = (|| $(-> $ret)? { $body })();
                    $crate::_macro_support::enforce(
                        concat!(stringify!($module), "::", stringify!($name)),
                        verdict,
                    );
                }
            )*
        }
    };
}

/// One value per `(key, type)` for the life of the process, built by the first caller: how
/// `pipeline_test!`'s tests share one fitted model when they run as threads of one test
/// binary (`cargo test`). Under nextest each test is its own process and builds its own.
#[doc(hidden)]
pub fn shared<T: Send + Sync + 'static>(key: &'static str, init: impl FnOnce() -> T) -> &'static T {
    use std::any::{Any, TypeId};
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Cell = OnceLock<Box<dyn Any + Send + Sync>>;
    static CELLS: OnceLock<Mutex<HashMap<(&'static str, TypeId), &'static Cell>>> = OnceLock::new();
    let cell: &'static Cell = {
        // A test that panicked while holding the lock poisons it; the map is still whole.
        let mut cells = CELLS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cells
            .entry((key, TypeId::of::<T>()))
            .or_insert_with(|| Box::leak(Box::new(Cell::new())))
    };
    // Outside the lock: building (fitting a model) may take long, and other keys need not wait.
    cell.get_or_init(|| Box::new(init()))
        .downcast_ref::<T>()
        .expect("keyed by type")
}
