//! Yaml config loading with `${…}` expansion on arbitrary text (see `mlharness_fuzz::config`).
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlharness::config::Format;

fuzz_target!(|data: &[u8]| mlharness_fuzz::config(data, Format::Yaml, "fuzz.yaml"));
