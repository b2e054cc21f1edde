//! `mlharness::fixtures`: the workspace's fixtures directory, datasets, and a seeded RNG.

use mlharness::fixtures::{self, SeededRng};
use rand::Rng;

#[test]
fn fixtures_dir_is_the_workspace_fixtures() {
    let dir = fixtures::fixtures_dir();
    assert!(dir.join("churn.csv").is_file(), "{}", dir.display());
    assert_eq!(fixtures::dataset("churn.csv").n_rows(), 5000);
}

#[test]
fn a_missing_fixture_panics_naming_it() {
    let panic = std::panic::catch_unwind(|| fixtures::dataset("nope.csv")).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(message.starts_with("fixture nope.csv: "), "{message}");
    assert!(message.contains("cannot read"), "{message}");
}

#[test]
fn the_same_seed_gives_the_same_numbers() {
    let a: Vec<u32> = (0..5)
        .map({
            let mut r = SeededRng::from_seed(7);
            move |_| r.gen()
        })
        .collect();
    let b: Vec<u32> = (0..5)
        .map({
            let mut r = SeededRng::from_seed(7);
            move |_| r.gen()
        })
        .collect();
    assert_eq!(a, b);
    assert_eq!(SeededRng::from_seed(7).seed(), 7);
}

#[test]
fn a_temp_dir_is_removed_after_a_passing_test() {
    let dir = fixtures::temp_dir();
    let path = dir.path().to_path_buf();
    std::fs::write(path.join("f"), "x").unwrap();
    drop(dir);
    assert!(!path.exists());
}

#[test]
fn a_temp_dir_is_kept_when_the_test_panics() {
    let kept = std::sync::Mutex::new(None);
    let _ = std::panic::catch_unwind(|| {
        let dir = fixtures::temp_dir();
        *kept.lock().unwrap() = Some(dir.path().to_path_buf());
        panic!("the test fails");
    });
    let path = kept.into_inner().unwrap().unwrap();
    assert!(path.exists(), "{}", path.display());
    std::fs::remove_dir_all(path).unwrap();
}
