//! Every statistic of `mlharness::stats` against scipy on the same inputs
//! (`fixtures/reference/stats.json`, written offline by `make_stats_reference.py`).
//!
//! Tolerance: 1e-9 relative (absolute below 1e-300) for every statistic and p-value, except
//! where a comment says otherwise and why.

use mlharness::stats::{self, Correction, TestResult};
use serde_json::Value;
use std::sync::OnceLock;

fn reference() -> &'static Value {
    static REF: OnceLock<Value> = OnceLock::new();
    REF.get_or_init(|| {
        let text = std::fs::read_to_string(super::repo_file("fixtures/reference/stats.json"))
            .expect("fixtures/reference/stats.json is readable");
        serde_json::from_str(&text).expect("stats.json is JSON")
    })
}

fn cases(section: &str) -> &'static [Value] {
    reference()[section]
        .as_array()
        .unwrap_or_else(|| panic!("stats.json has a `{section}` list"))
}

/// SplitMix64, as the script's `splitmix64`.
fn splitmix64(seed: u64, n: usize) -> Vec<u64> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
        .collect()
}

/// A sample: a list of numbers, or a `{generator: {seed, n, scale, shift}}` spec.
fn sample(v: &Value) -> Vec<f64> {
    if let Some(g) = v.get("generator") {
        let scale = g["scale"].as_f64().unwrap();
        let shift = g["shift"].as_f64().unwrap();
        return splitmix64(
            g["seed"].as_u64().unwrap(),
            g["n"].as_u64().unwrap() as usize,
        )
        .into_iter()
        .map(|u| shift + scale * ((u >> 11) as f64 * 2f64.powi(-53)))
        .collect();
    }
    v.as_array()
        .expect("a list of numbers")
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn groups(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(sample).collect()
}

/// The expected number: a JSON number, `null` for NaN, `"inf"`.
fn expected(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        v => v.as_f64().expect("a number"),
    }
}

/// Relative error of `actual` against `expected` (absolute below 1e-300); 0 when both are NaN
/// or the same infinity.
fn error(actual: f64, expected: f64) -> f64 {
    if actual.is_nan() && expected.is_nan() || actual == expected {
        return 0.0;
    }
    (actual - expected).abs() / expected.abs().max(1e-300)
}

struct Check {
    failures: Vec<String>,
    worst: f64,
}

impl Check {
    fn new() -> Self {
        Check {
            failures: Vec::new(),
            worst: 0.0,
        }
    }

    fn value(&mut self, what: String, actual: f64, expected: f64, tolerance: f64) {
        let e = error(actual, expected);
        self.worst = self.worst.max(e);
        if e > tolerance || e.is_nan() {
            self.failures.push(format!(
                "{what}: expected {expected:e}, found {actual:e} (relative error {e:.1e}, tolerance {tolerance:.0e})"
            ));
        }
    }

    fn result(&mut self, name: &str, r: &TestResult, case: &Value, tolerance: f64) {
        self.value(
            format!("{name} statistic"),
            r.statistic,
            expected(&case["statistic"]),
            tolerance,
        );
        let p = r.p_value.unwrap_or(f64::NAN);
        self.value(
            format!("{name} p-value"),
            p,
            expected(&case["p_value"]),
            tolerance,
        );
    }

    fn finish(self, section: &str) {
        assert!(
            self.failures.is_empty(),
            "{section}: {} values differ from scipy:\n  {}",
            self.failures.len(),
            self.failures.join("\n  ")
        );
        println!(
            "{section}: worst relative error against scipy {:.1e}",
            self.worst
        );
    }
}

const TOL: f64 = 1e-9;

#[test]
fn ks_2samp_matches_scipy() {
    let mut check = Check::new();
    for case in cases("ks_2samp") {
        let name = case["name"].as_str().unwrap();
        let r = stats::ks_2samp(&sample(&case["a"]), &sample(&case["b"])).unwrap();
        check.result(name, &r, case, TOL);
    }
    check.finish("ks_2samp");
}

