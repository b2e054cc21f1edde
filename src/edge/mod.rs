//! Edge-case datasets: variants of real data that each carry exactly one named oddity, and the
//! contract a model must keep on each.
//!
//! [`Oddity::ALL`] lists the oddities; [`variant`] builds one from a base dataset and its schema,
//! [`check`] runs a model on it. The contract: the model never panics, and either returns one
//! finite prediction per row (probabilities in [0, 1] summing to 1) or an error a user can read —
//! and when it refuses a variant, the schema must flag that variant too, or the schema lets
//! through data the model cannot take. The [`edge_cases!`](crate::edge_cases) macro turns this
//! into one named test per oddity.
//!
//! ```
//! use mlharness::data::{Column, Dataset};
//! use mlharness::edge::{self, Expect};
//! use mlharness::model::{ModelError, Predictions};
//! use mlharness::schema::Schema;
//!
//! let base = Dataset::from_columns(vec![
//!     ("calls".into(), Column::numeric(vec![0.0, 1.0, 4.0, 7.0])),
//!     ("plan".into(), Column::categorical([Some("a"), Some("b"), Some("a"), Some("b")])),
//! ])?;
//! let schema = Schema::infer(&base);
//! // A model that refuses NaN with an error.
//! let model = |ds: &Dataset| -> Result<Predictions, ModelError> {
//!     let calls = ds.numeric("calls")?;
//!     if (0..calls.len()).any(|i| !calls.is_missing(i) && !calls.values()[i].is_finite()) {
//!         return Err(ModelError::new("`calls` must be finite"));
//!     }
//!     let labels = calls.values().iter().map(|&c| usize::from(c > 3.0)).collect();
//!     Predictions::classes(vec!["no".into(), "yes".into()], labels)
//! };
//! let case = edge::variant("nan", &base, &schema)?;
//! let report = edge::check(&model, &case, &base, &schema, Expect::Either);
//! assert!(report.outcome().passed());
//! assert!(!report.response().unwrap().predicted()); // it refused, and the schema flags NaN too
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod contract;
pub(crate) mod oddity;

pub use self::contract::{
    check, run_case, Breach, BuildVariant, EdgeOptions, EdgeReport, Expect, Response,
};
pub use self::oddity::{
    variant, variant_aimed, variants, variants_per_column, EdgeCase, EdgeError, Oddity,
    EXTRA_COLUMN, EXTREME, LARGE_BATCH_ROWS, UNSEEN_CATEGORY,
};

