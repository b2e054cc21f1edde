//! Config-diff tests of the churn service: the configuration it would train with (the file
//! over `TrainConfig::default()`, `${VAR}` expanded from the environment) against the one in
//! version control, `config/rules.toml` on it, and a snapshot of it for review.
//!
//! The second half feeds the checks deliberately broken configs and asserts that each fails
//! naming the path.

use churn::{config_path, load_churn, TrainConfig};
use mlharness::check::Checked;
use mlharness::config::{ConfigCheck, ConfigError, Env, Loader, Rules, Value};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// How messages name the checked-in file.
const FILE: &str = "config/model.toml";

fn rules_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/rules.toml")
}

/// The checked-in file as written: no defaults, every `${VAR:-default}` at its default.
fn checked_in() -> Result<Value, ConfigError> {
    Loader::new().env(Env::empty()).load(config_path())
}

/// The feature columns of the data the model trains on.
fn dataset_columns() -> &'static Vec<String> {
    static COLUMNS: OnceLock<Vec<String>> = OnceLock::new();
    COLUMNS.get_or_init(|| {
        load_churn()
            .expect("fixtures/churn.csv loads")
            .feature_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    })
}

/// `tree` with the dataset's columns at `dataset.columns`, for the rule
/// `features` equals `dataset.columns`.
fn with_dataset(tree: Value) -> Result<Value, ConfigError> {
    let mut tree = tree;
    tree.set(
        &"dataset.columns".parse()?,
        Value::from(dataset_columns().clone()),
    )?;
    Ok(tree)
}

/// What `TrainConfig::default()` trains with; `features: None` means every column, so it is
/// spelt out as the columns training would use.
fn code_defaults(defaults: &TrainConfig) -> Result<Value, ConfigError> {
    let mut tree = Value::from_serialize(defaults)?;
    if defaults.features.is_none() {
        tree.set(&"features".parse()?, Value::from(dataset_columns().clone()))?;
    }
    Ok(tree)
}

fn service_matches(service: Result<Value, ConfigError>) -> ConfigCheck {
    ConfigCheck::new()
        .expected(FILE, checked_in())
        .actual("service config", service)
}

fn rules_check(service: Result<Value, ConfigError>) -> ConfigCheck {
    ConfigCheck::new()
        .actual("service config", service.and_then(with_dataset))
        .rules_file(rules_path())
}

mlharness::config_diff! {
    /// The service trains with exactly the checked-in config, in this environment.
    service_runs_the_checked_in_config =>
        service_matches(TrainConfig::resolve(config_path(), &Env::process())),
    /// `TrainConfig::default()` (used by code and tests that build a config by hand) agrees
    /// with the file, so a default changed in code only cannot go unnoticed.
    code_defaults_match_checked_in => ConfigCheck::new()
        .expected(FILE, checked_in())
        .actual("TrainConfig::default()", code_defaults(&TrainConfig::default())),
    /// Allowed loss, sane ranges, features equal to the dataset's columns.
    rules_hold => rules_check(TrainConfig::resolve(config_path(), &Env::process())),
    /// The resolved config, one setting per line: any change shows up in review.
    resolved_config => snapshot(TrainConfig::resolve(config_path(), &Env::empty())),
}

#[test]
fn training_reads_the_checked_in_config() {
    let config = TrainConfig::from_file(config_path(), &Env::empty()).unwrap();
    assert_eq!(
        config,
        TrainConfig {
            features: Some(dataset_columns().clone()),
            ..TrainConfig::default()
        }
    );
    let env = Env::vars([
        ("CHURN_SEED", "7"),
        ("CHURN_MODEL_VERSION", "churn-logreg-1.1.0"),
    ]);
    let config = TrainConfig::from_file(config_path(), &env).unwrap();
    assert_eq!(
        (config.seed, config.model_version.as_str()),
        (7, "churn-logreg-1.1.0")
    );
}

// ---- the harness catches broken configs, naming the path ----

