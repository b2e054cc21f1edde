//! Differential comparison and bootstrap at scale.
//! Targets (issue "benchmark-score and differential tests"):
//! - a differential comparison of 1,000,000 regression predictions, with the Wilcoxon
//!   signed-rank test, in under 300 ms;
//! - a bootstrap of 1,000 resamples of a 100,000-row ROC AUC in under 2 s (all cores).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mlharness::data::{Column, Dataset};
use mlharness::differential::Differential;
use mlharness::metrics::Metric;
use mlharness::model::Predictions;
use mlharness::stats::Bootstrap;
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

fn regression(n: usize) -> (Dataset, Predictions, Predictions) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let y: Vec<f64> = (0..n).map(|_| rng.gen::<f64>() * 100.0).collect();
    // The reference is off by up to ±1; the candidate moves every row a little, so that the
    // Wilcoxon test ranks all million differences (the worst case).
    let reference: Vec<f64> = y.iter().map(|v| v + rng.gen::<f64>() * 2.0 - 1.0).collect();
    let candidate: Vec<f64> = reference
        .iter()
        .map(|v| {
            if rng.gen::<f64>() < 0.33 {
                v + rng.gen::<f64>() * 0.2 - 0.09
            } else {
                *v
            }
        })
        .collect();
    let data = Dataset::from_columns(vec![("y".into(), Column::numeric(y))])
        .unwrap()
        .with_target("y")
        .unwrap();
    (
        data,
        Predictions::values(candidate),
        Predictions::values(reference),
    )
}

fn classification(n: usize) -> (Dataset, Predictions, Predictions) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
    let truth: Vec<bool> = (0..n).map(|_| rng.gen::<f64>() < 0.2).collect();
    let mut scores = |shift: f64| {
        let mut p = Array2::zeros((n, 2));
        for (i, &t) in truth.iter().enumerate() {
            // Scores rounded to 3 decimals: many ties, as real probabilities have.
            let s = ((shift * f64::from(u8::from(t)) + (1.0 - shift) * rng.gen::<f64>()) * 1000.0)
                .round()
                / 1000.0;
            p[[i, 0]] = 1.0 - s;
            p[[i, 1]] = s;
        }
        Predictions::probabilities(vec!["no".into(), "yes".into()], p).unwrap()
    };
    let (candidate, reference) = (scores(0.4), scores(0.35));
    let labels: Vec<Option<&str>> = truth
        .iter()
        .map(|&t| Some(if t { "yes" } else { "no" }))
        .collect();
    let data = Dataset::from_columns(vec![("y".into(), Column::categorical(labels))])
        .unwrap()
        .with_target("y")
        .unwrap();
    (data, candidate, reference)
}

fn differential(c: &mut Criterion) {
    let (data, candidate, reference) = regression(1_000_000);
    let check = Differential::new()
        .tolerance(1e-9)
        .max_changed_share(1.0)
        .metric(Metric::Mae, 0.1, 0.1);
    let mut group = c.benchmark_group("differential");
    group.throughput(Throughput::Elements(1_000_000));
    group.sample_size(10);
    group.bench_function("regression_wilcoxon_1m", |b| {
        b.iter(|| {
            check
                .compare(
                    black_box(&data),
                    black_box(&candidate),
                    black_box(&reference),
                    "reference",
                )
                .unwrap()
        })
    });
    group.finish();
}

fn bootstrap(c: &mut Criterion) {
    let (data, candidate, reference) = classification(100_000);
    let bootstrap = Bootstrap::new(3).resamples(1000);
    let mut group = c.benchmark_group("bootstrap");
    group.sample_size(10);
    group.bench_function("roc_auc_100k_1000_resamples", |b| {
        b.iter(|| {
            bootstrap
                .metric_interval(Metric::RocAuc, black_box(&data), black_box(&candidate))
                .unwrap()
        })
    });
    group.bench_function("roc_auc_difference_100k_1000_resamples", |b| {
        b.iter(|| {
            bootstrap
                .metric_difference(
                    Metric::RocAuc,
                    black_box(&data),
                    black_box(&candidate),
                    black_box(&reference),
                )
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, differential, bootstrap);
criterion_main!(benches);
