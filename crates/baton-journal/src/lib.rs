//! The run journal (SPEC §7): every run, agent call, transcript and log line, written to SQLite
//! while the run goes, so `baton resume` can return finished agents' results without paying for
//! them again, and any process can read a run.
//!
//! One [`Store`] per directory (`.baton/` of the workspace, or `$BATON_HOME`) holds
//! `journal.db` (WAL mode: readers never block the writer) and `locks/`, where the process that
//! owns a running run holds a file lock. A run whose lock nobody holds is `crashed`.
//!
//! Writing goes through one [`RunWriter`] per run: a thread that owns the connection and commits
//! events in groups. Its [`JournalSink`] is an `EventSink`; the engine settles an agent's call
//! through its `when_durable`, so the script never sees a result that is not yet committed.
//!
//! This is the only crate that speaks SQL (`rusqlite`).

mod controls;
mod error;
mod lock;
mod read;
mod rows;
mod schema;
mod store;
mod tail;
mod writer;

pub use controls::{ControlAction, ControlInbox, ControlRequest};
pub use error::JournalError;
pub use read::{CallRecord, CallStatus, LogRecord, NoteRecord, RunRecord, RunSummary};
pub use store::{NewRun, Store};
pub use tail::{Tail, TimedEvent};
pub use writer::{JournalSink, RunWriter};

/// Milliseconds since the Unix epoch: every timestamp in the journal.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
