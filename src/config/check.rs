//! A config check: the config in use against the one in version control, plus rules; and the
//! `config_diff!` macro that turns checks into named tests.

use super::{diff, ConfigError, ConfigReport, DiffOptions, Env, Loader, Rules, Value};
use std::path::Path as FsPath;

/// Something that is, or failed to become, a config tree: a [`Value`], or the `Result` of
/// loading one (a load error then fails the check with its cause).
pub trait IntoTree {
    /// The tree, or why there is none.
    fn into_tree(self) -> Result<Value, ConfigError>;
}

impl IntoTree for Value {
    fn into_tree(self) -> Result<Value, ConfigError> {
        Ok(self)
    }
}

impl IntoTree for Result<Value, ConfigError> {
    fn into_tree(self) -> Result<Value, ConfigError> {
        self
    }
}

type Side = (String, Result<Value, ConfigError>);

/// Compares the config a program would run with (`actual`) against the checked-in one
/// (`expected`) and checks rules on it.
///
/// Load errors are kept and reported by [`ConfigCheck::run`], so a check can be built in one
/// expression (as [`config_diff!`](crate::config_diff) wants).
///
/// ```
/// use mlharness::config::{ConfigCheck, Env, Format, Loader, Rules};
/// #[derive(serde::Serialize, Default)]
/// struct Train { seed: u64, alpha: f64, loss: String }
///
/// let checked_in = "seed = ${SEED:-42}\nalpha = 0.5\nloss = \"log_loss\"\n";
/// // What the service would run with: the defaults under the file, the environment expanded.
/// let service = |env: &[(&str, &str)]| {
///     Loader::new()
///         .defaults(&Train { seed: 0, alpha: 1.0, loss: "log_loss".into() })
///         .env_vars(env.iter().copied())
///         .parse_str(checked_in, Format::Toml, "model.toml")
/// };
/// let check = |env: &[(&str, &str)]| {
///     ConfigCheck::new()
///         .expected("model.toml", Loader::new().env(Env::empty()).parse_str(checked_in, Format::Toml, "model.toml"))
///         .actual("service config", service(env))
///         .rules(Rules::new().allowed("loss", ["log_loss"]).range("alpha", 0.0, 10.0))
///         .run()
/// };
/// assert!(check(&[])?.outcome().passed());
/// let report = check(&[("SEED", "7")])?;
/// assert_eq!(report.changes.len(), 1);
/// assert_eq!(report.changes[0].path.to_string(), "seed");
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
#[derive(Debug)]
pub struct ConfigCheck {
    expected: Option<Side>,
    actual: Option<Side>,
    rules: Vec<Result<Rules, ConfigError>>,
    options: DiffOptions,
}

impl Default for ConfigCheck {
    fn default() -> Self {
        ConfigCheck::new()
    }
}

impl ConfigCheck {
    /// An empty check: give it an actual config, and an expected one and/or rules.
    pub fn new() -> Self {
        ConfigCheck {
            expected: None,
            actual: None,
            rules: Vec::new(),
            options: DiffOptions::new(),
        }
    }

    /// The reference tree; `label` names it in messages.
    pub fn expected(mut self, label: impl Into<String>, tree: impl IntoTree) -> Self {
        self.expected = Some((label.into(), tree.into_tree()));
        self
    }

    /// The checked-in file, read as written: no defaults, and every `${VAR:-fallback}` takes
    /// its fallback (no environment).
    pub fn expected_file(self, path: impl AsRef<FsPath>) -> Self {
        let path = path.as_ref();
        let tree = Loader::new().env(Env::empty()).load(path);
        self.expected(path.display().to_string(), tree)
    }

    /// The tree under test, typically what the program would run with; `label` names it.
    pub fn actual(mut self, label: impl Into<String>, tree: impl IntoTree) -> Self {
        self.actual = Some((label.into(), tree.into_tree()));
        self
    }

    /// A file under test, expanded with the process environment, without defaults.
    pub fn actual_file(self, path: impl AsRef<FsPath>) -> Self {
        let path = path.as_ref();
        let tree = Loader::new().load(path);
        self.actual(path.display().to_string(), tree)
    }

    /// Rules the actual config must satisfy (may be given several times).
    pub fn rules(mut self, rules: Rules) -> Self {
        self.rules.push(Ok(rules));
        self
    }

    /// Rules from a rules file (see [`Rules::from_file`]).
    pub fn rules_file(mut self, path: impl AsRef<FsPath>) -> Self {
        self.rules.push(Rules::from_file(path));
        self
    }

    /// Ignores what a [`Pattern`](super::Pattern) matches (`server.port`, `*.timestamp`).
    pub fn ignore(mut self, pattern: impl Into<String>) -> Self {
        self.options = self.options.ignore(pattern);
        self
    }

