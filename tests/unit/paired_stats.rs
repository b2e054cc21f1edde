//! `mlharness::stats` against scipy (`fixtures/reference/paired.json`): exact McNemar,
//! Wilcoxon signed-rank (ties, zeros, the exact/normal choice), quantiles and paired bootstrap
//! intervals; plus the bootstrap's determinism and its resampled metrics against the metrics
//! computed on the resampled rows themselves.

use crate::repo_file;
use mlharness::data::{Column, Dataset};
use mlharness::metrics::{Average, Metric};
use mlharness::model::Predictions;
use mlharness::stats::{
    mcnemar_exact, mcnemar_from_outcomes, quantile, wilcoxon, wilcoxon_paired, wilcoxon_with,
    Bootstrap, ResampledMetric, StatsError, WilcoxonMethod, WilcoxonOptions,
};
use ndarray::Array2;
use proptest::prelude::*;
use serde_json::Value;
use std::sync::OnceLock;

fn reference() -> &'static Value {
    static REFERENCE: OnceLock<Value> = OnceLock::new();
    REFERENCE.get_or_init(|| {
        let path = repo_file("fixtures/reference/paired.json");
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    })
}

fn cases(section: &str) -> &'static [Value] {
    reference()[section]
        .as_array()
        .unwrap_or_else(|| panic!("paired.json has no `{section}` list"))
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("a list of numbers")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

/// Relative agreement to `rel`, absolute below 1e-300 (an underflowed p-value is 0 for both).
fn agrees(found: f64, expected: f64, rel: f64) -> bool {
    (found - expected).abs() <= rel * expected.abs().max(1e-300)
}

/// The fixture's 64-bit LCG (see make_paired_reference.py), updated before each draw.
fn lcg(spec: &Value) -> Vec<f64> {
    let get = |k: &str| spec[k].as_u64().unwrap_or_else(|| panic!("generator.{k}"));
    let (mut state, n, modulus, offset) = (get("seed"), get("n"), get("modulus"), get("offset"));
    (0..n)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) % modulus) as f64 / 8.0 - offset as f64 / 8.0
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// McNemar
// ---------------------------------------------------------------------------------------------

#[test]
fn mcnemar_matches_scipy_binomtest() {
    let all = cases("mcnemar");
    assert!(all.len() >= 15, "the fixture lost McNemar cases");
    for case in all {
        let (b, c) = (case["b"].as_u64().unwrap(), case["c"].as_u64().unwrap());
        let expected = case["p_value"].as_f64().unwrap();
        let m = mcnemar_exact(b, c);
        assert_eq!(
            m.statistic,
            case["statistic"].as_u64().unwrap(),
            "b={b} c={c}"
        );
        assert!(
            agrees(m.p_value, expected, 1e-9),
            "McNemar b={b} c={c}: p = {:e}, scipy {expected:e}",
            m.p_value
        );
    }
}

#[test]
fn mcnemar_counts_only_discordant_rows_in_the_right_direction() {
    // 3 rows both right, 2 both wrong, 4 only the reference right, 1 only the candidate right.
    let reference = [
        true, true, true, false, false, true, true, true, true, false,
    ];
    let candidate = [
        true, true, true, false, false, false, false, false, false, true,
    ];
    let m = mcnemar_from_outcomes(&reference, &candidate).unwrap();
    assert_eq!((m.b, m.c, m.discordant()), (4, 1, 5));
    assert!(m.candidate_worse());
    assert_eq!(m, mcnemar_exact(4, 1));
    let swapped = mcnemar_from_outcomes(&candidate, &reference).unwrap();
    assert_eq!((swapped.b, swapped.c), (1, 4));
    assert!(!swapped.candidate_worse());
    assert_eq!(
        swapped.p_value, m.p_value,
        "the two-sided test is symmetric"
    );
}

#[test]
fn mcnemar_rejects_unpaired_or_empty_outcomes() {
    let err = mcnemar_from_outcomes(&[true], &[true, false]).unwrap_err();
    assert!(
        matches!(
            err,
            StatsError::LengthMismatch {
                left: 1,
                right: 2,
                ..
            }
        ),
        "{err}"
    );
    let err = mcnemar_from_outcomes(&[], &[]).unwrap_err();
    assert_eq!(err.to_string(), "mcnemar: no observations");
}

// ---------------------------------------------------------------------------------------------
// Wilcoxon
// ---------------------------------------------------------------------------------------------

fn method_name(m: WilcoxonMethod) -> &'static str {
    match m {
        WilcoxonMethod::Exact => "exact",
        WilcoxonMethod::Permutation => "permutation",
        WilcoxonMethod::Normal => "normal",
    }
}

