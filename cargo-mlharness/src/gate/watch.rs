//! `mlharness run --watch`: the TDD loop. Re-runs the quick set when a source, test or fixture
//! file changes, and prints only what changed since the last run.

use super::junit::TestStatus;
use super::runner::{self, RunOptions};
use super::verdict::Run;
use super::GateError;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// Files whose change triggers a re-run: sources, tests, fixtures and configuration, outside
/// `target/` and `.git/`.
pub fn is_relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    if matches!(first.as_deref(), Some("target" | ".git")) {
        return false;
    }
    if rel.components().any(|c| c.as_os_str() == "fixtures") {
        return true;
    }
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("rs" | "toml" | "csv" | "json" | "yaml" | "yml")
    )
}

/// Test outcomes by `binary test` name.
fn outcomes(run: &Run) -> BTreeMap<String, TestStatus> {
    run.tests
        .iter()
        .map(|t| (format!("{} {}", t.binary_id, t.name), t.outcome))
        .collect()
}

/// What changed between two runs, one line per test: newly failing, fixed, new, gone.
///
/// ```
/// use cargo_mlharness::gate::junit::TestStatus;
/// use cargo_mlharness::gate::watch::changes;
/// use std::collections::BTreeMap;
/// let before = BTreeMap::from([("u a".to_string(), TestStatus::Passed), ("u b".to_string(), TestStatus::Failed)]);
/// let after = BTreeMap::from([("u a".to_string(), TestStatus::Failed), ("u b".to_string(), TestStatus::Passed)]);
/// assert_eq!(changes(&before, &after), vec!["now failing: u a", "fixed: u b"]);
/// ```
pub fn changes(
    before: &BTreeMap<String, TestStatus>,
    after: &BTreeMap<String, TestStatus>,
) -> Vec<String> {
    let failing = |o: Option<&TestStatus>| o.is_some_and(|o| o.is_failure());
    let mut lines = Vec::new();
    for (name, outcome) in after {
        match before.get(name) {
            None => lines.push(format!(
                "new{}: {name}",
                if outcome.is_failure() {
                    ", failing"
                } else {
                    ""
                }
            )),
            Some(old) if failing(Some(old)) && !failing(Some(outcome)) => {
                lines.push(format!("fixed: {name}"))
            }
            Some(old) if !failing(Some(old)) && failing(Some(outcome)) => {
                lines.push(format!("now failing: {name}"))
            }
            _ => {}
        }
    }
    lines.extend(
        before
            .keys()
            .filter(|n| !after.contains_key(*n))
            .map(|n| format!("gone: {n}")),
    );
    lines
}

/// Runs the quick set (or the kinds asked for), then again after every relevant change,
/// until interrupted.
pub fn watch(options: &RunOptions, out: &mut dyn Write) -> Result<(), GateError> {
    use notify::Watcher;
    let dir = match &options.workspace {
        Some(d) => d.clone(),
        None => std::env::current_dir().map_err(|e| GateError::Watch(e.to_string()))?,
    };
    let root = super::workspace::Workspace::locate(&dir)?.root;
    let options = RunOptions {
        quick: options.kinds.is_empty(),
        workspace: Some(root.clone()),
        ..options.clone()
    };
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        use notify::event::{EventKind, ModifyKind};
        // Only writes count: builds and test runs read (open, access) the very files watched.
        let Ok(event) = event else { return };
        if matches!(
            event.kind,
            EventKind::Create(_)
                | EventKind::Remove(_)
                | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
        ) {
            let _ = tx.send(event.paths);
        }
    })
    .map_err(|e| GateError::Watch(e.to_string()))?;
    watcher
        .watch(&root, notify::RecursiveMode::Recursive)
        .map_err(|e| GateError::Watch(format!("{}: {e}", root.display())))?;

    let mut previous: Option<BTreeMap<String, TestStatus>> = None;
    loop {
        let mut quiet = Vec::new();
        match runner::run(&options, &mut quiet) {
            Ok((report, run)) => {
                let now = outcomes(&run);
                match &previous {
                    // The first run is shown whole; later ones only as what changed.
                    None => out
                        .write_all(&quiet)
                        .map_err(|e| GateError::Watch(e.to_string()))?,
                    Some(before) => {
                        let lines = changes(before, &now);
                        if lines.is_empty() {
                            let _ = writeln!(out, "no test changed outcome");
                        }
                        for line in lines {
                            let _ = writeln!(out, "{line}");
                        }
                        for reason in &report.reasons {
                            let _ = writeln!(out, "reason: {reason}");
                        }
                        let _ = writeln!(out, "{}", report.verdict_line());
                    }
                }
                previous = Some(now);
            }
            Err(e) => {
                let _ = writeln!(out, "ERROR: {}", mlharness::check::chain(&e));
            }
        }
        let _ = writeln!(out, "watching for changes (Ctrl-C to stop)…");
        let _ = out.flush();
        // Wait for a relevant change, then let a burst of saves settle before re-running.
        loop {
            let paths = rx.recv().map_err(|e| GateError::Watch(e.to_string()))?;
            if paths.iter().any(|p| is_relevant(&root, p)) {
                break;
            }
        }
        while rx.recv_timeout(Duration::from_millis(300)).is_ok() {}
    }
}
