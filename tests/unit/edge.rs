//! Edge-case datasets (`mlharness::edge`): every oddity, the contract check, and the
//! `edge_cases!` macro over a healthy model (its tests run as `edge::mlharness_edge_cases::<oddity>`).

use mlharness::data::{Column, Dataset};
use mlharness::edge::{self, Breach, EdgeCase, EdgeOptions, EdgeReport, Expect, Oddity, Response};
use mlharness::model::{ModelError, Predictions};
use mlharness::schema::{Schema, ViolationKind};
use ndarray::Array2;
use rstest::rstest;

/// Ten rows: a bounded numeric, a nullable numeric, a categorical, a target.
pub fn base() -> Dataset {
    let plans = ["basic", "pro"];
    Dataset::from_columns(vec![
        (
            "age".into(),
            Column::numeric((0..10).map(|i| 18.0 + 7.0 * i as f64).collect()),
        ),
        (
            "income".into(),
            Column::numeric(
                (0..10)
                    .map(|i| if i == 3 { f64::NAN } else { i as f64 })
                    .collect(),
            ),
        ),
        (
            "plan".into(),
            Column::categorical((0..10).map(|i| Some(plans[i % 2]))),
        ),
        (
            "churn".into(),
            Column::categorical((0..10).map(|i| Some(if i % 3 == 0 { "yes" } else { "no" }))),
        ),
    ])
    .unwrap()
    .with_target("churn")
    .unwrap()
}

pub fn schema() -> Schema {
    Schema::infer(&base())
}

/// A careful model: imputes and clamps `age`, ignores unknown columns, refuses a batch without
/// `age` (which the schema flags as a missing column). It reads no other column, so dropping
/// `income` or `plan` is predicted (the `aimed` suite below expects the refusal of `age` only).
pub fn healthy(ds: &Dataset) -> Result<Predictions, ModelError> {
    let age = ds.numeric("age")?;
    let p: Vec<f64> = (0..ds.n_rows())
        .map(|i| {
            let v = age.values()[i];
            let v = if age.is_missing(i) || v.is_nan() {
                50.0
            } else {
                v.clamp(0.0, 100.0)
            };
            v / 100.0
        })
        .collect();
    probabilities(&p)
}

fn probabilities(p_yes: &[f64]) -> Result<Predictions, ModelError> {
    let mut m = Array2::zeros((p_yes.len(), 2));
    for (i, p) in p_yes.iter().enumerate() {
        m[[i, 0]] = 1.0 - p;
        m[[i, 1]] = *p;
    }
    Predictions::probabilities(vec!["no".into(), "yes".into()], m)
}

mlharness::edge_cases! {
    model: healthy,
    data: base(),
    schema: schema(),
    expect_prediction: [extra_column, shuffled_column_order, large_batch],
    time_budget: mlharness::budget::TimeBudget::at_most(std::time::Duration::from_secs(20)).runs(1),
    custom: { without_income => |b: &Dataset, _: &Schema| b.without_column("income").unwrap() },
}

// ---------------------------------------------------------------------------------------------
// The variants
// ---------------------------------------------------------------------------------------------

#[test]
fn oddity_names_are_unique_snake_case_and_round_trip() {
    let names: std::collections::HashSet<&str> = Oddity::ALL.iter().map(|o| o.name()).collect();
    assert_eq!(names.len(), Oddity::ALL.len());
    for o in Oddity::ALL {
        assert!(
            o.name().chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{o}"
        );
        assert_eq!(o.name().parse::<Oddity>().unwrap(), o);
    }
    let err = "nann".parse::<Oddity>().unwrap_err().to_string();
    assert!(
        err.contains("no oddity is named `nann`; known: missing_values_one_column"),
        "{err}"
    );
}

