//! What the config targets share: one format each, the same loader and the same property.

use mlharness::config::{diff, DiffOptions, Format, Loader};

/// Loads `data` as a config in `format` with `${…}` expansion; a config that loads is diffed
/// against itself, which must find no change.
pub fn config(data: &[u8], format: Format, file: &str) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loader = Loader::new().env_vars([("A", "1"), ("B", "${A}"), ("EMPTY", "")]);
    if let Ok(tree) = loader.parse_str(text, format, file) {
        let changes =
            diff(&tree, &tree, &DiffOptions::default()).expect("default options are valid");
        assert!(
            changes.is_empty(),
            "a config differs from itself: {changes:?}"
        );
    }
}
