//! The metric per data slice: each above a floor, the gap between slices under a bound.

use super::{predict, value, CheckError};
use crate::check::{InvalidSetting, Outcome, Table};
use crate::data::{Column, DataError, Dataset, Row};
use crate::kind::Kind;
use crate::metrics::Metric;
use crate::model::{Model, ModelError, Predictions};
use ndarray::Axis;

type SliceGroup = (String, Vec<(String, Vec<usize>)>);
type Predicate = Box<dyn Fn(&Row<'_>) -> Result<bool, DataError>>;

enum Group {
    Column(String),
    Bins(String, Vec<f64>),
    Predicate(String, Predicate),
}

/// Distinct values up to which a numeric column is sliced value by value (a 0/1 flag, a
/// rating); above it, [`Slices::by_bins`].
const MAX_NUMERIC_LEVELS: usize = 10;

/// The metric on each slice of the data — each value of a categorical column, or each named
/// predicate — must reach a floor (stay under a ceiling for metrics where lower is better),
/// and the largest gap between the slices of one column must stay under a bound: a fairness
/// check.
///
/// A slice with fewer than `min_rows` rows (default 30) is reported as too small and not
/// judged, and so is one where the metric is undefined (ROC AUC on a slice with one class):
/// a verdict on a handful of rows would fail at random. Rows missing the column form a
/// `<missing>` slice.
///
/// ```
/// use mlharness::benchmark::Slices;
/// use mlharness::data::{Column, Dataset};
/// use mlharness::metrics::Metric;
/// use mlharness::model::{Model, ModelError, Predictions};
///
/// let region: Vec<Option<&str>> = (0..200).map(|i| Some(if i < 100 { "north" } else if i < 195 { "south" } else { "isles" })).collect();
/// let y: Vec<Option<&str>> = (0..200).map(|i| Some(if i % 2 == 0 { "yes" } else { "no" })).collect();
/// let data = Dataset::from_columns(vec![("region".into(), Column::categorical(region)), ("y".into(), Column::categorical(y))])?
///     .with_target("y")?;
/// // Right everywhere in the north, right on 3 rows of 5 in the south.
/// let model = |ds: &Dataset| -> Result<Predictions, ModelError> {
///     let truth = ds.target_indices(&["no".into(), "yes".into()])?;
///     let south = ds.categorical("region")?;
///     let labels = truth.iter().enumerate()
///         .map(|(i, &t)| if south.get(i) == Some("south") && i % 5 < 2 { 1 - t } else { t })
///         .collect();
///     Predictions::classes(vec!["no".into(), "yes".into()], labels)
/// };
/// let outcome = Slices::new(Metric::Accuracy).by_column("region").floor(0.7).max_gap(0.2).check(&model, &data)?;
/// assert!(!outcome.passed());
/// let text = outcome.to_string();
/// assert!(text.contains("region=south"), "{text}");
/// assert!(text.contains("too small"), "{text}"); // the 5 isles rows are not judged
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Slices {
    metric: Metric,
    floor: Option<f64>,
    max_gap: Option<f64>,
    min_rows: usize,
    groups: Vec<Group>,
}

struct Judged {
    group: usize,
    name: String,
    value: f64,
}

impl Slices {
    /// Slices judged on `metric`; add slices with [`Slices::by_column`] or
    /// [`Slices::predicate`].
    pub fn new(metric: Metric) -> Self {
        Slices {
            metric,
            floor: None,
            max_gap: None,
            min_rows: 30,
            groups: Vec::new(),
        }
    }

    /// One slice per value of this categorical column.
    pub fn by_column(mut self, column: impl Into<String>) -> Self {
        self.groups.push(Group::Column(column.into()));
        self
    }

    /// Slices a numeric column into bins at `edges` (sorted): `[e0, e1)`, `[e1, e2)`, …, with
    /// `< e0` and `≥ last` when rows fall there, and missing values on their own.
    ///
    /// ```
    /// use mlharness::benchmark::Slices;
    /// use mlharness::metrics::Metric;
    /// let by_tenure = Slices::new(Metric::Accuracy).by_bins("tenure", &[0.0, 12.0, 36.0]);
    /// ```
    pub fn by_bins(mut self, column: impl Into<String>, edges: &[f64]) -> Self {
        self.groups.push(Group::Bins(column.into(), edges.to_vec()));
        self
    }

    /// One slice: the rows for which `predicate` holds, named `name`. Predicates are one group
    /// for the gap.
    pub fn predicate(
        mut self,
        name: impl Into<String>,
        predicate: impl Fn(&Row<'_>) -> Result<bool, DataError> + 'static,
    ) -> Self {
        self.groups
            .push(Group::Predicate(name.into(), Box::new(predicate)));
        self
    }

    /// Each judged slice must reach this value (stay at or under it where lower is better).
    pub fn floor(mut self, floor: f64) -> Self {
        self.floor = Some(floor);
        self
    }

    /// The largest difference between two judged slices of one column (or between the
    /// predicates) must not exceed this.
    pub fn max_gap(mut self, max_gap: f64) -> Self {
        self.max_gap = Some(max_gap);
        self
    }

    /// Slices with fewer rows are reported as too small and not judged (default 30).
    pub fn min_rows(mut self, min_rows: usize) -> Self {
        self.min_rows = min_rows;
        self
    }

    /// Predicts `data` once and judges every slice.
    pub fn check(
        &self,
        model: &(impl Model + ?Sized),
        data: &Dataset,
    ) -> Result<Outcome, CheckError> {
        if self.groups.is_empty() {
            return Err(InvalidSetting::new(
                "slices",
                "slices",
                "at least one `by_column` or `predicate`",
                "none",
            )
            .into());
        }
        let predictions = predict("the model", model, data)?;
        let metric = self.metric;
        let higher = metric.higher_is_better();
        let bound_name = if higher { "floor" } else { "ceiling" };
        let mut table = Table::new(["slice", "rows", &metric.to_string(), bound_name, "verdict"]);
        let mut judged: Vec<Judged> = Vec::new();
        let mut below = Vec::new();
        let mut not_judged = 0;
        let groups = self.slices(data)?;
        for (g, (name, rows)) in groups
            .iter()
            .enumerate()
            .flat_map(|(g, (_, s))| s.iter().cloned().map(move |x| (g, x)))
        {
            let bound = self.floor.map_or("-".into(), value);
            if rows.len() < self.min_rows {
                not_judged += 1;
                table.row([
                    name,
                    rows.len().to_string(),
                    "-".into(),
                    bound,
                    format!("too small (< {} rows): not judged", self.min_rows),
                ]);
                continue;
            }
            let slice = data.take(&rows)?;
            let slice_predictions =
                take_predictions(&predictions, &rows).map_err(|source| CheckError::Predict {
                    who: "the model".into(),
                    source,
                })?;
            let found = match metric.evaluate(&slice, &slice_predictions) {
                Ok(v) => v,
                Err(e) => {
                    not_judged += 1;
                    table.row([
                        name,
                        rows.len().to_string(),
                        "-".into(),
                        bound,
                        format!("undefined ({e}): not judged"),
                    ]);
                    continue;
                }
            };
            let verdict = match self.floor {
                Some(f) if higher && found < f => {
                    below.push(name.clone());
                    format!("BELOW by {}", value(f - found))
                }
                Some(f) if !higher && found > f => {
                    below.push(name.clone());
                    format!("ABOVE by {}", value(found - f))
                }
                _ => "ok".into(),
            };
            table.row([
                name.clone(),
                rows.len().to_string(),
                value(found),
                bound,
                verdict,
            ]);
            judged.push(Judged {
                group: g,
                name,
                value: found,
            });
        }
        let mut notes = Vec::new();
        let mut gap_failed = false;
        for (g, (group_name, _)) in groups.iter().enumerate() {
            let members: Vec<&Judged> = judged.iter().filter(|j| j.group == g).collect();
            if members.len() < 2 {
                continue;
            }
            let lo = members
                .iter()
                .min_by(|a, b| a.value.total_cmp(&b.value))
                .expect("two members");
            let hi = members
                .iter()
                .max_by(|a, b| a.value.total_cmp(&b.value))
                .expect("two members");
            let gap = hi.value - lo.value;
            let (verdict, failed) = match self.max_gap {
                Some(bound) if gap > bound => (
                    format!(
                        "FAILED: bound {}, over by {}",
                        value(bound),
                        value(gap - bound)
                    ),
                    true,
                ),
                Some(bound) => (format!("ok (bound {})", value(bound)), false),
                None => ("not bounded".to_string(), false),
            };
            gap_failed |= failed;
            notes.push(format!(
                "largest gap in {group_name}: {} ({} {} vs {} {}) — {verdict}",
                value(gap),
                hi.name,
                value(hi.value),
                lo.name,
                value(lo.value)
            ));
        }
        if not_judged > 0 {
            notes.push(format!(
                "{not_judged} slice(s) not judged: too small or metric undefined"
            ));
        }
        let passed = below.is_empty() && !gap_failed;
        if !below.is_empty() {
            notes.insert(
                0,
                format!(
                    "{} of {} judged slices {} the {bound_name}: {}",
                    below.len(),
                    judged.len(),
                    if higher { "below" } else { "above" },
                    below.join(", ")
                ),
            );
        }
        let check = format!(
            "benchmark: {metric} on every slice ({} rows)",
            data.n_rows()
        );
        let mut outcome = Outcome::new(Kind::BenchmarkScore, check, passed).with_table(table);
        if !judged.is_empty() {
            outcome = outcome.with_figure(crate::figure::Figure::Bars {
                title: format!("{metric} per slice"),
                unit: metric.to_string(),
                rows: judged.iter().map(|j| (j.name.clone(), j.value)).collect(),
            });
        }
        for n in notes {
            outcome = outcome.with_note(n);
        }
        Ok(outcome)
    }

    /// Per group (a column, or all the predicates), its name and its named slices' rows.
    fn slices(&self, data: &Dataset) -> Result<Vec<SliceGroup>, CheckError> {
        let mut groups: Vec<SliceGroup> = Vec::new();
        let mut predicates: Vec<(String, Vec<usize>)> = Vec::new();
        for group in &self.groups {
            match group {
                Group::Column(column) => {
                    let c = match data.column(column)? {
                        Column::Categorical(c) => c,
                        Column::Numeric(n) => {
                            groups.push((format!("`{column}`"), numeric_levels(column, n)?));
                            continue;
                        }
                    };
                    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); c.levels().len() + 1];
                    for (i, code) in c.codes().iter().enumerate() {
                        rows[code.map_or(c.levels().len(), |k| k as usize)].push(i);
                    }
                    let names = c
                        .levels()
                        .iter()
                        .map(|l| format!("{column}={l}"))
                        .chain([format!("{column}=<missing>")]);
                    groups.push((
                        format!("`{column}`"),
                        names.zip(rows).filter(|(_, r)| !r.is_empty()).collect(),
                    ));
                }
                Group::Bins(column, edges) => {
                    let n = data.numeric(column)?;
                    groups.push((format!("`{column}` in bins"), bins(column, n, edges)?));
                }
                Group::Predicate(name, predicate) => {
                    let mut rows = Vec::new();
                    for i in 0..data.n_rows() {
                        if predicate(&data.row(i)?)? {
                            rows.push(i);
                        }
                    }
                    predicates.push((name.clone(), rows));
                }
            }
        }
        // Predicates are the last group, in the order given.
        if !predicates.is_empty() {
            groups.push(("the predicates".to_string(), predicates));
        }
        Ok(groups)
    }
}

