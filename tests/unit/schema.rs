//! `Schema`: inference, the JSON file, validation (every violation kind), tolerance and
//! environments.

use crate::{churn, temp_csv};
use mlharness::check::Checked;
use mlharness::data::{Column, ColumnKind, Dataset};
use mlharness::schema::{InferOptions, Schema, SchemaError, ViolationKind};
use rstest::rstest;

/// Training data: a bounded numeric, a nullable numeric, a categorical and a target.
fn train() -> Dataset {
    Dataset::from_columns(vec![
        (
            "age".into(),
            Column::numeric(vec![18.0, 30.0, 45.0, 60.0, 90.0]),
        ),
        (
            "income".into(),
            Column::numeric(vec![1.0, f64::NAN, 3.0, 4.0, 5.0]),
        ),
        (
            "plan".into(),
            Column::categorical([
                Some("basic"),
                Some("pro"),
                Some("pro"),
                Some("basic"),
                Some("pro"),
            ]),
        ),
        (
            "churn".into(),
            Column::categorical([Some("no"), Some("yes"), Some("no"), Some("no"), Some("yes")]),
        ),
    ])
    .unwrap()
    .with_target("churn")
    .unwrap()
}

fn replace(ds: &Dataset, name: &str, column: Column) -> Dataset {
    let columns = ds
        .columns()
        .map(|(n, c)| {
            let c = if n == name { column.clone() } else { c.clone() };
            (n.to_string(), c)
        })
        .collect();
    Dataset::from_columns(columns).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Inference
// ---------------------------------------------------------------------------------------------

#[test]
fn infers_kind_nullability_range_and_categories() {
    let schema = Schema::infer(&train());
    let age = schema.column("age").unwrap();
    assert_eq!(age.kind, ColumnKind::Numeric);
    assert_eq!((age.min, age.max), (Some(18.0), Some(90.0)));
    assert!(!age.nullable);
    let income = schema.column("income").unwrap();
    assert!(income.nullable);
    assert_eq!(income.missing_share, 0.2);
    let plan = schema.column("plan").unwrap();
    assert_eq!(plan.kind, ColumnKind::Categorical);
    assert_eq!(
        plan.categories.as_deref(),
        Some(&["basic".to_string(), "pro".to_string()][..])
    );
    assert_eq!(plan.min, None);
}

#[test]
fn quantiles_match_numpy_linear_interpolation() {
    // numpy.quantile([18, 30, 45, 60, 90], [0.01, 0.25, 0.5, 0.75, 0.99])
    //   == [18.48, 30., 45., 60., 88.8]
    let schema = Schema::infer(&train());
    let q = &schema.column("age").unwrap().quantiles;
    let expected = [
        (0.01, 18.48),
        (0.25, 30.0),
        (0.5, 45.0),
        (0.75, 60.0),
        (0.99, 88.8),
    ];
    assert_eq!(q.len(), expected.len());
    for ((p, v), (ep, ev)) in q.iter().zip(expected) {
        assert_eq!(*p, ep);
        assert!((v - ev).abs() < 1e-9, "quantile {p}: {v} vs numpy {ev}");
    }
}

#[test]
fn target_is_expected_only_in_training() {
    let schema = Schema::infer(&train());
    assert_eq!(
        schema.column("churn").unwrap().environments,
        Some(vec!["training".to_string()])
    );
    let everywhere = InferOptions::default()
        .target_environment(None)
        .infer(&train());
    assert_eq!(everywhere.column("churn").unwrap().environments, None);
}

#[test]
fn a_large_domain_lists_no_categories() {
    let ids: Vec<String> = (0..30).map(|i| format!("id{i}")).collect();
    let ds = Dataset::from_columns(vec![(
        "id".into(),
        Column::categorical(ids.iter().map(Some)),
    )])
    .unwrap();
    assert_eq!(
        InferOptions::default()
            .max_domain_size(29)
            .infer(&ds)
            .columns[0]
            .categories,
        None
    );
    assert_eq!(
        InferOptions::default()
            .max_domain_size(30)
            .infer(&ds)
            .columns[0]
            .categories
            .as_ref()
            .map(Vec::len),
        Some(30)
    );
}

#[test]
fn the_whole_churn_dataset_validates_against_its_own_schema() {
    let schema = Schema::infer(churn());
    let report = schema.validate(churn());
    assert!(report.outcome().passed(), "{report}");
    assert_eq!(schema.columns.len(), churn().n_columns());
}

// ---------------------------------------------------------------------------------------------
// The schema file
// ---------------------------------------------------------------------------------------------

#[test]
fn saves_and_loads_unchanged_with_one_field_per_line() {
    let schema = Schema::infer(&train());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.json");
    schema.save(&path).unwrap();
    assert_eq!(Schema::load(&path).unwrap(), schema);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\n      \"name\": \"age\",\n"), "{text}");
}

