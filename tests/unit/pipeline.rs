//! `mlharness::pipeline`: the checks pass on a sound pipeline and fail, naming the cause, on
//! the broken ones.

use mlharness::check::Checked;
use mlharness::data::{Column, Dataset};
use mlharness::model::{ModelError, Predictions};
use mlharness::pipeline::{filters_rows, Invariant, PipelineCheck};
use std::sync::atomic::{AtomicU64, Ordering};

fn data() -> Dataset {
    Dataset::from_columns(vec![
        (
            "x".into(),
            Column::numeric((0..40).map(|i| f64::from(i % 13)).collect()),
        ),
        (
            "y".into(),
            Column::numeric((0..40).map(|i| f64::from(i % 7)).collect()),
        ),
    ])
    .unwrap()
}

fn halves() -> (Dataset, Dataset) {
    let d = data();
    (
        d.take(&(0..30).collect::<Vec<_>>()).unwrap(),
        d.take(&(30..40).collect::<Vec<_>>()).unwrap(),
    )
}

type Predict = Box<dyn Fn(&Dataset) -> Result<Predictions, ModelError> + Send + Sync>;

/// A sound pipeline: learns the mean of `x` (with a seeded jitter), predicts x - mean + y / 10.
fn sound(train: &Dataset, seed: u64) -> Result<Predict, ModelError> {
    let mean =
        train.numeric("x")?.present().sum::<f64>() / train.n_rows() as f64 + seed as f64 * 1e-6;
    Ok(Box::new(move |d: &Dataset| {
        let (x, y) = (d.numeric("x")?.values(), d.numeric("y")?.values());
        Ok(Predictions::values(
            x.iter().zip(y).map(|(a, b)| a - mean + b / 10.0).collect(),
        ))
    }))
}

#[test]
fn a_sound_pipeline_passes_every_check() {
    let (train, holdout) = halves();
    let check = PipelineCheck::new(sound, train, holdout);
    for c in [
        Invariant::OnePredictionPerRow,
        Invariant::FinitePredictions,
        Invariant::SameSeedSameModel,
        Invariant::BatchInvariance,
        Invariant::RowOrderInvariance,
        Invariant::ColumnOrderInvariance,
    ] {
        check.run(c).assert_passed();
    }
}

#[test]
fn a_pipeline_whose_single_row_output_differs_from_its_batch_output_fails() {
    let (train, holdout) = halves();
    // Buggy: standardises with the statistics of the batch at prediction time.
    let batchy = |_: &Dataset, _: u64| -> Result<Predict, ModelError> {
        Ok(Box::new(|d: &Dataset| {
            let x = d.numeric("x")?.values();
            let m = x.iter().sum::<f64>() / x.len() as f64;
            Ok(Predictions::values(x.iter().map(|v| v - m).collect()))
        }))
    };
    let err = PipelineCheck::new(batchy, train, holdout)
        .batch_invariance()
        .assert_failed()
        .to_string();
    insta::assert_snapshot!(err);
    assert!(err.starts_with("FAILED batch_invariance: "), "{err}");
    assert!(
        err.contains("a row's prediction depends on the batch it is in"),
        "{err}"
    );
}

#[test]
fn a_pipeline_with_an_unseeded_rng_fails_same_seed_same_model() {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let (train, holdout) = halves();
    // Buggy: ignores the seed (here: a different jitter on every fit, as an unseeded RNG gives).
    let unseeded = |t: &Dataset, _seed: u64| sound(t, CALLS.fetch_add(1, Ordering::SeqCst) + 1);
    let err = PipelineCheck::new(unseeded, train, holdout)
        .same_seed_same_model()
        .assert_failed()
        .to_string();
    insta::assert_snapshot!(err);
    assert!(err.contains("10 of 10 rows differ"), "{err}");
    assert!(
        err.contains("the seed does not control (an unseeded RNG"),
        "{err}"
    );
}

#[test]
fn positional_columns_and_order_dependence_are_caught() {
    let (train, holdout) = halves();
    let positional = |_: &Dataset, _: u64| -> Result<Predict, ModelError> {
        Ok(Box::new(|d: &Dataset| {
            let first = d.columns().next().unwrap().0.to_string();
            Ok(Predictions::values(d.numeric(&first)?.values().to_vec()))
        }))
    };
    let err = PipelineCheck::new(positional, train.clone(), holdout.clone())
        .column_order_invariance()
        .assert_failed();
    assert!(
        err.to_string()
            .contains("reads columns by position, not by name"),
        "{err}"
    );
    let cumulative = |_: &Dataset, _: u64| -> Result<Predict, ModelError> {
        Ok(Box::new(|d: &Dataset| {
            let mut acc = 0.0;
            Ok(Predictions::values(
                d.numeric("x")?
                    .values()
                    .iter()
                    .map(|v| {
                        acc += v;
                        acc
                    })
                    .collect(),
            ))
        }))
    };
    let err = PipelineCheck::new(cumulative, train, holdout)
        .row_order_invariance()
        .assert_failed();
    assert!(
        err.to_string()
            .contains("predictions depend on the order of rows"),
        "{err}"
    );
}