/// What the schema says of each variant: exactly the one oddity, or nothing for the oddities a
/// schema cannot see (row count, order, duplicates).
#[rstest]
#[case::missing_values_one_column("missing_values_one_column", &[("age", ViolationKind::MissingValue)], 10)]
#[case::missing_values_everywhere(
    "missing_values_everywhere",
    &[("age", ViolationKind::MissingValue), ("plan", ViolationKind::MissingValue)],
    10
)]
#[case::all_missing_column("all_missing_column", &[("age", ViolationKind::MissingValue)], 10)]
#[case::nan("nan", &[("age", ViolationKind::Nan)], 10)]
#[case::positive_infinity("positive_infinity", &[("age", ViolationKind::Infinite)], 10)]
#[case::negative_infinity("negative_infinity", &[("age", ViolationKind::Infinite)], 10)]
#[case::huge_values("huge_values", &[("age", ViolationKind::OutOfRange)], 10)]
#[case::huge_negative_values("huge_negative_values", &[("age", ViolationKind::OutOfRange)], 10)]
#[case::far_out_of_range("far_out_of_range", &[("age", ViolationKind::OutOfRange)], 10)]
#[case::negative_values("negative_values", &[("age", ViolationKind::OutOfRange)], 10)]
#[case::just_above_max("just_above_max", &[("age", ViolationKind::OutOfRange)], 10)]
#[case::just_below_min("just_below_min", &[("age", ViolationKind::OutOfRange)], 10)]
#[case::unseen_category("unseen_category", &[("plan", ViolationKind::UnseenCategory)], 10)]
#[case::empty_string_category("empty_string_category", &[("plan", ViolationKind::UnseenCategory)], 10)]
#[case::whitespace_category("whitespace_category", &[("plan", ViolationKind::UnseenCategory)], 10)]
#[case::empty_batch("empty_batch", &[], 0)]
#[case::single_row("single_row", &[], 1)]
#[case::duplicated_rows("duplicated_rows", &[], 20)]
#[case::constant_column("constant_column", &[], 10)]
#[case::missing_column("missing_column", &[("age", ViolationKind::MissingColumn)], 10)]
#[case::extra_column("extra_column", &[(edge::EXTRA_COLUMN, ViolationKind::UnexpectedColumn)], 10)]
#[case::shuffled_column_order("shuffled_column_order", &[], 10)]
#[case::large_batch("large_batch", &[], edge::LARGE_BATCH_ROWS)]
fn each_variant_carries_exactly_its_oddity(
    #[case] name: &str,
    #[case] flagged: &[(&str, ViolationKind)],
    #[case] rows: usize,
) {
    let case = edge::variant(name, &base(), &schema()).unwrap();
    assert_eq!(case.name, name);
    assert!(!case.description.is_empty());
    assert_eq!(case.data.n_rows(), rows, "{}", case.description);
    let report = schema().validate(&case.data);
    let found: Vec<(&str, ViolationKind)> = report
        .violations()
        .iter()
        .map(|v| (v.column.as_deref().unwrap_or("-"), v.kind))
        .collect();
    assert_eq!(found, flagged, "{}\n{report}", case.description);
    // The target is never touched.
    assert_eq!(case.data.target_name(), Some("churn"));
}

#[test]
fn the_list_covers_every_oddity_the_issue_names() {
    assert_eq!(edge::variants(&base(), &schema()).len(), Oddity::ALL.len());
}

#[test]
fn values_are_placed_where_the_description_says() {
    let s = schema();
    let huge = edge::variant("huge_negative_values", &base(), &s).unwrap();
    assert_eq!(huge.data.numeric("age").unwrap().values()[0], -1e300);
    assert!(
        huge.description.contains("-1e300 in column `age`, row 0"),
        "{}",
        huge.description
    );
    let above = edge::variant("just_above_max", &base(), &s).unwrap();
    // The range is 18..=81: 1% of it past the maximum.
    assert!((above.data.numeric("age").unwrap().values()[0] - 81.63).abs() < 1e-9);
    let below = edge::variant("just_below_min", &base(), &s).unwrap();
    assert!((below.data.numeric("age").unwrap().values()[0] - 17.37).abs() < 1e-9);
    let shuffled = edge::variant("shuffled_column_order", &base(), &s).unwrap();
    assert_eq!(
        shuffled.data.column_names(),
        ["churn", "plan", "income", "age"]
    );
    let ws = edge::variant("whitespace_category", &base(), &s).unwrap();
    assert_eq!(ws.data.categorical("plan").unwrap().get(0), Some("   "));
}

#[test]
fn an_oddity_with_nothing_to_touch_is_not_applicable() {
    let numeric_only = base().without_column("plan").unwrap();
    let err = edge::variant(
        "unseen_category",
        &numeric_only,
        &Schema::infer(&numeric_only),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "oddity `unseen_category` does not apply to this data: the data has no categorical feature column"
    );
    // Without a minimum ≥ 0 there is no "negative where it cannot be" variant.
    let mut s = schema();
    s.column_mut("age").unwrap().min = Some(-5.0);
    s.column_mut("income").unwrap().min = None;
    assert!(edge::variant("negative_values", &base(), &s).is_err());
}