#[rstest]
#[case::syntax("{\"mlharness_schema\": 1,\n  \"columns\": [,]}", 2, "expected value")]
#[case::unknown_field(
    "{\"mlharness_schema\": 1, \"columns\": [\n{\"name\": \"x\", \"kind\": \"numeric\", \"nulable\": true}]}",
    2,
    "unknown field `nulable`"
)]
#[case::wrong_type(
    "{\"mlharness_schema\": 1, \"columns\": [\n{\"name\": \"x\", \"kind\": \"numeric\",\n \"nullable\": \"yes\"}]}",
    3,
    "invalid type: string \"yes\", expected a boolean"
)]
#[case::unknown_kind(
    "{\"mlharness_schema\": 1, \"columns\": [{\"name\": \"x\", \"kind\": \"text\", \"nullable\": true}]}",
    1,
    "unknown variant `text`"
)]
#[case::missing_field(
    "{\"mlharness_schema\": 1, \"columns\": [{\"name\": \"x\"}]}",
    1,
    "missing field `kind`"
)]
fn a_malformed_schema_file_names_line_column_and_field(
    #[case] text: &str,
    #[case] line: usize,
    #[case] message: &str,
) {
    let file = temp_csv(text);
    let err = Schema::load(&file.path).unwrap_err();
    let SchemaError::Parse {
        line: l, column, ..
    } = &err
    else {
        panic!("expected a parse error, got {err:?}");
    };
    assert_eq!(*l, line, "{err}");
    assert!(*column > 0);
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("{}:{line}:", file.path.display())),
        "{shown}"
    );
    assert!(shown.contains(message), "{shown}");
}

