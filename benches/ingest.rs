//! Data in from files, as the CLI verbs read it.
//!
//! Targets (issue "Data in at the speed of the disk"): CSV at ≥ 300 MB/s on 2 cores for a
//! numeric-heavy file; peak memory of validate, infer and drift ≤ 1.5× the decoded columns
//! (1M × 20: ≤ 250 MB). Criterion times parsing (MB/s, numeric- and text-heavy CSV, Parquet)
//! and validate/drift end to end from files; after it, each job runs once more in a child
//! process of its own (this binary, `MLH_PEAK_JOB=…`), whose peak RSS (`VmHWM`) is printed
//! next to the size of the columns it decoded. Files are generated once under
//! `target/mlharness-bench/`. The side-by-side comparison with pandas, pandera, scipy and
//! polars is `benches/compare.py`.

use criterion::{criterion_group, Criterion, Throughput};
use mlharness::data::Dataset;
use mlharness::drift::{compare_files, DriftOptions};
use mlharness::schema::Schema;
use rand::{Rng, SeedableRng};
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};

const ROWS: usize = 200_000;
const PEAK_ROWS: usize = 1_000_000;

fn dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mlharness-bench");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// 18 numeric columns (1% missing) and 2 categorical ones, as the issue measured.
fn numeric_heavy(rows: usize, seed: u64, shift: f64) -> PathBuf {
    let path = dir().join(format!("numeric-{rows}-{seed}-{shift}.csv"));
    if path.exists() {
        return path;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let tmp = path.with_extension("tmp");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).unwrap());
    let header: Vec<String> = (0..18)
        .map(|j| format!("f{j:02}"))
        .chain(["plan".into(), "region".into()])
        .collect();
    writeln!(out, "{}", header.join(",")).unwrap();
    for _ in 0..rows {
        for _ in 0..18 {
            if rng.gen::<f64>() < 0.01 {
                write!(out, ",").unwrap();
            } else {
                write!(out, "{:.6},", rng.gen::<f64>() * 4.0 - 2.0 + shift).unwrap();
            }
        }
        let plan = ["basic", "plus", "pro", "team", "enterprise"][rng.gen_range(0..5)];
        let region = ["north", "south", "east", "west", "central"][rng.gen_range(0..5)];
        writeln!(out, "{plan},{region}").unwrap();
    }
    out.into_inner().unwrap().sync_all().unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    path
}

/// 8 text columns of growing cardinality (5 to ~ROWS distinct: an ID) and 2 numeric ones.
fn text_heavy(rows: usize) -> PathBuf {
    let path = dir().join(format!("text-{rows}.csv"));
    if path.exists() {
        return path;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let mut out = String::from("id,name,city,plan,state,device,segment,note,x,y\n");
    for i in 0..rows {
        let r: u32 = rng.gen();
        out.push_str(&format!(
            "cust-{i:08},name{},city{},{},st{},dev{},seg{},\"note, {}\",{:.3},{}\n",
            r % 5000,
            r % 500,
            ["basic", "plus", "pro"][(r % 3) as usize],
            r % 50,
            r % 12,
            r % 7,
            r % 100,
            rng.gen::<f64>(),
            r % 1000
        ));
    }
    std::fs::write(&path, out).unwrap();
    path
}

#[cfg(feature = "arrow")]
fn parquet_of(csv: &Path) -> PathBuf {
    let path = csv.with_extension("parquet");
    if path.exists() {
        return path;
    }
    let batch = Dataset::from_csv(csv).unwrap().to_record_batch().unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .build();
    let mut w = parquet::arrow::ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        Some(props),
    )
    .unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    path
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().len()
}

fn parse(c: &mut Criterion) {
    let numeric = numeric_heavy(ROWS, 1, 0.0);
    let text = text_heavy(ROWS);
    let mut g = c.benchmark_group("csv_parse");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(size(&numeric)));
    g.bench_function("numeric_heavy_200k_x_20", |b| {
        b.iter(|| Dataset::from_csv(black_box(&numeric)).unwrap())
    });
    g.throughput(Throughput::Bytes(size(&text)));
    g.bench_function("text_heavy_200k_x_10", |b| {
        b.iter(|| Dataset::from_csv(black_box(&text)).unwrap())
    });
    g.finish();
    #[cfg(feature = "arrow")]
    {
        let pq = parquet_of(&numeric);
        let mut g = c.benchmark_group("parquet_read");
        g.sample_size(10);
        g.throughput(Throughput::Elements(ROWS as u64 * 20));
        g.bench_function("numeric_heavy_200k_x_20", |b| {
            b.iter(|| Dataset::from_parquet(black_box(&pq)).unwrap())
        });
        g.finish();
    }
}

fn end_to_end(c: &mut Criterion) {
    let data = numeric_heavy(ROWS, 1, 0.0);
    let schema = Schema::infer(&Dataset::from_csv(&data).unwrap());
    let current = numeric_heavy(ROWS / 2, 2, 0.05);
    let mut g = c.benchmark_group("from_files");
    g.sample_size(10);
    // What `mlharness validate` runs: the file checked as it streams.
    g.bench_function("validate_200k_x_20", |b| {
        b.iter(|| schema.validate_file(black_box(&data), None, None).unwrap())
    });
    g.bench_function("drift_200k_vs_100k_x_20", |b| {
        b.iter(|| compare_files(&data, &current, None, &DriftOptions::default()).unwrap())
    });
    g.finish();
}