// ---------------------------------------------------------------------------------------------
// The contract: broken models fail with the oddity named
// ---------------------------------------------------------------------------------------------

/// The report of a case whose contract must break.
fn failure(name: &str, model: &dyn mlharness::model::Model, expect: Expect) -> EdgeReport {
    let case = edge::variant(name, &base(), &schema()).unwrap();
    let report = edge::check(model, &case, &base(), &schema(), expect);
    assert!(!report.outcome().passed(), "the contract should break");
    report
}

#[test]
fn a_model_that_panics_on_nan_fails_the_nan_case() {
    let panics_on_nan = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let age = ds.numeric("age")?;
        let p: Vec<f64> = age
            .values()
            .iter()
            .map(|v| {
                assert!(!v.is_nan(), "age is NaN");
                v / 100.0
            })
            .collect();
        probabilities(&p)
    };
    let f = failure("nan", &panics_on_nan, Expect::Either);
    assert_eq!(
        f.breach().cloned().unwrap(),
        Breach::Panicked("age is NaN".into())
    );
    let text = f.to_string();
    insta::assert_snapshot!(text);
    assert!(
        text.starts_with("FAILED edge case `nan`: the model panicked"),
        "{text}"
    );
    assert!(text.contains("value NaN in column `age`, row 0"), "{text}");
    assert!(text.contains("panic: age is NaN"), "{text}");
}

#[test]
fn a_model_that_returns_nan_for_an_unseen_category_fails_that_case() {
    let nan_for_unseen = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let plan = ds.categorical("plan")?;
        let p: Vec<f64> = (0..ds.n_rows())
            .map(|i| match plan.get(i) {
                Some("basic") => 0.2,
                Some("pro") => 0.6,
                _ => f64::NAN,
            })
            .collect();
        probabilities(&p)
    };
    let f = failure("unseen_category", &nan_for_unseen, Expect::Either);
    assert_eq!(
        f.breach().cloned().unwrap(),
        Breach::NonFinite {
            count: 1,
            rows: vec![0]
        }
    );
    let text = f.to_string();
    insta::assert_snapshot!(text);
    assert!(
        text.starts_with("FAILED edge case `unseen_category`: non-finite predictions"),
        "{text}"
    );
    assert!(
        text.contains("1 prediction NaN or infinite, row 0"),
        "{text}"
    );
}

#[test]
fn a_model_that_drops_rows_fails_with_the_count() {
    let drops_last = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let n = ds.n_rows().saturating_sub(1);
        probabilities(&vec![0.5; n])
    };
    let f = failure("duplicated_rows", &drops_last, Expect::Either);
    assert_eq!(
        f.breach().cloned().unwrap(),
        Breach::WrongCount {
            expected: 20,
            found: 19
        }
    );
    assert!(f.to_string().contains("19 predictions (1 rows unanswered)"));
    assert!(
        f.to_string()
            .contains("expected:  20 predictions, one per row"),
        "{f}"
    );
}

#[test]
fn probabilities_outside_the_simplex_fail() {
    let unnormalised = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let mut m = Array2::from_elem((ds.n_rows(), 2), 0.7);
        m[[0, 0]] = 0.3;
        Predictions::probabilities(vec!["no".into(), "yes".into()], m)
    };
    // Row 0 is a valid distribution, so a batch of just that row keeps the contract.
    let single = edge::variant("single_row", &base(), &schema()).unwrap();
    assert!(
        edge::check(&unnormalised, &single, &base(), &schema(), Expect::Either)
            .outcome()
            .passed()
    );
    let f = failure("duplicated_rows", &unnormalised, Expect::Either);
    assert!(
        matches!(
            f.breach().cloned().unwrap(),
            Breach::BadProbabilities { count: 19, .. }
        ),
        "{f}"
    );
}

