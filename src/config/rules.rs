//! Rules a config must satisfy: project knowledge written down, so that a newcomer cannot
//! ship a known-bad setting.

use super::error::line_column;
use super::load::toml_to_value;
use super::{ConfigError, KeyPath, Pattern, Value};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::Path as FsPath;
use toml::Spanned;

/// One bound of a numeric range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The limit.
    pub value: f64,
    /// Whether the limit itself is allowed.
    pub inclusive: bool,
}

/// What a rule demands of the value(s) at its path.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Requirement {
    /// The value is one of these (`1` and `1.0` count as equal; `"1"` does not).
    Allowed(Vec<Value>),
    /// The value is a number within these bounds.
    Range {
        /// Lower bound, if any.
        min: Option<Bound>,
        /// Upper bound, if any.
        max: Option<Bound>,
    },
    /// The path is present.
    Required,
    /// The path is absent.
    Forbidden,
    /// The value equals the value at another path of the same tree.
    EqualsPath(KeyPath),
    /// The value equals this value.
    EqualsValue(Value),
}

impl Requirement {
    /// `allowed`, `range`, `required`, `forbidden` or `equals`, as in the JSON form.
    pub fn name(&self) -> &'static str {
        match self {
            Requirement::Allowed(_) => "allowed",
            Requirement::Range { .. } => "range",
            Requirement::Required => "required",
            Requirement::Forbidden => "forbidden",
            Requirement::EqualsPath(_) | Requirement::EqualsValue(_) => "equals",
        }
    }
}

/// A check at a path (or a [`Pattern`]), with the reason it exists.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Where the rule applies. A pattern with wildcards applies to every match.
    pub pattern: Pattern,
    /// What it demands.
    pub check: Requirement,
    /// Why, shown with a violation ("linfa-logistic fits log loss only").
    pub reason: Option<String>,
}

/// A rule the config breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RuleViolation {
    /// The path of the offending value, or the rule's path when the value is absent.
    pub path: String,
    /// `allowed`, `range`, `required`, `forbidden` or `equals`.
    pub rule: String,
    /// Found, expected, and the rule's reason.
    pub message: String,
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.path, self.rule, self.message)
    }
}

/// A set of rules, built in code or read from a rules file.
///
/// A rule on a plain path whose value is absent is broken (except `forbidden`); a rule on a
/// pattern with wildcards checks whatever matches, and only `required` needs a match.
///
/// ```
/// use mlharness::config::{parse_str, Format, Rules};
/// let rules = Rules::new()
///     .allowed("loss", ["log_loss", "squared_error"])
///     .because("linfa fits these two only")
///     .range("alpha", 0.0, 10.0)
///     .above("training_fraction", 0.0)
///     .at_most("training_fraction", 1.0)
///     .required("seed")
///     .forbidden("**.debug")
///     .equals("features", "dataset.columns");
/// let config = parse_str(r#"
///     loss = "hinge"
///     alpha = 0.1
///     training_fraction = 1.5
///     features = ["calls", "minutes"]
///     [dataset]
///     columns = ["calls", "minutes", "plan"]
///     [server]
///     debug = true
/// "#, Format::Toml)?;
/// let broken: Vec<String> = rules.check(&config)?.iter().map(|v| v.to_string()).collect();
/// assert_eq!(broken, [
///     "loss (allowed): \"hinge\" is not allowed; allowed: \"log_loss\", \"squared_error\" (linfa fits these two only)",
///     "training_fraction (range): 1.5 is above the maximum 1.0",
///     "seed (required): required, but absent",
///     "server.debug (forbidden): forbidden, but set to true",
///     "features (equals): differs from `dataset.columns`: missing \"plan\"",
/// ]);
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Rules {
    rules: Vec<Rule>,
    /// Mistakes made while building: reported by [`Rules::check`].
    errors: Vec<(String, String)>,
}

impl Rules {
    /// No rules.
    pub fn new() -> Self {
        Self::default()
    }

