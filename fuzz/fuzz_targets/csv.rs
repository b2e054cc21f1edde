//! The CSV loader on arbitrary bytes; a dataset that loads is also inferred and validated
//! against its own schema, which must hold.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlharness::data::{CsvOptions, Dataset};
use mlharness::schema::Schema;

fuzz_target!(|data: &[u8]| {
    let options = CsvOptions::default().max_field_bytes(4096);
    if let Ok(ds) = Dataset::from_csv_bytes(data, "fuzz.csv", &options) {
        let schema = Schema::infer(&ds);
        let report = schema.validate(&ds);
        assert!(
            report.outcome().passed(),
            "a dataset breaks its own schema:\n{report}"
        );
    }
});
