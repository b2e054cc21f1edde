//! `mlharness config-diff`: the CLI's comparison of two config files, as a function.

use super::{ConfigCheck, ConfigError};
use std::path::PathBuf;

/// How `mlharness config-diff` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// Small aligned tables; one line when equal.
    #[default]
    Text,
    /// The JSON form of [`ConfigReport::to_json`](super::ConfigReport::to_json).
    Json,
}

/// The arguments of `mlharness config-diff expected actual [--rules R] [--ignore P]…`.
#[derive(Debug, Clone, Default)]
pub struct DiffCommand {
    /// The checked-in config, read as written (`${VAR:-fallback}` takes its fallback).
    pub expected: PathBuf,
    /// The config in use, expanded with the current environment.
    pub actual: PathBuf,
    /// A rules file the actual config must satisfy.
    pub rules: Option<PathBuf>,
    /// Patterns of paths to ignore.
    pub ignore: Vec<String>,
    /// Numbers within this of each other are equal.
    pub tolerance: Option<f64>,
    /// Text or JSON.
    pub format: OutputFormat,
}

/// Runs the comparison: `Ok((true, output))` when equal and every rule holds,
/// `Ok((false, output))` with the differences, `Err` when an input is unusable (exit code 2).
///
/// ```
/// use mlharness::config::command::{config_diff_command, DiffCommand, OutputFormat};
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("expected.toml"), "loss = \"log_loss\"\nalpha = 0.1\n")?;
/// std::fs::write(dir.path().join("actual.json"), r#"{"loss": "log_loss", "alpha": "0.1"}"#)?;
/// let (ok, out) = config_diff_command(&DiffCommand {
///     expected: dir.path().join("expected.toml"),
///     actual: dir.path().join("actual.json"),
///     format: OutputFormat::Json,
///     ..Default::default()
/// })?;
/// assert!(!ok);
/// let json: serde_json::Value = serde_json::from_str(&out)?;
/// assert_eq!(json["changes"][0]["path"], "alpha");
/// assert_eq!(json["changes"][0]["change"], "type_changed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn config_diff_command(cmd: &DiffCommand) -> Result<(bool, String), ConfigError> {
    let mut check = ConfigCheck::new()
        .expected_file(&cmd.expected)
        .actual_file(&cmd.actual);
    if let Some(rules) = &cmd.rules {
        check = check.rules_file(rules);
    }
    for p in &cmd.ignore {
        check = check.ignore(p.clone());
    }
    if let Some(t) = cmd.tolerance {
        check = check.tolerance(t);
    }
    let report = check.run()?;
    let out = match cmd.format {
        OutputFormat::Text => report.to_string(),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(&report.to_json())
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
            s.push('\n');
            s
        }
    };
    Ok((report.outcome().passed(), out))
}
