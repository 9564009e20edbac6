//! `TemporalBackend`: the coordinator's [`AgentBackend`] under `--executor temporal`. Each call
//! becomes one standalone `baton.agent` activity whose id is the call's identity, so a resumed
//! coordinator re-attaches to a running activity, reads a finished one's result by id, and
//! starts a failed one again. The script, caps, budget, monitor and journal stay here: this
//! backend only hands the work out and brings the outcome and the transcript back.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use baton_model::{AgentBackend, AgentCall, AgentNote, AgentOutcome, BoxFuture, NoteSink, Usage};
use temporalio_client::errors::{ActivityResultError, StartActivityError};
use temporalio_client::{
    ActivityDescribeOptions, ActivityIdConflictPolicy, ActivityIdReusePolicy, ActivityStartOptions,
    Client, RetryPolicy,
};
use temporalio_common::ActivityCloseTimeouts;

use crate::activity::AgentActivities;
use crate::cancel::{CancelOnDrop, Cancellations};
use crate::carry;
use crate::connect::TemporalConfig;
use crate::git::{fetch_commit, push_base, GitLock};
use crate::wire::{activity_id, AgentReport, AgentTask, Carried, GitTask, Progress};

/// How often the coordinator reads a running agent's heartbeat.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// How long to wait before asking again when the server cannot be reached.
const RECONNECT_EVERY: Duration = Duration::from_secs(1);

pub struct TemporalBackend {
    client: Client,
    config: TemporalConfig,
    /// Resolves model names as a local run would: the coordinator decides the model.
    local: Arc<dyn AgentBackend>,
    /// Where agents' changes come home, when `--git-home` is set.
    git: Option<Arc<GitHome>>,
    /// The coordinator's workspace, whose repository stores and reads large payloads.
    workspace: PathBuf,
    payload_lock: GitLock,
    /// Cancellations of stopped agents' activities still being sent.
    cancels: Cancellations,
}

/// The coordinator's side of the git home: its repository, and the run's base commit,
/// pushed once, when the first agent starts.
struct GitHome {
    home: String,
    workspace: PathBuf,
    base: tokio::sync::OnceCell<Result<String, String>>,
    lock: GitLock,
}

impl TemporalBackend {
    pub fn new(
        client: Client,
        config: TemporalConfig,
        local: Arc<dyn AgentBackend>,
        workspace: PathBuf,
    ) -> Self {
        TemporalBackend {
            client,
            config,
            local,
            git: None,
            workspace,
            payload_lock: GitLock::default(),
            cancels: Cancellations::default(),
        }
    }

    /// The cancellations this backend sends when agents are stopped: the process must wait for
    /// them before it exits, or a stopped run's agents would go on running on the workers.
    pub fn cancellations(&self) -> Cancellations {
        self.cancels.clone()
    }

    /// Every agent works in a per-attempt worktree of `workspace`'s repository at the run's
    /// base commit, and its changes come back through `home` as a branch here.
    pub fn with_git_home(mut self, home: String) -> Self {
        self.git = Some(Arc::new(GitHome {
            home,
            workspace: self.workspace.clone(),
            base: Default::default(),
            lock: Default::default(),
        }));
        self
    }
}

impl AgentBackend for TemporalBackend {
    fn resolve_model(&self, requested: &str) -> Result<String, String> {
        self.local.resolve_model(requested)
    }

    /// The coordinator's view of the extra tools enters each call's identity, as locally.
    fn tool_identity(&self, options: &baton_model::AgentOptions) -> Option<serde_json::Value> {
        self.local.tool_identity(options)
    }

    fn run(&self, call: AgentCall, notes: NoteSink) -> BoxFuture<AgentOutcome> {
        let client = self.client.clone();
        let config = self.config.clone();
        let git = self.git.clone();
        let cancels = self.cancels.clone();
        let carrier = Carrier {
            home: self.git.as_ref().map(|g| g.home.clone()),
            workspace: self.workspace.clone(),
            lock: self.payload_lock.clone(),
        };
        Box::pin(async move {
            let git_task = match &git {
                None => None,
                Some(git) => match git.base(&call).await {
                    Ok(base) => Some(GitTask {
                        home: git.home.clone(),
                        base,
                    }),
                    Err(message) => {
                        return AgentOutcome::Fatal {
                            message,
                            usage: Usage::default(),
                        }
                    }
                },
            };
            let (seq, key) = (call.seq, call.key.to_string());
            let run = call.run_id.clone();
            let (outcome, commit) = run_remote(
                client,
                config,
                call,
                git_task,
                notes.clone(),
                cancels,
                carrier,
            )
            .await;
            if let (Some(git), Some(commit)) = (git, commit) {
                let short: String = key.chars().take(8).collect();
                let branch = format!("baton/{run}/{seq}-{short}");
                notes(git.bring_home(commit.pushed, branch).await);
            }
            outcome
        })
    }
}

