//! The one writer of a run: a thread that owns a connection and turns events into rows.
//!
//! Events arrive over a channel and are committed in groups. Most events (a call started, a
//! transcript note, a log line) gate nothing, so they wait for the next commit, at most
//! [`FLUSH_WITHIN`]; a `when_durable` request or the run's end commits at once, with everything
//! queued before it. A commit reaches the WAL file at once, so a process killed after it loses
//! nothing; the WAL file is synced to disk at most [`FLUSH_WITHIN`] after the
//! first unsynced commit, so a power cut loses about the last 100 ms. One transaction per agent
//! instead of one per event is what keeps journaling under 100 µs of CPU per call.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baton_model::{Event, EventSink, RunId, RunStatus, Then};
use rusqlite::{params, Connection};
use serde_json::Value;

use crate::lock::OwnerLock;
use crate::rows::Rows;
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
    /// Texts never to store (API keys): replaced wherever they occur.
    Redact(Vec<String>),
}

/// Called once, with the reason, when the journal first fails to write.
pub type FailureHook = Box<dyn Fn(&str) + Send>;

/// The first write that failed, and who to tell.
#[derive(Default)]
struct Failure {
    reason: Option<String>,
    hook: Option<FailureHook>,
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
    /// The first write that failed; later events are dropped and no call settles.
    failure: Arc<Mutex<Failure>>,
    path: std::path::PathBuf,
    owner: OwnerLock,
}

/// The writer as an event sink, to hand to the engine (one per run, cheap to share).
pub struct JournalSink {
    sender: Sender<Message>,
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
        let failure = Arc::new(Mutex::new(Failure::default()));
        let queue = Queue::default();
        let mut thread = WriterThread {
            queue: queue.clone(),
            conn,
            path: store.db_path(),
            run_id: run_id.clone(),
            attempt,
            notes: HashMap::new(),
            logs: 0,
            secrets: Vec::new(),
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

    /// The database this run is written to.
    pub fn db_path(&self) -> &std::path::Path {
        &self.path
    }

    /// 1 for a new run, one more for each `baton resume`.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    pub fn sink(&self) -> Arc<JournalSink> {
        Arc::new(JournalSink {
            sender: self.sender.clone(),
            queue: self.queue.clone(),
        })
    }

    /// Never stores these texts (the provider keys): each is replaced by `[redacted]` in every
    /// prompt, result, transcript and log line. Call before the run starts.
    pub fn redact(&self, secrets: Vec<String>) {
        let _ = self.sender.send(Message::Redact(secrets));
    }

    /// Called once when the journal first fails to write (a full disk, say). From then on no
    /// call settles: the script must not go on with results that are not stored, so the caller
    /// should stop the run.
    pub fn on_failure(&self, hook: FailureHook) {
        self.failure.lock().unwrap_or_else(|e| e.into_inner()).hook = Some(hook);
    }

    /// Why the journal stopped recording, if it did.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reason
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
        drop(self.owner);
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
        let _ = self.sender.send(wake);
    }

    fn when_durable(&self, then: Then) {
        // A writer that is gone has reported why; the run is being stopped: nothing settles.
        let _ = self.sender.send(Message::Durable(then));
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
    /// Texts replaced before anything is stored.
    secrets: Vec<String>,
    failure: Arc<Mutex<Failure>>,
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
                    Message::Redact(secrets) => self.secrets = secrets,
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
        if let Err(error) = self.write_events(events) {
            self.record_failure(error.to_string());
        }
        if self.failed() {
            // Nothing waiting may go on as if stored: the calls stay unsettled while the
            // failure hook stops the run.
            waiters.clear();
        }
        for then in waiters.drain(..) {
            then();
        }
        for (ending, done) in finishes.drain(..) {
            // Tried even after a failure: the run's end may still fit (say, after a transient
            // lock error), and it says how the run ended.
            let outcome = self.finish(ending);
            self.sync();
            let _ = done.send(outcome);
        }
    }

    fn failed(&self) -> bool {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reason
            .is_some()
    }

    fn write_events(&mut self, events: Vec<(i64, Event)>) -> rusqlite::Result<()> {
        if self.failed() || events.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        let mut rows = Rows {
            run: self.run_id.as_str(),
            attempt: self.attempt,
            notes: &mut self.notes,
            logs: &mut self.logs,
            secrets: &self.secrets,
        };
        for (at_ms, event) in events {
            rows.record(&tx, at_ms, event)?;
        }
        tx.commit()
    }

    fn finish(&self, ending: Ending) -> Result<(), JournalError> {
        self.conn
            .execute(
                "UPDATE runs SET status = ?2, result = COALESCE(?3, result), error = ?4,
                                 ended_at_ms = ?5
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
        let mut failure = self.failure.lock().unwrap_or_else(|e| e.into_inner());
        if failure.reason.is_none() {
            if let Some(hook) = &failure.hook {
                hook(&reason);
            }
            failure.reason = Some(reason);
        }
    }
}
