use super::{fail, name_of, pass, rows_text};
use crate::check::{CheckError, InvalidSetting, Outcome, Range};
use crate::data::{quantile_sorted, Column};
use crate::table::{number, Table};
use ndarray::Array2;
use std::collections::BTreeMap;

/// Every column of `x` has mean 0 and standard deviation 1 (population, as scikit-learn's
/// `StandardScaler`), each within `tolerance`.
pub fn standardized<S: AsRef<str>>(
    x: &Array2<f64>,
    names: &[S],
    tolerance: f64,
) -> Result<Outcome, CheckError> {
    let mut bad = Vec::new();
    for (j, col) in x.columns().into_iter().enumerate() {
        let n = col.len() as f64;
        let mean = col.sum() / n;
        let std = (col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        if !(mean.abs() <= tolerance && (std - 1.0).abs() <= tolerance) {
            bad.push((name_of(names, j), mean, std));
        }
    }
    let Some((first, mean, std)) = bad.first() else {
        return Ok(pass("standardized"));
    };
    let mut t = Table::new(["column", "mean", "std"])
        .right_align(1)
        .right_align(2);
    for (name, mean, std) in &bad {
        t.row([name.clone(), number(*mean), number(*std)]);
    }
    Ok(fail(
        "standardized",
        format!(
            "{} column(s) not standardised; `{first}` has mean {}, expected 0 ± {}, and std {}, expected 1 ± {} (was the scaler applied, and fitted on data like this?)",
            bad.len(),
            number(*mean),
            number(tolerance),
            number(*std),
            number(tolerance),
        ),
    )
    .with_table(t))
}

/// Every value of `x` lies in `[low, high]` (within `tolerance`).
///
/// ```
/// use mlharness::transform;
/// use mlharness::check::Checked;
/// let x = ndarray::array![[0.0], [0.5], [1.2]];
/// let err = transform::min_max_scaled(&x, &["age"], 0.0, 1.0, 1e-9).assert_failed();
/// assert!(err.to_string().contains("rows 2"));
/// ```
pub fn min_max_scaled<S: AsRef<str>>(
    x: &Array2<f64>,
    names: &[S],
    low: f64,
    high: f64,
    tolerance: f64,
) -> Result<Outcome, CheckError> {
    let mut t = Table::new(["column", "min", "max", "rows outside"])
        .right_align(1)
        .right_align(2);
    for (j, col) in x.columns().into_iter().enumerate() {
        let outside: Vec<usize> = (0..col.len())
            .filter(|&i| !(col[i] >= low - tolerance && col[i] <= high + tolerance))
            .collect();
        if !outside.is_empty() {
            let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            t.row([
                name_of(names, j),
                number(lo),
                number(hi),
                format!("rows {}", rows_text(&outside)),
            ]);
        }
    }
    if t.is_empty() {
        return Ok(pass("min_max_scaled"));
    }
    Ok(fail(
        "min_max_scaled",
        format!(
            "{} column(s) outside [{}, {}]",
            t.len(),
            number(low),
            number(high)
        ),
    )
    .with_table(t))
}

/// The statistic an imputer promises to fill in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// The mean of the present values.
    Mean,
    /// The median of the present values.
    Median,
    /// The most frequent category (ties: the first in sorted order).
    MostFrequent,
}

impl Statistic {
    fn name(self) -> &'static str {
        match self {
            Statistic::Mean => "mean",
            Statistic::Median => "median",
            Statistic::MostFrequent => "most frequent value",
        }
    }
}

/// A value of a column, numeric or categorical, for comparing what an imputer filled in.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Number(f64),
    Category(String),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Number(x) => number(*x),
            Value::Category(c) => format!("`{c}`"),
        }
    }

    fn close(&self, other: &Value, tolerance: f64) -> bool {
        match (self, other) {
            (Value::Number(a), Value::Number(b)) => (a - b).abs() <= tolerance * b.abs().max(1.0),
            (a, b) => a == b,
        }
    }
}

