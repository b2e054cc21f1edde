//! The Prometheus text exposition format (what `/metrics` serves), parsed into samples, with
//! assertions on metric presence and values by name and labels.
//!
//! A small parser of our own: the crates that parse this format are unmaintained or bring a
//! regex engine and a date library for what is a line-oriented format.
//!
//! ```
//! use mlharness::system::Metrics;
//! let text = "# TYPE http_requests_total counter\n\
//!             http_requests_total{status=\"200\"} 7\n\
//!             http_requests_total{status=\"400\"} 2\n";
//! let metrics = Metrics::parse(text)?;
//! assert_eq!(metrics.value("http_requests_total", &[("status", "400")]), Some(2.0));
//! assert_eq!(metrics.sum("http_requests_total", &[]), 9.0);
//! let outcome = metrics.sums_to("http_requests_total", &[], 10.0);
//! assert!(!outcome.passed());
//! assert!(outcome.to_string().contains("expected 10, found 9"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::check::Outcome;
use crate::kind::Kind;
use crate::table::{number, Table};
use std::collections::{BTreeMap, HashMap};

/// A line that is not in the text exposition format.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("metrics line {line}: {problem}: {text:?}")]
pub struct PrometheusError {
    /// 1-based line number.
    pub line: usize,
    /// The line.
    pub text: String,
    /// What is wrong with it.
    pub problem: String,
}

/// One sample: `name{labels} value`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Sample {
    /// Metric name (with any `_bucket`, `_sum`, `_count` suffix).
    pub name: String,
    /// Labels, sorted by name.
    pub labels: BTreeMap<String, String>,
    /// The value.
    pub value: f64,
    /// 1-based line it came from.
    pub line: usize,
}

/// All samples of a scrape, and the declared metric types.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metrics {
    samples: Vec<Sample>,
    types: HashMap<String, String>,
}

impl Metrics {
    /// Parses the text format; the first malformed line is an error naming it.
    pub fn parse(text: &str) -> Result<Metrics, PrometheusError> {
        let mut metrics = Metrics::default();
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim();
            let err = |problem: &str| PrometheusError {
                line: n,
                text: raw.to_string(),
                problem: problem.to_string(),
            };
            if line.is_empty() {
                continue;
            }
            if let Some(comment) = line.strip_prefix('#') {
                let mut words = comment.split_whitespace();
                if words.next() == Some("TYPE") {
                    let (Some(name), Some(kind)) = (words.next(), words.next()) else {
                        return Err(err("`# TYPE` needs a metric name and a type"));
                    };
                    if !matches!(
                        kind,
                        "counter" | "gauge" | "histogram" | "summary" | "untyped"
                    ) {
                        return Err(err("unknown metric type"));
                    }
                    metrics.types.insert(name.to_string(), kind.to_string());
                }
                continue;
            }
            let name_end = line
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(line.len());
            let name = &line[..name_end];
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(err("expected a metric name"));
            }
            let mut rest = &line[name_end..];
            let mut labels = BTreeMap::new();
            if let Some(after) = rest.strip_prefix('{') {
                let (parsed, after) = parse_labels(after).map_err(|p| err(&p))?;
                labels = parsed;
                rest = after;
            }
            let mut fields = rest.split_whitespace();
            let value = fields
                .next()
                .ok_or_else(|| err("a sample needs a value"))
                .and_then(|v| parse_value(v).ok_or_else(|| err("the value is not a number")))?;
            if let Some(ts) = fields.next() {
                if ts.parse::<i64>().is_err() {
                    return Err(err("the timestamp is not an integer"));
                }
            }
            if fields.next().is_some() {
                return Err(err("unexpected text after the value and timestamp"));
            }
            metrics.samples.push(Sample {
                name: name.to_string(),
                labels,
                value,
                line: n,
            });
        }
        Ok(metrics)
    }

    /// Every sample, in the order of the text.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// The type declared by `# TYPE` for a metric family.
    pub fn kind(&self, family: &str) -> Option<&str> {
        self.types.get(family).map(String::as_str)
    }

    /// Samples named `name` whose labels include every `(label, value)` given.
    pub fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&'a str, &'a str)],
    ) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    /// The value of the one sample named `name` with these labels; `None` when none or
    /// several match.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let mut it = self.matching(name, labels);
        match (it.next(), it.next()) {
            (Some(s), None) => Some(s.value),
            _ => None,
        }
    }

    /// The sum over samples named `name` with these labels (0 when none).
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }

    /// Passes when some sample is named `name` with these labels.
    pub fn present(&self, name: &str, labels: &[(&str, &str)]) -> Outcome {
        let selector = display_selector(name, labels);
        let check = format!("metrics: {selector} present");
        if self.matching(name, labels).next().is_some() {
            return Outcome::pass(Kind::System, check);
        }
        Outcome::fail(
            Kind::System,
            check,
            format!("no sample {selector} in the scrape"),
        )
        .with_table(self.table_of(name))
    }

    /// Passes when the samples named `name` with these labels add up to `expected`.
    pub fn sums_to(&self, name: &str, labels: &[(&str, &str)], expected: f64) -> Outcome {
        let present = self.present(name, labels);
        if !present.passed() {
            return present;
        }
        let selector = display_selector(name, labels);
        let check = format!("metrics: {selector} sums to {}", number(expected));
        let found = self.sum(name, labels);
        if (found - expected).abs() <= 1e-9 * expected.abs().max(1.0) {
            return Outcome::pass(Kind::System, check);
        }
        Outcome::fail(
            Kind::System,
            check,
            format!(
                "{}: expected {}, found {} (off by {})",
                display_selector(name, labels),
                number(expected),
                number(found),
                number(found - expected)
            ),
        )
        .with_table(self.table_of(name))
    }

    /// The samples named `name` as a table, for failure messages.
    fn table_of(&self, name: &str) -> Table {
        let mut t = Table::new(["line", "sample", "value"])
            .right_align(0)
            .right_align(2);
        let mut any = false;
        for s in self.samples.iter().filter(|s| s.name == name) {
            any = true;
            let labels: Vec<(&str, &str)> = s
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            t.row([
                s.line.to_string(),
                display_selector(&s.name, &labels),
                number(s.value),
            ]);
        }
        if !any {
            let mut names: Vec<&str> = self.samples.iter().map(|s| s.name.as_str()).collect();
            names.dedup();
            t.row([
                String::new(),
                format!("(no `{name}`; the scrape has: {})", names.join(", ")),
                String::new(),
            ]);
        }
        t
    }
}

