//! Every metric of `mlharness::metrics` on 1,000,000 predictions.
//! Target (issue "Foundation"): all of them together in under 100 ms.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mlharness::metrics::{self, Average};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const N: usize = 1_000_000;

struct Data {
    truth: Vec<usize>,
    predicted: Vec<usize>,
    scores: Vec<f64>,
    proba: Array2<f64>,
    y: Vec<f64>,
    y_hat: Vec<f64>,
}

fn data() -> Data {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let truth: Vec<usize> = (0..N)
        .map(|_| usize::from(rng.gen::<f64>() < 0.3))
        .collect();
    // Scores correlated with the truth, rounded to 3 decimals so there are many ties.
    let scores: Vec<f64> = truth
        .iter()
        .map(|&t| ((0.35 * t as f64 + 0.65 * rng.gen::<f64>()) * 1000.0).round() / 1000.0)
        .collect();
    let predicted: Vec<usize> = scores.iter().map(|&s| usize::from(s > 0.5)).collect();
    let mut proba = Array2::zeros((N, 2));
    for (i, &s) in scores.iter().enumerate() {
        let p = s.clamp(0.001, 0.999);
        proba[[i, 0]] = 1.0 - p;
        proba[[i, 1]] = p;
    }
    let y: Vec<f64> = (0..N).map(|_| rng.gen::<f64>() * 100.0 + 1.0).collect();
    let y_hat: Vec<f64> = y.iter().map(|v| v + rng.gen::<f64>() - 0.5).collect();
    Data {
        truth,
        predicted,
        scores,
        proba,
        y,
        y_hat,
    }
}

fn all_metrics(c: &mut Criterion) {
    let Data {
        truth,
        predicted,
        scores,
        proba,
        y,
        y_hat,
    } = data();
    let mut group = c.benchmark_group("metrics");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    group.bench_function("all_1m", |b| {
        b.iter(|| {
            let (t, p) = (black_box(&truth[..]), black_box(&predicted[..]));
            let mut sum = metrics::accuracy(t, p).unwrap();
            sum += metrics::balanced_accuracy(t, p).unwrap();
            for avg in [Average::Binary, Average::Macro, Average::Weighted] {
                sum += metrics::precision(t, p, avg).unwrap();
                sum += metrics::recall(t, p, avg).unwrap();
                sum += metrics::f1(t, p, avg).unwrap();
            }
            sum += metrics::roc_auc(t, black_box(&scores)).unwrap();
            sum += metrics::log_loss(t, black_box(proba.view())).unwrap();
            sum += metrics::confusion_matrix(t, p, 2).unwrap().counts()[[0, 0]] as f64;
            let (y, y_hat) = (black_box(&y[..]), black_box(&y_hat[..]));
            sum += metrics::mse(y, y_hat).unwrap();
            sum += metrics::rmse(y, y_hat).unwrap();
            sum += metrics::mae(y, y_hat).unwrap();
            sum += metrics::r2(y, y_hat).unwrap();
            sum += metrics::mape(y, y_hat).unwrap();
            sum
        })
    });
    group.bench_function("roc_auc_1m", |b| {
        b.iter(|| metrics::roc_auc(black_box(&truth), black_box(&scores)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, all_metrics);
criterion_main!(benches);
