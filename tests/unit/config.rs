//! `mlharness::config`: loading three formats into one tree, defaults, `${VAR}` expansion,
//! the diff, rules and rules files, and the report's two renderings.

use mlharness::config::{
    diff, parse_str, ChangeKind, ConfigCheck, ConfigError, DiffOptions, Env, Format, Limits,
    Loader, Rules, Value,
};
use std::path::PathBuf;
use tempfile::TempDir;

fn toml(text: &str) -> Value {
    parse_str(text, Format::Toml).expect("valid TOML")
}

/// Writes `files` into a fresh temporary directory.
fn files(files: &[(&str, &str)]) -> (TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let paths = files
        .iter()
        .map(|(name, text)| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write");
            p
        })
        .collect();
    (dir, paths)
}

fn changes(expected: &Value, actual: &Value, options: &DiffOptions) -> Vec<String> {
    diff(expected, actual, options)
        .expect("diff")
        .iter()
        .map(|c| format!("{} {}", c.kind, c.path))
        .collect()
}

// ---- loading ----

const TOML_CONFIG: &str = r#"
loss = "log_loss"
seed = 42
alpha = 0.1
shuffle = true
features = ["calls", "plan"]
[optimizer]
name = "lbfgs"
"#;

const JSON_CONFIG: &str = r#"{
  "loss": "log_loss", "seed": 42, "alpha": 0.1, "shuffle": true,
  "features": ["calls", "plan"], "optimizer": {"name": "lbfgs"}
}"#;

const YAML_CONFIG: &str = "\
loss: log_loss
seed: 42
alpha: 0.1
shuffle: true
features:
  - calls
  - plan
optimizer:
  name: lbfgs
";

#[test]
fn toml_json_and_yaml_load_into_the_same_tree() {
    let (_dir, paths) = files(&[
        ("model.toml", TOML_CONFIG),
        ("model.json", JSON_CONFIG),
        ("model.yaml", YAML_CONFIG),
        ("model.yml", YAML_CONFIG),
    ]);
    let trees: Vec<Value> = paths
        .iter()
        .map(|p| Loader::new().load(p).expect("loads"))
        .collect();
    let t = &trees[0];
    assert_eq!(t.get("seed"), Some(&Value::Int(42)));
    assert_eq!(t.get("alpha"), Some(&Value::Float(0.1)));
    assert_eq!(t.get("loss"), Some(&Value::from("log_loss")));
    assert_eq!(t.get("shuffle"), Some(&Value::Bool(true)));
    assert_eq!(t.get("features[1]"), Some(&Value::from("plan")));
    assert_eq!(t.get("optimizer.name"), Some(&Value::from("lbfgs")));
    for (other, path) in trees.iter().zip(&paths).skip(1) {
        assert_eq!(other, t, "{} differs from the TOML", path.display());
    }
}

#[test]
fn quoted_numbers_stay_strings_in_every_format() {
    for (text, format) in [
        ("alpha = \"0.1\"", Format::Toml),
        ("{\"alpha\": \"0.1\"}", Format::Json),
        ("alpha: \"0.1\"", Format::Yaml),
    ] {
        let tree = parse_str(text, format).expect("parses");
        assert_eq!(tree.get("alpha"), Some(&Value::from("0.1")), "{format:?}");
    }
}

#[test]
fn format_comes_from_the_extension_unless_given() {
    let (_dir, paths) = files(&[("model.conf", "seed = 1"), ("model.txt", "{\"seed\": 1}")]);
    let err = Loader::new().load(&paths[0]).unwrap_err();
    assert!(matches!(err, ConfigError::UnknownFormat { .. }), "{err}");
    assert!(err.to_string().contains("model.conf"), "{err}");
    let tree = Loader::new()
        .format(Format::Json)
        .load(&paths[1])
        .expect("JSON");
    assert_eq!(tree.get("seed"), Some(&Value::Int(1)));
}

#[test]
fn a_missing_file_is_named() {
    let err = Loader::new().load("no/such/model.toml").unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }));
    assert!(
        err.to_string()
            .starts_with("no/such/model.toml: cannot read"),
        "{err}"
    );
}

