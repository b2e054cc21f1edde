//! The project the gate runs in, as cargo sees it: one `cargo metadata` call.

use super::GateError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where the gate writes, below cargo's target directory.
pub const REPORT_SUBDIR: &str = "mlharness";

/// A cargo workspace: a single crate or several members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The workspace root (the directory of the root `Cargo.toml`).
    pub root: PathBuf,
    /// Cargo's target directory: `CARGO_TARGET_DIR`, `[build] target-dir`, or `target/`.
    pub target_dir: PathBuf,
    /// Each member crate's name and directory, for coverage per crate.
    pub crates: Vec<(String, PathBuf)>,
}

impl Workspace {
    /// The workspace around `dir`.
    pub fn locate(dir: &Path) -> Result<Workspace, GateError> {
        let mut cmd = Command::new("cargo");
        cmd.current_dir(dir)
            .args(["metadata", "--no-deps", "--format-version", "1"]);
        let out = cmd.output().map_err(|source| GateError::Spawn {
            command: "cargo metadata".into(),
            source,
        })?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let reason = stderr
                .lines()
                .find(|l| l.starts_with("error"))
                .unwrap_or(stderr.trim())
                .trim_start_matches("error: ")
                .to_string();
            if stderr.contains("could not find `Cargo.toml`") {
                return Err(GateError::NotCargo {
                    dir: dir.to_path_buf(),
                    reason,
                });
            }
            return Err(GateError::Spawn {
                command: "cargo metadata".into(),
                source: std::io::Error::other(stderr.trim().to_string()),
            });
        }
        Self::from_metadata(&String::from_utf8_lossy(&out.stdout))
    }

    /// Reads the JSON of `cargo metadata --no-deps --format-version 1`.
    ///
    /// ```
    /// use cargo_mlharness::gate::workspace::Workspace;
    /// let json = r#"{"workspace_root": "/p", "target_directory": "/tmp/t",
    ///   "packages": [{"name": "a", "manifest_path": "/p/a/Cargo.toml"}]}"#;
    /// let ws = Workspace::from_metadata(json)?;
    /// assert_eq!(ws.report_dir(), std::path::Path::new("/tmp/t/mlharness"));
    /// assert_eq!(ws.crates[0].1, std::path::Path::new("/p/a"));
    /// # Ok::<(), cargo_mlharness::gate::GateError>(())
    /// ```
    pub fn from_metadata(json: &str) -> Result<Workspace, GateError> {
        let bad = |what: &str| GateError::Spawn {
            command: "cargo metadata".into(),
            source: std::io::Error::other(format!("unexpected output: {what}")),
        };
        let meta: serde_json::Value =
            serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
        let root = PathBuf::from(
            meta["workspace_root"]
                .as_str()
                .ok_or_else(|| bad("no workspace_root"))?,
        );
        let target_dir = meta["target_directory"]
            .as_str()
            .map_or_else(|| root.join("target"), PathBuf::from);
        let crates = meta["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                let name = p["name"].as_str()?.to_string();
                let manifest = PathBuf::from(p["manifest_path"].as_str()?);
                Some((name, manifest.parent()?.to_path_buf()))
            })
            .collect();
        Ok(Workspace {
            root,
            target_dir,
            crates,
        })
    }

    /// `<target>/mlharness`: reports, the log, the lock, the nextest profile.
    pub fn report_dir(&self) -> PathBuf {
        self.target_dir.join(REPORT_SUBDIR)
    }

    /// The report directory as the user should read it: relative to the workspace root when
    /// it lies below it.
    pub fn report_dir_display(&self) -> String {
        let dir = self.report_dir();
        dir.strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .unwrap_or(dir)
            .display()
            .to_string()
    }
}
