//! The one writer of a run: a thread that owns a connection and turns events into rows.
//!
//! Events arrive over a channel and are committed in groups: whatever is queued when the
//! thread wakes goes into one transaction. A commit reaches the WAL file at once, so a process
//! killed after it loses nothing; the WAL is synced to disk (a passive checkpoint) no later than
//! [`SYNC_EVERY`] after the first unsynced commit, so a power cut loses at most that much.
//! `durable()` resolves after the commit that holds every event sent before it.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baton_model::{AgentEnd, BoxFuture, Event, EventSink, RunId, RunStatus, Usage};
use rusqlite::{params, Connection, Transaction};
use serde_json::Value;

use crate::lock::OwnerLock;
use crate::{now_ms, JournalError, Store};

/// The longest a commit waits before it is synced to disk.
const SYNC_EVERY: Duration = Duration::from_millis(100);
/// Most events in one transaction; more wait for the next (keeps `durable()` waits short).
const MAX_GROUP: usize = 1024;

enum Message {
    Event { at_ms: i64, event: Event },
    Durable(tokio::sync::oneshot::Sender<()>),
    Finish(Ending, mpsc::Sender<Result<(), JournalError>>),
}

/// How the run ended, recorded by [`RunWriter::finish`].
struct Ending {
    status: RunStatus,
    result: Option<String>,
    error: Option<String>,
}

/// Owns a running run in the journal: holds the owner lock and the writer thread.
pub struct RunWriter {
    run_id: RunId,
    attempt: u32,
    sender: Sender<Message>,
    /// The first write that failed; later events are dropped (the run goes on).
    failure: Arc<Mutex<Option<String>>>,
    path: std::path::PathBuf,
    owner: OwnerLock,
}

/// The writer as an event sink, to hand to the engine (one per run, cheap to share).
pub struct JournalSink {
    sender: Mutex<Sender<Message>>,
}

impl RunWriter {
    pub(crate) fn start(
        store: &Store,
        conn: Connection,
        run_id: RunId,
        attempt: u32,
        owner: OwnerLock,
    ) -> Result<RunWriter, JournalError> {
        let (sender, receiver) = mpsc::channel();
        let failure = Arc::new(Mutex::new(None));
        let mut thread = WriterThread {
            conn,
            path: store.db_path(),
            run_id: run_id.clone(),
            attempt,
            notes: HashMap::new(),
            logs: 0,
            failure: failure.clone(),
        };
        // The thread ends when the last sender (this writer's, or a sink the engine holds) is
        // dropped; it is not joined, `finish` waits for its answer instead.
        std::thread::Builder::new()
            .name("baton-journal".into())
            .spawn(move || thread.serve(receiver))
            .map_err(|e| JournalError::Io {
                path: store.db_path(),
                reason: format!("cannot start the journal writer: {e}"),
            })?;
        Ok(RunWriter {
            run_id,
            attempt,
            sender,
            failure,
            path: store.db_path(),
            owner,
        })
    }

    pub fn run_id(&self) -> &RunId {
        &self.run_id
    }

    /// 1 for a new run, one more for each `baton resume`.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    pub fn sink(&self) -> Arc<JournalSink> {
        Arc::new(JournalSink {
            sender: Mutex::new(self.sender.clone()),
        })
    }

    /// Why the journal stopped recording, if it did (a full disk, say): the run went on, but
    /// what came after is not in the journal.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Records how the run ended and its result (whole), syncs, and releases the run.
    pub fn finish(
        self,
        status: RunStatus,
        result: Option<&Value>,
        error: Option<&str>,
    ) -> Result<(), JournalError> {
        let (done, wait) = mpsc::channel();
        let ending = Ending {
            status,
            result: result.map(Value::to_string),
            error: error.map(str::to_string),
        };
        let sent = self.sender.send(Message::Finish(ending, done)).is_ok();
        let outcome = match sent.then(|| wait.recv().ok()).flatten() {
            Some(outcome) => outcome,
            None => Err(JournalError::Io {
                path: self.path,
                reason: "the journal writer stopped".into(),
            }),
        };
        self.owner.release();
        outcome
    }
}

