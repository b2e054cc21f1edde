//! Multiclass ROC AUC, the Brier score, the expected calibration error, scikit-learn's
//! calibration curve and the per-class table, against scikit-learn
//! (`fixtures/reference/classification.json`, made by `make_classification_reference.py`), to
//! 1e-9; and that each tells a miscalibrated or class-blind model from a sound one.

use crate::{close, repo_file};
use mlharness::metrics::{self, Average, MetricError, Multiclass};
use ndarray::Array2;
use serde_json::Value;

struct Case {
    name: String,
    n_classes: usize,
    truth: Vec<usize>,
    proba: Array2<f64>,
    expected: Value,
}

fn cases() -> Vec<Case> {
    let path = repo_file("fixtures/reference/classification.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: Value = serde_json::from_str(&text).unwrap();
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let rows: Vec<Vec<f64>> = c["proba"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_f64().unwrap())
                        .collect()
                })
                .collect();
            let k = rows[0].len();
            Case {
                name: c["name"].as_str().unwrap().to_string(),
                n_classes: c["n_classes"].as_u64().unwrap() as usize,
                truth: c["y_true"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap() as usize)
                    .collect(),
                proba: Array2::from_shape_vec((rows.len(), k), rows.concat()).unwrap(),
                expected: c["expected"].clone(),
            }
        })
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn assert_close(case: &str, what: &str, found: f64, expected: f64) {
    assert!(
        close(found, expected),
        "{case} {what}: {found} vs scikit-learn {expected}"
    );
}

#[test]
fn every_case_matches_scikit_learn() {
    let cases = cases();
    assert_eq!(cases.len(), 8, "the fixture's cases");
    for c in &cases {
        let e = &c.expected;
        let p = c.proba.view();
        if c.n_classes == 2 {
            let auc = metrics::roc_auc(&c.truth, &c.proba.column(1).to_vec()).unwrap();
            assert_close(
                &c.name,
                "roc_auc",
                auc,
                e["roc_auc_binary"].as_f64().unwrap(),
            );
            let brier = metrics::brier_score(&c.truth, p).unwrap();
            assert_close(&c.name, "brier", brier, e["brier_binary"].as_f64().unwrap());
            assert_close(
                &c.name,
                "brier (multiclass form)",
                2.0 * brier,
                e["brier_multiclass"].as_f64().unwrap(),
            );
            let (t, pred) =
                metrics::reliability_curve(&c.truth, &c.proba.column(1).to_vec(), 10).unwrap();
            let (et, ep) = (
                floats(&e["reliability_binary"]["prob_true"]),
                floats(&e["reliability_binary"]["prob_pred"]),
            );
            assert_eq!(
                (t.len(), pred.len()),
                (et.len(), ep.len()),
                "{}: bins",
                c.name
            );
            for i in 0..t.len() {
                assert_close(&c.name, "prob_true", t[i], et[i]);
                assert_close(&c.name, "prob_pred", pred[i], ep[i]);
            }
        } else {
            for (key, strategy, average) in [
                ("roc_auc_ovr_macro", Multiclass::OneVsRest, Average::Macro),
                (
                    "roc_auc_ovr_weighted",
                    Multiclass::OneVsRest,
                    Average::Weighted,
                ),
                ("roc_auc_ovo_macro", Multiclass::OneVsOne, Average::Macro),
                (
                    "roc_auc_ovo_weighted",
                    Multiclass::OneVsOne,
                    Average::Weighted,
                ),
            ] {
                let found = metrics::roc_auc_multiclass(&c.truth, p, strategy, average).unwrap();
                assert_close(&c.name, key, found, e[key].as_f64().unwrap());
            }
            let brier = metrics::brier_score(&c.truth, p).unwrap();
            assert_close(
                &c.name,
                "brier",
                brier,
                e["brier_multiclass"].as_f64().unwrap(),
            );
        }
        let cal = metrics::calibration(&c.truth, p, 10).unwrap();
        assert_close(&c.name, "ece_10", cal.ece, e["ece_10"].as_f64().unwrap());
        assert_eq!(
            cal.bins.iter().map(|b| b.count).sum::<usize>(),
            c.truth.len()
        );
        // The predicted class: the largest probability, ties to the lowest class.
        let predicted: Vec<usize> = c
            .proba
            .outer_iter()
            .map(|r| (0..r.len()).fold(0, |best, k| if r[k] > r[best] { k } else { best }))
            .collect();
        let table = metrics::per_class(&c.truth, &predicted, c.n_classes).unwrap();
        let per = &e["per_class"];
        for (k, row) in table.iter().enumerate() {
            assert_close(
                &c.name,
                "precision",
                row.precision,
                floats(&per["precision"])[k],
            );
            assert_close(&c.name, "recall", row.recall, floats(&per["recall"])[k]);
            assert_close(&c.name, "f1", row.f1, floats(&per["f1"])[k]);
            assert_eq!(
                row.support as f64,
                floats(&per["support"])[k],
                "{} support",
                c.name
            );
        }
    }
}

