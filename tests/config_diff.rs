//! Config-diff tests of mlharness itself: the harness catches what it must (a disallowed loss,
//! a default changed in code only, an environment variable that changes a value, a dropped
//! feature, a string where a number was), names the path each time, and `mlharness
//! config-diff` exits 0, 1 or 2 as documented.

use mlharness::check::Checked;
use mlharness::config::{ConfigCheck, ConfigReport, Env, Format, Loader, Rules, Value};
use serde::{Deserialize, Serialize};

/// A small service's training settings, with defaults in code as real projects have them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct ServiceConfig {
    loss: String,
    alpha: f64,
    max_iter: u32,
    features: Vec<String>,
    model_version: String,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            loss: "log_loss".into(),
            alpha: 0.1,
            max_iter: 200,
            features: ["calls", "minutes", "plan", "tenure"]
                .map(String::from)
                .to_vec(),
            model_version: "churn-1.0.0".into(),
        }
    }
}

/// The checked-in config: complete, with the version overridable from the environment.
const CHECKED_IN: &str = r#"
loss = "log_loss"
alpha = 0.1
max_iter = 200
features = ["calls", "minutes", "plan", "tenure"]
model_version = "${MODEL_VERSION:-churn-1.0.0}"
"#;

const FILE: &str = "config/model.toml";

/// The checked-in file as written: no defaults, fallbacks for every variable.
fn checked_in(text: &str) -> Result<Value, mlharness::config::ConfigError> {
    Loader::new()
        .env(Env::empty())
        .parse_str(text, Format::Toml, FILE)
}

/// What the service would run with: code defaults under the file, variables from `env`.
fn service(
    text: &str,
    defaults: &ServiceConfig,
    env: &[(&str, &str)],
) -> Result<Value, mlharness::config::ConfigError> {
    Loader::new()
        .defaults(defaults)
        .env_vars(env.iter().copied())
        .parse_str(text, Format::Toml, FILE)
}

fn rules() -> Rules {
    Rules::new()
        .allowed("loss", ["log_loss"])
        .because("the logistic regression fits log loss only")
        .range("alpha", 0.0, 10.0)
        .range("max_iter", 10.0, 10_000.0)
        .equals_value(
            "features",
            Value::from(vec!["calls", "minutes", "plan", "tenure"]),
        )
        .because("the model trains on every column of the dataset")
}

/// The full check: the running config against the checked-in one, plus the rules.
fn check(running: &str, defaults: &ServiceConfig, env: &[(&str, &str)]) -> ConfigReport {
    ConfigCheck::new()
        .expected(FILE, checked_in(CHECKED_IN))
        .actual("service config", service(running, defaults, env))
        .rules(rules())
        .run()
        .expect("the inputs are usable")
}

/// The report of a failing config-diff check (a failing test shows its outcome; see
/// `mlharness_config_diff::fails_naming_the_path`).
fn failure_message(report: &ConfigReport) -> String {
    report.assert_failed();
    report.to_string()
}

#[test]
fn the_healthy_service_config_passes_quietly() {
    let report = check(CHECKED_IN, &ServiceConfig::default(), &[]);
    report.outcome().assert_passed();
    assert_eq!(
        report.to_string(),
        "service config: 8 settings, equal to config/model.toml, 4 rules hold\n"
    );
}

#[test]
fn catches_a_loss_changed_to_a_disallowed_one() {
    let running = CHECKED_IN.replace("\"log_loss\"", "\"hinge\"");
    let report = check(&running, &ServiceConfig::default(), &[]);
    // What the failing test shows: one table of the change and the broken rule.
    insta::assert_snapshot!("config_outcome", report.outcome().to_string());
    let msg = failure_message(&report);
    assert!(
        msg.contains("  loss  changed  \"log_loss\"  \"hinge\""),
        "the diff names `loss`:\n{msg}"
    );
    assert!(
        msg.contains("  loss  allowed  \"hinge\" is not allowed; allowed: \"log_loss\" (the logistic regression fits log loss only)"),
        "the rule names `loss`:\n{msg}"
    );
}

