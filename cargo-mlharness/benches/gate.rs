//! The gate's report path: parse a 10,000-test nextest JUnit file and a coverage summary,
//! decide, and render every report. Target (issue "The gate"): under 100 ms.

use cargo_mlharness::gate::coverage::{self, Scope};
use cargo_mlharness::gate::verdict::{decide, CoverageStatus, Mode, Run};
use cargo_mlharness::gate::{junit, report::GateReport, GateConfig};
use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::hint::black_box;
use std::path::{Path, PathBuf};

/// A JUnit file shaped like nextest's: 20 binaries × 500 tests, 1% failing with output.
fn junit_xml() -> String {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"nextest-run\" tests=\"10000\">\n");
    for b in 0..20 {
        let kind = ["unit", "integration", "system", "edge_cases", "drift"][b % 5];
        let id = format!("crate{b}::{kind}");
        let _ = writeln!(s, "  <testsuite name=\"{id}\" tests=\"500\">");
        for t in 0..500 {
            if t % 100 == 7 {
                let _ = writeln!(
                    s,
                    "    <testcase name=\"mod_{t}::case_{t}\" classname=\"{id}\" time=\"0.{t:03}\"><failure message=\"thread &apos;x&apos; panicked\">assertion failed: left == right\n  left: 1\n right: 2</failure><system-err>thread &apos;x&apos; panicked at tests/a.rs:1:1</system-err></testcase>"
                );
            } else {
                let _ = writeln!(s, "    <testcase name=\"mod_{t}::case_{t}\" classname=\"{id}\" time=\"0.{t:03}\"/>");
            }
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}

fn gate_reports(c: &mut Criterion) {
    let xml = junit_xml();
    let cov = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gate/llvm-cov-summary.json"),
    )
    .unwrap();
    let root = PathBuf::from("/tmp/scratch-gate");
    let scope = Scope::from_parts(&root, vec![("sample".to_string(), root.clone())], &[]).unwrap();
    let config = GateConfig::default();
    c.bench_function("gate/parse_decide_render_10k", |b| {
        b.iter(|| {
            let tests = junit::parse(black_box(&xml), Path::new("junit.xml")).unwrap();
            let (coverage, _) =
                coverage::parse(black_box(&cov), Path::new("coverage.json"), &scope).unwrap();
            let run = Run {
                mode: Mode::Full,
                tests,
                skipped: 0,
                not_selected: 0,
                leaky: Vec::new(),
                test_timeout: 300,
                coverage: CoverageStatus::Measured { coverage },
                problem: None,
            };
            let verdict = decide(&run, &config);
            let report = GateReport::new(&run, &verdict, 1.0, BTreeMap::new());
            (
                report.to_json().len(),
                report.to_markdown(&config).len(),
                report.summary(&config, "target/mlharness").len(),
            )
        })
    });
}

criterion_group!(benches, gate_reports);
criterion_main!(benches);