#[rstest]
#[case::min_above_max(
    r#""min": 5, "max": 1"#,
    "numeric",
    "field `min`: min 5 is above max 1"
)]
#[case::tolerance(
    r#""tolerance": 1.5"#,
    "numeric",
    "field `tolerance`: 1.5 is not a share"
)]
#[case::range_on_categorical(
    r#""min": 0"#,
    "categorical",
    "field `min`: a categorical column has no range"
)]
#[case::categories_on_numeric(r#""categories": ["a"]"#, "numeric", "field `categories`")]
fn a_contradictory_schema_names_the_column_and_field(
    #[case] fields: &str,
    #[case] kind: &str,
    #[case] message: &str,
) {
    let text = format!(
        r#"{{"mlharness_schema": 1, "columns": [{{"name": "x", "kind": "{kind}", "nullable": false, {fields}}}]}}"#
    );
    let file = temp_csv(&text);
    let err = Schema::load(&file.path).unwrap_err();
    assert!(matches!(err, SchemaError::Invalid { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("column `x`"), "{shown}");
    assert!(shown.contains(message), "{shown}");
}

#[test]
fn a_duplicated_column_an_unknown_version_and_a_missing_file_are_errors() {
    let dup = temp_csv(
        r#"{"mlharness_schema": 1, "columns": [{"name": "x", "kind": "numeric", "nullable": false},
            {"name": "x", "kind": "numeric", "nullable": false}]}"#,
    );
    let err = Schema::load(&dup.path).unwrap_err().to_string();
    assert!(
        err.contains("column `x`, field `name`: the column is listed twice"),
        "{err}"
    );

    let version = temp_csv(r#"{"mlharness_schema": 4, "columns": []}"#);
    let err = Schema::load(&version.path).unwrap_err();
    assert!(matches!(err, SchemaError::Version { found: 4, .. }));
    assert!(err.to_string().contains("field `mlharness_schema`"));

    let err = Schema::load("no/such/schema.json").unwrap_err();
    assert!(matches!(err, SchemaError::Io { .. }));
    assert!(err
        .to_string()
        .starts_with("no/such/schema.json: cannot read"));
}

// ---------------------------------------------------------------------------------------------
// Validation: every violation kind
// ---------------------------------------------------------------------------------------------

fn masked(values: Vec<f64>) -> Column {
    let n = values.len();
    Column::numeric_masked(values, vec![false; n]).unwrap()
}

#[rstest]
#[case::out_of_range(
    replace(&train(), "age", Column::numeric(vec![18.0, 17.0, 45.0, 91.0, 90.0])),
    "age", ViolationKind::OutOfRange, 2, vec![1, 3], "expected [18, 90], found 17 .. 91"
)]
#[case::nan(
    replace(&train(), "age", masked(vec![18.0, f64::NAN, 45.0, 60.0, 90.0])),
    "age", ViolationKind::Nan, 1, vec![1], "found NaN"
)]
#[case::infinite(
    replace(&train(), "age", Column::numeric(vec![18.0, 30.0, f64::NEG_INFINITY, 60.0, f64::INFINITY])),
    "age", ViolationKind::Infinite, 2, vec![2, 4], "finite"
)]
#[case::missing_numeric(
    replace(&train(), "age", Column::numeric(vec![f64::NAN, 30.0, 45.0, 60.0, 90.0])),
    "age", ViolationKind::MissingValue, 1, vec![0], "not nullable"
)]
#[case::missing_category(
    replace(&train(), "plan", Column::categorical([Some("pro"), None, Some("pro"), None, Some("pro")])),
    "plan", ViolationKind::MissingValue, 2, vec![1, 3], "not nullable"
)]
#[case::unseen_category(
    replace(&train(), "plan", Column::categorical([Some("gold"), Some("pro"), Some(""), Some("gold"), Some("pro")])),
    "plan", ViolationKind::UnseenCategory, 3, vec![0, 2, 3], "found `gold` ×2, `` ×1"
)]
#[case::wrong_kind(
    replace(&train(), "age", Column::categorical([Some("18"), Some("thirty"), Some("45"), Some("60"), Some("90")])),
    "age", ViolationKind::WrongKind, 5, vec![1], "expected numeric, found categorical (values like `thirty`)"
)]
#[case::missing_column(
    train().without_column("plan").unwrap(),
    "plan", ViolationKind::MissingColumn, 5, vec![], "expected a categorical column, found none"
)]
#[case::unexpected_column(
    train().with_column("extra", Column::numeric(vec![0.0; 5])).unwrap(),
    "extra", ViolationKind::UnexpectedColumn, 5, vec![], "the schema has no such column"
)]
fn each_violation_kind_is_reported_with_count_share_and_rows(
    #[case] data: Dataset,
    #[case] column: &str,
    #[case] kind: ViolationKind,
    #[case] count: usize,
    #[case] rows: Vec<usize>,
    #[case] detail: &str,
) {
    let schema = Schema::infer(&train());
    assert!(schema.validate(&train()).outcome().passed());
    let report = schema.validate(&data);
    assert_eq!(report.violations().len(), 1, "{report}");
    let v = &report.violations()[0];
    assert_eq!(v.column.as_deref(), Some(column));
    assert_eq!(v.kind, kind);
    assert_eq!(v.count, count);
    assert_eq!(v.share, count as f64 / data.n_rows() as f64);
    assert_eq!(v.rows, rows);
    assert!(v.detail.contains(detail), "{}", v.detail);
    // The rendered table names the column, the kind and the detail.
    let text = report.to_string();
    assert!(
        text.contains(column) && text.contains(kind.name()) && text.contains(detail),
        "{text}"
    );
}

#[test]
fn every_violation_is_reported_not_just_the_first() {
    let schema = Schema::infer(&train());
    let data = replace(
        &replace(
            &train(),
            "age",
            Column::numeric(vec![-1.0, f64::INFINITY, 45.0, 60.0, 90.0]),
        ),
        "plan",
        Column::categorical([
            Some("x"),
            Some("pro"),
            Some("pro"),
            Some("basic"),
            Some("pro"),
        ]),
    )
    .without_column("income")
    .unwrap();
    let report = schema.validate(&data);
    let kinds: Vec<ViolationKind> = report.violations().iter().map(|v| v.kind).collect();
    assert_eq!(
        kinds,
        [
            ViolationKind::Infinite,
            ViolationKind::OutOfRange,
            ViolationKind::MissingColumn,
            ViolationKind::UnseenCategory
        ]
    );
    assert!(report
        .to_string()
        .starts_with("invalid: 4 violations in 5 rows"));
}