#[test]
fn parse_errors_name_file_line_and_column() {
    let cases = [
        ("model.toml", "seed = 42\nalpha = = 0.1\n", "TOML", 2, 9),
        (
            "model.json",
            "{\n  \"seed\": 42,\n  \"alpha\" 0.1\n}",
            "JSON",
            3,
            11,
        ),
        (
            "model.yaml",
            "seed: 42\nfeatures: [calls, plan\nalpha: 0.1\n",
            "YAML",
            3,
            6,
        ),
    ];
    for (name, text, format, line, column) in cases {
        let (_dir, paths) = files(&[(name, text)]);
        let err = Loader::new().load(&paths[0]).unwrap_err();
        match &err {
            ConfigError::Parse {
                file,
                format: f,
                line: l,
                column: c,
                ..
            } => {
                assert!(file.ends_with(name), "{err}");
                assert_eq!((*f, *l, *c), (format, line, column), "{err}");
            }
            other => panic!("{name}: expected a parse error, got {other}"),
        }
        assert!(
            err.to_string()
                .contains(&format!("{name}:{line}:{column}: invalid {format}")),
            "{err}"
        );
    }
}

#[test]
fn a_yaml_error_points_at_the_bad_token() {
    let err = parse_str("seed: 42\n  alpha: 0.1\n", Format::Yaml).unwrap_err();
    let ConfigError::Parse { line, column, .. } = err else {
        panic!("{err}")
    };
    assert_eq!((line, column), (2, 8));
}

#[test]
fn values_that_would_be_lost_are_errors() {
    let err = parse_str("{\"a\": 1, \"a\": 2}", Format::Json)
        .unwrap_err()
        .to_string();
    assert!(err.contains("duplicate key `a`"), "{err}");
    let err = parse_str("{\"seed\": 18446744073709551615}", Format::Json)
        .unwrap_err()
        .to_string();
    assert!(err.contains("larger than the largest supported"), "{err}");
    let err = parse_str("a: 1\na: 2\n", Format::Yaml)
        .unwrap_err()
        .to_string();
    assert!(err.contains("duplicated key"), "{err}");
    let err = parse_str("a: 1\n---\na: 2\n", Format::Yaml)
        .unwrap_err()
        .to_string();
    assert!(err.contains("2 YAML documents"), "{err}");
    let err = parse_str("[1, 2]", Format::Json).unwrap_err().to_string();
    assert!(
        err.contains("top level must be a table, found array"),
        "{err}"
    );
    let err = parse_str("? [a, b]\n: 1\n", Format::Yaml)
        .unwrap_err()
        .to_string();
    assert!(err.contains("mapping key must be a scalar"), "{err}");
}

#[test]
fn an_empty_yaml_file_is_an_empty_table() {
    assert_eq!(parse_str("", Format::Yaml).unwrap(), Value::table());
    assert_eq!(
        parse_str("# only a comment\n", Format::Yaml).unwrap(),
        Value::table()
    );
}

#[test]
fn yaml_scalars_keep_their_types() {
    let tree = parse_str(
        "i: 3\nf: 3.0\ns: '3'\nb: false\nn: ~\ninf: .inf\nk:\n  1: one\n",
        Format::Yaml,
    )
    .unwrap();
    assert_eq!(tree.get("i"), Some(&Value::Int(3)));
    assert_eq!(tree.get("f"), Some(&Value::Float(3.0)));
    assert_eq!(tree.get("s"), Some(&Value::from("3")));
    assert_eq!(tree.get("b"), Some(&Value::Bool(false)));
    assert_eq!(tree.get("n"), Some(&Value::Null));
    assert_eq!(tree.get("inf"), Some(&Value::Float(f64::INFINITY)));
    assert_eq!(tree.get("k.1"), Some(&Value::from("one")));
}

// ---- defaults ----

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Train {
    seed: u64,
    alpha: f64,
    features: Option<Vec<String>>,
    optimizer: Optimizer,
}

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Optimizer {
    name: String,
    max_iter: u32,
}

fn train_defaults() -> Train {
    Train {
        seed: 42,
        alpha: 1.0,
        features: None,
        optimizer: Optimizer {
            name: "lbfgs".into(),
            max_iter: 200,
        },
    }
}

#[test]
fn defaults_fill_what_the_file_leaves_out_and_the_file_wins() {
    let tree = Loader::new()
        .no_expansion()
        .defaults(&train_defaults())
        .parse_str(
            "alpha = 0.5\n[optimizer]\nmax_iter = 50\n",
            Format::Toml,
            "m.toml",
        )
        .unwrap();
    assert_eq!(tree.get("alpha"), Some(&Value::Float(0.5)), "file wins");
    assert_eq!(tree.get("seed"), Some(&Value::Int(42)), "default fills");
    assert_eq!(
        tree.get("optimizer.max_iter"),
        Some(&Value::Int(50)),
        "nested: file wins"
    );
    assert_eq!(
        tree.get("optimizer.name"),
        Some(&Value::from("lbfgs")),
        "nested: default fills"
    );
    assert_eq!(tree.get("features"), None, "None is left out, not null");
    let train: Train = tree.deserialize_into("m.toml").unwrap();
    assert_eq!(train.optimizer.max_iter, 50);
    assert_eq!(train.features, None);
}

