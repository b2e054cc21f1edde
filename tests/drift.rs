//! Drift and statistical tests: `mlharness::stats` against scipy's reference values, drift
//! reports on real and shifted data, the `drift_test!` macro, and shadow mode.

#[path = "common/mod.rs"]
mod common;
pub use common::{churn, repo_file};
#[path = "drift/domain.rs"]
mod domain;
#[cfg(feature = "html")]
#[path = "drift/html.rs"]
mod html;
#[path = "drift/report.rs"]
mod report;
#[path = "drift/shadow.rs"]
mod shadow;
#[path = "drift/stats.rs"]
mod stats;

use mlharness::data::{Column, Dataset};

/// `ds` with numeric `column` moved by `sds` of its own (population) standard deviations.
pub fn shift_column(ds: &Dataset, column: &str, sds: f64) -> Dataset {
    let values = ds.numeric(column).unwrap().values();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    let moved: Vec<f64> = values.iter().map(|v| v + sds * sd).collect();
    replace_column(ds, column, Column::numeric(moved))
}

/// `ds` with `column` replaced (same position, target kept).
pub fn replace_column(ds: &Dataset, column: &str, new: Column) -> Dataset {
    let columns = ds
        .columns()
        .map(|(name, c)| {
            let c = if name == column {
                new.clone()
            } else {
                c.clone()
            };
            (name.to_string(), c)
        })
        .collect();
    let out = Dataset::from_columns(columns).unwrap();
    match ds.target_name() {
        Some(t) => out.with_target(t).unwrap(),
        None => out,
    }
}

fn first_half() -> Dataset {
    churn().split_random(0.5, 11).unwrap().train
}

fn second_half() -> Dataset {
    churn().split_random(0.5, 11).unwrap().test
}

fn second_half_with_busier_evenings() -> Dataset {
    shift_column(&second_half(), "total_eve_calls", 0.5)
}

// Named tests `mlharness_drift::churn_second_half` and `mlharness_drift::churn_busier_evenings`.
mlharness::drift_test! {
    reference: first_half(),
    no_drift: { churn_second_half => second_half() },
    drift: { churn_busier_evenings => second_half_with_busier_evenings() },
}