#[test]
fn refusing_data_the_schema_accepts_fails_as_schema_blind() {
    let refuses_duplicates = |ds: &Dataset| -> Result<Predictions, ModelError> {
        if ds.n_rows() > 10 {
            return Err(ModelError::new("batch too large"));
        }
        healthy(ds)
    };
    let f = failure("duplicated_rows", &refuses_duplicates, Expect::Either);
    assert_eq!(
        f.breach().cloned().unwrap(),
        Breach::SchemaBlind("batch too large".into())
    );
    assert!(f
        .to_string()
        .contains("the model refused data the schema accepts"));
}

#[test]
fn a_refusal_the_schema_flags_keeps_the_contract() {
    let case = edge::variant("missing_column", &base(), &schema()).unwrap();
    let report = edge::check(&healthy, &case, &base(), &schema(), Expect::Error);
    assert!(report.outcome().passed(), "{}", report.outcome());
    let Some(Response::Rejected { error, flagged }) = report.response() else {
        panic!("expected a refusal");
    };
    assert!(error.contains("age"), "{error}");
    assert_eq!(flagged[0].kind, ViolationKind::MissingColumn);
}

#[test]
fn stated_expectations_are_enforced_both_ways() {
    let f = failure("extra_column", &healthy, Expect::Error);
    assert_eq!(f.breach().cloned().unwrap(), Breach::UnexpectedPrediction);
    let f = failure("missing_column", &healthy, Expect::Prediction);
    assert!(
        matches!(f.breach().cloned().unwrap(), Breach::UnexpectedError(ref e) if e.contains("age")),
        "{f}"
    );
    let silent = |_: &Dataset| -> Result<Predictions, ModelError> { Err(ModelError::new(" ")) };
    assert_eq!(
        failure("missing_column", &silent, Expect::Either)
            .breach()
            .cloned()
            .unwrap(),
        Breach::EmptyError
    );
}

#[test]
fn run_case_fails_with_the_outcome_and_passes_what_does_not_apply() {
    let always_nan = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(Predictions::values(vec![f64::NAN; ds.n_rows()]))
    };
    let options = EdgeOptions::new();
    let outcome = edge::run_case(
        "single_row",
        &always_nan,
        &base(),
        &schema(),
        &options,
        None,
    )
    .unwrap();
    let message = outcome.to_string();
    assert!(
        message.starts_with("FAILED edge case `single_row`: non-finite predictions"),
        "{message}"
    );

    let numeric_only = base().without_column("plan").unwrap();
    // Not applicable: passes, saying why.
    let outcome = edge::run_case(
        "unseen_category",
        &healthy,
        &numeric_only,
        &schema(),
        &options,
        None,
    )
    .unwrap();
    assert!(outcome.passed());
    assert!(
        outcome.headline().starts_with("not applicable: "),
        "{outcome}"
    );
    let unknown = edge::run_case("nann", &healthy, &base(), &schema(), &options, None).unwrap_err();
    assert!(unknown.to_string().contains("no oddity is named `nann`"));
}

#[test]
fn a_custom_edge_case_is_checked_like_the_built_in_ones() {
    let data = base().take(&[0, 1]).unwrap();
    let case = EdgeCase::new("two_rows", "the first two rows", data);
    assert!(
        edge::check(&healthy, &case, &base(), &schema(), Expect::Prediction)
            .response()
            .is_some_and(Response::predicted)
    );
}

/// Issue 19: column oddities went to the data's first column of the right kind; an ID column
/// first in the file took every numeric oddity.
#[test]
fn oddities_can_be_aimed_at_chosen_columns() {
    let data = base();
    let numeric: Vec<&str> = data
        .feature_names()
        .into_iter()
        .filter(|c| data.numeric(c).is_ok())
        .collect();
    let (first, later) = (numeric[0], *numeric.last().unwrap());
    assert_ne!(first, later);
    let default = edge::variant("nan", &data, &schema()).unwrap();
    assert!(
        default.description.contains(&format!("`{first}`")),
        "{}",
        default.description
    );
    let aimed = edge::variant_aimed("nan", &data, &schema(), &[later]).unwrap();
    assert!(
        aimed.description.contains(&format!("`{later}`")),
        "{}",
        aimed.description
    );
    assert!(aimed.data.numeric(later).unwrap().values()[0].is_nan());
    // Aimed at a numeric column only, a categorical oddity has nothing to go to.
    let err = edge::variant_aimed("unseen_category", &data, &schema(), &[later]).unwrap_err();
    assert!(
        matches!(err, edge::EdgeError::NotApplicable { .. }),
        "{err}"
    );
    let err = edge::variant_aimed("nan", &data, &schema(), &["no_such_column"]).unwrap_err();
    assert!(
        err.to_string().contains("no column named `no_such_column`"),
        "{err}"
    );
}

