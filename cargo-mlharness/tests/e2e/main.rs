//! End to end, as a user meets mlharness: throwaway cargo projects, created here, that depend
//! on mlharness by path; the built `mlharness` program run on them as a user runs it. They
//! share one target directory, so dependencies build once, and take turns (a lock file), so
//! two cargo builds never compete for this machine's cores and each test reads its own report.

mod gate;
mod hooks;
mod init;
mod macros;
mod schema;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository (the `mlharness` crate's directory).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cargo-mlharness lies inside the repository")
        .to_path_buf()
}

/// The target directory every throwaway project shares: `MLHARNESS_E2E_TARGET` when set (CI
/// points the plain and the coverage run at one, so the second builds nothing the first
/// built), else one beside this test binary's build.
pub fn shared_target() -> PathBuf {
    match std::env::var_os("MLHARNESS_E2E_TARGET") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e-target"),
    }
}

/// The turn of one test: held for the whole test.
pub struct Turn {
    _file: File,
}

/// Waits for this test's turn: one lock beside the shared target, whichever run takes it.
pub fn turn() -> Turn {
    let target = shared_target();
    let parent = target.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).unwrap();
    let name = format!(
        "{}.lock",
        target.file_name().unwrap_or_default().to_string_lossy()
    );
    let file = File::create(parent.join(name)).unwrap();
    file.lock().expect("the e2e lock");
    Turn { _file: file }
}

/// A throwaway project in a temporary directory.
pub struct Project {
    pub dir: tempfile::TempDir,
    /// `CARGO_TARGET_DIR` for commands run in it; `None` leaves cargo to find it.
    pub target_env: Option<PathBuf>,
}

impl Project {
    /// An empty directory.
    pub fn empty() -> Project {
        Project {
            dir: tempfile::Builder::new()
                .prefix("mlharness-e2e-")
                .tempdir()
                .unwrap(),
            target_env: Some(shared_target()),
        }
    }

    /// `cargo new --lib NAME` with mlharness as a dev-dependency (by path) and the repository's
    /// lock file, so it builds the versions mlharness is tested with.
    pub fn library(name: &str) -> Project {
        let p = Project::empty();
        p.cargo_new(".", name);
        p
    }

    /// `cargo new --lib` at `rel` (relative to the project), with mlharness added.
    pub fn cargo_new(&self, rel: &str, name: &str) {
        let dir = self.path(rel);
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("cargo")
            .current_dir(&dir)
            .args(["init", "--lib", "--vcs", "none", "--quiet", "--name", name])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        let manifest = dir.join("Cargo.toml");
        let mut toml = std::fs::read_to_string(&manifest).unwrap();
        toml.push_str(&format!(
            "\n[dev-dependencies]\nmlharness = {{ path = {:?} }}\n",
            repo().display().to_string()
        ));
        std::fs::write(&manifest, toml).unwrap();
        if rel == "." {
            std::fs::copy(repo().join("Cargo.lock"), self.path("Cargo.lock")).unwrap();
            self.settle_lock_file();
        }
    }

    /// Lets cargo prune the copied lock file to this project's dependencies now, so that the
    /// runs under test change nothing of the project's.
    pub fn settle_lock_file(&self) {
        let out = self
            .command("cargo")
            .args(["metadata", "--format-version", "1"])
            .stdout(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    /// A command in the project, with the environment of whatever runs this test (an outer
    /// coverage run, nextest) taken away, as in a user's shell.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.dir.path()).stdin(Stdio::null());
        for (key, _) in std::env::vars_os() {
            let key = key.to_string_lossy();
            if key.contains("LLVM_COV")
                || key.starts_with("NEXTEST")
                || key.starts_with("CARGO_BUILD")
                || key.starts_with("CARGO_ENCODED")
                || key.starts_with("CARGO_TARGET")
                || key.starts_with("CARGO_PKG")
                || key.starts_with("CARGO_MANIFEST")
                || key == "CARGO_PRIMARY_PACKAGE"
                || key == "RUSTFLAGS"
                || key == "RUSTDOCFLAGS"
                || key == "RUSTC_WRAPPER"
                || key == "RUSTC_WORKSPACE_WRAPPER"
                || key == "MLHARNESS_UPDATE"
                // Set when this suite runs from a git hook; they would point git in the
                // throwaway projects at the outer repository.
                || key.starts_with("GIT_")
            {
                cmd.env_remove(key.as_ref());
            }
        }
        if let Some(t) = &self.target_env {
            cmd.env("CARGO_TARGET_DIR", t);
        }
        cmd
    }

    /// `mlharness ARGS` in the project.
    pub fn mlharness(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(env!("CARGO_BIN_EXE_mlharness"));
        Run::of(cmd.args(args))
    }

    /// `git ARGS` in the project; panics with git's stderr if it fails.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.command("git").args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    /// `git ARGS` that may fail: the whole run.
    pub fn git_run(&self, args: &[&str]) -> Run {
        Run::of(self.command("git").args(args))
    }

    /// A git repository with a first commit of everything present.
    pub fn git_init(&self) {
        self.git(&["init", "-q", "-b", "main"]);
        self.git(&["config", "user.email", "e2e@example.invalid"]);
        self.git(&["config", "user.name", "e2e"]);
        self.write(".gitignore", "/target\n");
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", "first"]);
    }

    /// The report of the last gate run in this project.
    pub fn report(&self) -> serde_json::Value {
        let dir = self
            .target_env
            .clone()
            .unwrap_or_else(|| self.path("target"));
        let text = std::fs::read_to_string(dir.join("mlharness/report.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }
}

/// A finished command: exit code and output.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn of(cmd: &mut Command) -> Run {
        let out: Output = cmd.output().expect("the command starts");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: text(&out.stdout),
            stderr: text(&out.stderr),
        }
    }

    /// Standard output then standard error (git shows a hook's output on its stderr).
    pub fn output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// The last line of stdout.
    pub fn verdict(&self) -> &str {
        self.stdout.lines().last().unwrap_or_default()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Every file below `dir` (outside `target/` and `.git/`) with a hash of its contents, to show
/// that a run changed nothing of the user's.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let name = entry.file_name();
            if name == "target" || name == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let mut hasher = std::hash::DefaultHasher::new();
                std::hash::Hash::hash(&std::fs::read(&path).unwrap(), &mut hasher);
                files.push((
                    path.strip_prefix(dir).unwrap().to_path_buf(),
                    std::hash::Hasher::finish(&hasher),
                ));
            }
        }
    }
    files.sort();
    files
}