/// Bytes of the decoded columns: 8 per numeric value, 8 per categorical code, the levels.
fn decoded_bytes(ds: &Dataset) -> usize {
    ds.columns()
        .map(|(_, c)| match c {
            mlharness::data::Column::Numeric(n) => n.len() * 8,
            mlharness::data::Column::Categorical(k) => {
                k.codes().len() * 8 + k.levels().iter().map(|l| l.len() + 24).sum::<usize>()
            }
        })
        .sum()
}

/// One job in this process; prints the decoded size and the peak RSS, in bytes. A job named
/// `…-parquet` reads Parquet copies of the same files.
fn peak_job(job: &str) {
    let (job, parquet) = match job.strip_suffix("-parquet") {
        Some(job) => (job, true),
        None => (job, false),
    };
    let file = |csv: PathBuf| -> PathBuf {
        #[cfg(feature = "arrow")]
        if parquet {
            return parquet_of(&csv);
        }
        assert!(!parquet, "Parquet jobs need the `arrow` feature");
        csv
    };
    let data = file(numeric_heavy(PEAK_ROWS, 1, 0.0));
    let alone = status_kb("VmRSS:");
    // The peak is taken before the decoded size is measured: `validate` never holds the
    // columns whole, and reading them to measure them would raise it.
    let (decoded, peak) = match job {
        "infer" => {
            let ds = Dataset::from_file(&data).unwrap();
            black_box(Schema::infer(&ds));
            (decoded_bytes(&ds), peak_rss())
        }
        "validate" => {
            let schema: Schema = Schema::load(dir().join("peak-schema.json")).unwrap();
            black_box(schema.validate_file(&data, None, None).unwrap());
            let peak = peak_rss();
            (decoded_bytes(&schema.read(&data, None).unwrap()), peak)
        }
        "drift" => {
            let a = file(numeric_heavy(100_000, 3, 0.0));
            let b = file(numeric_heavy(100_000, 4, 0.02));
            black_box(compare_files(&a, &b, None, &DriftOptions::default()).unwrap());
            let peak = peak_rss();
            (decoded_bytes(&Dataset::from_file(&a).unwrap()) * 2, peak)
        }
        other => panic!("unknown peak job {other}"),
    };
    println!("{decoded} {peak} {alone}");
}

/// This process's peak resident memory so far (`VmHWM`), in bytes.
fn peak_rss() -> usize {
    status_kb("VmHWM:")
}

/// A size from `/proc/self/status` (`VmHWM:`, `VmRSS:`), in bytes; 0 where there is none.
fn status_kb(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: usize = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    kb * 1024
}

fn peaks() {
    // Every file is written here, so that no job's peak includes writing one.
    let files = [
        numeric_heavy(PEAK_ROWS, 1, 0.0),
        numeric_heavy(100_000, 3, 0.0),
        numeric_heavy(100_000, 4, 0.02),
    ];
    #[cfg(feature = "arrow")]
    for csv in &files {
        parquet_of(csv);
    }
    let data = &files[0];
    let schema_path = dir().join("peak-schema.json");
    if !schema_path.exists() {
        Schema::infer(&Dataset::from_csv(data).unwrap())
            .save(&schema_path)
            .unwrap();
    }
    println!(
        "\npeak memory, each job alone in a fresh process (target ≤ 1.5× the decoded columns):"
    );
    let mut jobs = vec![
        ("validate", "validate 1M × 20 from CSV"),
        ("infer", "schema infer 1M × 20 from CSV"),
        ("drift", "drift 100k × 20 vs 100k × 20 from CSV"),
    ];
    if cfg!(feature = "arrow") {
        jobs.extend([
            ("validate-parquet", "validate 1M × 20 from Parquet"),
            ("infer-parquet", "schema infer 1M × 20 from Parquet"),
            ("drift-parquet", "drift 100k × 20 vs 100k × 20 from Parquet"),
        ]);
    }
    for (job, what) in jobs {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env("MLH_PEAK_JOB", job)
            .output()
            .unwrap();
        let line = String::from_utf8_lossy(&out.stdout);
        let mut nums = line
            .split_whitespace()
            .filter_map(|n| n.parse::<f64>().ok());
        // The whole process's peak is the one compared, this benchmark's own code and
        // libraries included (more than the `mlharness` command's): its size before the job
        // is shown beside it.
        match (nums.next(), nums.next(), nums.next()) {
            (Some(decoded), Some(peak), Some(alone)) if peak > 0.0 => println!(
                "  {what:<44} peak {:>6.0} MB ({:>3.0} MB before the job), columns {:>6.0} MB: {:.2}×",
                peak / 1e6,
                alone / 1e6,
                decoded / 1e6,
                peak / decoded
            ),
            _ => println!("  {what:<44} not measured (no /proc/self/status?)"),
        }
    }
}

criterion_group!(benches, parse, end_to_end);

fn main() {
    if let Ok(job) = std::env::var("MLH_PEAK_JOB") {
        peak_job(&job);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench -- <filter>` runs the peaks only when asked for by name, or with no filter.
    let filtered = std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"peak".contains(a.as_str()));
    if !filtered {
        peaks();
    }
}
