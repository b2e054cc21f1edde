//! Each kind of HTML report opened in a real browser (headless Chromium): the page renders (a
//! screenshot that is not blank, with the charts' colours in it), every chart is in the DOM,
//! the inline script ran to its end, and the console stayed silent. `.ci/run` installs Debian's
//! chromium; elsewhere the test needs `chromium` on PATH (or `MLHARNESS_CHROMIUM`), and on CI
//! it fails without one rather than pass untested.
//!
//! The screenshots land in `<target>/mlharness/screenshots/`; with
//! `MLHARNESS_UPDATE_SCREENSHOTS=1` also in `docs/screenshots/`, which the README shows.

use super::repo_file;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MLHARNESS_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-headless-shell",
        "chromium-browser",
        "google-chrome",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// What the browser made of a page.
struct Rendered {
    dom: String,
    console: Vec<String>,
    png: PathBuf,
}

fn browser(exe: &Path, profile: &Path, args: &[String]) -> std::process::Output {
    // The flags a closed network needs: no background connections, no first-run work.
    Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium starts")
}

fn render(exe: &Path, page: &Path, name: &str) -> Rendered {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.display());
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("mlharness/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let png = shots.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    let shot = browser(
        exe,
        profile.path(),
        &[
            "--window-size=1280,1800".into(),
            format!("--screenshot={}", png.display()),
            url.clone(),
        ],
    );
    assert!(
        png.is_file(),
        "{name}: no screenshot: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let dom = browser(exe, profile.path(), &["--dump-dom".into(), url]);
    let console = [&shot.stderr, &dom.stderr]
        .iter()
        .flat_map(|e| {
            String::from_utf8_lossy(e)
                .lines()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .filter(|l| l.contains(":CONSOLE"))
        .collect();
    Rendered {
        dom: String::from_utf8_lossy(&dom.stdout).into_owned(),
        console,
        png,
    }
}

/// The share of pixels unlike the page's background, and the count of pixels in the charts'
/// reference colour.
fn ink(png: &Path) -> (f64, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let mut counts: BTreeMap<[u8; 3], usize> = BTreeMap::new();
    for p in &pixels {
        *counts.entry([p[0], p[1], p[2]]).or_default() += 1;
    }
    let background = counts.values().max().copied().unwrap_or(0);
    // The reference colour (#2f6db5) at any of the opacities the charts draw it with.
    let blue = |p: &[u8]| {
        let (r, g, b) = (p[0] as i32, p[1] as i32, p[2] as i32);
        b - r > 50 && b - g > 15
    };
    let reference = pixels.iter().filter(|p| blue(p)).count();
    (1.0 - background as f64 / pixels.len() as f64, reference)
}

fn check(exe: &Path, page: &Path, name: &str, charts: usize) {
    let source = std::fs::read_to_string(page).unwrap();
    assert_eq!(
        source.matches("<svg").count(),
        charts,
        "{name}: charts in the file"
    );
    let r = render(exe, page, name);
    assert!(
        r.console.is_empty(),
        "{name}: console messages: {:#?}",
        r.console
    );
    assert!(
        r.dom.contains("data-ready=\"1\""),
        "{name}: the inline script did not run to its end"
    );
    assert_eq!(
        r.dom.matches("<svg").count(),
        charts,
        "{name}: every chart is in the DOM"
    );
    let (inked, reference) = ink(&r.png);
    assert!(
        inked > 0.03,
        "{name}: the screenshot is blank ({:.1}% of pixels drawn)",
        100.0 * inked
    );
    assert!(
        reference > 200,
        "{name}: no chart colour on screen ({reference} pixels)"
    );
    if std::env::var_os("MLHARNESS_UPDATE_SCREENSHOTS").is_some() {
        let docs = repo_file("docs/screenshots");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::copy(&r.png, docs.join(format!("{name}.png"))).unwrap();
    }
}

fn mlharness(dir: &Path, args: &[&str], out: &str) -> i32 {
    let o = Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    std::fs::write(dir.join(out), &o.stdout).unwrap();
    o.status.code().unwrap_or(-1)
}

/// The churn data in two halves, the second with its day minutes 15% higher and a quarter of
/// its customers on the international plan: two columns drift.
fn churn_halves(dir: &Path) {
    let text = std::fs::read_to_string(repo_file("fixtures/churn.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let names: Vec<&str> = header.split(',').collect();
    let minutes = names
        .iter()
        .position(|n| *n == "total_day_minutes")
        .unwrap();
    let plan = names
        .iter()
        .position(|n| *n == "international_plan")
        .unwrap();
    let rows: Vec<&str> = lines.collect();
    let (a, b) = rows.split_at(rows.len() / 2);
    let moved: Vec<String> = b
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut f: Vec<String> = l.split(',').map(String::from).collect();
            f[minutes] = format!("{}", f[minutes].parse::<f64>().unwrap() * 1.15);
            if i % 4 == 0 {
                f[plan] = "yes".into();
            }
            f.join(",")
        })
        .collect();
    std::fs::write(
        dir.join("reference.csv"),
        format!("{header}\n{}\n", a.join("\n")),
    )
    .unwrap();
    std::fs::write(
        dir.join("current.csv"),
        format!("{header}\n{}\n", moved.join("\n")),
    )
    .unwrap();
}

fn gate_report(dir: &Path) -> PathBuf {
    use cargo_mlharness::gate::coverage::{Count, Coverage, Summary};
    use cargo_mlharness::gate::html::{render, Inputs};
    use cargo_mlharness::gate::junit::{TestCase, TestStatus};
    use cargo_mlharness::gate::report::GateReport;
    use cargo_mlharness::gate::verdict::{decide, CoverageStatus, Mode, Run};
    use cargo_mlharness::gate::{GateConfig, Kind};
    let case = |binary: &str, name: &str, outcome: TestStatus, output: &str| TestCase {
        binary_id: binary.into(),
        name: name.into(),
        kind: Kind::classify(binary, name),
        outcome,
        seconds: 0.05 + name.len() as f64 / 100.0,
        output: output.into(),
    };
    let drifted = "DRIFT: 1 of 20 columns drifted (5.0%, allowed 0.0%): total_day_minutes\n  column             test  statistic  p-value   adjusted p  effect size  decided by   drift\n  total_day_minutes  ks    0.2616     3.1e-75   6.2e-74     0.2931       effect size  DRIFT";
    let mut tests = vec![case(
        "churn::drift",
        "mlharness_drift::day_minutes_after_the_price_change",
        TestStatus::Failed,
        drifted,
    )];
    for (binary, name) in [
        ("churn::unit", "scaler_standardizes"),
        ("churn::unit", "imputer_uses_train_median"),
        (
            "churn::integration",
            "mlharness_pipeline::fit_predict_is_reproducible",
        ),
        (
            "churn::benchmark",
            "mlharness_benchmark::beats_the_majority_baseline",
        ),
        ("churn::system", "predict_answers_under_load"),
        ("churn::edge_cases", "mlharness_edge_cases::nan"),
    ] {
        tests.push(case(binary, name, TestStatus::Passed, ""));
    }
    let s = |covered: u64| Summary {
        lines: Count {
            count: 1000,
            covered,
            percent: covered as f64 / 10.0,
        },
        functions: Count {
            count: 100,
            covered: covered / 10,
            percent: covered as f64 / 10.0,
        },
        regions: Count {
            count: 2000,
            covered: covered * 2,
            percent: covered as f64 / 10.0,
        },
    };
    let run = Run {
        mode: Mode::Full,
        tests,
        skipped: 0,
        not_selected: 0,
        leaky: Vec::new(),
        test_timeout: 300,
        coverage: CoverageStatus::Measured {
            coverage: Coverage {
                totals: s(874),
                crates: BTreeMap::from([("churn".to_string(), s(874))]),
            },
        },
        problem: None,
    };
    let v = decide(&run, &GateConfig::default());
    let report = GateReport::new(&run, &v, 84.2, BTreeMap::new());
    let html = render(&Inputs {
        report: &report,
        tests: &run.tests,
        files: &[],
        changes: None,
        dir,
        min_coverage: 80.0,
    });
    let path = dir.join("report.html");
    std::fs::write(&path, html).unwrap();
    path
}

#[test]
fn every_kind_of_report_renders_in_a_real_browser() {
    let Some(exe) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must test the reports in a browser: install chromium (.ci/run does) or set MLHARNESS_CHROMIUM"
        );
        eprintln!("skipped: no chromium on PATH (set MLHARNESS_CHROMIUM); .ci/run installs it");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    churn_halves(d);
    assert_eq!(
        mlharness(
            d,
            &["drift", "reference.csv", "current.csv", "--format", "html"],
            "drift.html"
        ),
        1
    );
    check(&exe, &d.join("drift.html"), "drift-report", 15 * 2 + 5);

    assert_eq!(
        mlharness(
            d,
            &[
                "schema",
                "infer",
                "reference.csv",
                "--output",
                "schema.json"
            ],
            "infer.txt"
        ),
        0
    );
    assert_eq!(
        mlharness(
            d,
            &[
                "validate",
                "current.csv",
                "--schema",
                "schema.json",
                "--format",
                "html"
            ],
            "validation.html"
        ),
        1
    );
    check(&exe, &d.join("validation.html"), "validation-report", 1);

    let gate = gate_report(d);
    check(&exe, &gate, "gate-report", 1);

    for (name, page, charts) in kit_pages(d) {
        check(&exe, &page, name, charts);
    }
}

/// The benchmark-score, differential and system pages of deliberately broken models, as a
/// failing test leaves them: each outcome with its figures.
fn kit_pages(dir: &Path) -> Vec<(&'static str, PathBuf, usize)> {
    use mlharness::benchmark::BeatsBaseline;
    use mlharness::data::{Column, Dataset};
    use mlharness::differential::Differential;
    use mlharness::metrics::Metric;
    use mlharness::model::{ModelError, Predictions};
    use mlharness::system::LatencyProbe;
    let write = |name: &str, html: String| {
        let path = dir.join(format!("{name}.html"));
        std::fs::write(&path, html).unwrap();
        path
    };
    // A regressor always 2 off, against an oracle baseline it cannot beat.
    let y: Vec<f64> = (0..300).map(|i| (i % 30) as f64).collect();
    let data = Dataset::from_columns(vec![
        ("x".into(), Column::numeric(y.clone())),
        ("y".into(), Column::numeric(y)),
    ])
    .unwrap()
    .with_target("y")
    .unwrap();
    let model = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(Predictions::values(
            ds.numeric("x")?.values().iter().map(|v| v + 2.0).collect(),
        ))
    };
    let oracle = |ds: &Dataset| -> Result<Predictions, ModelError> {
        Ok(Predictions::values(ds.target_values()?.to_vec()))
    };
    let benchmark = BeatsBaseline::new(Metric::Mae)
        .check_against(&model, &oracle, "oracle", &data)
        .unwrap();
    assert!(!benchmark.passed());
    let benchmark = write(
        "benchmark-report",
        mlharness::html::page(
            "Benchmark score",
            Some(false),
            mlharness::html::outcome(&benchmark),
        ),
    );

    // v2 misses 30 of the 50 `yes` rows that v1 found.
    let truth: Vec<Option<&str>> = (0..200)
        .map(|i| Some(if i % 4 == 0 { "yes" } else { "no" }))
        .collect();
    let labelled = Dataset::from_columns(vec![("y".into(), Column::categorical(truth))])
        .unwrap()
        .with_target("y")
        .unwrap();
    let classes = vec!["no".to_string(), "yes".to_string()];
    let v1 = Predictions::classes(
        classes.clone(),
        (0..200).map(|i| usize::from(i % 4 == 0)).collect(),
    )
    .unwrap();
    let v2 = Predictions::classes(
        classes,
        (0..200)
            .map(|i| usize::from(i % 4 == 0 && i >= 120))
            .collect(),
    )
    .unwrap();
    let differential = Differential::new()
        .max_changed_share(0.02)
        .compare(&labelled, &v2, &v1, "v1")
        .unwrap();
    assert!(!differential.passed());
    let differential = write(
        "differential-report",
        mlharness::html::page(
            "Differential",
            Some(false),
            mlharness::html::outcome(&differential),
        ),
    );

    // A service whose every 20th request sleeps 30 ms: p99 over a 10 ms limit.
    let latency = LatencyProbe::new(400, 4).run(|i| {
        std::thread::sleep(std::time::Duration::from_millis(if i % 20 == 0 {
            30
        } else {
            1
        }));
        Ok(())
    });
    let slow = latency.p99_below(std::time::Duration::from_millis(10));
    assert!(!slow.passed());
    let system = write(
        "system-report",
        mlharness::html::page("Latency", Some(false), mlharness::html::outcome(&slow)),
    );
    vec![
        ("benchmark-report", benchmark, 2),
        ("differential-report", differential, 2),
        ("system-report", system, 1),
    ]
}