#[test]
fn kolmogorov_sf_matches_scipy_kstwo() {
    let mut check = Check::new();
    for case in cases("kolmogorov_sf") {
        let (n, x) = (case["n"].as_u64().unwrap(), case["x"].as_f64().unwrap());
        check.value(
            format!("kstwo.sf({x}, {n})"),
            stats::kolmogorov_sf(n, x),
            expected(&case["sf"]),
            TOL,
        );
    }
    check.finish("kolmogorov_sf");
}

#[test]
fn chisquare_matches_scipy() {
    let mut check = Check::new();
    for case in cases("chisquare") {
        let name = case["name"].as_str().unwrap();
        let e = (!case["expected"].is_null()).then(|| sample(&case["expected"]));
        let r = stats::chisquare(&sample(&case["observed"]), e.as_deref()).unwrap();
        check.result(name, &r, case, TOL);
    }
    check.finish("chisquare");
}

#[test]
fn chi2_contingency_matches_scipy() {
    let mut check = Check::new();
    for case in cases("chi2_contingency") {
        let name = case["name"].as_str().unwrap();
        let table = groups(&case["table"]);
        let r = stats::chi2_contingency(&table, case["yates"].as_bool().unwrap()).unwrap();
        check.result(name, &r, case, TOL);
        assert_eq!(
            r.df,
            Some(case["df"].as_f64().unwrap()),
            "{name}: degrees of freedom"
        );
    }
    check.finish("chi2_contingency");
}

#[test]
fn mann_whitney_u_matches_scipy() {
    let mut check = Check::new();
    for case in cases("mann_whitney_u") {
        let name = case["name"].as_str().unwrap();
        let r = stats::mann_whitney_u(&sample(&case["x"]), &sample(&case["y"])).unwrap();
        check.result(name, &r, case, TOL);
    }
    check.finish("mann_whitney_u");
}

#[test]
fn kruskal_matches_scipy() {
    let mut check = Check::new();
    for case in cases("kruskal") {
        let name = case["name"].as_str().unwrap();
        let g = groups(&case["groups"]);
        let refs: Vec<&[f64]> = g.iter().map(Vec::as_slice).collect();
        check.result(name, &stats::kruskal(&refs).unwrap(), case, TOL);
    }
    check.finish("kruskal");
}

#[test]
fn f_oneway_matches_scipy() {
    let mut check = Check::new();
    for case in cases("f_oneway") {
        let name = case["name"].as_str().unwrap();
        let g = groups(&case["groups"]);
        let refs: Vec<&[f64]> = g.iter().map(Vec::as_slice).collect();
        check.result(name, &stats::f_oneway(&refs).unwrap(), case, TOL);
    }
    check.finish("f_oneway");
}

#[test]
fn mean_within_se_matches_scipy_ttest_1samp() {
    let mut check = Check::new();
    for case in cases("ttest_1samp") {
        let name = case["name"].as_str().unwrap();
        let mu = case["expected"].as_f64().unwrap();
        let c = stats::mean_within_se(&sample(&case["sample"]), mu, 2.0).unwrap();
        check.value(
            format!("{name} t"),
            c.statistic,
            expected(&case["statistic"]),
            TOL,
        );
        check.value(
            format!("{name} p-value"),
            c.p_value.unwrap(),
            expected(&case["p_value"]),
            TOL,
        );
        check.value(
            format!("{name} se"),
            c.standard_error,
            expected(&case["standard_error"]),
            TOL,
        );
        assert_eq!(
            c.within,
            c.statistic.abs() <= 2.0,
            "{name}: within 2 SE iff |t| <= 2"
        );
    }
    check.finish("ttest_1samp");
}

#[test]
fn wasserstein_matches_scipy() {
    let mut check = Check::new();
    for case in cases("wasserstein") {
        let name = case["name"].as_str().unwrap();
        let (a, b) = (sample(&case["a"]), sample(&case["b"]));
        let w = stats::wasserstein(&a, &b).unwrap();
        check.value(
            format!("{name} distance"),
            w.statistic,
            expected(&case["distance"]),
            TOL,
        );
        let n = stats::wasserstein_normalised(&a, &b).unwrap();
        check.value(
            format!("{name} normalised"),
            n.statistic,
            expected(&case["normalised"]),
            TOL,
        );
    }
    check.finish("wasserstein");
}

