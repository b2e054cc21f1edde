//! Toml config loading with `${…}` expansion on arbitrary text; a config that loads is
//! diffed against itself, which must find no change.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlharness::config::{diff, DiffOptions, Format, Loader};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let loader = Loader::new().env_vars([("A", "1"), ("B", "${A}"), ("EMPTY", "")]);
    if let Ok(tree) = loader.parse_str(text, Format::Toml, "fuzz.toml") {
        let changes = diff(&tree, &tree, &DiffOptions::default()).expect("default options are valid");
        assert!(changes.is_empty(), "a config differs from itself: {changes:?}");
    }
});
