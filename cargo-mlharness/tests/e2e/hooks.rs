//! The git hooks in real repositories: a commit is tested as staged, a push as pushed, and the
//! user's unstaged work is never lost.

use crate::{turn, Project};

const PASSING: &str = "#[test]\nfn sum_is_right() { assert_eq!(app::add(2, 2), 4); }\n";
const BROKEN: &str = "#[test]\nfn sum_is_right() { assert_eq!(app::add(2, 2), 4); }\n\
                      #[test]\nfn broken_sum() { assert_eq!(app::add(2, 2), 5, \"the new test is wrong\"); }\n";
const FIXED: &str = "#[test]\nfn sum_is_right() { assert_eq!(app::add(2, 2), 4); }\n\
                     #[test]\nfn fixed_sum() { assert_eq!(app::add(2, 3), 5); }\n";

/// 9d: `mlharness init --hooks`; a commit adding a failing test is blocked naming it; the fix
/// goes through; a push runs the full gate.
#[test]
fn init_hooks_block_a_failing_commit_and_gate_the_push() {
    let _turn = turn();
    let p = Project::library("app");
    p.write("tests/unit.rs", PASSING);
    p.git_init();
    let init = p.mlharness(&["init", "--hooks"]);
    assert_eq!(init.code, 0, "{init}");
    assert!(init.stdout.contains("wrote mlharness.toml"), "{init}");
    assert!(
        init.stdout.contains("installed") && init.stdout.contains("pre-push"),
        "{init}"
    );

    p.git(&["add", "mlharness.toml"]);
    let commit = p.git_run(&["commit", "-m", "mlharness config"]);
    assert_eq!(commit.code, 0, "{commit}");
    assert!(
        commit.output().contains("PASS"),
        "the hook ran the gate: {commit}"
    );

    p.write("tests/unit.rs", BROKEN);
    p.git(&["add", "tests/unit.rs"]);
    let head = p.git(&["rev-parse", "HEAD"]);
    let blocked = p.git_run(&["commit", "-m", "a broken test"]);
    assert_ne!(blocked.code, 0, "{blocked}");
    assert!(
        blocked
            .output()
            .contains("FAIL [unit] app::unit broken_sum")
            && blocked.output().contains("the new test is wrong"),
        "{blocked}"
    );
    assert_eq!(p.git(&["rev-parse", "HEAD"]), head, "nothing was committed");

    p.write("tests/unit.rs", FIXED);
    p.git(&["add", "tests/unit.rs"]);
    let commit = p.git_run(&["commit", "-m", "a right test"]);
    assert_eq!(commit.code, 0, "{commit}");

    let remote = tempfile::tempdir().unwrap();
    let bare = remote.path().join("origin.git");
    p.git(&["init", "-q", "--bare", bare.to_str().unwrap()]);
    p.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    let push = p.git_run(&["push", "-q", "origin", "main"]);
    assert_eq!(push.code, 0, "{push}");
    assert!(
        push.output().contains("running all tests with coverage")
            && push
                .output()
                .contains("PASS: 3 passed, 0 failed, 0 skipped"),
        "pre-push ran the full gate: {push}"
    );
}

/// 9g: a broken change staged with an unstaged fix beside it is blocked, and the fix (and an
/// untracked file) are still there afterwards, byte for byte; the other way round passes.
#[test]
fn pre_commit_tests_the_staged_snapshot_and_keeps_unstaged_work() {
    let _turn = turn();
    let p = Project::library("app");
    p.write("tests/unit.rs", PASSING);
    p.git_init();
    let install = p.mlharness(&["hook", "install", "--pre-commit"]);
    assert_eq!(install.code, 0, "{install}");

    p.write("tests/unit.rs", BROKEN);
    p.git(&["add", "tests/unit.rs"]);
    p.write("tests/unit.rs", FIXED);
    p.write("notes/todo.txt", "untracked, and must survive\n");
    let blocked = p.git_run(&["commit", "-m", "staged broken, fix unstaged"]);
    assert_ne!(blocked.code, 0, "{blocked}");
    assert!(blocked.output().contains("broken_sum"), "{blocked}");
    assert!(
        blocked
            .output()
            .contains("testing the staged snapshot: 2 changed paths set aside"),
        "{blocked}"
    );
    assert_eq!(p.read("tests/unit.rs"), FIXED, "the unstaged fix is back");
    assert_eq!(p.read("notes/todo.txt"), "untracked, and must survive\n");
    assert_eq!(
        p.git(&["show", ":tests/unit.rs"]),
        BROKEN,
        "the index is untouched"
    );
    assert!(!p.path(".git/mlharness/set-aside.manifest").exists());

    // Staged fix, unstaged breakage: the commit holds the fix, so it goes through.
    p.git(&["add", "tests/unit.rs"]);
    p.write("tests/unit.rs", BROKEN);
    let commit = p.git_run(&["commit", "-m", "the fix"]);
    assert_eq!(commit.code, 0, "{commit}");
    assert_eq!(p.read("tests/unit.rs"), BROKEN);
    assert_eq!(p.git(&["show", "HEAD:tests/unit.rs"]), FIXED);
}
