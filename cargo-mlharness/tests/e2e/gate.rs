//! `mlharness run` in projects it has never seen: zero set-up, exit codes a hook can trust,
//! failures and timeouts named, the user's files untouched.

use crate::{snapshot, turn, Project};

/// The test file of the README's "Use it in your project", as the README shows it.
fn readme_unit_test() -> String {
    let readme = std::fs::read_to_string(crate::repo().join("README.md")).unwrap();
    let start = readme
        .find("```rust\n// tests/unit.rs\n")
        .expect("the README shows tests/unit.rs")
        + "```rust\n".len();
    let len = readme[start..].find("```").unwrap();
    readme[start..start + len].to_string()
}

/// 9a: the README's steps — `cargo new --lib`, its test file, `mlharness run`: PASS with
/// coverage and kinds.
#[test]
fn a_fresh_cargo_project_passes_with_coverage_and_kinds() {
    let _turn = turn();
    let p = Project::library("churn-model");
    p.write("tests/unit.rs", &readme_unit_test());
    let before = snapshot(p.dir.path());
    let run = p.mlharness(&["run"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        run.verdict(),
        "PASS: 2 passed, 0 failed, 0 skipped",
        "{run}"
    );
    assert!(run.stdout.contains("kinds: unit 2"), "{run}");
    assert!(
        run.stdout
            .contains("coverage: 100.0% of lines (minimum 80%)"),
        "{run}"
    );
    assert_eq!(run.stderr, "", "quiet when green");
    assert_eq!(
        snapshot(p.dir.path()),
        before,
        "no file of the user's changed"
    );
    let report = p.report();
    assert_eq!(report["verdict"], "PASS");
    // Only the project's own code counts: mlharness, a path dependency, does not.
    let crates: Vec<&String> = report["coverage"]["crates"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(crates, vec!["churn-model"], "{report}");
    let lcov = std::fs::read_to_string(crate::shared_target().join("mlharness/lcov.info")).unwrap();
    assert!(
        lcov.contains("src/lib.rs") && !lcov.contains("mlharness/src/"),
        "{lcov}"
    );
}

/// 9b: two members, the project's own nextest config with a `ci` profile of other settings,
/// the target directory set in `.cargo/config.toml`: PASS, and the config untouched.
/// Issue 18: each macro's generated tests, in a user's test file beside `use mlharness::drift;`
/// and friends (tests/unit/macro_modules.rs of the mlharness crate, copied as it is), are
/// counted by the gate as the macro's kind.
#[test]
fn each_macros_tests_are_counted_as_its_kind() {
    let _turn = turn();
    let p = Project::library("kinds");
    let file = std::fs::read_to_string(crate::repo().join("tests/unit/macro_modules.rs")).unwrap();
    p.write("tests/checks.rs", &file);
    let run = p.mlharness(&["run", "--no-coverage"]);
    assert_eq!(run.code, 0, "{run}");
    let report = p.report();
    let passed = |kind: &str| report["kinds"][kind]["passed"].as_u64().unwrap_or(0);
    let counts: Vec<(&str, u64)> = [
        "benchmark-score",
        "differential",
        "drift",
        "integration",
        "edge-case",
        "config-diff",
        "data",
        "other",
    ]
    .into_iter()
    .map(|k| (k, passed(k)))
    .collect();
    // pipeline_test! writes 6 checks and integration_checks! 1, edge_cases! the 2 asked for,
    // data_integrity_test! 7; `other` is the file's own test, in a binary named for no kind.
    assert_eq!(
        counts,
        [
            ("benchmark-score", 1),
            ("differential", 1),
            ("drift", 1),
            ("integration", 7),
            ("edge-case", 2),
            ("config-diff", 1),
            ("data", 7),
            ("other", 1),
        ],
        "{run}"
    );
}

#[test]
fn a_workspace_with_its_own_nextest_config_passes_and_keeps_it() {
    let _turn = turn();
    let mut p = Project::empty();
    p.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"model\", \"features\"]\nresolver = \"2\"\n",
    );
    std::fs::copy(crate::repo().join("Cargo.lock"), p.path("Cargo.lock")).unwrap();
    p.cargo_new("model", "model");
    p.cargo_new("features", "features");
    let nextest = "# The project's own profiles.\n[profile.default]\nretries = 1\n\n\
                   [profile.ci]\nfail-fast = true\nslow-timeout = \"1s\"\n\n\
                   [profile.ci.junit]\npath = \"theirs.xml\"\n";
    p.write(".config/nextest.toml", nextest);
    p.write(
        ".cargo/config.toml",
        &format!(
            "[build]\ntarget-dir = {:?}\n",
            crate::shared_target().display().to_string()
        ),
    );
    p.target_env = None;
    p.write(
        "model/tests/integration.rs",
        "#[test]\nfn fits() { assert_eq!(model::add(1, 1), 2); }\n",
    );
    let run = p.mlharness(&["run"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        run.verdict(),
        "PASS: 3 passed, 0 failed, 0 skipped",
        "{run}"
    );
    assert!(run.stdout.contains("integration 1"), "{run}");
    assert_eq!(p.read(".config/nextest.toml"), nextest, "byte for byte");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate::shared_target().join("mlharness/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["crates"]["model"]["passed"], 2, "{report}");
    assert_eq!(report["crates"]["features"]["passed"], 1, "{report}");
    assert!(
        report["coverage"]["crates"]["features"].is_object(),
        "{report}"
    );
}

/// 9c: a failing test is named with its message; a hung test is named as timed out; a test
/// that leaves a child process running is shown as leaky.
#[test]
fn a_failing_and_a_hung_test_are_named() {
    let _turn = turn();
    let p = Project::library("app");
    p.write(
        "tests/unit.rs",
        "#[test]\nfn two_plus_two() { assert_eq!(app::add(2, 2), 5, \"2 + 2 should be 5\"); }\n\
         #[test]\nfn hangs() { std::thread::sleep(std::time::Duration::from_secs(120)); }\n\
         #[test]\nfn passes() {}\n\
         #[test]\nfn leaks_a_child() { std::process::Command::new(\"sleep\").arg(\"2\").spawn().unwrap(); }\n",
    );
    p.write("mlharness.toml", "[gate]\ntest_timeout = 2\n");
    let run = p.mlharness(&["run", "--no-coverage"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(
        run.verdict(),
        "FAIL: 3 passed, 2 failed, 0 skipped",
        "{run}"
    );
    assert!(
        run.stdout.contains(
            "leaky: app::unit leaks_a_child (a subprocess or handle it started was still open when it ended)"
        ),
        "{run}"
    );
    assert!(
        run.stdout.contains("FAIL [unit] app::unit two_plus_two")
            && run.stdout.contains("2 + 2 should be 5"),
        "{run}"
    );
    assert!(
        run.stdout.contains("TIMEOUT [unit] app::unit hangs\n       timed out: stopped after 2 s (gate.test_timeout in mlharness.toml)"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("reason: 2 tests failed (1 timed out after 2 s, gate.test_timeout)"),
        "{run}"
    );
}

/// Issue 16: a failing check leaves its HTML page; report.html shows the failure, its
/// evidence and a link to that page before anything that passed; the next run, fixed, says
/// what changed and links no stale page.
#[test]
fn a_failing_check_leaves_its_page_and_report_html_shows_it_first() {
    let _turn = turn();
    let p = Project::library("app");
    let manifest = p.read("Cargo.toml").replace(
        "mlharness = { path = ",
        "mlharness = { features = [\"html\"], path = ",
    );
    p.write("Cargo.toml", &manifest);
    let tests = |shift: f64| {
        format!(
            "use mlharness::data::{{Column, Dataset}};\n\
             fn week(shift: f64) -> Dataset {{\n    \
                 Dataset::from_columns(vec![(\"tenure\".into(), Column::numeric((0..500).map(|i| f64::from(i % 97) + shift).collect()))]).unwrap()\n\
             }}\n\
             #[test]\nfn this_week_has_not_drifted() {{ mlharness::assert_no_drift!(week(0.0), week({shift:?})); }}\n\
             #[test]\nfn passes() {{}}\n"
        )
    };
    p.write("tests/drift.rs", &tests(40.0));
    let run = p.mlharness(&["run", "--no-coverage"]);
    assert_eq!(run.code, 1, "{run}");
    let dir = crate::shared_target().join("mlharness");
    assert!(
        run.stdout
            .contains(&format!("report: {}/report.html", dir.display()))
            || run.stdout.contains("report: target/mlharness/report.html"),
        "the last lines name report.html: {run}"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in report.html"))
    };
    assert!(at("<h2>Failures</h2>") < at("this_week_has_not_drifted"));
    assert!(at("this_week_has_not_drifted") < at("DRIFT: 1 of 1 columns drifted"));
    assert!(
        at("DRIFT: 1 of 1 columns drifted") < at("<h2>Tests by kind</h2>"),
        "evidence before what passed"
    );
    assert!(
        html.contains("href=\"reports/app.drift.this_week_has_not_drifted.html\""),
        "{html}"
    );
    let evidence = dir.join("reports/app.drift.this_week_has_not_drifted.html");
    let page = std::fs::read_to_string(&evidence).unwrap();
    assert!(
        page.contains("<code>tenure</code>") && page.contains("tenure: ECDF"),
        "the test's own page has its charts"
    );
    assert!(
        run.stdout
            .contains("app.drift.this_week_has_not_drifted.html"),
        "the failure names its page: {run}"
    );

    p.write("tests/drift.rs", &tests(0.5));
    let run = p.mlharness(&["run", "--no-coverage"]);
    assert_eq!(run.code, 0, "{run}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("Fixed (1)") && html.contains("app::drift this_week_has_not_drifted"),
        "{html}"
    );
    assert!(
        !evidence.exists(),
        "a page of the last run is not left to be linked"
    );
}

/// 9e: a broken mlharness.toml, a directory that is no cargo project: exit 2, the cause on
/// stderr ending on `ERROR: …`, and no verdict line.
#[test]
fn input_errors_exit_2_with_the_cause_and_no_verdict() {
    let _turn = turn();
    let p = Project::library("app");
    p.write("mlharness.toml", "[gate]\nrequired_kinds = \"unit\"\n");
    let run = p.mlharness(&["run"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    let last = run.stderr.lines().last().unwrap();
    assert!(
        last.starts_with("ERROR: mlharness run: ")
            && last.contains("mlharness.toml:2:18: invalid TOML: invalid type: string \"unit\""),
        "{run}"
    );
    assert!(
        !run.stderr.contains("PASS") && !run.stderr.contains("FAIL"),
        "{run}"
    );

    let not_cargo = Project::empty();
    let run = not_cargo.mlharness(&["run"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .lines()
            .last()
            .unwrap()
            .contains("not inside a cargo project"),
        "{run}"
    );

    // --quick counts what it leaves out as not selected, never as skipped.
    p.write("mlharness.toml", "[gate]\nquick_kinds = [\"system\"]\n");
    p.write(
        "tests/unit.rs",
        "#[test]\nfn u() {}\n#[test]\n#[ignore]\nfn slow() {}\n",
    );
    p.write(
        "tests/system.rs",
        "#[test]\nfn s() {}\n#[test]\n#[ignore]\nfn slower() {}\n",
    );
    let run = p.mlharness(&["run", "--quick"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        run.verdict(),
        "PASS: 1 passed, 0 failed, 1 skipped",
        "{run}"
    );
    assert!(run.stdout.contains("not selected: 3 tests"), "{run}");
}

/// 9h: a system test that starts the project's own binary through `Service`: the binary's
/// lines are counted in coverage, since the fixture stops it with SIGTERM and it exits cleanly.
#[test]
fn a_binary_started_by_a_system_test_is_covered() {
    let _turn = turn();
    let p = Project::library("app");
    let mut manifest = p.read("Cargo.toml");
    manifest = manifest
        .replace("[dependencies]\n", "[dependencies]\nlibc = \"0.2\"\n")
        .replace("mlharness = {", "mlharness = { features = [\"system\"],");
    p.write("Cargo.toml", &manifest);
    p.write("src/bin/serve.rs", SERVER);
    p.write(
        "tests/system.rs",
        r#"use mlharness::system::Service;

#[test]
fn health_answers() {
    let mut service = Service::start(std::process::Command::new(env!("CARGO_BIN_EXE_serve"))).unwrap();
    let reply = service.get("/health").unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.text, "ok");
    assert_eq!(service.stop().and_then(|s| s.code()), Some(0), "stopped by SIGTERM, exited by itself");
}
"#,
    );
    let run = p.mlharness(&["run"]);
    assert_eq!(run.code, 0, "{run}");
    let lcov = std::fs::read_to_string(crate::shared_target().join("mlharness/lcov.info")).unwrap();
    let serve = lcov
        .split("end_of_record")
        .find(|r| r.contains("src/bin/serve.rs"))
        .unwrap_or_else(|| panic!("serve.rs is in the coverage report:\n{lcov}"));
    let marker = SERVER
        .lines()
        .position(|l| l.contains("HTTP/1.1 200 OK"))
        .unwrap()
        + 1;
    assert!(
        serve
            .lines()
            .any(|l| l.starts_with(&format!("DA:{marker},")) && !l.ends_with(",0")),
        "line {marker} of serve.rs (the reply) ran: {serve}"
    );
}

/// A tiny HTTP server on a free port that stops on SIGTERM by returning from `main`.
const SERVER: &str = r#"use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_term(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

fn main() {
    unsafe { libc::signal(libc::SIGTERM, on_term as *const () as libc::sighandler_t) };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    println!("listening on http://{}", listener.local_addr().unwrap());
    while !STOP.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((mut stream, _)) => {
                stream.set_nonblocking(false).unwrap();
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(5)),
        }
    }
}
"#;

/// One run at a time: while another run holds the project's lock, a run says it waits, gives
/// up with exit 2 after `gate.lock_timeout`, and goes on once the lock is released.
#[test]
fn a_second_run_waits_for_the_first_and_gives_up_in_time() {
    let _turn = turn();
    let p = Project::library("app");
    p.write("mlharness.toml", "[gate]\nlock_timeout = 1\n");
    let lock_path = crate::shared_target().join("mlharness/lock");
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    let held = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(&lock_path)
        .unwrap();
    held.lock().unwrap();
    let run = p.mlharness(&["run", "--no-coverage"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stdout
            .contains("waiting for another mlharness run in this project to finish"),
        "{run}"
    );
    assert!(
        run.stderr
            .lines()
            .last()
            .unwrap()
            .contains("another mlharness run in this project"),
        "{run}"
    );

    p.write("mlharness.toml", "[gate]\nlock_timeout = 120\n");
    // Released once the run says it waits: no timing guess.
    let mut child = p
        .command(env!("CARGO_BIN_EXE_mlharness"))
        .args(["run", "--no-coverage"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    held.unlock().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let run = crate::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: first + &rest,
        stderr: crate::text(&out.stderr),
    };
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout.contains("waiting for another mlharness run"),
        "{run}"
    );
    assert_eq!(
        run.verdict(),
        "PASS: 1 passed, 0 failed, 0 skipped",
        "{run}"
    );
}

/// `init --ci`: the workflow each CI expects, and a file the user has is kept as it is.
#[test]
fn init_writes_ci_workflows_and_keeps_what_is_there() {
    let p = Project::empty();
    p.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    p.write("src/lib.rs", "");
    let run = p.mlharness(&["init", "--ci", "gitlab"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("wrote .gitlab-ci.yml"), "{run}");
    let gitlab = p.read(".gitlab-ci.yml");
    assert!(
        gitlab.contains("coverage_format: cobertura")
            && gitlab.contains("path: target/mlharness/cobertura.xml")
            && gitlab.contains("junit: target/mlharness/junit.xml"),
        "{gitlab}"
    );
    let run = p.mlharness(&["init", "--ci", "github"]);
    assert!(
        run.stdout.contains("wrote .github/workflows/mlharness.yml"),
        "{run}"
    );
    assert!(run.stdout.contains("kept mlharness.toml"), "{run}");
    let github = p.read(".github/workflows/mlharness.yml");
    assert!(
        github.contains("- run: mlharness run")
            && github.contains("cat target/mlharness/report.md >> \"$GITHUB_STEP_SUMMARY\""),
        "{github}"
    );
    p.write(".gitlab-ci.yml", "# mine\n");
    let run = p.mlharness(&["init", "--ci", "gitlab"]);
    assert!(
        run.stdout.contains("kept .gitlab-ci.yml (already there)"),
        "{run}"
    );
    assert_eq!(p.read(".gitlab-ci.yml"), "# mine\n");
}