fn value_at(c: &Column, i: usize) -> Option<Value> {
    if c.is_missing(i) {
        return None;
    }
    Some(match c {
        Column::Numeric(n) => Value::Number(n.values()[i]),
        Column::Categorical(cat) => Value::Category(cat.get(i).unwrap_or_default().to_string()),
    })
}

/// The statistic over the present values of several columns taken together.
fn statistic(columns: &[&Column], s: Statistic) -> Option<Value> {
    let present: Vec<Value> = columns
        .iter()
        .flat_map(|c| (0..c.len()).filter_map(move |i| value_at(c, i)))
        .collect();
    match s {
        Statistic::Mean | Statistic::Median => {
            let mut v: Vec<f64> = present
                .iter()
                .filter_map(|x| match x {
                    Value::Number(n) => Some(*n),
                    Value::Category(_) => None,
                })
                .collect();
            if v.is_empty() {
                return None;
            }
            Some(Value::Number(if s == Statistic::Mean {
                v.iter().sum::<f64>() / v.len() as f64
            } else {
                v.sort_by(f64::total_cmp);
                quantile_sorted(&v, 0.5)
            }))
        }
        Statistic::MostFrequent => {
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for x in present {
                *counts.entry(x.text()).or_default() += 1;
            }
            let best = counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
            let text = best.0.trim_matches('`').to_string();
            Some(match text.parse::<f64>() {
                Ok(x) if columns.iter().all(|c| matches!(c, Column::Numeric(_))) => {
                    Value::Number(x)
                }
                _ => Value::Category(text),
            })
        }
    }
}

/// An imputer filled every missing value of `input` with `statistic` of the **training** column
/// `train`, left present values alone, and left nothing missing. When the filled-in value is the
/// statistic of the data being transformed, or of training and that data together, the failure
/// says so: the imputer was fitted on test data, or on all data (leakage).
///
/// ```
/// use mlharness::data::Column;
/// use mlharness::transform::{self, Statistic};
/// use mlharness::check::Checked;
/// let train = Column::numeric(vec![1.0, 2.0, 3.0]);
/// let test = Column::numeric(vec![10.0, f64::NAN, 20.0]);
/// let leaky = Column::numeric(vec![10.0, 15.0, 20.0]); // filled with the test median
/// let err = transform::imputed("tenure", &test, &leaky, &train, Statistic::Median, 1e-9).assert_failed();
/// assert!(err.to_string().contains("fitted on the data being transformed"));
/// transform::imputed("tenure", &test, &Column::numeric(vec![10.0, 2.0, 20.0]), &train, Statistic::Median, 1e-9).assert_passed();
/// ```
pub fn imputed(
    column: &str,
    input: &Column,
    output: &Column,
    train: &Column,
    statistic_promised: Statistic,
    tolerance: f64,
) -> Result<Outcome, CheckError> {
    let failed = |h: String| fail("imputed", h);
    if input.len() != output.len() {
        return Ok(failed(format!(
            "column `{column}`: {} rows in, {} out",
            input.len(),
            output.len()
        )));
    }
    let still_missing: Vec<usize> = (0..output.len())
        .filter(|&i| output.is_missing(i))
        .collect();
    if !still_missing.is_empty() {
        return Ok(failed(format!(
            "column `{column}`: {} value(s) still missing after imputation, rows {}",
            still_missing.len(),
            rows_text(&still_missing)
        )));
    }
    let Some(expected) = statistic(&[train], statistic_promised) else {
        return Err(CheckError::Input {
            check: "imputed",
            message: format!(
                "column `{column}`: the training column has no present value to take the {} of",
                statistic_promised.name()
            ),
        });
    };
    let mut t = Table::new(["row", "input", "output", "expected"]);
    let (mut wrong_fill, mut changed) = (Vec::new(), Vec::new());
    for i in 0..input.len() {
        let out = value_at(output, i).expect("checked: nothing missing");
        match value_at(input, i) {
            None if !out.close(&expected, tolerance) => wrong_fill.push((i, out)),
            Some(v) if !out.close(&v, tolerance) => changed.push((i, v, out)),
            _ => {}
        }
    }
    for (i, out) in wrong_fill.iter().take(5) {
        t.row([i.to_string(), "missing".into(), out.text(), expected.text()]);
    }
    for (i, v, out) in changed.iter().take(5) {
        t.row([i.to_string(), v.text(), out.text(), v.text()]);
    }
    if let Some((_, filled)) = wrong_fill.first() {
        let cause = if statistic(&[input], statistic_promised)
            .is_some_and(|s| filled.close(&s, tolerance))
        {
            " — that is the statistic of the data being transformed: the imputer was fitted on the data being transformed (test data), not on the training data"
        } else if statistic(&[train, input], statistic_promised)
            .is_some_and(|s| filled.close(&s, tolerance))
        {
            " — that is the statistic of training and transformed data together: the imputer was fitted on all data (leakage)"
        } else {
            ""
        };
        return Ok(failed(format!(
            "column `{column}`: {} missing value(s) filled with {}, expected the training {} {}{cause}",
            wrong_fill.len(),
            filled.text(),
            statistic_promised.name(),
            expected.text()
        ))
        .with_table(t));
    }
    if !changed.is_empty() {
        return Ok(failed(format!(
            "column `{column}`: {} present value(s) changed by imputation",
            changed.len()
        ))
        .with_table(t));
    }
    Ok(pass("imputed"))
}

