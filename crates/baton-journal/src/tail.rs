//! Following a run that another process writes: each [`Tail::poll`] turns what the journal
//! gained since the last one into the [`Event`]s the owner emitted, so `baton watch` feeds the
//! same monitor as `baton run`.

use std::collections::HashMap;

use baton_model::{AgentEnd, CallKey, Event, RunId, RunStatus};
use rusqlite::{params, Connection};

use crate::read::{call_record, parse_level, CallStatus, CALL_COLUMNS};
use crate::{CallRecord, JournalError, Store};

/// An event with the wall-clock time the journal gives it, ms since the Unix epoch.
pub type TimedEvent = (i64, Event);

/// Where a followed run stands; one connection for the whole watch.
pub struct Tail {
    store: Store,
    conn: Connection,
    run: RunId,
    /// The attempt followed: the latest when the tail was made.
    attempt: u32,
    /// Each call's status as last reported.
    calls: HashMap<u64, CallStatus>,
    /// The last note and log row reported (SQLite's row ids grow with every insert).
    last_note: i64,
    last_log: i64,
    status: Option<RunStatus>,
}

impl std::fmt::Debug for Tail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tail")
            .field("run", &self.run)
            .field("attempt", &self.attempt)
            .finish()
    }
}

impl Store {
    /// Follows the latest attempt of `run` from its start.
    pub fn tail(&self, run: &RunId) -> Result<Tail, JournalError> {
        let record = self.run(run.as_str())?;
        Ok(Tail {
            store: self.clone(),
            conn: self.reader()?,
            run: run.clone(),
            attempt: record.summary.attempt,
            calls: HashMap::new(),
            last_note: 0,
            last_log: 0,
            status: None,
        })
    }
}

impl Tail {
    /// What happened since the last poll, in the order the owner reported it as far as the
    /// journal tells: new and started calls, then notes and log lines, then finished calls,
    /// then a change of the run's status. The run's end comes last, once.
    pub fn poll(&mut self) -> Result<Vec<TimedEvent>, JournalError> {
        // Read before the rows: a run that has ended by now has all its rows in by now too,
        // so its end is never reported ahead of calls still unread.
        let status = self.read_status()?;
        let mut events = Vec::new();
        let mut finished = Vec::new();
        for (seq, status) in self.call_statuses()? {
            let known = self.calls.get(&seq).copied();
            if known == Some(status) {
                continue;
            }
            let call = self.call(seq)?;
            if known.is_none() {
                events.push((call.started_at_ms, queued(&call)));
            }
            let was_waiting = matches!(known, None | Some(CallStatus::Queued));
            if was_waiting && !matches!(status, CallStatus::Queued | CallStatus::Cached) {
                events.push((call.started_at_ms, started(&call)));
            }
            if let Some(end) = end_of(&call) {
                let at = call.started_at_ms + call.elapsed_ms.unwrap_or(0) as i64;
                finished.push((at, finish(&call, end)));
            }
            self.calls.insert(seq, status);
        }
        self.notes(&mut events)?;
        self.logs(&mut events)?;
        events.append(&mut finished);
        self.report_status(status, &mut events);
        Ok(events)
    }

    /// True once the run's end has been reported.
    pub fn ended(&self) -> bool {
        self.status
            .is_some_and(|status| !matches!(status, RunStatus::Running | RunStatus::Paused))
    }

