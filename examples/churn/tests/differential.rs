//! Differential tests of the churn model: the model as trained now against the golden
//! predictions of the released version (`fixtures/golden/churn-holdout.json`), the broken
//! models against the same golden, and reproducibility across seeds.
//!
//! Re-record the golden after an intended change:
//! `MLHARNESS_UPDATE=1 cargo nextest run -p churn --test differential mlharness_differential::v2_vs_golden`
//! (and `fixtures/golden/churn-subsample-seed1.json`, which carries the seed noise measured when
//! it was recorded, with `… a_seed_change_is_within_the_noise_recorded_with_the_golden`).

mod common;

use churn::TrainConfig;
use common::*;
use mlharness::check::{Checked, Outcome};
use mlharness::differential::{CheckError, Differential, Golden, GoldenError, Reproducibility};
use mlharness::metrics::Metric;
use mlharness::model::Model;

/// The release the golden records.
const RELEASED: &str = "churn-logreg-1.0.0";

fn golden() -> Golden {
    Golden::new(fixture("golden/churn-holdout.json")).expect_version(RELEASED)
}

/// An established model: at most 1% of subscribers change class, ROC AUC and log loss move by
/// at most 0.01 for the worse (0.05 for the better), and no significant loss of accuracy.
fn established() -> Differential {
    Differential::new()
        .max_changed_share(0.01)
        .metric(Metric::RocAuc, 0.01, 0.05)
        .metric(Metric::LogLoss, 0.01, 0.05)
}

/// Compares `model` with the golden; only `v2_vs_golden` may record it.
fn against_golden(model: &dyn Model, version: &str, golden: Golden) -> Result<Outcome> {
    let split = split(HOLDOUT_SEED);
    Ok(established().against_golden(&split.test, model, version, &golden)?)
}

mlharness::differential! {
    /// The model as the code trains it now, against the released version's predictions.
    fn v2_vs_golden() -> Result<Outcome> {
        let split = split(HOLDOUT_SEED);
        let model = healthy(&split, HOLDOUT_SEED);
        against_golden(&model, model.model_version(), golden())
    }

    /// Same seed, identical predictions; on 90% subsamples, how much the seed alone moves.
    fn training_is_reproducible() -> Result<Outcome> {
        let split = split(HOLDOUT_SEED);
        Ok(Reproducibility::new(Metric::RocAuc)
            .seeds(&[1, 2, 3])
            .max_spread(0.02)
            .check(&split.test, |seed| subsample(&split, seed))?)
    }
}

#[test]
fn one_iteration_differs_from_the_golden() {
    let split = split(HOLDOUT_SEED);
    let outcome = against_golden(
        &one_iteration(&split),
        "broken-max-iter-1",
        golden().read_only(),
    )
    .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    insta::assert_snapshot!(text.replace(env!("CARGO_MANIFEST_DIR"), "<churn>"));
    assert!(text.contains("changed rows"), "{text}");
    assert!(text.contains("TOO MANY"), "{text}");
    assert!(text.contains("roc_auc"), "{text}");
    assert!(text.contains("WORSE by"), "{text}");
    assert!(text.contains("most changed rows"), "{text}");
}

#[test]
fn two_percent_of_the_data_differs_from_the_golden() {
    let split = split(HOLDOUT_SEED);
    let outcome = against_golden(
        &two_percent(&split),
        "broken-2-percent",
        golden().read_only(),
    )
    .unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(text.contains("TOO MANY"), "{text}");
    assert!(text.contains("WORSE by"), "{text}");
}

#[test]
fn shuffled_features_differ_from_the_golden() {
    let split = split(HOLDOUT_SEED);
    let shuffled = ShuffledFeatures(healthy(&split, HOLDOUT_SEED));
    let outcome = against_golden(&shuffled, RELEASED, golden().read_only()).unwrap();
    assert!(!outcome.passed());
    let text = outcome.to_string();
    assert!(text.contains("TOO MANY"), "{text}");
    assert!(text.contains("SIGNIFICANTLY WORSE"), "McNemar: {text}");
}

#[test]
fn a_golden_recorded_on_other_data_is_stale() {
    // Another holdout: the golden does not describe these rows.
    let other = split(7);
    let err = established()
        .against_golden(
            &other.test,
            &majority(&other),
            RELEASED,
            &golden().read_only(),
        )
        .unwrap_err();
    assert!(
        matches!(err, CheckError::Golden(GoldenError::StaleData { .. })),
        "{err}"
    );
    assert!(
        err.to_string().contains("churn-holdout.json: stale golden"),
        "{err}"
    );
}

#[test]
fn a_golden_of_another_release_is_stale() {
    let split = split(HOLDOUT_SEED);
    let next = Golden::new(fixture("golden/churn-holdout.json"))
        .expect_version("churn-logreg-2.0.0")
        .read_only();
    let err = established()
        .against_golden(&split.test, &majority(&split), "churn-logreg-2.0.0", &next)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("recorded from model version `churn-logreg-1.0.0`"),
        "{err}"
    );
}