impl EventSink for JournalSink {
    fn emit(&self, event: Event) {
        let at_ms = now_ms();
        let sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        let _ = sender.send(Message::Event { at_ms, event });
    }

    fn durable(&self) -> Option<BoxFuture<()>> {
        let (done, stored) = tokio::sync::oneshot::channel();
        let sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        let _ = sender.send(Message::Durable(done));
        // A writer that died answers nothing: the run goes on without waiting.
        Some(Box::pin(async move {
            let _ = stored.await;
        }))
    }
}

struct WriterThread {
    conn: Connection,
    path: std::path::PathBuf,
    run_id: RunId,
    attempt: u32,
    /// Notes written so far per call, numbering the transcript.
    notes: HashMap<u64, u32>,
    logs: u32,
    failure: Arc<Mutex<Option<String>>>,
}

impl WriterThread {
    fn serve(&mut self, receiver: Receiver<Message>) {
        let mut unsynced_since: Option<Instant> = None;
        loop {
            let first = match unsynced_since {
                None => match receiver.recv() {
                    Ok(message) => message,
                    Err(_) => break,
                },
                Some(since) => {
                    match receiver.recv_timeout(SYNC_EVERY.saturating_sub(since.elapsed())) {
                        Ok(message) => message,
                        Err(RecvTimeoutError::Timeout) => {
                            self.sync();
                            unsynced_since = None;
                            continue;
                        }
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            };
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match receiver.try_recv() {
                    Ok(message) => group.push(message),
                    Err(_) => break,
                }
            }
            self.commit(group);
            let since = *unsynced_since.get_or_insert_with(Instant::now);
            if since.elapsed() >= SYNC_EVERY {
                self.sync();
                unsynced_since = None;
            }
        }
        self.sync();
    }

    /// Writes a group in one transaction, then answers the waiters in it.
    fn commit(&mut self, group: Vec<Message>) {
        let mut waiters = Vec::new();
        let mut finishes = Vec::new();
        let written = self
            .write_group(group, &mut waiters, &mut finishes)
            .map_err(|e| e.to_string());
        if let Err(error) = &written {
            self.record_failure(error.clone());
        }
        for waiter in waiters {
            let _ = waiter.send(());
        }
        for (ending, done) in finishes {
            let outcome = match &written {
                Ok(()) => self.finish(ending),
                Err(reason) => Err(JournalError::Io {
                    path: self.path.clone(),
                    reason: reason.clone(),
                }),
            };
            self.sync();
            let _ = done.send(outcome);
        }
    }

    fn write_group(
        &mut self,
        group: Vec<Message>,
        waiters: &mut Vec<tokio::sync::oneshot::Sender<()>>,
        finishes: &mut Vec<(Ending, mpsc::Sender<Result<(), JournalError>>)>,
    ) -> rusqlite::Result<()> {
        let broken = self
            .failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        let tx = self.conn.transaction()?;
        let mut counters = Counters {
            notes: &mut self.notes,
            logs: &mut self.logs,
        };
        for message in group {
            match message {
                Message::Event { at_ms, event } if !broken => {
                    record(&tx, &self.run_id, self.attempt, &mut counters, at_ms, event)?
                }
                Message::Event { .. } => {}
                Message::Durable(waiter) => waiters.push(waiter),
                Message::Finish(ending, done) => finishes.push((ending, done)),
            }
        }
        tx.commit()
    }

    fn finish(&self, ending: Ending) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE runs SET status = ?2, result = ?3, error = ?4, ended_at_ms = ?5
                 WHERE id = ?1",
                params![
                    self.run_id.as_str(),
                    ending.status.as_str(),
                    ending.result,
                    ending.error,
                    now_ms()
                ],
            )
            .map(drop)
            .map_err(|e| JournalError::from_sqlite(&self.path, e))
    }

    /// Pushes committed transactions to disk: a passive checkpoint syncs the WAL first.
    fn sync(&self) {
        if let Err(error) = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        {
            self.record_failure(error.to_string());
        }
    }

    fn record_failure(&self, reason: String) {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(reason);
    }
}