#[test]
fn binned_divergences_match_scipy() {
    let mut check = Check::new();
    for case in cases("binned") {
        let name = case["name"].as_str().unwrap();
        let (p, q) = (sample(&case["p"]), sample(&case["q"]));
        let alpha = case["alpha"].as_f64().unwrap();
        let js = stats::jensen_shannon(&p, &q, alpha).unwrap().statistic;
        check.value(
            format!("{name} jensen-shannon"),
            js,
            expected(&case["jensen_shannon"]),
            TOL,
        );
        let kl = stats::kl_divergence(&p, &q, alpha).unwrap().statistic;
        check.value(format!("{name} kl"), kl, expected(&case["kl"]), TOL);
        if !case["psi"].is_null() {
            let psi = stats::psi_counts(&p, &q, alpha).unwrap().statistic;
            check.value(format!("{name} psi"), psi, expected(&case["psi"]), TOL);
        }
    }
    check.finish("binned divergences");
}

#[test]
fn psi_of_samples_matches_numpy() {
    let mut check = Check::new();
    for case in cases("psi") {
        let name = case["name"].as_str().unwrap();
        let r = stats::psi(
            &sample(&case["reference"]),
            &sample(&case["current"]),
            case["bins"].as_u64().unwrap() as usize,
            case["alpha"].as_f64().unwrap(),
        )
        .unwrap();
        check.value(
            format!("{name} psi"),
            r.statistic,
            expected(&case["psi"]),
            TOL,
        );
    }
    check.finish("psi");
}

#[test]
fn p_value_adjustments_match_scipy() {
    let mut check = Check::new();
    for case in cases("p_adjust") {
        let p = sample(&case["p"]);
        for (correction, key) in [
            (Correction::BenjaminiHochberg, "benjamini_hochberg"),
            (Correction::Bonferroni, "bonferroni"),
        ] {
            for (i, (a, e)) in correction
                .adjust(&p)
                .iter()
                .zip(sample(&case[key]))
                .enumerate()
            {
                check.value(format!("{key}[{i}]"), *a, e, 1e-12);
            }
        }
    }
    check.finish("p-value adjustment");
}

#[test]
fn bad_input_is_a_typed_error_naming_the_test_and_row() {
    let err = stats::ks_2samp(&[1.0, f64::NAN], &[1.0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "ks_2samp: value NaN in row 1 is not finite"
    );
    let err = stats::mann_whitney_u(&[], &[1.0]).unwrap_err();
    assert_eq!(err.to_string(), "mann_whitney_u: no observations");
    let err = stats::chi2_contingency(&[vec![3.0, 0.0], vec![4.0, 0.0]], true).unwrap_err();
    assert!(err.to_string().contains("column 1 sums to 0"), "{err}");
    let err = stats::kruskal(&[&[1.0, 1.0], &[1.0]]).unwrap_err();
    assert!(
        err.to_string().contains("not all values identical"),
        "{err}"
    );
    let err = stats::chisquare(&[5.0, 5.0], Some(&[1.0, 2.0])).unwrap_err();
    assert!(err.to_string().contains("same total"), "{err}");
    let err = stats::jensen_shannon(&[1.0, 2.0], &[1.0], 0.0).unwrap_err();
    assert!(
        err.to_string().contains("differ in length (2 vs 1)"),
        "{err}"
    );
    let err = stats::psi(&[1.0, 2.0], &[1.0], 1, 0.5).unwrap_err();
    assert!(
        err.to_string().contains("`bins` must be at least 2"),
        "{err}"
    );
}

#[test]
fn ks_switches_from_exact_to_asymptotic_above_10000_values() {
    let small: Vec<f64> = (0..10_000).map(|i| i as f64).collect();
    let large: Vec<f64> = (0..10_001).map(|i| i as f64 + 0.5).collect();
    assert_eq!(stats::ks_2samp(&small, &small).unwrap().method, "exact");
    assert_eq!(
        stats::ks_2samp(&small, &large).unwrap().method,
        "asymptotic"
    );
}