/// The predictions of the given rows.
fn take_predictions(p: &Predictions, rows: &[usize]) -> Result<Predictions, ModelError> {
    match p {
        Predictions::Values(v) => Ok(Predictions::values(rows.iter().map(|&i| v[i]).collect())),
        Predictions::Classes(c) => {
            let labels = rows.iter().map(|&i| c.labels()[i]).collect();
            match c.probabilities() {
                Some(pr) => Predictions::classes_with_probabilities(
                    c.classes().to_vec(),
                    labels,
                    pr.select(Axis(0), rows),
                ),
                None => Predictions::classes(c.classes().to_vec(), labels),
            }
        }
    }
}

/// A numeric column with few distinct values, one slice per value (and missing).
fn numeric_levels(
    column: &str,
    n: &crate::data::Numeric,
) -> Result<Vec<(String, Vec<usize>)>, CheckError> {
    let mut levels: Vec<(f64, Vec<usize>)> = Vec::new();
    let mut missing = Vec::new();
    for i in 0..n.len() {
        if n.is_missing(i) {
            missing.push(i);
            continue;
        }
        let v = n.values()[i];
        match levels.iter().position(|(x, _)| x.to_bits() == v.to_bits()) {
            Some(k) => levels[k].1.push(i),
            None if levels.len() < MAX_NUMERIC_LEVELS => levels.push((v, vec![i])),
            None => {
                return Err(CheckError::Input {
                    check: "slices",
                    message: format!(
                        "column `{column}` has more than {MAX_NUMERIC_LEVELS} distinct numbers: \
                         slice it with `by_bins(\"{column}\", &[…])`"
                    ),
                })
            }
        }
    }
    levels.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut slices: Vec<(String, Vec<usize>)> = levels
        .into_iter()
        .map(|(v, rows)| (format!("{column}={}", crate::table::number(v)), rows))
        .collect();
    if !missing.is_empty() {
        slices.push((format!("{column}=<missing>"), missing));
    }
    Ok(slices)
}

