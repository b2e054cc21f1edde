//! Setting the working tree to what is committed and putting it back, in real repositories:
//! bytes, modes and untracked files survive, and an interrupted run can be restored.

use crate::git;
use cargo_mlharness::gate::snapshot::{Base, SetAside};
use std::path::Path;
use std::process::Command;

/// A repository with `a.txt` and `bin/run.sh` committed, then: `a.txt` staged as "staged" and
/// edited to "unstaged", `b.txt` staged as new, `gone.txt` deleted unstaged, an untracked
/// `notes/n.txt`, and an ignored `target/x`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"]);
    git(p, &["config", "user.email", "t@example.invalid"]);
    git(p, &["config", "user.name", "t"]);
    std::fs::write(p.join("a.txt"), "committed\n").unwrap();
    std::fs::write(p.join("gone.txt"), "still committed\n").unwrap();
    std::fs::write(p.join(".gitignore"), "/target\n").unwrap();
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "one"]);
    std::fs::write(p.join("a.txt"), "staged\n").unwrap();
    std::fs::write(p.join("b.txt"), "new and staged\n").unwrap();
    git(p, &["add", "a.txt", "b.txt"]);
    std::fs::write(p.join("a.txt"), "unstaged\r\nbytes \u{0}kept\n").unwrap();
    std::fs::remove_file(p.join("gone.txt")).unwrap();
    std::fs::create_dir(p.join("notes")).unwrap();
    std::fs::write(p.join("notes/n.txt"), "untracked\n").unwrap();
    std::fs::create_dir(p.join("target")).unwrap();
    std::fs::write(p.join("target/x"), "ignored\n").unwrap();
    dir
}

fn read(dir: &Path, rel: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(rel)).ok()
}

fn assert_as_the_user_left_it(p: &Path) {
    assert_eq!(
        read(p, "a.txt").as_deref(),
        Some("unstaged\r\nbytes \u{0}kept\n")
    );
    assert_eq!(read(p, "b.txt").as_deref(), Some("new and staged\n"));
    assert_eq!(read(p, "gone.txt"), None);
    assert_eq!(read(p, "notes/n.txt").as_deref(), Some("untracked\n"));
    assert_eq!(read(p, "target/x").as_deref(), Some("ignored\n"));
    assert_eq!(
        git(p, &["show", ":a.txt"]),
        "staged\n",
        "the index is untouched"
    );
    assert!(!p.join(".git/mlharness/set-aside.manifest").exists());
}

#[test]
fn the_staged_snapshot_is_laid_out_then_everything_is_put_back() {
    let dir = repo();
    let p = dir.path();
    let set = SetAside::new(p, &Base::Index).unwrap();
    assert_eq!(set.len(), 3, "a.txt, gone.txt, notes/n.txt");
    assert_eq!(read(p, "a.txt").as_deref(), Some("staged\n"));
    assert_eq!(read(p, "b.txt").as_deref(), Some("new and staged\n"));
    assert_eq!(read(p, "gone.txt").as_deref(), Some("still committed\n"));
    assert_eq!(
        read(p, "notes/n.txt"),
        None,
        "untracked files are set aside"
    );
    assert_eq!(
        read(p, "target/x").as_deref(),
        Some("ignored\n"),
        "ignored files stay"
    );
    // A second run while this one holds the changes refuses rather than stacking.
    let err = SetAside::new(p, &Base::Index).unwrap_err().to_string();
    assert!(err.contains("mlharness hook restore"), "{err}");
    set.restore().unwrap();
    assert_as_the_user_left_it(p);
}

#[test]
fn the_commit_being_pushed_is_laid_out_staged_changes_included() {
    let dir = repo();
    let p = dir.path();
    let set = SetAside::new(p, &Base::Commit("HEAD".into())).unwrap();
    assert_eq!(read(p, "a.txt").as_deref(), Some("committed\n"));
    assert_eq!(read(p, "b.txt"), None, "staged but not committed");
    drop(set); // a panic between set-aside and restore must not lose anything either
    assert_as_the_user_left_it(p);
}

#[test]
fn an_interrupted_run_is_restored_by_the_command() {
    let dir = repo();
    let p = dir.path();
    // As if the process were killed outright: nothing restores.
    std::mem::forget(SetAside::new(p, &Base::Index).unwrap());
    assert_eq!(read(p, "notes/n.txt"), None);
    let out = Command::new(env!("CARGO_BIN_EXE_mlharness"))
        .current_dir(p)
        .args(["hook", "restore"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "put back every set-aside change\n"
    );
    assert_as_the_user_left_it(p);
}

#[test]
fn a_clean_tree_sets_nothing_aside() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"]);
    std::fs::write(p.join("a.txt"), "x\n").unwrap();
    git(p, &["add", "a.txt"]);
    let set = SetAside::new(p, &Base::Index).unwrap();
    assert!(set.is_empty());
    set.restore().unwrap();
    assert_eq!(read(p, "a.txt").as_deref(), Some("x\n"));
}
