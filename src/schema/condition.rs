//! Conditional expectations: "if A is v, then B …", checked on the rows where the condition
//! holds (Great Expectations' `row_condition`, deepchecks' conditional rules).

use super::validate::{Tally, Violation, ViolationKind};
use crate::data::{Column, ColumnKind};
use crate::table::number;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An expectation on one column that applies only to the rows where another column meets a
/// test: `{"if": {"column": "plan", "in": ["none"]}, "then": {"column": "plan_minutes", "max": 0}}`.
///
/// ```
/// use mlharness::data::{Column, Dataset};
/// use mlharness::schema::{Condition, Schema, ViolationKind};
///
/// let data = Dataset::from_columns(vec![
///     ("plan".into(), Column::categorical([Some("none"), Some("pro"), Some("none")])),
///     ("plan_minutes".into(), Column::numeric(vec![0.0, 310.0, 12.5])),
/// ])?;
/// let mut schema = Schema::infer(&data);
/// let rule: Condition = serde_json::from_str(
///     r#"{"if": {"column": "plan", "in": ["none"]}, "then": {"column": "plan_minutes", "max": 0}}"#,
/// )?;
/// assert_eq!(rule.to_string(), "if plan in [none] then plan_minutes <= 0");
/// schema.conditions.push(rule);
///
/// let report = schema.validate(&data);
/// let broken = report.of_kind(ViolationKind::ConditionBroken).next().unwrap();
/// assert_eq!(broken.rows, [2]);
/// assert!(broken.detail.contains("found plan_minutes = 12.5"), "{}", broken.detail);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The rows the expectation applies to.
    #[serde(rename = "if")]
    pub when: Predicate,
    /// What those rows must meet.
    pub then: Predicate,
}

/// A test of one column's value in a row. Every field given must hold: `in` (a categorical
/// value among these), `min` and `max` (a numeric value within, inclusive), `present` (the
/// value is there, or with `false`, missing). A missing value meets only `present: false`.
///
/// ```
/// use mlharness::schema::Predicate;
/// let t: Predicate = serde_json::from_str(r#"{"column": "age", "min": 18}"#)?;
/// assert_eq!(t.to_string(), "age >= 18");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Predicate {
    /// The column tested.
    pub column: String,
    /// Categories the value must be one of.
    #[serde(rename = "in", default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    /// Smallest allowed value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Whether the value must be present (`true`) or missing (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.column;
        let mut parts = Vec::new();
        if let Some(v) = &self.one_of {
            parts.push(format!("{c} in [{}]", v.join(", ")));
        }
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => parts.push(format!("{c} == {}", number(a))),
            (Some(a), Some(b)) => parts.push(format!("{} <= {c} <= {}", number(a), number(b))),
            (Some(a), None) => parts.push(format!("{c} >= {}", number(a))),
            (None, Some(b)) => parts.push(format!("{c} <= {}", number(b))),
            (None, None) => {}
        }
        match self.present {
            Some(true) => parts.push(format!("{c} present")),
            Some(false) => parts.push(format!("{c} missing")),
            None => {}
        }
        f.write_str(&parts.join(" and "))
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "if {} then {}", self.when, self.then)
    }
}

impl Predicate {
    /// What is wrong with this test against its column's kind, naming the field; `None` when
    /// it can be checked.
    pub(crate) fn problem(&self, kind: ColumnKind) -> Option<(&'static str, String)> {
        let ranged = self.min.is_some() || self.max.is_some();
        if self.one_of.is_none() && !ranged && self.present.is_none() {
            return Some((
                "column",
                "tests nothing: give `in`, `min`, `max` or `present`".into(),
            ));
        }
        if self.present == Some(false) && (self.one_of.is_some() || ranged) {
            return Some((
                "present",
                "`present: false` cannot be combined with `in`, `min` or `max`".into(),
            ));
        }
        if self.one_of.as_ref().is_some_and(Vec::is_empty) {
            return Some(("in", "an empty list matches no value".into()));
        }
        if kind == ColumnKind::Numeric && self.one_of.is_some() {
            return Some((
                "in",
                format!("`{}` is numeric: use `min` and `max`", self.column),
            ));
        }
        if kind == ColumnKind::Categorical && ranged {
            let field = if self.min.is_some() { "min" } else { "max" };
            return Some((field, format!("`{}` is categorical: use `in`", self.column)));
        }
        if let (Some(a), Some(b)) = (self.min, self.max) {
            if a > b {
                return Some(("min", format!("min {a} is above max {b}")));
            }
        }
        None
    }

