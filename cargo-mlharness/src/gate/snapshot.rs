//! Testing what is committed: for the length of a hook's run, the working tree is made equal to
//! the staged snapshot (pre-commit) or to the commit being pushed (pre-push), and then put back
//! exactly as it was.
//!
//! Each file that differs — unstaged edits, untracked files, files deleted but still staged —
//! is *moved* (renamed, so its bytes and mode are kept) into `.git/mlharness/set-aside/`, and
//! the committed version is written in its place. A manifest beside it records what was done,
//! so that `mlharness hook restore` can finish the job if the process was killed outright.
//! Files git ignores (`target/`, local data) are left where they are.

use super::GateError;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What the working tree is set to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base {
    /// The index: what `git commit` is about to record.
    Index,
    /// A commit (or anything `git rev-parse` takes), e.g. `HEAD` for the commit being pushed.
    Commit(String),
}

/// How a path differs between the base and the working tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Only in the working tree (untracked, or added but not staged): moved aside.
    Added,
    /// In both, different: moved aside, the base version written.
    Modified,
    /// Only in the base (deleted in the working tree): the base version written.
    Deleted,
}

impl Change {
    fn code(self) -> u8 {
        match self {
            Change::Added => b'A',
            Change::Modified => b'M',
            Change::Deleted => b'D',
        }
    }

    fn from_code(c: u8) -> Option<Change> {
        match c {
            b'A' => Some(Change::Added),
            b'M' | b'T' => Some(Change::Modified),
            b'D' => Some(Change::Deleted),
            _ => None,
        }
    }
}

/// Changes set aside; [`SetAside::restore`] (or dropping it) puts them back.
#[derive(Debug)]
pub struct SetAside {
    root: PathBuf,
    store: PathBuf,
    manifest: PathBuf,
    changes: Vec<(Change, PathBuf)>,
    restored: bool,
}

fn git_error(what: &str, detail: impl std::fmt::Display) -> GateError {
    GateError::Git(format!("{what}: {detail}"))
}

fn git(root: &Path, args: &[&str], index: Option<&Path>) -> Result<Vec<u8>, GateError> {
    let mut cmd = Command::new("git");
    cmd.current_dir(root).args(args).stdin(Stdio::null());
    if let Some(index) = index {
        cmd.env("GIT_INDEX_FILE", index);
    }
    let out = cmd
        .output()
        .map_err(|e| git_error(&format!("cannot run git {}", args.join(" ")), e))?;
    if !out.status.success() {
        return Err(git_error(
            &format!("git {} failed", args.join(" ")),
            String::from_utf8_lossy(&out.stderr).trim(),
        ));
    }
    Ok(out.stdout)
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).trim().to_string()
}

