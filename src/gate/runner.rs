//! Running the tests: cargo-nextest, with coverage by cargo-llvm-cov, then the verdict.

use super::coverage;
use super::junit;
use super::report::Report;
use super::verdict::{decide, CoverageStatus, Mode, Run};
use super::{GateConfig, GateError, Kind};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

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
    /// The workspace root; found with `cargo locate-project` when `None`.
    pub workspace: Option<PathBuf>,
}

/// Where the gate writes, under the workspace root.
pub const REPORT_DIR: &str = "target/mlharness";

/// The workspace root of the current directory, as cargo sees it.
pub fn workspace_root() -> Result<PathBuf, GateError> {
    let out = command_output(Command::new("cargo").args([
        "locate-project",
        "--workspace",
        "--message-format",
        "plain",
    ]))?;
    let manifest = PathBuf::from(out.trim());
    manifest
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| GateError::Git(format!("cargo located no workspace ({manifest:?})")))
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
fn ensure_llvm_cov(root: &Path, out: &mut dyn Write) -> Result<(), String> {
    let has_tools =
        command_output(Command::new("rustup").args(["component", "list", "--installed"]))
            .map(|s| s.lines().any(|l| l.starts_with("llvm-tools")))
            .unwrap_or(false);
    if llvm_cov_version().is_some() && has_tools {
        return Ok(());
    }
    let _ = writeln!(
        out,
        "coverage: installing cargo-llvm-cov and llvm-tools (one time, about 2 minutes; log in {REPORT_DIR}/install.log)"
    );
    let log_path = root.join(REPORT_DIR).join("install.log");
    let _ = std::fs::create_dir_all(root.join(REPORT_DIR));
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
                "`{}` failed, see {REPORT_DIR}/install.log",
                step.join(" ")
            ));
        }
    }
    llvm_cov_version()
        .map(|_| ())
        .ok_or_else(|| "cargo-llvm-cov installed but does not run".to_string())
}

/// What the gate needs to know of the workspace, from one `cargo metadata`.
struct Workspace {
    /// Cargo's target directory (honours `CARGO_TARGET_DIR`); nextest's JUnit goes below it.
    target_dir: PathBuf,
    /// The crates and their directories, for coverage per crate.
    crate_roots: Vec<(String, PathBuf)>,
}

fn workspace_metadata(root: &Path) -> Result<Workspace, GateError> {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root)
        .args(["metadata", "--no-deps", "--format-version", "1"]);
    let json = command_output(&mut cmd)?;
    let meta: serde_json::Value = serde_json::from_str(&json).map_err(|e| GateError::Spawn {
        command: describe(&cmd),
        source: std::io::Error::other(e),
    })?;
    let crate_roots = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let name = p["name"].as_str()?.to_string();
            let manifest = PathBuf::from(p["manifest_path"].as_str()?);
            Some((name, manifest.parent()?.to_path_buf()))
        })
        .collect();
    let target_dir = meta["target_directory"]
        .as_str()
        .map_or_else(|| root.join("target"), PathBuf::from);
    Ok(Workspace {
        target_dir,
        crate_roots,
    })
}