    /// Numbers within `tolerance` of each other are equal.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.options = self.options.tolerance(tolerance);
        self
    }

    /// Replaces every diff option at once.
    pub fn options(mut self, options: DiffOptions) -> Self {
        self.options = options;
        self
    }

    /// Runs the check. `Err` when an input is unusable (a file missing or malformed, a bad
    /// rule); otherwise the report, which may show changes and violations.
    pub fn run(self) -> Result<ConfigReport, ConfigError> {
        self.options.validate()?;
        let (actual_label, actual) = self.actual.ok_or_else(|| {
            ConfigError::Incomplete(
                "no actual config: give one with .actual(…) or .actual_file(…)".into(),
            )
        })?;
        if self.expected.is_none() && self.rules.is_empty() {
            return Err(ConfigError::Incomplete(format!(
                "nothing to check {actual_label} against: give an expected config or rules"
            )));
        }
        let actual = actual?;
        let (mut expected, mut changes, mut violations, mut rules_checked) =
            (None, Vec::new(), Vec::new(), 0);
        if let Some((label, tree)) = self.expected {
            changes = diff(&tree?, &actual, &self.options)?;
            expected = Some(label);
        }
        for rules in self.rules {
            let rules = rules?;
            rules_checked += rules.rules().len();
            violations.extend(rules.check(&actual)?);
        }
        let settings = actual.leaves().iter().filter(|(p, _)| !p.is_root()).count();
        Ok(ConfigReport::new(
            expected,
            actual_label,
            settings,
            changes,
            violations,
            rules_checked,
        ))
    }
}

/// Generates one named test per config check, in a module `config_diff` (so the gate counts
/// them as config-diff tests: `mlharness_config_diff::matches_checked_in`, `mlharness_config_diff::rules_hold`).
///
/// Each entry is `name => check`, where `check` is a [`ConfigCheck`] expression, or
/// `name => snapshot(tree)` for an insta snapshot of a tree (with the `snapshot` feature; see
/// [`assert_config_snapshot!`](crate::assert_config_snapshot)). Doc comments and attributes
/// (`#[ignore]`) before a name go onto its test. The module imports everything of the
/// enclosing one (`use super::*`), so checks can call the test file's helpers — except one
/// named like a test, which the test shadows: call it `super::name()` or rename it.
///
/// A failing test panics with the report: each change and broken rule with its path.
///
/// ```
/// use mlharness::config::{ConfigCheck, Format, Loader, Rules};
///
/// fn service_config() -> Result<mlharness::config::Value, mlharness::config::ConfigError> {
///     Loader::new().env_vars([("SEED", "42")]).parse_str("seed = ${SEED}\nloss = \"log_loss\"", Format::Toml, "model.toml")
/// }
///
/// mlharness::config_diff! {
///     /// The service runs with the checked-in config.
///     matches_checked_in => ConfigCheck::new()
///         .expected("model.toml", mlharness::config::parse_str("seed = 42\nloss = \"log_loss\"", Format::Toml))
///         .actual("service", service_config()),
///     rules_hold => ConfigCheck::new()
///         .actual("service", service_config())
///         .rules(Rules::new().allowed("loss", ["log_loss"])),
/// }
///
/// # fn main() {
/// // In a test build these are `#[test]` functions `mlharness_config_diff::matches_checked_in` and
/// // `mlharness_config_diff::rules_hold`; here, the same checks run directly:
/// use mlharness::check::Checked;
/// ConfigCheck::new()
///     .actual("service", service_config())
///     .rules(Rules::new().allowed("loss", ["log_loss"]))
///     .run()
///     .assert_passed();
/// # }
/// ```
#[macro_export]
macro_rules! config_diff {
    ($($body:tt)*) => {
        #[cfg(test)]
        mod mlharness_config_diff {
            #[allow(unused_imports)]
            use super::*;
            $crate::__config_diff_tests! { $($body)* }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __config_diff_tests {
    () => {};
    ($(#[$meta:meta])* $name:ident => snapshot($tree:expr) $(, $($rest:tt)*)?) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            $crate::assert_config_snapshot!($tree);
        }
        $crate::__config_diff_tests! { $($($rest)*)? }
    };
    ($(#[$meta:meta])* $name:ident => $check:expr $(, $($rest:tt)*)?) => {
        $(#[$meta])*
        #[test]
        fn $name() {
            $crate::_macro_support::enforce(
                concat!("mlharness_config_diff::", stringify!($name)),
                $crate::config::ConfigCheck::run($check),
            );
        }
        $crate::__config_diff_tests! { $($($rest)*)? }
    };
}
