//! Hook install/uninstall in real temporary git repositories.

use crate::git;
use cargo_mlharness::gate::hook::{self, Action, Hook};
use cargo_mlharness::gate::GateError;
use std::path::Path;
use std::process::Command;

/// The program the hooks call (not run here).
const PROGRAM: &str = "/opt/mlharness/bin/mlharness";

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["config", "user.email", "t@example.invalid"]);
    git(dir.path(), &["config", "user.name", "t"]);
    dir
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o111 != 0
}

#[test]
fn install_writes_executable_hooks_and_is_idempotent() {
    let repo = repo();
    let path = repo.path().join(".git/hooks/pre-commit");
    assert_eq!(
        hook::install(repo.path(), Hook::PreCommit, PROGRAM.as_ref()).unwrap(),
        Action::Installed(path.clone())
    );
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .contains("hook run pre-commit"));
    #[cfg(unix)]
    assert!(is_executable(&path));
    assert_eq!(
        hook::install(repo.path(), Hook::PreCommit, PROGRAM.as_ref()).unwrap(),
        Action::AlreadyInstalled(path.clone())
    );
    assert_eq!(
        hook::uninstall(repo.path(), Hook::PreCommit).unwrap(),
        Action::Removed(path.clone())
    );
    assert!(!path.exists());
}

#[test]
fn a_users_hook_is_kept_chained_and_restored() {
    let repo = repo();
    let path = repo.path().join(".git/hooks/pre-push");
    let mine = "#!/bin/sh\necho my own checks\n";
    std::fs::write(&path, mine).unwrap();
    let kept = repo.path().join(".git/hooks/pre-push.pre-mlharness");
    assert_eq!(
        hook::install(repo.path(), Hook::PrePush, PROGRAM.as_ref()).unwrap(),
        Action::InstalledKeeping(path.clone(), kept.clone())
    );
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        mine,
        "the user's hook is kept as it was"
    );
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .contains("pre-push.pre-mlharness"),
        "ours calls it"
    );
    // Installing again neither loses nor duplicates the kept hook.
    assert_eq!(
        hook::install(repo.path(), Hook::PrePush, PROGRAM.as_ref()).unwrap(),
        Action::AlreadyInstalled(path.clone())
    );
    assert_eq!(
        hook::uninstall(repo.path(), Hook::PrePush).unwrap(),
        Action::Restored(path.clone())
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), mine);
    assert!(!kept.exists());
}

#[cfg(unix)]
#[test]
fn the_installed_hook_runs_the_kept_one_first_and_stops_on_its_failure() {
    let repo = repo();
    let hooks = repo.path().join(".git/hooks");
    let marker = repo.path().join("kept-ran");
    std::fs::write(
        hooks.join("pre-commit"),
        format!("#!/bin/sh\ntouch '{}'\nexit 3\n", marker.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        hooks.join("pre-commit"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    hook::install(repo.path(), Hook::PreCommit, PROGRAM.as_ref()).unwrap();
    let status =
        run_fresh_executable(Command::new(hooks.join("pre-commit")).current_dir(repo.path()));
    assert!(marker.exists(), "the user's hook ran");
    assert_eq!(status.code(), Some(3), "its failure stops the commit");
}

/// Runs a program this test process has just written. Another test thread that forks
/// while the file is open for writing holds a copy of that descriptor until its child
/// execs, and exec of a file open for writing fails with ETXTBSY; the window is short,
/// so the attempt is repeated (as cargo does for build scripts).
#[cfg(unix)]
fn run_fresh_executable(command: &mut Command) -> std::process::ExitStatus {
    let mut attempts = 0;
    loop {
        match command.status() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && attempts < 100 => {
                attempts += 1;
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.unwrap(),
        }
    }
}

#[test]
fn honours_core_hooks_path_and_subdirectories() {
    let repo = repo();
    git(repo.path(), &["config", "core.hooksPath", "ci/hooks"]);
    let sub = repo.path().join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    let action = hook::install(&sub, Hook::PreCommit, PROGRAM.as_ref()).unwrap();
    let expected = repo.path().join("ci/hooks/pre-commit");
    assert_eq!(action, Action::Installed(expected.canonicalize().unwrap()));
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
}

#[test]
fn a_worktree_shares_the_main_repositorys_hooks() {
    let repo = repo();
    std::fs::write(repo.path().join("f"), "x").unwrap();
    git(repo.path(), &["add", "f"]);
    git(repo.path(), &["commit", "-q", "-m", "init", "--no-verify"]);
    let wt = tempfile::tempdir().unwrap();
    let wt_path = wt.path().join("wt");
    git(
        repo.path(),
        &["worktree", "add", "-q", wt_path.to_str().unwrap()],
    );
    let action = hook::install(&wt_path, Hook::PrePush, PROGRAM.as_ref()).unwrap();
    let expected = repo
        .path()
        .join(".git/hooks/pre-push")
        .canonicalize()
        .unwrap();
    assert_eq!(action, Action::Installed(expected));
}

#[test]
fn refuses_when_both_the_hook_and_its_backup_slot_are_taken() {
    let repo = repo();
    let hooks = repo.path().join(".git/hooks");
    std::fs::write(hooks.join("pre-commit"), "#!/bin/sh\n").unwrap();
    std::fs::write(hooks.join("pre-commit.pre-mlharness"), "#!/bin/sh\n").unwrap();
    let err = hook::install(repo.path(), Hook::PreCommit, PROGRAM.as_ref()).unwrap_err();
    assert!(matches!(err, GateError::Hook(_)));
    assert!(err.to_string().contains("refusing to overwrite"), "{err}");
    assert_eq!(
        std::fs::read_to_string(hooks.join("pre-commit")).unwrap(),
        "#!/bin/sh\n"
    );
}

#[test]
fn outside_a_repository_is_a_clear_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let err = hook::install(dir.path(), Hook::PreCommit, PROGRAM.as_ref()).unwrap_err();
    assert!(
        err.to_string().contains("not inside a git repository"),
        "{err}"
    );
}

#[test]
fn uninstall_leaves_a_foreign_hook_alone() {
    let repo = repo();
    let path = repo.path().join(".git/hooks/pre-commit");
    std::fs::write(&path, "#!/bin/sh\necho mine\n").unwrap();
    assert_eq!(
        hook::uninstall(repo.path(), Hook::PreCommit).unwrap(),
        Action::NotInstalled(path.clone())
    );
    assert!(path.exists());
}
