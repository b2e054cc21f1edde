//! Issue 14: every verb of the built `mlharness` command on the hostile-input corpus
//! (`cases.rs`): each run must end with exit 2 and one line on stderr naming the file, without
//! a panic, a signal or a hang, and leave the directory as it found it.

mod cases;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A run over this is a hang: the corpus's largest input takes well under a second.
const BOUND: Duration = Duration::from_secs(30);

/// Every path under `dir`, relative.
fn listing(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            out.insert(
                path.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
            if path.is_dir() {
                stack.push(path);
            }
        }
    }
    out
}

/// Runs one case; `Err` says what went wrong.
fn run(case: &cases::Case) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in &case.files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    let before = listing(dir.path());
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .args(&case.args)
        .current_dir(dir.path())
        // The gate verbs must fail on the config before any build: no target dir may appear.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("MLHARNESS_SURELY_UNDEFINED_VAR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start mlharness: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {BOUND:?}: killed"));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut problems = Vec::new();
    match status.code() {
        Some(2) => {}
        Some(code) => problems.push(format!("exit {code}, expected 2")),
        None => problems.push(format!("killed by a signal ({status})")),
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        problems.push("a panic".into());
    }
    if lines.len() != 1 {
        problems.push(format!("{} lines on stderr, expected 1", lines.len()));
    }
    if !stderr.contains(&case.blamed) {
        problems.push(format!("stderr does not name `{}`", case.blamed));
    }
    let after = listing(dir.path());
    let created: Vec<&String> = after.difference(&before).collect();
    if !created.is_empty() {
        problems.push(format!("left behind: {created:?}"));
    }
    for name in &case.must_not_create {
        if dir.path().join(name).exists() {
            problems.push(format!("created {name}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let shown: String = stderr.chars().take(600).collect();
        Err(format!("{}\n      stderr: {shown}", problems.join("; ")))
    }
}

#[test]
fn every_malformed_input_is_exit_2_with_one_line_naming_the_file() {
    let cases = cases::all();
    assert!(cases.len() > 100, "the corpus shrank to {}", cases.len());
    let names: BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), cases.len(), "case names repeat");
    // Two at a time: the machine this runs on in CI has two cores.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                if let Err(why) = run(case) {
                    failures.lock().unwrap().push(format!(
                        "  {} (mlharness {}): {why}",
                        case.name,
                        case.args.join(" ")
                    ));
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} hostile inputs were not handled as input errors:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
