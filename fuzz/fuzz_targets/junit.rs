//! The gate's JUnit reader (nextest's report) on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = cargo_mlharness::gate::junit::parse(text, "junit.xml".as_ref());
});
