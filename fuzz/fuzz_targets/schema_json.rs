//! Schema JSON on arbitrary text; a schema that loads survives a save/load round trip.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlharness::schema::Schema;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(schema) = Schema::from_json(text, "fuzz.json") {
        let again =
            Schema::from_json(&schema.to_json(), "again.json").expect("a schema's own JSON loads");
        assert_eq!(again.to_json(), schema.to_json());
    }
});
