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
use std::collections::{HashMap, HashSet};

/// Bound used for a numeric column the schema leaves unbounded.
const UNBOUNDED: f64 = 1e6;

/// Datasets with rows in `rows`, every value valid under `schema` (every column the schema
/// lists, in its order; a nullable column is missing in about 10% of rows). Each cell is drawn
/// on its own, then a `unique` column's repeats are moved to values not yet taken (a listed
/// category left over; the nearest other number within the bounds; for free text, a numbered
/// suffix), so it needs as many allowed values as rows. Rules between columns (`relations`,
/// `conditions`) and the text rules of a domain too large to list (`pattern`, lengths) are not
/// generated for, so such data may break them.
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

/// The range a numeric column's valid values are drawn from.
fn numeric_bounds(spec: &ColumnSchema) -> (f64, f64) {
    let lo = spec.min.unwrap_or(-UNBOUNDED);
    (lo, spec.max.unwrap_or(UNBOUNDED).max(lo))
}

/// Values of one numeric column: `(value, missing)` per cell.
pub fn numeric_cells(spec: &ColumnSchema, edges: bool) -> BoxedStrategy<(f64, bool)> {
    let (lo, hi) = numeric_bounds(spec);
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
                        ColumnKind::Numeric => {
                            let unique = spec.unique.then(|| numeric_bounds(spec));
                            vec(numeric_cells(spec, edges), n)
                                .prop_map(move |cells| {
                                    let (mut values, mask): (Vec<f64>, Vec<bool>) =
                                        cells.into_iter().unzip();
                                    if let Some((lo, hi)) = unique {
                                        distinct_numbers(&mut values, &mask, lo, hi);
                                    }
                                    let column = Column::numeric_masked(values, mask)
                                        .expect("values and mask have one entry per cell");
                                    (name.clone(), column)
                                })
                                .boxed()
                        }
                        ColumnKind::Categorical => {
                            let unique = spec.unique.then(|| spec.categories.clone());
                            vec(categorical_cells(spec, edges), n)
                                .prop_map(move |mut cells| {
                                    if let Some(categories) = &unique {
                                        distinct_levels(&mut cells, categories.as_deref());
                                    }
                                    (name.clone(), Column::categorical(cells))
                                })
                                .boxed()
                        }
                    }
                })
                .collect::<Vec<_>>()
        })
        .prop_map(|columns| {
            Dataset::from_columns(columns).expect("generated columns are distinct and equally long")
        })
        .boxed()
}

/// Moves each repeat among the present finite values to the nearest number not yet taken
/// within `[lo, hi]`, upwards first; a value is left repeated only when none is left.
fn distinct_numbers(values: &mut [f64], missing: &[bool], lo: f64, hi: f64) {
    // `-0.0` and `0.0` are one value.
    let key = |v: f64| (v + 0.0).to_bits();
    let mut taken = HashSet::new();
    // How far the searches up and down from a repeated value went: every number between is
    // taken, so its next repeat goes on from there (rows all equal cost a step each, not one
    // per row before them).
    let mut reached: HashMap<u64, (f64, f64)> = HashMap::new();
    for (v, &missing) in values.iter_mut().zip(missing) {
        if missing || !v.is_finite() || taken.insert(key(*v)) {
            continue;
        }
        let (up, down) = reached.entry(key(*v)).or_insert((*v, *v));
        let mut free = None;
        while free.is_none() && *up < hi {
            *up = next_up(*up);
            free = (!taken.contains(&key(*up))).then_some(*up);
        }
        while free.is_none() && *down > lo {
            *down = next_down(*down);
            free = (!taken.contains(&key(*down))).then_some(*down);
        }
        if let Some(x) = free {
            *v = x;
            taken.insert(key(x));
        }
    }
}

/// The least double above `x` (finite `x`).
fn next_up(x: f64) -> f64 {
    match x {
        0.0 => f64::from_bits(1),
        x if x > 0.0 => f64::from_bits(x.to_bits() + 1),
        x => f64::from_bits(x.to_bits() - 1),
    }
}

/// The greatest double below `x` (finite `x`).
fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

/// Replaces each repeated level with a listed category not yet taken, or, when any text is
/// allowed (`categories` is `None`), with the level and the first number that makes it new; a
/// level is left repeated only when no listed category is left.
fn distinct_levels(cells: &mut [Option<String>], categories: Option<&[String]>) {
    let mut taken = HashSet::new();
    // The listed categories before this one are all taken; the numbers each level has tried.
    let mut next_category = 0;
    let mut suffix: HashMap<String, usize> = HashMap::new();
    for cell in cells.iter_mut().flatten() {
        if taken.insert(cell.clone()) {
            continue;
        }
        let free = match categories {
            Some(categories) => {
                while categories
                    .get(next_category)
                    .is_some_and(|c| taken.contains(c))
                {
                    next_category += 1;
                }
                categories.get(next_category).cloned()
            }
            None => {
                let k = suffix.entry(cell.clone()).or_insert(0);
                loop {
                    *k += 1;
                    let named = format!("{cell}{k}");
                    if !taken.contains(&named) {
                        break Some(named);
                    }
                }
            }
        };
        if let Some(free) = free {
            taken.insert(free.clone());
            *cell = free;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_move_to_the_nearest_free_number_within_the_bounds() {
        let mut values = vec![0.5, 0.5, 0.5, -0.0, 0.0, f64::NAN, 1.0, 1.0];
        let missing = [false, false, false, false, false, true, false, false];
        distinct_numbers(&mut values, &missing, 0.0, 1.0);
        let present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        assert!(
            present.iter().all(|&v| (0.0..=1.0).contains(&v)),
            "{values:?}"
        );
        let mut keys: Vec<u64> = present.iter().map(|v| (v + 0.0).to_bits()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), present.len(), "{values:?}");
        // Upwards first; at the upper bound, downwards.
        assert_eq!(values[1], next_up(0.5));
        assert_eq!(values[7], next_down(1.0));
    }

    #[test]
    fn many_equal_rows_each_get_their_own_value() {
        // What shrinking leaves: every row at the minimum.
        let mut values = vec![0.0; 20_000];
        distinct_numbers(&mut values, &vec![false; 20_000], 0.0, 1.0);
        let mut keys: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 20_000);
        let mut cells = vec![Some("x".to_string()); 20_000];
        distinct_levels(&mut cells, None);
        let distinct: HashSet<_> = cells.iter().collect();
        assert_eq!(distinct.len(), 20_000);
    }

    #[test]
    fn repeated_levels_take_free_categories_or_a_numbered_name() {
        let cats = ["a".to_string(), "b".to_string(), "c".to_string()];
        let mut cells = vec![
            Some("a".to_string()),
            None,
            Some("a".into()),
            Some("b".into()),
        ];
        distinct_levels(&mut cells, Some(&cats));
        assert_eq!(
            cells,
            [Some("a".into()), None, Some("b".into()), Some("c".into())]
        );
        let mut free = vec![Some("x".to_string()), Some("x".into()), Some("x1".into())];
        distinct_levels(&mut free, None);
        assert_eq!(
            free,
            [Some("x".into()), Some("x1".into()), Some("x11".into())]
        );
    }
}
