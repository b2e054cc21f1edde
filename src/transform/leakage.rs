use super::{fail, pass, rows_text};
use crate::check::{CheckError, Outcome};
use crate::data::{Column, Dataset};
use crate::table::{number, Table};
use ndarray::Array2;
use std::fmt::{Debug, Display};

/// Rows compared one by one in [`batch_independent`]: enough to catch a batch-dependent
/// transform, few enough to stay fast on any data.
const ROWS_ALONE: usize = 50;

/// The value of a call to the transform under test, or (returned from the check) a failed
/// outcome saying which call failed: a transform that errors fails the check.
macro_rules! or_fail {
    ($call:expr, $check:expr, $what:expr) => {
        match $call {
            Ok(v) => v,
            Err(e) => return Ok(fail($check, format!("{} failed: {e}", $what))),
        }
    };
}

/// Fitting twice on the same data gives the same state (no hidden randomness or global state).
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::transform;
/// use mlharness::check::Checked;
/// let ds = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 3.0]))])?;
/// let mean = |d: &Dataset| -> Result<f64, mlharness::data::DataError> {
///     Ok(d.numeric("x")?.present().sum::<f64>() / d.n_rows() as f64)
/// };
/// transform::fit_deterministic(mean, &ds).assert_passed();
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn fit_deterministic<S, E>(
    fit: impl Fn(&Dataset) -> Result<S, E>,
    data: &Dataset,
) -> Result<Outcome, CheckError>
where
    S: PartialEq + Debug,
    E: Display,
{
    let a = or_fail!(fit(data), "fit_deterministic", "fit");
    let b = or_fail!(fit(data), "fit_deterministic", "second fit");
    if a == b {
        return Ok(pass("fit_deterministic"));
    }
    Ok(fail(
        "fit_deterministic",
        format!("two fits on the same {} rows give different states (hidden randomness or state carried between fits?)\n  first:  {a:?}\n  second: {b:?}", data.n_rows()),
    ))
}

/// Applying a fitted transform to new data leaves its state as it was: a transform that refits
/// (or updates running statistics) when applied leaks the new data into itself.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::transform;
/// use mlharness::check::Checked;
/// let train = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 3.0]))])?;
/// let test = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![10.0]))])?;
/// let fit = |d: &Dataset| -> Result<f64, String> { Ok(d.numeric("x").unwrap().values()[0]) };
/// // Buggy: re-centres on whatever data it is given.
/// let refits = |state: &mut f64, d: &Dataset| -> Result<ndarray::Array2<f64>, String> {
///     *state = d.numeric("x").unwrap().values()[0];
///     Ok(ndarray::Array2::zeros((d.n_rows(), 1)))
/// };
/// let err = transform::state_unchanged(fit, refits, &train, &test).assert_failed();
/// assert!(err.to_string().contains("changed its state"));
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn state_unchanged<S, E>(
    fit: impl Fn(&Dataset) -> Result<S, E>,
    mut apply: impl FnMut(&mut S, &Dataset) -> Result<Array2<f64>, E>,
    train: &Dataset,
    new: &Dataset,
) -> Result<Outcome, CheckError>
where
    S: Clone + PartialEq + Debug,
    E: Display,
{
    let mut state = or_fail!(fit(train), "state_unchanged", "fit");
    let before = state.clone();
    or_fail!(apply(&mut state, new), "state_unchanged", "apply");
    if state == before {
        return Ok(pass("state_unchanged"));
    }
    Ok(fail(
        "state_unchanged",
        format!("applying the fitted transform to {} new rows changed its state: it learns from the data it transforms (leakage)\n  fitted:        {before:?}\n  after applying: {state:?}", new.n_rows()),
    ))
}

/// The fitted `state` is the one fitted on `train` — not on `test` ("fit on test") and not on
/// `all`, the data before splitting ("fit on all data"); the failure names which one it is.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::transform;
/// use mlharness::check::Checked;
/// let all = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 3.0, 10.0]))])?;
/// let (train, test) = (all.take(&[0, 1, 2])?, all.take(&[3])?);
/// let mean = |d: &Dataset| -> Result<f64, String> {
///     Ok(d.numeric("x").unwrap().values().iter().sum::<f64>() / d.n_rows() as f64)
/// };
/// let leaky_state = mean(&all).unwrap();
/// let err = transform::fitted_on_training(&leaky_state, mean, &train, &test, &all).assert_failed();
/// assert!(err.to_string().contains("fitted on all data"));
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn fitted_on_training<S, E>(
    state: &S,
    fit: impl Fn(&Dataset) -> Result<S, E>,
    train: &Dataset,
    test: &Dataset,
    all: &Dataset,
) -> Result<Outcome, CheckError>
where
    S: PartialEq + Debug,
    E: Display,
{
    let on_train = or_fail!(fit(train), "fitted_on_training", "fit on train");
    if *state == on_train {
        return Ok(pass("fitted_on_training"));
    }
    let cause = if fit(test).is_ok_and(|s| s == *state) {
        "it is the state fitted on the test data (fit on test)"
    } else if fit(all).is_ok_and(|s| s == *state) {
        "it is the state fitted on all data, test included (fitted on all data: leakage)"
    } else {
        "it matches neither the test data's nor all data's fit"
    };
    Ok(fail(
        "fitted_on_training",
        format!("the transform was not fitted on the training split: {cause}\n  found:          {state:?}\n  fit(train) is:  {on_train:?}"),
    ))
}