#[test]
fn too_few_rows_is_a_violation_when_the_schema_asks_for_rows() {
    let mut schema = Schema::infer(&train());
    assert!(schema
        .validate(&train().take(&[]).unwrap())
        .outcome()
        .passed());
    schema.min_rows = Some(1);
    let report = schema.validate(&train().take(&[]).unwrap());
    assert_eq!(report.violations()[0].kind, ViolationKind::TooFewRows);
    assert!(report.violations()[0]
        .detail
        .contains("at least 1 rows, found 0"));
}

#[test]
fn tolerance_lets_a_share_of_rows_through_and_no_more() {
    let mut schema = Schema::infer(&train());
    let one_bad = replace(
        &train(),
        "age",
        Column::numeric(vec![18.0, 30.0, 45.0, 60.0, 99.0]),
    );
    schema.column_mut("age").unwrap().tolerance = 0.2;
    assert!(schema.validate(&one_bad).outcome().passed());
    schema.column_mut("age").unwrap().tolerance = 0.19;
    let report = schema.validate(&one_bad);
    assert_eq!(report.violations()[0].kind, ViolationKind::OutOfRange);
    assert!(report.violations()[0].detail.contains("(tolerance 19.00%)"));
}

#[test]
fn environments_expect_the_target_in_training_only() {
    let schema = Schema::infer(&train());
    let serving = train().without_column("churn").unwrap();
    assert!(schema
        .validate_in(&serving, Some("serving"))
        .outcome()
        .passed());
    let in_training = schema.validate_in(&serving, Some("training"));
    assert_eq!(
        in_training.violations()[0].kind,
        ViolationKind::MissingColumn
    );
    let target_in_serving = schema.validate_in(&train(), Some("serving"));
    let v = &target_in_serving.violations()[0];
    assert_eq!(
        (v.column.as_deref(), v.kind),
        (Some("churn"), ViolationKind::UnexpectedColumn)
    );
    assert!(v
        .detail
        .contains("expected only in training, not in `serving`"));
}

#[test]
fn the_json_report_has_valid_and_snake_case_violations() {
    let schema = Schema::infer(&train());
    let data = replace(
        &train(),
        "age",
        Column::numeric(vec![18.0, 30.0, 45.0, 60.0, 1e300]),
    );
    let json: serde_json::Value = serde_json::from_str(&schema.validate(&data).to_json()).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(json["violations"][0]["column"], "age");
    assert_eq!(json["violations"][0]["kind"], "out_of_range");
    assert_eq!(json["violations"][0]["count"], 1);
    assert_eq!(
        json["violations"][0]["detail"],
        "expected [18, 90], found 1e300"
    );
}

