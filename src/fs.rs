//! Writing files so that a reader never sees half of one.
//!
//! Goldens, reports, artifacts and hooks are written to a temporary file beside the target,
//! flushed to disk, then renamed over it: a killed run leaves either the old file or the new
//! one, never a truncated mix. The temporary file is named `.<name>.<random>.mlharness-tmp`;
//! one that a killed run left behind is removed by the next write to the same file (once it is
//! a minute old, so a concurrent writer's is never taken). Ignore `*.mlharness-tmp` in git.

use std::io::Write;
use std::path::{Path, PathBuf};

/// How a temporary file of [`write_atomic`] ends.
pub const TMP_SUFFIX: &str = ".mlharness-tmp";

/// Removes temporary files that a killed write to the same target left in `dir`.
fn sweep(dir: &Path, prefix: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale = name.starts_with(prefix)
            && name.ends_with(TMP_SUFFIX)
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < minute_ago);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A file could not be written; names the file.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write", path.display())]
pub struct WriteError {
    /// The file.
    pub path: PathBuf,
    /// The cause.
    pub source: std::io::Error,
}

/// Writes `contents` to `path` atomically, creating parent directories as needed.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("reports/report.json");
/// mlharness::fs::write_atomic(&path, "{}")?;
/// assert_eq!(std::fs::read_to_string(&path)?, "{}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_atomic(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> Result<(), WriteError> {
    let path = path.as_ref();
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(err)?;
    let prefix = format!(
        ".{}.",
        path.file_name().unwrap_or_default().to_string_lossy()
    );
    sweep(parent, &prefix);
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(TMP_SUFFIX)
        .tempfile_in(parent)
        .map_err(err)?;
    tmp.write_all(contents.as_ref()).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    // Keep the permissions of a file we replace (an executable hook stays executable); give a
    // new file the usual rw-r--r-- rather than the temporary file's private 0600.
    match std::fs::metadata(path) {
        Ok(meta) => std::fs::set_permissions(tmp.path(), meta.permissions()).map_err(err)?,
        Err(_) => set_new_file_mode(tmp.path()).map_err(err)?,
    }
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn set_new_file_mode(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_new_file_mode(_: &Path) -> std::io::Result<()> {
    Ok(())
}
