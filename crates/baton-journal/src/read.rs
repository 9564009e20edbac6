//! Reading runs back: the list, one run whole, its calls, transcripts and log, and the results
//! a resume may reuse. Any process may read while the owner writes (WAL).

use baton_model::{AgentNote, CallKey, LogLevel, Replay, ReplayedCall, RunId, RunStatus, Usage};
use rusqlite::{params, Connection, OpenFlags, Row};
use serde_json::Value;

use crate::{JournalError, NewRun, Store};

/// One line of `baton runs`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    pub id: RunId,
    pub workflow: String,
    /// `crashed` when the journal says `running` but no process owns the run.
    pub status: RunStatus,
    pub attempt: u32,
    pub started_at_ms: i64,
    pub ended_at_ms: Option<i64>,
    /// Agents that ran, each call once across attempts, and what every attempt paid; results
    /// from the journal and calls that never started are not counted.
    pub agents: u64,
    pub usage: Usage,
}

/// A run, whole: how it started, where it stands, how it ended.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub summary: RunSummary,
    /// What `begin_run` recorded: script, args, seed, clock, model.
    pub start: NewRun,
    pub result: Option<Value>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStatus {
    /// Accepted, waiting for a slot (or for the run to be unpaused).
    Queued,
    Running,
    Completed,
    /// Answered from the journal of an earlier run or attempt.
    Cached,
    Null,
    Rejected,
}

impl CallStatus {
    pub(crate) fn parse(text: &str) -> CallStatus {
        match text {
            "completed" => CallStatus::Completed,
            "cached" => CallStatus::Cached,
            "null" => CallStatus::Null,
            "rejected" => CallStatus::Rejected,
            "queued" => CallStatus::Queued,
            _ => CallStatus::Running,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Queued => "queued",
            CallStatus::Running => "running",
            CallStatus::Completed => "completed",
            CallStatus::Cached => "cached",
            CallStatus::Null => "null",
            CallStatus::Rejected => "rejected",
        }
    }
}

/// One agent call of one attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    pub attempt: u32,
    pub seq: u64,
    pub key: CallKey,
    pub occurrence: u32,
    pub label: Option<String>,
    pub phase: Option<String>,
    pub model: String,
    pub options: Value,
    pub prompt: String,
    pub status: CallStatus,
    pub result: Option<Value>,
    /// Why it ended without a result (null) or failed (rejected).
    pub reason: Option<String>,
    pub usage: Usage,
    pub started_at_ms: i64,
    pub elapsed_ms: Option<u64>,
    /// Whether it got its slot and ran: false for a cached call and for one that ended while
    /// still queued (the run ended, a cap or the user refused it).
    pub ran: bool,
}

/// One line of a run's log: a `log()` line or a phase change.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    pub attempt: u32,
    pub at_ms: i64,
    /// `None` for a phase change (`text` is its title).
    pub level: Option<LogLevel>,
    pub text: String,
}

/// One step of an agent's transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct NoteRecord {
    pub at_ms: i64,
    pub note: AgentNote,
}

/// A run's numbers, the one definition `runs`, `show` and the closing line share: an agent is
/// a call (by identity: key and occurrence) that got its slot and ran, in any attempt, counted
/// once however many attempts ran it; tokens and cost are everything those runs paid, every
/// attempt included. Results from the journal (`cached`) and calls that never started count
/// for neither.
const SUMMARY_COLUMNS: &str = "r.id, r.workflow, r.status, r.attempt, r.started_at_ms, r.ended_at_ms,
    (SELECT COUNT(DISTINCT c.key || '#' || c.occurrence) FROM calls c WHERE c.run_id = r.id AND c.ran = 1),
    (SELECT COALESCE(SUM(input_tokens), 0) FROM calls c WHERE c.run_id = r.id AND c.ran = 1),
    (SELECT COALESCE(SUM(output_tokens), 0) FROM calls c WHERE c.run_id = r.id AND c.ran = 1),
    (SELECT COALESCE(SUM(cache_read_tokens), 0) FROM calls c WHERE c.run_id = r.id AND c.ran = 1),
    (SELECT COALESCE(SUM(cache_write_tokens), 0) FROM calls c WHERE c.run_id = r.id AND c.ran = 1),
    (SELECT COALESCE(SUM(cost_usd), 0) FROM calls c WHERE c.run_id = r.id AND c.ran = 1)";

impl Store {
    pub(crate) fn reader(&self) -> Result<Connection, JournalError> {
        self.connect(OpenFlags::empty())
    }

    fn fail(&self, error: rusqlite::Error) -> JournalError {
        JournalError::from_sqlite(&self.db_path(), error)
    }

