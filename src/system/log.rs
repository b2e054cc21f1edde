//! Checks of a JSONL prediction log: one JSON object per request, each with the fields that
//! monitoring performance and drift needs later.
//!
//! | field | type |
//! | --- | --- |
//! | `runtime` | number, milliseconds, ≥ 0 |
//! | `timestamp` | string, RFC 3339 |
//! | `prediction` | present, not null |
//! | `input_data_summary` | object with integer `rows` and `columns` |
//! | `model_version` | non-empty string |
//! | `request_unique_id` | non-empty string, unique in the log |
//!
//! ```
//! use mlharness::system::log::check_prediction_lines;
//! let good = r#"{"runtime": 1.5, "timestamp": "2026-11-24T06:00:00.123Z", "prediction": "no",
//!   "input_data_summary": {"rows": 1, "columns": 19}, "model_version": "1.0", "request_unique_id": "a1"}"#
//!     .replace('\n', "");
//! let summary = check_prediction_lines(&good, "log.jsonl", Some(1));
//! assert!(summary.outcome().passed());
//! assert_eq!(summary.lines, 1);
//!
//! let bad = good.replace(r#""model_version": "1.0", "#, "");
//! let failure = check_prediction_lines(&bad, "log.jsonl", Some(1)).outcome().to_string();
//! assert!(failure.contains("line 1"));
//! assert!(failure.contains("model_version"));
//! ```

use crate::check::{checked_report, Outcome};
use crate::data::DataError;
use crate::kind::Kind;
use crate::table::Table;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// What a valid prediction log holds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LogSummary {
    /// Number of whole lines (requests logged).
    pub lines: usize,
    /// The model versions seen.
    pub model_versions: BTreeSet<String>,
    /// Rows predicted, summed over `input_data_summary.rows`.
    pub rows: u64,
    /// The last line's number when it is cut off (no newline, not a whole record): a writer
    /// stopped mid-line, or is writing it now. It is not counted in `lines`, and is not a
    /// problem by itself; a line-count check still sees the entry missing.
    ///
    /// ```
    /// use mlharness::system::log::check_prediction_lines;
    /// let whole = r#"{"runtime": 1, "timestamp": "2026-11-24T06:00:00Z", "prediction": "no", "input_data_summary": {"rows": 1, "columns": 2}, "model_version": "1", "request_unique_id": "a"}"#;
    /// let text = format!("{whole}\n{{\"runtime\": 2, \"times");
    /// let summary = check_prediction_lines(&text, "log.jsonl", None);
    /// assert_eq!((summary.lines, summary.torn_last_line), (1, Some(2)));
    /// let short = check_prediction_lines(&text, "log.jsonl", Some(2)).outcome().to_string();
    /// assert!(short.contains("line 2 is cut off"), "{short}");
    /// ```
    pub torn_last_line: Option<usize>,
    outcome: Outcome,
}

checked_report!(LogSummary);

impl LogSummary {
    /// The check's outcome: failed on a malformed line, a duplicate id, or (with
    /// `expected_lines`) a line count other than the requests sent.
    pub fn outcome(&self) -> &Outcome {
        &self.outcome
    }
}

/// Reads the log at `path` and checks every line; with `expected_lines`, also that there is
/// exactly one line per request sent.
pub fn check_prediction_log(
    path: impl AsRef<Path>,
    expected_lines: Option<usize>,
) -> Result<LogSummary, DataError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(check_prediction_lines(
        &text,
        &path.display().to_string(),
        expected_lines,
    ))
}