#[cfg(unix)]
fn path_of(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_of(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(unix)]
fn bytes_of(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn bytes_of(path: &Path) -> Vec<u8> {
    path.to_string_lossy().as_bytes().to_vec()
}

/// `.git/mlharness` of the repository at `root`.
fn state_dir(root: &Path) -> Result<PathBuf, GateError> {
    Ok(
        PathBuf::from(text(git(root, &["rev-parse", "--absolute-git-dir"], None)?))
            .join("mlharness"),
    )
}

/// The top of the working tree around `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, GateError> {
    git(dir, &["rev-parse", "--show-toplevel"], None)
        .map(|b| PathBuf::from(text(b)))
        .map_err(|_| {
            GateError::Git(format!(
                "{} is not inside a git working tree",
                dir.display()
            ))
        })
}

impl SetAside {
    /// Makes the working tree at `root` (the top of a git working tree) equal to `base`,
    /// moving every differing file aside. Refuses when an earlier run's changes are still set
    /// aside.
    pub fn new(root: &Path, base: &Base) -> Result<SetAside, GateError> {
        let state = state_dir(root)?;
        let store = state.join("set-aside");
        let manifest = state.join("set-aside.manifest");
        if manifest.exists() {
            return Err(GateError::Git(format!(
                "an earlier hook run was interrupted and its set-aside changes are still in {}; \
                 run `mlharness hook restore` to put them back first",
                store.display()
            )));
        }
        std::fs::create_dir_all(&state).map_err(|e| git_error(&state.display().to_string(), e))?;
        let base_tree = match base {
            Base::Index => text(git(root, &["write-tree"], None).map_err(|e| {
                GateError::Git(format!(
                    "the staged snapshot cannot be written (unresolved conflicts?): {e}"
                ))
            })?),
            Base::Commit(rev) => text(git(
                root,
                &["rev-parse", "--verify", &format!("{rev}^{{tree}}")],
                None,
            )?),
        };
        // The whole working tree (untracked files included, ignored ones not) as a tree, built
        // in a scratch index so the real one is never touched.
        let scratch = state.join("worktree.index");
        let real_index = PathBuf::from(text(git(
            root,
            &["rev-parse", "--path-format=absolute", "--git-path", "index"],
            None,
        )?));
        let _ = std::fs::remove_file(&scratch);
        if real_index.exists() {
            std::fs::copy(&real_index, &scratch)
                .map_err(|e| git_error(&real_index.display().to_string(), e))?;
        }
        git(root, &["add", "-A", "--", "."], Some(&scratch))?;
        let work_tree = text(git(root, &["write-tree"], Some(&scratch))?);
        let _ = std::fs::remove_file(&scratch);

        let diff = git(
            root,
            &[
                "diff-tree",
                "-r",
                "-z",
                "--no-renames",
                "--name-status",
                &base_tree,
                &work_tree,
            ],
            None,
        )?;
        let mut changes = Vec::new();
        let mut fields = diff.split(|&b| b == 0).filter(|f| !f.is_empty());
        while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
            if let Some(change) = status.first().copied().and_then(Change::from_code) {
                changes.push((change, path_of(path)));
            }
        }
        let mut set = SetAside {
            root: root.to_path_buf(),
            store,
            manifest,
            changes,
            restored: false,
        };
        if set.changes.is_empty() {
            set.restored = true;
            return Ok(set);
        }
        set.write_manifest()?;
        set.move_aside(&base_tree)?;
        Ok(set)
    }

    /// How many paths were set aside.
    pub fn len(&self) -> usize {
        self.changes.len()
    }

    /// True when the working tree already equalled the base.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    fn write_manifest(&self) -> Result<(), GateError> {
        let mut bytes = Vec::new();
        for (change, path) in &self.changes {
            bytes.push(change.code());
            bytes.extend(bytes_of(path));
            bytes.push(0);
        }
        mlharness::fs::write_atomic(&self.manifest, bytes)?;
        Ok(())
    }

    fn move_aside(&mut self, base_tree: &str) -> Result<(), GateError> {
        let io = |p: &Path, e: std::io::Error| git_error(&p.display().to_string(), e);
        for (change, path) in &self.changes {
            if *change == Change::Deleted {
                continue;
            }
            let from = self.root.join(path);
            let to = self.store.join(path);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
            }
            std::fs::rename(&from, &to).map_err(|e| io(&from, e))?;
        }
        // The base versions, from a scratch index holding the base tree.
        let to_write: Vec<&PathBuf> = self
            .changes
            .iter()
            .filter(|(c, _)| *c != Change::Added)
            .map(|(_, p)| p)
            .collect();
        if !to_write.is_empty() {
            let scratch = self.manifest.with_file_name("base.index");
            let _ = std::fs::remove_file(&scratch);
            git(&self.root, &["read-tree", base_tree], Some(&scratch))?;
            let mut stdin = Vec::new();
            for p in &to_write {
                stdin.extend(bytes_of(p));
                stdin.push(0);
            }
            let mut child = Command::new("git")
                .current_dir(&self.root)
                .env("GIT_INDEX_FILE", &scratch)
                .args(["checkout-index", "-f", "-z", "--stdin"])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| git_error("cannot run git checkout-index", e))?;
            if let Some(mut input) = child.stdin.take() {
                input
                    .write_all(&stdin)
                    .map_err(|e| git_error("git checkout-index", e))?;
            }
            let out = child
                .wait_with_output()
                .map_err(|e| git_error("git checkout-index", e))?;
            let _ = std::fs::remove_file(&scratch);
            if !out.status.success() {
                return Err(git_error(
                    "git checkout-index failed",
                    String::from_utf8_lossy(&out.stderr).trim(),
                ));
            }
        }
        Ok(())
    }

    /// The changes an interrupted run left set aside in the repository at `root`, to restore.
    pub fn pending(root: &Path) -> Result<Option<SetAside>, GateError> {
        let state = state_dir(root)?;
        let manifest = state.join("set-aside.manifest");
        let bytes = match std::fs::read(&manifest) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(git_error(&manifest.display().to_string(), e)),
        };
        let changes = bytes
            .split(|&b| b == 0)
            .filter(|r| !r.is_empty())
            .filter_map(|r| Some((Change::from_code(r[0])?, path_of(&r[1..]))))
            .collect();
        Ok(Some(SetAside {
            root: root.to_path_buf(),
            store: state.join("set-aside"),
            manifest,
            changes,
            restored: false,
        }))
    }

    /// Puts every set-aside file back where it was. Restored files get the current time as
    /// their modification time, so cargo rebuilds what it built from the committed versions.
    pub fn restore(mut self) -> Result<(), GateError> {
        self.restore_now()
    }

    fn restore_now(&mut self) -> Result<(), GateError> {
        if self.restored {
            return Ok(());
        }
        let mut failures = Vec::new();
        for (change, path) in &self.changes {
            let here = self.root.join(path);
            let kept = self.store.join(path);
            if *change != Change::Added || kept.exists() {
                // The base version we wrote, or whatever a test left there.
                if here.symlink_metadata().is_ok() {
                    if let Err(e) = std::fs::remove_file(&here) {
                        failures.push(format!("{}: {e}", here.display()));
                        continue;
                    }
                }
            }
            if *change == Change::Deleted {
                continue;
            }
            if let Some(parent) = here.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            match std::fs::rename(&kept, &here) {
                Ok(()) => touch(&here),
                Err(e) => failures.push(format!("{} → {}: {e}", kept.display(), here.display())),
            }
        }
        if !failures.is_empty() {
            return Err(GateError::Git(format!(
                "could not put back every set-aside change (what is left is in {}):\n  {}",
                self.store.display(),
                failures.join("\n  ")
            )));
        }
        let _ = std::fs::remove_dir_all(&self.store);
        let _ = std::fs::remove_file(&self.manifest);
        self.restored = true;
        Ok(())
    }
}

fn touch(path: &Path) {
    if path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return;
    }
    if let Ok(file) = std::fs::File::open(path) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}

impl Drop for SetAside {
    // A panic between setting aside and restoring must not lose the user's work.
    fn drop(&mut self) {
        if let Err(e) = self.restore_now() {
            eprintln!("mlharness: {}", mlharness::check::chain(&e));
        }
    }
}