#[test]
fn arrays_in_the_file_replace_the_default_whole() {
    let defaults = Train {
        features: Some(vec!["a".into(), "b".into(), "c".into()]),
        ..train_defaults()
    };
    let tree = Loader::new()
        .defaults(&defaults)
        .parse_str("features = [\"z\"]", Format::Toml, "m.toml")
        .unwrap();
    assert_eq!(tree.get("features"), Some(&Value::from(vec!["z"])));
}

#[test]
fn a_field_of_the_wrong_type_is_named() {
    let tree = Loader::new()
        .defaults(&train_defaults())
        .parse_str(
            "[optimizer]\nmax_iter = \"fifty\"\n",
            Format::Toml,
            "m.toml",
        )
        .unwrap();
    let err = tree
        .deserialize_into::<Train>("m.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "m.toml: at `optimizer.max_iter`: invalid type: string \"fifty\", expected u32"
    );
    let tree = toml(
        "seed = 1\nalpha = 1\nfeatures = [\"a\", 3]\n[optimizer]\nname = \"x\"\nmax_iter = 1\n",
    );
    let err = tree
        .deserialize_into::<Train>("m.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("m.toml: at `features[1]`: invalid type: integer `3`"),
        "{err}"
    );
}

#[test]
fn defaults_that_are_not_a_table_are_an_error() {
    let err = Loader::new()
        .defaults(&vec![1, 2])
        .parse_str("a = 1", Format::Toml, "m.toml")
        .unwrap_err();
    assert!(matches!(err, ConfigError::Defaults { .. }), "{err}");
}

// ---- environment ----

#[test]
fn variables_expand_before_parsing_so_types_follow_the_text() {
    let text = "seed = ${SEED:-42}\nversion = \"${VERSION:-v1}\"\n";
    let loader = Loader::new().env_vars([("SEED", "7"), ("VERSION", "v2")]);
    let tree = loader.parse_str(text, Format::Toml, "m.toml").unwrap();
    assert_eq!(tree.get("seed"), Some(&Value::Int(7)));
    assert_eq!(tree.get("version"), Some(&Value::from("v2")));
    let tree = Loader::new()
        .env(Env::empty())
        .parse_str(text, Format::Toml, "m.toml")
        .unwrap();
    assert_eq!(tree.get("seed"), Some(&Value::Int(42)));
    assert_eq!(tree.get("version"), Some(&Value::from("v1")));
    let raw = parse_str("version = \"${VERSION:-v1}\"", Format::Toml).unwrap();
    assert_eq!(raw.get("version"), Some(&Value::from("${VERSION:-v1}")));
}

#[test]
fn an_undefined_variable_names_itself_and_where_it_is() {
    let (_dir, paths) = files(&[("model.yaml", "seed: 42\nmodel_version: ${MODEL_VERSION}\n")]);
    let err = Loader::new().env(Env::empty()).load(&paths[0]).unwrap_err();
    match &err {
        ConfigError::UndefinedVariable {
            file,
            line,
            column,
            name,
        } => {
            assert!(file.ends_with("model.yaml"));
            assert_eq!((*line, *column, name.as_str()), (2, 16, "MODEL_VERSION"));
        }
        other => panic!("{other}"),
    }
    assert!(err
        .to_string()
        .contains("model.yaml:2:16: environment variable `MODEL_VERSION` is not set"));
}

#[test]
fn the_process_environment_is_the_default() {
    // PATH is set in every test process; a variable name nobody sets is not.
    let tree = Loader::new()
        .parse_str("p = \"${PATH}\"", Format::Toml, "m.toml")
        .unwrap();
    assert_eq!(
        tree.get("p"),
        Some(&Value::String(std::env::var("PATH").unwrap()))
    );
    let err = Loader::new()
        .parse_str(
            "p = \"${MLHARNESS_TEST_SURELY_UNSET_VAR}\"",
            Format::Toml,
            "m.toml",
        )
        .unwrap_err();
    assert!(matches!(err, ConfigError::UndefinedVariable { .. }));
}