/// [`check_prediction_log`] on text already read; `source` names it in messages.
pub fn check_prediction_lines(
    text: &str,
    source: &str,
    expected_lines: Option<usize>,
) -> LogSummary {
    let name = format!("prediction log {source}");
    let mut problems: Vec<(usize, String, String)> = Vec::new();
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    let mut summary = LogSummary {
        lines: 0,
        model_versions: BTreeSet::new(),
        rows: 0,
        torn_last_line: None,
        outcome: Outcome::pass(Kind::System, name.clone()),
    };
    let count = text.lines().count();
    let ends_whole = text.is_empty() || text.ends_with('\n');
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            problems.push((n, String::new(), "blank line".into()));
            continue;
        }
        let parsed = serde_json::from_str::<Value>(line);
        if n == count && !ends_whole && parsed.is_err() {
            summary.torn_last_line = Some(n);
            continue;
        }
        summary.lines += 1;
        let record: Value = match parsed {
            Ok(Value::Object(m)) => Value::Object(m),
            Ok(other) => {
                problems.push((n, String::new(), format!("not a JSON object: {other}")));
                continue;
            }
            Err(e) => {
                problems.push((n, String::new(), not_json(line, &e)));
                continue;
            }
        };
        let mut problem = |field: &str, what: String| problems.push((n, field.into(), what));
        match record.get("runtime") {
            None => problem("runtime", "missing".into()),
            Some(v) => match v.as_f64() {
                Some(ms) if ms.is_finite() && ms >= 0.0 => {}
                _ => problem(
                    "runtime",
                    format!("expected a number of milliseconds ≥ 0, found {v}"),
                ),
            },
        }
        match record.get("timestamp") {
            None => problem("timestamp", "missing".into()),
            Some(Value::String(s)) if is_rfc3339(s) => {}
            Some(v) => problem(
                "timestamp",
                format!("expected an RFC 3339 string, found {v}"),
            ),
        }
        match record.get("prediction") {
            None => problem("prediction", "missing".into()),
            Some(Value::Null) => problem("prediction", "null".into()),
            Some(_) => {}
        }
        match record.get("input_data_summary") {
            None => problem("input_data_summary", "missing".into()),
            Some(Value::Object(m)) => {
                for key in ["rows", "columns"] {
                    match m.get(key).and_then(Value::as_u64) {
                        Some(r) => {
                            if key == "rows" {
                                summary.rows += r;
                            }
                        }
                        None => problem(
                            &format!("input_data_summary.{key}"),
                            format!(
                                "expected an integer ≥ 0, found {}",
                                m.get(key).map_or("nothing".into(), Value::to_string)
                            ),
                        ),
                    }
                }
            }
            Some(v) => problem(
                "input_data_summary",
                format!("expected an object {{rows, columns}}, found {v}"),
            ),
        }
        match record.get("model_version") {
            None => problem("model_version", "missing".into()),
            Some(Value::String(s)) if !s.is_empty() => {
                summary.model_versions.insert(s.clone());
            }
            Some(v) => problem(
                "model_version",
                format!("expected a non-empty string, found {v}"),
            ),
        }
        match record.get("request_unique_id") {
            None => problem("request_unique_id", "missing".into()),
            Some(Value::String(s)) if !s.is_empty() => {
                if let Some(first) = seen_ids.insert(s.clone(), n) {
                    problem(
                        "request_unique_id",
                        format!("{s:?} already on line {first}"),
                    );
                }
            }
            Some(v) => problem(
                "request_unique_id",
                format!("expected a non-empty string, found {v}"),
            ),
        }
    }
    let count_problem = expected_lines.filter(|&e| e != summary.lines).map(|e| {
        let torn = summary
            .torn_last_line
            .map(|n| format!(", and line {n} is cut off (no newline, not a whole record)"))
            .unwrap_or_default();
        format!("{} lines for {e} requests{torn}", summary.lines)
    });
    if problems.is_empty() && count_problem.is_none() {
        summary.outcome = summary
            .outcome
            .with_headline(format!("{} well-formed lines", summary.lines));
        return summary;
    }
    let mut headline = String::new();
    if let Some(c) = &count_problem {
        headline.push_str(&format!(" {c} (expected one line per request)"));
    }
    if !problems.is_empty() {
        let lines: BTreeSet<usize> = problems.iter().map(|p| p.0).collect();
        if count_problem.is_some() {
            headline.push(';');
        }
        headline.push_str(&format!(
            " {} problem(s) on {} line(s), first on line {}",
            problems.len(),
            lines.len(),
            problems[0].0
        ));
    }
    let mut t = Table::new(["line", "field", "problem"]).right_align(0);
    for (n, field, what) in problems.iter().take(20) {
        t.row([n.to_string(), field.clone(), what.clone()]);
    }
    if problems.len() > 20 {
        t.row([
            "…".to_string(),
            String::new(),
            format!("{} more", problems.len() - 20),
        ]);
    }
    let failed = Outcome::fail(Kind::System, name, headline.trim_start());
    summary.outcome = if problems.is_empty() {
        failed
    } else {
        failed.with_table(t)
    };
    summary
}