    /// Whether each row of `column` meets the test, one flag a row, in one tight pass; `None`
    /// when the column's kind is not the one the test is for (reported as `wrong_kind`
    /// already).
    fn rows(&self, column: &Column) -> Option<Vec<bool>> {
        let want_present = self.present != Some(false);
        match column {
            Column::Numeric(n) => {
                if self.one_of.is_some() {
                    return None;
                }
                let lo = self.min.unwrap_or(f64::NEG_INFINITY);
                let hi = self.max.unwrap_or(f64::INFINITY);
                // Without bounds any present value meets the test (a NaN that a mask calls
                // present included); with them, a NaN meets none.
                let ranged = self.min.is_some() || self.max.is_some();
                let within = move |v: f64| !ranged || (v >= lo && v <= hi);
                let values = n.values();
                Some(match n.mask() {
                    // Without a mask a NaN is missing.
                    None if want_present => {
                        values.iter().map(|&v| !v.is_nan() && within(v)).collect()
                    }
                    None => values.iter().map(|v| v.is_nan()).collect(),
                    Some(mask) => values
                        .iter()
                        .zip(mask)
                        .map(|(&v, &m)| if want_present { !m && within(v) } else { m })
                        .collect(),
                })
            }
            Column::Categorical(c) => {
                if self.min.is_some() || self.max.is_some() {
                    return None;
                }
                // Decided once per level: categories are interned.
                let allowed: Vec<bool> = match &self.one_of {
                    Some(set) => c.levels().iter().map(|l| set.contains(l)).collect(),
                    None => vec![true; c.levels().len()],
                };
                Some(
                    c.codes()
                        .iter()
                        .map(|code| match code {
                            None => !want_present,
                            Some(k) => want_present && allowed[*k as usize],
                        })
                        .collect(),
                )
            }
        }
    }
}

/// The rows that meet `condition.when` but not `condition.then`, tallied block by block and
/// reported as one violation.
pub(crate) struct ConditionCheck<'s> {
    condition: &'s Condition,
    /// Rows where the condition holds.
    applied: usize,
    broken: Tally,
    /// The `then` value in the first broken row.
    found: Option<String>,
}

impl<'s> ConditionCheck<'s> {
    pub(crate) fn new(condition: &'s Condition) -> Self {
        ConditionCheck {
            condition,
            applied: 0,
            broken: Tally::default(),
            found: None,
        }
    }

    /// The columns of the condition and of its expectation.
    pub(crate) fn columns(&self) -> (&'s str, &'s str) {
        (&self.condition.when.column, &self.condition.then.column)
    }

    /// Checks a block of rows, the first of them row `offset` of the data.
    pub(crate) fn push(&mut self, when: &Column, then: &Column, offset: usize) {
        let condition = self.condition;
        let (Some(applies), Some(meets)) = (condition.when.rows(when), condition.then.rows(then))
        else {
            return;
        };
        self.applied += applies.iter().filter(|&&a| a).count();
        for (i, (&a, &m)) in applies.iter().zip(&meets).enumerate() {
            if a && !m {
                self.broken.add(offset + i);
            }
        }
        if self.found.is_none() {
            if let Some(first) = self.broken.rows.first().map(|&r| r - offset) {
                self.found = Some(match then {
                    _ if then.is_missing(first) => "missing".to_string(),
                    Column::Numeric(n) => number(n.values()[first]),
                    Column::Categorical(c) => format!("`{}`", c.get(first).unwrap_or_default()),
                });
            }
        }
    }

    /// The violation, if a row broke the condition, among `rows` rows in all.
    pub(crate) fn finish(self, rows: usize, out: &mut Vec<Violation>) {
        let (Some(&first), Some(found)) = (self.broken.rows.first(), self.found) else {
            return;
        };
        let condition = self.condition;
        let detail = format!(
            "expected {} where {}, found {} = {found} (row {first}); {} of {} rows where the condition holds",
            condition.then, condition.when, condition.then.column, self.broken.count, self.applied
        );
        out.push(Violation {
            column: Some(condition.to_string()),
            kind: ViolationKind::ConditionBroken,
            count: self.broken.count,
            share: self.broken.count as f64 / rows.max(1) as f64,
            rows: self.broken.rows,
            detail,
        });
    }
}
