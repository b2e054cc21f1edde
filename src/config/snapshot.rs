//! The resolved config as a snapshot, so that every config change shows up in review.

use super::Value;

/// The tree as snapshot text: one `path = value` line per setting, in path order.
///
/// Each setting on its own line makes a changed value, or one feature dropped from a list, a
/// one-line change in `cargo insta review` and in the pull request.
///
/// ```
/// use mlharness::config::{parse_str, render_snapshot, Format};
/// let tree = parse_str("loss = \"log_loss\"\nfeatures = [\"calls\", \"plan\"]\n[optim]\nalpha = 1.0", Format::Toml)?;
/// assert_eq!(render_snapshot(&tree), "\
/// features[0] = \"calls\"
/// features[1] = \"plan\"
/// loss = \"log_loss\"
/// optim.alpha = 1.0
/// ");
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
pub fn render_snapshot(tree: &Value) -> String {
    let mut out = String::new();
    for (path, v) in tree.leaves() {
        if path.is_root() {
            continue;
        }
        out.push_str(&format!("{path} = {v}\n"));
    }
    out
}

/// For `assert_config_snapshot!`: the snapshot text, or a panic naming why there is no tree.
#[cfg(feature = "snapshot")]
#[track_caller]
pub fn snapshot_text(tree: impl super::IntoTree) -> String {
    match tree.into_tree() {
        Ok(tree) => render_snapshot(&tree),
        Err(e) => panic!("no config to snapshot: {}", crate::check::chain(&e)),
    }
}

/// Asserts that a config tree matches its insta snapshot (feature `snapshot`).
///
/// The tree is rendered by [`render_snapshot`](crate::config::render_snapshot), one setting per
/// line, and compared with `snapshots/<test file>__<name>.snap` beside the test; a change fails
/// the test and is accepted with `cargo insta review` (or `INSTA_UPDATE=always cargo test`).
/// The argument is a [`Value`](crate::config::Value) or the `Result` of loading one; an optional
/// first argument names the snapshot (by default the test function's name). No `insta`
/// dependency of your own is needed.
///
/// ```no_run
/// use mlharness::config::Loader;
///
/// #[test]
/// fn resolved_config() {
///     mlharness::assert_config_snapshot!(Loader::new().load("config/model.toml"));
/// }
/// ```
#[cfg(feature = "snapshot")]
#[macro_export]
macro_rules! assert_config_snapshot {
    ($name:expr, $tree:expr $(,)?) => {{
        let config = $crate::_macro_support::snapshot_text($tree);
        $crate::_macro_support::insta::assert_snapshot!($name, config);
    }};
    ($tree:expr $(,)?) => {{
        let config = $crate::_macro_support::snapshot_text($tree);
        $crate::_macro_support::insta::assert_snapshot!(config);
    }};
}
