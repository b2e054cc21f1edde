//! Reading the JSON summary that `cargo llvm-cov --json --summary-only` writes.

use super::workspace::Workspace;
use super::GateError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Covered out of count, and the percentage.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Count {
    /// Items (lines, functions, regions).
    pub count: u64,
    /// Items executed at least once.
    pub covered: u64,
    /// `covered / count` in percent (100 when there is nothing to cover).
    pub percent: f64,
}

impl Count {
    fn add(&mut self, other: &Count) {
        self.count += other.count;
        self.covered += other.covered;
        self.percent = if self.count == 0 {
            100.0
        } else {
            100.0 * self.covered as f64 / self.count as f64
        };
    }
}

/// Line, function and region coverage.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Lines.
    pub lines: Count,
    /// Functions.
    pub functions: Count,
    /// Regions (the finest unit LLVM counts).
    pub regions: Count,
}

impl Summary {
    fn add(&mut self, other: &Summary) {
        self.lines.add(&other.lines);
        self.functions.add(&other.functions);
        self.regions.add(&other.regions);
    }
}

/// Coverage of a whole run: totals, and per crate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Over the files of the workspace's crates that count (see [`Scope`]).
    pub totals: Summary,
    /// Per workspace crate.
    pub crates: BTreeMap<String, Summary>,
}

#[derive(Deserialize)]
struct Export {
    data: Vec<ExportData>,
}

#[derive(Deserialize)]
struct ExportData {
    #[serde(default)]
    files: Vec<ExportFile>,
}

#[derive(Deserialize)]
struct ExportFile {
    filename: PathBuf,
    summary: Summary,
}

/// Which files count towards a project's coverage figure: files of its workspace crates, less
/// those matching `[coverage] exclude`. Everything else llvm-cov saw — mlharness itself and any
/// other dependency built from a path outside the workspace — is left out.
pub struct Scope {
    root: PathBuf,
    crates: Vec<(String, PathBuf)>,
    exclude: globset::GlobSet,
}

impl Scope {
    /// The scope of a workspace with the `exclude` globs (relative to its root).
    pub fn new(ws: &Workspace, exclude: &[String]) -> Result<Scope, GateError> {
        Scope::from_parts(&ws.root, ws.crates.clone(), exclude)
    }

    /// The scope of crates (name and directory) below `root`, with the `exclude` globs.
    ///
    /// ```
    /// use cargo_mlharness::gate::coverage::Scope;
    /// let scope = Scope::from_parts("/p".as_ref(), vec![("app".into(), "/p".into())], &["src/bin/**".into()])?;
    /// assert_eq!(scope.owner("/p/src/lib.rs".as_ref()), Some("app"));
    /// assert_eq!(scope.owner("/p/src/bin/serve.rs".as_ref()), None);
    /// assert_eq!(scope.owner("/home/u/mlharness/src/edge/mod.rs".as_ref()), None);
    /// # Ok::<(), cargo_mlharness::gate::GateError>(())
    /// ```
    pub fn from_parts(
        root: &Path,
        crates: Vec<(String, PathBuf)>,
        exclude: &[String],
    ) -> Result<Scope, GateError> {
        let mut set = globset::GlobSetBuilder::new();
        for pattern in exclude {
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| GateError::Config {
                    path: root.join("mlharness.toml"),
                    message: format!("`coverage.exclude`: `{pattern}` is not a glob: {e}"),
                })?;
            set.add(glob);
        }
        let exclude = set.build().map_err(|e| GateError::Config {
            path: root.join("mlharness.toml"),
            message: format!("`coverage.exclude`: {e}"),
        })?;
        Ok(Scope {
            root: root.to_path_buf(),
            crates,
            exclude,
        })
    }

    /// The crate a file counts for, or `None` when it is left out.
    pub fn owner(&self, file: &Path) -> Option<&str> {
        let owner = self
            .crates
            .iter()
            .filter(|(_, dir)| file.starts_with(dir))
            .max_by_key(|(_, dir)| dir.as_os_str().len())?;
        let relative = file.strip_prefix(&self.root).unwrap_or(file);
        (!self.exclude.is_match(relative)).then_some(owner.0.as_str())
    }
}

