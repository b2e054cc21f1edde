//! The Prometheus text-format parser on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlharness::system::Metrics;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(metrics) = Metrics::parse(text) {
        for s in metrics.samples() {
            let _ = metrics.value(&s.name, &[]);
        }
    }
});