/// The checked-in file with one edit, written to a temporary directory.
struct Edited {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn edited(from: &str, to: &str) -> Edited {
    let text = std::fs::read_to_string(config_path()).unwrap();
    assert!(
        text.contains(from),
        "config/model.toml no longer contains {from:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    Edited { _dir: dir, path }
}

/// The report of a check that must fail.
fn failed(check: ConfigCheck) -> String {
    let report = check.run().expect("the inputs are usable");
    report.outcome().assert_failed();
    report.to_string()
}

#[test]
fn catches_a_disallowed_loss() {
    let file = edited("loss = \"log_loss\"", "loss = \"hinge\"");
    let service = || TrainConfig::resolve(&file.path, &Env::empty());
    let msg = failed(rules_check(service()));
    assert!(
        msg.contains("  loss  allowed  \"hinge\" is not allowed; allowed: \"log_loss\" (linfa's logistic regression minimises log loss"),
        "{msg}"
    );
    let msg = failed(service_matches(service()));
    assert!(
        msg.contains("  loss  changed  \"log_loss\"  \"hinge\""),
        "{msg}"
    );
    // Training refuses it too.
    let err = TrainConfig::from_file(&file.path, &Env::empty()).unwrap_err();
    assert!(
        err.to_string().contains("loss `hinge` is not supported"),
        "{err}"
    );
}

#[test]
fn catches_a_default_changed_in_code_but_not_in_the_file() {
    let changed = TrainConfig {
        max_iter: 100,
        ..TrainConfig::default()
    };
    let msg = failed(
        ConfigCheck::new()
            .expected(FILE, checked_in())
            .actual("TrainConfig::default()", code_defaults(&changed)),
    );
    assert!(
        msg.contains("  max_iter  changed  200       100     -100 (-50%)"),
        "{msg}"
    );

    // A file that leaves the key to the code takes the new default silently; the service's
    // config then differs from the checked-in snapshot of what it used to be.
    let relying = edited("max_iter = 200\n", "");
    let resolved = Loader::new()
        .defaults(&changed)
        .env(Env::empty())
        .load(&relying.path);
    let msg = failed(service_matches(resolved));
    assert!(msg.contains("  max_iter  changed  200       100"), "{msg}");
}

#[test]
fn catches_an_env_variable_that_expands_to_a_different_value() {
    let env = Env::vars([("CHURN_SEED", "7")]);
    let msg = failed(service_matches(TrainConfig::resolve(config_path(), &env)));
    assert!(msg.contains("  seed  changed  42        7"), "{msg}");
    let env = Env::vars([("CHURN_MODEL_VERSION", "churn-logreg-2.0.0")]);
    let msg = failed(service_matches(TrainConfig::resolve(config_path(), &env)));
    assert!(
        msg.contains("  model_version  changed  \"churn-logreg-1.0.0\"  \"churn-logreg-2.0.0\""),
        "{msg}"
    );
}

#[test]
fn catches_a_feature_dropped_from_the_list() {
    let file = edited("    \"total_day_minutes\",\n", "");
    let service = || TrainConfig::resolve(&file.path, &Env::empty());
    let msg = failed(service_matches(service()));
    assert!(
        msg.contains("  features[6]  removed  \"total_day_minutes\"  (absent)"),
        "{msg}"
    );
    let msg = failed(rules_check(service()));
    assert!(
        msg.contains(
            "  features  equals  differs from `dataset.columns`: missing \"total_day_minutes\""
        ),
        "{msg}"
    );
}

#[test]
fn catches_a_number_turned_into_a_string() {
    let file = edited("alpha = 1.0", "alpha = \"1.0\"");
    let service = || TrainConfig::resolve(&file.path, &Env::empty());
    let msg = failed(service_matches(service()));
    assert!(
        msg.contains("  alpha  type_changed  1.0       \"1.0\"   float → string"),
        "{msg}"
    );
    let msg = failed(rules_check(service()));
    assert!(
        msg.contains("  alpha  range  expected a number >= 0 and <= 100, found string \"1.0\""),
        "{msg}"
    );
    let err = TrainConfig::from_file(&file.path, &Env::empty()).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("model.toml: at `alpha`: invalid type: string \"1.0\", expected f64"),
        "{err}"
    );
}

#[test]
fn a_misspelt_key_is_reported_and_refused() {
    let file = edited("max_iter = 200", "max_iters = 200");
    let msg = failed(service_matches(TrainConfig::resolve(
        &file.path,
        &Env::empty(),
    )));
    assert!(msg.contains("  max_iters  added   (absent)  200"), "{msg}");
    let err = TrainConfig::from_file(&file.path, &Env::empty()).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `max_iters`"),
        "{err}"
    );
}

#[test]
fn the_rules_file_is_what_the_tests_use() {
    // Every rule in config/rules.toml is exercised by the healthy config without violations,
    // and there are as many as the file lists.
    let rules = Rules::from_file(rules_path()).unwrap();
    assert_eq!(rules.rules().len(), 7);
    let service = TrainConfig::resolve(config_path(), &Env::empty())
        .and_then(with_dataset)
        .unwrap();
    assert_eq!(rules.check(&service).unwrap(), vec![]);
}