/// A batch built from `rows` of `data` as a caller would build it: categorical columns hold
/// only the categories present in those rows.
fn fresh_batch(data: &Dataset, rows: &[usize]) -> Result<Dataset, crate::data::DataError> {
    let taken = data.take(rows)?;
    let columns = taken
        .columns()
        .map(|(name, c)| {
            let c = match c {
                Column::Categorical(cat) => {
                    Column::categorical((0..cat.codes().len()).map(|i| cat.get(i)))
                }
                other => other.clone(),
            };
            (name.to_string(), c)
        })
        .collect();
    let ds = Dataset::from_columns(columns)?;
    match data.target_name() {
        Some(t) => ds.with_target(t),
        None => Ok(ds),
    }
}

/// A fitted transform gives each row the same output alone as inside the whole batch (up to
/// `tolerance`): catches transforms that use statistics of the batch they are given and
/// encoders whose columns shift when a category is absent from the batch.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::transform;
/// use mlharness::check::Checked;
/// let ds = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 6.0]))])?;
/// // Buggy: centres each batch on its own mean.
/// let per_batch = |d: &Dataset| -> Result<ndarray::Array2<f64>, String> {
///     let x = d.numeric("x").unwrap().values();
///     let m = x.iter().sum::<f64>() / x.len() as f64;
///     Ok(ndarray::Array2::from_shape_fn((x.len(), 1), |(i, _)| x[i] - m))
/// };
/// let err = transform::batch_independent(per_batch, &ds, 1e-12).assert_failed();
/// assert!(err.to_string().contains("statistics of the batch"));
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn batch_independent<E: Display>(
    apply: impl Fn(&Dataset) -> Result<Array2<f64>, E>,
    data: &Dataset,
    tolerance: f64,
) -> Result<Outcome, CheckError> {
    batch_independent_named::<&str, E>(apply, data, &[], tolerance)
}

/// [`batch_independent`], its failure naming output columns by `names` (the transform's
/// output column names, e.g. `plan=pro`) instead of by index.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::transform;
/// use mlharness::check::Checked;
/// let ds = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 6.0]))])?;
/// let per_batch = |d: &Dataset| -> Result<ndarray::Array2<f64>, String> {
///     let x = d.numeric("x").unwrap().values();
///     let m = x.iter().sum::<f64>() / x.len() as f64;
///     Ok(ndarray::Array2::from_shape_fn((x.len(), 1), |(i, _)| x[i] - m))
/// };
/// let err = transform::batch_independent_named(per_batch, &ds, &["x_centred"], 1e-12).assert_failed();
/// assert!(err.to_string().contains("x_centred"), "{err}");
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn batch_independent_named<S: AsRef<str>, E: Display>(
    apply: impl Fn(&Dataset) -> Result<Array2<f64>, E>,
    data: &Dataset,
    names: &[S],
    tolerance: f64,
) -> Result<Outcome, CheckError> {
    let check = "batch_independent";
    let column_name = |j: usize| {
        names
            .get(j)
            .map_or_else(|| j.to_string(), |n| n.as_ref().to_string())
    };
    let full = or_fail!(apply(data), check, "apply to the batch");
    let mut t = Table::new(["row", "column", "in batch", "alone"]);
    let mut differing = Vec::new();
    for i in 0..data.n_rows().min(ROWS_ALONE) {
        let batch = fresh_batch(data, &[i])?;
        let alone = or_fail!(apply(&batch), check, &format!("apply to row {i} alone"));
        if alone.ncols() != full.ncols() {
            return Ok(fail(
                check,
                format!("row {i} alone gives {} output columns, the whole batch {}: the columns depend on which categories the batch holds (an encoder that shifts its columns when a category is absent)", alone.ncols(), full.ncols()),
            ));
        }
        let worst = (0..full.ncols())
            .map(|j| (j, (full[[i, j]] - alone[[0, j]]).abs()))
            .fold(
                (0, 0.0f64),
                |b, e| if e.1 > b.1 || e.1.is_nan() { e } else { b },
            );
        if worst.1.is_nan() || worst.1 > tolerance {
            differing.push(i);
            if t.len() < 5 {
                t.row([
                    i.to_string(),
                    column_name(worst.0),
                    number(full[[i, worst.0]]),
                    number(alone[[0, worst.0]]),
                ]);
            }
        }
    }
    if differing.is_empty() {
        return Ok(pass("batch_independent"));
    }
    Ok(fail(
        check,
        format!("{} row(s) transform differently alone than inside the batch (rows {}): the transform uses statistics of the batch it is given (fitted on the data being transformed?)", differing.len(), rows_text(&differing)),
    )
    .with_table(t))
}

