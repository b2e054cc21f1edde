//! `fs::write_atomic`.

use mlharness::fs::write_atomic;
use std::path::Path;

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn creates_missing_parent_directories() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reports/nightly/2024/report.json");
    write_atomic(&path, "{\"ok\": true}").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"ok\": true}");
    // Nothing but the file: the temporary file was renamed, not left behind.
    assert_eq!(entries(path.parent().unwrap()), vec!["report.json"]);
}

#[test]
fn replaces_existing_content_entirely() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("golden.txt");
    std::fs::write(&path, "a much longer old content that must not survive").unwrap();
    write_atomic(&path, b"new").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    write_atomic(&path, []).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"");
    assert_eq!(entries(dir.path()), vec!["golden.txt"]);
}

#[cfg(unix)]
#[test]
fn keeps_an_existing_files_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for mode in [0o755, 0o640, 0o444] {
        let path = dir.path().join(format!("hook-{mode:o}"));
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        write_atomic(&path, "#!/bin/sh\nexit 0\n").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "#!/bin/sh\nexit 0\n"
        );
        let got = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(got, mode, "mode {got:o}, expected {mode:o}");
    }
}

#[test]
fn error_names_the_path_when_the_parent_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, "x").unwrap();
    let path = blocker.join("out.json");
    let err = write_atomic(&path, "{}").unwrap_err();
    assert_eq!(err.path, path);
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot write", path.display())),
        "{err}"
    );
    // The file in the way is untouched.
    assert_eq!(std::fs::read_to_string(&blocker).unwrap(), "x");
}

#[cfg(unix)]
#[test]
fn a_new_file_gets_the_same_permissions_as_std_fs_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, "x").unwrap();
    let atomic = dir.path().join("atomic.txt");
    write_atomic(&atomic, "x").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode(&atomic),
        mode(&plain),
        "write_atomic {:o} vs std::fs::write {:o}",
        mode(&atomic),
        mode(&plain)
    );
}

/// Issue 14, bug 7: a killed write left an anonymous `.tmpXXXX` beside the golden for good.
#[test]
fn temporary_files_are_named_for_their_target_and_swept_by_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let golden = dir.path().join("golden.json");
    let stale = dir.path().join(".golden.json.AbC123.mlharness-tmp");
    let fresh = dir.path().join(".golden.json.XyZ789.mlharness-tmp");
    let other = dir.path().join(".schema.json.Old000.mlharness-tmp");
    for p in [&stale, &fresh, &other] {
        std::fs::write(p, "half a file").unwrap();
    }
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for p in [&stale, &other] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(hour_ago)
            .unwrap();
    }
    write_atomic(&golden, "{}").unwrap();
    assert_eq!(
        entries(dir.path()),
        vec![
            ".golden.json.XyZ789.mlharness-tmp", // a minute old at most: maybe another writer's
            ".schema.json.Old000.mlharness-tmp", // another file's: its own next write sweeps it
            "golden.json",
        ]
    );
}
