//! Drift statistics at scale.
//! Targets (issue "Drift and statistical tests"): KS on 1,000,000 vs 1,000,000 values within
//! 1.5× the time of sorting both samples (measured here side by side: `sort_both` copies and
//! sorts the two samples, as `ks_2samp` must); a drift report over 100,000 × 20 numeric columns
//! in under 200 ms (columns in parallel with the default `parallel` feature); the domain
//! classifier (2,000 rows a side sampled, 20 columns, 5 folds × 20 fits) in under 2 s
//! (about 0.39 s here).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mlharness::data::{Column, Dataset};
use mlharness::drift::{DomainClassifier, DriftOptions};
use mlharness::stats::ks_2samp;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

fn uniform(n: usize, seed: u64, shift: f64) -> Vec<f64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen::<f64>() + shift).collect()
}

fn sort_both(a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_unstable_by(f64::total_cmp);
    b.sort_unstable_by(f64::total_cmp);
    (a, b)
}

fn ks(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let a = uniform(N, 1, 0.0);
    let same = uniform(N, 2, 0.0);
    // D ≈ 0.005: the p-value comes from the Birnbaum–Tingey sum, the costliest branch.
    let shifted = uniform(N, 3, 0.005);
    let mut g = c.benchmark_group("ks_1m_vs_1m");
    g.throughput(Throughput::Elements(2 * N as u64));
    g.sample_size(10);
    g.bench_function("sort_both", |bench| {
        bench.iter(|| sort_both(black_box(&a), black_box(&same)))
    });
    g.bench_function("ks_2samp_same", |bench| {
        bench.iter(|| ks_2samp(black_box(&a), black_box(&same)).unwrap())
    });
    g.bench_function("ks_2samp_shifted", |bench| {
        bench.iter(|| ks_2samp(black_box(&a), black_box(&shifted)).unwrap())
    });
    g.finish();
}

/// `columns` numeric columns of `rows` values, column `j` shifted by `shift * j`.
fn numeric_columns(rows: usize, columns: usize, seed: u64, shift: f64) -> Dataset {
    Dataset::from_columns(
        (0..columns)
            .map(|j| {
                (
                    format!("x{j}"),
                    Column::numeric(uniform(rows, seed * 100 + j as u64, shift * j as f64)),
                )
            })
            .collect(),
    )
    .unwrap()
}

/// One criterion group timing `DriftOptions::default().compare(reference, current)`.
fn bench_compare(
    c: &mut Criterion,
    group: &str,
    elements: u64,
    reference: &Dataset,
    current: &Dataset,
) {
    let options = DriftOptions::default();
    assert_eq!(
        options.compare(reference, current).unwrap().columns.len(),
        reference.n_columns()
    );
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(elements));
    g.sample_size(10);
    g.bench_function("compare", |bench| {
        bench.iter(|| {
            options
                .compare(black_box(reference), black_box(current))
                .unwrap()
        })
    });
    g.finish();
}

fn report(c: &mut Criterion) {
    const ROWS: usize = 100_000;
    const COLUMNS: usize = 20;
    let reference = numeric_columns(ROWS, COLUMNS, 1, 0.0);
    let current = numeric_columns(ROWS, COLUMNS, 2, 0.002);
    bench_compare(
        c,
        "drift_report_100k_x_20",
        (2 * ROWS * COLUMNS) as u64,
        &reference,
        &current,
    );
}

/// 50,000 columns of 30 rows: a wide table is linear work, not a quadratic walk over column
/// names (issue "Hostile input": 10,000 columns took ~19 s). Target: a few seconds.
fn wide(c: &mut Criterion) {
    const ROWS: usize = 30;
    const COLUMNS: usize = 50_000;
    let reference = numeric_columns(ROWS, COLUMNS, 1, 0.0);
    let current = numeric_columns(ROWS, COLUMNS, 2, 0.0);
    bench_compare(
        c,
        "drift_report_30_x_50k_columns",
        COLUMNS as u64,
        &reference,
        &current,
    );
}

/// The domain classifier on 100,000 × 20 a side (it samples 2,000 rows a side).
fn domain(c: &mut Criterion) {
    let reference = numeric_columns(100_000, 20, 1, 0.0);
    let current = numeric_columns(100_000, 20, 2, 0.0);
    let mut g = c.benchmark_group("domain_classifier_100k_x_20");
    g.sample_size(10);
    g.bench_function("compare", |b| {
        b.iter(|| {
            black_box(
                DomainClassifier::new()
                    .compare(&reference, &current)
                    .unwrap(),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, ks, report, wide, domain);
criterion_main!(benches);
