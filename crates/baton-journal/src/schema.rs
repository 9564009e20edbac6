//! The journal's tables and the migrations that build them. `PRAGMA user_version` holds the
//! number of migrations applied; each runs once, in its own transaction.

use rusqlite::Connection;

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
    CREATE INDEX calls_by_status ON calls (run_id, status);
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
];

/// How many migrations this build knows.
pub(crate) const VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`VERSION`]. Returns the version found when it is newer than this
/// build (the caller refuses to touch it).
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<Result<(), i64>> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if found > VERSION {
        return Ok(Err(found));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(Ok(()))
}
