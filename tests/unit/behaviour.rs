//! `mlharness::behaviour`, `mlharness::budget` and `pipeline::Parity`: each passes on a sound
//! model and fails, showing the rows, on the broken one it exists for.

use mlharness::behaviour::{
    minimum_functionality, Direction, Directional, Invariance, Perturbation,
};
use mlharness::budget::TimeBudget;
use mlharness::check::Checked;
use mlharness::data::{Column, Dataset};
use mlharness::model::{ModelError, Predictions};
use mlharness::pipeline::Parity;
use ndarray::Array2;
use std::time::Duration;

/// 200 customers: tenure 0..199 months, a plan, a flag.
fn customers() -> Dataset {
    let tenure: Vec<f64> = (0..200).map(f64::from).collect();
    let plan: Vec<Option<&str>> = (0..200)
        .map(|i| Some(if i % 3 == 0 { "pro" } else { "basic" }))
        .collect();
    let flag: Vec<f64> = (0..200).map(|i| f64::from(i % 2)).collect();
    Dataset::from_columns(vec![
        ("tenure".into(), Column::numeric(tenure)),
        ("plan".into(), Column::categorical(plan)),
        ("flag".into(), Column::numeric(flag)),
    ])
    .unwrap()
}

/// P(churn): falls with tenure, higher on `pro`; two classes with probabilities.
fn churn_model(tenure_sign: f64) -> impl Fn(&Dataset) -> Result<Predictions, ModelError> {
    move |d: &Dataset| {
        let t = d.numeric("tenure")?.values();
        let plan = d.categorical("plan")?;
        let p: Vec<f64> = (0..d.n_rows())
            .map(|i| {
                let pro = if plan.get(i) == Some("pro") { 0.5 } else { 0.0 };
                1.0 / (1.0 + (tenure_sign * 0.02 * t[i] - pro).exp())
            })
            .collect();
        let probabilities =
            Array2::from_shape_fn(
                (p.len(), 2),
                |(i, k)| if k == 1 { p[i] } else { 1.0 - p[i] },
            );
        Predictions::probabilities(vec!["no".into(), "yes".into()], probabilities)
    }
}

#[test]
fn directional_passes_a_sound_model_and_names_the_rows_of_a_reversed_one() {
    let data = customers();
    let longer = || Directional::new("tenure", Perturbation::Add(12.0)).must_not_increase();
    longer().check(&churn_model(1.0), &data).assert_passed();
    let failure = longer()
        .check(&churn_model(-1.0), &data)
        .assert_failed()
        .to_string();
    assert!(
        failure.starts_with("FAILED directional: `tenure` + 12 must not increase the score: 200 of 200 rows the wrong way (100.00%, allowed 5.00%)"),
        "{failure}"
    );
    assert!(
        failure.contains("row  score before  score after"),
        "{failure}"
    );
    // A sign table checks several features at once; a categorical is set, not added to.
    let table = Directional::table(&[("tenure", Direction::NotUp)], 12.0);
    table[0].check(&churn_model(1.0), &data).assert_passed();
    Directional::new("plan", Perturbation::Set("pro".into()))
        .must_not_decrease()
        .check(&churn_model(1.0), &data)
        .assert_passed();
    // A setting out of range, or a numeric perturbation of a categorical, cannot run.
    let err = longer()
        .max_share(2.0)
        .check(&churn_model(1.0), &data)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`max_share` must be between 0 and 1"),
        "{err}"
    );
    assert!(Directional::new("plan", Perturbation::Add(1.0))
        .check(&churn_model(1.0), &data)
        .is_err());
}

#[test]
fn invariance_catches_a_model_that_reads_a_feature_it_should_ignore() {
    let data = customers();
    let flip_flag = |d: &Dataset| {
        let f = d
            .numeric("flag")?
            .values()
            .iter()
            .map(|v| 1.0 - v)
            .collect();
        d.replace_column("flag", Column::numeric(f))
    };
    Invariance::new("the flag flipped")
        .check(&churn_model(1.0), &data, flip_flag)
        .assert_passed();
    let reads_flag = |d: &Dataset| -> Result<Predictions, ModelError> {
        let base = churn_model(1.0)(d)?;
        let flag = d.numeric("flag")?.values().to_vec();
        let p = base.as_classes().unwrap().probabilities().unwrap().clone();
        let p = Array2::from_shape_fn(p.dim(), |(i, k)| {
            let shift = 0.01 * flag[i];
            if k == 1 {
                p[[i, 1]] - shift
            } else {
                p[[i, 0]] + shift
            }
        });
        Predictions::probabilities(vec!["no".into(), "yes".into()], p)
    };
    let failure = Invariance::new("the flag flipped")
        .check(&reads_flag, &data, flip_flag)
        .assert_failed()
        .to_string();
    assert!(
        failure.starts_with("FAILED invariance: the flag flipped: 200 of 200 rows changed"),
        "{failure}"
    );
    let dropped = Invariance::new("rows dropped").check(&churn_model(1.0), &data, |d| d.take(&[0]));
    assert!(dropped
        .unwrap_err()
        .to_string()
        .contains("changed the row count (200 → 1)"));
}