    fn call_statuses(&self) -> Result<Vec<(u64, CallStatus)>, JournalError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT seq, status FROM calls WHERE run_id = ?1 AND attempt = ?2 ORDER BY seq",
            )
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map(params![self.run.as_str(), self.attempt], |row| {
                Ok((
                    row.get::<_, i64>(0)? as u64,
                    CallStatus::parse(&row.get::<_, String>(1)?),
                ))
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    fn call(&self, seq: u64) -> Result<CallRecord, JournalError> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {CALL_COLUMNS} FROM calls WHERE run_id = ?1 AND attempt = ?2 AND seq = ?3"
            ))
            .and_then(|mut statement| {
                statement.query_row(
                    params![self.run.as_str(), self.attempt, seq as i64],
                    call_record,
                )
            })
            .map_err(|e| self.fail(e))
    }

    fn notes(&mut self, events: &mut Vec<TimedEvent>) -> Result<(), JournalError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT n.rowid, n.seq, n.at_ms, n.note, c.label FROM notes n
                 LEFT JOIN calls c ON c.run_id = n.run_id AND c.attempt = n.attempt
                                  AND c.seq = n.seq
                 WHERE n.run_id = ?1 AND n.attempt = ?2 AND n.rowid > ?3 ORDER BY n.rowid",
            )
            .map_err(|e| JournalError::from_sqlite(&self.store.db_path(), e))?;
        let rows = statement
            .query_map(
                params![self.run.as_str(), self.attempt, self.last_note],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)? as u64,
                        row.get::<_, i64>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .map_err(|e| JournalError::from_sqlite(&self.store.db_path(), e))?;
        for row in rows {
            let (rowid, seq, at_ms, note, label) =
                row.map_err(|e| JournalError::from_sqlite(&self.store.db_path(), e))?;
            self.last_note = rowid;
            // A note this build cannot read (written by a newer one) is skipped.
            if let Ok(note) = serde_json::from_str(&note) {
                events.push((at_ms, Event::AgentNote { seq, label, note }));
            }
        }
        Ok(())
    }

    fn logs(&mut self, events: &mut Vec<TimedEvent>) -> Result<(), JournalError> {
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT rowid, at_ms, kind, level, text FROM logs
                 WHERE run_id = ?1 AND attempt = ?2 AND rowid > ?3 ORDER BY rowid",
            )
            .map_err(|e| JournalError::from_sqlite(&self.store.db_path(), e))?;
        let rows = statement
            .query_map(
                params![self.run.as_str(), self.attempt, self.last_log],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Option<String>>(3)?,
                        row.get::<_, String>(4)?,
                    ))
                },
            )
            .map_err(|e| JournalError::from_sqlite(&self.store.db_path(), e))?;
        for row in rows {
            let (rowid, at_ms, kind, level, text) =
                row.map_err(|e| JournalError::from_sqlite(&self.store.db_path(), e))?;
            self.last_log = rowid;
            let event = match kind.as_str() {
                "phase" => Event::PhaseStarted { title: text },
                _ => Event::Log {
                    level: parse_level(level.as_deref()),
                    text,
                },
            };
            events.push((at_ms, event));
        }
        Ok(())
    }

    /// The run's status, error and end time (crashed when its owner is gone).
    fn read_status(&self) -> Result<(RunStatus, Option<String>, Option<i64>), JournalError> {
        let read = || {
            self.conn
                .query_row(
                    "SELECT status, error, ended_at_ms FROM runs WHERE id = ?1",
                    [self.run.as_str()],
                    |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, Option<String>>(1)?,
                            row.get::<_, Option<i64>>(2)?,
                        ))
                    },
                )
                .map_err(|e| self.fail(e))
        };
        let (text, mut error, mut ended_at) = read()?;
        let mut status = RunStatus::parse(&text).unwrap_or(RunStatus::Crashed);
        if matches!(status, RunStatus::Running | RunStatus::Paused)
            && !self.store.owner_alive(&self.run)
        {
            // It may have ended between the two reads: read again before calling it crashed.
            let text;
            (text, error, ended_at) = read()?;
            status = match RunStatus::parse(&text) {
                Some(RunStatus::Running | RunStatus::Paused) | None => RunStatus::Crashed,
                Some(status) => status,
            };
            if status == RunStatus::Crashed {
                error.get_or_insert_with(|| "the process running it is gone".into());
            }
        }
        Ok((status, error, ended_at))
    }

    /// Paused, unpaused or ended, when that is news.
    fn report_status(
        &mut self,
        (status, error, ended_at): (RunStatus, Option<String>, Option<i64>),
        events: &mut Vec<TimedEvent>,
    ) {
        if self.ended() || Some(status) == self.status {
            return;
        }
        let at = ended_at.unwrap_or_else(crate::now_ms);
        match status {
            RunStatus::Paused => events.push((at, Event::RunPaused)),
            RunStatus::Running if self.status == Some(RunStatus::Paused) => {
                events.push((at, Event::RunUnpaused))
            }
            RunStatus::Running => {}
            _ => events.push((at, Event::RunFinished { status, error })),
        }
        self.status = Some(status);
    }

    fn fail(&self, error: rusqlite::Error) -> JournalError {
        JournalError::from_sqlite(&self.store.db_path(), error)
    }
}

fn queued(call: &CallRecord) -> Event {
    Event::AgentQueued {
        seq: call.seq,
        key: CallKey(call.key.0.clone()),
        occurrence: call.occurrence,
        label: call.label.clone(),
        phase: call.phase.clone(),
        model: call.model.clone(),
        prompt: call.prompt.clone(),
        options: Box::new(serde_json::from_value(call.options.clone()).unwrap_or_default()),
    }
}

fn started(call: &CallRecord) -> Event {
    Event::AgentStarted {
        seq: call.seq,
        label: call.label.clone(),
        phase: call.phase.clone(),
        model: call.model.clone(),
    }
}

fn end_of(call: &CallRecord) -> Option<AgentEnd> {
    let value = || call.result.clone().unwrap_or_default();
    let reason = || call.reason.clone().unwrap_or_default();
    Some(match call.status {
        CallStatus::Queued | CallStatus::Running => return None,
        CallStatus::Completed => AgentEnd::Completed { value: value() },
        CallStatus::Cached => AgentEnd::Cached { value: value() },
        CallStatus::Null => AgentEnd::Null { reason: reason() },
        CallStatus::Rejected => AgentEnd::Rejected { message: reason() },
    })
}

fn finish(call: &CallRecord, end: AgentEnd) -> Event {
    Event::AgentFinished {
        seq: call.seq,
        label: call.label.clone(),
        phase: call.phase.clone(),
        end,
        usage: call.usage,
        elapsed_ms: call.elapsed_ms.unwrap_or(0),
    }
}