#[test]
fn dropped_rows_and_nan_predictions_are_caught() {
    let (train, holdout) = halves();
    let short = |_: &Dataset, _: u64| -> Result<Predict, ModelError> {
        Ok(Box::new(|d: &Dataset| {
            Ok(Predictions::values(vec![0.0; d.n_rows() / 2]))
        }))
    };
    let err = PipelineCheck::new(short, train.clone(), holdout.clone())
        .one_prediction_per_row()
        .assert_failed();
    assert_eq!(
        err.to_string(),
        "FAILED one_prediction_per_row: 5 predictions for 10 rows\n"
    );
    let nan = |_: &Dataset, _: u64| -> Result<Predict, ModelError> {
        Ok(Box::new(|d: &Dataset| {
            Ok(Predictions::values(
                d.numeric("x")?
                    .values()
                    .iter()
                    .map(|v| if *v > 5.0 { f64::NAN } else { *v })
                    .collect(),
            ))
        }))
    };
    let err = PipelineCheck::new(nan, train, holdout)
        .finite_predictions()
        .assert_failed();
    assert!(
        err.to_string()
            .contains("7 of 10 predictions are NaN or infinite, rows 2, 3, 4, 5, 6 … (7 rows)"),
        "{err}"
    );
}

#[test]
fn an_artifact_that_loses_precision_fails_the_round_trip() {
    let (train, holdout) = halves();
    let fit = |t: &Dataset, _: u64| -> Result<f64, ModelError> {
        Ok(t.numeric("x")?.present().sum::<f64>() / t.n_rows() as f64 + 0.123456789)
    };
    // A "model" that is just its fitted mean.
    struct Mean(f64);
    impl mlharness::model::Model for Mean {
        fn predict(&self, d: &Dataset) -> Result<Predictions, ModelError> {
            Ok(Predictions::values(
                d.numeric("x")?
                    .values()
                    .iter()
                    .map(|v| v - self.0)
                    .collect(),
            ))
        }
    }
    let fit_model = move |t: &Dataset, s: u64| fit(t, s).map(Mean);
    let save_rounded = |m: &Mean, p: &std::path::Path| std::fs::write(p, format!("{:.3}", m.0));
    let save_exact = |m: &Mean, p: &std::path::Path| std::fs::write(p, format!("{:?}", m.0));
    let load = |p: &std::path::Path| -> Result<Mean, String> {
        let text = std::fs::read_to_string(p).map_err(|e| e.to_string())?;
        text.parse().map(Mean).map_err(|e| format!("{e}"))
    };
    PipelineCheck::new(fit_model, train.clone(), holdout.clone())
        .artifact(save_exact, load)
        .artifact_round_trip()
        .assert_passed();
    let err = PipelineCheck::new(fit_model, train, holdout)
        .artifact(save_rounded, load)
        .artifact_round_trip()
        .assert_failed();
    assert!(
        err.to_string()
            .contains("does not carry everything the model predicts with"),
        "{err}"
    );
}

#[test]
fn row_filtering_is_checked_against_a_rule_not_a_magic_number() {
    let raw = data();
    let keep = |r: &mlharness::data::Row| Ok(r.number("x")? < 10.0);
    filters_rows(
        |d: &Dataset| d.filter(|r| Ok(r.number("x")? < 10.0)),
        &raw,
        keep,
    )
    .assert_passed();
    let off_by_one = |d: &Dataset| d.filter(|r| Ok(r.number("x")? <= 10.0));
    let err = filters_rows(off_by_one, &raw, keep)
        .assert_failed()
        .to_string();
    assert!(
        err.contains("preparation kept 34 of 40 rows; the rule keeps 31 (3 too many)"),
        "{err}"
    );
}

mlharness::pipeline_test! {
    fit: sound,
    train: halves().0,
    holdout: halves().1,
    time_budget: mlharness::budget::TimeBudget::at_most(std::time::Duration::from_secs(5)),
}