/// Generates one `#[test]` per oddity in a module `mlharness_edge_cases`, so test reports read
/// `mlharness_edge_cases::unseen_category`. Each test builds the variant from `data` and `schema`, runs
/// `model` on it and fails with the check's [`Outcome`](crate::check::Outcome) when the
/// contract breaks (see [`edge`](crate::edge)). The expressions are evaluated in each test, with
/// the enclosing module's items in scope.
///
/// Optional, in this order: `expect_error: [...]` and `expect_prediction: [...]` name oddities
/// whose outcome is fixed; `only: [...]` picks a subset of [`Oddity::ALL`] (default: all);
/// a column oddity (a NaN, an unseen category, a dropped column) goes into each feature column
/// of the right kind in turn, and its test fails naming every column where the contract broke;
/// `aim: ["tenure", "plan"]` narrows that to the columns named (see [`variants_per_column`]);
/// `time_budget: TimeBudget::at_most(..)` also times the model on `large_batch`;
/// `custom: { name => |base, schema| variant_dataset }` adds oddities of your own. An oddity the
/// data has nothing for (no categorical column for `unseen_category`) passes with a note.
/// Invoke it once per module (wrap further suites in modules of their own).
///
/// ```
/// # use mlharness::data::{Column, Dataset};
/// # use mlharness::model::{ModelError, Predictions};
/// # use mlharness::schema::Schema;
/// fn base() -> Dataset {
///     Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 3.0]))]).unwrap()
/// }
/// fn model(ds: &Dataset) -> Result<Predictions, ModelError> {
///     Ok(Predictions::values(ds.numeric("x")?.values().iter().map(|v| v.clamp(0.0, 10.0)).collect()))
/// }
/// mlharness::edge_cases! {
///     model: model,
///     data: base(),
///     schema: Schema::infer(&base()),
///     expect_error: [missing_column],
///     only: [missing_column, extra_column, single_row],
///     aim: ["x"],
///     time_budget: mlharness::budget::TimeBudget::at_most(std::time::Duration::from_secs(5)),
///     custom: { zero_everywhere => |base: &Dataset, _: &Schema| base.clone() },
/// }
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! edge_cases {
    (
        model: $model:expr,
        data: $data:expr,
        schema: $schema:expr
        $(, expect_error: [$($err:ident),* $(,)?])?
        $(, expect_prediction: [$($pred:ident),* $(,)?])?
        $(, only: [$($only:ident),* $(,)?])?
        $(, aim: [$($aim:literal),* $(,)?])?
        $(, time_budget: $budget:expr)?
        $(, custom: { $($cname:ident => $cfn:expr),* $(,)? })?
        $(,)?
    ) => {
        $crate::edge_cases!(@select ($model) ($data) (($schema) [$($($aim),*)?] [$($budget)?])
            [$($($err),*)?]
            [$($($pred),*)?]
            [$($($only),*)?]
            [$($($cname => $cfn),*)?]
        );
    };
    // Every oddity: the names come from the one list in `edge::oddity`.
    (@select $m:tt $d:tt $s:tt $err:tt $pred:tt [] $custom:tt) => {
        $crate::__mlharness_each_oddity!(edge_cases (@tests $m $d $s $err $pred) ($custom));
    };
    (@select $m:tt $d:tt $s:tt $err:tt $pred:tt [$($only:ident),+] $custom:tt) => {
        $crate::edge_cases!(@tests $m $d $s $err $pred [$($only),+] $custom);
    };
    (@tests ($model:expr) ($data:expr) (($schema:expr) [$($aim:literal),*] [$($budget:expr)?]) [$($err:ident),*] [$($pred:ident),*]
        [$($name:ident),*] [$($cname:ident => $cfn:expr),*]) => {
        #[cfg(test)]
        mod mlharness_edge_cases {
            #[allow(unused_imports)]
            use super::*;

            /// The oddities and this suite's custom ones, by name: each name the macro was
            /// given must resolve here, so a misspelt one is a compile error at its token
            /// instead of an expectation silently dropped.
            /// `only` takes built-in oddities; `expect_*` custom ones too.
            #[allow(non_upper_case_globals, dead_code)]
            mod __mlharness_oddities {
                pub use $crate::_macro_support::oddity_names::*;
            }
            #[allow(non_upper_case_globals, dead_code)]
            mod __mlharness_names {
                pub use $crate::_macro_support::oddity_names::*;
                $(pub const $cname: () = ();)*
            }
            #[allow(path_statements, clippy::no_effect)]
            const _: () = {
                $(__mlharness_names::$err;)*
                $(__mlharness_names::$pred;)*
                $(__mlharness_oddities::$name;)*
            };

            fn __mlharness_options() -> $crate::edge::EdgeOptions {
                $crate::edge::EdgeOptions::new()
                    .expect_error(&[$(stringify!($err)),*])
                    .expect_prediction(&[$(stringify!($pred)),*])
                    .aim(&[$($aim),*])
                    $(.time_budget($budget))?
            }
            $(
                #[test]
                fn $name() {
                    $crate::_macro_support::enforce(
                        concat!("mlharness_edge_cases::", stringify!($name)),
                        $crate::edge::run_case(
                            stringify!($name), &$model, &$data, &$schema, &__mlharness_options(), None,
                        ),
                    );
                }
            )*
            $(
                #[test]
                fn $cname() {
                    let build: &$crate::edge::BuildVariant = &$cfn;
                    $crate::_macro_support::enforce(
                        concat!("mlharness_edge_cases::", stringify!($cname)),
                        $crate::edge::run_case(
                            stringify!($cname), &$model, &$data, &$schema, &__mlharness_options(), Some(build),
                        ),
                    );
                }
            )*
        }
    };
}