/// How the coordinator's side seals a task and opens a report (`carry.rs`).
struct Carrier {
    home: Option<String>,
    workspace: PathBuf,
    lock: GitLock,
}

impl Carrier {
    async fn seal(&self, task: AgentTask) -> Result<Carried<AgentTask>, String> {
        let (home, dir, lock) = (self.home.clone(), self.workspace.clone(), self.lock.clone());
        tokio::task::spawn_blocking(move || {
            carry::seal(
                task,
                "the agent's prompt and options",
                home.as_deref(),
                &dir,
                &lock,
            )
        })
        .await
        .unwrap_or_else(|e| Err(format!("payload: {e}")))
    }

    async fn open(&self, carried: Carried<AgentReport>) -> Result<AgentReport, String> {
        let (dir, lock) = (self.workspace.clone(), self.lock.clone());
        tokio::task::spawn_blocking(move || carry::open(carried, "the agent's result", &dir, &lock))
            .await
            .unwrap_or_else(|e| Err(format!("payload: {e}")))
    }
}

impl GitHome {
    /// The run's base commit, pushed to the git home the first time it is asked for.
    async fn base(&self, call: &AgentCall) -> Result<String, String> {
        let (workspace, home, run) = (
            self.workspace.clone(),
            self.home.clone(),
            call.run_id.clone(),
        );
        self.base
            .get_or_init(|| async move {
                tokio::task::spawn_blocking(move || push_base(&workspace, &home, &run))
                    .await
                    .unwrap_or_else(|e| Err(format!("git: {e}")))
            })
            .await
            .clone()
    }

    /// Fetches an attempt's commit as `branch` here; the note the journal keeps of it.
    async fn bring_home(&self, pushed: String, branch: String) -> AgentNote {
        let (workspace, home, lock) =
            (self.workspace.clone(), self.home.clone(), self.lock.clone());
        let (fetched, wanted) = (pushed.clone(), branch.clone());
        let fetched = tokio::task::spawn_blocking(move || {
            fetch_commit(&workspace, &home, &fetched, &wanted, &lock)
        })
        .await
        .unwrap_or_else(|e| Err(format!("git: {e}")));
        // When it cannot be fetched, the note names where the commit is in the git home.
        let branch = match fetched {
            Ok(()) => branch,
            Err(_) => pushed.clone(),
        };
        AgentNote::Worktree {
            path: format!("{} {pushed}", self.home),
            branch,
            kept: true,
        }
    }
}