fn display_selector(name: &str, labels: &[(&str, &str)]) -> String {
    if labels.is_empty() {
        return name.to_string();
    }
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{name}{{{}}}", inner.join(","))
}

fn parse_value(v: &str) -> Option<f64> {
    match v {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => v.parse().ok(),
    }
}

/// Parses `a="x",b="y"}` (after the opening brace); returns the labels and the rest.
fn parse_labels(mut s: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix('}') {
            return Ok((labels, rest));
        }
        let eq = s
            .find('=')
            .ok_or_else(|| "a label needs `name=\"value\"`".to_string())?;
        let key = s[..eq].trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("bad label name {key:?}"));
        }
        let rest = s[eq + 1..].trim_start();
        let rest = rest
            .strip_prefix('"')
            .ok_or_else(|| format!("the value of label {key:?} is not quoted"))?;
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next() {
                None => return Err(format!("the value of label {key:?} is not closed")),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c @ ('\\' | '"'))) => value.push(c),
                    _ => return Err(format!("bad escape in the value of label {key:?}")),
                },
                Some((_, c)) => value.push(c),
            }
        };
        labels.insert(key.to_string(), value);
        s = rest[end + 1..].trim_start();
        if let Some(r) = s.strip_prefix(',') {
            s = r;
        } else if !s.starts_with('}') {
            return Err("expected `,` or `}` after a label".into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_histograms_escapes_and_specials() {
        let text = "# HELP lat Latency.\n# TYPE lat histogram\n\
            lat_bucket{le=\"0.005\",route=\"/predict\"} 3\n\
            lat_bucket{le=\"+Inf\",route=\"/predict\"} 4 1700000000000\n\
            lat_sum{route=\"/predict\"} 0.0123\n\
            lat_count{route=\"/predict\"} 4\n\
            odd{msg=\"a \\\"quoted\\\", b\\\\c\\n\",} NaN\n\
            up +Inf\n";
        let m = Metrics::parse(text).unwrap();
        assert_eq!(m.kind("lat"), Some("histogram"));
        assert_eq!(m.value("lat_bucket", &[("le", "+Inf")]), Some(4.0));
        assert_eq!(m.value("lat_bucket", &[("route", "/predict")]), None); // two match
        assert_eq!(m.sum("lat_count", &[]), 4.0);
        let odd = m.matching("odd", &[]).next().unwrap();
        assert_eq!(odd.labels["msg"], "a \"quoted\", b\\c\n");
        assert!(odd.value.is_nan());
        assert_eq!(m.value("up", &[]), Some(f64::INFINITY));
    }

    #[test]
    fn malformed_lines_are_named() {
        for (text, line, problem) in [
            ("ok 1\nbad{a=\"x\" 1\n", 2, "expected `,` or `}`"),
            ("x{a=1} 2", 1, "not quoted"),
            ("x{a=\"1} 2", 1, "not closed"),
            ("x 1 2 3", 1, "unexpected text"),
            ("x one", 1, "not a number"),
            ("\n\nx", 3, "needs a value"),
            ("# TYPE x widget", 1, "unknown metric type"),
            ("{a=\"b\"} 1", 1, "metric name"),
        ] {
            let e = Metrics::parse(text).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.problem.contains(problem), "{text:?}: {e}");
        }
    }

    #[test]
    fn absent_metric_lists_what_is_there() {
        let m = Metrics::parse("a 1\nb{x=\"1\"} 2\n").unwrap();
        let f = m.present("c", &[("x", "1")]);
        assert!(!f.passed());
        let msg = f.to_string();
        assert!(msg.contains("no sample c{x=\"1\"} in the scrape"), "{msg}");
        assert!(msg.contains("the scrape has: a, b"), "{msg}");
        assert!(m.sums_to("b", &[("x", "1")], 2.0).passed());
    }
}
