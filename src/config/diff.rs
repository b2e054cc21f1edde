//! Comparing an expected config tree with the actual one, change by change.

use super::{ConfigError, KeyPath, Pattern, Value};
use crate::check::{InvalidSetting, Range};
use serde::Serialize;
use std::fmt;

/// What happened at a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// Only in actual.
    Added,
    /// Only in expected.
    Removed,
    /// In both, of the same type, with different values.
    Changed,
    /// In both, of different types (`"0.1"` against `0.1`, a table against a number).
    TypeChanged,
}

impl ChangeKind {
    /// `added`, `removed`, `changed` or `type_changed`, as in the JSON form.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
            ChangeKind::TypeChanged => "type_changed",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One difference between the expected and the actual config.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// Where: `model.loss`, `features[3]`.
    #[serde(serialize_with = "serialize_display")]
    pub path: KeyPath,
    /// What happened.
    #[serde(rename = "change")]
    pub kind: ChangeKind,
    /// The value in expected (`None` when added).
    pub expected: Option<Value>,
    /// The value in actual (`None` when removed).
    pub actual: Option<Value>,
}

fn serialize_display<S: serde::Serializer>(p: &KeyPath, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(p)
}

impl Change {
    /// A short human note: by how much a number moved, which types a type change is between.
    ///
    /// ```
    /// use mlharness::config::{diff, DiffOptions, Format, parse_str};
    /// let expected = parse_str("alpha = 0.5\nseed = 42", Format::Toml)?;
    /// let actual = parse_str("alpha = 0.55\nseed = \"42\"", Format::Toml)?;
    /// let changes = diff(&expected, &actual, &DiffOptions::new())?;
    /// assert_eq!(changes[0].note().as_deref(), Some("+0.05 (+10%)"));
    /// assert_eq!(changes[1].note().as_deref(), Some("integer → string"));
    /// # Ok::<(), mlharness::config::ConfigError>(())
    /// ```
    pub fn note(&self) -> Option<String> {
        let (e, a) = (self.expected.as_ref()?, self.actual.as_ref()?);
        if self.kind == ChangeKind::TypeChanged {
            return Some(format!("{} → {}", e.type_name(), a.type_name()));
        }
        let (x, y) = (number(e)?, number(a)?);
        let delta = y - x;
        let sign = if delta >= 0.0 { "+" } else { "" };
        let delta_text = match (e, a) {
            (Value::Int(i), Value::Int(j)) => format!("{sign}{}", i128::from(*j) - i128::from(*i)),
            _ => format!("{sign}{}", super::value::float_text(round12(delta))),
        };
        if x != 0.0 && x.is_finite() && y.is_finite() {
            let pct = delta / x.abs() * 100.0;
            Some(format!("{delta_text} ({sign}{})", percent(pct)))
        } else {
            Some(delta_text)
        }
    }
}

/// `f` to 12 significant digits, so that `0.55 - 0.5` reads `0.05`.
fn round12(f: f64) -> f64 {
    format!("{f:.11e}").parse().unwrap_or(f)
}

fn percent(p: f64) -> String {
    let rounded = format!("{p:.3}");
    let trimmed = rounded.trim_end_matches('0').trim_end_matches('.');
    format!("{trimmed}%")
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// How to compare: keys to ignore, numeric tolerance, and whether `1` and `1.0` differ.
///
/// ```
/// use mlharness::config::{diff, DiffOptions, Format, parse_str};
/// let expected = parse_str("alpha = 0.1\n[server]\nport = 8080\n[run]\ntimestamp = 1", Format::Toml)?;
/// let actual = parse_str("alpha = 0.1000001\n[server]\nport = 9000\n[run]\ntimestamp = 2", Format::Toml)?;
/// let options = DiffOptions::new()
///     .ignore("server.port")
///     .ignore("*.timestamp")
///     .tolerance(1e-6);
/// assert!(diff(&expected, &actual, &options)?.is_empty());
/// assert_eq!(diff(&expected, &actual, &DiffOptions::new())?.len(), 3);
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    ignore: Vec<String>,
    tolerance: f64,
    relative_tolerance: f64,
    strict_number_types: bool,
}

