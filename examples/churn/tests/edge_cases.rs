//! Edge cases of the churn model: every oddity of `mlharness::edge` on a holdout of the churn
//! data, under the checked-in schema. The model must predict through out-of-range values,
//! unseen categories and missing values, and refuse (with the schema agreeing) a missing
//! column, NaN and infinity — in every column, each column oddity going into each feature
//! column of its kind in turn.

use churn::{load_churn, ChurnModel, TrainConfig};
use mlharness::budget::TimeBudget;
use mlharness::data::Dataset;
use mlharness::schema::Schema;
use std::time::Duration;

/// The model trained on a quarter of the training split: each test trains its own (nextest
/// runs every test in its own process), and the contract does not depend on the model's skill.
fn model() -> ChurnModel {
    let split = load_churn()
        .unwrap()
        .split_stratified("churn", 0.2, 42)
        .unwrap();
    let config = TrainConfig {
        training_fraction: 0.25,
        ..TrainConfig::default()
    };
    ChurnModel::train(&split.train, &config).unwrap()
}

/// 200 held-out subscribers.
fn holdout() -> Dataset {
    let split = load_churn()
        .unwrap()
        .split_stratified("churn", 0.2, 42)
        .unwrap();
    split.test.take(&(0..200).collect::<Vec<_>>()).unwrap()
}

fn schema() -> Schema {
    churn::schema().clone()
}

mlharness::edge_cases! {
    model: model(),
    data: holdout(),
    schema: schema(),
    expect_error: [missing_column, nan, positive_infinity, negative_infinity],
    expect_prediction: [
        missing_values_one_column, missing_values_everywhere, all_missing_column, huge_values,
        huge_negative_values, far_out_of_range, negative_values, just_above_max, just_below_min,
        unseen_category, empty_string_category, whitespace_category, empty_batch, single_row,
        duplicated_rows, constant_column, extra_column, shuffled_column_order, large_batch
    ],
    // 100,000 rows scored in seconds even in a debug build; rows scored one by one take minutes.
    time_budget: TimeBudget::at_most(Duration::from_secs(10)).runs(3),
}

/// The oddities aimed at the columns that matter to this model, not at the file's first
/// columns (`state`, `account_length`): a NaN in the day minutes, an unseen category in the
/// international plan.
mod aimed {
    use super::*;

    mlharness::edge_cases! {
        model: model(),
        data: holdout(),
        schema: schema(),
        expect_error: [nan],
        expect_prediction: [unseen_category, just_above_max],
        only: [nan, unseen_category, just_above_max],
        aim: ["total_day_minutes", "international_plan"],
    }
}
