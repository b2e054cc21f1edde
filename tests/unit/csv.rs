//! `Dataset::from_csv` / `from_csv_with` and `CsvOptions`.

use crate::{temp_csv, temp_csv_bytes};
use mlharness::data::{ColumnKind, CsvOptions, DataError, Dataset};
use rstest::rstest;

fn load(contents: &str) -> Dataset {
    let file = temp_csv(contents);
    Dataset::from_csv(&file.path).unwrap_or_else(|e| panic!("{contents:?} should load: {e}"))
}

fn load_err(contents: &str, options: &CsvOptions) -> (DataError, String) {
    let file = temp_csv(contents);
    let err = Dataset::from_csv_with(&file.path, options)
        .expect_err(&format!("{contents:?} should not load"));
    (err, file.path.display().to_string())
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

#[test]
fn infers_numeric_and_categorical_columns() {
    let ds = load("num,cat,mixed,empty\n1,a,1,\n2.5,b,x,NA\n-3e2,a,3,\n");
    assert_eq!(ds.column_names(), vec!["num", "cat", "mixed", "empty"]);
    assert_eq!(ds.n_rows(), 3);

    assert_eq!(ds.numeric("num").unwrap().values(), &[1.0, 2.5, -300.0]);

    let cat = ds.categorical("cat").unwrap();
    assert_eq!(cat.levels(), &["a", "b"]);
    assert_eq!(
        (0..3).map(|i| cat.get(i)).collect::<Vec<_>>(),
        vec![Some("a"), Some("b"), Some("a")]
    );

    // One value that is not a number makes the whole column categorical, text kept as written.
    let mixed = ds.categorical("mixed").unwrap();
    assert_eq!(
        (0..3).map(|i| mixed.get(i)).collect::<Vec<_>>(),
        vec![Some("1"), Some("x"), Some("3")]
    );

    // A column with nothing but missing values is numeric and entirely missing.
    let empty = ds.column("empty").unwrap();
    assert_eq!(empty.kind(), ColumnKind::Numeric);
    assert_eq!(empty.missing_count(), 3);
    assert!(ds
        .numeric("empty")
        .unwrap()
        .values()
        .iter()
        .all(|v| v.is_nan()));
}

#[test]
fn numbers_with_surrounding_spaces_parse() {
    let ds = load("x,y\n 1 ,a\n2.5  ,b\n");
    assert_eq!(ds.numeric("x").unwrap().values(), &[1.0, 2.5]);
}

#[rstest]
#[case::empty("")]
#[case::na("NA")]
#[case::nan("NaN")]
#[case::null("null")]
#[case::none("None")]
#[case::spaces_only("   ")]
#[case::na_padded(" NA ")]
#[case::nan_padded("  NaN")]
#[case::null_padded("null  ")]
#[case::none_padded(" None ")]
fn each_default_missing_token_is_missing(#[case] token: &str) {
    let ds = load(&format!("x,c\n1,a\n{token},{token}\n3,b\n"));

    let x = ds.numeric("x").unwrap();
    assert!(
        !x.is_missing(0) && x.is_missing(1) && !x.is_missing(2),
        "{token:?} in a numeric column"
    );
    assert_eq!(x.present().collect::<Vec<_>>(), vec![1.0, 3.0]);

    let c = ds.categorical("c").unwrap();
    assert_eq!(c.get(1), None, "{token:?} in a categorical column");
    assert_eq!(c.levels(), &["a", "b"], "{token:?} must not become a level");
}

#[test]
fn custom_missing_tokens_replace_the_defaults() {
    let file = temp_csv("x,c\n1,NA\n?,b\n3,?\n");
    let ds =
        Dataset::from_csv_with(&file.path, &CsvOptions::default().missing_tokens(["?"])).unwrap();
    let x = ds.numeric("x").unwrap();
    assert!(x.is_missing(1));
    assert_eq!(x.present().collect::<Vec<_>>(), vec![1.0, 3.0]);
    // `NA` is no longer a missing token: it is a value.
    let c = ds.categorical("c").unwrap();
    assert_eq!(
        (c.get(0), c.get(1), c.get(2)),
        (Some("NA"), Some("b"), None)
    );
}

#[test]
fn delimiter_option() {
    let file = temp_csv("x;label\n1,5;a,b\n2;c\n");
    // With `;` as delimiter the comma is ordinary text (and `1,5` is no number).
    let ds = Dataset::from_csv_with(&file.path, &CsvOptions::default().delimiter(b';')).unwrap();
    assert_eq!(ds.column_names(), vec!["x", "label"]);
    assert_eq!(ds.categorical("label").unwrap().get(0), Some("a,b"));
    assert_eq!(ds.categorical("x").unwrap().get(0), Some("1,5"));
}

#[test]
fn quoted_fields_keep_commas_quotes_and_newlines() {
    let ds = load(
        "id,text,n\n\
         1,\"a, b\",10\n\
         2,\"she said \"\"hi\"\"\",20\n\
         3,\"line one\nline two\",30\n\
         4,plain,40\n",
    );
    assert_eq!(ds.n_rows(), 4);
    let text = ds.categorical("text").unwrap();
    assert_eq!(text.get(0), Some("a, b"));
    assert_eq!(text.get(1), Some("she said \"hi\""));
    assert_eq!(text.get(2), Some("line one\nline two"));
    assert_eq!(text.get(3), Some("plain"));
    assert_eq!(ds.numeric("n").unwrap().values(), &[10.0, 20.0, 30.0, 40.0]);
    assert_eq!(ds.numeric("id").unwrap().values(), &[1.0, 2.0, 3.0, 4.0]);
}

#[test]
fn utf8_bom_is_not_part_of_the_first_column_name() {
    let file = temp_csv_bytes(b"\xEF\xBB\xBFfirst,second\n1,x\n2,y\n");
    let ds = Dataset::from_csv_with(&file.path, &CsvOptions::default().target("first")).unwrap();
    assert_eq!(ds.column_names(), vec!["first", "second"]);
    assert_eq!(ds.numeric("first").unwrap().values(), &[1.0, 2.0]);
    assert_eq!(ds.target_name(), Some("first"));
}

#[test]
fn crlf_line_ends() {
    let ds = load("a,b\r\n1,x\r\n2,y\r\n");
    assert_eq!(ds.column_names(), vec!["a", "b"]);
    assert_eq!(ds.numeric("a").unwrap().values(), &[1.0, 2.0]);
    // No stray `\r` at the end of the last field.
    assert_eq!(ds.categorical("b").unwrap().levels(), &["x", "y"]);
}

#[test]
fn target_option_marks_the_target() {
    let file = temp_csv("f1,y,f2\n1,no,3\n2,yes,4\n");
    let ds = Dataset::from_csv_with(&file.path, &CsvOptions::default().target("y")).unwrap();
    assert_eq!(ds.target_name(), Some("y"));
    assert_eq!(ds.feature_names(), vec!["f1", "f2"]);
    assert_eq!(ds.target_labels().unwrap().classes, vec!["no", "yes"]);
    // Without the option there is no target.
    assert_eq!(Dataset::from_csv(&file.path).unwrap().target_name(), None);
}

#[test]
fn declared_categorical_keeps_leading_zeros() {
    let contents = "zip,n\n02134,1\n00501,2\n94105,3\n";
    let file = temp_csv(contents);
    let ds = Dataset::from_csv_with(
        &file.path,
        &CsvOptions::default().kind("zip", ColumnKind::Categorical),
    )
    .unwrap();
    let zip = ds.categorical("zip").unwrap();
    assert_eq!(
        (zip.get(0), zip.get(1), zip.get(2)),
        (Some("02134"), Some("00501"), Some("94105"))
    );

    // Inferred, the same column is a number and the zeros are gone.
    let inferred = Dataset::from_csv(&file.path).unwrap();
    assert_eq!(
        inferred.numeric("zip").unwrap().values(),
        &[2134.0, 501.0, 94105.0]
    );
}

#[test]
fn declared_numeric_column_reads_numbers_and_missing() {
    let file = temp_csv("x,y\n1,a\nNA,b\n3,c\n");
    let ds = Dataset::from_csv_with(
        &file.path,
        &CsvOptions::default().kind("x", ColumnKind::Numeric),
    )
    .unwrap();
    let x = ds.numeric("x").unwrap();
    assert_eq!(x.present().collect::<Vec<_>>(), vec![1.0, 3.0]);
    assert!(x.is_missing(1));
}

#[rstest]
#[case::with_newline("a,b\n")]
#[case::without_newline("a,b")]
#[case::crlf("a,b\r\n")]
fn header_only_file_has_no_rows(#[case] contents: &str) {
    let ds = load(contents);
    assert_eq!(ds.n_rows(), 0);
    assert!(ds.is_empty());
    assert_eq!(ds.column_names(), vec!["a", "b"]);
}

#[test]
fn loaded_dataset_remembers_its_source() {
    let file = temp_csv("a\n1\n");
    assert_eq!(
        Dataset::from_csv(&file.path).unwrap().source(),
        Some(file.path.as_path())
    );
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[rstest]
#[case::too_many_fields("a,b\n1,2\n3,4,5\n", 3, 2, 3)]
#[case::too_few_fields("a,b,c\n1,2,3\n4,5,6\n7,8\n", 4, 3, 2)]
#[case::first_row("a,b\n1\n", 2, 2, 1)]
#[case::after_multiline_quoted_record("id,text\n1,\"a\nb\nc\"\n2,ok\n3,x,extra\n", 6, 2, 3)]
fn ragged_row_names_file_line_and_counts(
    #[case] contents: &str,
    #[case] want_line: u64,
    #[case] want_expected: usize,
    #[case] want_found: usize,
) {
    let (err, path) = load_err(contents, &CsvOptions::default());
    let message = err.to_string();
    let DataError::RaggedRow {
        line,
        expected,
        found,
        path: err_path,
    } = err
    else {
        panic!("expected RaggedRow, got {err:?}")
    };
    assert_eq!(
        (line, expected, found),
        (want_line, want_expected, want_found),
        "{message}"
    );
    assert_eq!(err_path.display().to_string(), path);
    assert!(
        message.starts_with(&format!("{path}:{want_line}:")),
        "{message}"
    );
}

#[rstest]
#[case::second_field("id,amount\n1,2.0\n2,abc\n", "amount", 3, 2, "abc")]
#[case::first_field("a,b\n1,x\n2,y\nthree,z\n", "a", 4, 1, "three")]
#[case::after_multiline_quoted_record("note,a\n\"x\ny\",1\nok,2\nplain,two\n", "a", 5, 2, "two")]
fn bad_number_in_declared_numeric_column(
    #[case] contents: &str,
    #[case] column_name: &str,
    #[case] want_line: u64,
    #[case] want_field: usize,
    #[case] want_value: &str,
) {
    let options = CsvOptions::default().kind(column_name, ColumnKind::Numeric);
    let (err, path) = load_err(contents, &options);
    let message = err.to_string();
    let DataError::BadNumber {
        line,
        column,
        field,
        value,
        ..
    } = err
    else {
        panic!("expected BadNumber, got {err:?}")
    };
    assert_eq!(
        (line, column.as_str(), field, value.as_str()),
        (want_line, column_name, want_field, want_value)
    );
    assert!(
        message.starts_with(&format!("{path}:{want_line}:")),
        "{message}"
    );
    assert!(message.contains(&format!("`{column_name}`")), "{message}");
    assert!(
        message.contains(&format!("field {want_field}")),
        "{message}"
    );
    assert!(message.contains(want_value), "{message}");
}

/// A file of many records is read a batch of records at a time, each batch a column at a
/// time: values, gaps, signs, a level first met late and a level longer than sixteen bytes
/// come out where the file has them, across batches.
#[test]
fn records_read_in_batches_a_column_at_a_time_keep_their_rows() {
    let plan = |i: usize| match i {
        i if i % 97 == 0 => "a plan with a long name".to_string(),
        i if i >= 900 => "late".to_string(),
        i => ["basic", "pro", ""][i % 3].to_string(),
    };
    let value = |i: usize| (i % 11 != 5).then(|| (i as f64 - 500.0) / 8.0);
    let mut csv = String::from("x,plan,n\n");
    for i in 0..1000 {
        let x = value(i).map_or(String::new(), |v| v.to_string());
        csv.push_str(&format!("{x},{},{}\n", plan(i), i as i64 - 300));
    }
    let ds = load(&csv);
    let x = ds.numeric("x").unwrap();
    for i in 0..1000 {
        match value(i) {
            Some(v) => assert_eq!(x.values()[i].to_bits(), v.to_bits(), "row {i}"),
            None => assert!(x.is_missing(i), "row {i}"),
        }
    }
    let n: Vec<f64> = (0..1000).map(|i| i as f64 - 300.0).collect();
    assert_eq!(ds.numeric("n").unwrap().values(), n);
    let plans = ds.categorical("plan").unwrap();
    for i in 0..1000 {
        let found = plans.codes()[i].map(|c| plans.levels()[c as usize].as_str());
        let expected = plan(i);
        assert_eq!(
            found,
            (!expected.is_empty()).then_some(expected.as_str()),
            "row {i}"
        );
    }
}

/// The first bad number in the file is named, though a later column's comes first when a
/// batch of records is read a column at a time.
#[test]
fn the_first_bad_number_in_the_file_is_named_whatever_its_column() {
    let mut csv = String::from("a,plan,c\n");
    for i in 0..1000 {
        let (a, c) = match i {
            700 => ("1.5".to_string(), "x7".to_string()),
            701 => ("y".to_string(), "2".to_string()),
            i => (format!("{i}.25"), format!("-{i}")),
        };
        csv.push_str(&format!("{a},{},{c}\n", ["basic", "pro"][i % 2]));
    }
    let options = CsvOptions::default()
        .kind("a", ColumnKind::Numeric)
        .kind("c", ColumnKind::Numeric);
    let (err, _) = load_err(&csv, &options);
    let DataError::BadNumber {
        line,
        column,
        value,
        ..
    } = err
    else {
        panic!("expected BadNumber, got {err:?}")
    };
    // Row 700 is on line 702, past the header.
    assert_eq!((line, column.as_str(), value.as_str()), (702, "c", "x7"));
}

#[rstest]
#[case::declared_kind(CsvOptions::default().kind("nope", ColumnKind::Numeric))]
#[case::target(CsvOptions::default().target("nope"))]
fn unknown_declared_column(#[case] options: CsvOptions) {
    let (err, path) = load_err("a,b\n1,2\n", &options);
    let message = err.to_string();
    let DataError::UnknownDeclaredColumn {
        column, available, ..
    } = err
    else {
        panic!("expected UnknownDeclaredColumn, got {err:?}")
    };
    assert_eq!(column, "nope");
    assert_eq!(available, "a, b");
    assert!(message.starts_with(&path), "{message}");
    assert!(
        message.contains("`nope`") && message.contains("a, b"),
        "{message}"
    );
}

#[rstest]
#[case::zero_bytes("")]
#[case::blank_lines("\n\n")]
fn empty_file(#[case] contents: &str) {
    let (err, path) = load_err(contents, &CsvOptions::default());
    assert!(matches!(err, DataError::EmptyFile { .. }), "{err:?}");
    assert!(err.to_string().starts_with(&path), "{err}");
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("does-not-exist.csv");
    let err = Dataset::from_csv(&path).unwrap_err();
    let DataError::Io {
        path: err_path,
        source,
    } = &err
    else {
        panic!("expected Io, got {err:?}")
    };
    assert_eq!(err_path, &path);
    assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
    assert!(
        err.to_string().starts_with(&path.display().to_string()),
        "{err}"
    );
}

#[rstest]
#[case::exact("a,b,a\n1,2,3\n")]
#[case::after_trimming("a, b ,b\n1,2,3\n")]
fn duplicate_header(#[case] contents: &str) {
    let (err, path) = load_err(contents, &CsvOptions::default());
    let message = err.to_string();
    let DataError::DuplicateHeader { column, .. } = err else {
        panic!("expected DuplicateHeader, got {err:?}")
    };
    let repeated = if contents.starts_with("a,b,a") {
        "a"
    } else {
        "b"
    };
    assert_eq!(column, repeated);
    assert!(message.starts_with(&format!("{path}:1:")), "{message}");
}

/// CRLF files: every row after the header is on the line after the one the CSV reader's
/// position says (BurntSushi/rust-csv#395: `Position::line` only counts the `\n` of a `\r\n`
/// when the next record is read), so errors must still name the physical line.
#[rstest]
#[case::ragged_row_on_line_3("a,b\r\n1,2\r\n3\r\n", 3)]
#[case::ragged_row_on_line_4("a,b\r\n1,2\r\n3,4\r\n5\r\n", 4)]
#[case::bad_number_on_line_2("a,b\r\nx,2\r\n3,4\r\n", 2)]
#[case::bad_number_on_line_4("a,b\r\n1,2\r\n3,4\r\nx,5\r\n", 4)]
fn crlf_file_errors_name_the_physical_line(#[case] contents: &str, #[case] want_line: u64) {
    // The same file with LF line ends gives the line expected here.
    let (lf_err, _) = load_err(
        &contents.replace("\r\n", "\n"),
        &CsvOptions::default().kind("a", ColumnKind::Numeric),
    );
    let (err, path) = load_err(
        contents,
        &CsvOptions::default().kind("a", ColumnKind::Numeric),
    );
    let line = match (&lf_err, &err) {
        (DataError::RaggedRow { line: lf, .. }, DataError::RaggedRow { line, .. })
        | (DataError::BadNumber { line: lf, .. }, DataError::BadNumber { line, .. }) => {
            assert_eq!(*lf, want_line, "LF control: {lf_err}");
            *line
        }
        _ => panic!("expected the same error kind for LF and CRLF: {lf_err:?} vs {err:?}"),
    };
    assert_eq!(line, want_line, "{err}");
    assert!(
        err.to_string().starts_with(&format!("{path}:{want_line}:")),
        "{err}"
    );
}

#[test]
fn invalid_utf8_is_a_csv_error_naming_file_and_line() {
    let file = temp_csv_bytes(b"a,b\n1,x\n2,\xFF\xFE\n");
    let err = Dataset::from_csv(&file.path).unwrap_err();
    let path = file.path.display().to_string();
    assert!(matches!(err, DataError::Csv { line: 3, .. }), "{err:?}");
    assert!(err.to_string().starts_with(&format!("{path}:3:")), "{err}");
}

#[test]
fn a_nan_that_is_not_a_missing_token_is_text_not_a_silent_missing_value() {
    let ds = load("x,y\n1,nan\n2,3\n");
    assert_eq!(ds.column("y").unwrap().kind(), ColumnKind::Categorical);
    let (err, _) = load_err(
        "x,y\n1,nan\n",
        &CsvOptions::default().kind("y", ColumnKind::Numeric),
    );
    assert!(matches!(err, DataError::BadNumber { line: 2, .. }), "{err}");
    // Infinities are numbers (a schema flags them); they are not missing.
    let ds = load("x\ninf\n-infinity\n");
    assert_eq!(
        ds.numeric("x").unwrap().values(),
        &[f64::INFINITY, f64::NEG_INFINITY]
    );
}

#[test]
fn several_unknown_declared_columns_name_the_first_in_name_order() {
    let options = CsvOptions::default()
        .kind("zz", ColumnKind::Numeric)
        .kind("bb", ColumnKind::Numeric);
    let (err, _) = load_err("a\n1\n", &options);
    assert!(err.to_string().contains("`bb`"), "{err}");
}

/// Issue 14, bug 3: `x,,plan` was read with a column named "".
#[rstest]
#[case::middle("x,,plan\n1,2,a\n", 2)]
#[case::first(",x\n1,2\n", 1)]
#[case::blank_after_trim("x, ,plan\n1,2,a\n", 2)]
fn an_empty_header_name_is_an_error_naming_its_position(
    #[case] contents: &str,
    #[case] column: usize,
) {
    let (err, path) = load_err(contents, &CsvOptions::default());
    assert_eq!(
        err.to_string(),
        format!("{path}:1: column {column} of the header has no name")
    );
    assert!(matches!(err, DataError::EmptyHeader { column: c, .. } if c == column));
}

/// Issue 14, bug 3: an unterminated quote on row 2 of 3 was read as one row, the rest of the
/// file swallowed into one field, with no error.
#[rstest]
#[case::middle_row("a,b,c\n1,2,x\n3,\"4,y\n5,6,z\n", 3)]
#[case::last_field("a,b\n1,x\n2,\"y\n", 3)]
#[case::crlf("a,b\r\n1,\"x\r\n2,y\r\n", 2)]
fn an_unterminated_quote_is_an_error_naming_its_line(#[case] contents: &str, #[case] line: u64) {
    let (err, path) = load_err(contents, &CsvOptions::default());
    assert_eq!(
        err.to_string(),
        format!("{path}:{line}: a quoted field opened on this line is never closed (the rest of the file would be read into it)")
    );
}

#[rstest]
#[case::quoted_newline("a,b\n1,\"two\nlines\"\n")]
#[case::escaped_quotes("a,b\n1,\"say \"\"hi\"\"\"\n")]
#[case::quote_inside_a_bare_field("a,b\n1,5\"\n")]
fn closed_and_literal_quotes_still_load(#[case] contents: &str) {
    assert_eq!(load(contents).n_rows(), 1);
}

/// Issue 14: a field has a size limit, reported with its line and column, and raised by an option.
#[test]
fn a_field_over_the_size_limit_names_line_and_column() {
    let big = "x".repeat(200);
    let contents = format!("id,notes\n1,short\n2,{big}\n");
    let (err, path) = load_err(&contents, &CsvOptions::default().max_field_bytes(100));
    assert_eq!(
        err.to_string(),
        format!("{path}:3: field 2 (`notes`) has 200 bytes, more than the 100 accepted (a stray quote swallowing rows? raise CsvOptions::max_field_bytes if the data is right)")
    );
    let raised = Dataset::from_csv_bytes(
        contents.as_bytes(),
        "notes.csv",
        &CsvOptions::default().max_field_bytes(200),
    )
    .unwrap();
    assert_eq!(
        raised.categorical("notes").unwrap().get(1),
        Some(big.as_str())
    );
}

#[test]
fn an_oversize_field_from_an_open_quote_is_reported_as_the_quote() {
    let rows: String = (0..50).map(|i| format!("{i},row {i}\n")).collect();
    let contents = format!("id,notes\n1,\"never closed\n{rows}");
    let (err, path) = load_err(&contents, &CsvOptions::default().max_field_bytes(64));
    assert!(
        err.to_string().starts_with(&format!(
            "{path}:2: a quoted field opened on this line is never closed"
        )),
        "{err}"
    );
}
