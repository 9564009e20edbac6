//! The worker's side of one `agent()` call: the `baton.agent` activity. It runs the agent with
//! the worker's own backend (the same agent loop, tools and policy as a local run), heartbeats
//! its progress, and drops the agent (its tools' process groups with it) when the activity is
//! cancelled or the worker shuts down.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_model::{AgentBackend, AgentNote, AgentOutcome, NoteSink, Usage};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};

use crate::carry;
use crate::checkout::Checkout;
use crate::git::GitLock;
use crate::wire::{AgentReport, AgentTask, Carried, Commit, Progress};

/// The activities a `baton worker` offers: one, the agent.
pub struct AgentActivities {
    pub(crate) backend: Arc<dyn AgentBackend>,
    /// Names this worker in reports and heartbeats.
    pub(crate) worker: String,
    /// How often progress is heartbeated while nothing else happens (a long tool call).
    pub(crate) beat_every: Duration,
    /// The directory the worker was started in: a checkout of the workspace repository,
    /// where per-attempt worktrees are cut.
    pub(crate) workspace: PathBuf,
    pub(crate) git_lock: GitLock,
}

#[activities]
impl AgentActivities {
    #[activity(name = "baton.agent")]
    pub async fn agent(
        self: Arc<Self>,
        ctx: ActivityContext,
        task: Carried<AgentTask>,
    ) -> Result<Carried<AgentReport>, ActivityError> {
        let attempt = ctx.info().attempt;
        // A stored task's home also takes a large result back when the run has no git home.
        let stored_home = match &task {
            Carried::Stored { home, .. } => Some(home.clone()),
            Carried::Inline { .. } => None,
        };
        let task = match self.open(task).await {
            Ok(task) => task,
            Err(message) => {
                let report = AgentReport {
                    outcome: rejected("WorkerError", message),
                    notes: Vec::new(),
                    attempt,
                    worker: self.worker.clone(),
                    commit: None,
                };
                return Ok(Carried::Inline { value: report });
            }
        };
        let home = task.git.as_ref().map(|g| g.home.clone()).or(stored_home);
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
        let report = |outcome, notes, commit| AgentReport {
            outcome,
            notes,
            attempt,
            worker: self.worker.clone(),
            commit,
        };
        let checkout = match self.checkout(&task, attempt).await {
            Ok(checkout) => checkout,
            Err(message) => {
                let refused = rejected("WorktreeIsolationError", message);
                return Ok(Carried::Inline {
                    value: report(refused, Vec::new(), None),
                });
            }
        };
        let call = task.call.clone();
        let agent = match &checkout {
            Some(checkout) => self.backend.run_in(call, notes, checkout.path.clone()),
            None => self.backend.run(call, notes),
        };
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
        let (outcome, commit) = match checkout {
            None => (outcome, None),
            Some(checkout) => deliver(checkout, &task, attempt, outcome).await,
        };
        eprintln!("baton worker {}: finished {activity_id}", self.worker);
        let usage = outcome.usage();
        Ok(
            match self.seal(report(outcome, notes, commit), home).await {
                Ok(carried) => carried,
                Err(message) => Carried::Inline {
                    value: report(
                        rejected("WorkerError", message).with_usage(usage),
                        Vec::new(),
                        None,
                    ),
                },
            },
        )
    }
}

impl AgentActivities {
    async fn open(&self, task: Carried<AgentTask>) -> Result<AgentTask, String> {
        let (dir, lock) = (self.workspace.clone(), self.git_lock.clone());
        tokio::task::spawn_blocking(move || carry::open(task, "the agent's task", &dir, &lock))
            .await
            .unwrap_or_else(|e| Err(format!("payload: {e}")))
    }

    async fn seal(
        &self,
        report: AgentReport,
        home: Option<String>,
    ) -> Result<Carried<AgentReport>, String> {
        let (dir, lock) = (self.workspace.clone(), self.git_lock.clone());
        tokio::task::spawn_blocking(move || {
            carry::seal(report, "the agent's result", home.as_deref(), &dir, &lock)
        })
        .await
        .unwrap_or_else(|e| Err(format!("payload: {e}")))
    }

    /// The attempt's worktree when the coordinator gave a git home; an isolated agent without
    /// one has nowhere to send its changes and is refused.
    async fn checkout(&self, task: &AgentTask, attempt: u32) -> Result<Option<Checkout>, String> {
        let Some(git_task) = task.git.clone() else {
            if task.call.options.isolation.is_some() {
                return Err(
                    "isolation: \"worktree\" under --executor temporal needs a git home both \
                            sides reach: --git-home PATH_OR_URL (or BATON_TEMPORAL_GIT_HOME)"
                        .into(),
                );
            }
            return Ok(None);
        };
        let (workspace, task, lock) = (self.workspace.clone(), task.clone(), self.git_lock.clone());
        tokio::task::spawn_blocking(move || {
            Checkout::create(&workspace, &task, &git_task, attempt, &lock).map(Some)
        })
        .await
        .map_err(|e| format!("worktree: {e}"))?
    }
}

/// Commits and pushes what the agent changed; a change that cannot reach the git home fails
/// the call, since its work would otherwise be lost without a word.
async fn deliver(
    checkout: Checkout,
    task: &AgentTask,
    attempt: u32,
    outcome: AgentOutcome,
) -> (AgentOutcome, Option<Commit>) {
    let label = task
        .call
        .options
        .label
        .clone()
        .unwrap_or_else(|| format!("call #{}", task.call.seq));
    let message = format!(
        "{label}\n\nbaton run {}, call {}-{}, attempt {attempt}",
        task.call.run_id, task.call.key, task.call.occurrence
    );
    let delivered = tokio::task::spawn_blocking(move || checkout.finish(&message))
        .await
        .unwrap_or_else(|e| Err(format!("worktree: {e}")));
    match delivered {
        Ok(commit) => (outcome, commit),
        Err(message) => {
            let refused = rejected("WorktreeIsolationError", message);
            (refused.with_usage(outcome.usage()), None)
        }
    }
}

fn rejected(name: &str, message: String) -> AgentOutcome {
    AgentOutcome::Rejected {
        name: name.into(),
        message,
        usage: Usage::default(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