// ---- diff ----

#[test]
fn every_kind_of_change_is_named_with_its_path() {
    let expected = toml("loss = \"log_loss\"\nalpha = 0.1\nold = 1\n[model]\nunits = 8\n");
    let actual = toml("loss = \"hinge\"\nalpha = \"0.1\"\nnew = true\n[model]\nunits = 16\n");
    assert_eq!(
        changes(&expected, &actual, &DiffOptions::new()),
        [
            "type_changed alpha",
            "changed loss",
            "changed model.units",
            "added new",
            "removed old"
        ]
    );
    let c = diff(&expected, &actual, &DiffOptions::new()).unwrap();
    assert_eq!(c[0].expected, Some(Value::Float(0.1)));
    assert_eq!(c[0].actual, Some(Value::from("0.1")));
    assert_eq!(c[3].expected, None);
    assert_eq!(c[4].actual, None);
}

#[test]
fn identical_trees_have_no_changes() {
    let t = toml(TOML_CONFIG);
    assert!(diff(&t, &t.clone(), &DiffOptions::new())
        .unwrap()
        .is_empty());
}

#[test]
fn a_dropped_list_item_is_one_removal_not_a_shift() {
    let expected = toml("features = [\"a\", \"b\", \"c\", \"d\", \"e\"]");
    let actual = toml("features = [\"a\", \"b\", \"c\", \"e\"]");
    assert_eq!(
        changes(&expected, &actual, &DiffOptions::new()),
        ["removed features[3]"]
    );
    let inserted = toml("features = [\"a\", \"x\", \"b\", \"c\", \"d\", \"e\"]");
    assert_eq!(
        changes(&expected, &inserted, &DiffOptions::new()),
        ["added features[1]"]
    );
    let replaced = toml("features = [\"a\", \"b\", \"q\", \"d\", \"e\"]");
    let c = diff(&expected, &replaced, &DiffOptions::new()).unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].kind, c[0].path.to_string()),
        (ChangeKind::Changed, "features[2]".into())
    );
    assert_eq!(c[0].actual, Some(Value::from("q")));
}

#[test]
fn tables_inside_arrays_are_compared_field_by_field() {
    let expected =
        toml("[[layers]]\nunits = 8\nact = \"relu\"\n[[layers]]\nunits = 1\nact = \"sigmoid\"\n");
    let actual =
        toml("[[layers]]\nunits = 8\nact = \"tanh\"\n[[layers]]\nunits = 1\nact = \"sigmoid\"\n");
    assert_eq!(
        changes(&expected, &actual, &DiffOptions::new()),
        ["changed layers[0].act"]
    );
}

#[test]
fn a_table_on_one_side_is_reported_leaf_by_leaf() {
    let expected = toml("a = 1");
    let actual = toml("a = 1\n[server]\nhost = \"x\"\nport = 80\n[empty]\n");
    assert_eq!(
        changes(&expected, &actual, &DiffOptions::new()),
        ["added empty", "added server.host", "added server.port"]
    );
    let ignoring = DiffOptions::new().ignore("server.port");
    assert_eq!(
        changes(&expected, &actual, &ignoring),
        ["added empty", "added server.host"]
    );
}

#[test]
fn a_table_against_a_scalar_is_a_type_change() {
    let c = diff(&toml("a = 1"), &toml("[a]\nb = 1"), &DiffOptions::new()).unwrap();
    assert_eq!((c.len(), c[0].kind), (1, ChangeKind::TypeChanged));
    assert_eq!(c[0].note().as_deref(), Some("integer → table"));
}

