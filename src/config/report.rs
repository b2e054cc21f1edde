//! The outcome of a config check: changes and rule violations, as a small table or as JSON.

use super::{Change, RuleViolation};
use crate::check::{checked_report, Outcome};
use crate::kind::Kind;
use crate::table::Table;
use std::fmt;

/// What a config check found: the differences from the expected config and the broken rules.
///
/// Its `Display` is one line when all is well, and otherwise small aligned tables naming each
/// path with expected and actual values. [`ConfigReport::to_json`] is the machine form.
///
/// ```
/// use mlharness::config::{ConfigCheck, Format, parse_str, Rules};
/// let report = ConfigCheck::new()
///     .expected("config/model.toml", parse_str("alpha = 0.1\nloss = \"log_loss\"", Format::Toml))
///     .actual("resolved", parse_str("alpha = \"0.1\"\nloss = \"hinge\"", Format::Toml))
///     .rules(Rules::new().allowed("loss", ["log_loss"]))
///     .run()?;
/// assert!(!report.outcome().passed());
/// assert_eq!(report.to_string(), "\
/// resolved differs from config/model.toml: 2 changes
///   path   change        expected    actual   note
///   alpha  type_changed  0.1         \"0.1\"    float → string
///   loss   changed       \"log_loss\"  \"hinge\"
/// resolved breaks 1 rule
///   path  rule     message
///   loss  allowed  \"hinge\" is not allowed; allowed: \"log_loss\"
/// ");
/// let json = report.to_json();
/// assert_eq!(json["equal"], false);
/// assert_eq!(json["changes"][0]["change"], "type_changed");
/// assert_eq!(json["changes"][0]["expected"], 0.1);
/// assert_eq!(json["changes"][0]["actual"], "0.1");
/// assert_eq!(json["rule_violations"][0]["rule"], "allowed");
/// # Ok::<(), mlharness::config::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConfigReport {
    /// What the actual config was compared with (`None` when only rules were checked).
    pub expected: Option<String>,
    /// The config under test.
    pub actual: String,
    /// How many settings (leaves) the actual config has.
    pub settings: usize,
    /// Differences from the expected config.
    pub changes: Vec<Change>,
    /// Rules the actual config breaks.
    pub violations: Vec<RuleViolation>,
    /// How many rules were checked.
    pub rules_checked: usize,
    outcome: Outcome,
}

checked_report!(ConfigReport);

impl ConfigReport {
    pub(crate) fn new(
        expected: Option<String>,
        actual: String,
        settings: usize,
        changes: Vec<Change>,
        violations: Vec<RuleViolation>,
        rules_checked: usize,
    ) -> Self {
        let mut name = format!("config check of {actual}");
        if let Some(e) = &expected {
            name.push_str(&format!(" against {e}"));
        }
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let outcome = if changes.is_empty() && violations.is_empty() {
            let mut headline = plural(settings, "setting");
            if expected.is_some() {
                headline.push_str(", all equal");
            }
            if rules_checked > 0 {
                headline.push_str(&format!(", {} hold", plural(rules_checked, "rule")));
            }
            Outcome::pass(Kind::ConfigDiff, name).with_headline(headline)
        } else {
            // One table; the rules' columns when only rules broke, the diff's otherwise.
            let mut t = if changes.is_empty() {
                Table::new(["path", "rule", "message"])
            } else {
                Table::new(["path", "change", "expected", "actual", "note"])
            };
            for c in &changes {
                t.row([
                    c.path.to_string(),
                    c.kind.to_string(),
                    cell(c.expected.as_ref()),
                    cell(c.actual.as_ref()),
                    c.note().unwrap_or_default(),
                ]);
            }
            for v in &violations {
                let rule = format!("rule `{}`", v.rule);
                if changes.is_empty() {
                    t.row([v.path.clone(), rule, v.message.clone()]);
                } else {
                    t.row([
                        v.path.clone(),
                        rule,
                        String::new(),
                        String::new(),
                        v.message.clone(),
                    ]);
                }
            }
            let mut found = Vec::new();
            if !changes.is_empty() {
                found.push(plural(changes.len(), "change"));
            }
            if !violations.is_empty() {
                found.push(format!("{} broken", plural(violations.len(), "rule")));
            }
            Outcome::fail(Kind::ConfigDiff, name, found.join(", ")).with_table(t)
        };
        ConfigReport {
            expected,
            actual,
            settings,
            changes,
            violations,
            rules_checked,
            outcome,
        }
    }

    /// The check's outcome: passed with no change and no broken rule; its table lists each.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// No change (rules aside).
    pub fn is_equal(&self) -> bool {
        self.changes.is_empty()
    }

    /// `{"equal", "expected", "actual", "changes": [{path, change, expected, actual}],
    /// "rule_violations": [{path, rule, message}]}`; an absent side is `null`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "equal": self.is_equal(),
            "expected": self.expected,
            "actual": self.actual,
            "changes": self.changes,
            "rule_violations": self.violations,
        })
    }
}

/// The serde form is [`ConfigReport::to_json`]'s, so every rendering comes from one form.
impl serde::Serialize for ConfigReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl fmt::Display for ConfigReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() && self.violations.is_empty() {
            let mut line = format!("{}: {} settings", self.actual, self.settings);
            if let Some(e) = &self.expected {
                line.push_str(&format!(", equal to {e}"));
            }
            if self.rules_checked > 0 {
                line.push_str(&format!(", {} rules hold", self.rules_checked));
            }
            return writeln!(f, "{line}");
        }
        if !self.changes.is_empty() {
            let n = self.changes.len();
            writeln!(
                f,
                "{} differs from {}: {n} change{}",
                self.actual,
                self.expected.as_deref().unwrap_or("expected"),
                if n == 1 { "" } else { "s" }
            )?;
            let rows = self
                .changes
                .iter()
                .map(|c| {
                    vec![
                        c.path.to_string(),
                        c.kind.to_string(),
                        cell(c.expected.as_ref()),
                        cell(c.actual.as_ref()),
                        c.note().unwrap_or_default(),
                    ]
                })
                .collect();
            f.write_str(&table(
                &["path", "change", "expected", "actual", "note"],
                rows,
            ))?;
        }
        if !self.violations.is_empty() {
            let n = self.violations.len();
            writeln!(
                f,
                "{} breaks {n} rule{}",
                self.actual,
                if n == 1 { "" } else { "s" }
            )?;
            let rows = self
                .violations
                .iter()
                .map(|v| vec![v.path.clone(), v.rule.clone(), v.message.clone()])
                .collect();
            f.write_str(&table(&["path", "rule", "message"], rows))?;
        }
        Ok(())
    }
}

fn cell(v: Option<&super::Value>) -> String {
    v.map_or_else(|| "(absent)".into(), |v| truncate(&v.to_string(), 40))
}

/// `text` cut to `max` characters, with `…` when cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// An indented table with aligned columns; trailing empty columns are dropped.
pub(crate) fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut cols = headers.len();
    while cols > 1 && rows.iter().all(|r| r[cols - 1].is_empty()) {
        cols -= 1;
    }
    let mut widths: Vec<usize> = headers[..cols].iter().map(|h| h.chars().count()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers[..cols].iter().map(|h| h.to_string()).collect();
    for r in std::iter::once(&header).chain(rows.iter()) {
        let mut line = String::from(" ");
        for (i, c) in r.iter().take(cols).enumerate() {
            line.push(' ');
            line.push_str(c);
            if i + 1 < cols {
                let pad = widths[i] - c.chars().count() + 1;
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