#[test]
fn a_failing_validation_panics_with_the_violations_as_a_table() {
    let schema = Schema::infer(&train());
    let data = replace(
        &train(),
        "age",
        Column::numeric(vec![18.0, 30.0, 45.0, 60.0, 120.0]),
    );
    let panic = std::panic::catch_unwind(|| schema.validate(&data).assert_passed()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    // Its last line names the page it left, wherever the target directory is.
    let (message, page) = message
        .rsplit_once("\n  report: ")
        .expect("the page is named");
    assert!(std::fs::read_to_string(page)
        .unwrap()
        .contains("out_of_range"));
    insta::assert_snapshot!("validation_failure", message);
    assert!(
        message.starts_with("FAILED schema validation: 1 violation in 5 rows"),
        "{message}"
    );
    assert!(
        message.contains("  column  violation     count   share  rows  detail"),
        "{message}"
    );
    assert!(
        message
            .contains("  age     out_of_range      1  20.00%  4     expected [18, 90], found 120"),
        "{message}"
    );
}

#[test]
fn read_csv_keeps_declared_categoricals_and_reports_a_missing_column() {
    let zips = Dataset::from_columns(vec![
        (
            "zip".into(),
            Column::categorical([Some("02134"), Some("94105")]),
        ),
        ("n".into(), Column::numeric(vec![1.0, 2.0])),
    ])
    .unwrap();
    let schema = Schema::infer(&zips);
    let file = temp_csv("n,zip\n1,02134\n2,94105\n");
    assert!(schema
        .validate(&schema.read_csv(&file.path).unwrap())
        .outcome()
        .passed());
    let without = temp_csv("n\n1\n");
    let report = schema.validate(&schema.read_csv(&without.path).unwrap());
    assert_eq!(report.violations()[0].kind, ViolationKind::MissingColumn);
}

// ---------------------------------------------------------------------------------------------
// Version 2 expectations (issue 17): uniqueness, pattern, length bounds, relations
// ---------------------------------------------------------------------------------------------

fn v2_data(ids: &[&str], states: &[&str], day: &[f64], total: &[f64]) -> Dataset {
    Dataset::from_columns(vec![
        (
            "id".into(),
            Column::categorical(ids.iter().map(|s| Some(*s))),
        ),
        (
            "state".into(),
            Column::categorical(states.iter().map(|s| Some(*s))),
        ),
        ("day_charge".into(), Column::numeric(day.to_vec())),
        ("total_charge".into(), Column::numeric(total.to_vec())),
    ])
    .unwrap()
}

const V2: &str = r#"{
  "mlharness_schema": 2,
  "columns": [
    {"name": "id", "kind": "categorical", "nullable": false, "unique": true, "min_length": 3, "max_length": 4},
    {"name": "state", "kind": "categorical", "nullable": false, "pattern": "[A-Z]{2}"},
    {"name": "day_charge", "kind": "numeric", "nullable": false},
    {"name": "total_charge", "kind": "numeric", "nullable": true}
  ],
  "relations": [
    {"left": "day_charge", "op": "<=", "right": "total_charge"},
    {"left": "day_charge", "op": "requires", "right": "total_charge"}
  ]
}"#;

#[test]
fn version_2_expectations_each_catch_their_fault() {
    let schema = Schema::from_json(V2, "schema.json").unwrap();
    let good = v2_data(
        &["c01", "c02", "c03"],
        &["KS", "OH", "NJ"],
        &[1.0, 2.0, 3.0],
        &[5.0, 2.0, 9.0],
    );
    schema.validate(&good).assert_passed();
    let bad = v2_data(
        &["c01", "c01", "c0003"],
        &["KS", "ohio", "N J"],
        &[1.0, 7.0, 3.0],
        &[5.0, 2.0, 9.0],
    );
    let report = schema.validate(&bad);
    let kinds: Vec<(Option<&str>, ViolationKind, usize)> = report
        .violations()
        .iter()
        .map(|v| (v.column.as_deref(), v.kind, v.count))
        .collect();
    assert_eq!(
        kinds,
        [
            (Some("id"), ViolationKind::LengthOutOfRange, 1),
            (Some("id"), ViolationKind::NotUnique, 1),
            (Some("state"), ViolationKind::PatternMismatch, 2),
            (
                Some("day_charge <= total_charge"),
                ViolationKind::RelationBroken,
                1
            ),
        ],
        "{report}"
    );
    insta::assert_snapshot!(report.to_string());
    // `requires`: a day charge without a total.
    let gap = Dataset::from_columns(vec![
        ("id".into(), Column::categorical([Some("c01"), Some("c02")])),
        (
            "state".into(),
            Column::categorical([Some("KS"), Some("OH")]),
        ),
        ("day_charge".into(), Column::numeric(vec![1.0, 2.0])),
        (
            "total_charge".into(),
            Column::numeric_masked(vec![5.0, 0.0], vec![false, true]).unwrap(),
        ),
    ])
    .unwrap();
    let report = schema.validate(&gap);
    let broken: Vec<&str> = report
        .of_kind(ViolationKind::RelationBroken)
        .filter_map(|v| v.column.as_deref())
        .collect();
    assert_eq!(broken, ["day_charge requires total_charge"], "{report}");
}

#[test]
fn version_1_schemas_still_load_and_are_written_as_version_1() {
    let v1 = r#"{"mlharness_schema": 1, "columns": [{"name": "x", "kind": "numeric", "nullable": false}]}"#;
    let schema = Schema::from_json(v1, "old.json").unwrap();
    assert!(schema.to_json().contains("\"mlharness_schema\": 1"));
    let v2 = Schema::from_json(V2, "schema.json").unwrap();
    assert!(v2.to_json().contains("\"mlharness_schema\": 2"));
    assert_eq!(
        Schema::from_json(&v2.to_json(), "again.json")
            .unwrap()
            .relations,
        v2.relations
    );
}