#[test]
fn numeric_tolerance_is_absolute_or_relative() {
    let expected = toml("lr = 0.001\nbig = 1000000.0");
    let actual = toml("lr = 0.0010004\nbig = 1000050.0");
    assert_eq!(changes(&expected, &actual, &DiffOptions::new()).len(), 2);
    assert_eq!(
        changes(&expected, &actual, &DiffOptions::new().tolerance(1e-6)),
        ["changed big"]
    );
    assert_eq!(
        changes(
            &expected,
            &actual,
            &DiffOptions::new().relative_tolerance(1e-3)
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        changes(
            &expected,
            &actual,
            &DiffOptions::new().relative_tolerance(1e-5)
        ),
        ["changed big", "changed lr"]
    );
}

#[test]
fn integer_and_float_are_equal_unless_strict() {
    let (e, a) = (toml("alpha = 1"), toml("alpha = 1.0"));
    assert!(changes(&e, &a, &DiffOptions::new()).is_empty());
    assert_eq!(
        changes(&e, &a, &DiffOptions::new().strict_number_types()),
        ["type_changed alpha"]
    );
    assert_eq!(
        changes(&e, &toml("alpha = 1.5"), &DiffOptions::new()),
        ["changed alpha"]
    );
}

#[test]
fn nan_equals_nan_and_not_a_number() {
    let (e, a) = (toml("x = nan"), toml("x = nan"));
    assert!(changes(&e, &a, &DiffOptions::new()).is_empty());
    assert_eq!(
        changes(&e, &toml("x = 1.0"), &DiffOptions::new()),
        ["changed x"]
    );
}

#[test]
fn ignore_patterns_cover_paths_and_what_is_under_them() {
    let expected =
        toml("[server]\nport = 1\n[run]\ntimestamp = 1\n[a.b]\ntimestamp = 1\n[c]\nd = 1");
    let actual = toml("[server]\nport = 2\n[run]\ntimestamp = 2\n[a.b]\ntimestamp = 2\n[c]\nd = 2");
    let o = DiffOptions::new()
        .ignore("server.port")
        .ignore("*.timestamp");
    assert_eq!(
        changes(&expected, &actual, &o),
        ["changed a.b.timestamp", "changed c.d"]
    );
    let o = DiffOptions::new()
        .ignore("server")
        .ignore("**.timestamp")
        .ignore("c");
    assert!(changes(&expected, &actual, &o).is_empty());
    let err = diff(&expected, &actual, &DiffOptions::new().ignore("a..b")).unwrap_err();
    assert!(err.to_string().contains("bad path `a..b`"), "{err}");
}

// ---- rules ----

fn violations(rules: &Rules, tree: &Value) -> Vec<String> {
    rules
        .check(tree)
        .expect("rules run")
        .iter()
        .map(|v| v.to_string())
        .collect()
}

#[test]
fn allowed_values_compare_types() {
    let rules = Rules::new().allowed("alpha", [0.1, 1.0]);
    assert!(violations(&rules, &toml("alpha = 0.1")).is_empty());
    assert!(
        violations(&rules, &toml("alpha = 1")).is_empty(),
        "1 == 1.0"
    );
    assert_eq!(
        violations(&rules, &toml("alpha = \"0.1\"")),
        ["alpha (allowed): \"0.1\" is not allowed; allowed: 0.1, 1.0"]
    );
    assert_eq!(
        violations(&rules, &toml("beta = 1")),
        ["alpha (allowed): absent; allowed: 0.1, 1.0"]
    );
}

#[test]
fn ranges_check_bounds_and_type() {
    let rules = Rules::new()
        .above("f", 0.0)
        .at_most("f", 1.0)
        .range("n", 1.0, 10.0);
    assert!(violations(&rules, &toml("f = 1.0\nn = 1")).is_empty());
    assert_eq!(
        violations(&rules, &toml("f = 0.0\nn = 11")),
        [
            "f (range): 0.0 is not above 0.0",
            "n (range): 11 is above the maximum 10.0"
        ]
    );
    assert_eq!(
        violations(&rules, &toml("f = nan\nn = \"5\"")),
        [
            "f (range): NaN is not a number > 0",
            "f (range): NaN is not a number <= 1",
            "n (range): expected a number >= 1 and <= 10, found string \"5\""
        ]
    );
    let below = Rules::new().below("x", 1.0).at_least("y", 2.0);
    assert_eq!(
        violations(&below, &toml("x = 1\ny = 1.5")),
        [
            "x (range): 1 is not below 1.0",
            "y (range): 1.5 is below the minimum 2.0"
        ]
    );
}

#[test]
fn required_and_forbidden_keys_work_with_patterns() {
    let rules = Rules::new()
        .required("seed")
        .required("layers[*].units")
        .forbidden("**.debug");
    let ok = toml("seed = 1\n[[layers]]\nunits = 3\n");
    assert!(violations(&rules, &ok).is_empty());
    let bad = toml("[server]\ndebug = true\n[x.y]\ndebug = 1\n");
    assert_eq!(
        violations(&rules, &bad),
        [
            "seed (required): required, but absent",
            "layers[*].units (required): required, but absent",
            "server.debug (forbidden): forbidden, but set to true",
            "x.y.debug (forbidden): forbidden, but set to 1",
        ]
    );
}

#[test]
fn equals_compares_with_another_path_or_a_value() {
    let rules = Rules::new()
        .equals("features", "schema.columns")
        .because("train on every column")
        .equals_value("loss", "log_loss");
    let ok =
        toml("features = [\"a\", \"b\"]\nloss = \"log_loss\"\n[schema]\ncolumns = [\"a\", \"b\"]");
    assert!(violations(&rules, &ok).is_empty());
    let bad = toml("features = [\"b\", \"a\", \"z\"]\nloss = \"hinge\"\n[schema]\ncolumns = [\"a\", \"b\", \"c\"]");
    assert_eq!(
        violations(&rules, &bad),
        [
            "features (equals): differs from `schema.columns`: missing \"c\"; extra \"z\" (train on every column)",
            "loss (equals): differs from the required value: expected \"log_loss\", found \"hinge\"",
        ]
    );
    let reordered =
        toml("features = [\"b\", \"a\"]\nloss = \"log_loss\"\n[schema]\ncolumns = [\"a\", \"b\"]");
    assert_eq!(
        violations(&rules, &reordered),
        ["features (equals): differs from `schema.columns`: the same items in another order (train on every column)"]
    );
    let no_schema = toml("features = [\"a\"]\nloss = \"log_loss\"");
    assert_eq!(
        violations(&rules, &no_schema),
        ["features (equals): must equal `schema.columns`, which is absent (train on every column)"]
    );
}

#[test]
fn rules_built_with_mistakes_fail_to_run_and_say_why() {
    let err = Rules::new()
        .range("alpha", 2.0, 1.0)
        .check(&toml("a = 1"))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("rule at `alpha`: the range is empty"),
        "{err}"
    );
    let err = Rules::new()
        .required("a..b")
        .check(&toml("a = 1"))
        .unwrap_err();
    assert!(err.to_string().contains("empty segment"), "{err}");
    let err = Rules::new()
        .equals("a", "b.*")
        .check(&toml("a = 1"))
        .unwrap_err();
    assert!(err.to_string().contains("wildcards"), "{err}");
}