    /// The rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn push(mut self, path: &str, check: Requirement) -> Self {
        match Pattern::parse(path) {
            Ok(pattern) => {
                self.rules.push(Rule {
                    pattern,
                    check,
                    reason: None,
                });
            }
            Err(e) => self.errors.push((path.to_string(), e.to_string())),
        }
        self
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// The value at `path` is one of `values`.
    pub fn allowed<V: Into<Value>>(self, path: &str, values: impl IntoIterator<Item = V>) -> Self {
        self.push(
            path,
            Requirement::Allowed(values.into_iter().map(Into::into).collect()),
        )
    }

    /// The value at `path` is a number in `min..=max`.
    pub fn range(self, path: &str, min: f64, max: f64) -> Self {
        self.bounds(
            path,
            Some(Bound {
                value: min,
                inclusive: true,
            }),
            Some(Bound {
                value: max,
                inclusive: true,
            }),
        )
    }

    /// The value at `path` is a number `>= min`.
    pub fn at_least(self, path: &str, min: f64) -> Self {
        self.bounds(
            path,
            Some(Bound {
                value: min,
                inclusive: true,
            }),
            None,
        )
    }

    /// The value at `path` is a number `<= max`.
    pub fn at_most(self, path: &str, max: f64) -> Self {
        self.bounds(
            path,
            None,
            Some(Bound {
                value: max,
                inclusive: true,
            }),
        )
    }

    /// The value at `path` is a number `> min`.
    pub fn above(self, path: &str, min: f64) -> Self {
        self.bounds(
            path,
            Some(Bound {
                value: min,
                inclusive: false,
            }),
            None,
        )
    }

    /// The value at `path` is a number `< max`.
    pub fn below(self, path: &str, max: f64) -> Self {
        self.bounds(
            path,
            None,
            Some(Bound {
                value: max,
                inclusive: false,
            }),
        )
    }

    fn bounds(mut self, path: &str, min: Option<Bound>, max: Option<Bound>) -> Self {
        if let Err(message) = check_bounds(min, max) {
            self.errors.push((path.to_string(), message));
            return self;
        }
        self.push(path, Requirement::Range { min, max })
    }

    /// `path` must be present.
    pub fn required(self, path: &str) -> Self {
        self.push(path, Requirement::Required)
    }

    /// `path` must be absent (a pattern: nowhere it matches).
    pub fn forbidden(self, path: &str) -> Self {
        self.push(path, Requirement::Forbidden)
    }

    /// The value at `path` equals the value at `other` (e.g. the model's feature list and the
    /// schema's columns).
    pub fn equals(mut self, path: &str, other: &str) -> Self {
        match other.parse::<KeyPath>() {
            Ok(other) => self.push(path, Requirement::EqualsPath(other)),
            Err(e) => {
                self.errors.push((path.to_string(), e.to_string()));
                self
            }
        }
    }

    /// The value at `path` equals `value`.
    pub fn equals_value(self, path: &str, value: impl Into<Value>) -> Self {
        self.push(path, Requirement::EqualsValue(value.into()))
    }

    /// Gives the most recently added rule a reason, shown with its violations.
    pub fn because(mut self, reason: impl Into<String>) -> Self {
        if let Some(last) = self.rules.last_mut() {
            last.reason = Some(reason.into());
        }
        self
    }

    /// Adds the rules of `other` after these.
    pub fn extend(mut self, other: Rules) -> Self {
        self.rules.extend(other.rules);
        self.errors.extend(other.errors);
        self
    }

    /// Reads a rules file (TOML):
    ///
    /// ```toml
    /// [[rule]]
    /// path = "loss"
    /// allowed = ["log_loss"]
    /// reason = "linfa-logistic fits log loss only"
    ///
    /// [[rule]]
    /// path = "training_fraction"
    /// above = 0.0        # also: min, max (inclusive), below (exclusive)
    /// max = 1.0
    ///
    /// [[rule]]
    /// path = "features"
    /// equals = "dataset.columns"   # or equals_value = [...]; also required / forbidden = true
    /// ```
    ///
    /// A mistake is an error naming the file, line, column and field.
    pub fn from_file(path: impl AsRef<FsPath>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse_str(&text, &path.display().to_string())
    }

