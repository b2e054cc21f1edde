//! Named rows whose prediction must be right.

use super::{predict, value, CheckError};
use crate::check::{InvalidSetting, Outcome, Range, Table};
use crate::data::{Column, Dataset};
use crate::kind::Kind;
use crate::model::{Model, Predictions};

/// Key instances: named rows (a small, reviewed table of cases that matter) whose prediction
/// must equal the expected class — or, for a regressor, lie within a tolerance of the true
/// value (the "house price within $10k" test).
///
/// The rows are a [`Dataset`] with a categorical name column and the target holding the
/// expected class or value; the name column is removed before the model sees the rows.
///
/// ```
/// use mlharness::benchmark::KeyInstances;
/// use mlharness::data::{Column, Dataset};
/// use mlharness::model::{Model, ModelError, Predictions};
///
/// let houses = Dataset::from_columns(vec![
///     ("house".into(), Column::categorical([Some("cottage"), Some("villa")])),
///     ("m2".into(), Column::numeric(vec![60.0, 300.0])),
///     ("price".into(), Column::numeric(vec![180_000.0, 905_000.0])),
/// ])?
/// .with_target("price")?;
/// let per_m2 = |ds: &Dataset| -> Result<Predictions, ModelError> {
///     Ok(Predictions::values(ds.numeric("m2")?.values().iter().map(|m| m * 3000.0).collect()))
/// };
/// let outcome = KeyInstances::new("house").tolerance(10_000.0).check(&per_m2, &houses)?;
/// assert!(outcome.passed(), "{outcome}");
/// let outcome = KeyInstances::new("house").tolerance(1_000.0).check(&per_m2, &houses)?;
/// assert!(outcome.to_string().contains("villa"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct KeyInstances {
    name_column: String,
    tolerance: f64,
    relative_tolerance: f64,
}

impl KeyInstances {
    /// Key instances named by the categorical column `name_column`; regression tolerance 0.
    pub fn new(name_column: impl Into<String>) -> Self {
        KeyInstances {
            name_column: name_column.into(),
            tolerance: 0.0,
            relative_tolerance: 0.0,
        }
    }

    /// Absolute tolerance of a regression prediction around the true value.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Tolerance relative to the true value, added to the absolute one (0.05 = 5%).
    pub fn relative_tolerance(mut self, relative: f64) -> Self {
        self.relative_tolerance = relative;
        self
    }

    /// Predicts the key rows and checks each.
    pub fn check(
        &self,
        model: &(impl Model + ?Sized),
        rows: &Dataset,
    ) -> Result<Outcome, CheckError> {
        for (setting, v) in [
            ("tolerance", self.tolerance),
            ("relative_tolerance", self.relative_tolerance),
        ] {
            InvalidSetting::ensure("key instances", setting, Range::NonNegative, v)?;
        }
        let names: Vec<String> = {
            let c = rows.categorical(&self.name_column)?;
            (0..rows.n_rows())
                .map(|i| c.get(i).unwrap_or("<unnamed>").to_string())
                .collect()
        };
        let features = rows.without_column(&self.name_column)?;
        let predictions = predict("the model", model, &features)?;
        let check = format!("benchmark: {} key instances", rows.n_rows());
        let (table, failed) = match &predictions {
            Predictions::Classes(c) => {
                let expected = rows.target_labels()?;
                let mut table = Table::new([
                    "instance",
                    "expected",
                    "predicted",
                    "P(expected)",
                    "verdict",
                ]);
                let mut failed = 0;
                for (i, name) in names.iter().enumerate() {
                    let want = &expected.classes[expected.y[i]];
                    let got = &c.classes()[c.labels()[i]];
                    let p = c
                        .probabilities()
                        .zip(c.classes().iter().position(|k| k == want));
                    let ok = want == got;
                    failed += usize::from(!ok);
                    table.row([
                        name.clone(),
                        want.clone(),
                        got.clone(),
                        p.map_or("-".into(), |(m, k)| value(m[[i, k]])),
                        if ok { "ok" } else { "WRONG CLASS" }.to_string(),
                    ]);
                }
                (table, failed)
            }
            Predictions::Values(v) => {
                let truth = match rows.target()? {
                    Column::Numeric(_) => rows.target_values()?,
                    Column::Categorical(_) => {
                        return Err(CheckError::Metric(
                            crate::metrics::MetricError::WrongPredictions {
                                metric: crate::metrics::Metric::Mae,
                                found: "regression values for a categorical target",
                            },
                        ))
                    }
                };
                let mut table = Table::new([
                    "instance",
                    "truth",
                    "predicted",
                    "error",
                    "tolerance",
                    "verdict",
                ]);
                let mut failed = 0;
                for (i, name) in names.iter().enumerate() {
                    let error = v[i] - truth[i];
                    let allowed = self.tolerance + self.relative_tolerance * truth[i].abs();
                    let ok = error.abs() <= allowed;
                    failed += usize::from(!ok);
                    table.row([
                        name.clone(),
                        short(truth[i]),
                        short(v[i]),
                        format!("{}{}", if error >= 0.0 { "+" } else { "" }, short(error)),
                        format!("±{}", short(allowed)),
                        if ok {
                            "ok".to_string()
                        } else {
                            format!("OFF by {} beyond", short(error.abs() - allowed))
                        },
                    ]);
                }
                (table, failed)
            }
        };
        let outcome = Outcome::new(Kind::BenchmarkScore, check, failed == 0).with_table(table);
        Ok(if failed > 0 {
            outcome.with_note(format!("{failed} of {} key instances wrong", names.len()))
        } else {
            outcome
        })
    }
}

/// Up to 4 decimals, trailing zeros dropped (prices read as `905000`, not `905000.0000`).
fn short(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}