struct Counters<'a> {
    notes: &'a mut HashMap<u64, u32>,
    logs: &'a mut u32,
}

/// One event as rows. Run start and end are written by `begin_run` and `finish`, which have
/// what the events lack (the script, the result).
fn record(
    tx: &Transaction,
    run_id: &RunId,
    attempt: u32,
    counters: &mut Counters,
    at_ms: i64,
    event: Event,
) -> rusqlite::Result<()> {
    let run = run_id.as_str();
    match event {
        Event::RunStarted { .. } | Event::RunFinished { .. } => Ok(()),
        Event::PhaseStarted { title } => {
            log_line(tx, run, attempt, counters, at_ms, "phase", None, &title)
        }
        Event::Log { level, text } => {
            let level = serde_json::to_value(level).ok();
            let level = level.as_ref().and_then(Value::as_str);
            log_line(tx, run, attempt, counters, at_ms, "log", level, &text)
        }
        Event::AgentStarted {
            seq,
            key,
            occurrence,
            label,
            phase,
            model,
            prompt,
            options,
        } => {
            let options = serde_json::to_string(&options).unwrap_or_default();
            tx.prepare_cached(
                "INSERT OR REPLACE INTO calls (run_id, attempt, seq, key, occurrence, label,
                     phase, model, options, prompt, status, started_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'running', ?11)",
            )?
            .execute(params![
                run, attempt, seq as i64, key.0, occurrence, label, phase, model, options, prompt,
                at_ms
            ])
            .map(drop)
        }
        Event::AgentNote { seq, note, .. } => {
            let n = counters.notes.entry(seq).or_insert(0);
            *n += 1;
            let note = serde_json::to_string(&note).unwrap_or_default();
            tx.prepare_cached(
                "INSERT INTO notes (run_id, attempt, seq, n, at_ms, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![run, attempt, seq as i64, *n, at_ms, note])
            .map(drop)
        }
        Event::AgentFinished {
            seq,
            end,
            usage,
            elapsed_ms,
            ..
        } => {
            let (status, result, reason) = match end {
                AgentEnd::Completed { value } => ("completed", Some(value.to_string()), None),
                AgentEnd::Cached { value } => ("cached", Some(value.to_string()), None),
                AgentEnd::Null { reason } => ("null", None, Some(reason)),
                AgentEnd::Rejected { message } => ("rejected", None, Some(message)),
            };
            let Usage {
                input_tokens,
                output_tokens,
                cache_read_tokens,
                cache_write_tokens,
                cost_usd,
            } = usage;
            tx.prepare_cached(
                "UPDATE calls SET status = ?4, result = ?5, reason = ?6, input_tokens = ?7,
                     output_tokens = ?8, cache_read_tokens = ?9, cache_write_tokens = ?10,
                     cost_usd = ?11, elapsed_ms = ?12
                 WHERE run_id = ?1 AND attempt = ?2 AND seq = ?3",
            )?
            .execute(params![
                run,
                attempt,
                seq as i64,
                status,
                result,
                reason,
                input_tokens as i64,
                output_tokens as i64,
                cache_read_tokens as i64,
                cache_write_tokens as i64,
                cost_usd,
                elapsed_ms as i64
            ])
            .map(drop)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn log_line(
    tx: &Transaction,
    run: &str,
    attempt: u32,
    counters: &mut Counters,
    at_ms: i64,
    kind: &str,
    level: Option<&str>,
    text: &str,
) -> rusqlite::Result<()> {
    *counters.logs += 1;
    tx.prepare_cached(
        "INSERT INTO logs (run_id, attempt, n, at_ms, kind, level, text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        run,
        attempt,
        *counters.logs,
        at_ms,
        kind,
        level,
        text
    ])
    .map(drop)
}