/// The overconfident model (probabilities sharpened beyond what its labels bear out) is far
/// worse calibrated than the one whose labels are drawn from its probabilities.
#[test]
fn an_overconfident_model_has_a_large_calibration_error() {
    let cases = cases();
    let find = |name: &str| cases.iter().find(|c| c.name == name).unwrap();
    let ece = |c: &Case| {
        metrics::calibration(&c.truth, c.proba.view(), 10)
            .unwrap()
            .ece
    };
    let (calibrated, overconfident) = (ece(find("calibrated_3")), ece(find("overconfident_4")));
    assert!(
        calibrated < 0.06 && overconfident > 0.2,
        "{calibrated} vs {overconfident}"
    );
    let worst = metrics::calibration(
        &find("overconfident_4").truth,
        find("overconfident_4").proba.view(),
        10,
    )
    .unwrap();
    let top = worst.bins.last().unwrap();
    assert!(top.confidence - top.accuracy > 0.2, "{top:?}");
}

/// A model blind to its rare class: the macro average still looks fine, the per-class table
/// shows recall 0 for that class.
#[test]
fn the_per_class_table_shows_the_class_a_model_never_gets_right() {
    let cases = cases();
    let c = cases
        .iter()
        .find(|c| c.name == "multiclass_4_rare_class")
        .unwrap();
    let predicted: Vec<usize> = c
        .proba
        .outer_iter()
        .map(|r| (0..r.len()).fold(0, |best, k| if r[k] > r[best] { k } else { best }))
        .collect();
    let table = metrics::per_class(&c.truth, &predicted, 4).unwrap();
    assert_eq!((table[3].recall, table[3].support), (0.0, 8));
    assert!(table[..3].iter().all(|r| r.recall > 0.3), "{table:?}");
}

#[test]
fn bad_input_is_a_typed_error() {
    let p = ndarray::array![[0.5, 0.3, 0.2], [0.2, 0.5, 0.3]];
    let err = metrics::roc_auc_multiclass(&[0, 1], p.view(), Multiclass::OneVsRest, Average::Macro)
        .unwrap_err();
    assert_eq!(
        err,
        MetricError::ClassAbsent {
            class: 2,
            n_classes: 3
        }
    );
    assert!(
        err.to_string()
            .contains("class 2: it never occurs in the truth"),
        "{err}"
    );
    let bad = ndarray::array![[0.5, 0.6, 0.2]];
    assert!(matches!(
        metrics::brier_score(&[0], bad.view()),
        Err(MetricError::InvalidProbabilities { row: 0, .. })
    ));
    assert_eq!(
        metrics::calibration(&[0], ndarray::array![[1.0]].view(), 0).unwrap_err(),
        MetricError::InvalidBins { bins: 0 }
    );
    assert!(matches!(
        metrics::reliability_curve(&[0, 2], &[0.1, 0.2], 10),
        Err(MetricError::NotBinary { row: 1, .. })
    ));
    assert!(matches!(
        metrics::reliability_curve(&[0], &[f64::NAN], 10),
        Err(MetricError::NonFinite { .. })
    ));
}
