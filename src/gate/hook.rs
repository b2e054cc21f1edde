//! Git hooks that run the gate: `--quick` before each commit, the full run before each push.
//!
//! The hooks directory is the one git uses (`git rev-parse --git-path hooks`), so
//! `core.hooksPath`, worktrees and subdirectories are honoured. A hook the user already had is
//! kept: moved aside to `<hook>.pre-mlharness` and called first by ours. Installing twice
//! changes nothing; uninstalling restores what was there.

use super::GateError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The first lines of every hook mlharness writes; how it recognises its own.
const MARKER: &str = "# mlharness-hook v1";

/// Suffix of a user's hook kept aside.
const KEPT: &str = "pre-mlharness";

/// Which git hook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hook {
    /// Runs `run-tests.sh --quick`.
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

    fn gate_args(self) -> &'static str {
        match self {
            Hook::PreCommit => "--quick",
            Hook::PrePush => "",
        }
    }

    /// The script mlharness installs for this hook.
    ///
    /// ```
    /// use mlharness::gate::hook::Hook;
    /// let script = Hook::PreCommit.script();
    /// assert!(script.starts_with("#!/bin/sh\n# mlharness-hook v1"));
    /// assert!(script.contains("run-tests.sh --quick"));
    /// ```
    pub fn script(self) -> String {
        let name = self.file_name();
        let args = self.gate_args();
        format!(
            "#!/bin/sh\n{MARKER} ({name}): written by `mlharness hook install`; `mlharness hook uninstall` restores what was here.\n\
             set -e\n\
             kept=\"$(dirname \"$0\")/{name}.{KEPT}\"\n\
             # The hook that was here before runs first, with the same arguments and input.\n\
             if [ -x \"$kept\" ]; then \"$kept\" \"$@\"; fi\n\
             cd \"$(git rev-parse --show-toplevel)\"\n\
             if [ -x ./run-tests.sh ]; then exec ./run-tests.sh {args}\n\
             elif command -v mlharness >/dev/null 2>&1; then exec mlharness run {args}\n\
             else echo \"mlharness {name} hook: neither ./run-tests.sh nor mlharness found\" >&2; exit 1\n\
             fi\n"
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

/// Installs `hook` in the repository around `dir`.
pub fn install(dir: &Path, hook: Hook) -> Result<Action, GateError> {
    let hooks = hooks_dir(dir)?;
    let path = hooks.join(hook.file_name());
    let kept = hooks.join(format!("{}.{KEPT}", hook.file_name()));
    let io = |e: std::io::Error| GateError::Hook(format!("{}: {e}", path.display()));
    let script = hook.script();
    if is_ours(&path) {
        if std::fs::read_to_string(&path).is_ok_and(|s| s == script) {
            return Ok(Action::AlreadyInstalled(path));
        }
        crate::fs::write_atomic(&path, &script)?;
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
    crate::fs::write_atomic(&path, &script)?;
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