/// The healthy model must refuse a batch without `age`, the one column it reads.
mod aimed_at_age {
    use super::*;
    mlharness::edge_cases! {
        model: healthy,
        data: base(),
        schema: schema(),
        expect_error: [missing_column],
        only: [missing_column, nan],
        aim: ["age"],
    }
}

/// Issue 19, item 5: by default a column oddity goes into every feature column of its kind in
/// turn, so a model that breaks on a NaN in its second numeric column is caught.
#[test]
fn a_column_oddity_goes_into_every_column_of_its_kind() {
    let data = base();
    let nan = edge::variants_per_column("nan", &data, &schema(), &[] as &[&str]).unwrap();
    let columns: Vec<String> = nan.iter().map(|c| c.description.clone()).collect();
    assert_eq!(
        nan.len(),
        2,
        "age and income, not plan or the target: {columns:?}"
    );
    assert!(
        columns[0].contains("`age`") && columns[1].contains("`income`"),
        "{columns:?}"
    );
    let missing =
        edge::variants_per_column("missing_column", &data, &schema(), &[] as &[&str]).unwrap();
    assert_eq!(missing.len(), 3, "every feature, the target kept");
    assert!(missing.iter().all(|c| c.data.column("churn").is_ok()));

    // Sound on `age`, NaN-blind on `income`: the first-column default never saw it.
    let income_blind = |ds: &Dataset| -> Result<Predictions, ModelError> {
        let p = healthy(ds)?;
        let income = ds.numeric("income")?;
        let poisoned: Vec<f64> = (0..ds.n_rows())
            .map(|i| {
                if !income.is_missing(i) && income.values()[i].is_nan() {
                    f64::NAN
                } else {
                    0.5
                }
            })
            .collect();
        if poisoned.iter().any(|v| v.is_nan()) {
            return Ok(Predictions::values(poisoned));
        }
        Ok(p)
    };
    let first_only = edge::variant("nan", &data, &schema()).unwrap();
    assert!(
        edge::check(&income_blind, &first_only, &data, &schema(), Expect::Either)
            .outcome()
            .passed()
    );
    let outcome = edge::run_case(
        "nan",
        &income_blind,
        &data,
        &schema(),
        &EdgeOptions::new(),
        None,
    )
    .unwrap();
    assert!(!outcome.passed());
    insta::assert_snapshot!(outcome.to_string());
    // Aimed elsewhere, the blind column is not looked at.
    let aimed = edge::run_case(
        "nan",
        &income_blind,
        &data,
        &schema(),
        &EdgeOptions::new().aim(&["age"]),
        None,
    )
    .unwrap();
    assert!(aimed.passed(), "{aimed}");
}

/// Issue 19, item 3: with a time budget, a model too slow on `large_batch` fails that oddity,
/// naming the budget and the median.
#[test]
fn a_time_budget_fails_a_model_too_slow_on_the_large_batch() {
    use mlharness::budget::TimeBudget;
    use std::time::Duration;
    let slow = |ds: &Dataset| -> Result<Predictions, ModelError> {
        std::thread::sleep(Duration::from_millis(30));
        healthy(ds)
    };
    let options =
        EdgeOptions::new().time_budget(TimeBudget::at_most(Duration::from_millis(5)).runs(1));
    let outcome = edge::run_case("large_batch", &slow, &base(), &schema(), &options, None).unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(
        text.starts_with("FAILED time budget: edge case `large_batch`, 100000 rows predicted in under 5.00 ms: the median of 1 runs is"),
        "{text}"
    );
    // The budget is for the large batch; another oddity is not timed.
    assert!(
        edge::run_case("single_row", &slow, &base(), &schema(), &options, None)
            .unwrap()
            .passed()
    );
    // A relative budget cannot time one call: a setting error, not a pass.
    let relative = EdgeOptions::new().time_budget(TimeBudget::relative(2.0));
    let err =
        edge::run_case("large_batch", &healthy, &base(), &schema(), &relative, None).unwrap_err();
    assert!(mlharness::check::chain(&err).contains("relative"), "{err}");
}
