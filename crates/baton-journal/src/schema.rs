//! The journal's tables and the migrations that build them. `PRAGMA user_version` holds the
//! number of migrations applied; each runs once, in its own transaction.

use rusqlite::{Connection, TransactionBehavior};

/// Applied in order; never edit one that has shipped, append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: runs, agent calls, their transcripts, and the run's log.
    "
    CREATE TABLE runs (
        id               TEXT PRIMARY KEY,
        workflow         TEXT NOT NULL,
        script_path      TEXT NOT NULL,
        script           TEXT NOT NULL,
        script_hash      TEXT NOT NULL,
        args             TEXT,             -- JSON; NULL when the script got `undefined`
        cwd              TEXT NOT NULL,
        model            TEXT NOT NULL,
        seed             TEXT NOT NULL,    -- JSON [u32; 4]
        logical_start_ms REAL NOT NULL,
        resumed_from     TEXT,
        status           TEXT NOT NULL,
        attempt          INTEGER NOT NULL, -- 1, then one more per `baton resume`
        owner_pid        INTEGER,
        started_at_ms    INTEGER NOT NULL,
        ended_at_ms      INTEGER,
        result           TEXT,             -- JSON, whole
        error            TEXT
    );
    CREATE TABLE calls (
        run_id             TEXT NOT NULL,
        attempt            INTEGER NOT NULL,
        seq                INTEGER NOT NULL,
        key                TEXT NOT NULL,
        occurrence         INTEGER NOT NULL,
        label              TEXT,
        phase              TEXT,
        model              TEXT NOT NULL,
        options            TEXT NOT NULL,  -- JSON
        prompt             TEXT NOT NULL,
        status             TEXT NOT NULL,  -- running, completed, null, rejected, cached
        result             TEXT,           -- JSON
        reason             TEXT,
        input_tokens       INTEGER NOT NULL DEFAULT 0,
        output_tokens      INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd           REAL NOT NULL DEFAULT 0,
        started_at_ms      INTEGER NOT NULL,
        elapsed_ms         INTEGER,
        PRIMARY KEY (run_id, attempt, seq)
    );
    CREATE TABLE notes (
        run_id  TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        seq     INTEGER NOT NULL,
        n       INTEGER NOT NULL,
        at_ms   INTEGER NOT NULL,
        note    TEXT NOT NULL,                 -- JSON AgentNote
        PRIMARY KEY (run_id, attempt, seq, n)
    );
    CREATE TABLE logs (
        run_id  TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        n       INTEGER NOT NULL,
        at_ms   INTEGER NOT NULL,
        kind    TEXT NOT NULL,                 -- log, phase
        level   TEXT,
        text    TEXT NOT NULL,
        PRIMARY KEY (run_id, attempt, n)
    );
    ",
    // 2: requests to steer a run from another process (`baton stop|pause|unpause`), which the
    // run's owner reads, carries out and answers.
    "
    CREATE TABLE controls (
        n               INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id          TEXT NOT NULL,
        action          TEXT NOT NULL,     -- stop, pause, unpause, stop_agent, restart_agent
        agent           TEXT,              -- for agent actions: a label, or #N for call N
        requested_at_ms INTEGER NOT NULL,
        handled_at_ms   INTEGER,
        outcome         TEXT               -- what the owner did, in words
    );
    CREATE INDEX controls_waiting ON controls (run_id, handled_at_ms);
    ",
    // 3: whether a call got its slot and ran. A queued call that never started (the run ended,
    // a cap refused it, the user stopped it) ends as `null` or `rejected` too, and must not be
    // counted as an agent that ran. Older rows did not say; those that ended are taken as run.
    "
    ALTER TABLE calls ADD COLUMN ran INTEGER NOT NULL DEFAULT 0;
    UPDATE calls SET ran = 1 WHERE status NOT IN ('queued', 'cached');
    ",
];

/// How many migrations this build knows.
pub(crate) const VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`VERSION`]. Returns the version found when it is newer than this
/// build (the caller refuses to touch it).
///
/// Any process may be first to open a new journal (a run creating it while `baton runs` looks),
/// so each step reads the version inside an immediate transaction: whoever gets the write lock
/// migrates, and the other then finds the work done.
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<Result<(), i64>> {
    // The usual case, an up-to-date journal, takes no write lock.
    let current: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current == VERSION {
        return Ok(Ok(()));
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        if found > VERSION {
            return Ok(Err(found));
        }
        let Some(sql) = MIGRATIONS.get(found as usize) else {
            return Ok(Ok(()));
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
    }
}