/// Each schema text fails to load with an error containing its expected words.
fn each_is_refused(cases: &[(String, &str)]) {
    for (text, expected) in cases {
        let err = Schema::from_json(text, "schema.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{err}\nexpected: {expected}");
    }
}

#[test]
fn bad_version_2_expectations_name_the_field() {
    let cases = [
        (
            V2.replace("[A-Z]{2}", "[A-Z"),
            "column `state`, field `pattern`: not a valid regular expression",
        ),
        (
            V2.replace("\"min_length\": 3", "\"min_length\": 9"),
            "field `min_length`: min_length 9 is above max_length 4",
        ),
        (
            V2.replace("\"right\": \"total_charge\"}", "\"right\": \"totl\"}"),
            "no column `totl` in the schema",
        ),
        (
            V2.replace(
                "\"op\": \"<=\", \"right\": \"total_charge\"",
                "\"op\": \"<=\", \"right\": \"state\"",
            ),
            "`state` is categorical: only `requires` relates it",
        ),
        (
            V2.replace("\"op\": \"<=\"", "\"op\": \"=<\""),
            "unknown variant `=<`",
        ),
    ];
    each_is_refused(&cases);
}

#[test]
fn uniqueness_and_lengths_are_inferred_where_safe() {
    let ids: Vec<String> = (0..30).map(|i| format!("cust-{i:03}")).collect();
    let data = Dataset::from_columns(vec![
        (
            "id".into(),
            Column::categorical(ids.iter().map(|s| Some(s.as_str()))),
        ),
        (
            "plan".into(),
            Column::categorical((0..30).map(|i| Some(["basic", "pro"][i % 2]))),
        ),
    ])
    .unwrap();
    let schema = mlharness::schema::InferOptions::default()
        .max_domain_size(10)
        .infer(&data);
    let id = schema.column("id").unwrap();
    assert!(id.unique && id.categories.is_none());
    assert_eq!((id.min_length, id.max_length), (Some(8), Some(8)));
    let plan = schema.column("plan").unwrap();
    assert!(
        !plan.unique && plan.min_length.is_none(),
        "a listed domain needs no lengths"
    );
}

#[test]
fn a_numeric_id_is_inferred_unique_and_its_repeats_are_named() {
    let n = 200;
    let data = Dataset::from_columns(vec![
        (
            "customer_id".into(),
            Column::numeric((0..n).map(|i| 7_000_000.0 + (i * 37) as f64).collect()),
        ),
        (
            "row".into(),
            Column::numeric((0..n).map(|i| (n - i) as f64).collect()),
        ),
        (
            "age".into(),
            Column::numeric((0..n).map(|i| 18.0 + (i * 7 % 60) as f64).collect()),
        ),
        (
            "charge".into(),
            Column::numeric((0..n).map(|i| i as f64 * 1.5).collect()),
        ),
        (
            "userId".into(),
            Column::numeric((0..n).map(|i| (i * 101) as f64).collect()),
        ),
        (
            "PAID".into(),
            Column::numeric((0..n).map(|i| (i * 101) as f64).collect()),
        ),
    ])
    .unwrap();
    let schema = Schema::infer(&data);
    let unique: Vec<(&str, bool)> = schema
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.unique))
        .collect();
    // An ID by name, a row number by its dense run; not a repeating measurement, nor distinct
    // fractions.
    assert_eq!(
        unique,
        [
            ("customer_id", true),
            ("row", true),
            ("age", false),
            ("charge", false),
            ("userId", true),
            ("PAID", false)
        ]
    );
    assert!(schema.to_json().contains("\"mlharness_schema\": 2"));

    // Broken data: the same customer twice (far from the others, so hashed), and
    // a row number repeated.
    let mut ids: Vec<f64> = (0..n).map(|i| 7_000_000.0 + (i * 37) as f64).collect();
    ids[150] = ids[3];
    ids[151] = 1e12;
    ids[152] = 1e12;
    let mut rows: Vec<f64> = (0..n).map(|i| (n - i) as f64).collect();
    rows[9] = rows[8];
    let bad = replace(
        &replace(&data, "customer_id", Column::numeric(ids)),
        "row",
        Column::numeric(rows),
    );
    let mut schema = schema;
    schema.column_mut("customer_id").unwrap().max = None;
    let report = schema.validate(&bad);
    let repeats: Vec<(Option<&str>, usize, &[usize])> = report
        .of_kind(ViolationKind::NotUnique)
        .map(|v| (v.column.as_deref(), v.count, v.rows.as_slice()))
        .collect();
    assert_eq!(
        repeats,
        [
            (Some("customer_id"), 2, &[150, 152][..]),
            (Some("row"), 1, &[9][..])
        ],
        "{report}"
    );
}