/// Names of the workspace's test binaries (this builds them, as the run would).
fn test_binaries(root: &Path) -> Result<Vec<String>, GateError> {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(root).args([
        "nextest",
        "list",
        "--workspace",
        "--message-format",
        "json",
        "--list-type",
        "binaries-only",
    ]);
    let out = cmd.output().map_err(|source| GateError::Spawn {
        command: describe(&cmd),
        source,
    })?;
    if !out.status.success() {
        return Err(GateError::Build(format!(
            "the tests did not build:\n{}",
            indent(&problem_lines(&String::from_utf8_lossy(&out.stderr)))
        )));
    }
    let list: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| GateError::Spawn {
            command: describe(&cmd),
            source: std::io::Error::other(e),
        })?;
    Ok(list["rust-binaries"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(_, b)| b["binary-name"].as_str().map(String::from))
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

/// Tests nextest skipped, from its `Summary` line (`… 3 skipped`); JUnit does not list them.
fn skipped_from_log(log: &str) -> usize {
    log.lines()
        .filter(|l| l.trim_start().starts_with("Summary"))
        .filter_map(|l| {
            let words: Vec<&str> = l.split([' ', ',']).filter(|w| !w.is_empty()).collect();
            words
                .windows(2)
                .find(|w| w[1].starts_with("skipped"))
                .and_then(|w| w[0].parse().ok())
        })
        .next_back()
        .unwrap_or(0)
}

/// Runs the gate: tests, coverage, verdict, reports. Prints the summary to `out`, ending on
/// the verdict line, and returns true for PASS.
pub fn run(options: &RunOptions, out: &mut dyn Write) -> bool {
    match run_report(options, out) {
        Ok((report, _)) => report.verdict == "PASS",
        Err(e) => {
            let _ = writeln!(out, "reason: {e}");
            let _ = writeln!(out, "FAIL: 0 passed, 0 failed, 0 skipped");
            false
        }
    }
}

/// Like [`run`], but returns the report and the run instead of printing a verdict line for
/// an unusable setup.
pub fn run_report(options: &RunOptions, out: &mut dyn Write) -> Result<(Report, Run), GateError> {
    let started = Instant::now();
    let Some(nextest_version) = first_line_of(Command::new("cargo").args(["nextest", "--version"]))
    else {
        return Err(GateError::Tool(
            "cargo-nextest is not installed: install it with `cargo install cargo-nextest --locked`".into(),
        ));
    };
    let root = match &options.workspace {
        Some(r) => r.clone(),
        None => workspace_root()?,
    };
    let mut config = GateConfig::load(&root.join("mlharness.toml"))?;
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
    let report_dir = root.join(REPORT_DIR);
    std::fs::create_dir_all(&report_dir).map_err(|source| GateError::Read {
        path: report_dir.clone(),
        source,
    })?;

    let coverage_plan: Result<(), CoverageStatus> = match (&mode, options.no_coverage) {
        (Mode::Full, false) => {
            ensure_llvm_cov(&root, out).map_err(|reason| CoverageStatus::Unavailable { reason })
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

    let mut filter = match &mode {
        Mode::Full => None,
        Mode::Quick(kinds) | Mode::Kinds(kinds) => {
            let binaries = test_binaries(&root)?;
            let names: Vec<&str> = binaries.iter().map(String::as_str).collect();
            Some(
                kinds
                    .iter()
                    .map(|k| format!("({})", k.filterset(&names)))
                    .collect::<Vec<_>>()
                    .join(" | "),
            )
        }
    };
    if let Some(user) = &options.filter {
        filter = Some(match filter {
            Some(f) => format!("({f}) & ({user})"),
            None => user.clone(),
        });
    }

    let with_coverage = coverage_plan.is_ok();
    let workspace = workspace_metadata(&root)?;
    // nextest keeps its store under cargo's target directory, with or without llvm-cov.
    let junit_path = workspace.target_dir.join("nextest/ci/junit.xml");
    // A JUnit file left by an earlier run must never be read as this run's result.
    let _ = std::fs::remove_file(&junit_path);
    let coverage_json = report_dir.join("coverage.json");
    let _ = std::fs::remove_file(&coverage_json);

    let mut cmd = Command::new("cargo");
    cmd.current_dir(&root);
    if with_coverage {
        cmd.args([
            "llvm-cov",
            "nextest",
            "--workspace",
            "--profile",
            "ci",
            "--json",
            "--summary-only",
        ])
        .arg("--output-path")
        .arg(&coverage_json)
        // Write coverage even when tests fail; the verdict reads failures from JUnit.
        .arg("--ignore-run-fail");
    } else {
        cmd.args(["nextest", "run", "--workspace", "--profile", "ci"]);
    }
    cmd.args(["--no-tests", "pass"]);
    if let Some(f) = &filter {
        cmd.arg("-E").arg(f);
    }
    let log_path = report_dir.join("run.log");
    let log = std::fs::File::create(&log_path).map_err(|source| GateError::Read {
        path: log_path.clone(),
        source,
    })?;
    let _ = writeln!(
        out,
        "running {} (log: {REPORT_DIR}/run.log)",
        match &mode {
            Mode::Full if with_coverage => "all tests with coverage".to_string(),
            Mode::Full => "all tests".to_string(),
            Mode::Quick(k) | Mode::Kinds(k) => format!(
                "{} tests",
                k.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
            ),
        }
    );
    let _ = out.flush();
    let status = cmd
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|source| GateError::Read {
            path: log_path.clone(),
            source,
        })?)
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
                Some(101) => "the tests did not build".to_string(),
                Some(4) => "no tests were found".to_string(),
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
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    // A run that failed for a reason the JUnit does not show (a crash of nextest itself).
    let problem = problem.or_else(|| {
        (!status.success()
            && !with_coverage
            && !tests.iter().any(|t| t.outcome == junit::Outcome::Failed))
        .then(|| {
            format!(
                "`{}` failed:\n{}",
                describe(&cmd),
                indent(&problem_lines(&log_text))
            )
        })
    });

    let coverage = match coverage_plan {
        Err(status) => status,
        Ok(()) => match coverage::read(&coverage_json, &workspace.crate_roots) {
            Ok(coverage) => {
                let lcov = report_dir.join("lcov.info");
                let tmp = report_dir.join("lcov.info.tmp");
                let lcov_ok = Command::new("cargo")
                    .current_dir(&root)
                    .args(["llvm-cov", "report", "--lcov", "--output-path"])
                    .arg(&tmp)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success());
                if lcov_ok {
                    let _ = std::fs::rename(&tmp, &lcov);
                }
                CoverageStatus::Measured { coverage }
            }
            Err(e) => CoverageStatus::Unavailable {
                reason: e.to_string(),
            },
        },
    };

    let run = Run {
        mode,
        tests,
        skipped: skipped_from_log(&log_text),
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
    tools.insert("cargo-nextest".into(), nextest_version);
    if with_coverage {
        if let Some(v) = llvm_cov_version() {
            tools.insert("cargo-llvm-cov".into(), v);
        }
    }
    let report = Report::new(&run, &verdict, started.elapsed().as_secs_f64(), tools);
    write_reports(&report_dir, &report, &config, &junit_path)?;
    let _ = writeln!(out, "{}", report.summary(&config));
    Ok((report, run))
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
    report: &Report,
    config: &GateConfig,
    junit: &Path,
) -> Result<(), GateError> {
    crate::fs::write_atomic(dir.join("report.json"), report.to_json())?;
    crate::fs::write_atomic(dir.join("report.md"), report.to_markdown(config))?;
    if let Ok(xml) = std::fs::read(junit) {
        crate::fs::write_atomic(dir.join("junit.xml"), xml)?;
    } else {
        let _ = std::fs::remove_file(dir.join("junit.xml"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_count_comes_from_the_nextest_summary_line() {
        let log = "    Starting 7 tests across 3 binaries (1 test skipped)\n     Summary [   0.081s] 7 tests run: 5 passed, 2 failed, 3 skipped\n";
        assert_eq!(skipped_from_log(log), 3);
        assert_eq!(
            skipped_from_log("     Summary [ 0.1s] 2 tests run: 2 passed\n"),
            0
        );
    }

    #[test]
    fn problem_lines_keep_compiler_errors() {
        let log = "   Compiling x\nerror[E0425]: cannot find value `y`\n --> src/lib.rs:3:5\nwarning: build failed\n";
        let shown = problem_lines(log);
        assert!(
            shown.contains("error[E0425]") && shown.contains("src/lib.rs:3:5"),
            "{shown}"
        );
    }
}