#[test]
fn catches_a_default_changed_in_code_but_not_in_the_file() {
    // The checked-in file relies on the code's default for `max_iter`…
    let relying = CHECKED_IN.replace("max_iter = 200\n", "");
    let new_default = ServiceConfig {
        max_iter: 50,
        ..ServiceConfig::default()
    };
    // …so the service's config differs from the file as soon as the default moves.
    let running = ConfigCheck::new()
        .expected(FILE, service(&relying, &ServiceConfig::default(), &[]))
        .actual("service config", service(&relying, &new_default, &[]))
        .run()
        .unwrap();
    let msg = failure_message(&running);
    assert!(
        msg.contains("max_iter  changed  200       50      -150 (-75%)"),
        "{msg}"
    );

    // With every key in the file, the code's defaults are compared with the file directly.
    let defaults_vs_file = ConfigCheck::new()
        .expected(FILE, checked_in(CHECKED_IN))
        .actual("code defaults", Value::from_serialize(&new_default))
        .run()
        .unwrap();
    let msg = failure_message(&defaults_vs_file);
    assert!(
        msg.starts_with("code defaults differs from config/model.toml: 1 change\n"),
        "{msg}"
    );
    assert!(msg.contains("max_iter  changed  200       50"), "{msg}");
}

#[test]
fn an_implicit_default_missing_from_the_file_is_reported() {
    let relying = CHECKED_IN.replace("max_iter = 200\n", "");
    let report = ConfigCheck::new()
        .expected(FILE, checked_in(&relying))
        .actual(
            "service config",
            service(&relying, &ServiceConfig::default(), &[]),
        )
        .run()
        .unwrap();
    let msg = failure_message(&report);
    assert!(msg.contains("max_iter  added   (absent)  200"), "{msg}");
}

#[test]
fn catches_an_env_variable_that_expands_to_a_different_value() {
    let report = check(
        CHECKED_IN,
        &ServiceConfig::default(),
        &[("MODEL_VERSION", "churn-2.0.0-rc1")],
    );
    let msg = failure_message(&report);
    assert!(
        msg.contains("model_version  changed  \"churn-1.0.0\"  \"churn-2.0.0-rc1\""),
        "{msg}"
    );
    // Set to the checked-in value, the variable changes nothing.
    check(
        CHECKED_IN,
        &ServiceConfig::default(),
        &[("MODEL_VERSION", "churn-1.0.0")],
    )
    .assert_passed();
}

#[test]
fn catches_a_feature_dropped_from_the_list() {
    let running = CHECKED_IN.replace("\"plan\", ", "");
    let msg = failure_message(&check(&running, &ServiceConfig::default(), &[]));
    assert!(
        msg.contains("  features[2]  removed  \"plan\"    (absent)"),
        "{msg}"
    );
    assert!(
        msg.contains("  features  equals  differs from the required value: missing \"plan\""),
        "{msg}"
    );
}

#[test]
fn catches_a_number_turned_into_a_string() {
    let running = CHECKED_IN.replace("alpha = 0.1", "alpha = \"0.1\"");
    let msg = failure_message(&check(&running, &ServiceConfig::default(), &[]));
    assert!(
        msg.contains("  alpha  type_changed  0.1       \"0.1\"   float → string"),
        "{msg}"
    );
    assert!(
        msg.contains("  alpha  range  expected a number >= 0 and <= 10, found string \"0.1\""),
        "{msg}"
    );
    // The service itself would refuse it too, naming the field.
    let err = service(&running, &ServiceConfig::default(), &[])
        .unwrap()
        .deserialize_into::<ServiceConfig>(FILE)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "config/model.toml: at `alpha`: invalid type: string \"0.1\", expected f64"
    );
}