#[test]
fn a_reloaded_model_that_answers_fewer_rows_fails_rather_than_comparing_fewer() {
    let (train, holdout) = halves();
    // The "artifact" reloads a model that drops the last row of every batch.
    let save = |_: &Predict, p: &std::path::Path| std::fs::write(p, "");
    let load = |_: &std::path::Path| -> Result<Predict, ModelError> {
        Ok(Box::new(|d: &Dataset| {
            let rows: Vec<usize> = (0..d.n_rows().saturating_sub(1)).collect();
            let x = d.take(&rows)?;
            let m = x.numeric("x")?.present().sum::<f64>();
            Ok(Predictions::values(vec![m; rows.len()]))
        }))
    };
    let err = PipelineCheck::new(sound, train, holdout)
        .artifact(save, load)
        .artifact_round_trip()
        .assert_failed();
    assert_eq!(
        err.to_string(),
        "FAILED artifact_round_trip: 10 predictions fitted, 9 loaded\n"
    );
}

/// Issue 19: `pipeline_test!` refitted the model in each of its seven checks, about half a
/// suite's CPU. A `PipelineCheck` fits once and shares the model; only `same_seed_same_model`
/// fits a second one.
#[test]
fn the_seven_checks_fit_the_model_twice() {
    static FITS: AtomicU64 = AtomicU64::new(0);
    let (train, holdout) = halves();
    let counted = |t: &Dataset, seed: u64| {
        FITS.fetch_add(1, Ordering::SeqCst);
        sound(t, seed)
    };
    let save = |_: &Predict, p: &std::path::Path| std::fs::write(p, "");
    let load = |_: &std::path::Path| sound(&halves().0, 42);
    let check = PipelineCheck::new(counted, train, holdout).artifact(save, load);
    for c in [
        Invariant::OnePredictionPerRow,
        Invariant::FinitePredictions,
        Invariant::ArtifactRoundTrip,
        Invariant::SameSeedSameModel,
        Invariant::BatchInvariance,
        Invariant::RowOrderInvariance,
        Invariant::ColumnOrderInvariance,
    ] {
        check.run(c).assert_passed();
    }
    assert_eq!(FITS.load(Ordering::SeqCst), 2);
}

/// Issue 19, item 3: with a time budget, a model that scores the holdout row by row, slowly,
/// fails `prediction_time` with the median; a sound one passes; no budget is a setting error.
#[test]
fn prediction_time_fails_a_model_that_scores_too_slowly() {
    use mlharness::budget::TimeBudget;
    use std::time::Duration;
    let (train, holdout) = halves();
    let row_by_row = |t: &Dataset, seed: u64| -> Result<Predict, ModelError> {
        let model = sound(t, seed)?;
        Ok(Box::new(move |d: &Dataset| {
            let mut values = Vec::with_capacity(d.n_rows());
            for i in 0..d.n_rows() {
                std::thread::sleep(Duration::from_millis(5));
                let one = model(&d.take(&[i])?)?;
                values.extend_from_slice(one.as_values().unwrap_or_default());
            }
            Ok(Predictions::values(values))
        }))
    };
    let budget = TimeBudget::at_most(Duration::from_millis(20)).runs(1);
    let err = PipelineCheck::new(row_by_row, train.clone(), holdout.clone())
        .time_budget(budget.clone())
        .run(Invariant::PredictionTime)
        .assert_failed();
    assert!(
        err.to_string().starts_with(
            "FAILED time budget: prediction_time: 10 holdout rows in under 20.00 ms: the median of 1 runs is"
        ),
        "{err}"
    );
    PipelineCheck::new(sound, train.clone(), holdout.clone())
        .time_budget(TimeBudget::at_most(Duration::from_secs(5)))
        .prediction_time()
        .assert_passed();
    let unset = PipelineCheck::new(sound, train, holdout)
        .prediction_time()
        .unwrap_err();
    assert!(unset.to_string().contains("time_budget"), "{unset}");
}

/// The macro's tests share one check per process: under `cargo test` (one process, a thread
/// per test) the first builds it and the others reuse it.
#[test]
fn the_macro_shares_one_check_per_process() {
    let built = AtomicU64::new(0);
    let a: &'static u64 = mlharness::_macro_support::shared("pipeline::sharing", || {
        built.fetch_add(1, Ordering::SeqCst);
        7u64
    });
    let b: &'static u64 = mlharness::_macro_support::shared("pipeline::sharing", || {
        built.fetch_add(1, Ordering::SeqCst);
        8u64
    });
    assert!(std::ptr::eq(a, b) && *b == 7);
    // Another type under the same key is another value.
    let c: &'static i32 = mlharness::_macro_support::shared("pipeline::sharing", || 9i32);
    assert_eq!((*c, built.load(Ordering::SeqCst)), (9, 1));
}
