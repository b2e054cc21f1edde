//! The gate: run every test under cargo-nextest with coverage and end on one verdict.
//!
//! `mlharness run` builds on these parts: [`config`] reads `mlharness.toml`, [`workspace`]
//! asks cargo where the project and its target directory are, [`lock`] keeps runs apart,
//! [`nextest`] drives cargo-nextest through a profile of its own, [`Kind`] classifies tests,
//! [`junit`] and [`coverage`] read what nextest and cargo-llvm-cov wrote, [`verdict`] decides
//! PASS or FAIL, [`report`] renders the summary, `report.json` and `report.md`, [`html`]
//! `report.html`; [`hook`]
//! installs git hooks and [`snapshot`] makes them test what is committed.

pub mod config;
pub mod coverage;
pub mod hook;
pub mod html;
pub mod junit;
pub mod lock;
pub mod nextest;
pub mod report;
pub mod runner;
pub mod snapshot;
pub mod verdict;
pub mod watch;
pub mod workspace;

pub use self::config::GateConfig;
/// The test kinds; the table lives in the library, beside the macros that produce them.
pub use mlharness::kind::{self, Kind};

use std::path::PathBuf;

/// Why the gate could not do its work (exit code 2: no verdict). Each names the file, command
/// or key concerned. Failing tests, too little coverage and tests that do not compile are not
/// errors: they are a FAIL verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// A file could not be read.
    #[error("{}: cannot read", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A report could not be written.
    #[error(transparent)]
    Write(#[from] mlharness::fs::WriteError),
    /// `mlharness.toml` is not valid.
    #[error("{}: {message}", path.display())]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// `mlharness.toml` is not valid TOML, or has a key or value the gate does not know.
    #[error("{}:{line}:{column}: {message}", path.display())]
    ConfigSyntax {
        /// The configuration file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The JUnit XML is malformed.
    #[error("{}:{line}: malformed JUnit XML: {message}", path.display())]
    Junit {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What the XML reader said.
        message: String,
    },
    /// The coverage summary is malformed.
    #[error("{}:{line}:{column}: malformed coverage summary: {message}", path.display())]
    Coverage {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A command could not be started.
    #[error("cannot run `{command}`")]
    Spawn {
        /// The command line.
        command: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The directory is not inside a cargo project.
    #[error("{}: not inside a cargo project (no Cargo.toml here or above): {reason}", dir.display())]
    NotCargo {
        /// The directory.
        dir: PathBuf,
        /// What cargo said.
        reason: String,
    },
    /// Another run holds the project's lock.
    #[error("another mlharness run in this project ({holder}) still holds {} after {waited} s; try again when it has finished, or raise gate.lock_timeout", path.display())]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// Who holds it.
        holder: String,
        /// Seconds waited.
        waited: u64,
    },
    /// A tool the gate needs is missing.
    #[error("{0}")]
    Tool(String),
    /// The file watcher failed.
    #[error("watching for changes failed: {0}")]
    Watch(String),
    /// Anything about git for hooks.
    #[error("{0}")]
    Git(String),
    /// A hook the user wrote is in the way.
    #[error("{0}")]
    Hook(String),
}