#[test]
fn wilcoxon_matches_scipy_on_every_reference_case() {
    let all = cases("wilcoxon");
    assert!(all.len() >= 20, "the fixture lost Wilcoxon cases");
    let mut methods = std::collections::BTreeSet::new();
    for case in all {
        let name = case["name"].as_str().unwrap();
        let d = match case.get("generator") {
            Some(spec) => lcg(spec),
            None => floats(&case["d"]),
        };
        assert_eq!(d.len() as u64, case["n"].as_u64().unwrap(), "{name}: n");
        let options = WilcoxonOptions {
            force_normal: case["force_normal"].as_bool().unwrap(),
            continuity_correction: case["continuity_correction"].as_bool().unwrap(),
        };
        let w = wilcoxon_with(&d, options).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(method_name(w.method), case["method"], "{name}: method");
        methods.insert(method_name(w.method));
        assert_eq!(
            w.zeros as u64,
            case["zeros"].as_u64().unwrap(),
            "{name}: zeros"
        );
        for (field, found) in [
            ("statistic", w.statistic),
            ("r_plus", w.r_plus),
            ("r_minus", w.r_minus),
        ] {
            let expected = case[field].as_f64().unwrap();
            assert!(
                agrees(found, expected, 1e-12),
                "{name}: {field} = {found}, scipy {expected}"
            );
        }
        match case["p_value"].as_f64() {
            Some(expected) => assert!(
                agrees(w.p_value, expected, 1e-9),
                "{name}: p = {:e}, scipy {expected:e}",
                w.p_value
            ),
            // scipy divides 0 by 0 when every difference is zero; we say "no evidence".
            None => assert_eq!(w.p_value, 1.0, "{name}: all zeros"),
        }
    }
    assert_eq!(
        methods.len(),
        3,
        "the cases exercise every method: {methods:?}"
    );
}

#[test]
fn wilcoxon_paired_is_the_test_of_the_differences() {
    let x = [3.0, 4.5, 2.0, 8.0, 7.5, 1.0, 6.0];
    let y = [1.5, 5.0, 0.0, 5.0, 5.0, 2.0, 2.0];
    let d: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
    assert_eq!(wilcoxon_paired(&x, &y).unwrap(), wilcoxon(&d).unwrap());
    // Swapping the samples swaps the rank sums but not the two-sided p-value.
    let swapped = wilcoxon_paired(&y, &x).unwrap();
    let w = wilcoxon(&d).unwrap();
    assert_eq!((swapped.r_plus, swapped.r_minus), (w.r_minus, w.r_plus));
    assert_eq!(swapped.p_value, w.p_value);
}

#[test]
fn wilcoxon_treats_negative_zero_as_zero() {
    let w = wilcoxon(&[-0.0, 0.0, 1.0, 2.0, -3.0]).unwrap();
    assert_eq!((w.zeros, w.method), (2, WilcoxonMethod::Permutation));
}

