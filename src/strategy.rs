//! Property-based data: proptest strategies that generate datasets a schema accepts, or the same
//! with edge values mixed in, for property tests of feature transforms. Needs the `proptest`
//! feature.
//!
//! Shrinking shrinks the number of rows first, then each value towards the schema's minimum (or
//! the first category), so a failing case is reported small. proptest prints the shrunk input
//! and keeps the failing seed in `proptest-regressions/` (commit it).
//!
//! ```
//! use mlharness::data::{Column, Dataset};
//! use mlharness::schema::Schema;
//! use mlharness::strategy;
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//!
//! let base = Dataset::from_columns(vec![
//!     ("age".into(), Column::numeric(vec![18.0, 90.0])),
//!     ("plan".into(), Column::categorical([Some("basic"), Some("pro")])),
//! ])?;
//! let schema = Schema::infer(&base);
//! // Every generated dataset is valid under the schema.
//! TestRunner::default()
//!     .run(&strategy::dataset(&schema, 1..50), |ds| {
//!         prop_assert!(schema.validate(&ds).outcome().passed());
//!         Ok(())
//!     })
//!     .unwrap();
//! # Ok::<(), mlharness::data::DataError>(())
//! ```

use crate::data::{Column, ColumnKind, Dataset};
use crate::edge::{EXTREME, UNSEEN_CATEGORY};
use crate::schema::{ColumnSchema, Schema};
use proptest::collection::{vec, SizeRange};
use proptest::prelude::*;

/// Bound used for a numeric column the schema leaves unbounded.
const UNBOUNDED: f64 = 1e6;

/// Datasets with rows in `rows`, every value valid under `schema` (every column the schema
/// lists, in its order; a nullable column is missing in about 10% of rows). Each cell is drawn
/// on its own: rules between rows or columns (`unique`, `relations`, `conditions`) and the text
/// rules of a domain too large to list (`pattern`, lengths) are not generated for, so such data
/// may break them.
pub fn dataset(schema: &Schema, rows: impl Into<SizeRange>) -> BoxedStrategy<Dataset> {
    build(schema, rows.into(), false)
}

/// Like [`dataset`], with edge values mixed into about a fifth of the cells: missing values
/// (even in non-nullable columns), `NaN`, ±infinity, ±1e300, values past the schema's bounds,
/// unseen, empty-string and whitespace categories.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::schema::Schema;
/// use mlharness::strategy;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let base = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![0.0, 1.0]))])?;
/// let schema = Schema::infer(&base);
/// let mut runner = TestRunner::deterministic();
/// let odd = (0..50)
///     .map(|_| strategy::dataset_with_edges(&schema, 20..21).new_tree(&mut runner).unwrap().current())
///     .filter(|ds| !schema.validate(ds).outcome().passed())
///     .count();
/// assert!(odd > 40);
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn dataset_with_edges(schema: &Schema, rows: impl Into<SizeRange>) -> BoxedStrategy<Dataset> {
    build(schema, rows.into(), true)
}

/// Values of one numeric column: `(value, missing)` per cell.
pub fn numeric_cells(spec: &ColumnSchema, edges: bool) -> BoxedStrategy<(f64, bool)> {
    let lo = spec.min.unwrap_or(-UNBOUNDED);
    let hi = spec.max.unwrap_or(UNBOUNDED).max(lo);
    let valid = if lo < hi {
        (lo..=hi).boxed()
    } else {
        Just(lo).boxed()
    };
    let present = valid.prop_map(|v| (v, false));
    let base = if spec.nullable {
        prop_oneof![9 => present, 1 => Just((f64::NAN, true))].boxed()
    } else {
        present.boxed()
    };
    if !edges {
        return base;
    }
    let width = (hi - lo).abs().max(1.0);
    let odd = prop_oneof![
        Just((f64::NAN, true)),
        Just((f64::NAN, false)),
        Just((f64::INFINITY, false)),
        Just((f64::NEG_INFINITY, false)),
        Just((EXTREME, false)),
        Just((-EXTREME, false)),
        Just((hi + 0.01 * width, false)),
        Just((lo - 0.01 * width, false)),
        Just((hi + 1000.0 * width, false)),
    ];
    prop_oneof![4 => base, 1 => odd].boxed()
}

/// Values of one categorical column (`None` = missing).
pub fn categorical_cells(spec: &ColumnSchema, edges: bool) -> BoxedStrategy<Option<String>> {
    let valid = match &spec.categories {
        Some(cats) if !cats.is_empty() => proptest::sample::select(cats.clone()).boxed(),
        _ => "[a-z]{1,8}".boxed(),
    };
    let present = valid.prop_map(Some);
    let base = if spec.nullable {
        prop_oneof![9 => present, 1 => Just(None)].boxed()
    } else {
        present.boxed()
    };
    if !edges {
        return base;
    }
    let odd = prop_oneof![
        Just(None),
        Just(Some(UNSEEN_CATEGORY.to_string())),
        Just(Some(String::new())),
        Just(Some("   ".to_string())),
    ];
    prop_oneof![4 => base, 1 => odd].boxed()
}

fn build(schema: &Schema, rows: SizeRange, edges: bool) -> BoxedStrategy<Dataset> {
    let specs = schema.columns.clone();
    (rows.start()..=rows.end_incl())
        .prop_flat_map(move |n| {
            specs
                .iter()
                .map(|spec| {
                    let name = spec.name.clone();
                    match spec.kind {
                        ColumnKind::Numeric => vec(numeric_cells(spec, edges), n)
                            .prop_map(move |cells| {
                                let (values, mask) = cells.into_iter().unzip();
                                let column = Column::numeric_masked(values, mask)
                                    .expect("values and mask have one entry per cell");
                                (name.clone(), column)
                            })
                            .boxed(),
                        ColumnKind::Categorical => vec(categorical_cells(spec, edges), n)
                            .prop_map(move |cells| (name.clone(), Column::categorical(cells)))
                            .boxed(),
                    }
                })
                .collect::<Vec<_>>()
        })
        .prop_map(|columns| {
            Dataset::from_columns(columns).expect("generated columns are distinct and equally long")
        })
        .boxed()
}