impl DiffOptions {
    /// Exact comparison, nothing ignored; `1` equals `1.0`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ignores what a [`Pattern`] matches, and everything under it. A malformed pattern is
    /// reported by [`diff`].
    pub fn ignore(mut self, pattern: impl Into<String>) -> Self {
        self.ignore.push(pattern.into());
        self
    }

    /// Numbers within `tolerance` of each other are equal.
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Refuses a tolerance that is NaN, infinite or negative: it would make every number
    /// equal, or none, without saying so.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (option, value) in [
            ("tolerance", self.tolerance),
            ("relative_tolerance", self.relative_tolerance),
        ] {
            InvalidSetting::ensure("config check", option, Range::NonNegative, value)?;
        }
        Ok(())
    }

    /// Numbers within `relative` × the larger magnitude of each other are equal.
    pub fn relative_tolerance(mut self, relative: f64) -> Self {
        self.relative_tolerance = relative;
        self
    }

    /// Makes an integer and a float a type change even when equal in value (`1` vs `1.0`).
    pub fn strict_number_types(mut self) -> Self {
        self.strict_number_types = true;
        self
    }

    /// The ignore patterns, as given.
    pub fn ignored(&self) -> &[String] {
        &self.ignore
    }
}

/// Every difference between `expected` and `actual`, each with its path.
///
/// Tables are compared key by key. Arrays are aligned on their longest common subsequence, so
/// dropping one feature from a list reports that feature removed, not every later one shifted:
/// removed and changed elements are named by their index in `expected`, added ones by their
/// index in `actual`. A table or array present on one side only is reported leaf by leaf.
///
/// ```
/// use mlharness::config::{diff, ChangeKind, DiffOptions, Format, parse_str};
/// let expected = parse_str("loss = \"log_loss\"\nfeatures = [\"a\", \"b\", \"c\"]", Format::Toml)?;
/// let actual = parse_str("loss = \"hinge\"\nfeatures = [\"a\", \"c\"]", Format::Toml)?;
/// let changes = diff(&expected, &actual, &DiffOptions::new())?;
/// let summary: Vec<String> = changes.iter().map(|c| format!("{} {}", c.kind, c.path)).collect();
/// assert_eq!(summary, ["removed features[1]", "changed loss"]);
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
pub fn diff(
    expected: &Value,
    actual: &Value,
    options: &DiffOptions,
) -> Result<Vec<Change>, ConfigError> {
    let ignore = options
        .ignore
        .iter()
        .map(|p| Pattern::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let differ = Differ { options, ignore };
    let mut out = Vec::new();
    differ.diff(&KeyPath::root(), expected, actual, &mut out);
    Ok(out)
}

/// Above this many element pairs, arrays are compared index by index instead of aligned.
const ALIGN_LIMIT: usize = 1_000_000;

struct Differ<'a> {
    options: &'a DiffOptions,
    ignore: Vec<Pattern>,
}

