//! The Arrow IPC reader (file and stream formats) on arbitrary bytes (see
//! `mlharness_fuzz::columnar`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlharness::data::Dataset;

fuzz_target!(
    |data: &[u8]| mlharness_fuzz::columnar(data, "fuzz.arrow", |path| {
        Dataset::from_arrow_ipc(path)
    })
);
