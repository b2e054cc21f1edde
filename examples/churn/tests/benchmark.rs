//! Benchmark-score tests of the churn model: it beats the majority class beyond noise, meets
//! the bars of `fixtures/scores.toml`, gets the key customers right and is fair across groups.
//! The deliberately broken models below must each fail, and so must a healthy model measured
//! against the ground truth.

mod common;

use common::*;
use mlharness::benchmark::BeatsBaseline;
use mlharness::check::Outcome;
use mlharness::metrics::Metric;

mlharness::benchmark_score! {
    /// ROC AUC 0.2 and log loss 0.03 better than predicting the class shares, beyond noise.
    fn beats_most_frequent() -> Result<Vec<Outcome>> {
        let split = split(HOLDOUT_SEED);
        check_beats_most_frequent(&healthy(&split, HOLDOUT_SEED), &split, HOLDOUT_SEED)
    }

    fn meets_checked_in_scores() -> Result<Outcome> {
        let split = split(HOLDOUT_SEED);
        check_scores(&healthy(&split, HOLDOUT_SEED), &split)
    }

    fn key_customers_are_classified_right() -> Result<Outcome> {
        let split = split(HOLDOUT_SEED);
        check_key_customers(&healthy(&split, HOLDOUT_SEED))
    }

    fn fair_across_plans_and_area_codes() -> Result<Outcome> {
        let split = split(HOLDOUT_SEED);
        check_fairness(&healthy(&split, HOLDOUT_SEED), &split)
    }
}

/// Five other holdouts, training seeds and bootstrap seeds: no check fails by chance.
#[test]
fn healthy_model_passes_every_check_across_five_seeds() {
    for seed in 1..=5 {
        let split = split(seed);
        let outcomes = all_benchmark_checks(&healthy(&split, seed), &split, seed).unwrap();
        assert_eq!(outcomes.len(), 5);
        let failed = failures(&outcomes);
        assert!(failed.is_empty(), "seed {seed}:\n{failed}");
    }
}

#[test]
fn one_iteration_of_the_optimiser_fails() {
    let split = split(HOLDOUT_SEED);
    let outcomes = all_benchmark_checks(&one_iteration(&split), &split, HOLDOUT_SEED).unwrap();
    let failed = failures(&outcomes);
    insta::assert_snapshot!(failed.replace(env!("CARGO_MANIFEST_DIR"), "<churn>"));
    // Its probabilities are barely fitted: log loss is worse than the class shares'.
    assert!(
        failed.contains("FAILED benchmark: log_loss beats the most-frequent baseline"),
        "{failed}"
    );
    assert!(
        failed.contains("above max by 0.0"),
        "the scores.toml bound on log loss: {failed}"
    );
    // It predicts `no` for every churner among the key customers.
    assert!(failed.contains("intl-plan-4-service-calls"), "{failed}");
    assert!(failed.contains("WRONG CLASS"), "{failed}");
}

#[test]
fn two_percent_of_the_data_fails() {
    let split = split(HOLDOUT_SEED);
    let outcomes = all_benchmark_checks(&two_percent(&split), &split, HOLDOUT_SEED).unwrap();
    let failed = failures(&outcomes);
    insta::assert_snapshot!(failed.replace(env!("CARGO_MANIFEST_DIR"), "<churn>"));
    assert!(
        failed.contains(
            "FAILED benchmark: roc_auc beats the most-frequent baseline by at least 0.2000"
        ),
        "{failed}"
    );
    assert!(
        failed.contains("FAILED benchmark: scores within the bounds of"),
        "{failed}"
    );
    assert!(
        failed.contains("below min by 0.0"),
        "the scores.toml bound on ROC AUC: {failed}"
    );
}

#[test]
fn features_shuffled_at_prediction_time_fail() {
    let split = split(HOLDOUT_SEED);
    let shuffled = ShuffledFeatures(healthy(&split, HOLDOUT_SEED));
    let outcomes = all_benchmark_checks(&shuffled, &split, HOLDOUT_SEED).unwrap();
    let failed = failures(&outcomes);
    insta::assert_snapshot!(failed.replace(env!("CARGO_MANIFEST_DIR"), "<churn>"));
    assert_eq!(
        outcomes.iter().filter(|o| !o.passed()).count(),
        5,
        "every check fails:\n{failed}"
    );
    assert!(
        failed.contains("5 of 5 judged slices below the floor"),
        "{failed}"
    );
}

#[test]
fn majority_class_fails() {
    let split = split(HOLDOUT_SEED);
    let outcomes = all_benchmark_checks(&majority(&split), &split, HOLDOUT_SEED).unwrap();
    let failed = failures(&outcomes);
    // Exactly as good as the baseline: no improvement at all.
    assert!(failed.contains("[+0.0000, +0.0000]"), "{failed}");
    assert!(
        failed.contains("is not above the margin 0.2000: short by 0.2000"),
        "{failed}"
    );
    assert!(failed.contains("balanced_accuracy  0.5000"), "{failed}");
    assert!(failed.contains("3 of 5 key instances wrong"), "{failed}");
}

#[test]
fn ground_truth_as_the_reference_fails_a_healthy_model() {
    let split = split(HOLDOUT_SEED);
    let model = healthy(&split, HOLDOUT_SEED);
    let outcome = BeatsBaseline::new(Metric::RocAuc)
        .check_against(&model, &ground_truth, "ground truth", &split.test)
        .unwrap();
    assert!(!outcome.passed(), "{outcome}");
    let text = outcome.to_string();
    assert!(text.contains("baseline (ground truth)"), "{text}");
    assert!(text.contains("1.0000"), "{text}");
    assert!(text.contains("1000"), "n is shown: {text}");
}