// ---------------------------------------------------------------------------------------------
// Version 3: conditional expectations
// ---------------------------------------------------------------------------------------------

const V3: &str = r#"{
  "mlharness_schema": 3,
  "columns": [
    {"name": "plan", "kind": "categorical", "nullable": true},
    {"name": "plan_minutes", "kind": "numeric", "nullable": true},
    {"name": "age", "kind": "numeric", "nullable": false},
    {"name": "licence", "kind": "categorical", "nullable": true}
  ],
  "conditions": [
    {"if": {"column": "plan", "in": ["none"]}, "then": {"column": "plan_minutes", "max": 0}},
    {"if": {"column": "plan", "present": false}, "then": {"column": "plan_minutes", "present": false}},
    {"if": {"column": "age", "min": 18}, "then": {"column": "licence", "present": true}},
    {"if": {"column": "licence", "present": true}, "then": {"column": "age", "min": 16}}
  ]
}"#;

fn v3_data(
    plan: &[Option<&str>],
    minutes: &[f64],
    age: &[f64],
    licence: &[Option<&str>],
) -> Dataset {
    Dataset::from_columns(vec![
        ("plan".into(), Column::categorical(plan.iter().copied())),
        ("plan_minutes".into(), Column::numeric(minutes.to_vec())),
        ("age".into(), Column::numeric(age.to_vec())),
        (
            "licence".into(),
            Column::categorical(licence.iter().copied()),
        ),
    ])
    .unwrap()
}

#[test]
fn conditional_expectations_check_only_the_rows_their_condition_picks() {
    let schema = Schema::from_json(V3, "schema.json").unwrap();
    let good = v3_data(
        &[Some("none"), Some("pro"), None, Some("basic")],
        &[0.0, 310.0, f64::NAN, 12.0],
        &[17.0, 40.0, 15.0, 18.0],
        &[Some("B"), Some("B"), None, Some("A")],
    );
    schema.validate(&good).assert_passed();

    // Each condition broken once: minutes on no plan, minutes without a plan, an adult with no
    // licence, a licence at 14.
    let bad = v3_data(
        &[Some("none"), None, Some("pro"), Some("basic")],
        &[5.5, 12.0, 310.0, 1.0],
        &[30.0, 40.0, 18.0, 14.0],
        &[Some("B"), Some("B"), None, Some("A")],
    );
    let report = schema.validate(&bad);
    let broken: Vec<(&str, &[usize])> = report
        .of_kind(ViolationKind::ConditionBroken)
        .map(|v| (v.column.as_deref().unwrap(), v.rows.as_slice()))
        .collect();
    assert_eq!(
        broken,
        [
            ("if plan in [none] then plan_minutes <= 0", &[0][..]),
            ("if plan missing then plan_minutes missing", &[1][..]),
            ("if age >= 18 then licence present", &[2][..]),
            ("if licence present then age >= 16", &[3][..]),
        ],
        "{report}"
    );
    insta::assert_snapshot!(report.to_string());
}

#[test]
fn a_schema_with_conditions_is_version_3_and_older_ones_keep_their_version() {
    let v3 = Schema::from_json(V3, "schema.json").unwrap();
    assert!(v3.to_json().contains("\"mlharness_schema\": 3"));
    let again = Schema::from_json(&v3.to_json(), "again.json").unwrap();
    assert_eq!(again, v3);
    let v2 = Schema::from_json(V2, "schema.json").unwrap();
    assert!(v2.to_json().contains("\"mlharness_schema\": 2"));
    let err = Schema::from_json(
        &V3.replace("\"mlharness_schema\": 3", "\"mlharness_schema\": 4"),
        "s.json",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("version 4 is not supported (this mlharness reads versions 1 to 3)"),
        "{err}"
    );
}

