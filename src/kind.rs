//! Test kinds, and how a test is classified into one: the one table that mlharness's
//! test-generating macros and the gate (`mlharness run`) share. Each macro names its module
//! [`Kind::macro_module`] (`mlharness_drift`, `mlharness_edge_cases`, …), a name no user
//! import collides with; the gate classifies a test in such a module as that kind.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The level or purpose of a test, as the gate counts them.
///
/// A test's kind comes from a module-path segment: the module a macro of mlharness generates
/// (`mlharness_edge_cases::unseen_category` is an edge-case test wherever it lives), or a module
/// named for the kind by hand (`mod drift { #[test] … }`); otherwise from its
/// test binary's name (`tests/system.rs` holds system tests), otherwise from its target kind
/// (unit tests in `src/` are unit tests); everything else is `other`.
///
/// ```
/// use mlharness::kind::Kind;
/// assert_eq!(Kind::classify("churn::unit", "mlharness_edge_cases::nan"), Kind::EdgeCase);
/// assert_eq!(Kind::classify("churn::unit", "edge_cases::nan"), Kind::EdgeCase);
/// assert_eq!(Kind::classify("churn::system", "health_answers"), Kind::System);
/// assert_eq!(Kind::classify("churn", "pipeline_tests::fit"), Kind::Unit);
/// assert_eq!(Kind::classify("churn::bin/churn-service", "routes::parse"), Kind::Unit);
/// assert_eq!(Kind::classify("churn::smoke", "starts"), Kind::Other);
/// assert_eq!("config-diff".parse::<Kind>(), Ok(Kind::ConfigDiff));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// Feature transforms and small functions.
    Unit,
    /// A whole pipeline: fit → transform → predict.
    Integration,
    /// A running service and its API.
    System,
    /// A model against a naive baseline, key instances and slices.
    BenchmarkScore,
    /// A model version against the previous one.
    Differential,
    /// The configuration in use against the one in version control.
    ConfigDiff,
    /// Data with one named oddity.
    EdgeCase,
    /// Data integrity and train–test validity: duplicates, conflicting labels, overlap,
    /// leakage.
    Data,
    /// Distribution shift and statistical tests.
    Drift,
    /// Anything else.
    Other,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 10] = [
        Kind::Unit,
        Kind::Integration,
        Kind::System,
        Kind::BenchmarkScore,
        Kind::Differential,
        Kind::ConfigDiff,
        Kind::EdgeCase,
        Kind::Data,
        Kind::Drift,
        Kind::Other,
    ];

    /// The kebab-case name used in configuration, reports and `--kind`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Unit => "unit",
            Kind::Integration => "integration",
            Kind::System => "system",
            Kind::BenchmarkScore => "benchmark-score",
            Kind::Differential => "differential",
            Kind::ConfigDiff => "config-diff",
            Kind::EdgeCase => "edge-case",
            Kind::Data => "data",
            Kind::Drift => "drift",
            Kind::Other => "other",
        }
    }

    /// Test-binary names (`tests/<name>.rs`) that hold tests of this kind.
    fn binaries(self) -> &'static [&'static str] {
        match self {
            Kind::Unit => &["unit", "units", "unit_tests"],
            Kind::Integration => &["integration", "integration_tests", "pipeline"],
            Kind::System => &["system", "system_tests", "api", "e2e", "end_to_end"],
            Kind::BenchmarkScore => &["benchmark", "benchmark_score", "benchmarks", "quality"],
            Kind::Differential => &["differential", "regression_vs_golden"],
            Kind::ConfigDiff => &["config_diff", "config"],
            Kind::EdgeCase => &["edge_cases", "edge_case", "edge"],
            Kind::Data => &["data_integrity", "integrity", "data_checks"],
            Kind::Drift => &["drift", "shadow", "statistical"],
            Kind::Other => &[],
        }
    }

    /// The module that this kind's test-generating macro puts its tests in, so the gate
    /// counts them as this kind: `transform_properties!` (unit), `pipeline_test!`,
    /// `benchmark_score!`, `differential!`, `config_diff!`, `edge_cases!`,
    /// `data_integrity_test!`, `drift_test!`.
    /// System tests have no macro.
    ///
    /// ```
    /// use mlharness::kind::Kind;
    /// assert_eq!(Kind::Drift.macro_module(), Some("mlharness_drift"));
    /// assert_eq!(Kind::System.macro_module(), None);
    /// ```
    pub const fn macro_module(self) -> Option<&'static str> {
        match self {
            Kind::Unit => Some("mlharness_transform_properties"),
            Kind::Integration => Some("mlharness_pipeline"),
            Kind::BenchmarkScore => Some("mlharness_benchmark"),
            Kind::Differential => Some("mlharness_differential"),
            Kind::ConfigDiff => Some("mlharness_config_diff"),
            Kind::EdgeCase => Some("mlharness_edge_cases"),
            Kind::Data => Some("mlharness_data_integrity"),
            Kind::Drift => Some("mlharness_drift"),
            Kind::System | Kind::Other => None,
        }
    }

    /// Module-path segments of this kind: the macro's module, and the name a user gives a
    /// module of such tests by hand.
    fn segments(self) -> &'static [&'static str] {
        match self {
            Kind::Unit => &["mlharness_transform_properties", "transform_properties"],
            Kind::Integration => &["mlharness_pipeline", "mlharness_integration", "pipeline"],
            Kind::System => &["system"],
            Kind::BenchmarkScore => &["mlharness_benchmark", "benchmark"],
            Kind::Differential => &["mlharness_differential", "differential"],
            Kind::ConfigDiff => &["mlharness_config_diff", "config_diff"],
            Kind::EdgeCase => &["mlharness_edge_cases", "edge_cases"],
            Kind::Data => &["mlharness_data_integrity", "data_integrity"],
            Kind::Drift => &["mlharness_drift", "drift"],
            Kind::Other => &[],
        }
    }

    /// Classifies one test from its nextest binary ID and its name. Binary IDs are `crate`
    /// for a library's unit tests, `crate::bin/name` for a binary's, `crate::name` for the
    /// integration test `tests/name.rs` (`crate::bench/name`, `crate::example/name` likewise).
    pub fn classify(binary_id: &str, test_name: &str) -> Kind {
        let segments: Vec<&str> = test_name.split("::").collect();
        // The last segment is the test function itself, not a module.
        let modules = &segments[..segments.len().saturating_sub(1)];
        if let Some(kind) = Kind::ALL
            .into_iter()
            .find(|k| k.segments().iter().any(|s| modules.contains(s)))
        {
            return kind;
        }
        match binary_id.split_once("::") {
            // A library's (or proc-macro's) own unit tests.
            None => Kind::Unit,
            Some((_, target)) => match target.split_once('/') {
                Some(("bin", _)) => Kind::Unit,
                Some(_) => Kind::Other,
                None => Kind::ALL
                    .into_iter()
                    .find(|k| k.binaries().contains(&target))
                    .unwrap_or(Kind::Other),
            },
        }
    }

    /// A nextest filterset expression selecting exactly the tests [`Kind::classify`] puts in
    /// this kind, for `cargo nextest run -E`. `binaries` are the names of the workspace's test
    /// binaries: nextest rejects a `binary(…)` that matches none, so only existing ones are named.
    ///
    /// ```
    /// use mlharness::kind::Kind;
    /// assert!(Kind::System.filterset(&["system", "unit"]).contains("binary(=system)"));
    /// assert!(!Kind::System.filterset(&["unit"]).contains("binary("));
    /// ```
    pub fn filterset(self, binaries: &[&str]) -> String {
        let segment_of = |k: Kind| -> Vec<String> {
            k.segments()
                .iter()
                .map(|s| format!("test(/(^|::){s}::/)"))
                .collect()
        };
        let binary = |b: &&str| format!("binary(={b})");
        let existing = |k: Kind| -> Vec<String> {
            k.binaries()
                .iter()
                .filter(|b| binaries.contains(b))
                .map(binary)
                .collect()
        };
        // A test in a kind's module belongs to that kind; one in another kind's module does not.
        let own: Vec<String> = segment_of(self);
        let others: Vec<String> = Kind::ALL
            .into_iter()
            .filter(|&k| k != self)
            .flat_map(segment_of)
            .collect();
        let mut by_binary: Vec<String> = existing(self);
        match self {
            Kind::Unit => {
                by_binary.extend(["kind(lib)", "kind(proc-macro)", "kind(bin)"].map(String::from))
            }
            Kind::Other => {
                let known: Vec<String> = Kind::ALL.into_iter().flat_map(existing).collect();
                by_binary.push(if known.is_empty() {
                    "kind(test) | kind(bench)".to_string()
                } else {
                    format!("((kind(test) | kind(bench)) & !({}))", known.join(" | "))
                });
            }
            _ => {}
        }
        let mut parts = Vec::new();
        if !by_binary.is_empty() {
            let binary_part = format!("({})", by_binary.join(" | "));
            parts.push(if others.is_empty() {
                binary_part
            } else {
                format!("({binary_part} & !({}))", others.join(" | "))
            });
        }
        parts.extend(own);
        if parts.is_empty() {
            return "none()".to_string();
        }
        parts.join(" | ")
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == s || k.name().replace('-', "_") == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
                format!(
                    "unknown test kind `{s}`; the kinds are: {}",
                    names.join(", ")
                )
            })
    }
}
