//! `mlharness init`: set mlharness up in an existing crate.
//!
//! It writes only files that are not there yet and says which it kept; it never edits a file
//! the user has. Every test it writes checks something real, and a test that needs the user's
//! model fails until they fill in the one function it names.

use crate::gate::hook::{self, Hook};
use crate::gate::workspace::Workspace;
use crate::gate::GateError;
use mlharness::data::{CsvOptions, Dataset};
use mlharness::schema::InferOptions;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A CI system `init --ci` writes a workflow for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Ci {
    /// GitHub Actions: `.github/workflows/mlharness.yml`.
    Github,
    /// GitLab CI: `.gitlab-ci.yml`.
    Gitlab,
}

/// What `mlharness init` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitOptions {
    /// Install the pre-commit and pre-push hooks.
    pub hooks: bool,
    /// Write a CI workflow.
    pub ci: Option<Ci>,
    /// A CSV file to infer `schema.json` from and write tests on.
    pub data: Option<PathBuf>,
    /// Its target column.
    pub target: Option<String>,
    /// The `mlharness` program the hooks call.
    pub program: PathBuf,
}

/// Why `init` could not do its work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InitError {
    /// The project could not be read, or a hook not installed.
    #[error(transparent)]
    Gate(#[from] GateError),
    /// A file could not be written.
    #[error(transparent)]
    Write(#[from] mlharness::fs::WriteError),
    /// The data file could not be used.
    #[error("{0}")]
    Data(#[from] mlharness::data::DataError),
    /// Something about the project's layout.
    #[error("{0}")]
    Layout(String),
}

/// The commented `mlharness.toml` that `init` writes: every key with its default.
pub const CONFIG_TEMPLATE: &str = r#"# What `mlharness run` (the gate) requires of this project. Every key is optional; the
# values below are the defaults.

[gate]
# Minimum line coverage in percent for a full run to pass.
min_coverage = 80.0
# FAIL when coverage cannot be measured (cargo-llvm-cov is installed on first use).
require_coverage = true
# Kinds that must have at least one test in a full run. The kinds: unit, integration, system,
# benchmark-score, differential, config-diff, edge-case, data, drift, other.
required_kinds = []
# Kinds that `mlharness run --quick` and the pre-commit hook run.
quick_kinds = ["unit", "config-diff", "edge-case"]
# Seconds after which a test is stopped and reported as timed out.
test_timeout = 300
# Seconds a run waits for another run in this project to finish before giving up.
lock_timeout = 600
# Cargo features to build and test with (or `all_features = true`).
features = []
all_features = false

[coverage]
# Files left out of the coverage figure: globs relative to the workspace root,
# e.g. ["src/bin/**", "**/generated/*.rs"].
exclude = []
"#;

/// Writes `contents` to `path` unless something is there already; says which.
fn write_new(path: &Path, contents: &str, shown: &str) -> Result<String, InitError> {
    if path.exists() {
        return Ok(format!("kept {shown} (already there)"));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| InitError::Layout(format!("{}: {e}", parent.display())))?;
    }
    mlharness::fs::write_atomic(path, contents)?;
    Ok(format!("wrote {shown}"))
}

fn shown(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Sets mlharness up in the project around `dir`; returns one line per thing done.
///
/// ```
/// use cargo_mlharness::init::{init, InitOptions};
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"p\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")?;
/// std::fs::create_dir(dir.path().join("src"))?;
/// std::fs::write(dir.path().join("src/lib.rs"), "")?;
/// let options = InitOptions { hooks: false, ci: None, data: None, target: None, program: "mlharness".into() };
/// assert_eq!(init(dir.path(), &options)?, vec!["wrote mlharness.toml"]);
/// assert_eq!(init(dir.path(), &options)?, vec!["kept mlharness.toml (already there)"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn init(dir: &Path, options: &InitOptions) -> Result<Vec<String>, InitError> {
    let ws = Workspace::locate(dir)?;
    let mut done = vec![write_new(
        &ws.root.join("mlharness.toml"),
        CONFIG_TEMPLATE,
        "mlharness.toml",
    )?];
    if let (Some(data), Some(target)) = (&options.data, &options.target) {
        done.extend(data_tests(dir, &ws, data, target)?);
    }
    if let Some(ci) = options.ci {
        done.push(ci_workflow(&ws, ci)?);
    }
    if options.hooks {
        for h in [Hook::PreCommit, Hook::PrePush] {
            done.push(hook::install(dir, h, &options.program)?.to_string());
        }
    }
    Ok(done)
}