/// Whatever the training seed, the healthy model reproduces the golden: no flaky failures.
#[test]
fn healthy_model_matches_the_golden_across_five_seeds() {
    let split = split(HOLDOUT_SEED);
    for seed in 1..=5 {
        let model = healthy(&split, seed);
        let outcome = established()
            .against_golden(
                &split.test,
                &model,
                model.model_version(),
                &golden().read_only(),
            )
            .unwrap();
        assert!(outcome.passed(), "seed {seed}:\n{outcome}");
    }
}

/// Issue 19: at one of 20 training seeds the golden differential failed — about 1.5% of rows
/// changed against a 1% bound, most of them class flips of customers near the 0.5 threshold.
/// Such a change is retraining noise, not a regression: reported, not failed.
#[test]
fn a_seed_change_near_the_threshold_is_not_a_regression() {
    let split = split(HOLDOUT_SEED);
    let subsample = |seed| subsample(&split, seed);
    let reference = subsample(1).unwrap().predict(&split.test).unwrap();
    // Seed 18 changes 15 of 1,000 rows against seed 1: the strict 1% bound raises a false alarm.
    let candidate = subsample(18).unwrap().predict(&split.test).unwrap();
    let strict = established().compare(&split.test, &candidate, &reference, "seed 1");
    assert!(strict.unwrap().to_string().contains("TOO MANY"));
    // Flips whose top two probabilities are within 0.1 are counted apart; the confident ones
    // stay well under the bound.
    let aware = established().near_threshold(0.1);
    let outcome = aware
        .compare(&split.test, &candidate, &reference, "seed 1")
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    assert!(
        outcome
            .to_string()
            .contains("class flips near the threshold"),
        "{outcome}"
    );
    // Or the bound comes from the noise between healthy seeds, measured.
    let noise = Reproducibility::new(Metric::RocAuc)
        .seeds(&[1, 2, 3])
        .measure(&split.test, subsample)
        .unwrap();
    let from_noise = Differential::new()
        .near_threshold(0.1)
        .within_seed_noise(&noise, 0.005);
    from_noise
        .compare(&split.test, &candidate, &reference, "seed 1")
        .assert_passed();
    // A real regression is still caught by the same noise-aware check.
    let broken = one_iteration(&split).predict(&split.test).unwrap();
    from_noise
        .compare(&split.test, &broken, &reference, "seed 1")
        .assert_failed();
}

/// The model trained on a seeded 90% subsample of the training split: the seed moves it.
fn subsample(
    split: &mlharness::data::Split,
    seed: u64,
) -> std::result::Result<churn::ChurnModel, churn::ChurnError> {
    churn::ChurnModel::train(
        &split.train,
        &TrainConfig {
            seed,
            training_fraction: 0.9,
            ..TrainConfig::default()
        },
    )
}

/// Issue 19, item 4: the bound of a golden differential comes from the noise between healthy
/// seeds, measured once when the golden was recorded (three trainings) and stored in its
/// metadata — not retrained on every run, and not a hand-picked 1%.
#[test]
fn a_seed_change_is_within_the_noise_recorded_with_the_golden() {
    let split = split(HOLDOUT_SEED);
    let golden = Golden::new(fixture("golden/churn-subsample-seed1.json")).seed_noise(|| {
        let split = common::split(HOLDOUT_SEED);
        Reproducibility::new(Metric::RocAuc)
            .seeds(&[1, 2, 3])
            .measure(&split.test, |seed| subsample(&split, seed))
    });
    let check = Differential::new()
        .near_threshold(0.1)
        .within_recorded_noise(0.005);
    // Seed 1 owns the golden (recorded on the first local run, compared afterwards).
    let owner = subsample(&split, 1).unwrap();
    check
        .against_golden(&split.test, &owner, "subsample-seed-1", &golden)
        .assert_passed();
    let recorded = golden.load().unwrap();
    let noise = recorded
        .seed_noise
        .expect("the golden records its seed noise");
    assert_eq!(noise.seeds, vec![1, 2, 3]);
    // Seed 18, the false alarm of the strict bound, is within the recorded noise…
    let golden = golden.read_only();
    let seed_18 = subsample(&split, 18).unwrap();
    let outcome = check
        .against_golden(&split.test, &seed_18, "subsample-seed-1", &golden)
        .unwrap();
    assert!(outcome.passed(), "{outcome}");
    assert!(
        outcome.to_string().contains("(recorded with the golden)"),
        "{outcome}"
    );
    // …and a real regression is not.
    check
        .against_golden(
            &split.test,
            &one_iteration(&split),
            "subsample-seed-1",
            &golden,
        )
        .assert_failed();
}
