//! What can go wrong with a journal, each worded for the user who has to act on it.

use std::path::PathBuf;

use baton_model::RunId;

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("no runs have been recorded here: {} does not exist (runs are kept in .baton/ of the workspace, or in $BATON_HOME)", path.display())]
    Missing { path: PathBuf },
    #[error("{} is not a readable baton journal ({reason}); move it aside, with its -wal and -shm files if there are any, and baton will start a new one", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("{} was written by a newer baton (journal version {found}, this baton knows {known}); upgrade baton to read it", path.display())]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("no run {id} in {}; `baton runs` lists the runs recorded there", path.display())]
    UnknownRun { id: String, path: PathBuf },
    #[error("run {id} is still running in another process; wait for it to end, or interrupt that process first")]
    Busy { id: RunId },
    #[error("cannot use the journal {}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },
}

impl JournalError {
    /// Sorts an SQLite failure: a file that is not a database, or damaged, is `Corrupt` (the
    /// user can move it aside); anything else is `Io`.
    pub(crate) fn from_sqlite(path: &std::path::Path, error: rusqlite::Error) -> JournalError {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        let path = path.to_path_buf();
        match error.sqlite_error_code() {
            Some(NotADatabase | DatabaseCorrupt) => JournalError::Corrupt {
                path,
                reason: error.to_string(),
            },
            _ => JournalError::Io {
                path,
                reason: error.to_string(),
            },
        }
    }
}
