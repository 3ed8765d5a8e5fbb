//! One run per ledger at a time: an exclusive lock on a file beside the ledger, held for the
//! whole run. The operating system releases it when the process ends, however it ends, so a
//! killed run never leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

/// Why the lock was not taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockError {
    /// Another run holds it.
    Held(PathBuf),
    /// The lock file could not be created.
    Io(PathBuf, String),
}

impl RunLock {
    /// The lock file of the ledger at `ledger`.
    pub fn path_for(ledger: &Path) -> PathBuf {
        let mut name = ledger.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        ledger.with_file_name(name)
    }

    /// Takes the lock of the ledger at `ledger`, without waiting.
    pub fn acquire(ledger: &Path) -> Result<RunLock, LockError> {
        let path = RunLock::path_for(ledger);
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| LockError::Io(path.clone(), e.to_string()))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| LockError::Io(path.clone(), e.to_string()))?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held(path)),
            Err(TryLockError::Error(e)) => Err(LockError::Io(path, e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_run_cannot_take_the_lock_until_the_first_ends() {
        let folder = tempfile::tempdir().unwrap();
        let ledger = folder.path().join("ledger.sqlite");
        let first = RunLock::acquire(&ledger).unwrap();
        assert!(matches!(RunLock::acquire(&ledger), Err(LockError::Held(_))));
        drop(first);
        assert!(RunLock::acquire(&ledger).is_ok());
    }
}
