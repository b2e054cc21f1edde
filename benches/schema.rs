//! Schema validation and inference on a 1,000,000 × 20 numeric dataset, next to one plain pass
//! summing the same values.
//! Targets (issue "Data contracts"): validation within 2× the plain pass, inference within 3×;
//! (issue 17) validation with the version 2 and 3 expectations — `unique` on a text and a
//! numeric ID, `pattern`, length bounds, a relation and a condition — within 1.5× one plain
//! pass reading every cell (the ratio is printed after the group; here 13.2 ms vs 9.2 ms,
//! 1.44×, and 1.27–1.54× over four runs: the row passes of the two ID columns are serial). A
//! pattern on a column of 1,000,000 distinct IDs costs one regex match per value (on all
//! cores), reported on a line of its own.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use mlharness::data::{Column, Dataset};
use mlharness::schema::Schema;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const ROWS: usize = 1_000_000;
const COLUMNS: usize = 20;

fn data() -> Dataset {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let columns = (0..COLUMNS)
        .map(|j| {
            // A few missing values, as real data has.
            let values = (0..ROWS)
                .map(|_| {
                    if rng.gen::<f64>() < 0.001 {
                        f64::NAN
                    } else {
                        rng.gen::<f64>() * 100.0 * (j + 1) as f64
                    }
                })
                .collect();
            (format!("x{j}"), Column::numeric(values))
        })
        .collect();
    Dataset::from_columns(columns).unwrap()
}

/// The yardstick: one pass over every cell, summing the present values.
fn plain_sum(ds: &Dataset) -> f64 {
    ds.columns()
        .map(|(_, c)| match c {
            Column::Numeric(n) => n.values().iter().filter(|v| !v.is_nan()).sum::<f64>(),
            Column::Categorical(_) => 0.0,
        })
        .sum()
}

fn bench(c: &mut Criterion) {
    let ds = data();
    let schema = Schema::infer(&ds);
    assert!(schema.validate(&ds).outcome().passed());
    let mut g = c.benchmark_group("schema_1m_x_20");
    g.throughput(Throughput::Elements((ROWS * COLUMNS) as u64));
    g.sample_size(20);
    g.bench_function("plain_sum", |b| b.iter(|| plain_sum(black_box(&ds))));
    g.bench_function("validate", |b| b.iter(|| schema.validate(black_box(&ds))));
    g.bench_function("infer", |b| b.iter(|| Schema::infer(black_box(&ds))));
    g.finish();
}

/// 500,000 distinct values against a schema listing all 500,000: membership by hash set, not a
/// linear search per value (issue "Hostile input": 50,000 took ~53 s). Target: well under 1 s.
fn many_categories(c: &mut Criterion) {
    const N: usize = 500_000;
    let values: Vec<String> = (0..N).map(|i| format!("customer-{i}")).collect();
    let ds = Dataset::from_columns(vec![(
        "id".into(),
        Column::categorical(values.iter().map(|v| Some(v.as_str()))),
    )])
    .unwrap();
    let schema = mlharness::schema::InferOptions::default()
        .max_domain_size(N)
        .infer(&ds);
    assert!(schema.validate(&ds).outcome().passed());
    let mut g = c.benchmark_group("schema_500k_categories");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("validate", |b| b.iter(|| schema.validate(black_box(&ds))));
    g.finish();
}

