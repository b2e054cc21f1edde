//! The churn data's contract: the schema checked in as `examples/churn/schema.json` — its
//! columns inferred from the whole dataset (regenerated with `mlharness schema infer`), its
//! rules between columns written by hand (a charge never exceeds its minutes; no voice-mail
//! messages without the plan; no international minutes without a call) — and the violations
//! the model refuses to predict through.

use mlharness::data::Dataset;
use mlharness::schema::{Schema, ValidationReport, ViolationKind};
use std::sync::OnceLock;

/// The checked-in schema, as JSON.
pub const SCHEMA_JSON: &str = include_str!("../schema.json");

/// Violations that make a prediction meaningless. Others are handled by the pipeline: a value
/// out of the training range is still standardised, an unseen category goes to the `<unseen>`
/// column, a missing value is imputed with the training median, an extra column is ignored.
pub const REFUSED: [ViolationKind; 4] = [
    ViolationKind::MissingColumn,
    ViolationKind::WrongKind,
    ViolationKind::Nan,
    ViolationKind::Infinite,
];

/// The checked-in schema of the churn data.
///
/// ```
/// let schema = churn::schema();
/// assert_eq!(schema.column("account_length").unwrap().min, Some(1.0));
/// ```
pub fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::from_json(SCHEMA_JSON, "examples/churn/schema.json")
            .expect("the checked-in schema parses (tests/unit.rs checks it)")
    })
}

/// Input the model refuses: the schema's report, restricted to [`REFUSED`] violations.
// Boxed: the report is large, and this travels in the `Err` of every prediction.
#[derive(Debug, thiserror::Error)]
#[error("the input breaks the churn data contract\n{0}")]
pub struct InvalidInput(pub Box<ValidationReport>);

/// Checks serving input (the target may be present or not) against the schema.
pub fn check_input(data: &Dataset) -> Result<(), InvalidInput> {
    let report = schema().validate_in(data, Some("serving"));
    if report
        .violations()
        .iter()
        .any(|v| REFUSED.contains(&v.kind))
    {
        return Err(InvalidInput(Box::new(report)));
    }
    Ok(())
}