const RULES_FILE: &str = r#"
[[rule]]
path = "loss"
allowed = ["log_loss", "squared_error"]
reason = "linfa fits these"

[[rule]]
path = "training_fraction"
above = 0
max = 1.0

[[rule]]
path = "seed"
required = true

[[rule]]
path = "**.debug"
forbidden = true

[[rule]]
path = "features"
equals = "schema.columns"

[[rule]]
path = "version"
equals_value = "v1"
"#;

#[test]
fn a_rules_file_reads_into_the_same_rules_as_code() {
    let from_file = Rules::parse_str(RULES_FILE, "rules.toml").unwrap();
    let in_code = Rules::new()
        .allowed("loss", ["log_loss", "squared_error"])
        .because("linfa fits these")
        .above("training_fraction", 0.0)
        .at_most("training_fraction", 1.0)
        .required("seed")
        .forbidden("**.debug")
        .equals("features", "schema.columns")
        .equals_value("version", "v1");
    let tree = toml(
        "loss = \"hinge\"\ntraining_fraction = 0\nfeatures = [\"a\"]\nversion = \"v2\"\n[schema]\ncolumns = [\"a\", \"b\"]\n[s]\ndebug = 1",
    );
    let got = violations(&from_file, &tree);
    assert_eq!(
        got,
        [
            "loss (allowed): \"hinge\" is not allowed; allowed: \"log_loss\", \"squared_error\" (linfa fits these)",
            "training_fraction (range): 0 is not above 0.0",
            "seed (required): required, but absent",
            "s.debug (forbidden): forbidden, but set to 1",
            "features (equals): differs from `schema.columns`: missing \"b\"",
            "version (equals): differs from the required value: expected \"v1\", found \"v2\"",
        ]
    );
    assert_eq!(violations(&in_code, &tree), got);
}