#[test]
fn wilcoxon_errors_name_the_row() {
    assert!(matches!(
        wilcoxon(&[]).unwrap_err(),
        StatsError::Empty { test: "wilcoxon" }
    ));
    let err = wilcoxon(&[1.0, 2.0, f64::INFINITY]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "wilcoxon: value inf in row 2 is not finite"
    );
    let err = wilcoxon_paired(&[1.0, f64::NAN], &[0.0, 0.0]).unwrap_err();
    assert!(matches!(err, StatsError::NonFinite { row: 1, .. }), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Quantiles and bootstrap
// ---------------------------------------------------------------------------------------------

#[test]
fn quantile_matches_scipy_linear() {
    for case in cases("quantile") {
        let mut x = floats(&case["x"]);
        x.sort_by(f64::total_cmp);
        for (q, expected) in floats(&case["q"])
            .into_iter()
            .zip(floats(&case["expected"]))
        {
            let found = quantile(&x, q);
            assert!(
                agrees(found, expected, 1e-15) || (found - expected).abs() < 1e-15,
                "quantile {q} of {} values: {found}, scipy {expected}",
                x.len()
            );
        }
    }
}

fn binary_dataset(truth: &[usize]) -> Dataset {
    let labels: Vec<Option<&str>> = truth
        .iter()
        .map(|&t| Some(if t == 1 { "yes" } else { "no" }))
        .collect();
    Dataset::from_columns(vec![("y".into(), Column::categorical(labels))])
        .unwrap()
        .with_target("y")
        .unwrap()
}

fn scores_to_predictions(scores: &[f64]) -> Predictions {
    let mut p = Array2::zeros((scores.len(), 2));
    for (i, &s) in scores.iter().enumerate() {
        p[[i, 0]] = 1.0 - s;
        p[[i, 1]] = s;
    }
    // Labels as the fixture made them: class 1 when the score is above 0.5.
    let labels = scores.iter().map(|&s| usize::from(s > 0.5)).collect();
    Predictions::classes_with_probabilities(vec!["no".into(), "yes".into()], labels, p).unwrap()
}

#[test]
fn paired_bootstrap_intervals_agree_with_scipy_within_monte_carlo_error() {
    let all = cases("bootstrap");
    assert_eq!(all.len(), 3, "the fixture lost bootstrap cases");
    for case in all {
        let name = case["name"].as_str().unwrap();
        let resamples = case["resamples"].as_u64().unwrap() as usize;
        let confidence = case["confidence"].as_f64().unwrap();
        let (metric, data, candidate, reference) = match case["metric"].as_str().unwrap() {
            "mae" => {
                let y = floats(&case["y_true"]);
                let data = Dataset::from_columns(vec![("y".into(), Column::numeric(y))])
                    .unwrap()
                    .with_target("y")
                    .unwrap();
                (
                    Metric::Mae,
                    data,
                    Predictions::values(floats(&case["candidate"])),
                    Predictions::values(floats(&case["reference"])),
                )
            }
            m => {
                let truth: Vec<usize> = floats(&case["y_true"])
                    .iter()
                    .map(|&v| v as usize)
                    .collect();
                let metric = if m == "roc_auc" {
                    Metric::RocAuc
                } else {
                    Metric::Accuracy
                };
                (
                    metric,
                    binary_dataset(&truth),
                    scores_to_predictions(&floats(&case["candidate"])),
                    scores_to_predictions(&floats(&case["reference"])),
                )
            }
        };
        let ci = Bootstrap::new(2024)
            .resamples(resamples)
            .confidence(confidence)
            .metric_difference(metric, &data, &candidate, &reference)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let f = |k: &str| case[k].as_f64().unwrap();
        assert!(
            (ci.estimate - f("estimate")).abs() < 1e-12,
            "{name}: estimate {} vs {}",
            ci.estimate,
            f("estimate")
        );
        // Both intervals are Monte-Carlo estimates from different random streams: with ≥ 10,000
        // resamples each bound's own error is below 0.05 standard errors, so 0.2 is ~4 sigma.
        // Resampling candidate and reference independently (unpaired) would widen the interval
        // by several standard errors and fail here.
        let se = f("standard_error");
        for (bound, found, expected) in [("low", ci.low, f("low")), ("high", ci.high, f("high"))] {
            assert!(
                (found - expected).abs() <= 0.2 * se,
                "{name}: {bound} bound {found:.5}, scipy {expected:.5} (SE {se:.5})"
            );
        }
        assert!(
            (ci.standard_error / se - 1.0).abs() < 0.05,
            "{name}: standard error {} vs scipy {se}",
            ci.standard_error
        );
        assert_eq!(
            (ci.resamples, ci.undefined, ci.n),
            (resamples, 0, data.n_rows())
        );
    }
}

#[test]
fn bootstrap_depends_on_the_seed_only() {
    let truth: Vec<usize> = (0..300).map(|i| usize::from(i % 4 == 0)).collect();
    let data = binary_dataset(&truth);
    let scores: Vec<f64> = (0..300)
        .map(|i| ((i % 4 == 0) as u8 as f64 * 0.3 + (i * 37 % 100) as f64 / 150.0).min(0.99))
        .collect();
    let preds = scores_to_predictions(&scores);
    let a = Bootstrap::new(5).resamples(200);
    let first = a.metric_interval(Metric::RocAuc, &data, &preds).unwrap();
    assert_eq!(
        first,
        a.metric_interval(Metric::RocAuc, &data, &preds).unwrap()
    );
    let other = Bootstrap::new(6)
        .resamples(200)
        .metric_interval(Metric::RocAuc, &data, &preds)
        .unwrap();
    assert_ne!((first.low, first.high), (other.low, other.high));
    assert_eq!(first.estimate, other.estimate);
}

#[test]
fn bootstrap_rejects_bad_parameters_and_undefined_statistics() {
    let err = Bootstrap::new(0)
        .resamples(0)
        .interval(5, |_| 1.0)
        .unwrap_err();
    assert!(
        err.to_string().contains("`resamples` must be at least 1"),
        "{err}"
    );
    let err = Bootstrap::new(0)
        .confidence(1.0)
        .interval(5, |_| 1.0)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("`confidence` must be strictly between 0 and 1, got 1"),
        "{err}"
    );
    assert!(matches!(
        Bootstrap::new(0).interval(0, |_| 1.0).unwrap_err(),
        StatsError::Empty { .. }
    ));
    assert!(matches!(
        Bootstrap::new(0).interval(5, |_| f64::NAN).unwrap_err(),
        StatsError::UndefinedEstimate { .. }
    ));
    // ROC AUC on 6 rows with one positive: many resamples miss the positive.
    let data = binary_dataset(&[1, 0, 0, 0, 0, 0]);
    let preds = scores_to_predictions(&[0.9, 0.1, 0.2, 0.3, 0.4, 0.6]);
    let err = Bootstrap::new(0)
        .resamples(300)
        .metric_interval(Metric::RocAuc, &data, &preds)
        .unwrap_err();
    match err {
        StatsError::UndefinedResamples {
            undefined,
            resamples,
        } => {
            assert_eq!(resamples, 300);
            // P(no positive among 6 draws) = (5/6)^6 ≈ 0.33.
            assert!((60..=140).contains(&undefined), "{undefined}");
        }
        e => panic!("expected UndefinedResamples, got {e}"),
    }
}

#[test]
fn bootstrap_metric_errors_are_the_metrics_own() {
    let data = binary_dataset(&[0, 1, 1]);
    let labels_only = Predictions::classes(vec!["no".into(), "yes".into()], vec![0, 1, 0]).unwrap();
    let err = Bootstrap::new(0)
        .metric_interval(Metric::RocAuc, &data, &labels_only)
        .unwrap_err();
    assert!(err.to_string().contains("roc_auc"), "{err}");
    let err = Bootstrap::new(0)
        .metric_difference(
            Metric::Accuracy,
            &data,
            &labels_only,
            &Predictions::classes(vec!["no".into(), "yes".into()], vec![0]).unwrap(),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StatsError::LengthMismatch {
                left: 3,
                right: 1,
                ..
            }
        ),
        "{err}"
    );
}