impl Differ<'_> {
    fn ignored(&self, path: &KeyPath) -> bool {
        self.ignore.iter().any(|p| p.covers(path))
    }

    fn diff(&self, path: &KeyPath, e: &Value, a: &Value, out: &mut Vec<Change>) {
        if self.ignored(path) {
            return;
        }
        match (e, a) {
            (Value::Table(te), Value::Table(ta)) => {
                let mut keys: Vec<&String> = te.keys().chain(ta.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    let child = path.key(k.clone());
                    match (te.get(k), ta.get(k)) {
                        (Some(x), Some(y)) => self.diff(&child, x, y, out),
                        (Some(x), None) => self.one_side(&child, x, ChangeKind::Removed, out),
                        (None, Some(y)) => self.one_side(&child, y, ChangeKind::Added, out),
                        (None, None) => {}
                    }
                }
            }
            (Value::Array(ae), Value::Array(aa)) => self.diff_arrays(path, ae, aa, out),
            _ if !self.same_type(e, a) => out.push(Change {
                path: path.clone(),
                kind: ChangeKind::TypeChanged,
                expected: Some(e.clone()),
                actual: Some(a.clone()),
            }),
            _ if !self.equal(e, a) => out.push(Change {
                path: path.clone(),
                kind: ChangeKind::Changed,
                expected: Some(e.clone()),
                actual: Some(a.clone()),
            }),
            _ => {}
        }
    }

    /// A value on one side only, reported leaf by leaf so that ignore patterns apply inside it.
    fn one_side(&self, path: &KeyPath, v: &Value, kind: ChangeKind, out: &mut Vec<Change>) {
        for (rel, leaf) in v.leaves() {
            let full = KeyPath::from([path.segments(), rel.segments()].concat());
            if self.ignored(&full) {
                continue;
            }
            let (expected, actual) = match kind {
                ChangeKind::Removed => (Some(leaf.clone()), None),
                _ => (None, Some(leaf.clone())),
            };
            out.push(Change {
                path: full,
                kind,
                expected,
                actual,
            });
        }
    }

    fn diff_arrays(&self, path: &KeyPath, e: &[Value], a: &[Value], out: &mut Vec<Change>) {
        if e.len().saturating_mul(a.len()) > ALIGN_LIMIT {
            for i in 0..e.len().max(a.len()) {
                match (e.get(i), a.get(i)) {
                    (Some(x), Some(y)) => self.diff(&path.index(i), x, y, out),
                    (Some(x), None) => self.one_side(&path.index(i), x, ChangeKind::Removed, out),
                    (None, Some(y)) => self.one_side(&path.index(i), y, ChangeKind::Added, out),
                    (None, None) => {}
                }
            }
            return;
        }
        let (n, m) = (e.len(), a.len());
        // lcs[i][j]: length of the longest common subsequence of e[i..] and a[j..].
        let mut lcs = vec![vec![0u32; m + 1]; n + 1];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i][j] = if self.equal(&e[i], &a[j]) {
                    lcs[i + 1][j + 1] + 1
                } else {
                    lcs[i + 1][j].max(lcs[i][j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        let mut removed: Vec<usize> = Vec::new();
        let mut added: Vec<usize> = Vec::new();
        while i < n || j < m {
            if i < n && j < m && self.equal(&e[i], &a[j]) && lcs[i][j] == lcs[i + 1][j + 1] + 1 {
                self.flush_gap(path, e, a, &mut removed, &mut added, out);
                i += 1;
                j += 1;
            } else if j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
                removed.push(i);
                i += 1;
            } else {
                added.push(j);
                j += 1;
            }
        }
        self.flush_gap(path, e, a, &mut removed, &mut added, out);
    }

    /// Elements between two aligned ones: pairs become changes, the rest removals/additions.
    fn flush_gap(
        &self,
        path: &KeyPath,
        e: &[Value],
        a: &[Value],
        removed: &mut Vec<usize>,
        added: &mut Vec<usize>,
        out: &mut Vec<Change>,
    ) {
        let paired = removed.len().min(added.len());
        for k in 0..paired {
            self.diff(&path.index(removed[k]), &e[removed[k]], &a[added[k]], out);
        }
        for &i in &removed[paired..] {
            self.one_side(&path.index(i), &e[i], ChangeKind::Removed, out);
        }
        for &j in &added[paired..] {
            self.one_side(&path.index(j), &a[j], ChangeKind::Added, out);
        }
        removed.clear();
        added.clear();
    }

    fn same_type(&self, e: &Value, a: &Value) -> bool {
        match (e, a) {
            (Value::Int(_), Value::Float(_)) | (Value::Float(_), Value::Int(_)) => {
                !self.options.strict_number_types
            }
            _ => std::mem::discriminant(e) == std::mem::discriminant(a),
        }
    }

    /// Deep equality with the numeric tolerance; NaN equals NaN (the same setting).
    fn equal(&self, e: &Value, a: &Value) -> bool {
        if !self.same_type(e, a) {
            return false;
        }
        match (e, a) {
            (Value::Int(x), Value::Int(y)) if x == y => true,
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => {
                let (x, y) = (number(e).unwrap_or(f64::NAN), number(a).unwrap_or(f64::NAN));
                if x.is_nan() || y.is_nan() {
                    return x.is_nan() && y.is_nan();
                }
                if x == y {
                    return true;
                }
                let d = (x - y).abs();
                d <= self.options.tolerance
                    || d <= self.options.relative_tolerance * x.abs().max(y.abs())
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| self.equal(p, q))
            }
            (Value::Table(x), Value::Table(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|((kx, vx), (ky, vy))| kx == ky && self.equal(vx, vy))
            }
            _ => e == a,
        }
    }
}
