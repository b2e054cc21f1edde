//! The data verbs on Parquet files written here with arrow-rs, as polars or pandas write them
//! (zstd, several row groups): `schema infer`, `validate`, `drift`, `check-data`, and
//! `--data-format`; and on Feather files compressed as pyarrow compresses them (LZ4).

use arrow_array::{ArrayRef, Float64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use tempfile::TempDir;

/// `n` rows: `minutes` (cycling, plus `shift`), `plan` (basic/pro, or `odd` every 50th row
/// when `odd_plan`), `churn` (yes/no).
fn rows(n: usize, shift: f64, odd_plan: bool) -> RecordBatch {
    let minutes: Vec<f64> = (0..n).map(|i| (i * 37 % 97) as f64 + shift).collect();
    let plan: Vec<&str> = (0..n)
        .map(|i| match i {
            i if odd_plan && i % 50 == 0 => "odd",
            i if i % 3 == 0 => "pro",
            _ => "basic",
        })
        .collect();
    let churn: Vec<&str> = (0..n)
        .map(|i| if i % 4 == 0 { "yes" } else { "no" })
        .collect();
    RecordBatch::try_from_iter([
        ("minutes", Arc::new(Float64Array::from(minutes)) as ArrayRef),
        ("plan", Arc::new(StringArray::from(plan)) as ArrayRef),
        ("churn", Arc::new(StringArray::from(churn)) as ArrayRef),
    ])
    .unwrap()
}

/// [`rows`] written as Parquet, zstd-compressed, 256 rows a row group.
fn parquet(dir: &Path, name: &str, n: usize, shift: f64, odd_plan: bool) -> PathBuf {
    let batch = rows(n, shift, odd_plan);
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(256))
        .build();
    let path = dir.join(name);
    let mut writer = ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batch.schema(),
        Some(props),
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    path
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .args(args)
        .output()
        .expect("run mlharness")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn schema_infer_and_validate_read_parquet() {
    let dir = TempDir::new().unwrap();
    let train = parquet(dir.path(), "train.parquet", 1000, 0.0, false);
    let schema = dir.path().join("schema.json");
    let out = run(&["schema", "infer", s(&train), "-o", s(&schema)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 columns inferred from 1000 rows"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["validate", s(&train), "--schema", s(&schema)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    // A new plan and minutes beyond the trained range: exit 1, each named.
    let serving = parquet(dir.path(), "serving.parquet", 500, 1000.0, true);
    let out = run(&[
        "validate",
        s(&serving),
        "--schema",
        s(&schema),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let columns: Vec<&str> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["column"].as_str().unwrap())
        .collect();
    assert!(
        columns.contains(&"plan") && columns.contains(&"minutes"),
        "{report}"
    );
}

#[test]
fn drift_compares_parquet_files() {
    let dir = TempDir::new().unwrap();
    let a = parquet(dir.path(), "a.parquet", 1000, 0.0, false);
    let b = parquet(dir.path(), "b.parquet", 800, 0.0, false);
    let out = run(&["drift", s(&a), s(&b), "--ignore", "churn"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let shifted = parquet(dir.path(), "c.parquet", 800, 30.0, false);
    let out = run(&["drift", s(&a), s(&shifted), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\"minutes\""));
}

/// [`rows`] as a Feather (Arrow IPC) file compressed with LZ4, as pyarrow's
/// `feather.write_feather` writes by default.
fn feather(dir: &Path, name: &str, n: usize, shift: f64) -> PathBuf {
    use arrow_ipc::writer::{FileWriter, IpcWriteOptions};
    let batch = rows(n, shift, false);
    let options = IpcWriteOptions::default()
        .try_with_compression(Some(arrow_ipc::CompressionType::LZ4_FRAME))
        .unwrap();
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = FileWriter::try_new_with_options(file, &batch.schema(), options).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    path
}

#[test]
fn validate_and_drift_read_lz4_feather_files() {
    let dir = TempDir::new().unwrap();
    let a = feather(dir.path(), "a.feather", 1000, 0.0);
    let schema = dir.path().join("schema.json");
    let out = run(&["schema", "infer", s(&a), "--output", s(&schema)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(&["validate", s(&a), "--schema", s(&schema)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let shifted = feather(dir.path(), "b.feather", 800, 30.0);
    let out = run(&["drift", s(&a), s(&shifted), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\"minutes\""));
}

#[test]
fn check_data_reads_a_parquet_pair() {
    let dir = TempDir::new().unwrap();
    let train = parquet(dir.path(), "train.parquet", 600, 0.0, false);
    let out = run(&["check-data", s(&train), s(&train), "--target", "churn"]);
    // The test file is the training file: every row overlaps.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("train_test_overlap"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn data_format_overrides_the_extension_and_a_wrong_one_is_unusable() {
    let dir = TempDir::new().unwrap();
    let data = parquet(dir.path(), "export.bin", 300, 0.0, false);
    let out = run(&["schema", "infer", s(&data), "--data-format", "parquet"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Read as CSV (the default for `.bin`), Parquet bytes are no header line.
    let out = run(&["schema", "infer", s(&data)]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["schema", "infer", s(&data), "--data-format", "xlsx"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown data format `xlsx`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_truncated_parquet_file_is_unusable_and_named() {
    let dir = TempDir::new().unwrap();
    let data = parquet(dir.path(), "cut.parquet", 1000, 0.0, false);
    let bytes = std::fs::read(&data).unwrap();
    std::fs::write(&data, &bytes[..bytes.len() / 2]).unwrap();
    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, r#"{"mlharness_schema": 1, "columns": []}"#).unwrap();
    let out = run(&["validate", s(&data), "--schema", s(&schema)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("{}: not a readable Parquet file", data.display())),
        "{stderr}"
    );
}
