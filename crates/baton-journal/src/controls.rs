//! Steering a run from another process: `baton stop|pause|unpause` write a request into the
//! journal; the process that owns the run reads it within a fraction of a second, carries it
//! out and writes back what it did. The journal is the one place every process can reach, and
//! the request stays on record.
//!
//! How the owner notices a request, and why it costs next to nothing while a run waits: it
//! looks every [`ControlInbox::POLL`], but a look is `PRAGMA data_version`, which reads one
//! counter from the WAL index in shared memory (no query, no file IO) and changes only when
//! another connection has committed. The `controls` table is read only then. A wake-up every
//! 250 ms that does a few microseconds of work is about 0.005 % of a core. A truly
//! event-driven wake-up (a FIFO or socket the asker pokes) was weighed and not taken: it would
//! need a second channel besides the journal that every asker (and every older `baton`) must
//! know about, and files that outlive a crashed owner, for a saving nobody can measure.

use std::time::Duration;

use baton_model::RunId;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::{now_ms, JournalError, Store};

/// What another process asks of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlAction {
    Stop,
    Pause,
    Unpause,
    /// Stop the running agents a selector names: a label, or `#N` for call N.
    StopAgent(String),
    RestartAgent(String),
}

impl ControlAction {
    fn columns(&self) -> (&'static str, Option<&str>) {
        match self {
            ControlAction::Stop => ("stop", None),
            ControlAction::Pause => ("pause", None),
            ControlAction::Unpause => ("unpause", None),
            ControlAction::StopAgent(agent) => ("stop_agent", Some(agent)),
            ControlAction::RestartAgent(agent) => ("restart_agent", Some(agent)),
        }
    }

    fn from_columns(action: &str, agent: Option<String>) -> Option<ControlAction> {
        Some(match (action, agent) {
            ("stop", _) => ControlAction::Stop,
            ("pause", _) => ControlAction::Pause,
            ("unpause", _) => ControlAction::Unpause,
            ("stop_agent", Some(agent)) => ControlAction::StopAgent(agent),
            ("restart_agent", Some(agent)) => ControlAction::RestartAgent(agent),
            _ => return None,
        })
    }
}

/// One request waiting for the owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlRequest {
    pub n: i64,
    pub action: ControlAction,
}

impl Store {
    /// Records a request for the run's owner; returns its number, for [`Store::control_outcome`].
    pub fn request_control(
        &self,
        run: &RunId,
        action: &ControlAction,
    ) -> Result<i64, JournalError> {
        let conn = self.connect(OpenFlags::empty())?;
        let (name, agent) = action.columns();
        conn.execute(
            "INSERT INTO controls (run_id, action, agent, requested_at_ms) VALUES (?1, ?2, ?3, ?4)",
            params![run.as_str(), name, agent, now_ms()],
        )
        .map_err(|e| JournalError::from_sqlite(&self.db_path(), e))?;
        Ok(conn.last_insert_rowid())
    }

    /// What the owner did with request `n`, once it has; `None` while it waits.
    pub fn control_outcome(&self, n: i64) -> Result<Option<String>, JournalError> {
        let conn = self.connect(OpenFlags::empty())?;
        conn.query_row(
            "SELECT outcome FROM controls WHERE n = ?1 AND handled_at_ms IS NOT NULL",
            [n],
            |row| row.get::<_, Option<String>>(0),
        )
        .optional()
        .map(|found| found.map(Option::unwrap_or_default))
        .map_err(|e| JournalError::from_sqlite(&self.db_path(), e))
    }

    /// The owner's end: requests for `run` as they arrive. Requests left from an earlier
    /// owner (a run that crashed before it read them) are answered as expired first, so a
    /// resumed run is never stopped by an old `baton stop`.
    pub fn control_inbox(&self, run: &RunId) -> Result<ControlInbox, JournalError> {
        let conn = self.connect(OpenFlags::empty())?;
        let inbox = ControlInbox {
            conn,
            run: run.clone(),
            path: self.db_path(),
            seen_version: std::cell::Cell::new(None),
        };
        inbox
            .conn
            .execute(
                "UPDATE controls SET handled_at_ms = ?2,
                     outcome = 'not carried out: the run was not running when it was asked'
                 WHERE run_id = ?1 AND handled_at_ms IS NULL",
                params![run.as_str(), now_ms()],
            )
            .map_err(|e| inbox.fail(e))?;
        Ok(inbox)
    }
}

/// Requests for one run, read by its owner; one connection kept for the run's life.
pub struct ControlInbox {
    conn: Connection,
    run: RunId,
    path: std::path::PathBuf,
    /// `PRAGMA data_version` at the last look: unchanged means no other connection committed,
    /// so no request can have arrived.
    seen_version: std::cell::Cell<Option<i64>>,
}

impl std::fmt::Debug for ControlInbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlInbox")
            .field("run", &self.run)
            .finish()
    }
}

impl ControlInbox {
    /// How often the owner looks: a request takes effect well within a second.
    pub const POLL: Duration = Duration::from_millis(250);

    /// Whether another connection (another process, or this run's own writer) committed
    /// anything since the last call; true the first time. Cheap enough to ask at every poll:
    /// it reads a counter, not the table.
    pub fn maybe_new(&self) -> Result<bool, JournalError> {
        // Prepared once: parsing the pragma again was most of a look's cost.
        let version: i64 = self
            .conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut statement| statement.query_row([], |row| row.get(0)))
            .map_err(|e| self.fail(e))?;
        Ok(self.seen_version.replace(Some(version)) != Some(version))
    }

    /// Makes the next [`ControlInbox::maybe_new`] true: for a look whose read failed.
    pub fn forget_version(&self) {
        self.seen_version.set(None);
    }

    /// Requests not yet answered, oldest first.
    pub fn waiting(&self) -> Result<Vec<ControlRequest>, JournalError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT n, action, agent FROM controls
                 WHERE run_id = ?1 AND handled_at_ms IS NULL ORDER BY n",
            )
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map([self.run.as_str()], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                ))
            })
            .map_err(|e| self.fail(e))?;
        let mut requests = Vec::new();
        for row in rows {
            let (n, action, agent) = row.map_err(|e| self.fail(e))?;
            match ControlAction::from_columns(&action, agent) {
                Some(action) => requests.push(ControlRequest { n, action }),
                // Written by a newer baton: say so rather than leave the asker waiting.
                None => self.answer(n, &format!("not carried out: unknown action '{action}'"))?,
            }
        }
        Ok(requests)
    }

    /// Records what was done with request `n`; the asker prints it.
    pub fn answer(&self, n: i64, outcome: &str) -> Result<(), JournalError> {
        self.conn
            .prepare_cached("UPDATE controls SET handled_at_ms = ?2, outcome = ?3 WHERE n = ?1")
            .and_then(|mut statement| statement.execute(params![n, now_ms(), outcome]))
            .map(drop)
            .map_err(|e| self.fail(e))
    }

    fn fail(&self, error: rusqlite::Error) -> JournalError {
        JournalError::from_sqlite(&self.path, error)
    }
}