#[test]
fn minimum_functionality_lists_each_case_with_the_wrong_label() {
    let cases = Dataset::from_columns(vec![
        ("tenure".into(), Column::numeric(vec![0.0, 190.0, 2.0])),
        (
            "plan".into(),
            Column::categorical([Some("pro"), Some("basic"), Some("basic")]),
        ),
        (
            "churn".into(),
            Column::categorical([Some("yes"), Some("no"), Some("yes")]),
        ),
    ])
    .unwrap()
    .with_target("churn")
    .unwrap();
    let failure = minimum_functionality(&churn_model(1.0), &cases)
        .assert_failed()
        .to_string();
    // Row 2 (a new basic customer, P(yes) = 0.49…) is the one hand-written case the model misses.
    assert!(
        failure.starts_with(
            "FAILED minimum functionality (3 cases): 1 of 3 cases got the wrong label"
        ),
        "{failure}"
    );
    assert!(
        failure.contains("2    yes       no         0.510"),
        "{failure}"
    );
}

#[test]
fn relative_time_budgets_catch_row_by_row_batch_scoring() {
    let data = customers();
    // A model whose every call pays a fixed setup cost (1 ms: a session, buffers), as real
    // ones do; its batch path is vectorised.
    let vectorised = |d: &Dataset| {
        std::thread::sleep(Duration::from_millis(1));
        churn_model(1.0)(d)
    };
    // The bug: each row scored on its own, a batch API looping over single-row calls.
    let row_by_row = |d: &Dataset| -> Result<Predictions, ModelError> {
        let mut p = Vec::with_capacity(d.n_rows());
        for i in 0..d.n_rows() {
            let one = vectorised(&d.take(&[i])?)?;
            p.push(one.as_classes().unwrap().positive_scores().unwrap()[0]);
        }
        Ok(Predictions::values(p))
    };
    let one_row = data.take(&[0]).unwrap();
    // 200 rows may cost at most 20 single-row calls: true of a vectorised batch.
    let budget = TimeBudget::relative(20.0).runs(3);
    budget
        .check_against(
            "200 rows vs 1",
            || vectorised(&one_row),
            || vectorised(&data),
        )
        .assert_passed();
    let failure = budget
        .check_against(
            "200 rows vs 1",
            || row_by_row(&one_row),
            || row_by_row(&data),
        )
        .assert_failed()
        .to_string();
    assert!(
        failure.starts_with(
            "FAILED time budget: 200 rows vs 1 within 20× the reference: the candidate takes"
        ),
        "{failure}"
    );
    // An absolute budget; a failing call fails the check, naming the run.
    TimeBudget::at_most(Duration::from_secs(30))
        .check("200 rows", || vectorised(&data))
        .assert_passed();
    let broken = TimeBudget::at_most(Duration::from_secs(1))
        .check("a broken call", || Err::<(), _>("no model"))
        .assert_failed()
        .to_string();
    assert!(
        broken.contains("run 1 of the timed call failed: no model"),
        "{broken}"
    );
    assert!(TimeBudget::at_most(Duration::from_secs(1))
        .runs(0)
        .check("x", || Ok::<_, String>(()))
        .is_err());
}

#[test]
fn parity_names_swapped_columns_and_a_serving_default() {
    let data = customers();
    let names = ["tenure", "flag", "flag_copy"];
    let training = |d: &Dataset| -> Result<Array2<f64>, mlharness::data::DataError> {
        let mut x = d.to_array(&["tenure", "flag"])?;
        x.push_column(
            d.numeric("flag")?
                .values()
                .iter()
                .map(|v| 1.0 - v)
                .collect::<Vec<_>>()
                .as_slice()
                .into(),
        )
        .unwrap();
        Ok(x)
    };
    Parity::new()
        .check(&data, &names, training, training)
        .assert_passed();
    // Serving swaps `flag` with its complement and fills `tenure` with a default.
    let serving = |d: &Dataset| -> Result<Array2<f64>, mlharness::data::DataError> {
        let mut x = training(d)?;
        let (a, b) = (x.column(1).to_owned(), x.column(2).to_owned());
        x.column_mut(1).assign(&b);
        x.column_mut(2).assign(&a);
        x.column_mut(0).fill(0.0);
        Ok(x)
    };
    let failure = Parity::new()
        .check(&data, &names, training, serving)
        .assert_failed()
        .to_string();
    insta::assert_snapshot!(failure);
    assert!(
        failure.contains("equals training `flag_copy`: swapped?"),
        "{failure}"
    );
    assert!(
        failure.contains("constant 0 at serving: a default?"),
        "{failure}"
    );
    let broken =
        |_: &Dataset| -> Result<Array2<f64>, String> { Err("no such column `plan`".into()) };
    let failure = Parity::new()
        .check(&data, &names, training, broken)
        .assert_failed()
        .to_string();
    assert!(
        failure.contains("the serving path failed on 200 rows: no such column `plan`"),
        "{failure}"
    );
    // The end-to-end form compares predictions.
    Parity::new()
        .predictions(&data, &churn_model(1.0), &churn_model(1.0))
        .assert_passed();
    let failure = Parity::new()
        .predictions(&data, &churn_model(1.0), &churn_model(-1.0))
        .assert_failed()
        .to_string();
    assert!(
        failure.starts_with(
            "FAILED train/serve parity (predictions): 2 of 2 prediction columns differ"
        ),
        "{failure}"
    );
}
