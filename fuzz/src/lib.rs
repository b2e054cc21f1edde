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

/// Writes `data` to a file named `name` (the readers take paths, as users call them) and reads
/// it with `read`: no panic; a dataset that loads is valid against the schema inferred from it.
pub fn columnar(
    data: &[u8],
    name: &str,
    read: impl Fn(&std::path::Path) -> Result<mlharness::data::Dataset, mlharness::data::DataError>,
) {
    // libfuzzer-sys's panic hook aborts at any panic, even one the readers catch (Parquet's and
    // Arrow's decoders panic on malformed files; mlharness turns that into an error). The
    // default hook is put back: a panic that escapes still aborts the run, at the FFI edge.
    static DEFAULT_HOOK: std::sync::Once = std::sync::Once::new();
    DEFAULT_HOOK.call_once(|| drop(std::panic::take_hook()));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("the input written");
    if let Ok(ds) = read(&path) {
        let schema = mlharness::schema::Schema::infer(&ds);
        let report = schema.validate(&ds);
        assert!(
            report.outcome().passed(),
            "a dataset breaks its own schema:\n{report}"
        );
    }
}
