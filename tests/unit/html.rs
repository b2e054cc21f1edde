//! The parts every HTML report is made of: pages, outcomes, charts that never panic, and the
//! validation report's page.

use mlharness::data::{Column, Dataset};
use mlharness::html::{self, chart};
use mlharness::prelude::*;
use mlharness::schema::Schema;

#[test]
fn charts_of_nothing_keep_their_words_and_draw_no_picture() {
    let empty = chart::histograms("x", &[], [("reference", &[][..]), ("current", &[][..])]);
    assert!(
        empty.svg().is_empty() && empty.alt().contains("no picture: no bins"),
        "{}",
        empty.alt()
    );
    let constant = chart::ecdfs(
        "x",
        [("reference", &[2.0, 2.0][..]), ("current", &[2.0, 2.0][..])],
        None,
    );
    assert!(
        constant.svg().starts_with("<svg"),
        "a constant column still has an axis"
    );
    let no_samples = chart::latency("GET /", &[f64::NAN], &[("p50", 1.0)]);
    assert!(no_samples.svg().is_empty() && no_samples.alt().contains("over 0 requests"));
    assert!(chart::bars("none", &[], "rows").svg().is_empty());
    let rendered = html::maud::Render::render(&empty).into_string();
    assert!(rendered.contains("No chart.") && rendered.contains("<figcaption>"));
}

#[test]
fn a_long_category_list_is_counted_not_listed_in_words() {
    let levels: Vec<String> = (0..40).map(|i| format!("level{i:02}")).collect();
    let a: Vec<f64> = (0..40).map(|i| if i == 7 { 100.0 } else { 10.0 }).collect();
    let b = vec![10.0; 40];
    let c = chart::category_shares("plan", &levels, [("reference", &a), ("current", &b)]);
    assert!(
        c.alt().contains("largest changes first: level07"),
        "{}",
        c.alt()
    );
    assert!(c.alt().contains("and 30 more levels"), "{}", c.alt());
}

#[test]
fn an_outcome_shows_its_verdict_headline_table_and_notes() {
    let mut t = mlharness::table::Table::new(["column", "rows"]);
    t.row(["age", "3"]);
    let o = Outcome::fail(Kind::Unit, "scaled", "column `age` has mean 3")
        .with_table(t)
        .with_note("rows are 0-based");
    let page = html::page("unit checks", Some(false), html::outcome(&o));
    for needle in [
        "FAIL",
        "FAILED",
        "column `age` has mean 3",
        "<td>age</td>",
        "rows are 0-based",
        "table class=\"sortable\"",
    ] {
        assert!(page.contains(needle), "missing {needle}");
    }
}

#[test]
fn the_validation_page_shows_violations_per_column_with_their_rows() {
    let train = Dataset::from_columns(vec![(
        "age".into(),
        Column::numeric(vec![20.0, 30.0, 40.0]),
    )])
    .unwrap();
    let bad = Dataset::from_columns(vec![(
        "age".into(),
        Column::numeric(vec![25.0, 400.0, -1.0, f64::NAN]),
    )])
    .unwrap();
    let report = Schema::infer(&train).validate(&bad);
    let page = report.to_html();
    assert!(page.contains("<span class=\"verdict fail\">FAIL</span>"));
    assert!(
        page.contains("out_of_range") && page.contains("<td>1, 2</td>"),
        "{page}"
    );
    assert!(
        page.contains("Rows in violation per column (rows): age"),
        "the chart's words"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/validation.html");
    report.write_html(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), page);
}

#[test]
fn page_file_names_are_safe_and_bounded() {
    assert_eq!(html::page_file_name("a::b"), "a.b.html");
    let odd = html::page_file_name("../../etc/passwd");
    assert!(
        odd.starts_with(".._.._etc_passwd-") && !odd.contains('/'),
        "{odd}"
    );
    assert_ne!(
        html::page_file_name("a b"),
        html::page_file_name("a_b"),
        "changed names keep a hash"
    );
    assert!(html::page_file_name(&"x".repeat(1000)).len() <= 172);
}

#[test]
fn infinite_and_nan_values_give_words_not_a_hang_or_a_panic() {
    // plotters never finishes laying out an infinite axis: a diverged model's MSE is infinite.
    let b = chart::bars(
        "MSE",
        &[("model".into(), f64::INFINITY), ("baseline".into(), 2.0)],
        "mse",
    );
    assert!(
        b.svg().starts_with("<svg") && b.alt().contains("model inf"),
        "{}",
        b.alt()
    );
    let all_inf = chart::bars("MSE", &[("model".into(), f64::INFINITY)], "mse");
    assert!(all_inf.alt().contains("model inf"));
    let row = mlharness::figure::IntervalRow {
        label: "all".into(),
        estimate: f64::NAN,
        low: f64::NEG_INFINITY,
        high: 1.0,
        reference: Some(0.0),
    };
    let i = chart::intervals("improvement", &[row], "mse", "margin");
    assert!(i.alt().contains("all NaN"), "{}", i.alt());
    let l = chart::latency("GET /", &[1.0, 2.0], &[("limit", f64::INFINITY)]);
    assert!(l.svg().starts_with("<svg"));
    let h = chart::histograms(
        "x",
        &[0.0, f64::NAN],
        [("reference", &[1][..]), ("current", &[1][..])],
    );
    assert!(
        h.svg().is_empty() && h.alt().contains("no finite range"),
        "{}",
        h.alt()
    );
    let mismatched = chart::histograms(
        "x",
        &[0.0, 1.0],
        [("reference", &[1, 2, 3][..]), ("current", &[1][..])],
    );
    assert!(mismatched.svg().is_empty());
}

#[test]
fn a_drift_page_of_extreme_values_and_endless_new_levels_is_drawn_and_bounded() {
    use mlharness::drift::{DriftOptions, Profile, PROFILE_LEVELS};
    let huge = Dataset::from_columns(vec![(
        "x".into(),
        Column::numeric(vec![f64::MAX, -f64::MAX, 0.0, 1.0]),
    )])
    .unwrap();
    let page = DriftOptions::default()
        .compare(&huge, &huge)
        .unwrap()
        .to_html();
    assert!(
        page.contains("Histogram of x"),
        "the words stay when the axis cannot be drawn"
    );
    // Few reference levels, a thousand new ones: the profile keeps its bound.
    let reference = Dataset::from_columns(vec![(
        "id".into(),
        Column::categorical((0..200).map(|i| Some(if i % 2 == 0 { "a" } else { "b" }))),
    )])
    .unwrap();
    let new: Vec<String> = (0..1000).map(|i| format!("new{i}")).collect();
    let current = Dataset::from_columns(vec![(
        "id".into(),
        Column::categorical(new.iter().map(|s| Some(s.as_str()))),
    )])
    .unwrap();
    let report = DriftOptions::default()
        .compare(&reference, &current)
        .unwrap();
    let Some(Profile::Categorical {
        levels, current, ..
    }) = &report.distribution("id").unwrap().profile
    else {
        panic!("categorical profile");
    };
    assert!(
        levels.len() <= PROFILE_LEVELS && levels.last().map(String::as_str) == Some("(rest)"),
        "{levels:?}"
    );
    assert_eq!(
        current.iter().sum::<f64>(),
        1000.0,
        "nothing is lost in the bound"
    );
}