/// Runs the call as an activity and waits for it; the outcome, and the commit its attempt
/// pushed, if any.
async fn run_remote(
    client: Client,
    config: TemporalConfig,
    call: AgentCall,
    git: Option<GitTask>,
    notes: NoteSink,
    cancels: Cancellations,
    carrier: Carrier,
) -> (AgentOutcome, Option<crate::wire::Commit>) {
    let id = activity_id(&call.run_id, &call.key, call.occurrence);
    let options = ActivityStartOptions::new(
        config.task_queue.clone(),
        id.clone(),
        // The agent's own `timeoutMs` bounds it on the worker; this only ends activities
        // nobody will ever collect.
        ActivityCloseTimeouts::ScheduleToClose(Duration::from_secs(7 * 24 * 3600)),
    )
    .heartbeat_timeout(config.heartbeat_timeout)
    // Unlimited attempts: an attempt fails only when its worker died or lost the server
    // (the agent's own errors come back as outcomes), so another worker should take it.
    .retry_policy(
        RetryPolicy::builder()
            .initial_interval(Duration::from_secs(1))
            .maximum_interval(Duration::from_secs(30))
            .build(),
    )
    // A running activity with this id is the same call: attach to it. A closed one that
    // completed holds the answer; one that failed runs again.
    .id_conflict_policy(ActivityIdConflictPolicy::UseExisting)
    .id_reuse_policy(ActivityIdReusePolicy::AllowDuplicateFailedOnly)
    .summary(
        call.options
            .label
            .clone()
            .unwrap_or_else(|| format!("call #{}", call.seq)),
    )
    .build();
    let task = AgentTask { call, git };
    let task = match carrier.seal(task).await {
        Ok(task) => task,
        Err(message) => {
            let usage = Usage::default();
            return (AgentOutcome::Fatal { message, usage }, None);
        }
    };
    loop {
        match client
            .start_activity(AgentActivities::agent, task.clone(), options.clone())
            .await
        {
            Ok(_) | Err(StartActivityError::AlreadyStarted { .. }) => break,
            Err(error) if transient_start(&error) => tokio::time::sleep(RECONNECT_EVERY).await,
            Err(error) => {
                let outcome = AgentOutcome::Fatal {
                    message: format!("cannot start the agent on Temporal: {error}"),
                    usage: Usage::default(),
                };
                return (outcome, None);
            }
        }
    }
    // Stopping the run (or this agent) drops this future: the activity is cancelled with it.
    let cancel_on_drop = CancelOnDrop::new(client.clone(), id.clone(), cancels);
    let mut relay = Relay::new(notes);
    let handle = client.get_activity_handle(AgentActivities::agent, id.clone(), None);
    let result = {
        let collect = async {
            loop {
                match handle.result().await {
                    Err(ActivityResultError::Rpc(status)) => {
                        eprintln!("temporal: waiting for {id}: {status}");
                        tokio::time::sleep(RECONNECT_EVERY).await;
                    }
                    other => break other,
                }
            }
        };
        tokio::pin!(collect);
        let mut tick = tokio::time::interval(PROGRESS_EVERY);
        loop {
            tokio::select! {
                result = &mut collect => break result,
                _ = tick.tick() => {
                    let described = handle
                        .describe(ActivityDescribeOptions::builder().include_heartbeat_details(true).build())
                        .await;
                    if let Ok(described) = described {
                        if let Ok(Some(progress)) = described.heartbeat_details::<Progress>().await {
                            relay.progress(&progress);
                        }
                    }
                }
            }
        }
    };
    cancel_on_drop.disarm();
    match result {
        Ok(carried) => match carrier.open(carried).await {
            Ok(mut report) => {
                let commit = report.commit.take();
                (relay.finish(report), commit)
            }
            Err(message) => {
                let outcome = AgentOutcome::Rejected {
                    name: "WorkerError".into(),
                    message,
                    usage: Usage::default(),
                };
                (outcome, None)
            }
        },
        Err(ActivityResultError::Cancelled { .. }) => {
            let outcome = AgentOutcome::Null {
                reason: "stopped: its activity was cancelled".into(),
                usage: Usage::default(),
            };
            (outcome, None)
        }
        Err(error) => {
            let outcome = AgentOutcome::Rejected {
                name: "WorkerError".into(),
                message: format!("the agent's activity {id} failed: {error}"),
                usage: Usage::default(),
            };
            (outcome, None)
        }
    }
}

/// Passes a remote agent's notes on once each: from heartbeats while it runs, the rest from
/// its report. A new attempt (another worker took over) begins with `Restarted`.
struct Relay {
    notes: NoteSink,
    attempt: u32,
    seen: usize,
}

impl Relay {
    fn new(notes: NoteSink) -> Relay {
        Relay {
            notes,
            attempt: 0,
            seen: 0,
        }
    }

    fn switch_to(&mut self, attempt: u32) {
        if attempt != self.attempt {
            if self.attempt != 0 {
                (self.notes)(AgentNote::Restarted);
            }
            self.attempt = attempt;
            self.seen = 0;
        }
    }

    fn progress(&mut self, progress: &Progress) {
        if progress.attempt < self.attempt {
            return;
        }
        self.switch_to(progress.attempt);
        for note in progress.notes.iter().skip(self.seen) {
            (self.notes)(note.clone());
        }
        self.seen = self.seen.max(progress.notes.len());
    }

    fn finish(mut self, report: AgentReport) -> AgentOutcome {
        self.switch_to(report.attempt);
        for note in report.notes.into_iter().skip(self.seen) {
            (self.notes)(note);
        }
        report.outcome
    }
}

fn transient_start(error: &StartActivityError) -> bool {
    matches!(error, StartActivityError::Rpc(status) if status.code() == temporalio_client::tonic::Code::Unavailable)
}
