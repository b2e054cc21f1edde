//! Why a config, a rules file or a check could not be used.

use std::path::PathBuf;

/// Everything that can go wrong loading, expanding, comparing or checking a config.
///
/// Each error is one line and names where it happened: the file (or the label given to text
/// parsed from memory), the 1-based line and column for syntax, the dotted path inside the
/// config for a value, and the field of a rules file.
///
/// ```
/// use mlharness::config::{ConfigError, Format, Loader};
/// let err = Loader::new()
///     .env_vars([("OTHER", "1")])
///     .parse_str("seed = ${SEED}\n", Format::Toml, "model.toml")
///     .unwrap_err();
/// assert!(matches!(err, ConfigError::UndefinedVariable { ref name, line: 1, column: 8, .. } if name == "SEED"));
/// assert_eq!(
///     err.to_string(),
///     "model.toml:1:8: environment variable `SEED` is not set and `${SEED}` has no fallback \
///      (write `${SEED:-default}` to give one)"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: cannot read", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file's extension does not say which format it is in.
    #[error("{}: cannot tell the format from the extension: expected .toml, .json, .yaml or .yml", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// YAML was asked for, but mlharness was built without its `yaml` feature.
    #[error("{file}: reading YAML needs mlharness's `yaml` feature")]
    YamlDisabled {
        /// The file.
        file: String,
    },
    /// The text is not valid TOML, JSON or YAML.
    #[error("{file}:{line}:{column}: invalid {format}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// `TOML`, `JSON` or `YAML`.
        format: &'static str,
        /// 1-based line.
        line: usize,
        /// 1-based column (in characters).
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// `${NAME}` names a variable that is not set, and gives no fallback.
    #[error("{file}:{line}:{column}: environment variable `{name}` is not set and `${{{name}}}` has no fallback (write `${{{name}:-default}}` to give one)")]
    UndefinedVariable {
        /// The file.
        file: String,
        /// 1-based line of the `$`.
        line: usize,
        /// 1-based column of the `$`.
        column: usize,
        /// The variable.
        name: String,
    },
    /// `${NAME:?message}` (or `${NAME?message}`) met an unset (or empty) variable.
    #[error("{file}:{line}:{column}: environment variable `{name}`: {message}")]
    VariableRequired {
        /// The file.
        file: String,
        /// 1-based line of the `$`.
        line: usize,
        /// 1-based column of the `$`.
        column: usize,
        /// The variable.
        name: String,
        /// The message the config gives, or a default one.
        message: String,
    },
    /// A `${…}` expression is malformed (unterminated, bad name, unsupported operator).
    #[error("{file}:{line}:{column}: {message}")]
    BadExpansion {
        /// The file.
        file: String,
        /// 1-based line of the `$`.
        line: usize,
        /// 1-based column of the `$`.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A value parsed, but cannot be held in a config tree (an integer beyond `i64`, a YAML
    /// mapping key that is itself a mapping, a top level that is not a table, …).
    #[error("{file}: at `{path}`: {message}")]
    UnsupportedValue {
        /// The file.
        file: String,
        /// Dotted path of the value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The defaults struct could not be turned into a config tree.
    #[error("defaults: {message}")]
    Defaults {
        /// What is wrong.
        message: String,
    },
    /// The config tree does not fit the struct it is read into.
    #[error("{file}: at `{path}`: {message}")]
    Deserialize {
        /// The file.
        file: String,
        /// Dotted path of the field.
        path: String,
        /// What serde said.
        message: String,
    },
    /// A dotted path or ignore pattern is malformed.
    #[error("bad path `{text}`: {message}")]
    BadPath {
        /// The text given.
        text: String,
        /// What is wrong.
        message: String,
    },
    /// A rules file is not valid: names the file, the line and column, and the field.
    #[error("{file}:{line}:{column}: {message}")]
    Rules {
        /// The rules file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, naming the field.
        message: String,
    },
    /// A rule given in code is unusable (e.g. a range whose minimum exceeds its maximum).
    #[error("rule at `{path}`: {message}")]
    BadRule {
        /// The rule's path.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A check was run without something it needs (e.g. no actual config).
    #[error("config check: {0}")]
    Incomplete(String),
    /// A comparison setting is out of range.
    #[error(transparent)]
    Setting(#[from] crate::check::InvalidSetting),
}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
pub(crate) fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let mut at = at;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