/// 1,000,000 rows: a text ID, a numeric customer number, a state code, two numbers;
/// validated with and without the version 2 and 3 expectations, next to one plain pass that
/// reads every cell once. Target (issue 17): with the expectations, within 1.5× the plain pass.
fn expectations(c: &mut Criterion) {
    const N: usize = 1_000_000;
    let ids: Vec<String> = (0..N).map(|i| format!("c{i:07}")).collect();
    let states = ["KS", "OH", "NJ", "CA", "TX"];
    let day: Vec<f64> = (0..N).map(|i| (i % 300) as f64).collect();
    let total: Vec<f64> = day.iter().map(|d| d + 50.0).collect();
    let ds = Dataset::from_columns(vec![
        (
            "id".into(),
            Column::categorical(ids.iter().map(|v| Some(v.as_str()))),
        ),
        (
            "customer_number".into(),
            Column::numeric((0..N).map(|i| (N - i) as f64).collect()),
        ),
        (
            "state".into(),
            Column::categorical((0..N).map(|i| Some(states[i % 5]))),
        ),
        ("day".into(), Column::numeric(day)),
        ("total".into(), Column::numeric(total)),
    ])
    .unwrap();
    let mut strict = mlharness::schema::InferOptions::default()
        .max_domain_size(100)
        .infer(&ds);
    assert!(
        strict.column("customer_number").unwrap().unique,
        "a numeric ID is inferred unique"
    );
    let mut plain = strict.clone();
    for c in &mut plain.columns {
        c.unique = false;
        c.min_length = None;
        c.max_length = None;
    }
    let id = strict.column_mut("id").unwrap();
    id.unique = true;
    id.min_length = Some(8);
    id.max_length = Some(8);
    strict.column_mut("state").unwrap().pattern = Some("[A-Z]{2}".into());
    strict.relations =
        vec![serde_json::from_str(r#"{"left": "day", "op": "<=", "right": "total"}"#).unwrap()];
    strict.conditions = vec![serde_json::from_str(
        r#"{"if": {"column": "state", "in": ["KS"]}, "then": {"column": "day", "max": 299}}"#,
    )
    .unwrap()];
    assert!(strict.validate(&ds).outcome().passed());
    // A pattern is matched once per distinct value: free on a state code, one regex match
    // per row on an ID whose every value is distinct (reported apart; no 1.5x target).
    let mut id_pattern = strict.clone();
    id_pattern.column_mut("id").unwrap().pattern = Some("c[0-9]{7}".into());
    let group = "schema_1m_v2_expectations";
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("plain_pass", |b| b.iter(|| plain_pass(black_box(&ds))));
    g.bench_function("validate_plain", |b| {
        b.iter(|| plain.validate(black_box(&ds)))
    });
    g.bench_function("validate_with_expectations", |b| {
        b.iter(|| strict.validate(black_box(&ds)))
    });
    g.bench_function("validate_with_a_pattern_on_1m_distinct_ids", |b| {
        b.iter(|| id_pattern.validate(black_box(&ds)))
    });
    g.finish();
    if let (Some(pass), Some(with)) = (
        mean_ns(group, "plain_pass"),
        mean_ns(group, "validate_with_expectations"),
    ) {
        let ratio = with / pass;
        println!(
            "{group}: validation with the expectations takes {ratio:.2}x one plain pass ({:.1} ms vs {:.1} ms; target <= 1.5x: {})",
            with / 1e6,
            pass / 1e6,
            if ratio <= 1.5 { "met" } else { "NOT met" }
        );
    }
}

/// The yardstick for data with text: one pass reading every cell once — each number, and the
/// bytes of each row's category.
fn plain_pass(ds: &Dataset) -> f64 {
    ds.columns()
        .map(|(_, c)| match c {
            Column::Numeric(n) => n.values().iter().filter(|v| !v.is_nan()).sum::<f64>(),
            Column::Categorical(c) => c
                .codes()
                .iter()
                .map(|k| {
                    k.map_or(0, |k| {
                        c.levels()[k as usize].bytes().map(u64::from).sum::<u64>()
                    })
                })
                .sum::<u64>() as f64,
        })
        .sum()
}

/// The mean time of a benchmark just run, from criterion's estimates (nanoseconds).
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let dir = std::env::var_os("CRITERION_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(
                std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into()),
            )
            .join("criterion")
        });
    let text =
        std::fs::read_to_string(dir.join(group).join(function).join("new/estimates.json")).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

criterion_group!(benches, bench, many_categories, expectations);
criterion_main!(benches);