/// A fit that is given the whole dataset and the training rows uses the training rows only:
/// the state fitted after every *test* row was perturbed (numbers moved far, categories
/// replaced) is the state fitted before. Catches a leak inside `fit` itself — statistics of
/// all rows, a target encoding over the whole table — that [`fitted_on_training`], which
/// compares finished states, cannot see.
///
/// ```
/// use mlharness::check::Checked;
/// use mlharness::data::{Column, Dataset};
/// use mlharness::transform;
/// let all = Dataset::from_columns(vec![("x".into(), Column::numeric(vec![1.0, 2.0, 3.0, 10.0]))])?;
/// let train_rows = [0, 1, 2];
/// let mean_of = |d: &Dataset, rows: &[usize]| -> Result<f64, mlharness::data::DataError> {
///     let x = d.numeric("x")?.values();
///     Ok(rows.iter().map(|&i| x[i]).sum::<f64>() / rows.len() as f64)
/// };
/// transform::fit_ignores_test_rows(|d, rows| mean_of(d, rows), &all, &train_rows).assert_passed();
/// // Buggy: the mean of every row, test rows included.
/// let leaky = |d: &Dataset, _rows: &[usize]| mean_of(d, &(0..d.n_rows()).collect::<Vec<_>>());
/// transform::fit_ignores_test_rows(leaky, &all, &train_rows).assert_failed();
/// # Ok::<(), mlharness::data::DataError>(())
/// ```
pub fn fit_ignores_test_rows<S, E>(
    fit: impl Fn(&Dataset, &[usize]) -> Result<S, E>,
    all: &Dataset,
    train_rows: &[usize],
) -> Result<Outcome, CheckError>
where
    S: PartialEq + Debug,
    E: Display,
{
    const CHECK: &str = "fit_ignores_test_rows";
    let train: std::collections::HashSet<usize> = train_rows.iter().copied().collect();
    if let Some(&bad) = train_rows.iter().find(|&&i| i >= all.n_rows()) {
        return Err(crate::data::DataError::RowOutOfRange {
            row: bad,
            n_rows: all.n_rows(),
        }
        .into());
    }
    let test: Vec<usize> = (0..all.n_rows()).filter(|i| !train.contains(i)).collect();
    if test.is_empty() {
        return Err(CheckError::Input {
            check: CHECK,
            message: "every row is a training row: there are no test rows to perturb".into(),
        });
    }
    let before = or_fail!(fit(all, train_rows), CHECK, "fit");
    let perturbed = perturb_rows(all, &test)?;
    let after = or_fail!(
        fit(&perturbed, train_rows),
        CHECK,
        "fit on the perturbed data"
    );
    if before == after {
        return Ok(pass(CHECK));
    }
    Ok(fail(
        CHECK,
        format!(
            "the fitted state changed when only the {} test rows changed: fit reads rows \
             outside the training split (leakage inside fit)\n  before: {before:?}\n  after:  \
             {after:?}",
            test.len()
        ),
    ))
}

/// `data` with `rows` moved far: each numeric value shifted by ten times the column's range
/// plus one, each category replaced by one no row has.
fn perturb_rows(data: &Dataset, rows: &[usize]) -> Result<Dataset, crate::data::DataError> {
    let mut out = data.clone();
    for name in data.column_names() {
        let column = match data.column(name)? {
            Column::Numeric(n) => {
                let present: Vec<f64> = n.present().filter(|v| v.is_finite()).collect();
                let lo = present.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = present.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let shift = if lo.is_finite() {
                    10.0 * (hi - lo) + 1.0
                } else {
                    1.0
                };
                let mut values = n.values().to_vec();
                for &i in rows {
                    values[i] += shift;
                }
                let mask: Vec<bool> = (0..n.len()).map(|i| n.is_missing(i)).collect();
                Column::numeric_masked(values, mask)?
            }
            Column::Categorical(c) => {
                let mut values: Vec<Option<&str>> =
                    (0..c.codes().len()).map(|i| c.get(i)).collect();
                for &i in rows {
                    values[i] = Some("mlharness_perturbed_test_row");
                }
                Column::categorical(values)
            }
        };
        out = out.replace_column(name, column)?;
    }
    Ok(out)
}
