//! Contract checks: every documented case (a request and the status it must get) returns that
//! status, every error comes with a JSON body, and nothing is ever answered 5xx.
//!
//! ```no_run
//! use mlharness::check::Checked;
//! use mlharness::system::{check_contract, Case, Service};
//! use serde_json::json;
//!
//! let service = Service::external("http://127.0.0.1:8000");
//! check_contract(&service, &[
//!     Case::get("health", "/health", 200),
//!     Case::post("malformed JSON", "/predict", "application/json", b"{", 400),
//!     Case::post("wrong content type", "/predict", "text/plain", b"hi", 415),
//!     Case::post_json("empty batch", "/predict", &json!([]), 400),
//! ])
//! .assert_passed();
//! ```

use super::Service;
use crate::check::Outcome;
use crate::kind::Kind;
use crate::table::Table;
use serde_json::Value;

/// One request of the contract and the status it must get.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// What the case is about (`malformed JSON`).
    pub name: String,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Path such as `/predict`.
    pub path: String,
    /// Content type of a POST body.
    pub content_type: String,
    /// The POST body.
    pub body: Vec<u8>,
    /// The status the service must answer.
    pub status: u16,
}

impl Case {
    /// `GET path` must answer `status`.
    pub fn get(name: &str, path: &str, status: u16) -> Case {
        Case {
            name: name.into(),
            method: "GET",
            path: path.into(),
            content_type: String::new(),
            body: Vec::new(),
            status,
        }
    }

    /// `POST path` with a raw body must answer `status`.
    pub fn post(name: &str, path: &str, content_type: &str, body: &[u8], status: u16) -> Case {
        Case {
            name: name.into(),
            method: "POST",
            path: path.into(),
            content_type: content_type.into(),
            body: body.to_vec(),
            status,
        }
    }

    /// `POST path` with a JSON body must answer `status`.
    pub fn post_json(name: &str, path: &str, body: &Value, status: u16) -> Case {
        Self::post(
            name,
            path,
            "application/json",
            body.to_string().as_bytes(),
            status,
        )
    }
}

/// Sends every case; fails with a table of the cases whose status is not the documented one,
/// whose error reply is not JSON, or that got a 5xx.
pub fn check_contract(service: &Service, cases: &[Case]) -> Outcome {
    let check = format!("contract of {}", service.url());
    let mut t = Table::new(["case", "request", "expected", "found", "problem"])
        .right_align(2)
        .right_align(3);
    let mut failed = 0;
    for case in cases {
        let request = format!("{} {}", case.method, case.path);
        let reply = match case.method {
            "GET" => service.get(&case.path),
            _ => service.post(&case.path, &case.content_type, &case.body),
        };
        let reply = match reply {
            Ok(r) => r,
            Err(e) => {
                failed += 1;
                t.row([
                    case.name.clone(),
                    request,
                    case.status.to_string(),
                    "-".into(),
                    e.to_string(),
                ]);
                continue;
            }
        };
        let mut problems = Vec::new();
        if reply.status >= 500 {
            problems.push("server error".to_string());
        } else if reply.status != case.status {
            problems.push("wrong status".to_string());
        }
        if reply.status >= 400 && !reply.json.is_object() {
            problems.push(format!(
                "error body is not a JSON object: {}",
                snippet(&reply.text)
            ));
        }
        if !problems.is_empty() {
            failed += 1;
            t.row([
                case.name.clone(),
                request,
                case.status.to_string(),
                reply.status.to_string(),
                problems.join("; "),
            ]);
        }
    }
    if failed == 0 {
        return Outcome::pass(Kind::System, check)
            .with_headline(format!("{} cases as documented", cases.len()));
    }
    Outcome::fail(
        Kind::System,
        check,
        format!("{failed} of {} cases broke the contract", cases.len()),
    )
    .with_table(t)
}

fn snippet(text: &str) -> String {
    let one_line = text.replace('\n', " ");
    match one_line.char_indices().nth(60) {
        Some((i, _)) => format!("{:?}…", &one_line[..i]),
        None => format!("{one_line:?}"),
    }
}