    /// Reads rules from TOML text; `file` names it in errors.
    ///
    /// ```
    /// use mlharness::config::Rules;
    /// let rules = Rules::parse_str("[[rule]]\npath = \"loss\"\nallowed = [\"log_loss\"]\n", "rules.toml")?;
    /// assert_eq!(rules.rules().len(), 1);
    ///
    /// let err = Rules::parse_str("[[rule]]\npath = \"alpha\"\nmin = \"0\"\n", "rules.toml").unwrap_err();
    /// assert_eq!(err.to_string(), "rules.toml:3:7: rule 1: field `min` must be a number, found string \"0\"");
    /// let err = Rules::parse_str("[[rule]]\npath = \"loss\"\nalowed = []\n", "rules.toml").unwrap_err();
    /// assert!(err.to_string().starts_with("rules.toml:3:1: unknown field `alowed`"), "{err}");
    /// # Ok::<(), mlharness::config::ConfigError>(())
    /// ```
    pub fn parse_str(text: &str, file: &str) -> Result<Self, ConfigError> {
        let at = |offset: usize, message: String| {
            let (line, column) = line_column(text, offset);
            ConfigError::Rules {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        let parsed: RulesFile = toml::from_str(text).map_err(|e| {
            at(
                e.span().map_or(0, |s| s.start),
                e.message().trim().replace('\n', " "),
            )
        })?;
        let mut rules = Rules::new();
        for (n, entry) in parsed.rule.into_iter().enumerate() {
            let entry_start = entry.span().start;
            let entry = entry.into_inner();
            let n = n + 1;
            let pattern = Pattern::parse(entry.path.get_ref()).map_err(|e| {
                at(
                    entry.path.span().start,
                    format!("rule {n}: field `path`: {e}"),
                )
            })?;
            let mut checks = Vec::new();
            if let Some(values) = entry.allowed {
                checks.push(Requirement::Allowed(
                    values.into_iter().map(toml_to_value).collect(),
                ));
            }
            let number = |field: &str, v: &Option<Spanned<toml::Value>>, inclusive: bool| {
                v.as_ref()
                    .map(|s| match s.get_ref() {
                        toml::Value::Integer(i) => Ok(Bound {
                            value: *i as f64,
                            inclusive,
                        }),
                        toml::Value::Float(f) if !f.is_nan() => Ok(Bound {
                            value: *f,
                            inclusive,
                        }),
                        other => Err(at(
                            s.span().start,
                            format!(
                                "rule {n}: field `{field}` must be a number, found {} {}",
                                toml_to_value(other.clone()).type_name(),
                                toml_to_value(other.clone())
                            ),
                        )),
                    })
                    .transpose()
            };
            let lower = match (
                number("min", &entry.min, true)?,
                number("above", &entry.above, false)?,
            ) {
                (Some(_), Some(_)) => {
                    return Err(at(
                        entry_start,
                        format!("rule {n}: give `min` or `above`, not both"),
                    ))
                }
                (a, b) => a.or(b),
            };
            let upper = match (
                number("max", &entry.max, true)?,
                number("below", &entry.below, false)?,
            ) {
                (Some(_), Some(_)) => {
                    return Err(at(
                        entry_start,
                        format!("rule {n}: give `max` or `below`, not both"),
                    ))
                }
                (a, b) => a.or(b),
            };
            if lower.is_some() || upper.is_some() {
                check_bounds(lower, upper)
                    .map_err(|m| at(entry_start, format!("rule {n}: {m}")))?;
                checks.push(Requirement::Range {
                    min: lower,
                    max: upper,
                });
            }
            if entry.required == Some(true) {
                checks.push(Requirement::Required);
            }
            if entry.forbidden == Some(true) {
                checks.push(Requirement::Forbidden);
            }
            if let Some(other) = &entry.equals {
                let path = other.get_ref().parse::<KeyPath>().map_err(|e| {
                    at(other.span().start, format!("rule {n}: field `equals`: {e}"))
                })?;
                checks.push(Requirement::EqualsPath(path));
            }
            if let Some(v) = entry.equals_value {
                checks.push(Requirement::EqualsValue(toml_to_value(v)));
            }
            if checks.is_empty() {
                return Err(at(
                    entry_start,
                    format!(
                        "rule {n} (path `{}`): no check given: set one of allowed, min, max, above, below, required, forbidden, equals, equals_value",
                        entry.path.get_ref()
                    ),
                ));
            }
            for check in checks {
                rules.rules.push(Rule {
                    pattern: pattern.clone(),
                    check,
                    reason: entry.reason.clone(),
                });
            }
        }
        Ok(rules)
    }

    /// Every rule `tree` breaks, in rule order. Errors only for rules built with a malformed
    /// path or bounds.
    pub fn check(&self, tree: &Value) -> Result<Vec<RuleViolation>, ConfigError> {
        if let Some((path, message)) = self.errors.first() {
            return Err(ConfigError::BadRule {
                path: path.clone(),
                message: message.clone(),
            });
        }
        let mut out = Vec::new();
        for rule in &self.rules {
            check_rule(rule, tree, &mut out);
        }
        Ok(out)
    }
}

fn check_bounds(min: Option<Bound>, max: Option<Bound>) -> Result<(), String> {
    for b in [min, max].into_iter().flatten() {
        if b.value.is_nan() {
            return Err("a bound is NaN".into());
        }
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo.value > hi.value || (lo.value == hi.value && !(lo.inclusive && hi.inclusive)) {
            return Err(format!(
                "the range is empty: the minimum {} is not below the maximum {}",
                lo.value, hi.value
            ));
        }
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<Spanned<RuleEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    path: Spanned<String>,
    allowed: Option<Vec<toml::Value>>,
    min: Option<Spanned<toml::Value>>,
    max: Option<Spanned<toml::Value>>,
    above: Option<Spanned<toml::Value>>,
    below: Option<Spanned<toml::Value>>,
    required: Option<bool>,
    forbidden: Option<bool>,
    equals: Option<Spanned<String>>,
    equals_value: Option<toml::Value>,
    reason: Option<String>,
}

fn check_rule(rule: &Rule, tree: &Value, out: &mut Vec<RuleViolation>) {
    let literal = rule.pattern.to_path();
    let matches: Vec<(KeyPath, &Value)> = match &literal {
        Some(p) => tree
            .get_path(p)
            .map(|v| (p.clone(), v))
            .into_iter()
            .collect(),
        None => tree
            .walk()
            .into_iter()
            .filter(|(p, _)| rule.pattern.matches(p))
            .collect(),
    };
    let mut violate = |path: String, message: String| {
        let message = match &rule.reason {
            Some(r) => format!("{message} ({r})"),
            None => message,
        };
        out.push(RuleViolation {
            path,
            rule: rule.check.name().to_string(),
            message,
        });
    };
    match &rule.check {
        Requirement::Required => {
            if matches.is_empty() {
                violate(rule.pattern.to_string(), "required, but absent".into());
            }
            return;
        }
        Requirement::Forbidden => {
            for (p, v) in matches {
                violate(p.to_string(), format!("forbidden, but set to {}", short(v)));
            }
            return;
        }
        _ => {}
    }
    if matches.is_empty() && literal.is_some() {
        let what = match &rule.check {
            Requirement::Allowed(values) => format!("absent; allowed: {}", list(values)),
            Requirement::Range { min, max } => {
                format!("absent; must be a number {}", range_text(*min, *max))
            }
            Requirement::EqualsPath(other) => format!("absent; must equal `{other}`"),
            _ => "absent".to_string(),
        };
        violate(rule.pattern.to_string(), what);
        return;
    }
    for (p, v) in matches {
        let message = match &rule.check {
            Requirement::Allowed(values) => (!values.iter().any(|a| same(a, v)))
                .then(|| format!("{} is not allowed; allowed: {}", short(v), list(values))),
            Requirement::Range { min, max } => range_violation(v, *min, *max),
            Requirement::EqualsPath(other) => match tree.get_path(other) {
                None => Some(format!("must equal `{other}`, which is absent")),
                Some(o) if same(o, v) => None,
                Some(o) => Some(format!("differs from `{other}`: {}", difference(o, v))),
            },
            Requirement::EqualsValue(o) => (!same(o, v))
                .then(|| format!("differs from the required value: {}", difference(o, v))),
            Requirement::Required | Requirement::Forbidden => None,
        };
        if let Some(m) = message {
            violate(p.to_string(), m);
        }
    }
}

/// Equal, with `1` equal to `1.0`.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => *x as f64 == *y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Table(x), Value::Table(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same(vx, vy))
        }
        _ => a == b,
    }
}

