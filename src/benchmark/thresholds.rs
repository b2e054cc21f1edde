//! Absolute metric bounds from a checked-in TOML file.

use super::{predict, value, CheckError};
use crate::check::{Outcome, Table};
use crate::config::line_column;
use crate::data::Dataset;
use crate::kind::Kind;
use crate::metrics::Metric;
use crate::model::{Model, Predictions};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A thresholds file that cannot be used; names the file, the line and the field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ThresholdsError {
    /// The file could not be read.
    #[error("{}: cannot read", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// A field is wrong: an unknown metric or key, a bound that is not a number, `min` above
    /// `max`.
    #[error("{}{}: `{field}`: {message}", path.display(), if *line > 0 { format!(":{line}") } else { String::new() })]
    Field {
        /// The file.
        path: PathBuf,
        /// 1-based line where the field is (0 when it cannot be found).
        line: usize,
        /// The dotted field, e.g. `metrics.roc_auc.min`.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Absolute bounds per metric, kept in a checked-in TOML file so that raising the bar is a
/// reviewed change:
///
/// ```toml
/// # scores.toml
/// [metrics]
/// roc_auc = { min = 0.79 }
/// log_loss = { max = 0.35 }
/// accuracy = { min = 0.85, max = 0.99 }   # above 0.99 smells of leakage
/// ```
///
/// Metric names are those of [`Metric`]'s `Display` (`roc_auc`, `f1_macro`, `mse`…).
///
/// ```
/// use mlharness::benchmark::Thresholds;
/// let t = Thresholds::parse("[metrics]\nroc_auc = { min = 0.79 }\n", "scores.toml")?;
/// assert_eq!(t.len(), 1);
/// let err = Thresholds::parse("[metrics]\nroc_aux = { min = 0.79 }\n", "scores.toml").unwrap_err();
/// assert!(err.to_string().starts_with("scores.toml:2: `metrics.roc_aux`: unknown metric"), "{err}");
/// # Ok::<(), mlharness::benchmark::ThresholdsError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    path: PathBuf,
    bounds: Vec<Bound>,
}

#[derive(Debug, Clone, PartialEq)]
struct Bound {
    metric: Metric,
    min: Option<f64>,
    max: Option<f64>,
}

impl Thresholds {
    /// Reads and parses the file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ThresholdsError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ThresholdsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses the text of a thresholds file; `path` names it in errors.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Self, ThresholdsError> {
        let path = path.as_ref().to_path_buf();
        let at = |span: std::ops::Range<usize>| line_column(text, span.start).0;
        let file: FileRepr = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((0, 0), |span| line_column(text, span.start));
            ThresholdsError::Syntax {
                path: path.clone(),
                line,
                column,
                message: e.message().trim_end().to_string(),
            }
        })?;
        let field_error = |field: String, line: usize, message: String| ThresholdsError::Field {
            path: path.clone(),
            line,
            field,
            message,
        };
        let Some(metrics) = file.metrics else {
            return Err(field_error(
                "metrics".into(),
                0,
                "missing: add a `[metrics]` table, e.g. `roc_auc = { min = 0.8 }`".into(),
            ));
        };
        let known = Metric::named();
        let mut bounds = Vec::new();
        for (name, spec) in metrics {
            let line = at(name.span());
            let name = name.into_inner();
            let field = format!("metrics.{name}");
            let metric = known
                .iter()
                .copied()
                .find(|m| m.to_string() == name)
                .ok_or_else(|| {
                    let names: Vec<String> = known.iter().map(Metric::to_string).collect();
                    field_error(
                        field.clone(),
                        line,
                        format!("unknown metric; known: {}", names.join(", ")),
                    )
                })?;
            let spec = spec.into_inner();
            let number = |key: &str, v: Option<Spanned<toml::Value>>| {
                let Some(v) = v else { return Ok(None) };
                let sub = format!("{field}.{key}");
                let line = at(v.span());
                let number = match v.into_inner() {
                    toml::Value::Float(f) => f,
                    toml::Value::Integer(i) => i as f64,
                    other => {
                        return Err(field_error(
                            sub,
                            line,
                            format!("must be a number, got `{other}`"),
                        ))
                    }
                };
                if !number.is_finite() {
                    return Err(field_error(
                        sub,
                        line,
                        format!("must be finite, got {number}"),
                    ));
                }
                Ok(Some(number))
            };
            let bound = Bound {
                metric,
                min: number("min", spec.min)?,
                max: number("max", spec.max)?,
            };
            match (bound.min, bound.max) {
                (None, None) => {
                    return Err(field_error(
                        field,
                        line,
                        "needs `min`, `max` or both".into(),
                    ))
                }
                (Some(lo), Some(hi)) if lo > hi => {
                    return Err(field_error(
                        field,
                        line,
                        format!("`min` {lo} is above `max` {hi}: no value can pass"),
                    ))
                }
                _ => {}
            }
            bounds.push(bound);
        }
        Ok(Thresholds { path, bounds })
    }

    /// Number of bounded metrics.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// True when the file bounds no metric.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Predicts `data` with `model` and checks every bound.
    pub fn check(
        &self,
        model: &(impl Model + ?Sized),
        data: &Dataset,
    ) -> Result<Outcome, CheckError> {
        let predictions = predict("the model", model, data)?;
        self.check_predictions(data, &predictions)
    }

    /// Checks every bound on predictions already made.
    pub fn check_predictions(
        &self,
        data: &Dataset,
        predictions: &Predictions,
    ) -> Result<Outcome, CheckError> {
        let mut table = Table::new(["metric", "found", "min", "max", "verdict"]);
        let mut missed = 0;
        for b in &self.bounds {
            let found = b.metric.evaluate(data, predictions)?;
            let verdict = match (b.min, b.max) {
                (Some(lo), _) if found < lo => format!("below min by {}", value(lo - found)),
                (_, Some(hi)) if found > hi => format!("above max by {}", value(found - hi)),
                _ => "ok".to_string(),
            };
            missed += usize::from(verdict != "ok");
            let bound = |x: Option<f64>| x.map_or("-".to_string(), value);
            table.row([
                b.metric.to_string(),
                value(found),
                bound(b.min),
                bound(b.max),
                verdict,
            ]);
        }
        let check = format!(
            "benchmark: scores within the bounds of {} ({} rows)",
            self.path.display(),
            data.n_rows()
        );
        let outcome = Outcome::new(Kind::BenchmarkScore, check, missed == 0).with_table(table);
        Ok(if missed > 0 {
            outcome.with_note(format!("{missed} of {} bounds missed", self.bounds.len()))
        } else {
            outcome
        })
    }
}

/// A scores file, as serde reads it; spans give each error its line.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "one table, `[metrics]`")]
struct FileRepr {
    metrics: Option<std::collections::BTreeMap<Spanned<String>, Spanned<SpecRepr>>>,
}

/// One metric's bounds.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table such as `{ min = 0.8 }`")]
struct SpecRepr {
    min: Option<Spanned<toml::Value>>,
    max: Option<Spanned<toml::Value>>,
}