/// The directory of the package around `dir` (tests belong to a package, not a workspace).
fn package_dir(dir: &Path) -> Result<PathBuf, InitError> {
    let out = Command::new("cargo")
        .current_dir(dir)
        .args(["locate-project", "--message-format", "plain"])
        .output()
        .map_err(|e| InitError::Layout(format!("cannot run cargo locate-project: {e}")))?;
    let manifest = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let text = std::fs::read_to_string(&manifest).unwrap_or_default();
    let is_package = toml::from_str::<toml::Table>(&text).is_ok_and(|t| t.contains_key("package"));
    if !out.status.success() || !is_package {
        return Err(InitError::Layout(format!(
            "{}: not a package (a virtual workspace manifest?); run `mlharness init --data` in the member crate the tests belong to",
            manifest.display()
        )));
    }
    Ok(manifest.parent().unwrap_or(dir).to_path_buf())
}

/// `schema.json` inferred from `data`, and tests on it: the file against its schema, the
/// edge-case datasets against the user's model, and drift of a training split against the
/// holdout.
fn data_tests(
    dir: &Path,
    ws: &Workspace,
    data: &Path,
    target: &str,
) -> Result<Vec<String>, InitError> {
    let package = package_dir(dir)?;
    let data = if data.is_absolute() {
        data.to_path_buf()
    } else {
        dir.join(data)
    };
    let ds = Dataset::from_csv_with(&data, &CsvOptions::default().target(target))?;
    if ds.n_rows() < 10 {
        return Err(InitError::Layout(format!(
            "{}: {} rows; the tests need at least 10 (a training split and a holdout)",
            data.display(),
            ds.n_rows()
        )));
    }
    let schema = InferOptions::default().infer(&ds);
    let mut done = Vec::new();
    let schema_path = package.join("schema.json");
    if schema_path.exists() {
        done.push(format!(
            "kept {} (already there)",
            shown(&schema_path, &ws.root)
        ));
    } else {
        schema
            .save(&schema_path)
            .map_err(|e| InitError::Layout(e.to_string()))?;
        done.push(format!(
            "wrote {}: {} columns inferred from {} rows of {}",
            shown(&schema_path, &ws.root),
            schema.columns.len(),
            ds.n_rows(),
            data.display()
        ));
    }
    // The tests name the file relative to the crate when it lies inside it, so they work
    // from any checkout.
    let data_ref = match data.canonicalize().ok().and_then(|d| {
        Some(
            d.strip_prefix(package.canonicalize().ok()?)
                .ok()?
                .to_path_buf(),
        )
    }) {
        Some(rel) => format!(
            "concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{}\")",
            rel.display()
        ),
        None => format!("{:?}", data.display().to_string()),
    };
    let common = COMMON_TEMPLATE
        .replace("@DATA@", &data_ref)
        .replace("@TARGET@", &format!("{target:?}"));
    let files = [
        ("tests/common/mod.rs", common.as_str()),
        ("tests/edge_cases.rs", EDGE_TEMPLATE),
        ("tests/drift.rs", DRIFT_TEMPLATE),
    ];
    for (name, text) in files {
        let path = package.join(name);
        done.push(write_new(&path, text, &shown(&path, &ws.root))?);
    }
    let manifest = std::fs::read_to_string(package.join("Cargo.toml")).unwrap_or_default();
    if !manifest.contains("mlharness") {
        done.push(
            "note: the tests use mlharness: add it with `cargo add --dev mlharness`".to_string(),
        );
    }
    done.push(
        "next: fill in `predict` in tests/common/mod.rs with a call to your model; until then the edge-case tests fail saying so"
            .to_string(),
    );
    Ok(done)
}

const COMMON_TEMPLATE: &str = r#"//! Shared by the tests `mlharness init` wrote: the data, its schema, and your model.
#![allow(dead_code)]

use mlharness::data::{Dataset, Split};
use mlharness::model::{ModelError, Predictions};
use mlharness::schema::Schema;

/// The data the tests are written on.
pub const DATA: &str = @DATA@;
/// Its target column.
pub const TARGET: &str = @TARGET@;