/// Outliers were clipped at the `lower` and `upper` quantiles of the **training** values: every
/// output lies within them, values inside are unchanged, values outside moved to the bound.
///
/// ```
/// use mlharness::transform;
/// use mlharness::check::Checked;
/// let train: Vec<f64> = (0..=100).map(f64::from).collect();
/// let input = [-50.0, 50.0, 500.0];
/// transform::clipped("calls", &input, &[1.0, 50.0, 99.0], &train, 0.01, 0.99, 1e-9).assert_passed();
/// transform::clipped("calls", &input, &input, &train, 0.01, 0.99, 1e-9).assert_failed();
/// ```
#[allow(clippy::too_many_arguments)]
pub fn clipped(
    column: &str,
    input: &[f64],
    output: &[f64],
    train: &[f64],
    lower: f64,
    upper: f64,
    tolerance: f64,
) -> Result<Outcome, CheckError> {
    InvalidSetting::ensure("clipped", "lower", Range::Share, lower)?;
    InvalidSetting::ensure("clipped", "upper", Range::Share, upper)?;
    let mut sorted: Vec<f64> = train.iter().copied().filter(|v| !v.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return Err(CheckError::Input {
            check: "clipped",
            message: format!("column `{column}`: no training value to take quantiles of"),
        });
    }
    if input.len() != output.len() {
        return Ok(fail(
            "clipped",
            format!(
                "column `{column}`: {} rows in, {} out",
                input.len(),
                output.len()
            ),
        ));
    }
    let (lo, hi) = (
        quantile_sorted(&sorted, lower),
        quantile_sorted(&sorted, upper),
    );
    let mut t = Table::new(["row", "input", "output", "expected"]);
    let mut bad = 0;
    for (i, (&x, &y)) in input.iter().zip(output).enumerate() {
        let want = x.clamp(lo, hi);
        if (y - want).abs() > tolerance * want.abs().max(1.0) {
            bad += 1;
            if t.len() < 5 {
                t.row([i.to_string(), number(x), number(y), number(want)]);
            }
        }
    }
    if bad == 0 {
        return Ok(pass("clipped"));
    }
    Ok(fail(
        "clipped",
        format!(
            "column `{column}`: {bad} value(s) not clipped to the training quantiles [{}, {}] (q{} and q{})",
            number(lo),
            number(hi),
            number(lower * 100.0),
            number(upper * 100.0)
        ),
    )
    .with_table(t))
}

