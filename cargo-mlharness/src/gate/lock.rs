//! One gate run at a time per project: an advisory lock on `<target>/mlharness/lock`.
//!
//! The operating system releases the lock when its holder exits, however it exits, so a
//! crashed run never leaves a stale lock behind.

use super::GateError;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

impl Lock {
    /// Takes the lock in `dir`, waiting at most `timeout` for another run to finish (saying so
    /// once in `out`). The error names the holder (its process id) and the wait.
    ///
    /// ```
    /// use cargo_mlharness::gate::lock::Lock;
    /// use std::time::Duration;
    /// let dir = tempfile::tempdir()?;
    /// let held = Lock::acquire(dir.path(), Duration::ZERO, &mut std::io::sink())?;
    /// let err = Lock::acquire(dir.path(), Duration::ZERO, &mut std::io::sink()).unwrap_err();
    /// assert!(err.to_string().contains("another mlharness run"), "{err}");
    /// drop(held);
    /// Lock::acquire(dir.path(), Duration::ZERO, &mut std::io::sink())?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn acquire(dir: &Path, timeout: Duration, out: &mut dyn Write) -> Result<Lock, GateError> {
        let path = dir.join("lock");
        let io = |source: std::io::Error| GateError::Read {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        let started = Instant::now();
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    let holder = holder(&mut file);
                    if started.elapsed() >= timeout {
                        return Err(GateError::Busy {
                            path: path.clone(),
                            holder,
                            waited: started.elapsed().as_secs(),
                        });
                    }
                    if !said {
                        let _ = writeln!(
                            out,
                            "waiting for another mlharness run in this project to finish ({holder}; at most {} s, gate.lock_timeout)",
                            timeout.as_secs()
                        );
                        let _ = out.flush();
                        said = true;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        // Who holds it, for the message another run prints while it waits.
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        write!(file, "process {}", std::process::id()).map_err(io)?;
        Ok(Lock { _file: file })
    }
}

fn holder(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.read_to_string(&mut text);
    if text.trim().is_empty() {
        "holder unknown".into()
    } else {
        text.trim().to_string()
    }
}
