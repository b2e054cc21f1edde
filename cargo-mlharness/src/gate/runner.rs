//! Running the tests: cargo-nextest, with coverage by cargo-llvm-cov, then the verdict.

use super::coverage::{self, Scope};
use super::junit;
use super::lock::Lock;
use super::nextest::{self, ExitCode};
use super::report::GateReport;
use super::verdict::{decide, CoverageStatus, Mode, Run};
use super::workspace::Workspace;
use super::{GateConfig, GateError, Kind};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What `mlharness run` was asked to do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    /// Only the configuration's quick kinds, without coverage.
    pub quick: bool,
    /// Only these kinds, without coverage.
    pub kinds: Vec<Kind>,
    /// Skip coverage on purpose.
    pub no_coverage: bool,
    /// Overrides `gate.min_coverage`.
    pub min_coverage: Option<f64>,
    /// A nextest filterset expression, intersected with the kinds' selection.
    pub filter: Option<String>,
    /// A directory inside the workspace; the current directory when `None`.
    pub workspace: Option<PathBuf>,
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs a command to completion and returns its stdout; a failure is an error quoting stderr.
fn command_output(cmd: &mut Command) -> Result<String, GateError> {
    let out = cmd.output().map_err(|source| GateError::Spawn {
        command: describe(cmd),
        source,
    })?;
    if !out.status.success() {
        return Err(GateError::Spawn {
            command: describe(cmd),
            source: std::io::Error::other(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn first_line_of(cmd: &mut Command) -> Option<String> {
    command_output(cmd)
        .ok()
        .and_then(|s| s.lines().next().map(str::to_string))
}

fn llvm_cov_version() -> Option<String> {
    first_line_of(Command::new("cargo").args(["llvm-cov", "--version"]))
}

/// Makes sure `cargo llvm-cov` and the `llvm-tools` component are there, installing them on
/// a fresh machine (saying so in one line). The error says why coverage is unavailable.
fn ensure_llvm_cov(ws: &Workspace, out: &mut dyn Write) -> Result<(), String> {
    let has_tools =
        command_output(Command::new("rustup").args(["component", "list", "--installed"]))
            .map(|s| s.lines().any(|l| l.starts_with("llvm-tools")))
            .unwrap_or(false);
    if llvm_cov_version().is_some() && has_tools {
        return Ok(());
    }
    let log_path = ws.report_dir().join("install.log");
    let _ = writeln!(
        out,
        "coverage: installing cargo-llvm-cov and llvm-tools (one time, about 2 minutes; log in {})",
        log_path.display()
    );
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot write {}: {e}", log_path.display()))?;
    let steps: [&[&str]; 2] = [
        &["rustup", "component", "add", "llvm-tools"],
        &["cargo", "install", "cargo-llvm-cov", "--locked"],
    ];
    for step in steps {
        let status = Command::new(step[0])
            .args(&step[1..])
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log.try_clone().map_err(|e| e.to_string())?)
            .status()
            .map_err(|e| format!("cannot run `{}`: {e}", step.join(" ")))?;
        if !status.success() {
            return Err(format!(
                "`{}` failed, see {}",
                step.join(" "),
                log_path.display()
            ));
        }
    }
    llvm_cov_version()
        .map(|_| ())
        .ok_or_else(|| "cargo-llvm-cov installed but does not run".to_string())
}

/// `cargo` in the workspace. Git's hook variables (`GIT_INDEX_FILE`, `GIT_DIR`, …) are not
/// passed on: tests that run git in repositories of their own must not see the hook's.
fn cargo(ws: &Workspace) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(&ws.root);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("GIT_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// `--features …` / `--all-features` from the configuration, for every cargo call.
fn feature_args(config: &GateConfig) -> Vec<String> {
    let mut args = Vec::new();
    if config.all_features {
        args.push("--all-features".to_string());
    } else if !config.features.is_empty() {
        args.push("--features".to_string());
        args.push(config.features.join(","));
    }
    args
}

/// Runs `cargo nextest list` in the workspace; `Err` carries the build errors when the tests
/// do not compile.
fn nextest_list(ws: &Workspace, config: &GateConfig, extra: &[&str]) -> Result<String, String> {
    let mut cmd = cargo(ws);
    cmd.args(["nextest", "list", "--workspace", "--message-format", "json"])
        .args(feature_args(config))
        .args(extra);
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", describe(&cmd)))?;
    if !out.status.success() {
        return Err(format!(
            "the tests did not build:\n{}",
            indent(&problem_lines(&String::from_utf8_lossy(&out.stderr)))
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Names of the workspace's test binaries (this builds them, as the run would).
fn test_binaries(ws: &Workspace, config: &GateConfig) -> Result<Vec<String>, String> {
    let json = nextest_list(ws, config, &["--list-type", "binaries-only"])?;
    let list: nextest_metadata::BinaryListSummary =
        serde_json::from_str(&json).map_err(|e| format!("unreadable `cargo nextest list`: {e}"))?;
    Ok(list
        .rust_binaries
        .into_values()
        .map(|b| b.binary_name)
        .collect())
}

/// Lines of a cargo/nextest log worth showing when the run itself failed: compiler errors and
/// nextest's own error lines.
fn problem_lines(log: &str) -> String {
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            t.starts_with("error") || t.starts_with("-->")
        })
        .take(8)
        .collect();
    if lines.is_empty() {
        let all: Vec<&str> = log.lines().collect();
        all[all.len().saturating_sub(5)..].join("\n")
    } else {
        lines.join("\n")
    }
}

/// Runs the gate in the workspace around `options.workspace` (or the current directory):
/// tests, coverage, verdict, reports, one run at a time. Prints the summary to `out`, ending on
/// the verdict line. An error means there is no verdict: the gate could not run.
pub fn run(options: &RunOptions, out: &mut dyn Write) -> Result<(GateReport, Run), GateError> {
    let dir = match &options.workspace {
        Some(d) => d.clone(),
        None => std::env::current_dir().map_err(|source| GateError::Read {
            path: ".".into(),
            source,
        })?,
    };
    let ws = Workspace::locate(&dir)?;
    let prepared = prepare(&ws, out)?;
    run_prepared(&ws, &prepared, options, out)
}

/// What a run needs before it starts: the project's configuration, nextest's version, and the
/// project's lock, held until this is dropped.
pub struct Prepared {
    /// `mlharness.toml`, or the defaults.
    pub config: GateConfig,
    /// `cargo nextest --version`.
    pub nextest_version: String,
    _lock: Lock,
}

/// Checks that nextest is there, reads `mlharness.toml` and takes the lock (waiting at most
/// `gate.lock_timeout`). The git hooks call this before they set unstaged changes aside.
pub fn prepare(ws: &Workspace, out: &mut dyn Write) -> Result<Prepared, GateError> {
    let nextest_version = nextest_version()?;
    let config = GateConfig::load(&ws.root.join("mlharness.toml"))?;
    let lock = Lock::acquire(
        &ws.report_dir(),
        Duration::from_secs(config.lock_timeout),
        out,
    )?;
    Ok(Prepared {
        config,
        nextest_version,
        _lock: lock,
    })
}

/// `cargo nextest --version`, or the error that says how to install it.
fn nextest_version() -> Result<String, GateError> {
    first_line_of(Command::new("cargo").args(["nextest", "--version"])).ok_or_else(|| {
        GateError::Tool(
            "cargo-nextest is not installed: install it with `cargo install cargo-nextest --locked`"
                .into(),
        )
    })
}

/// [`run`] in `ws`, [`prepare`]d by the caller.
pub fn run_prepared(
    ws: &Workspace,
    prepared: &Prepared,
    options: &RunOptions,
    out: &mut dyn Write,
) -> Result<(GateReport, Run), GateError> {
    let started = Instant::now();
    let mut config = prepared.config.clone();
    if let Some(m) = options.min_coverage {
        config.min_coverage = m;
    }
    let mode = if !options.kinds.is_empty() {
        Mode::Kinds(options.kinds.clone())
    } else if options.quick {
        Mode::Quick(config.quick_kinds.clone())
    } else {
        Mode::Full
    };
    let report_dir = ws.report_dir();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| GateError::Read { path, source }
    };
    std::fs::create_dir_all(&report_dir).map_err(io(&report_dir))?;

    let coverage_plan: Result<(), CoverageStatus> = match (&mode, options.no_coverage) {
        (Mode::Full, false) => {
            ensure_llvm_cov(ws, out).map_err(|reason| CoverageStatus::Unavailable { reason })
        }
        (Mode::Full, true) => Err(CoverageStatus::Skipped {
            reason: "--no-coverage".into(),
        }),
        (Mode::Quick(_), _) => Err(CoverageStatus::Skipped {
            reason: "--quick".into(),
        }),
        (Mode::Kinds(_), _) => Err(CoverageStatus::Skipped {
            reason: "--kind".into(),
        }),
    };
    if let Err(CoverageStatus::Unavailable { reason }) = &coverage_plan {
        let _ = writeln!(out, "coverage: unavailable ({reason}); running without it");
    }
    let with_coverage = coverage_plan.is_ok();

    // Our own profile, handed to nextest as tool configuration: the project's files are
    // neither read nor changed.
    let junit_path = report_dir.join("nextest-junit.xml");
    let tool_config = report_dir.join("nextest.toml");
    mlharness::fs::write_atomic(&tool_config, nextest::tool_config(&junit_path, &config))?;
    // A JUnit file left by an earlier run must never be read as this run's result.
    let _ = std::fs::remove_file(&junit_path);
    let coverage_json = report_dir.join("coverage.json");
    // Pages left by the failing checks of an earlier run must not be linked as this run's.
    let pages = report_dir.join(super::html::PAGES);
    let _ = std::fs::remove_dir_all(&pages);
    for stale in [
        &coverage_json,
        &report_dir.join("lcov.info"),
        &report_dir.join("cobertura.xml"),
    ] {
        let _ = std::fs::remove_file(stale);
    }

    let kind_filter = match &mode {
        Mode::Full => Ok(None),
        Mode::Quick(kinds) | Mode::Kinds(kinds) => test_binaries(ws, &config).map(|binaries| {
            let names: Vec<&str> = binaries.iter().map(String::as_str).collect();
            Some(
                kinds
                    .iter()
                    .map(|k| format!("({})", k.filterset(&names)))
                    .collect::<Vec<_>>()
                    .join(" | "),
            )
        }),
    };
    let log_path = report_dir.join("run.log");
    let (tests, skipped, leaky, not_selected, problem) = match kind_filter {
        Err(problem) => {
            let _ = std::fs::write(&log_path, &problem);
            (Vec::new(), 0, Vec::new(), 0, Some(problem))
        }
        Ok(kind_filter) => {
            let filter = match (kind_filter, &options.filter) {
                (Some(k), Some(user)) => Some(format!("({k}) & ({user})")),
                (Some(k), None) => Some(k),
                (None, user) => user.clone(),
            };
            let mut cmd = cargo(ws);
            if with_coverage {
                cmd.args(["llvm-cov", "nextest", "--json", "--summary-only"])
                    .arg("--output-path")
                    .arg(&coverage_json)
                    // Write coverage even when tests fail; the verdict reads failures from JUnit.
                    .arg("--ignore-run-fail");
            } else {
                cmd.args(["nextest", "run"]);
            }
            // A failing check leaves its HTML page there, for report.html to link.
            cmd.env("MLHARNESS_REPORT_DIR", &pages);
            cmd.args(["--workspace", "--profile", nextest::PROFILE])
                .arg("--tool-config-file")
                .arg(format!("{}:{}", nextest::TOOL, tool_config.display()))
                .args(["--no-tests", "pass"])
                .args(feature_args(&config));
            if let Some(f) = &filter {
                cmd.arg("-E").arg(f);
            }
            let log = std::fs::File::create(&log_path).map_err(io(&log_path))?;
            let _ = writeln!(
                out,
                "running {} (log: {})",
                match &mode {
                    Mode::Full if with_coverage => "all tests with coverage".to_string(),
                    Mode::Full => "all tests".to_string(),
                    Mode::Quick(k) | Mode::Kinds(k) => format!(
                        "{} tests",
                        k.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
                    ),
                },
                log_path.display()
            );
            let _ = out.flush();
            let status = cmd
                .stdin(Stdio::null())
                .stdout(log.try_clone().map_err(io(&log_path))?)
                .stderr(log)
                .status()
                .map_err(|source| GateError::Spawn {
                    command: describe(&cmd),
                    source,
                })?;
            let log_text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let (tests, problem) = match junit::read(&junit_path) {
                Ok(tests) => (tests, None),
                Err(GateError::Read { .. }) => {
                    let cause = match status.code() {
                        Some(ExitCode::BUILD_FAILED) => "the tests did not build".to_string(),
                        Some(ExitCode::INVALID_FILTERSET) => {
                            "nextest rejected the filter expression".to_string()
                        }
                        Some(c) => format!(
                            "`{}` exited with code {c} before writing a JUnit report",
                            describe(&cmd)
                        ),
                        None => format!("`{}` was killed", describe(&cmd)),
                    };
                    (
                        Vec::new(),
                        Some(format!("{cause}:\n{}", indent(&problem_lines(&log_text)))),
                    )
                }
                Err(e) => (Vec::new(), Some(mlharness::check::chain(&e))),
            };
            // A run that failed for a reason the JUnit does not show (a crash of nextest itself).
            let problem = problem.or_else(|| {
                (!status.success()
                    && !with_coverage
                    && !tests.iter().any(|t| t.outcome.is_failure()))
                .then(|| {
                    format!(
                        "`{}` failed:\n{}",
                        describe(&cmd),
                        indent(&problem_lines(&log_text))
                    )
                })
            });
            // nextest counts tests a filter left out as skipped; only ignored tests are.
            let (skipped, not_selected) = match (&filter, with_coverage) {
                (Some(f), false) if problem.is_none() => {
                    match nextest_list(ws, &config, &["--run-ignored", "all", "-E", f]).and_then(
                        |json| {
                            nextest_metadata::TestListSummary::parse_json(json)
                                .map_err(|e| e.to_string())
                        },
                    ) {
                        Ok(list) => {
                            let s = nextest::selection(&list);
                            (s.ignored, s.not_selected)
                        }
                        Err(_) => (nextest::skipped_from_log(&log_text), 0),
                    }
                }
                _ => (nextest::skipped_from_log(&log_text), 0),
            };
            (
                tests,
                skipped,
                nextest::leaky_tests(&log_text),
                not_selected,
                problem,
            )
        }
    };

    let coverage = match coverage_plan {
        Err(status) => status,
        Ok(()) if problem.is_some() => CoverageStatus::Unavailable {
            reason: "the tests did not run".into(),
        },
        Ok(()) => {
            let scope = Scope::new(ws, &config.coverage_exclude)?;
            match coverage::read(&coverage_json, &scope) {
                Ok((coverage, left_out)) => {
                    write_coverage_files(ws, &config, &left_out);
                    CoverageStatus::Measured { coverage }
                }
                Err(e) => CoverageStatus::Unavailable {
                    reason: e.to_string(),
                },
            }
        }
    };

    let run = Run {
        mode,
        tests,
        skipped,
        not_selected,
        leaky,
        test_timeout: config.test_timeout,
        coverage,
        problem,
    };
    let verdict = decide(&run, &config);
    let mut tools = BTreeMap::new();
    tools.insert(
        "mlharness".to_string(),
        env!("CARGO_PKG_VERSION").to_string(),
    );
    if let Some(v) = first_line_of(Command::new("cargo").arg("--version")) {
        tools.insert("cargo".into(), v);
    }
    tools.insert("cargo-nextest".into(), prepared.nextest_version.clone());
    if with_coverage {
        if let Some(v) = llvm_cov_version() {
            tools.insert("cargo-llvm-cov".into(), v);
        }
    }
    let report = GateReport::new(&run, &verdict, started.elapsed().as_secs_f64(), tools);
    write_reports(&report_dir, &report, &config, &junit_path)?;
    // Only a run of every test, that ran, is what the next run compares with.
    let complete =
        matches!(run.mode, Mode::Full) && options.filter.is_none() && run.problem.is_none();
    write_html(ws, &report_dir, &report, &run, &config, complete)?;
    let _ = writeln!(out, "{}", report.summary(&config, &ws.report_dir_display()));
    Ok((report, run))
}

/// `lcov.info` and `cobertura.xml` for CI, from the run just made, without the files the
/// coverage figure leaves out. Best effort: the figure itself is already measured.
fn write_coverage_files(ws: &Workspace, config: &GateConfig, left_out: &[PathBuf]) {
    let ignore = coverage::ignore_regex(left_out);
    for (flag, name) in [("--lcov", "lcov.info"), ("--cobertura", "cobertura.xml")] {
        let dest = ws.report_dir().join(name);
        let tmp = ws.report_dir().join(format!(".{name}.tmp"));
        let mut cmd = cargo(ws);
        cmd.args(["llvm-cov", "report", flag, "--output-path"])
            .arg(&tmp)
            .args(feature_args(config));
        if let Some(re) = &ignore {
            cmd.arg("--ignore-filename-regex").arg(re);
        }
        let ok = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let _ = std::fs::rename(&tmp, &dest);
        } else {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

/// `report.html`, and `last-run.json` for the next run to compare against.
fn write_html(
    ws: &Workspace,
    dir: &Path,
    report: &GateReport,
    run: &Run,
    config: &GateConfig,
    complete: bool,
) -> Result<(), GateError> {
    use super::html::{read_lcov, render, Changes, Inputs, LastRun};
    let files = match run.coverage {
        CoverageStatus::Measured { .. } => {
            read_lcov(&dir.join("lcov.info"), &ws.root).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let last_path = dir.join("last-run.json");
    let now = LastRun::of(report, &run.tests, &files);
    // A run of a selection compared with a full one would call every unselected test removed.
    let changes = LastRun::read(&last_path)
        .filter(|_| complete)
        .map(|before| Changes::between(&before, &now));
    let html = render(&Inputs {
        report,
        tests: &run.tests,
        files: &files,
        changes,
        dir,
        min_coverage: config.min_coverage,
    });
    mlharness::fs::write_atomic(dir.join("report.html"), html)?;
    if complete {
        let json = serde_json::to_string(&now).unwrap_or_default();
        mlharness::fs::write_atomic(&last_path, json)?;
    }
    Ok(())
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes `report.json`, `report.md` and a copy of the JUnit XML, each atomically.
pub fn write_reports(
    dir: &Path,
    report: &GateReport,
    config: &GateConfig,
    junit: &Path,
) -> Result<(), GateError> {
    mlharness::fs::write_atomic(dir.join("report.json"), report.to_json())?;
    mlharness::fs::write_atomic(dir.join("report.md"), report.to_markdown(config))?;
    if let Ok(xml) = std::fs::read(junit) {
        mlharness::fs::write_atomic(dir.join("junit.xml"), xml)?;
    } else {
        let _ = std::fs::remove_file(dir.join("junit.xml"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_lines_keep_compiler_errors() {
        let log = "   Compiling x\nerror[E0425]: cannot find value `y`\n --> src/lib.rs:3:5\nwarning: build failed\n";
        let shown = problem_lines(log);
        assert!(
            shown.contains("error[E0425]") && shown.contains("src/lib.rs:3:5"),
            "{shown}"
        );
    }

    #[test]
    fn features_reach_cargo() {
        let mut config = GateConfig {
            features: vec!["a".into(), "b".into()],
            ..GateConfig::default()
        };
        assert_eq!(feature_args(&config), ["--features", "a,b"]);
        config.all_features = true;
        assert_eq!(feature_args(&config), ["--all-features"]);
    }
}
