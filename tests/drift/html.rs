//! The drift report as HTML: one section per column with its charts, bounded in size, no
//! network, escaped text, and the page a failing `assert_no_drift!` leaves behind.

use super::{churn, replace_column, shift_column};
use mlharness::data::{Column, Dataset};
use mlharness::drift::{DriftOptions, Profile};

/// The column sections of a page: the text from each `<section class="column` to the next.
fn sections(page: &str) -> Vec<&str> {
    page.split("<section class=\"column").skip(1).collect()
}

#[test]
fn every_churn_column_has_its_section_and_chart_sorted_by_effect() {
    let shifted = shift_column(churn(), "total_day_minutes", 0.5);
    let report = DriftOptions::default().compare(churn(), &shifted).unwrap();
    let page = report.to_html();
    let found = sections(&page);
    assert_eq!(found.len(), churn().n_columns(), "one section per column");
    for (name, column) in churn().columns() {
        let section = found
            .iter()
            .find(|s| s.contains(&format!("<code>{name}</code>")))
            .unwrap_or_else(|| panic!("no section for {name}"));
        let charts = section.matches("<svg").count();
        let expected = if matches!(column, Column::Numeric(_)) {
            2
        } else {
            1
        };
        assert_eq!(charts, expected, "{name}: histogram and ECDF, or bars");
        assert!(
            section.contains("<figcaption>"),
            "{name}: a text alternative"
        );
    }
    // The drifted column comes first, marked, with its KS distance in the ECDF's caption.
    assert!(found[0].contains("<code>total_day_minutes</code>") && found[0].contains("DRIFT"));
    let ks = report
        .distribution("total_day_minutes")
        .unwrap()
        .statistic
        .unwrap();
    assert!(
        found[0].contains(&format!(
            "largest distance between the reference and the current is {}",
            mlharness::table::significant(ks, 3)
        )),
        "{}",
        &found[0][..2000.min(found[0].len())]
    );
    assert!(page.contains("<span class=\"verdict fail\">FAIL</span>"));
}

#[test]
fn a_profile_is_the_data_in_brief_and_its_gap_is_the_ks_distance() {
    let shifted = shift_column(churn(), "account_length", 0.3);
    let report = DriftOptions::default().compare(churn(), &shifted).unwrap();
    let row = report.distribution("account_length").unwrap();
    let Some(Profile::Numeric {
        edges,
        reference,
        current,
        reference_quantiles,
        ks_at,
        ..
    }) = &row.profile
    else {
        panic!("numeric profile expected: {row:?}");
    };
    assert_eq!(edges.len(), reference.len() + 1);
    assert_eq!(reference.iter().sum::<usize>(), churn().n_rows());
    assert_eq!(current.iter().sum::<usize>(), churn().n_rows());
    assert_eq!(
        reference_quantiles.len(),
        mlharness::drift::PROFILE_QUANTILES
    );
    assert!(reference_quantiles.windows(2).all(|w| w[0] <= w[1]));
    let gap = (ks_at.reference - ks_at.current).abs();
    assert!(
        (gap - row.statistic.unwrap()).abs() < 1e-12,
        "{gap} vs {:?}",
        row.statistic
    );
    let plan = report.distribution("international_plan").unwrap();
    let Some(Profile::Categorical {
        levels, reference, ..
    }) = &plan.profile
    else {
        panic!("categorical profile expected");
    };
    assert_eq!(levels, &["no", "yes"]);
    assert_eq!(reference.iter().sum::<f64>() as usize, churn().n_rows());
}

#[test]
fn a_hundred_columns_fit_in_two_megabytes() {
    let column = |seed: usize, shift: f64| {
        Column::numeric(
            (0..20_000)
                .map(|i| ((i * 7919 + seed * 104_729) % 10_007) as f64 / 97.0 + shift)
                .collect(),
        )
    };
    let make = |shift: f64| {
        Dataset::from_columns(
            (0..100)
                .map(|c| (format!("feature_{c:03}"), column(c, shift)))
                .collect(),
        )
        .unwrap()
    };
    let page = DriftOptions::default()
        .compare(&make(0.0), &make(3.0))
        .unwrap()
        .to_html();
    assert_eq!(sections(&page).len(), 100);
    assert_eq!(page.matches("<svg").count(), 200);
    assert!(page.len() <= 2_000_000, "{} bytes", page.len());
}

#[test]
fn the_page_needs_no_network_and_escapes_what_the_data_holds() {
    let hostile = "<script>alert(1)</script>";
    let a = replace_column(
        churn(),
        "state",
        Column::categorical(
            (0..churn().n_rows()).map(|i| Some(if i % 2 == 0 { hostile } else { "x" })),
        ),
    );
    let page = DriftOptions::default().compare(&a, &a).unwrap().to_html();
    assert!(!page.contains(hostile), "category text is escaped");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for needle in [
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
        "<link",
        "<img",
    ] {
        assert!(
            !page.contains(needle),
            "the page fetches nothing: found {needle}"
        );
    }
    // One inline script (sorting), one inline style.
    assert_eq!(page.matches("<script>").count(), 1);
    assert_eq!(page.matches("<style>").count(), 1);
}

#[test]
fn a_failing_assert_no_drift_leaves_its_page_and_names_it() {
    let shifted = shift_column(churn(), "total_eve_minutes", 1.0);
    let panic =
        std::panic::catch_unwind(|| mlharness::assert_no_drift!(churn(), shifted)).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    let path = message
        .lines()
        .last()
        .and_then(|l| l.trim().strip_prefix("report: "))
        .unwrap_or_else(|| panic!("the last line names the page: {message}"));
    assert!(
        path.ends_with("a_failing_assert_no_drift_leaves_its_page_and_names_it.html"),
        "{path}"
    );
    let page = std::fs::read_to_string(path).unwrap();
    assert!(page.contains("<code>total_eve_minutes</code>") && page.contains("<svg"));
    assert!(
        message.starts_with("DRIFT: 1 of 20 columns drifted"),
        "{message}"
    );
}