    /// Every run, newest first.
    pub fn runs(&self) -> Result<Vec<RunSummary>, JournalError> {
        let conn = self.reader()?;
        let sql =
            format!("SELECT {SUMMARY_COLUMNS} FROM runs r ORDER BY r.started_at_ms DESC, r.id");
        let mut statement = conn.prepare(&sql).map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map([], |row| self.summary(row))
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    /// One run, whole (script, args, result).
    pub fn run(&self, id: &str) -> Result<RunRecord, JournalError> {
        let conn = self.reader()?;
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, r.script_path, r.script, r.script_hash, r.args, r.cwd,
                    r.model, r.seed, r.logical_start_ms, r.resumed_from, r.result, r.error
             FROM runs r WHERE r.id = ?1"
        );
        let found = conn.query_row(&sql, [id], |row| {
            let summary = self.summary(row)?;
            let start = NewRun {
                id: summary.id.clone(),
                workflow: summary.workflow.clone(),
                script_path: row.get(12)?,
                script: row.get(13)?,
                script_hash: row.get(14)?,
                args: json(row.get(15)?),
                cwd: row.get(16)?,
                model: row.get(17)?,
                seed: serde_json::from_str(&row.get::<_, String>(18)?).unwrap_or_default(),
                logical_start_ms: row.get(19)?,
                resumed_from: row
                    .get::<_, Option<String>>(20)?
                    .and_then(|s| RunId::parse(&s)),
            };
            Ok(RunRecord {
                summary,
                start,
                result: json(row.get(21)?),
                error: row.get(22)?,
            })
        });
        match found {
            Ok(record) => Ok(record),
            Err(rusqlite::Error::QueryReturnedNoRows) => Err(self.unknown_run(id)),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// The calls of one attempt (the latest when `None`), in call order.
    pub fn calls(&self, id: &str, attempt: Option<u32>) -> Result<Vec<CallRecord>, JournalError> {
        let conn = self.reader()?;
        let attempt = match attempt {
            Some(attempt) => attempt,
            None => self.run(id)?.summary.attempt,
        };
        let mut statement = conn
            .prepare(&format!(
                "SELECT {CALL_COLUMNS} FROM calls WHERE run_id = ?1 AND attempt = ?2 ORDER BY seq"
            ))
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map(params![id, attempt], call_record)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    /// Every call that ran, in every attempt: what the run paid for, call by call (with each
    /// call's model, which prices it).
    pub fn paid_calls(&self, id: &str) -> Result<Vec<CallRecord>, JournalError> {
        let conn = self.reader()?;
        let mut statement = conn
            .prepare(&format!(
                "SELECT {CALL_COLUMNS} FROM calls WHERE run_id = ?1 AND ran = 1
                 ORDER BY attempt, seq"
            ))
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map([id], call_record)
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    /// An agent's transcript: its turns, tool calls and results, retries.
    pub fn transcript(
        &self,
        id: &str,
        attempt: u32,
        seq: u64,
    ) -> Result<Vec<NoteRecord>, JournalError> {
        let conn = self.reader()?;
        let mut statement = conn
            .prepare(
                "SELECT at_ms, note FROM notes WHERE run_id = ?1 AND attempt = ?2 AND seq = ?3
                 ORDER BY n",
            )
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map(params![id, attempt, seq as i64], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(|e| self.fail(e))?;
        let mut notes = Vec::new();
        for row in rows {
            let (at_ms, note) = row.map_err(|e| self.fail(e))?;
            // A note this build cannot read (written by a newer one) is skipped, not fatal.
            if let Ok(note) = serde_json::from_str(&note) {
                notes.push(NoteRecord { at_ms, note });
            }
        }
        Ok(notes)
    }

    /// The run's log lines and phase changes, every attempt, in order.
    pub fn logs(&self, id: &str) -> Result<Vec<LogRecord>, JournalError> {
        let conn = self.reader()?;
        let mut statement = conn
            .prepare(
                "SELECT attempt, at_ms, kind, level, text FROM logs WHERE run_id = ?1
                 ORDER BY attempt, n",
            )
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map([id], |row| {
                let kind: String = row.get(2)?;
                let level: Option<String> = row.get(3)?;
                Ok(LogRecord {
                    attempt: row.get(0)?,
                    at_ms: row.get(1)?,
                    level: match kind.as_str() {
                        "phase" => None,
                        _ => Some(parse_level(level.as_deref())),
                    },
                    text: row.get(4)?,
                })
            })
            .map_err(|e| self.fail(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.fail(e))
    }

    /// Results a resume may take instead of running agents: every completed (or itself
    /// replayed) call of every attempt of `id`, the latest attempt winning.
    pub fn replay(&self, id: &str) -> Result<Replay, JournalError> {
        let conn = self.reader()?;
        let mut statement = conn
            .prepare(
                "SELECT key, occurrence, result, input_tokens, output_tokens, cache_read_tokens,
                        cache_write_tokens, cost_usd
                 FROM calls WHERE run_id = ?1 AND status IN ('completed', 'cached')
                 ORDER BY attempt",
            )
            .map_err(|e| self.fail(e))?;
        let rows = statement
            .query_map([id], |row| {
                Ok((
                    CallKey(row.get(0)?),
                    row.get::<_, u32>(1)?,
                    row.get::<_, Option<String>>(2)?,
                    usage_at(row, 3)?,
                ))
            })
            .map_err(|e| self.fail(e))?;
        let mut replay = Replay::default();
        for row in rows {
            let (key, occurrence, result, usage) = row.map_err(|e| self.fail(e))?;
            if let Some(value) = json(result) {
                replay.insert(key, occurrence, ReplayedCall { value, usage });
            }
        }
        Ok(replay)
    }

    /// The status of a run whose owner holds no lock. The row read before may predate the
    /// owner's last commit (it ended, then let go of the lock), so it is read again, fresh:
    /// only a run still `running` now has really lost its owner.
    fn status_without_owner(&self, id: &RunId) -> RunStatus {
        let fresh = self.reader().ok().and_then(|conn| {
            conn.query_row(
                "SELECT status FROM runs WHERE id = ?1",
                [id.as_str()],
                |row| row.get::<_, String>(0),
            )
            .ok()
        });
        match fresh.as_deref().and_then(RunStatus::parse) {
            Some(RunStatus::Running | RunStatus::Paused) | None => RunStatus::Crashed,
            Some(status) => status,
        }
    }

    fn summary(&self, row: &Row) -> rusqlite::Result<RunSummary> {
        let id = RunId::parse(&row.get::<_, String>(0)?)
            .ok_or_else(|| rusqlite::Error::InvalidColumnName("id".into()))?;
        let mut status = RunStatus::parse(&row.get::<_, String>(2)?).unwrap_or(RunStatus::Crashed);
        if matches!(status, RunStatus::Running | RunStatus::Paused) && !self.owner_alive(&id) {
            status = self.status_without_owner(&id);
        }
        Ok(RunSummary {
            id,
            workflow: row.get(1)?,
            status,
            attempt: row.get(3)?,
            started_at_ms: row.get(4)?,
            ended_at_ms: row.get(5)?,
            agents: row.get::<_, i64>(6)? as u64,
            usage: usage_at(row, 7)?,
        })
    }
}

/// The columns [`call_record`] reads, in its order.
pub(crate) const CALL_COLUMNS: &str =
    "attempt, seq, key, occurrence, label, phase, model, options, prompt, status, result, reason,
     input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, started_at_ms,
     elapsed_ms, ran";

pub(crate) fn call_record(row: &Row) -> rusqlite::Result<CallRecord> {
    Ok(CallRecord {
        attempt: row.get(0)?,
        seq: row.get::<_, i64>(1)? as u64,
        key: CallKey(row.get(2)?),
        occurrence: row.get(3)?,
        label: row.get(4)?,
        phase: row.get(5)?,
        model: row.get(6)?,
        options: json(Some(row.get(7)?)).unwrap_or(Value::Null),
        prompt: row.get(8)?,
        status: CallStatus::parse(&row.get::<_, String>(9)?),
        result: json(row.get(10)?),
        reason: row.get(11)?,
        usage: usage_at(row, 12)?,
        started_at_ms: row.get(17)?,
        elapsed_ms: row.get::<_, Option<i64>>(18)?.map(|ms| ms as u64),
        ran: row.get::<_, i64>(19)? != 0,
    })
}

/// Five usage columns starting at `first`: input, output, cache read, cache write, cost. The
/// count of hosted web searches is not kept; what they cost is, in the cost.
fn usage_at(row: &Row, first: usize) -> rusqlite::Result<Usage> {
    Ok(Usage {
        web_searches: 0,
        input_tokens: row.get::<_, i64>(first)? as u64,
        output_tokens: row.get::<_, i64>(first + 1)? as u64,
        cache_read_tokens: row.get::<_, i64>(first + 2)? as u64,
        cache_write_tokens: row.get::<_, i64>(first + 3)? as u64,
        cost_usd: row.get(first + 4)?,
    })
}

pub(crate) fn json(text: Option<String>) -> Option<Value> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

pub(crate) fn parse_level(level: Option<&str>) -> LogLevel {
    match level {
        Some("warn") => LogLevel::Warn,
        Some("error") => LogLevel::Error,
        _ => LogLevel::Info,
    }
}

impl Store {
    /// The call that did the work a `cached` call of `id` reused: the latest attempt (before
    /// `before`, or any when `None`) in which a call with the same identity completed. Its
    /// transcript is the cached call's; `None` when the work was done in another run.
    pub fn completed_call(
        &self,
        id: &str,
        key: &CallKey,
        occurrence: u32,
        before: Option<u32>,
    ) -> Result<Option<CallRecord>, JournalError> {
        let conn = self.reader()?;
        let found = conn.query_row(
            "SELECT attempt, seq, key, occurrence, label, phase, model, options, prompt,
                    status, result, reason, input_tokens, output_tokens, cache_read_tokens,
                    cache_write_tokens, cost_usd, started_at_ms, elapsed_ms, ran
             FROM calls WHERE run_id = ?1 AND key = ?2 AND occurrence = ?3
                 AND status = 'completed' AND attempt < ?4
             ORDER BY attempt DESC LIMIT 1",
            params![id, key.0, occurrence, before.map_or(i64::MAX, i64::from)],
            call_record,
        );
        match found {
            Ok(call) => Ok(Some(call)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(self.fail(e)),
        }
    }
}
