//! The one writer of a run: a thread that owns a connection and turns events into rows.
//!
//! Events arrive over a channel and are committed in groups. Most events (a call started, a
//! transcript note, a log line) gate nothing, so they wait for the next commit, at most
//! [`FLUSH_WITHIN`]; a `durable()` barrier or the run's end commits at once, with everything
//! queued before it. A commit reaches the WAL file at once, so a process killed after it loses
//! nothing; the WAL file is synced to disk at most [`FLUSH_WITHIN`] after the
//! first unsynced commit, so a power cut loses about the last 100 ms. One transaction per agent
//! instead of one per event is what keeps journaling under 100 µs of CPU per call.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baton_model::{AgentEnd, Event, EventSink, RunId, RunStatus, Then, Usage};
use rusqlite::{params, Connection, Transaction};
use serde_json::Value;

use crate::lock::OwnerLock;
use crate::{now_ms, JournalError, Store};

/// The longest an event waits to be committed, and a commit to be synced: together, about
/// 100 ms from an event to the disk.
const FLUSH_WITHIN: Duration = Duration::from_millis(50);
/// A queue this long is committed at once, without waiting for a barrier or the deadline.
const MAX_GROUP: usize = 1024;

/// Events wait here, in order, until the writer commits them. Emitting one takes a lock and
/// a push; the writer thread is woken only when the queue was empty (or full), not per event:
/// thread wake-ups, not SQL, were most of the journal's cost.
type Queue = Arc<Mutex<Vec<(i64, Event)>>>;

/// What wakes the writer thread.
enum Message {
    /// The queue has events and no commit is due yet: commit within [`FLUSH_WITHIN`].
    Queued,
    /// The queue is full: commit now.
    Full,
    /// To run once everything queued before it is committed.
    Durable(Then),
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
    queue: Queue,
    /// The first write that failed; later events are dropped (the run goes on).
    failure: Arc<Mutex<Option<String>>>,
    path: std::path::PathBuf,
    owner: OwnerLock,
}

/// The writer as an event sink, to hand to the engine (one per run, cheap to share).
pub struct JournalSink {
    sender: Mutex<Sender<Message>>,
    queue: Queue,
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
        let queue = Queue::default();
        let mut thread = WriterThread {
            queue: queue.clone(),
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
            queue,
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
            queue: self.queue.clone(),
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
        let queued = {
            let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
            queue.push((at_ms, event));
            queue.len()
        };
        let wake = match queued {
            1 => Message::Queued,
            MAX_GROUP => Message::Full,
            _ => return,
        };
        let _ = self
            .sender
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(wake);
    }

    fn when_durable(&self, then: Then) {
        let sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        // A writer that is gone cannot store anything more: go on rather than never settle.
        if let Err(mpsc::SendError(Message::Durable(then))) = sender.send(Message::Durable(then)) {
            then();
        }
    }
}

struct WriterThread {
    queue: Queue,
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
        let mut waiters = Vec::new();
        let mut finishes = Vec::new();
        // The oldest queued event not yet committed, and the oldest commit not yet synced.
        let mut queued_since: Option<Instant> = None;
        let mut unsynced_since: Option<Instant> = None;
        let due = |since: Option<Instant>| since.is_some_and(|t| t.elapsed() >= FLUSH_WITHIN);
        loop {
            let deadline = queued_since.into_iter().chain(unsynced_since).min();
            let received = match deadline {
                None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(since) => receiver.recv_timeout(FLUSH_WITHIN.saturating_sub(since.elapsed())),
            };
            let mut urgent = false;
            let mut next = match received {
                Ok(message) => Some(message),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            while let Some(message) = next {
                match message {
                    Message::Queued => {
                        queued_since.get_or_insert_with(Instant::now);
                    }
                    Message::Full => urgent = true,
                    Message::Durable(waiter) => {
                        waiters.push(waiter);
                        urgent = true;
                    }
                    Message::Finish(ending, done) => {
                        finishes.push((ending, done));
                        urgent = true;
                    }
                }
                next = receiver.try_recv().ok();
            }
            if urgent || due(queued_since) {
                self.commit(&mut waiters, &mut finishes);
                queued_since = None;
                unsynced_since.get_or_insert_with(Instant::now);
            }
            if due(unsynced_since) {
                self.sync();
                unsynced_since = None;
            }
        }
        self.commit(&mut waiters, &mut finishes);
        self.sync();
    }

    /// Writes every queued event in one transaction, then answers the waiters. Events
    /// queued before a waiter's message are in the queue by the time it is read here.
    fn commit(
        &mut self,
        waiters: &mut Vec<Then>,
        finishes: &mut Vec<(Ending, mpsc::Sender<Result<(), JournalError>>)>,
    ) {
        let events = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()));
        let written = self.write_events(events).map_err(|e| e.to_string());
        if let Err(error) = &written {
            self.record_failure(error.clone());
        }
        for then in waiters.drain(..) {
            then();
        }
        for (ending, done) in finishes.drain(..) {
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

    fn write_events(&mut self, events: Vec<(i64, Event)>) -> rusqlite::Result<()> {
        let broken = self
            .failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some();
        if broken || events.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        let mut counters = Counters {
            notes: &mut self.notes,
            logs: &mut self.logs,
        };
        for (at_ms, event) in events {
            record(&tx, &self.run_id, self.attempt, &mut counters, at_ms, event)?;
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

    /// Pushes committed transactions to disk by syncing the WAL file: SQLite replays a synced
    /// WAL after a power cut. Copying the WAL into the database is left to SQLite's own
    /// checkpoints (every ~1000 pages), which copy a page updated by many commits once.
    fn sync(&self) {
        let wal = self.path.with_extension("db-wal");
        let synced = std::fs::File::open(&wal).and_then(|file| file.sync_data());
        if let Err(error) = synced {
            // No WAL file means nothing is waiting in it (it was just checkpointed away).
            if error.kind() != std::io::ErrorKind::NotFound {
                self.record_failure(format!("cannot sync {}: {error}", wal.display()));
            }
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