#[test]
fn an_undefined_variable_without_fallback_fails_naming_it() {
    let running = CHECKED_IN.replace("alpha = 0.1", "alpha = ${ALPHA}");
    let err = ConfigCheck::new()
        .expected(FILE, checked_in(CHECKED_IN))
        .actual(
            "service config",
            service(&running, &ServiceConfig::default(), &[]),
        )
        .run()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "config/model.toml:3:9: environment variable `ALPHA` is not set and `${ALPHA}` has no \
         fallback (write `${ALPHA:-default}` to give one)"
    );
}

#[test]
fn ignored_paths_and_tolerance_let_legitimate_differences_through() {
    let running = CHECKED_IN.replace("alpha = 0.1", "alpha = 0.1000000001");
    ConfigCheck::new()
        .expected(FILE, checked_in(CHECKED_IN))
        .actual(
            "service config",
            service(
                &running,
                &ServiceConfig::default(),
                &[("MODEL_VERSION", "local")],
            ),
        )
        .ignore("model_version")
        .tolerance(1e-6)
        .run()
        .assert_passed();
}

// The macro, as a user writes it: each entry becomes `mlharness_config_diff::<name>`.
mlharness::config_diff! {
    /// The service runs with exactly the checked-in config.
    matches_checked_in => ConfigCheck::new()
        .expected(FILE, checked_in(CHECKED_IN))
        .actual("service config", service(CHECKED_IN, &ServiceConfig::default(), &[])),
    /// The code's defaults agree with the file, so code that uses `default()` trains the same model.
    code_defaults_match_checked_in => ConfigCheck::new()
        .expected(FILE, checked_in(CHECKED_IN))
        .actual("code defaults", Value::from_serialize(&ServiceConfig::default())),
    rules_hold => ConfigCheck::new()
        .actual("service config", service(CHECKED_IN, &ServiceConfig::default(), &[]))
        .rules(rules()),
    /// A generated test fails with the path in its message.
    #[should_panic(expected = "features[2]  removed")]
    fails_naming_the_path => ConfigCheck::new()
        .expected(FILE, checked_in(CHECKED_IN))
        .actual("service config", service(&CHECKED_IN.replace("\"plan\", ", ""), &ServiceConfig::default(), &[])),
    #[should_panic(expected = "the check could not run: config/model.toml:1:5: invalid TOML")]
    fails_on_unusable_input => ConfigCheck::new()
        .expected(FILE, checked_in("a = = 1"))
        .actual("service config", service(CHECKED_IN, &ServiceConfig::default(), &[])),
}

/// Issue 18, item 6: a failing config check names the test's line, not a line inside
/// mlharness (it reported `src/config/check.rs:180`).
#[test]
fn a_failing_check_points_at_the_callers_line() {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Option<String>>> = Arc::default();
    let me = std::thread::current().id();
    let previous = Arc::new(std::panic::take_hook());
    {
        let (seen, previous) = (Arc::clone(&seen), Arc::clone(&previous));
        // Other tests of this binary may panic meanwhile (`cargo test` runs them as threads):
        // only this thread's panic is recorded; theirs go to the usual hook.
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == me {
                *seen.lock().unwrap() = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
            } else {
                previous(info);
            }
        }));
    }
    let check = mlharness::config::ConfigCheck::new()
        .expected(
            "a.toml",
            mlharness::config::parse_str("a = 1", mlharness::config::Format::Toml),
        )
        .actual(
            "b",
            mlharness::config::parse_str("a = 2", mlharness::config::Format::Toml),
        );
    let assert = || check.run().assert_passed();
    let call_line = line!() - 1;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(assert));
    let _ = std::panic::take_hook();
    let previous = Arc::try_unwrap(previous).ok();
    if let Some(previous) = previous {
        std::panic::set_hook(previous);
    }
    assert!(result.is_err(), "the check should fail");
    let location = seen.lock().unwrap().clone().unwrap();
    assert_eq!(location, format!("tests/config_diff.rs:{call_line}"));
}
