//! Git hooks that run the gate on what is committed: the quick kinds on the staged snapshot
//! before each commit, the full gate on the commits being pushed before each push.
//!
//! The hooks directory is the one git uses (`git rev-parse --git-path hooks`), so
//! `core.hooksPath`, worktrees and subdirectories are honoured. A hook the user already had is
//! kept: moved aside to `<hook>.pre-mlharness` and called first by ours. Installing twice
//! changes nothing; uninstalling restores what was there. The script itself only finds the
//! `mlharness` program and calls `mlharness hook run <hook>`, which does the work
//! ([`run_pre_commit`], [`run_pre_push`]).

use super::runner::{self, RunOptions};
pub use super::snapshot::SetAside;
use super::snapshot::{self, Base};
use super::workspace::Workspace;
use super::GateError;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The second line of every hook mlharness writes, up to its version: how it recognises its
/// own (v1 hooks, which ran `run-tests.sh` on the working tree, included).
const MARKER: &str = "# mlharness-hook v";

/// The version written now.
const VERSION: u32 = 2;

/// Suffix of a user's hook kept aside.
const KEPT: &str = "pre-mlharness";

/// Which git hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// The quick kinds on the staged snapshot.
    PreCommit,
    /// Runs the full gate.
    PrePush,
}

impl Hook {
    /// The hook's file name.
    pub fn file_name(self) -> &'static str {
        match self {
            Hook::PreCommit => "pre-commit",
            Hook::PrePush => "pre-push",
        }
    }

    /// The script mlharness installs for this hook. `program` is the `mlharness` binary to
    /// call when it is not on `PATH` (the one that installed the hook); `subdir` is the cargo
    /// workspace's directory relative to the top of the git working tree ("" at the top).
    ///
    /// ```
    /// use cargo_mlharness::gate::hook::Hook;
    /// let script = Hook::PreCommit.script("/home/u/.cargo/bin/mlharness".as_ref(), "");
    /// assert!(script.starts_with("#!/bin/sh\n# mlharness-hook v2"));
    /// assert!(script.contains("hook run pre-commit"));
    /// ```
    pub fn script(self, program: &Path, subdir: &str) -> String {
        let name = self.file_name();
        let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
        let program = quote(&program.to_string_lossy());
        let dir = if subdir.is_empty() {
            "\"$(git rev-parse --show-toplevel)\"".to_string()
        } else {
            format!("\"$(git rev-parse --show-toplevel)\"/{}", quote(subdir))
        };
        // pre-push gets the refs being pushed on standard input: both hooks need them.
        let (read_input, feed) = match self {
            Hook::PreCommit => ("", ""),
            Hook::PrePush => ("input=$(cat)\n", "printf '%s\\n' \"$input\" | "),
        };
        format!(
            "#!/bin/sh\n{MARKER}{VERSION} ({name}): written by `mlharness hook install`; `mlharness hook uninstall` restores what was here.\n\
             set -e\n\
             {read_input}\
             kept=\"$(dirname \"$0\")/{name}.{KEPT}\"\n\
             # The hook that was here before runs first, with the same arguments and input.\n\
             if [ -x \"$kept\" ]; then {feed}\"$kept\" \"$@\"; fi\n\
             cd {dir}\n\
             mlh={program}\n\
             if [ ! -x \"$mlh\" ]; then mlh=$(command -v mlharness || command -v cargo-mlharness || true); fi\n\
             if [ -z \"$mlh\" ]; then\n\
             \x20 echo \"mlharness {name} hook: the mlharness command was not found (install it: cargo install cargo-mlharness)\" >&2\n\
             \x20 exit 1\n\
             fi\n\
             {feed}\"$mlh\" hook run {name} \"$@\"\n"
        )
    }
}

