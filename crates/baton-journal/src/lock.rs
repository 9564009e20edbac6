//! Who owns a running run: the owning process holds an exclusive lock on
//! `locks/<run id>.lock`. The kernel releases it when the process dies, however it dies
//! (`kill -9`, a reboot), so "nobody holds the lock" is exactly "the owner is gone", with no
//! heartbeat to tune and no pid reuse to fool it.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

use baton_model::RunId;

use crate::JournalError;

/// Held for as long as the run runs here; dropping it releases the lock. The file stays:
/// removing it would let a second owner lock a new file while the first still holds the old.
#[derive(Debug)]
pub(crate) struct OwnerLock {
    _file: File,
}

fn lock_path(dir: &Path, id: &RunId) -> PathBuf {
    dir.join("locks").join(format!("{id}.lock"))
}

fn open(dir: &Path, id: &RunId) -> Result<File, JournalError> {
    let path = lock_path(dir, id);
    let io = |e: std::io::Error| JournalError::Io {
        path: path.clone(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir.join("locks")).map_err(io)?;
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)
}

/// Takes ownership of a run, or says it is busy (another process runs it).
pub(crate) fn acquire(dir: &Path, id: &RunId) -> Result<OwnerLock, JournalError> {
    let file = open(dir, id)?;
    // A reader asking "is the owner alive?" holds a shared lock for a moment; only a lock
    // that stays taken means an owner.
    for _ in 0..20 {
        match file.try_lock() {
            Ok(()) => return Ok(OwnerLock { _file: file }),
            Err(TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(10)),
            Err(TryLockError::Error(e)) => {
                return Err(JournalError::Io {
                    path: lock_path(dir, id),
                    reason: e.to_string(),
                })
            }
        }
    }
    Err(JournalError::Busy { id: id.clone() })
}

/// True when some process holds the run's lock. A missing lock file means nobody does.
pub(crate) fn owner_alive(dir: &Path, id: &RunId) -> bool {
    let Ok(file) = File::open(lock_path(dir, id)) else {
        return false;
    };
    // A shared lock conflicts only with the owner's exclusive one, so two readers asking at
    // once never make each other think the owner is alive.
    match file.try_lock_shared() {
        Ok(()) => false,
        Err(TryLockError::WouldBlock) => true,
        Err(TryLockError::Error(_)) => false,
    }
}