/// A numeric column cut at `edges`.
fn bins(
    column: &str,
    n: &crate::data::Numeric,
    edges: &[f64],
) -> Result<Vec<(String, Vec<usize>)>, CheckError> {
    if edges.is_empty()
        || edges.windows(2).any(|w| w[0] >= w[1])
        || edges.iter().any(|e| !e.is_finite())
    {
        return Err(InvalidSetting::new(
            "slices",
            "edges",
            "finite numbers in increasing order, at least one",
            format!("{edges:?}"),
        )
        .into());
    }
    let num = crate::table::number;
    let mut names = vec![format!("{column} < {}", num(edges[0]))];
    names.extend(
        edges
            .windows(2)
            .map(|w| format!("{column} in [{}, {})", num(w[0]), num(w[1]))),
    );
    names.push(format!("{column} ≥ {}", num(edges[edges.len() - 1])));
    names.push(format!("{column}=<missing>"));
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for i in 0..n.len() {
        let slot = if n.is_missing(i) || n.values()[i].is_nan() {
            names.len() - 1
        } else {
            edges.partition_point(|e| *e <= n.values()[i])
        };
        rows[slot].push(i);
    }
    Ok(names
        .into_iter()
        .zip(rows)
        .filter(|(_, r)| !r.is_empty())
        .collect())
}