const RESAMPLED_METRICS: [Metric; 12] = [
    Metric::Accuracy,
    Metric::BalancedAccuracy,
    Metric::Precision(Average::Binary),
    Metric::Recall(Average::Macro),
    Metric::F1(Average::Weighted),
    Metric::RocAuc,
    Metric::LogLoss,
    Metric::Mse,
    Metric::Rmse,
    Metric::Mae,
    Metric::R2,
    Metric::Mape,
];

proptest! {
    /// A resample's metric, computed from counts per row, equals the metric computed on the
    /// rows the resample drew (`Dataset::take`), for every metric.
    #[test]
    fn resampled_metric_equals_metric_of_the_drawn_rows(
        seed in any::<u64>(),
        n in 8usize..60,
        rows in proptest::collection::vec(any::<prop::sample::Index>(), 8..60),
    ) {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let truth: Vec<usize> = (0..n).map(|i| if i < 2 { i } else { rng.gen_range(0..2) }).collect();
        let scores: Vec<f64> = (0..n).map(|_| (rng.gen::<f64>() * 10.0).round() / 10.0).map(|s: f64| s.clamp(0.05, 0.95)).collect();
        let y: Vec<f64> = (0..n).map(|_| rng.gen_range(1.0..20.0)).collect();
        let y_hat: Vec<f64> = y.iter().map(|v| v + rng.gen_range(-3.0..3.0)).collect();
        let drawn: Vec<usize> = rows.iter().map(|r| r.index(n)).collect();
        let mut counts = vec![0u32; n];
        for &r in &drawn { counts[r] += 1; }

        let classes = binary_dataset(&truth);
        let class_preds = scores_to_predictions(&scores);
        let values = Dataset::from_columns(vec![("y".into(), Column::numeric(y.clone()))]).unwrap().with_target("y").unwrap();
        let value_preds = Predictions::values(y_hat.clone());
        for metric in RESAMPLED_METRICS {
            let (data, preds) = if metric.evaluate(&classes, &class_preds).is_ok() {
                (&classes, &class_preds)
            } else {
                (&values, &value_preds)
            };
            let sub = data.take(&drawn).unwrap();
            let sub_preds = match preds {
                Predictions::Values(v) => Predictions::values(drawn.iter().map(|&i| v[i]).collect()),
                Predictions::Classes(_) => scores_to_predictions(&drawn.iter().map(|&i| scores[i]).collect::<Vec<_>>()),
            };
            let direct = metric.evaluate(&sub, &sub_preds);
            let via_counts = mlharness_counts_metric(metric, data, preds, &counts);
            match direct {
                Ok(expected) => prop_assert!(
                    (via_counts - expected).abs() <= 1e-12 * expected.abs().max(1.0),
                    "{metric}: counts {via_counts} vs drawn rows {expected}"
                ),
                // Undefined on the drawn rows (ROC AUC with one class): NaN from counts.
                Err(_) => prop_assert!(via_counts.is_nan(), "{metric}: {via_counts}"),
            }
        }
    }
}

fn mlharness_counts_metric(
    metric: Metric,
    data: &Dataset,
    preds: &Predictions,
    counts: &[u32],
) -> f64 {
    ResampledMetric::new(metric, data, preds)
        .unwrap()
        .on_counts(counts)
}
