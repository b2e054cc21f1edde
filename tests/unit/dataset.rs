//! `Dataset`: building, columns, targets, encoding and row selection.

use crate::strings;
use mlharness::data::{Column, ColumnKind, DataError, Dataset};
use ndarray::array;
use rstest::rstest;

/// `age` numeric (one missing), `plan` categorical (one missing), `churn` categorical target.
fn customers() -> Dataset {
    Dataset::from_columns(vec![
        (
            "age".into(),
            Column::numeric(vec![31.0, f64::NAN, 45.0, 62.0, 23.0]),
        ),
        (
            "plan".into(),
            Column::categorical([Some("pro"), Some("basic"), None, Some("pro"), Some("free")]),
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

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

#[test]
fn from_columns_rejects_unequal_lengths() {
    let err = Dataset::from_columns(vec![
        ("a".into(), Column::numeric(vec![1.0, 2.0])),
        (
            "b".into(),
            Column::categorical([Some("x"), Some("y"), Some("z")]),
        ),
    ])
    .unwrap_err();
    let DataError::LengthMismatch {
        column,
        expected,
        found,
    } = &err
    else {
        panic!("expected LengthMismatch, got {err:?}")
    };
    assert_eq!((column.as_str(), *expected, *found), ("b", 2, 3));
    assert!(err.to_string().contains("`b`"), "{err}");
}

#[test]
fn from_columns_rejects_duplicate_names() {
    let err = Dataset::from_columns(vec![
        ("a".into(), Column::numeric(vec![1.0])),
        ("a".into(), Column::numeric(vec![2.0])),
    ])
    .unwrap_err();
    assert!(
        matches!(&err, DataError::DuplicateColumn { column } if column == "a"),
        "{err:?}"
    );
    // Adding a column later is checked the same way.
    let ds = Dataset::from_columns(vec![("a".into(), Column::numeric(vec![1.0]))]).unwrap();
    let err = ds.with_column("a", Column::numeric(vec![3.0])).unwrap_err();
    assert!(
        matches!(&err, DataError::DuplicateColumn { column } if column == "a"),
        "{err:?}"
    );
}

#[test]
fn from_columns_with_nothing_is_empty() {
    let ds = Dataset::from_columns(Vec::new()).unwrap();
    assert_eq!((ds.n_rows(), ds.n_columns()), (0, 0));
    assert!(ds.is_empty());
}

#[test]
fn with_column_checks_length() {
    let ds = Dataset::from_columns(vec![("a".into(), Column::numeric(vec![1.0, 2.0]))]).unwrap();
    let ds = ds
        .with_column("b", Column::numeric(vec![3.0, 4.0]))
        .unwrap();
    assert_eq!(ds.column_names(), vec!["a", "b"]);
    let err = ds.with_column("c", Column::numeric(vec![5.0])).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::LengthMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn from_array_names_each_column() {
    let m = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let ds = Dataset::from_array(&["x", "y", "z"], m.view()).unwrap();
    assert_eq!((ds.n_rows(), ds.n_columns()), (2, 3));
    assert_eq!(ds.numeric("x").unwrap().values(), &[1.0, 4.0]);
    assert_eq!(ds.numeric("z").unwrap().values(), &[3.0, 6.0]);
    // Round trip.
    assert_eq!(ds.to_array(&["x", "y", "z"]).unwrap(), m);

    let err = Dataset::from_array(&["x", "y"], m.view()).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::ShapeMismatch {
                names: 2,
                columns: 3
            }
        ),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Target and columns
// ---------------------------------------------------------------------------------------------

#[test]
fn target_marking() {
    let ds = customers();
    assert_eq!(ds.target_name(), Some("churn"));
    assert_eq!(ds.feature_names(), vec!["age", "plan"]);
    assert_eq!(ds.column_names(), vec!["age", "plan", "churn"]);
    assert_eq!(ds.target().unwrap().kind(), ColumnKind::Categorical);

    let untargeted = ds.clone().without_target();
    assert_eq!(untargeted.target_name(), None);
    assert_eq!(untargeted.feature_names(), vec!["age", "plan", "churn"]);
    assert_eq!(untargeted.n_columns(), 3, "the column stays");
    assert!(matches!(untargeted.target(), Err(DataError::NoTarget)));

    let retargeted = untargeted.with_target("age").unwrap();
    assert_eq!(retargeted.feature_names(), vec!["plan", "churn"]);

    let err = ds.with_target("chrun").unwrap_err();
    assert!(
        matches!(&err, DataError::UnknownColumn { column, .. } if column == "chrun"),
        "{err:?}"
    );
}

#[test]
fn without_column() {
    let ds = customers();

    let no_age = ds.without_column("age").unwrap();
    assert_eq!(no_age.column_names(), vec!["plan", "churn"]);
    assert_eq!(
        no_age.target_name(),
        Some("churn"),
        "the target survives dropping a feature"
    );
    assert_eq!(no_age.n_rows(), ds.n_rows());
    assert_eq!(no_age.target_labels().unwrap(), ds.target_labels().unwrap());

    let no_target = ds.without_column("churn").unwrap();
    assert_eq!(no_target.column_names(), vec!["age", "plan"]);
    assert_eq!(no_target.target_name(), None);

    assert!(matches!(
        ds.without_column("nope"),
        Err(DataError::UnknownColumn { .. })
    ));
}

#[test]
fn typed_column_access() {
    let ds = customers();
    assert_eq!(ds.column("age").unwrap().kind(), ColumnKind::Numeric);
    assert_eq!(ds.numeric("age").unwrap().len(), 5);
    assert_eq!(
        ds.categorical("plan").unwrap().levels(),
        &["basic", "free", "pro"]
    );

    let err = ds.numeric("plan").unwrap_err();
    let DataError::WrongKind {
        column,
        expected,
        found,
    } = &err
    else {
        panic!("expected WrongKind, got {err:?}")
    };
    assert_eq!(
        (column.as_str(), *expected, *found),
        ("plan", ColumnKind::Numeric, ColumnKind::Categorical)
    );
    assert!(err.to_string().contains("`plan` is categorical"), "{err}");

    let err = ds.categorical("age").unwrap_err();
    assert!(
        matches!(
            err,
            DataError::WrongKind {
                expected: ColumnKind::Categorical,
                found: ColumnKind::Numeric,
                ..
            }
        ),
        "{err:?}"
    );
}

type Lookup = fn(&Dataset, &str) -> Result<(), DataError>;

#[rstest]
#[case::column("agee", |ds: &Dataset, n: &str| ds.column(n).map(drop))]
#[case::numeric("Age", |ds: &Dataset, n: &str| ds.numeric(n).map(drop))]
#[case::categorical("plans", |ds: &Dataset, n: &str| ds.categorical(n).map(drop))]
#[case::without_column("churm", |ds: &Dataset, n: &str| ds.without_column(n).map(drop))]
fn unknown_column_lists_the_available_ones(#[case] name: &str, #[case] lookup: Lookup) {
    let err = lookup(&customers(), name).unwrap_err();
    let message = err.to_string();
    let DataError::UnknownColumn { column, available } = err else {
        panic!("expected UnknownColumn, got {err:?}")
    };
    assert_eq!(column, name);
    assert_eq!(available, "age, plan, churn");
    assert!(
        message.contains(&format!("`{name}`")) && message.contains("age, plan, churn"),
        "{message}"
    );
}

#[test]
fn categorical_levels_are_sorted_and_counted() {
    let c = Column::categorical([Some("b"), None, Some("a"), Some("b"), Some("c"), Some("b")]);
    let Column::Categorical(cat) = &c else {
        panic!("categorical")
    };
    assert_eq!(cat.levels(), &["a", "b", "c"]);
    assert_eq!(cat.counts(), vec![1, 3, 1]);
    assert_eq!(
        cat.codes(),
        &[Some(1), None, Some(0), Some(1), Some(2), Some(1)]
    );
    assert_eq!(cat.level_code("c"), Some(2));
    assert_eq!(cat.level_code("d"), None);
    assert_eq!((c.len(), c.missing_count()), (6, 1));
}

// ---------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------

#[test]
fn target_labels_of_a_categorical_target() {
    let labels = customers().target_labels().unwrap();
    assert_eq!(labels.classes, strings(&["no", "yes"]));
    assert_eq!(labels.y, vec![0, 1, 0, 0, 1]);
}

#[test]
fn target_labels_of_a_numeric_target() {
    let values = [2.0, 0.0, 2.0, 1.0, -1.5];
    let ds = Dataset::from_columns(vec![("y".into(), Column::numeric(values.to_vec()))])
        .unwrap()
        .with_target("y")
        .unwrap();
    let labels = ds.target_labels().unwrap();
    // Classes are the distinct values, sorted numerically, written as numbers.
    assert_eq!(labels.classes, strings(&["-1.5", "0", "1", "2"]));
    for (row, &v) in values.iter().enumerate() {
        assert_eq!(
            labels.classes[labels.y[row]].parse::<f64>().unwrap(),
            v,
            "row {row}"
        );
    }
}

#[test]
fn missing_target_value_names_its_row() {
    let cat = Dataset::from_columns(vec![(
        "y".into(),
        Column::categorical([Some("a"), Some("b"), None]),
    )])
    .unwrap()
    .with_target("y")
    .unwrap();
    let err = cat.target_labels().unwrap_err();
    assert!(
        matches!(&err, DataError::MissingTarget { column, row: 2 } if column == "y"),
        "{err:?}"
    );
    assert!(err.to_string().contains("row 2"), "{err}");

    let num = Dataset::from_columns(vec![(
        "y".into(),
        Column::numeric(vec![1.0, f64::NAN, 0.0]),
    )])
    .unwrap()
    .with_target("y")
    .unwrap();
    assert!(matches!(
        num.target_labels(),
        Err(DataError::MissingTarget { row: 1, .. })
    ));
    assert!(matches!(
        num.target_values(),
        Err(DataError::MissingTarget { row: 1, .. })
    ));

    assert!(matches!(
        cat.without_target().target_labels(),
        Err(DataError::NoTarget)
    ));
}

#[test]
fn target_indices_map_to_the_callers_classes() {
    let ds = customers();
    // The model's classes in another order than the sorted levels.
    let idx = ds.target_indices(&strings(&["yes", "no"])).unwrap();
    assert_eq!(idx, vec![1, 0, 1, 1, 0]);

    let err = ds.target_indices(&strings(&["no", "maybe"])).unwrap_err();
    let message = err.to_string();
    let DataError::UnknownClass { class, row, known } = err else {
        panic!("expected UnknownClass, got {err:?}")
    };
    assert_eq!(
        (class.as_str(), row, known.as_str()),
        ("yes", 1, "no, maybe")
    );
    assert!(
        message.contains("`yes`") && message.contains("row 1"),
        "{message}"
    );
}

#[test]
fn target_values_need_a_numeric_target() {
    let ds = Dataset::from_columns(vec![
        ("x".into(), Column::numeric(vec![1.0, 2.0])),
        ("y".into(), Column::numeric(vec![0.5, 1.5])),
    ])
    .unwrap();
    assert!(matches!(ds.target_values(), Err(DataError::NoTarget)));
    assert_eq!(
        ds.clone()
            .with_target("y")
            .unwrap()
            .target_values()
            .unwrap(),
        &[0.5, 1.5]
    );
    assert!(matches!(
        customers().target_values(),
        Err(DataError::WrongKind { .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

#[test]
fn to_array_encodes_numbers_codes_and_missing() {
    let ds = customers();
    let m = ds.to_array(&["plan", "age"]).unwrap();
    assert_eq!(m.dim(), (5, 2));

    let plan = ds.categorical("plan").unwrap();
    for row in 0..5 {
        match plan.get(row) {
            Some(level) => {
                let code = plan.levels().iter().position(|l| l == level).unwrap();
                assert_eq!(m[[row, 0]], code as f64, "row {row}");
            }
            None => assert!(m[[row, 0]].is_nan(), "row {row}: a missing category is NaN"),
        }
    }
    let age = [31.0, f64::NAN, 45.0, 62.0, 23.0];
    for (row, &a) in age.iter().enumerate() {
        assert!(
            m[[row, 1]] == a || (a.is_nan() && m[[row, 1]].is_nan()),
            "row {row}"
        );
    }

    assert_eq!(ds.features_array().unwrap().dim(), (5, 2));
    assert!(matches!(
        ds.to_array(&["age", "nope"]),
        Err(DataError::UnknownColumn { .. })
    ));
}

#[test]
fn numeric_masked_mask_overrides_nan() {
    // Row 1: NaN but not masked (a value); row 2: a number but masked (missing).
    let col = Column::numeric_masked(vec![1.0, f64::NAN, 3.0], vec![false, false, true]).unwrap();
    assert_eq!(col.missing_count(), 1);
    assert!(!col.is_missing(1) && col.is_missing(2));
    let ds = Dataset::from_columns(vec![("x".into(), col)]).unwrap();
    let x = ds.numeric("x").unwrap();
    assert_eq!(x.mask(), Some(&[false, false, true][..]));
    assert_eq!(x.present().count(), 2);
    // A masked value reads as NaN however it is stored.
    assert!(ds.row(2).unwrap().number("x").unwrap().is_nan());
    assert!(ds.to_array(&["x"]).unwrap()[[2, 0]].is_nan());
    assert_eq!(ds.to_array(&["x"]).unwrap()[[0, 0]], 1.0);

    let err = Column::numeric_masked(vec![1.0, 2.0], vec![false]).unwrap_err();
    assert!(
        matches!(
            err,
            DataError::LengthMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Selecting rows
// ---------------------------------------------------------------------------------------------

#[test]
fn take_selects_rows_in_order_and_keeps_levels() {
    let ds = customers();
    let t = ds.take(&[4, 0, 0]).unwrap();
    assert_eq!(t.n_rows(), 3);
    assert_eq!(t.numeric("age").unwrap().values(), &[23.0, 31.0, 31.0]);
    let plan = t.categorical("plan").unwrap();
    assert_eq!(
        (plan.get(0), plan.get(1), plan.get(2)),
        (Some("free"), Some("pro"), Some("pro"))
    );
    // "basic" is absent from these rows, but the level stays so codes keep their meaning.
    assert_eq!(plan.levels(), ds.categorical("plan").unwrap().levels());
    assert_eq!(t.target_name(), Some("churn"));

    assert_eq!(ds.take(&[]).unwrap().n_rows(), 0);

    let err = ds.take(&[1, 5, 9]).unwrap_err();
    assert!(
        matches!(err, DataError::RowOutOfRange { row: 5, n_rows: 5 }),
        "{err:?}"
    );
    assert!(matches!(
        ds.row(5),
        Err(DataError::RowOutOfRange { row: 5, n_rows: 5 })
    ));
}

#[test]
fn filter_reads_numbers_and_categories() {
    let ds = customers();
    let older = ds.filter(|r| Ok(r.number("age")? >= 40.0)).unwrap();
    assert_eq!(older.numeric("age").unwrap().values(), &[45.0, 62.0]);

    let pro = ds
        .filter(|r| Ok(r.category("plan")? == Some("pro")))
        .unwrap();
    assert_eq!(pro.n_rows(), 2);
    assert_eq!(pro.numeric("age").unwrap().values(), &[31.0, 62.0]);

    let unknown_plan = ds.filter(|r| Ok(r.category("plan")?.is_none())).unwrap();
    assert_eq!(unknown_plan.numeric("age").unwrap().values(), &[45.0]);

    // A missing number reads as NaN (so comparisons are false); `index` is the row position.
    let missing_age = ds.filter(|r| Ok(r.number("age")?.is_nan())).unwrap();
    assert_eq!(
        missing_age.categorical("plan").unwrap().get(0),
        Some("basic")
    );
    let even = ds.filter(|r| Ok(r.index() % 2 == 0)).unwrap();
    assert_eq!(even.n_rows(), 3);
}

#[test]
fn filter_with_a_misspelt_or_mistyped_column_is_an_error() {
    let ds = customers();
    let err = ds.filter(|r| Ok(r.number("agge")? > 0.0)).unwrap_err();
    assert!(
        matches!(&err, DataError::UnknownColumn { column, .. } if column == "agge"),
        "{err:?}"
    );
    let err = ds.filter(|r| Ok(r.category("age")?.is_some())).unwrap_err();
    assert!(matches!(err, DataError::WrongKind { .. }), "{err:?}");
}

#[test]
fn slice_and_slices() {
    let ds = customers();
    let pro = ds.slice("plan", "pro").unwrap();
    assert_eq!(pro.numeric("age").unwrap().values(), &[31.0, 62.0]);
    assert_eq!(ds.slice("plan", "enterprise").unwrap().n_rows(), 0);
    assert!(matches!(
        ds.slice("age", "31"),
        Err(DataError::WrongKind { .. })
    ));

    let slices = ds.slices("plan").unwrap();
    let names: Vec<&str> = slices.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec!["basic", "free", "pro"]);
    for (level, part) in &slices {
        let plan = part.categorical("plan").unwrap();
        assert!(
            (0..part.n_rows()).all(|i| plan.get(i) == Some(level.as_str())),
            "slice {level}"
        );
    }
    // The row with a missing plan is in no slice.
    assert_eq!(
        slices.iter().map(|(_, s)| s.n_rows()).sum::<usize>(),
        ds.n_rows() - 1
    );

    // A level with no rows left (after take) gives no slice.
    let subset = ds.take(&[0, 3, 4]).unwrap();
    let names: Vec<String> = subset
        .slices("plan")
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(names, strings(&["free", "pro"]));
}
