//! Test fixtures: the workspace's `fixtures/` directory, a temporary directory kept when the test
//! fails, a seeded RNG whose seed is printed when the test fails, and datasets loaded from
//! `fixtures/`. Plain functions, and rstest fixtures with the `rstest` feature:
//!
//! ```
//! use mlharness::fixtures::{seeded_rng, temp_dir};
//! use rand::Rng;
//!
//! // With rstest: `#[rstest] fn writes(temp_dir: TestDir, mut seeded_rng: SeededRng) { … }`.
//! let dir = temp_dir();
//! let mut rng = seeded_rng();
//! std::fs::write(dir.path().join("x.txt"), format!("{}", rng.gen::<u8>()))?;
//! assert!(dir.path().join("x.txt").exists());
//! # Ok::<(), std::io::Error>(())
//! ```

use crate::data::{CsvOptions, Dataset};
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// The environment variable that forces [`seeded_rng`]'s seed (e.g. to replay a failure).
pub const SEED_VAR: &str = "MLHARNESS_SEED";

/// The workspace's `fixtures/` directory: `fixtures/` beside the nearest `Cargo.toml` above the
/// package that declares `[workspace]`, else the package's own `fixtures/`. Found from
/// `CARGO_MANIFEST_DIR`, which cargo sets for tests.
#[cfg_attr(feature = "rstest", rstest::fixture)]
pub fn fixtures_dir() -> PathBuf {
    let package = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    package
        .ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|toml| toml.lines().any(|l| l.trim() == "[workspace]"))
        })
        .unwrap_or(&package)
        .join("fixtures")
}

/// A CSV file of the workspace's `fixtures/`, loaded with inferred kinds. Panics with the
/// loading error (file, line, column) when it cannot be read: it is a fixture, not input.
///
/// ```
/// let churn = mlharness::fixtures::dataset("churn.csv");
/// assert_eq!(churn.n_rows(), 5000);
/// ```
#[track_caller]
pub fn dataset(name: &str) -> Dataset {
    dataset_with(name, &CsvOptions::default())
}

/// Like [`dataset`], with CSV options (a target, declared kinds).
#[track_caller]
pub fn dataset_with(name: &str, options: &CsvOptions) -> Dataset {
    let path = fixtures_dir().join(name);
    Dataset::from_csv_with(&path, options).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// A fresh temporary directory, removed when the test passes and kept (its path printed) when
/// the test panics, so the files a failing test wrote can be inspected.
#[derive(Debug)]
pub struct TestDir {
    dir: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl TestDir {
    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            if let Some(dir) = self.dir.take() {
                let kept = dir.keep();
                eprintln!(
                    "mlharness: kept the failing test's directory {}",
                    kept.display()
                );
            }
        }
    }
}

/// A fresh [`TestDir`].
#[cfg_attr(feature = "rstest", rstest::fixture)]
pub fn temp_dir() -> TestDir {
    let dir = tempfile::Builder::new()
        .prefix("mlharness-")
        .tempdir()
        .expect("create a temporary directory");
    let path = dir.path().to_path_buf();
    TestDir {
        dir: Some(dir),
        path,
    }
}

/// A seeded random number generator (ChaCha8) that prints its seed when the test panics. The
/// seed is `MLHARNESS_SEED` when set, random otherwise: replay a failure with
/// `MLHARNESS_SEED=<seed> cargo nextest run <test>`.
#[derive(Debug)]
pub struct SeededRng {
    seed: u64,
    rng: ChaCha8Rng,
}

impl SeededRng {
    /// A generator with this seed.
    pub fn from_seed(seed: u64) -> Self {
        SeededRng {
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

impl RngCore for SeededRng {
    fn next_u32(&mut self) -> u32 {
        self.rng.next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.rng.fill_bytes(dest)
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.rng.try_fill_bytes(dest)
    }
}

impl Drop for SeededRng {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "mlharness: this test's random seed was {seed}; replay it with {SEED_VAR}={seed}",
                seed = self.seed
            );
        }
    }
}

/// A [`SeededRng`] seeded from `MLHARNESS_SEED`, or randomly. An unparsable `MLHARNESS_SEED`
/// panics naming it rather than silently using another seed.
#[cfg_attr(feature = "rstest", rstest::fixture)]
pub fn seeded_rng() -> SeededRng {
    let seed = match std::env::var(SEED_VAR) {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{SEED_VAR}={text:?} is not an unsigned integer seed")),
        Err(_) => rand::random(),
    };
    SeededRng::from_seed(seed)
}