#[test]
fn bad_conditions_name_the_condition_and_field() {
    let minutes = r#"{"column": "plan_minutes", "max": 0}"#;
    let cases = [
        (
            V3.replace(minutes, r#"{"column": "plan_mins", "max": 0}"#),
            "condition 1 `if plan in [none] then plan_mins <= 0`, field `then.column`: no column `plan_mins` in the schema",
        ),
        (
            V3.replace(minutes, r#"{"column": "plan_minutes", "in": ["0"]}"#),
            "field `then.in`: `plan_minutes` is numeric: use `min` and `max`",
        ),
        (
            V3.replace(r#"{"column": "plan", "in": ["none"]}"#, r#"{"column": "plan", "min": 1}"#),
            "field `if.min`: `plan` is categorical: use `in`",
        ),
        (
            V3.replace(minutes, r#"{"column": "plan_minutes"}"#),
            "field `then.column`: tests nothing: give `in`, `min`, `max` or `present`",
        ),
        (
            V3.replace(minutes, r#"{"column": "plan_minutes", "max": 0, "present": false}"#),
            "field `then.present`: `present: false` cannot be combined with `in`, `min` or `max`",
        ),
        (
            V3.replace(minutes, r#"{"column": "plan_minutes", "min": 5, "max": 0}"#),
            "field `then.min`: min 5 is above max 0",
        ),
        (
            V3.replace(minutes, r#"{"column": "plan_minutes", "maximum": 0}"#),
            "unknown field `maximum`",
        ),
        (
            V3.replace(r#"{"column": "plan", "in": ["none"]}"#, r#"{"column": "plan", "max": 1}"#),
            "condition 1 `if plan <= 1 then plan_minutes <= 0`, field `if.max`: `plan` is categorical",
        ),
        (
            V3.replace(r#""in": ["none"]"#, r#""in": []"#),
            "field `if.in`: an empty list matches no value",
        ),
        (
            V3.replace("\"mlharness_schema\": 3", "\"mlharness_schema\": 2"),
            "field `mlharness_schema`: version 2 has no `conditions`: declare version 3",
        ),
        (
            V2.replace("\"mlharness_schema\": 2", "\"mlharness_schema\": 1"),
            "field `mlharness_schema`: version 1 has no `relations`: declare version 2",
        ),
    ];
    each_is_refused(&cases);
}

/// A test of presence alone takes any present value, a NaN that a mask (Parquet, Arrow) calls
/// present included; a range takes no NaN.
#[test]
fn a_presence_test_takes_a_present_nan_and_a_range_does_not() {
    let schema = Schema::from_json(
        r#"{"mlharness_schema": 3,
            "columns": [{"name": "plan", "kind": "categorical", "nullable": true},
                        {"name": "x", "kind": "numeric", "nullable": true, "allow_nan": true}],
            "conditions": [{"if": {"column": "plan", "present": true}, "then": {"column": "x", "present": true}}]}"#,
        "s.json",
    )
    .unwrap();
    let data = Dataset::from_columns(vec![
        (
            "plan".into(),
            Column::categorical([Some("a"), Some("b"), None]),
        ),
        (
            "x".into(),
            Column::numeric_masked(vec![f64::NAN, 0.0, 0.0], vec![false, true, true]).unwrap(),
        ),
    ])
    .unwrap();
    let report = schema.validate(&data);
    let rows: Vec<&[usize]> = report
        .of_kind(ViolationKind::ConditionBroken)
        .map(|v| v.rows.as_slice())
        .collect();
    assert_eq!(
        rows,
        [&[1][..]],
        "row 0's NaN is present, row 1's value missing: {report}"
    );
    let mut ranged = schema.clone();
    ranged.conditions[0].then.min = Some(0.0);
    let report = ranged.validate(&data);
    let rows: Vec<&[usize]> = report
        .of_kind(ViolationKind::ConditionBroken)
        .map(|v| v.rows.as_slice())
        .collect();
    assert_eq!(rows, [&[0, 1][..]], "{report}");
}
