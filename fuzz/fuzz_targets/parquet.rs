//! The Parquet reader on arbitrary bytes (see `mlharness_fuzz::columnar`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlharness::data::Dataset;

fuzz_target!(
    |data: &[u8]| mlharness_fuzz::columnar(data, "fuzz.parquet", |path| {
        Dataset::from_parquet(path)
    })
);