/// How `found` differs from `wanted`: for lists, which items are missing, extra or moved.
fn difference(wanted: &Value, found: &Value) -> String {
    if let (Value::Array(w), Value::Array(f)) = (wanted, found) {
        let missing: Vec<&Value> = w.iter().filter(|x| !f.iter().any(|y| same(x, y))).collect();
        let extra: Vec<&Value> = f.iter().filter(|y| !w.iter().any(|x| same(x, y))).collect();
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing {}", list(missing)));
        }
        if !extra.is_empty() {
            parts.push(format!("extra {}", list(extra)));
        }
        if parts.is_empty() {
            parts.push(if w.len() == f.len() {
                "the same items in another order".to_string()
            } else {
                format!("{} items instead of {} (repeats)", f.len(), w.len())
            });
        }
        return parts.join("; ");
    }
    format!("expected {}, found {}", short(wanted), short(found))
}

fn range_violation(v: &Value, min: Option<Bound>, max: Option<Bound>) -> Option<String> {
    let x = match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            return Some(format!(
                "expected a number {}, found {} {}",
                range_text(min, max),
                other.type_name(),
                short(other)
            ))
        }
    };
    if x.is_nan() {
        return Some(format!("NaN is not a number {}", range_text(min, max)));
    }
    if let Some(lo) = min {
        if x < lo.value || (x == lo.value && !lo.inclusive) {
            let word = if lo.inclusive {
                "below the minimum"
            } else {
                "not above"
            };
            return Some(format!(
                "{} is {word} {}",
                short(v),
                short(&Value::Float(lo.value))
            ));
        }
    }
    if let Some(hi) = max {
        if x > hi.value || (x == hi.value && !hi.inclusive) {
            let word = if hi.inclusive {
                "above the maximum"
            } else {
                "not below"
            };
            return Some(format!(
                "{} is {word} {}",
                short(v),
                short(&Value::Float(hi.value))
            ));
        }
    }
    None
}

fn range_text(min: Option<Bound>, max: Option<Bound>) -> String {
    let lo = min.map(|b| format!("{} {}", if b.inclusive { ">=" } else { ">" }, b.value));
    let hi = max.map(|b| format!("{} {}", if b.inclusive { "<=" } else { "<" }, b.value));
    match (lo, hi) {
        (Some(l), Some(h)) => format!("{l} and {h}"),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => "(any)".into(),
    }
}

fn list<'a>(values: impl IntoIterator<Item = &'a Value>) -> String {
    values.into_iter().map(short).collect::<Vec<_>>().join(", ")
}

/// A value for a message, cut to a readable length.
pub(crate) fn short(v: &Value) -> String {
    super::report::truncate(&v.to_string(), 60)
}
