//! A `POST /predict` body turned into the dataset the model predicts on: one JSON record or an
//! array of them, each checked against the serving columns of [`crate::schema`]. Every record's
//! missing fields and wrong types are listed, not just the first, so a client fixes its request
//! in one round trip. The service does no parsing of its own; this is what fuzzing exercises.
//!
//! ```
//! let body = br#"{"state": "KS", "account_length": "long"}"#;
//! let refused = churn::parse_request(body).unwrap_err();
//! assert_eq!(refused.message, "the input breaks the churn data contract");
//! assert!(refused.problems.iter().any(|p| p["field"] == "account_length"
//!     && p["problem"] == "expected a number, found \"long\""));
//! ```

use mlharness::data::{Column, ColumnKind, Dataset};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// A parsed request: the records as sent and the dataset built from them.
#[derive(Debug)]
pub struct PredictRequest {
    /// The records, in order (a single record is a batch of one).
    pub records: Vec<Value>,
    /// True when the body was an array.
    pub batch: bool,
    /// The serving columns, one row per record.
    pub data: Dataset,
}

/// Why a body was refused: a message and, for contract breaches, one JSON object per problem
/// (`{"record", "field", "problem"}`). Always a client error (400).
#[derive(Debug, Clone, PartialEq)]
pub struct BadRequest {
    /// One sentence for the `error` field of the reply.
    pub message: String,
    /// The problems, record by record.
    pub problems: Vec<Value>,
}

impl BadRequest {
    fn new(message: impl Into<String>) -> Self {
        BadRequest {
            message: message.into(),
            problems: Vec::new(),
        }
    }
}

/// The serving columns of the schema, with their kinds, in schema order.
pub fn serving_columns() -> &'static [(String, ColumnKind)] {
    static COLUMNS: OnceLock<Vec<(String, ColumnKind)>> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        crate::schema()
            .columns
            .iter()
            .filter(|c| c.expected_in(Some("serving")))
            .map(|c| (c.name.clone(), c.kind))
            .collect()
    })
}

/// Parses a JSON body into a [`PredictRequest`].
pub fn parse_request(body: &[u8]) -> Result<PredictRequest, BadRequest> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| BadRequest::new(format!("the body is not valid JSON: {e}")))?;
    let (records, batch) = match value {
        Value::Array(items) => (items, true),
        v @ Value::Object(_) => (vec![v], false),
        other => {
            return Err(BadRequest::new(format!(
                "expected a JSON object or an array of objects, found {}",
                kind_of(&other)
            )))
        }
    };
    if records.is_empty() {
        return Err(BadRequest::new("the batch is empty"));
    }
    let data = to_dataset(serving_columns(), &records).map_err(|problems| BadRequest {
        message: "the input breaks the churn data contract".into(),
        problems,
    })?;
    Ok(PredictRequest {
        records,
        batch,
        data,
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Problems listed per reply at most: a 100,000-record batch of garbage gets a bounded answer.
const MAX_PROBLEMS: usize = 100;

fn problem(record: Option<usize>, field: &str, what: String) -> Value {
    json!({"record": record, "field": field, "problem": what})
}

/// A value as quoted in a problem, cut short: a 200 KB string is not echoed back whole.
fn shown(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

fn to_dataset(columns: &[(String, ColumnKind)], records: &[Value]) -> Result<Dataset, Vec<Value>> {
    let mut problems = Vec::new();
    let mut total = 0usize;
    let mut push = |problems: &mut Vec<Value>, p: Value| {
        total += 1;
        if problems.len() < MAX_PROBLEMS {
            problems.push(p);
        }
    };
    for (i, record) in records.iter().enumerate() {
        if !record.is_object() {
            push(
                &mut problems,
                problem(Some(i), "", format!("not a JSON object: {}", shown(record))),
            );
        }
    }
    let mut out = Vec::with_capacity(columns.len());
    for (name, kind) in columns {
        let mut numbers = Vec::new();
        let mut categories: Vec<Option<String>> = Vec::new();
        for (i, record) in records.iter().enumerate() {
            let Some(record) = record.as_object() else {
                continue;
            };
            match (kind, record.get(name)) {
                (_, None) => push(&mut problems, problem(Some(i), name, "missing".into())),
                (ColumnKind::Numeric, Some(Value::Null)) => numbers.push(f64::NAN),
                (ColumnKind::Numeric, Some(Value::Number(n))) => match n.as_f64() {
                    Some(x) => numbers.push(x),
                    None => push(
                        &mut problems,
                        problem(Some(i), name, format!("{n} is not a float")),
                    ),
                },
                (ColumnKind::Categorical, Some(Value::Null)) => categories.push(None),
                (ColumnKind::Categorical, Some(Value::String(s))) => {
                    categories.push(Some(s.clone()))
                }
                (ColumnKind::Numeric, Some(v)) => push(
                    &mut problems,
                    problem(
                        Some(i),
                        name,
                        format!("expected a number, found {}", shown(v)),
                    ),
                ),
                (ColumnKind::Categorical, Some(v)) => push(
                    &mut problems,
                    problem(
                        Some(i),
                        name,
                        format!("expected a string, found {}", shown(v)),
                    ),
                ),
            }
        }
        out.push((
            name.clone(),
            match kind {
                ColumnKind::Numeric => Column::numeric(numbers),
                ColumnKind::Categorical => Column::categorical(categories),
            },
        ));
    }
    if total > problems.len() {
        problems.push(problem(
            None,
            "",
            format!("… and {} more problems", total - problems.len()),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Dataset::from_columns(out).map_err(|e| vec![problem(None, "", e.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_and_field_is_named() {
        let body = br#"[{"state": 1}, 7]"#;
        let err = parse_request(body).unwrap_err();
        let has = |record: usize, field: &str, what: &str| {
            err.problems.iter().any(|p| {
                p["record"] == record && p["field"] == field && p["problem"].as_str() == Some(what)
            })
        };
        assert!(
            has(0, "state", "expected a string, found 1"),
            "{:?}",
            err.problems
        );
        assert!(has(1, "", "not a JSON object: 7"), "{:?}", err.problems);
        assert!(has(0, "account_length", "missing"), "{:?}", err.problems);
    }

    #[test]
    fn a_huge_garbage_batch_gets_a_bounded_answer() {
        let body = serde_json::to_vec(&vec![json!(1); 10_000]).unwrap();
        let err = parse_request(&body).unwrap_err();
        assert_eq!(err.problems.len(), MAX_PROBLEMS + 1);
        assert_eq!(
            err.problems[MAX_PROBLEMS]["problem"],
            "… and 9900 more problems"
        );
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = "x".repeat(10_000);
        let err =
            parse_request(json!({ "account_length": long }).to_string().as_bytes()).unwrap_err();
        let p = err
            .problems
            .iter()
            .find(|p| p["field"] == "account_length")
            .unwrap();
        assert!(p["problem"].as_str().unwrap().len() < 120, "{p}");
    }
}
