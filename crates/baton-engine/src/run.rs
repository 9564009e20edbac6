//! One workflow run from start to end: wires the sandbox to the engine host, runs the script on
//! the calling thread, cancels what is left when it ends, and reports.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use baton_model::{AgentBackend, Event, EventSink, Replay, RunId, RunStatus, Usage};
use baton_script::{thread_cpu_time, FailureKind, Script, ScriptConfig, ScriptOutcome};
use serde_json::Value;
use tokio::runtime::Handle;
use tokio::sync::{watch, Semaphore};

use crate::cap_watch::CapWatch;
use crate::caps::Caps;
use crate::control::RunControl;
use crate::host::{Crew, EngineHost, Tally};
use crate::library::WorkflowLibrary;
use crate::limits::RunLimits;

pub struct RunSpec {
    pub run_id: RunId,
    pub script: Script,
    /// The caller's `args` (`None`: the script sees `undefined`).
    pub args: Option<Value>,
    /// The logical clock's start, ms since the epoch; journaled so a resumed run sees the same.
    pub start_time_ms: f64,
    /// Seeds `Math.random`; journaled so a resumed run draws the same numbers
    /// (`baton_script::seed_from(run id)` for a new run).
    pub seed: [u32; 4],
    /// Results of an earlier run or attempt that calls take instead of running again.
    pub replay: Replay,
    pub limits: RunLimits,
    /// The model for agents that name none (`sim`, or a provider's default).
    pub default_model: String,
    pub cwd: PathBuf,
    pub library: WorkflowLibrary,
    /// Stops, pauses and steers agents from any thread, while `run_workflow` blocks.
    pub control: RunControl,
}

#[derive(Debug)]
pub struct RunReport {
    pub run_id: RunId,
    pub outcome: ScriptOutcome,
    pub usage: Usage,
    /// `agent()` calls accepted (what the agent cap counts).
    pub agents_called: u64,
    /// Agents that got a slot and began work.
    pub agents_started: u64,
    pub agents_completed: u64,
    pub agents_null: u64,
    pub agents_rejected: u64,
    /// Calls answered from the journal without running an agent.
    pub agents_cached: u64,
    /// Set when the run was stopped because it could not go on (no key, refused key, unknown
    /// model, unreachable provider): a configuration error for the user to fix.
    pub fatal: Option<String>,
    /// The cap that refused an agent or stopped running ones, in words with the final spend
    /// (`cost cap reached: $0.0123 spent of --max-cost-usd 0.01`); `None` when none bound.
    pub cap: Option<String>,
    pub elapsed: Duration,
    /// CPU time of the thread that ran the script (JavaScript plus the engine's own work there).
    pub script_cpu: Duration,
}

impl RunReport {
    pub fn status(&self) -> RunStatus {
        if self.fatal.is_some() {
            return RunStatus::Failed;
        }
        match &self.outcome {
            ScriptOutcome::Completed(_) => RunStatus::Completed,
            ScriptOutcome::Failed(_) => RunStatus::Failed,
            ScriptOutcome::Stopped => RunStatus::Stopped,
        }
    }

    /// True when the script never ran because QuickJS refused to compile it.
    pub fn is_syntax_error(&self) -> bool {
        matches!(&self.outcome, ScriptOutcome::Failed(e) if e.kind == FailureKind::Syntax)
    }
}

/// Runs the workflow to its end. Blocks the calling thread (which must not be a tokio worker):
/// the script runs here, agents run on `tokio`.
pub fn run_workflow(
    spec: RunSpec,
    backend: Arc<dyn AgentBackend>,
    events: Arc<dyn EventSink>,
    tokio: Handle,
) -> RunReport {
    let started = Instant::now();
    let cpu_at_start = thread_cpu_time();
    let (inbox_sender, inbox) = mpsc::channel();

    events.emit(Event::RunStarted {
        run_id: spec.run_id.clone(),
        workflow: spec.script.meta.name.clone(),
        phases: spec
            .script
            .meta
            .phases
            .iter()
            .map(|p| p.title.clone())
            .collect(),
    });

    spec.control.attach(inbox_sender.clone(), events.clone());

    let tally = Arc::new(Tally::default());
    let caps = Arc::new(Caps::new(&spec.limits, tally.clone(), events.clone()));
    let tasks = Arc::new(Mutex::new(Vec::new()));
    let slots = Arc::new(Semaphore::new(spec.limits.concurrency.max(1)));
    let (cancel, cancelled) = watch::channel(false);
    let host = EngineHost {
        run_id: spec.run_id.clone(),
        crew: Crew {
            backend: CapWatch::wrap(backend, caps.clone()),
            events: events.clone(),
            slots: slots.clone(),
            tally: tally.clone(),
            inbox: inbox_sender,
            cancel: cancelled,
            control: spec.control.clone(),
            caps: caps.clone(),
        },
        tokio: tokio.clone(),
        default_model: spec.default_model.clone(),
        library: spec.library,
        cwd: spec.cwd,
        current_phase: None,
        replay: spec.replay,
        occurrences: Default::default(),
        tasks: tasks.clone(),
    };
    let config = ScriptConfig {
        args: spec.args,
        seed: spec.seed,
        start_time_ms: spec.start_time_ms,
        budget_total: spec.limits.budget_tokens,
        limits: spec.limits.script,
        stop: spec.control.stopped.clone(),
    };
    let outcome = baton_script::run(&spec.script, config, Box::new(host), inbox);

    // Agents the script no longer waits for are cancelled: nothing can use their results.
    // Queued ones never start (the semaphore is closed); running ones stop and report it,
    // before the run's own end is reported.
    slots.close();
    let _ = cancel.send(true);
    let pending: Vec<_> = tasks
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .drain(..)
        .collect();
    tokio.block_on(async {
        for task in pending {
            let _ = task.await;
        }
    });
    spec.control.detach();

    // Read before the report takes the tally's lock for its usage (a temporary that lives to
    // the end of the statement).
    let cap = caps.report();
    let report = RunReport {
        run_id: spec.run_id,
        outcome,
        usage: *tally.usage.lock().unwrap_or_else(|e| e.into_inner()),
        agents_called: tally.accepted.load(Ordering::Relaxed),
        agents_started: tally.started.load(Ordering::Relaxed),
        agents_completed: tally.completed.load(Ordering::Relaxed),
        agents_null: tally.nulls.load(Ordering::Relaxed),
        agents_rejected: tally.rejected.load(Ordering::Relaxed),
        agents_cached: tally.cached.load(Ordering::Relaxed),
        fatal: tally.fatal.lock().unwrap_or_else(|e| e.into_inner()).take(),
        cap,
        elapsed: started.elapsed(),
        script_cpu: thread_cpu_time().saturating_sub(cpu_at_start),
    };
    events.emit(Event::RunFinished {
        status: report.status(),
        error: match (&report.fatal, &report.outcome) {
            (Some(fatal), _) => Some(fatal.clone()),
            (None, ScriptOutcome::Failed(error)) => Some(error.message.clone()),
            _ => None,
        },
    });
    report
}