/// The checked-in schema of the data (`schema.json`, from `mlharness init`; review it).
pub fn schema() -> Schema {
    Schema::load(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.json")).expect("schema.json loads")
}

/// The data, read with the schema's column kinds.
pub fn data() -> Dataset {
    schema()
        .read_csv(DATA)
        .and_then(|ds| ds.with_target(TARGET))
        .unwrap_or_else(|e| panic!("{DATA}: {e}"))
}

/// A seeded split: 80% training, 20% holdout.
pub fn split() -> Split {
    data().split_random(0.2, 42).expect("the data splits")
}

/// Your model's predictions for every row of `rows`: fill this in.
///
/// For example: `Ok(Predictions::values(my_crate::Model::load("model.json")?.predict(rows)))`.
pub fn predict(rows: &Dataset) -> Result<Predictions, ModelError> {
    let _ = rows;
    panic!("fill in `predict` in tests/common/mod.rs: call your model there (mlharness init left it empty)")
}
"#;

const EDGE_TEMPLATE: &str = r#"//! The data against its schema, and every edge-case dataset of `mlharness::edge` (one named
//! oddity each) against your model: it must predict or refuse, never panic or return garbage.

mod common;

use common::{data, predict, schema};
use mlharness::prelude::*;

#[test]
fn the_data_matches_its_schema() {
    schema().validate(&data()).assert_passed();
}

mlharness::edge_cases! {
    model: predict,
    data: common::split().test,
    schema: schema(),
}
"#;

const DRIFT_TEMPLATE: &str = r#"//! Drift: the holdout must look like the training split, column by column.

mod common;

mlharness::drift_test! {
    reference: common::split().train,
    no_drift: {
        holdout_against_training => common::split().test,
    },
}
"#;

fn ci_workflow(ws: &Workspace, ci: Ci) -> Result<String, InitError> {
    let top = crate::gate::snapshot::toplevel(&ws.root).unwrap_or_else(|_| ws.root.clone());
    let reports = ws
        .report_dir()
        .strip_prefix(&top)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "target/mlharness".to_string());
    let cd = match ws.root.strip_prefix(&top) {
        Ok(p) if !p.as_os_str().is_empty() => format!("cd {} && ", p.display()),
        _ => String::new(),
    };
    let (path, text) = match ci {
        Ci::Github => (
            top.join(".github/workflows/mlharness.yml"),
            GITHUB_TEMPLATE
                .replace("{REPORTS}", &reports)
                .replace("{CD}", &cd)
                .replace("{INSTALL}", INSTALL),
        ),
        Ci::Gitlab => (
            top.join(".gitlab-ci.yml"),
            GITLAB_TEMPLATE
                .replace("{REPORTS}", &reports)
                .replace("{CD}", &cd)
                .replace("{INSTALL}", INSTALL),
        ),
    };
    write_new(&path, &text, &shown(&path, &top))
}

const INSTALL: &str = "cargo install cargo-nextest cargo-llvm-cov cargo-mlharness --locked";

const GITHUB_TEMPLATE: &str = r#"# The mlharness gate: every test under cargo-nextest with coverage, one PASS/FAIL verdict.
name: mlharness
on: [push, pull_request]
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: rustup component add llvm-tools
      # Until cargo-mlharness is on crates.io: cargo install --path <mlharness checkout>/cargo-mlharness
      - run: {INSTALL}
      - run: {CD}mlharness run
      - if: always()
        run: cat {REPORTS}/report.md >> "$GITHUB_STEP_SUMMARY"
      - if: always()
        uses: actions/upload-artifact@v4
        with:
          name: mlharness-reports
          path: |
            {REPORTS}/junit.xml
            {REPORTS}/lcov.info
            {REPORTS}/report.json
"#;

const GITLAB_TEMPLATE: &str = r#"# The mlharness gate: every test under cargo-nextest with coverage, one PASS/FAIL verdict.
mlharness:
  image: rust:latest
  before_script:
    - rustup component add llvm-tools
    # Until cargo-mlharness is on crates.io: cargo install --path <mlharness checkout>/cargo-mlharness
    - {INSTALL}
  script:
    - {CD}mlharness run
  coverage: '/coverage: (\d+\.\d+)% of lines/'
  artifacts:
    when: always
    paths:
      - {REPORTS}/report.md
      - {REPORTS}/report.json
    reports:
      junit: {REPORTS}/junit.xml
      coverage_report:
        coverage_format: cobertura
        path: {REPORTS}/cobertura.xml
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateConfig;

    #[test]
    fn the_template_spells_out_the_defaults() {
        let parsed = GateConfig::parse(CONFIG_TEMPLATE, "mlharness.toml".as_ref()).unwrap();
        assert_eq!(
            GateConfig {
                source: None,
                ..parsed
            },
            GateConfig::default()
        );
    }

    #[test]
    fn workflows_install_the_tools_they_call() {
        for t in [GITHUB_TEMPLATE, GITLAB_TEMPLATE] {
            assert!(t.contains("{INSTALL}"), "{t}");
            assert!(t.contains("mlharness run"), "{t}");
        }
        assert!(GITLAB_TEMPLATE
            .contains("coverage_format: cobertura\n        path: {REPORTS}/cobertura.xml"));
    }
}