/// Why a line is not JSON, in the words of what usually causes it.
fn not_json(line: &str, e: &serde_json::Error) -> String {
    // A whole record after the start of the line: a cut-off line that a later writer appended
    // to instead of starting a new line.
    let glued = line
        .match_indices("{\"")
        .map(|(at, _)| at)
        .filter(|&at| at > 0)
        .find(|&at| {
            matches!(
                serde_json::from_str::<Value>(&line[at..]),
                Ok(Value::Object(_))
            )
        });
    if let Some(at) = glued {
        return format!(
            "a cut-off record with a whole one glued to it at byte {at} (a writer stopped \
             mid-line and the next one appended without ending the line)"
        );
    }
    if e.is_eof() {
        return "cut off: the record ends mid-way (a writer stopped mid-line)".into();
    }
    // Two writers interleaving show up here too, as a line that is not JSON.
    format!("not JSON ({e})")
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, fields in range (`t`/`z` and a space also allowed).
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        part.iter()
            .all(u8::is_ascii_digit)
            .then(|| part.iter().fold(0, |a, d| a * 10 + u32::from(d - b'0')))
    };
    let (Some(_), Some(month), Some(day), Some(hour), Some(minute), Some(second)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &b[i..] {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', ..] if b.len() - i == 6 && b[i + 3] == b':' => {
            matches!((digits(i + 1..i + 3), digits(i + 4..i + 6)), (Some(h), Some(m)) if h < 24 && m < 60)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"runtime":0.8,"timestamp":"2026-11-24T06:00:00Z","prediction":["no","yes"],"input_data_summary":{"rows":2,"columns":19},"model_version":"v1","request_unique_id":"r1"}"#;

    #[test]
    fn rfc3339() {
        for ok in [
            "2026-11-24T06:00:00Z",
            "2026-11-24T06:00:00.123456Z",
            "2026-11-24t06:00:00+05:30",
            "2026-02-28 23:59:60-00:00",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "2026-11-24",
            "2026-11-24T06:00:00",
            "2026-13-24T06:00:00Z",
            "2026-11-24T24:00:00Z",
            "2026-11-24T06:00:00.Z",
            "2026-11-24T06:00:00+0530",
            "1732428000",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn good_log_summarised() {
        let text = format!("{GOOD}\n{}\n", GOOD.replace("r1", "r2"));
        let s = check_prediction_lines(&text, "p.jsonl", Some(2));
        assert!(s.outcome().passed(), "{}", s.outcome());
        assert_eq!(s.lines, 2);
        assert_eq!(s.rows, 4);
        assert_eq!(s.model_versions.into_iter().collect::<Vec<_>>(), ["v1"]);
    }

    #[test]
    fn each_problem_names_line_and_field() {
        let text = [
            GOOD.to_string(),
            GOOD.replace("r1", "r2").replace("0.8", "\"0.8 ms\""),
            GOOD.replace("r1", "r3")
                .replace("2026-11-24T06:00:00Z", "yesterday"),
            GOOD.replace("r1", "r4").replace(r#""rows":2,"#, ""),
            GOOD.to_string(),
            r#"{"runtime":1,"time{"runtime":2}"#.to_string(),
            r#"{"runtime":1,"time"#.to_string(),
        ]
        .join("\n")
            + "\n";
        let msg = check_prediction_lines(&text, "p.jsonl", Some(5))
            .outcome()
            .to_string();
        assert!(
            msg.starts_with("FAILED prediction log p.jsonl: 7 lines for 5 requests"),
            "{msg}"
        );
        for needle in [
            "2  runtime",
            "expected a number of milliseconds ≥ 0, found \"0.8 ms\"",
            "3  timestamp",
            "4  input_data_summary.rows",
            "5  request_unique_id",
            "\"r1\" already on line 1",
            "6                           a cut-off record with a whole one glued to it at byte 18",
            "7                           cut off: the record ends mid-way",
        ] {
            assert!(msg.contains(needle), "{needle:?} not in\n{msg}");
        }
    }

    /// Issue 14, bug 8: a cut-off last line failed the check as "not JSON"; a restart that
    /// glued its first line to it corrupted an answered request's entry without saying so.
    #[test]
    fn torn_lines_are_named_as_such() {
        let torn = &GOOD[..40];
        let s = check_prediction_lines(&format!("{GOOD}\n{torn}"), "p.jsonl", Some(1));
        assert!(s.outcome().passed(), "{}", s.outcome());
        assert_eq!((s.lines, s.torn_last_line), (1, Some(2)));

        let glued = format!("{GOOD}\n{torn}{}\n", GOOD.replace("r1", "r2"));
        let msg = check_prediction_lines(&glued, "p.jsonl", None)
            .outcome()
            .to_string();
        assert!(
            msg.contains("1 problem(s) on 1 line(s), first on line 2"),
            "{msg}"
        );
        assert!(
            msg.contains("a cut-off record with a whole one glued to it at byte 40"),
            "{msg}"
        );
        let ended = format!("{GOOD}\n{torn}\n{}\n", GOOD.replace("r1", "r2"));
        let msg = check_prediction_lines(&ended, "p.jsonl", None)
            .outcome()
            .to_string();
        assert!(msg.contains("first on line 2"), "{msg}");
        assert!(
            msg.contains("cut off: the record ends mid-way (a writer stopped mid-line)"),
            "{msg}"
        );
    }

    #[test]
    fn missing_file_is_an_error_naming_it() {
        let e = check_prediction_log("/nonexistent/p.jsonl", None).unwrap_err();
        assert_eq!(e.to_string(), "/nonexistent/p.jsonl: cannot read");
    }
}
