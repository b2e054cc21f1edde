//! `mlharness.toml`: what the gate requires. Every key is optional; no file at all is fine.

use super::{GateError, Kind};
use serde::Deserialize;
use std::path::Path;

/// The gate's settings, from the `[gate]` table of `mlharness.toml`.
///
/// ```
/// use mlharness::gate::{GateConfig, Kind};
/// let config = GateConfig::parse("[gate]\nmin_coverage = 75.0\nrequired_kinds = [\"unit\", \"system\"]\n", "mlharness.toml".as_ref())?;
/// assert_eq!(config.min_coverage, 75.0);
/// assert_eq!(config.required_kinds, vec![Kind::Unit, Kind::System]);
/// assert_eq!(config.quick_kinds, GateConfig::default().quick_kinds);
///
/// let err = GateConfig::parse("[gate]\nmin_coverge = 75.0\n", "mlharness.toml".as_ref()).unwrap_err();
/// assert!(err.to_string().contains("line 2"), "{err}");
/// # Ok::<(), mlharness::gate::GateError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GateConfig {
    /// Minimum line coverage in percent for a full run to pass (default 80).
    pub min_coverage: f64,
    /// When true (default), a full run whose coverage cannot be measured fails; when false, it
    /// passes on the tests alone. `--no-coverage` always skips coverage on purpose.
    pub require_coverage: bool,
    /// Kinds that must have at least one test in a full run (default: unit, integration).
    pub required_kinds: Vec<Kind>,
    /// Kinds that `--quick` runs (default: unit, config-diff, edge-case).
    pub quick_kinds: Vec<Kind>,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            min_coverage: 80.0,
            require_coverage: true,
            required_kinds: vec![Kind::Unit, Kind::Integration],
            quick_kinds: vec![Kind::Unit, Kind::ConfigDiff, Kind::EdgeCase],
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    gate: GateConfig,
}

impl GateConfig {
    /// Parses the text of `mlharness.toml`; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, GateError> {
        let file: File = toml::from_str(text).map_err(|e| GateError::Config {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })?;
        let config = file.gate;
        if !(0.0..=100.0).contains(&config.min_coverage) {
            return Err(GateError::Config {
                path: path.to_path_buf(),
                message: format!(
                    "`gate.min_coverage` must be a percentage from 0 to 100, got {}",
                    config.min_coverage
                ),
            });
        }
        Ok(config)
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
}
