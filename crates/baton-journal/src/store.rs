//! Opening a journal, and starting or resuming a run in it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use baton_model::RunId;
use rusqlite::{params, Connection, OpenFlags};
use serde_json::Value;

use crate::writer::RunWriter;
use crate::{lock, now_ms, schema, JournalError};

const DB_FILE: &str = "journal.db";

/// Written into the store's directory so a workspace's `git status` never shows the journal.
/// It names itself: the directory may also hold a `config.toml` the user wants to commit.
const GITIGNORE: &str = "# Written by baton: the run journal stays out of git.\n\
/.gitignore\n/journal.db\n/journal.db-*\n/locks/\n/logs/\n";

/// A journal directory: `journal.db` and the owners' locks.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// Everything a new run records before its script starts.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub id: RunId,
    pub workflow: String,
    pub script_path: String,
    pub script: String,
    pub script_hash: String,
    pub args: Option<Value>,
    pub cwd: String,
    pub model: String,
    pub seed: [u32; 4],
    pub logical_start_ms: f64,
    /// The run whose results this one reuses (`--resume-from`).
    pub resumed_from: Option<RunId>,
}

impl Store {
    /// The journal in `dir`, created (with its directory) when there is none yet.
    pub fn create(dir: &Path) -> Result<Store, JournalError> {
        let io = |e: std::io::Error| JournalError::Io {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            std::fs::write(&ignore, GITIGNORE).map_err(io)?;
        }
        let store = Store {
            dir: dir.to_path_buf(),
        };
        store.connect(OpenFlags::SQLITE_OPEN_CREATE)?;
        Ok(store)
    }

    /// The journal in `dir`, which must exist: readers never create one.
    pub fn open(dir: &Path) -> Result<Store, JournalError> {
        let store = Store {
            dir: dir.to_path_buf(),
        };
        if !store.db_path().is_file() {
            return Err(JournalError::Missing {
                path: store.db_path(),
            });
        }
        store.connect(OpenFlags::empty())?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    /// A connection in WAL mode with the schema up to date. Every reader and the writer use
    /// their own; WAL lets them all work at once.
    pub(crate) fn connect(&self, extra: OpenFlags) -> Result<Connection, JournalError> {
        let path = self.db_path();
        let fail = |e| JournalError::from_sqlite(&path, e);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | extra;
        let mut conn = Connection::open_with_flags(&path, flags).map_err(fail)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(fail)?;
        // The first statement that reads the file is where a damaged or foreign file shows.
        conn.pragma_update(None, "journal_mode", "wal")
            .map_err(fail)?;
        // Commits reach the WAL at once (a killed process loses nothing); the writer syncs the
        // WAL to disk at most ~100 ms later (see `writer.rs`).
        conn.pragma_update(None, "synchronous", "normal")
            .map_err(fail)?;
        match schema::migrate(&mut conn).map_err(fail)? {
            Ok(()) => Ok(conn),
            Err(found) => Err(JournalError::TooNew {
                path,
                found,
                known: schema::VERSION,
            }),
        }
    }

    /// Records a new run as `running`, owned by this process, and returns its writer.
    pub fn begin_run(&self, run: &NewRun) -> Result<RunWriter, JournalError> {
        let owner = lock::acquire(&self.dir, &run.id)?;
        let conn = self.connect(OpenFlags::empty())?;
        let seed = serde_json::to_string(&run.seed).unwrap_or_default();
        let args = run.args.as_ref().map(Value::to_string);
        conn.execute(
            "INSERT INTO runs (id, workflow, script_path, script, script_hash, args, cwd, model,
                               seed, logical_start_ms, resumed_from, status, attempt, owner_pid,
                               started_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'running', 1, ?12, ?13)",
            params![
                run.id.as_str(),
                run.workflow,
                run.script_path,
                run.script,
                run.script_hash,
                args,
                run.cwd,
                run.model,
                seed,
                run.logical_start_ms,
                run.resumed_from.as_ref().map(RunId::as_str),
                std::process::id(),
                now_ms(),
            ],
        )
        .map_err(|e| JournalError::from_sqlite(&self.db_path(), e))?;
        RunWriter::start(self, conn, run.id.clone(), 1, owner)
    }

    /// Takes over an existing run for one more attempt: it becomes `running` again, owned by
    /// this process. Refused while another process still runs it. An earlier result stays
    /// until the new attempt returns one.
    pub fn resume_run(&self, id: &RunId) -> Result<RunWriter, JournalError> {
        let owner = lock::acquire(&self.dir, id)?;
        let conn = self.connect(OpenFlags::empty())?;
        let changed = conn
            .execute(
                "UPDATE runs SET status = 'running', attempt = attempt + 1, owner_pid = ?2,
                                 ended_at_ms = NULL, error = NULL
                 WHERE id = ?1",
                params![id.as_str(), std::process::id()],
            )
            .map_err(|e| JournalError::from_sqlite(&self.db_path(), e))?;
        if changed == 0 {
            return Err(self.unknown_run(id.as_str()));
        }
        let attempt: u32 = conn
            .query_row(
                "SELECT attempt FROM runs WHERE id = ?1",
                [id.as_str()],
                |row| row.get(0),
            )
            .map_err(|e| JournalError::from_sqlite(&self.db_path(), e))?;
        RunWriter::start(self, conn, id.clone(), attempt, owner)
    }

    pub(crate) fn unknown_run(&self, id: &str) -> JournalError {
        JournalError::UnknownRun {
            id: id.to_string(),
            path: self.db_path(),
        }
    }

    pub(crate) fn owner_alive(&self, id: &RunId) -> bool {
        lock::owner_alive(&self.dir, id)
    }
}
