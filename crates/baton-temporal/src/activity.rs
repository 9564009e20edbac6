//! The worker's side of one `agent()` call: the `baton.agent` activity. It runs the agent with
//! the worker's own backend (the same agent loop, tools and policy as a local run), heartbeats
//! its progress, and drops the agent (its tools' process groups with it) when the activity is
//! cancelled or the worker shuts down.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_model::{AgentBackend, AgentNote, NoteSink};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

use crate::wire::{AgentReport, AgentTask, Progress};

/// The activities a `baton worker` offers: one, the agent.
pub struct AgentActivities {
    pub(crate) backend: Arc<dyn AgentBackend>,
    /// Names this worker in reports and heartbeats.
    pub(crate) worker: String,
    /// How often progress is heartbeated while nothing else happens (a long tool call).
    pub(crate) beat_every: Duration,
}

#[activities]
impl AgentActivities {
    #[activity(name = "baton.agent")]
    pub async fn agent(
        self: Arc<Self>,
        ctx: ActivityContext,
        task: AgentTask,
    ) -> Result<AgentReport, ActivityError> {
        let attempt = ctx.info().attempt;
        let activity_id = ctx.info().activity_id.clone();
        eprintln!(
            "baton worker {}: running {activity_id} (attempt {attempt})",
            self.worker
        );
        let progress = Arc::new(Mutex::new(Progress {
            attempt,
            worker: self.worker.clone(),
            ..Progress::default()
        }));
        let transcript: Arc<Mutex<Vec<AgentNote>>> = Arc::default();
        let notes: NoteSink = {
            let (progress, transcript) = (progress.clone(), transcript.clone());
            Arc::new(move |note: AgentNote| {
                lock(&progress).record(&note);
                lock(&transcript).push(note);
            })
        };
        let agent = self.backend.run(task.into_call(), notes);
        tokio::pin!(agent);
        let mut beat = tokio::time::interval(self.beat_every);
        let outcome = loop {
            tokio::select! {
                outcome = &mut agent => break outcome,
                // Dropping the agent's future ends it: its Bash tools kill their process groups.
                () = ctx.cancelled() => {
                    eprintln!("baton worker {}: {activity_id} cancelled; agent stopped", self.worker);
                    return Err(ActivityError::cancelled());
                }
                _ = beat.tick() => {
                    let details = lock(&progress).clone();
                    // A heartbeat that cannot be sent now is sent with the next one.
                    let _ = ctx.record_heartbeat(details).await;
                }
            }
        };
        let notes = std::mem::take(&mut *lock(&transcript));
        eprintln!("baton worker {}: finished {activity_id}", self.worker);
        Ok(AgentReport {
            outcome,
            notes,
            attempt,
            worker: self.worker.clone(),
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