/// Parses an llvm-cov JSON export. Each file counts for the crate [`Scope::owner`] gives it;
/// the totals are over those files only. Returns the coverage and the files left out.
///
/// ```
/// use cargo_mlharness::gate::coverage::{parse, Scope};
/// let json = r#"{"type":"llvm.coverage.json.export","version":"3.1.0","data":[{
///   "totals":{"lines":{"count":30,"covered":18,"percent":60.0},
///             "functions":{"count":3,"covered":2,"percent":66.7},
///             "regions":{"count":6,"covered":4,"percent":66.7}},
///   "files":[
///     {"filename":"/p/src/lib.rs","summary":{"lines":{"count":10,"covered":8,"percent":80.0},
///       "functions":{"count":2,"covered":2,"percent":100.0},"regions":{"count":4,"covered":3,"percent":75.0}}},
///     {"filename":"/elsewhere/mlharness/src/edge.rs","summary":{"lines":{"count":20,"covered":10,"percent":50.0},
///       "functions":{"count":1,"covered":0,"percent":0.0},"regions":{"count":2,"covered":1,"percent":50.0}}}]}]}"#;
/// let scope = Scope::from_parts("/p".as_ref(), vec![("app".into(), "/p".into())], &[])?;
/// let (cov, left_out) = parse(json, "coverage.json".as_ref(), &scope)?;
/// assert_eq!(cov.totals.lines.percent, 80.0);
/// assert_eq!(left_out, vec![std::path::PathBuf::from("/elsewhere/mlharness/src/edge.rs")]);
/// # Ok::<(), cargo_mlharness::gate::GateError>(())
/// ```
pub fn parse(
    json: &str,
    path: &Path,
    scope: &Scope,
) -> Result<(Coverage, Vec<PathBuf>), GateError> {
    let export: Export = serde_json::from_str(json).map_err(|e| GateError::Coverage {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    let data = export
        .data
        .into_iter()
        .next()
        .ok_or_else(|| GateError::Coverage {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: "`data` is empty: llvm-cov exported no coverage".into(),
        })?;
    let mut crates: BTreeMap<String, Summary> = BTreeMap::new();
    let mut totals = Summary::default();
    let mut left_out = Vec::new();
    for file in data.files {
        match scope.owner(&file.filename) {
            Some(owner) => {
                totals.add(&file.summary);
                crates
                    .entry(owner.to_string())
                    .or_default()
                    .add(&file.summary);
            }
            None => left_out.push(file.filename),
        }
    }
    if totals.lines.count == 0 && totals.functions.count == 0 {
        // Nothing of the workspace was instrumented: 100% of nothing would be a false PASS.
        totals.lines.percent = 0.0;
    }
    Ok((Coverage { totals, crates }, left_out))
}

/// A regex for llvm-cov's `--ignore-filename-regex` matching exactly `files`, so `lcov.info`
/// and `cobertura.xml` leave out what the figure leaves out; `None` when nothing is.
///
/// ```
/// use cargo_mlharness::gate::coverage::ignore_regex;
/// assert_eq!(ignore_regex(&["/a/b.rs".into()]).as_deref(), Some("^(/a/b\\.rs)$"));
/// assert_eq!(ignore_regex(&[]), None);
/// ```
pub fn ignore_regex(files: &[PathBuf]) -> Option<String> {
    if files.is_empty() {
        return None;
    }
    let escaped: Vec<String> = files
        .iter()
        .map(|f| {
            let mut e = String::new();
            for c in f.to_string_lossy().chars() {
                if "\\.+*?()|[]{}^$".contains(c) {
                    e.push('\\');
                }
                e.push(c);
            }
            e
        })
        .collect();
    Some(format!("^({})$", escaped.join("|")))
}

/// Reads and parses a coverage summary file (see [`parse`]).
pub fn read(path: &Path, scope: &Scope) -> Result<(Coverage, Vec<PathBuf>), GateError> {
    let json = std::fs::read_to_string(path).map_err(|source| GateError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&json, path, scope)
}