/// The hooks directory git uses for the repository around `dir`.
pub fn hooks_dir(dir: &Path) -> Result<PathBuf, GateError> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
        .map_err(|e| GateError::Git(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(GateError::Git(format!(
            "{} is not inside a git repository, so there is nowhere to install a hook ({})",
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// What an install or uninstall did, one line per hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Wrote the hook.
    Installed(PathBuf),
    /// Wrote it and kept the user's hook, which ours calls first.
    InstalledKeeping(PathBuf, PathBuf),
    /// Ours was already there, unchanged.
    AlreadyInstalled(PathBuf),
    /// Removed ours.
    Removed(PathBuf),
    /// Removed ours and put the user's hook back.
    Restored(PathBuf),
    /// Nothing of ours was there.
    NotInstalled(PathBuf),
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Installed(p) => write!(f, "installed {}", p.display()),
            Action::InstalledKeeping(p, kept) => write!(
                f,
                "installed {} (your hook is kept as {} and runs first)",
                p.display(),
                kept.display()
            ),
            Action::AlreadyInstalled(p) => write!(f, "already installed: {}", p.display()),
            Action::Removed(p) => write!(f, "removed {}", p.display()),
            Action::Restored(p) => write!(
                f,
                "removed the mlharness hook and restored yours at {}",
                p.display()
            ),
            Action::NotInstalled(p) => {
                write!(f, "no mlharness hook at {}: left as it is", p.display())
            }
        }
    }
}

fn is_ours(path: &Path) -> bool {
    // Line 2 of every hook mlharness wrote, of any version.
    std::fs::read_to_string(path)
        .is_ok_and(|s| s.lines().nth(1).is_some_and(|l| l.starts_with(MARKER)))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = std::fs::metadata(path)?.permissions();
    perms.set_mode(perms.mode() | 0o755);
    std::fs::set_permissions(path, perms)
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Installs `hook` in the repository around `dir`; the hook runs the gate in `dir`'s cargo
/// workspace with `program` (or `mlharness` on `PATH` when `program` is gone).
pub fn install(dir: &Path, hook: Hook, program: &Path) -> Result<Action, GateError> {
    let hooks = hooks_dir(dir)?;
    let path = hooks.join(hook.file_name());
    let kept = hooks.join(format!("{}.{KEPT}", hook.file_name()));
    let io = |e: std::io::Error| GateError::Hook(format!("{}: {e}", path.display()));
    // The hook runs the gate in the cargo workspace around `dir`, which may lie below the
    // top of the git working tree.
    let top = snapshot::toplevel(dir)?;
    let subdir = Workspace::locate(dir)
        .ok()
        .and_then(|ws| {
            let root = ws.root.canonicalize().ok()?;
            let rel = root.strip_prefix(top.canonicalize().ok()?).ok()?;
            Some(rel.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    let script = hook.script(program, &subdir);
    if is_ours(&path) {
        if std::fs::read_to_string(&path).is_ok_and(|s| s == script) {
            return Ok(Action::AlreadyInstalled(path));
        }
        mlharness::fs::write_atomic(&path, &script)?;
        make_executable(&path).map_err(io)?;
        return Ok(Action::Installed(path));
    }
    let mut action = Action::Installed(path.clone());
    if path.exists() {
        if kept.exists() {
            return Err(GateError::Hook(format!(
                "{} exists and is not mlharness's, and {} is taken too: refusing to overwrite either; \
                 merge them by hand or remove one",
                path.display(),
                kept.display()
            )));
        }
        std::fs::rename(&path, &kept).map_err(io)?;
        action = Action::InstalledKeeping(path.clone(), kept);
    }
    mlharness::fs::write_atomic(&path, &script)?;
    make_executable(&path).map_err(io)?;
    Ok(action)
}

/// Removes mlharness's `hook` from the repository around `dir`, restoring a kept user hook.
pub fn uninstall(dir: &Path, hook: Hook) -> Result<Action, GateError> {
    let hooks = hooks_dir(dir)?;
    let path = hooks.join(hook.file_name());
    let kept = hooks.join(format!("{}.{KEPT}", hook.file_name()));
    let io = |e: std::io::Error| GateError::Hook(format!("{}: {e}", path.display()));
    if !is_ours(&path) {
        return Ok(Action::NotInstalled(path));
    }
    if kept.exists() {
        std::fs::rename(&kept, &path).map_err(io)?;
        Ok(Action::Restored(path))
    } else {
        std::fs::remove_file(&path).map_err(io)?;
        Ok(Action::Removed(path))
    }
}

/// Signals that would otherwise end the process between setting changes aside and restoring
/// them. While registered, they only set a flag; the run's child processes still get them
/// from the terminal and stop, and the hook restores and exits.
fn hold_signals() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
    }
    flag
}

/// What a hook run came to: the gate's verdict, or that it was interrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookOutcome {
    /// Every run passed (or there was nothing to test).
    Pass,
    /// A run failed: the commit or push is blocked.
    Fail,
    /// A signal arrived; changes were put back.
    Interrupted,
}

/// Runs the gate in `ws` with the working tree set to `base` for the run.
fn gate_on(
    ws: &Workspace,
    base: &Base,
    options: &RunOptions,
    what: &str,
    out: &mut dyn Write,
) -> Result<HookOutcome, GateError> {
    let prepared = runner::prepare(ws, out)?;
    let interrupted = hold_signals();
    let top = snapshot::toplevel(&ws.root)?;
    let set_aside = SetAside::new(&top, base)?;
    if !set_aside.is_empty() {
        let _ = writeln!(
            out,
            "testing {what}: {} changed path{} set aside until the run ends",
            set_aside.len(),
            if set_aside.len() == 1 { "" } else { "s" }
        );
    }
    let result = runner::run_prepared(ws, &prepared, options, out);
    set_aside.restore()?;
    if interrupted.load(Ordering::SeqCst) {
        return Ok(HookOutcome::Interrupted);
    }
    let (report, _) = result?;
    Ok(if report.verdict == "PASS" {
        HookOutcome::Pass
    } else {
        HookOutcome::Fail
    })
}

/// The pre-commit hook: the quick kinds on the staged snapshot of the repository around `dir`.
/// Unstaged changes and untracked files are set aside for the run and put back afterwards,
/// whatever the outcome.
pub fn run_pre_commit(dir: &Path, out: &mut dyn Write) -> Result<HookOutcome, GateError> {
    let ws = Workspace::locate(dir)?;
    let options = RunOptions {
        quick: true,
        workspace: Some(ws.root.clone()),
        ..RunOptions::default()
    };
    gate_on(&ws, &Base::Index, &options, "the staged snapshot", out)
}

/// The pre-push hook: the full gate on each commit being pushed. `refs` is what git gives the
/// hook on standard input (`<local ref> <local sha> <remote ref> <remote sha>` per line).
/// The checked-out commit is tested in place (uncommitted changes set aside); any other in a
/// temporary worktree, built from scratch there.
pub fn run_pre_push(dir: &Path, refs: &str, out: &mut dyn Write) -> Result<HookOutcome, GateError> {
    let ws = Workspace::locate(dir)?;
    let head = git_text(dir, &["rev-parse", "HEAD"]).ok();
    let mut shas: Vec<&str> = refs
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|sha| !sha.bytes().all(|b| b == b'0'))
        .collect();
    shas.dedup();
    if shas.is_empty() {
        let _ = writeln!(out, "mlharness pre-push: no commits to test");
        return Ok(HookOutcome::Pass);
    }
    for sha in shas {
        let short = &sha[..sha.len().min(12)];
        let outcome = if Some(sha) == head.as_deref() {
            let options = RunOptions {
                workspace: Some(ws.root.clone()),
                ..RunOptions::default()
            };
            gate_on(
                &ws,
                &Base::Commit(sha.to_string()),
                &options,
                &format!("commit {short}"),
                out,
            )?
        } else {
            gate_in_worktree(&ws, sha, out)?
        };
        if outcome != HookOutcome::Pass {
            return Ok(outcome);
        }
    }
    Ok(HookOutcome::Pass)
}

fn git_text(dir: &Path, args: &[&str]) -> Result<String, GateError> {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .map_err(|e| GateError::Git(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(GateError::Git(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A commit that is not checked out, tested in a temporary git worktree.
fn gate_in_worktree(
    ws: &Workspace,
    sha: &str,
    out: &mut dyn Write,
) -> Result<HookOutcome, GateError> {
    let short = &sha[..sha.len().min(12)];
    let tmp = tempfile::Builder::new()
        .prefix("mlharness-push-")
        .tempdir()
        .map_err(|e| GateError::Git(format!("cannot make a temporary worktree: {e}")))?;
    let tree = tmp.path().join(short);
    let tree_str = tree.to_string_lossy().into_owned();
    git_text(
        &ws.root,
        &["worktree", "add", "--detach", "--quiet", &tree_str, sha],
    )?;
    let _ = writeln!(
        out,
        "testing commit {short} (not checked out) in a temporary worktree"
    );
    let top = snapshot::toplevel(&ws.root)?;
    let sub = ws.root.strip_prefix(&top).unwrap_or(Path::new(""));
    let result = (|| {
        let inner = Workspace::locate(&tree.join(sub))?;
        let options = RunOptions {
            workspace: Some(inner.root.clone()),
            ..RunOptions::default()
        };
        let prepared = runner::prepare(&inner, out)?;
        runner::run_prepared(&inner, &prepared, &options, out)
    })();
    let _ = git_text(&ws.root, &["worktree", "remove", "--force", &tree_str]);
    let (report, _) = result?;
    Ok(if report.verdict == "PASS" {
        HookOutcome::Pass
    } else {
        HookOutcome::Fail
    })
}