#[test]
fn a_bad_rules_file_names_line_and_field() {
    let cases = [
        (
            "[[rule]]\npath = \"a\"\nallowed = 3\n",
            "rules.toml:3:11:",
            "invalid type",
        ),
        (
            "[[rule]]\npath = \"a\"\nmin = true\n",
            "rules.toml:3:7:",
            "rule 1: field `min` must be a number, found bool true",
        ),
        (
            "[[rule]]\npath = \"a\"\nrequried = true\n",
            "rules.toml:3:1:",
            "unknown field `requried`",
        ),
        (
            "[[rule]]\npath = \"a..b\"\nrequired = true\n",
            "rules.toml:2:8:",
            "rule 1: field `path`: bad path",
        ),
        (
            "[[rule]]\npath = \"a\"\nequals = \"b[\"\n",
            "rules.toml:3:10:",
            "rule 1: field `equals`: bad path",
        ),
        (
            "[[rule]]\npath = \"a\"\nmin = 2\nmax = 1\n",
            "rules.toml:1:1:",
            "rule 1: the range is empty",
        ),
        (
            "[[rule]]\npath = \"a\"\nmin = 1\nabove = 0\n",
            "rules.toml:1:1:",
            "give `min` or `above`, not both",
        ),
        (
            "[[rule]]\npath = \"a\"\nreason = \"x\"\n",
            "rules.toml:1:1:",
            "rule 1 (path `a`): no check given",
        ),
        (
            "[[rule]]\nallowed = [1]\n",
            "rules.toml:1:1:",
            "missing field `path`",
        ),
        ("[rules]\n", "rules.toml:1:2:", "unknown field `rules`"),
        ("[[rule]\n", "rules.toml:1:8:", "expected `]`"),
    ];
    for (text, location, needle) in cases {
        let err = Rules::parse_str(text, "rules.toml").unwrap_err();
        assert!(
            matches!(err, ConfigError::Rules { .. }),
            "{text:?}: {err:?}"
        );
        let msg = err.to_string();
        assert!(msg.starts_with(location), "{text:?}: {msg}");
        assert!(msg.contains(needle), "{text:?}: {msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }
}

// ---- report ----

#[test]
fn the_report_is_one_line_when_all_is_well() {
    let t = toml("a = 1\nb = [1, 2]");
    let report = ConfigCheck::new()
        .expected("expected.toml", t.clone())
        .actual("actual.toml", t)
        .rules(Rules::new().required("a").required("b"))
        .run()
        .unwrap();
    assert!(report.outcome().passed());
    assert_eq!(
        report.to_string(),
        "actual.toml: 3 settings, equal to expected.toml, 2 rules hold\n"
    );
}

#[test]
fn the_json_form_has_the_documented_fields() {
    let report = ConfigCheck::new()
        .expected("e", toml("a = 1\nb = 2\nc = 0.5"))
        .actual("x", toml("b = 2\nc = \"0.5\"\nd = [1]"))
        .rules(Rules::new().required("a"))
        .run()
        .unwrap();
    let json = report.to_json();
    assert_eq!(json["equal"], false);
    let changes = json["changes"].as_array().unwrap();
    let rows: Vec<(String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["change"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("a".to_string(), "removed".to_string()),
            ("c".into(), "type_changed".into()),
            ("d[0]".into(), "added".into())
        ]
    );
    assert_eq!(changes[0]["expected"], 1);
    assert!(changes[0]["actual"].is_null());
    assert_eq!(changes[1]["actual"], "0.5");
    let v = &json["rule_violations"][0];
    assert_eq!(
        (v["path"].as_str(), v["rule"].as_str()),
        (Some("a"), Some("required"))
    );
    assert!(v["message"].as_str().unwrap().contains("absent"));
}

#[test]
fn an_empty_config_has_no_settings() {
    let report = ConfigCheck::new()
        .expected("e", Value::table())
        .actual("a", Value::table())
        .run()
        .unwrap();
    assert_eq!(report.to_string(), "a: 0 settings, equal to e\n");
}

#[test]
fn a_check_without_inputs_says_what_is_missing() {
    let err = ConfigCheck::new().run().unwrap_err().to_string();
    assert!(err.contains("no actual config"), "{err}");
    let err = ConfigCheck::new()
        .actual("x", toml("a = 1"))
        .run()
        .unwrap_err()
        .to_string();
    assert!(err.contains("nothing to check x against"), "{err}");
    let err = ConfigCheck::new()
        .expected_file("no/such.toml")
        .actual("x", toml("a = 1"))
        .run()
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("no/such.toml: cannot read"), "{err}");
}

#[test]
fn long_values_are_cut_in_the_table_but_not_in_json() {
    let long: Vec<String> = (0..30).map(|i| format!("feature_{i}")).collect();
    let report = ConfigCheck::new()
        .expected("e", toml("f = 1"))
        .actual("a", Value::from_iter([("f", Value::from(long.clone()))]))
        .run()
        .unwrap();
    let text = report.to_string();
    assert!(
        text.contains("[\"feature_0\", \"feature_1\", \"feature_2\",…  integer → array"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() < 120), "{text}");
    assert_eq!(
        report.to_json()["changes"][0]["actual"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
}

/// Issue 14, bug 1: a YAML sequence nested 10,000 deep overflowed the stack (5,000 deep took
/// ~800 MB); TOML and JSON are held to the same depth.
#[test]
fn nesting_deeper_than_the_limit_is_an_error_in_every_format() {
    let depth = 10_000;
    let yaml = format!(
        "a:\n{}",
        (0..depth)
            .map(|i| format!("{}- \n", "  ".repeat(i + 1)))
            .collect::<String>()
    );
    let err = parse_str(&yaml, Format::Yaml).unwrap_err().to_string();
    assert!(
        err.starts_with("<string>:")
            && err.ends_with("invalid YAML: nested more than 128 levels deep (the limit)"),
        "{err}"
    );
    // Flow style: yaml-rust2's scanner has a limit of its own, and says so with the position.
    let flow = format!("a: {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let err = parse_str(&flow, Format::Yaml).unwrap_err().to_string();
    assert!(
        err.starts_with("<string>:1:") && err.contains("invalid YAML") && err.contains("limit"),
        "{err}"
    );

    let json = format!("{{\"a\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
    let err = parse_str(&json, Format::Json).unwrap_err().to_string();
    assert!(
        err.starts_with("<string>:1:") && err.contains("recursion limit"),
        "{err}"
    );

    let toml_text = format!("a = {}{}\n", "[".repeat(depth), "]".repeat(depth));
    let err = parse_str(&toml_text, Format::Toml).unwrap_err().to_string();
    assert!(err.starts_with("<string>:1:"), "{err}");

    // At the limit, all is well.
    let fine = format!("a: {}1{}\n", "[".repeat(100), "]".repeat(100));
    assert!(parse_str(&fine, Format::Yaml).is_ok());
}

/// Issue 14, bug 1: a 342-byte "billion laughs" alias bomb ran until memory was exhausted.
#[test]
fn a_yaml_alias_bomb_is_refused_before_it_expands() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
        let prev = ["a", "b", "c", "d", "e", "f", "g", "h"][i];
        bomb.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(",")
        ));
    }
    assert!(bomb.len() < 400, "{}", bomb.len());
    let err = parse_str(&bomb, Format::Yaml).unwrap_err().to_string();
    assert!(
        err.contains(
            "expands to more than 1000000 values through its aliases (the limit; see config::Limits)"
        ),
        "{err}"
    );
    // Aliases within the limit still work.
    let ok = parse_str("base: &b {lr: 0.1}\nprod: *b\n", Format::Yaml).unwrap();
    assert_eq!(ok.get("prod.lr"), Some(&Value::from(0.1)));
}

/// Issue 14: the YAML value bound can be raised by a user whose generated config needs more.
#[test]
fn the_yaml_value_limit_can_be_raised_and_lowered() {
    let text = "base: &b [1, 2, 3, 4]\nx: [*b, *b, *b]\n";
    let loader = |max_yaml_values| {
        Loader::new().no_expansion().limits(Limits {
            max_yaml_values,
            ..Limits::default()
        })
    };
    let err = loader(10)
        .parse_str(text, Format::Yaml, "gen.yaml")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("gen.yaml:2:"), "{err}");
    assert!(err.contains("more than 10 values"), "{err}");
    let tree = loader(100)
        .parse_str(text, Format::Yaml, "gen.yaml")
        .unwrap();
    assert_eq!(tree.get("x[2][3]"), Some(&Value::from(4)));
}

/// Issue 14, bug 1: `${X}` repeated over a large variable grew without bound.
#[test]
fn expansion_growth_is_bounded_and_named() {
    let big = "x".repeat(1 << 20);
    let text = format!("a = \"{}\"\n", "${BIG}".repeat(40));
    let err = Loader::new()
        .env_vars([("BIG", big.as_str())])
        .parse_str(&text, Format::Toml, "bomb.toml")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("bomb.toml:1:"), "{err}");
    assert!(
        err.contains("makes the text more than 16777216 bytes (the limit; see config::Limits)"),
        "{err}"
    );
    let fine = Loader::new()
        .env_vars([("BIG", big.as_str())])
        .parse_str("a = \"${BIG}\"\n", Format::Toml, "ok.toml")
        .unwrap();
    assert_eq!(fine.get("a"), Some(&Value::from(big.as_str())));
}