/// How a one-hot encoder treats a category it did not see in training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unseen<'a> {
    /// Nothing is said about it: every row has exactly one 1.
    NotExpected,
    /// A column of its own, `source=<name>`, which must exist: every row has exactly one 1.
    Column(&'a str),
    /// No column, an all-zero row (scikit-learn's `handle_unknown="ignore"`): every row has
    /// at most one 1.
    AllZeros,
}

impl<'a> From<Option<&'a str>> for Unseen<'a> {
    fn from(unseen: Option<&'a str>) -> Self {
        unseen.map_or(Unseen::NotExpected, Unseen::Column)
    }
}

/// The one-hot block of `source` — the columns named `source=<level>` — has exactly one 1 per
/// row and 0 elsewhere. With `Some("<unseen>")` (or [`Unseen::Column`]) the block must have
/// the column `source=<unseen>` that takes categories not seen in training; with
/// [`Unseen::AllZeros`] a row of unseen category is all zeros, as scikit-learn's
/// `handle_unknown="ignore"` encodes it.
///
/// ```
/// use mlharness::transform::{self, Unseen};
/// use mlharness::check::Checked;
/// let names = ["plan=basic", "plan=pro", "plan=<unseen>"];
/// let x = ndarray::array![[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]];
/// let err = transform::one_hot(&x, &names, "plan", Some("<unseen>")).assert_failed();
/// assert!(err.to_string().contains("`plan`: 1 row(s) without exactly one 1 among its 3 columns"));
/// // An encoder that ignores unknown categories writes that row as zeros, by design.
/// transform::one_hot(&x, &names, "plan", Unseen::AllZeros).assert_passed();
/// ```
pub fn one_hot<'a, S: AsRef<str>>(
    x: &Array2<f64>,
    names: &[S],
    source: &str,
    unseen: impl Into<Unseen<'a>>,
) -> Result<Outcome, CheckError> {
    let unseen = unseen.into();
    let prefix = format!("{source}=");
    let block: Vec<usize> = (0..x.ncols())
        .filter(|&j| {
            names
                .get(j)
                .is_some_and(|n| n.as_ref().starts_with(&prefix))
        })
        .collect();
    let failed = |h: String| fail("one_hot", h);
    if block.is_empty() {
        return Ok(failed(format!("no column is named `{prefix}…`")));
    }
    if let Unseen::Column(u) = unseen {
        let wanted = format!("{prefix}{u}");
        if !block.iter().any(|&j| names[j].as_ref() == wanted) {
            return Ok(failed(format!(
                "`{source}` has no column `{wanted}` for categories unseen in training"
            )));
        }
    }
    let allowed_ones: &[usize] = if unseen == Unseen::AllZeros {
        &[0, 1]
    } else {
        &[1]
    };
    let mut t = Table::new(["row", "ones", "other values"]);
    let mut bad = 0;
    for (i, row) in x.rows().into_iter().enumerate() {
        let ones = block.iter().filter(|&&j| row[j] == 1.0).count();
        let others: Vec<String> = block
            .iter()
            .filter(|&&j| row[j] != 1.0 && row[j] != 0.0)
            .map(|&j| format!("{}={}", names[j].as_ref(), number(row[j])))
            .collect();
        if !allowed_ones.contains(&ones) || !others.is_empty() {
            bad += 1;
            if t.len() < 5 {
                t.row([i.to_string(), ones.to_string(), others.join(", ")]);
            }
        }
    }
    if bad == 0 {
        return Ok(pass("one_hot"));
    }
    Ok(failed(format!(
        "`{source}`: {bad} row(s) without {} among its {} columns",
        if unseen == Unseen::AllZeros {
            "at most one 1"
        } else {
            "exactly one 1"
        },
        block.len()
    ))
    .with_table(t))
}

