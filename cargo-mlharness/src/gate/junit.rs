//! Reading the JUnit XML that cargo-nextest writes.

use super::{GateError, Kind};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use serde::Serialize;
use std::path::Path;

/// How a test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    /// Passed on the first try.
    Passed,
    /// Passed after failing at least once (a retry succeeded).
    Flaky,
    /// Failed or crashed.
    Failed,
    /// Ran past the time limit and was stopped.
    TimedOut,
    /// Listed as skipped.
    Skipped,
}

impl TestStatus {
    /// Failed in any way (a timeout included).
    pub fn is_failure(self) -> bool {
        matches!(self, TestStatus::Failed | TestStatus::TimedOut)
    }
}

/// One test case of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestCase {
    /// nextest binary ID: `crate`, `crate::tests_file`, `crate::bin/name`.
    pub binary_id: String,
    /// Test name within its binary, with module path (`mlharness_edge_cases::nan`).
    pub name: String,
    /// Its kind.
    pub kind: Kind,
    /// How it ended.
    pub outcome: TestStatus,
    /// Wall time in seconds.
    pub seconds: f64,
    /// For a failure: the failure message, then its output.
    pub output: String,
}

impl TestCase {
    /// The package (crate) name of the test's binary.
    pub fn crate_name(&self) -> &str {
        self.binary_id.split("::").next().unwrap_or(&self.binary_id)
    }
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// Parses nextest JUnit XML. `path` is used in error messages only.
///
/// ```
/// use cargo_mlharness::gate::junit::{parse, TestStatus};
/// let xml = r#"<testsuites><testsuite name="churn::unit">
///   <testcase name="edge_cases::nan" classname="churn::unit" time="0.01"/>
///   <testcase name="scaler" classname="churn::unit" time="0.02"><failure message="boom">mean 0.3, expected 0</failure></testcase>
/// </testsuite></testsuites>"#;
/// let cases = parse(xml, "junit.xml".as_ref())?;
/// assert_eq!(cases[0].kind.name(), "edge-case");
/// assert_eq!(cases[1].outcome, TestStatus::Failed);
/// assert!(cases[1].output.contains("mean 0.3"));
///
/// let hung = r#"<testsuite name="p::t"><testcase name="hang" classname="p::t" time="300.0">
///   <failure type="test timeout"/><system-out>running 1 test</system-out></testcase></testsuite>"#;
/// assert_eq!(parse(hung, "junit.xml".as_ref())?[0].outcome, TestStatus::TimedOut);
/// # Ok::<(), cargo_mlharness::gate::GateError>(())
/// ```
pub fn parse(xml: &str, path: &Path) -> Result<Vec<TestCase>, GateError> {
    let mut reader = Reader::from_str(xml);
    let error = |reader: &Reader<&[u8]>, message: String| GateError::Junit {
        path: path.to_path_buf(),
        // Bytes, not a str slice: the reader's position can fall inside a multi-byte character
        // (found by fuzzing: a byte-order mark).
        line: 1 + xml.as_bytes()[..(reader.buffer_position() as usize).min(xml.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        message,
    };
    let mut state = State::default();
    loop {
        let event = reader
            .read_event()
            .map_err(|e| error(&reader, e.to_string()))?;
        match event {
            Event::Start(e) => state.start(&e, false).map_err(|m| error(&reader, m))?,
            Event::Empty(e) => state.start(&e, true).map_err(|m| error(&reader, m))?,
            Event::Text(t) if state.capturing => {
                let text = t.decode().map_err(|e| error(&reader, e.to_string()))?;
                state.push_text(&text);
            }
            Event::CData(t) if state.capturing => state.push_text(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) if state.capturing => {
                let name = r.decode().map_err(|e| error(&reader, e.to_string()))?;
                let entity = format!("&{name};");
                let text = quick_xml::escape::unescape(&entity)
                    .map_err(|e| error(&reader, e.to_string()))?;
                state.push_text(&text);
            }
            Event::End(e) => state.end(e.name().as_ref()),
            Event::Eof => break,
            _ => {}
        }
    }
    if state.current.is_some() {
        return Err(error(&reader, "the file ends inside a <testcase>".into()));
    }
    Ok(state.cases)
}

#[derive(Default)]
struct State {
    cases: Vec<TestCase>,
    current: Option<TestCase>,
    /// Text is kept only inside a failure and the output of a failed test.
    capturing: bool,
    failed_once: bool,
    /// A failure's `message` and where its text starts, until the text shows whether it
    /// repeats the message.
    message: Option<(String, usize)>,
}

impl State {
    fn start(&mut self, e: &BytesStart<'_>, empty: bool) -> Result<(), String> {
        if e.name().as_ref() == b"testcase" {
            let binary_id = attr(e, b"classname").unwrap_or_default();
            let name = attr(e, b"name").ok_or("a <testcase> has no name attribute")?;
            self.current = Some(TestCase {
                kind: Kind::classify(&binary_id, &name),
                binary_id,
                name,
                outcome: TestStatus::Passed,
                seconds: attr(e, b"time").and_then(|t| t.parse().ok()).unwrap_or(0.0),
                output: String::new(),
            });
            self.failed_once = false;
            if empty {
                self.end(b"testcase");
            }
            return Ok(());
        }
        let Some(case) = self.current.as_mut() else {
            return Ok(());
        };
        match e.name().as_ref() {
            b"failure" | b"error" => {
                // nextest marks a test it stopped at the slow-timeout with this type.
                case.outcome = if attr(e, b"type").is_some_and(|t| t.contains("timeout")) {
                    TestStatus::TimedOut
                } else {
                    TestStatus::Failed
                };
                // The message is usually the first line of the text that follows; it is
                // written out only when the text does not start with it.
                self.message = attr(e, b"message").map(|m| (m, case.output.len()));
                self.capturing = !empty;
                if empty {
                    self.flush_message();
                }
            }
            b"flakyFailure" | b"flakyError" => self.failed_once = true,
            b"rerunFailure" | b"rerunError" => case.outcome = TestStatus::Failed,
            b"skipped" => case.outcome = TestStatus::Skipped,
            b"system-err" | b"system-out" => {
                self.capturing = !empty && case.outcome.is_failure();
            }
            _ => {}
        }
        Ok(())
    }

    fn push_text(&mut self, text: &str) {
        if let Some(case) = self.current.as_mut() {
            case.output.push_str(text);
        }
    }

    /// At the end of a failure: its message goes before its text unless the text repeats it.
    fn flush_message(&mut self) {
        if let (Some((m, start)), Some(case)) = (self.message.take(), self.current.as_mut()) {
            if !case.output[start..].trim_start().starts_with(m.as_str()) {
                case.output.insert_str(start, &format!("{m}\n"));
            }
        }
    }

    fn end(&mut self, name: &[u8]) {
        match name {
            b"testcase" => {
                if let Some(mut case) = self.current.take() {
                    if self.failed_once && case.outcome == TestStatus::Passed {
                        case.outcome = TestStatus::Flaky;
                    }
                    self.cases.push(case);
                }
                self.capturing = false;
            }
            b"failure" | b"error" => {
                self.flush_message();
                self.capturing = false;
            }
            b"system-out" | b"system-err" => self.capturing = false,
            _ => {}
        }
    }
}

/// Reads and parses a JUnit file.
pub fn read(path: &Path) -> Result<Vec<TestCase>, GateError> {
    let xml = std::fs::read_to_string(path).map_err(|source| GateError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&xml, path)
}
