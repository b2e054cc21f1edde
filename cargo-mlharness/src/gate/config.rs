//! `mlharness.toml`: what the gate requires. Every key is optional; no file at all is fine.

use super::{GateError, Kind};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The gate's settings, from the `[gate]` and `[coverage]` tables of `mlharness.toml`.
///
/// ```
/// use cargo_mlharness::gate::{GateConfig, Kind};
/// let text = "[gate]\nmin_coverage = 75.0\nrequired_kinds = [\"unit\", \"system\"]\n\
///             [coverage]\nexclude = [\"src/bin/**\"]\n";
/// let config = GateConfig::parse(text, "mlharness.toml".as_ref())?;
/// assert_eq!(config.min_coverage, 75.0);
/// assert_eq!(config.required_kinds, vec![Kind::Unit, Kind::System]);
/// assert_eq!(config.coverage_exclude, vec!["src/bin/**"]);
/// assert_eq!(config.quick_kinds, GateConfig::default().quick_kinds);
///
/// let err = GateConfig::parse("[gate]\nmin_coverge = 75.0\n", "mlharness.toml".as_ref()).unwrap_err();
/// assert!(err.to_string().starts_with("mlharness.toml:2:1: invalid TOML: unknown field `min_coverge`"), "{err}");
/// # Ok::<(), cargo_mlharness::gate::GateError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GateConfig {
    /// Minimum line coverage in percent for a full run to pass (default 80).
    pub min_coverage: f64,
    /// When true (default), a full run whose coverage cannot be measured fails; when false, it
    /// passes on the tests alone. `--no-coverage` always skips coverage on purpose.
    pub require_coverage: bool,
    /// Kinds that must have at least one test in a full run (default: none).
    pub required_kinds: Vec<Kind>,
    /// Kinds that `--quick` runs (default: unit, config-diff, edge-case).
    pub quick_kinds: Vec<Kind>,
    /// A test running longer than this many seconds is stopped and fails as timed out
    /// (default 300).
    pub test_timeout: u64,
    /// How long a run waits for another run in the same project before giving up, in seconds
    /// (default 600).
    pub lock_timeout: u64,
    /// Cargo features to build the workspace with (`--features`).
    pub features: Vec<String>,
    /// Build with `--all-features`.
    pub all_features: bool,
    /// Files left out of the coverage figure: globs relative to the workspace root
    /// (`src/bin/**`, `**/generated/*.rs`), from `[coverage] exclude`.
    pub coverage_exclude: Vec<String>,
    /// The file these settings came from; `None` for the defaults.
    pub source: Option<PathBuf>,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            min_coverage: 80.0,
            require_coverage: true,
            required_kinds: Vec::new(),
            quick_kinds: vec![Kind::Unit, Kind::ConfigDiff, Kind::EdgeCase],
            test_timeout: 300,
            lock_timeout: 600,
            features: Vec::new(),
            all_features: false,
            coverage_exclude: Vec::new(),
            source: None,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    gate: GateTable,
    #[serde(default)]
    coverage: CoverageTable,
}

#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct GateTable {
    min_coverage: f64,
    require_coverage: bool,
    required_kinds: Vec<Kind>,
    quick_kinds: Vec<Kind>,
    test_timeout: u64,
    lock_timeout: u64,
    features: Vec<String>,
    all_features: bool,
}

impl Default for GateTable {
    fn default() -> Self {
        let d = GateConfig::default();
        GateTable {
            min_coverage: d.min_coverage,
            require_coverage: d.require_coverage,
            required_kinds: d.required_kinds,
            quick_kinds: d.quick_kinds,
            test_timeout: d.test_timeout,
            lock_timeout: d.lock_timeout,
            features: d.features,
            all_features: d.all_features,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct CoverageTable {
    exclude: Vec<String>,
}

impl GateConfig {
    /// Parses the text of `mlharness.toml`; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, GateError> {
        let invalid = |message: String| GateError::Config {
            path: path.to_path_buf(),
            message,
        };
        // One line, `file:line:column: message`, like every other input error: toml's own
        // rendering quotes the offending line, which may be megabytes long.
        let file: File = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start).min(text.len());
            let before = &text.as_bytes()[..at];
            let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let column = 1 + text[line_start..at].chars().count();
            // The line itself, cut short, so the key is named even when toml's message
            // speaks only of the value.
            let line_text = text[line_start..].lines().next().unwrap_or("").trim();
            let quoted = match line_text.char_indices().nth(80) {
                Some((cut, _)) => format!("{}…", &line_text[..cut]),
                None => line_text.to_string(),
            };
            let context = if quoted.is_empty() {
                String::new()
            } else {
                format!(" (in `{quoted}`)")
            };
            GateError::ConfigSyntax {
                path: path.to_path_buf(),
                line,
                column,
                message: format!(
                    "invalid TOML: {}{context}",
                    e.message().trim_end().replace('\n', "; ")
                ),
            }
        })?;
        let g = file.gate;
        if !(0.0..=100.0).contains(&g.min_coverage) {
            return Err(invalid(format!(
                "`gate.min_coverage` must be a percentage from 0 to 100, got {}",
                g.min_coverage
            )));
        }
        if g.test_timeout == 0 {
            return Err(invalid(
                "`gate.test_timeout` must be at least 1 second, got 0".into(),
            ));
        }
        for pattern in &file.coverage.exclude {
            if let Err(e) = globset::Glob::new(pattern) {
                return Err(invalid(format!(
                    "`coverage.exclude`: `{pattern}` is not a glob: {e}"
                )));
            }
        }
        Ok(GateConfig {
            min_coverage: g.min_coverage,
            require_coverage: g.require_coverage,
            required_kinds: g.required_kinds,
            quick_kinds: g.quick_kinds,
            test_timeout: g.test_timeout,
            lock_timeout: g.lock_timeout,
            features: g.features,
            all_features: g.all_features,
            coverage_exclude: file.coverage.exclude,
            source: Some(path.to_path_buf()),
        })
    }

    /// Reads `mlharness.toml` from `path`, or the defaults when there is no such file.
    pub fn load(path: &Path) -> Result<Self, GateError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(GateError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Where a setting comes from, for messages: `mlharness.toml (gate.KEY)` or, with no file,
    /// `the default (set gate.KEY in mlharness.toml to change it)`.
    pub fn origin(&self, key: &str) -> String {
        match &self.source {
            Some(_) => format!("mlharness.toml ({key})"),
            None => format!("the default (set {key} in mlharness.toml to change it)"),
        }
    }
}