/// A monotone transform kept the order of the values (ties stay ties), so the distribution's
/// shape — its ranks — is preserved. Increasing or decreasing, whichever the data shows.
///
/// ```
/// use mlharness::transform;
/// use mlharness::check::Checked;
/// let x = [3.0, 1.0, 2.0];
/// transform::monotone("income", &x, &[3f64.ln(), 0.0, 2f64.ln()]).assert_passed();
/// transform::monotone("income", &x, &[1.0, 2.0, 3.0]).assert_failed();
/// ```
pub fn monotone(column: &str, input: &[f64], output: &[f64]) -> Result<Outcome, CheckError> {
    let mut order: Vec<usize> = (0..input.len().min(output.len())).collect();
    order.sort_by(|&a, &b| input[a].total_cmp(&input[b]));
    let direction = order
        .windows(2)
        .map(|w| output[w[1]] - output[w[0]])
        .find(|d| *d != 0.0)
        .map_or(1.0, f64::signum);
    let mut t = Table::new(["rows", "inputs", "outputs"]);
    let mut bad = 0;
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        let broken = if input[a] == input[b] {
            output[a] != output[b]
        } else {
            (output[b] - output[a]) * direction < 0.0
        };
        if broken {
            bad += 1;
            if t.len() < 5 {
                t.row([
                    format!("{a}, {b}"),
                    format!("{}, {}", number(input[a]), number(input[b])),
                    format!("{}, {}", number(output[a]), number(output[b])),
                ]);
            }
        }
    }
    if bad == 0 {
        return Ok(pass("monotone"));
    }
    Ok(fail(
        "monotone",
        format!("column `{column}`: {bad} pair(s) of neighbouring values change order"),
    )
    .with_table(t))
}

/// `recovered` (the inverse transform of the transform of `original`) equals `original` within
/// `tolerance`, column by column; the failure lists each column's largest error and its row.
///
/// ```
/// use mlharness::transform;
/// use mlharness::check::Checked;
/// let x = ndarray::array![[1.0, 10.0], [2.0, 20.0]];
/// transform::inverse_round_trip(&x, &x.mapv(|v| v * (1.0 + 1e-12)), &["a", "b"], 1e-9).assert_passed();
/// transform::inverse_round_trip(&x, &(&x * 2.0), &["a", "b"], 1e-9).assert_failed();
/// ```
pub fn inverse_round_trip<S: AsRef<str>>(
    original: &Array2<f64>,
    recovered: &Array2<f64>,
    names: &[S],
    tolerance: f64,
) -> Result<Outcome, CheckError> {
    if original.dim() != recovered.dim() {
        return Ok(fail(
            "inverse_round_trip",
            format!("shape {:?} in, {:?} back", original.dim(), recovered.dim()),
        ));
    }
    let mut t = Table::new(["column", "max error", "row", "original", "recovered"]).right_align(1);
    for j in 0..original.ncols() {
        let (row, err) = (0..original.nrows())
            .map(|i| (i, (original[[i, j]] - recovered[[i, j]]).abs()))
            .fold((0, 0.0f64), |best, e| {
                if e.1 > best.1 || e.1.is_nan() {
                    e
                } else {
                    best
                }
            });
        let scale = original[[row, j]].abs().max(1.0);
        if err.is_nan() || err > tolerance * scale {
            t.row([
                name_of(names, j),
                number(err),
                row.to_string(),
                number(original[[row, j]]),
                number(recovered[[row, j]]),
            ]);
        }
    }
    if t.is_empty() {
        return Ok(pass("inverse_round_trip"));
    }
    Ok(fail(
        "inverse_round_trip",
        format!(
            "{} column(s) not recovered within {}",
            t.len(),
            number(tolerance)
        ),
    )
    .with_table(t))
}
