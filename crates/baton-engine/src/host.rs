//! The engine's side of the sandbox seam: accepts `agent()` calls, asks the caps (`caps.rs`)
//! whether they may start, schedules accepted calls on tokio behind the concurrency semaphore,
//! and settles them through the script's inbox.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use baton_model::{
    call_key_with_tools, AgentBackend, AgentCall, AgentEnd, AgentNote, AgentOptions, AgentOutcome,
    CallKey, Event, EventSink, LogLevel, NoteSink, Replay, RunId, Usage,
};
use baton_script::{Host, HostError, InboxMessage, InboxSender, Script};
use serde_json::Value;
use tokio::runtime::Handle;
use tokio::sync::watch;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::caps::Caps;
use crate::control::{Order, RunControl};
use crate::library::WorkflowLibrary;
use crate::schema::check_schema;

/// Totals the run keeps while agents finish on other threads.
#[derive(Debug, Default)]
pub struct Tally {
    pub usage: Mutex<Usage>,
    /// Output tokens spent by finished agents and answers from the journal (`Caps` adds the
    /// running agents' turns for `budget.spent()` and the budget check).
    pub output_tokens: AtomicU64,
    /// `agent()` calls accepted (the agent cap counts these).
    pub accepted: AtomicU64,
    /// Agents that got a slot and began work.
    pub started: AtomicU64,
    pub completed: AtomicU64,
    pub nulls: AtomicU64,
    pub rejected: AtomicU64,
    /// Calls answered from the journal of an earlier run or attempt, without an agent.
    pub cached: AtomicU64,
    /// Why the run could not go on (no key, refused key, unknown model, unreachable provider);
    /// the first such reason wins.
    pub fatal: Mutex<Option<String>>,
}

impl Tally {
    /// Records the first fatal reason; later ones are consequences of the same stop.
    fn record_fatal(&self, message: String) {
        self.fatal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(message);
    }
}

/// What every agent task of a run shares.
#[derive(Clone)]
pub struct Crew {
    pub backend: Arc<dyn AgentBackend>,
    pub events: Arc<dyn EventSink>,
    /// One permit per agent in flight (`--concurrency`).
    pub slots: Arc<Semaphore>,
    pub tally: Arc<Tally>,
    pub inbox: InboxSender,
    /// Flips to `true` when the run ends: agents still running stop and report it.
    pub cancel: watch::Receiver<bool>,
    /// Stops the whole run when an agent hits a fatal error; holds the pause and the user's
    /// orders to running agents.
    pub control: RunControl,
    /// The agent cap, the token budget and the cost cap, and the spend they are checked against.
    pub caps: Arc<Caps>,
}

pub struct EngineHost {
    pub run_id: RunId,
    pub crew: Crew,
    pub tokio: Handle,
    pub default_model: String,
    pub library: WorkflowLibrary,
    /// Where `{ scriptPath }` references are resolved from.
    pub cwd: PathBuf,
    pub current_phase: Option<String>,
    /// Results a resumed run takes from its journal instead of running agents again.
    pub replay: Replay,
    pub occurrences: HashMap<CallKey, u32>,
    pub tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl EngineHost {
    fn refuse_unless_allowed(&self) -> Result<(), HostError> {
        self.crew.caps.admit()
    }

    /// Settles a call with the result an earlier run or attempt journaled for it. Its output
    /// tokens count toward `budget.spent()` (the script sees the run it would have seen), but
    /// not toward what this run paid.
    fn answer_from_journal(
        &self,
        call: AgentCall,
        phase: Option<String>,
        value: Value,
        usage: Usage,
    ) {
        let crew = &self.crew;
        crew.tally.cached.fetch_add(1, Ordering::Relaxed);
        crew.tally
            .output_tokens
            .fetch_add(usage.output_tokens, Ordering::Relaxed);
        let seq = call.seq;
        let label = call.options.label.clone();
        crew.events.emit(queued_event(&call, phase.clone()));
        crew.events.emit(Event::AgentFinished {
            seq,
            label,
            phase,
            end: AgentEnd::Cached {
                value: value.clone(),
            },
            usage,
            elapsed_ms: 0,
        });
        // Stored again as this run's own before the script sees it: a resume of this run
        // finds it here, even when it came from the run this one continues.
        let inbox = crew.inbox.clone();
        crew.events.when_durable(Box::new(move || {
            let _ = inbox.send(InboxMessage::Settle {
                call: seq,
                result: Ok(value),
            });
        }));
    }

    /// `isolation: "worktree"` needs a git repository around the workspace (SPEC §3, §6).
    fn check_git_workspace(&self) -> Result<(), HostError> {
        if self.cwd.ancestors().any(|dir| dir.join(".git").exists()) {
            return Ok(());
        }
        Err(HostError::new(
            "WorktreeIsolationError",
            format!(
                "isolation: \"worktree\" needs a git repository, and {} is not inside one; run baton in a git checkout or drop the option",
                self.cwd.display()
            ),
        ))
    }
}

impl Host for EngineHost {
    fn start_agent(&mut self, call: u64, prompt: String, options: Value) -> Result<(), HostError> {
        let (options, unknown) = AgentOptions::from_json(&options)
            .map_err(|message| HostError::new("TypeError", message))?;
        if !unknown.is_empty() {
            self.log(
                LogLevel::Info,
                format!(
                    "agent #{call}: ignored unknown option(s): {}",
                    unknown.join(", ")
                ),
            );
        }
        if let Some(schema) = &options.schema {
            check_schema(schema).map_err(|message| HostError::new("SchemaError", message))?;
        }
        if options.isolation.is_some() {
            self.check_git_workspace()?;
        }
        self.refuse_unless_allowed()?;
        self.crew.tally.accepted.fetch_add(1, Ordering::Relaxed);

        let requested = options.model.as_deref().unwrap_or(&self.default_model);
        let model = match self.crew.backend.resolve_model(requested) {
            Ok(model) => model,
            Err(message) => {
                // A model nobody can serve is a configuration error: no other agent would fare
                // better, so the run stops and the user is told (exit 2).
                let message = format!("model '{requested}': {message}");
                self.crew.tally.record_fatal(message.clone());
                self.crew.control.stop();
                return Err(HostError::new("ModelError", message));
            }
        };
        let tools = self.crew.backend.tool_identity(&options);
        let key = call_key_with_tools(&prompt, &model, &options, tools.as_ref());
        let occurrence = self.occurrences.entry(key.clone()).or_insert(0);
        *occurrence += 1;
        let phase = options.phase.clone().or_else(|| self.current_phase.clone());
        let agent_call = AgentCall {
            run_id: self.run_id.clone(),
            seq: call,
            key,
            occurrence: *occurrence - 1,
            prompt,
            model,
            options,
        };
        if let Some(done) = self.replay.get(&agent_call.key, agent_call.occurrence) {
            self.answer_from_journal(agent_call, phase, done.value.clone(), done.usage);
            return Ok(());
        }
        self.crew
            .events
            .emit(queued_event(&agent_call, phase.clone()));
        let task = run_agent(agent_call, phase, self.crew.clone());
        let handle = self.tokio.spawn(task);
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(handle);
        Ok(())
    }

    fn log(&mut self, level: LogLevel, text: String) {
        self.crew.events.emit(Event::Log { level, text });
    }

    fn phase(&mut self, title: String) {
        self.current_phase = Some(title.clone());
        self.crew.events.emit(Event::PhaseStarted { title });
    }

    fn budget_spent(&mut self) -> u64 {
        self.crew.caps.tokens_spent()
    }

    fn load_workflow(&mut self, reference: Value) -> Result<Script, String> {
        let (path, source) = match &reference {
            Value::String(name) => match self.library.find(name) {
                Some(saved) => {
                    let source = saved.source().map_err(|e| format!("workflow(): {e}"))?;
                    (saved.path, source)
                }
                None => {
                    let names: Vec<String> =
                        self.library.list().into_iter().map(|w| w.name).collect();
                    let available = if names.is_empty() {
                        "none are saved (put them in .claude/workflows/ or .baton/workflows/)"
                            .to_string()
                    } else {
                        names.join(", ")
                    };
                    return Err(format!(
                        "workflow(): no saved workflow named '{name}'; available: {available}"
                    ));
                }
            },
            Value::Object(map) => match map.get("scriptPath").and_then(Value::as_str) {
                Some(path) => {
                    let path = resolve(&self.cwd, path);
                    let source = std::fs::read_to_string(&path)
                        .map_err(|e| format!("workflow(): cannot read {}: {e}", path.display()))?;
                    (path, source)
                }
                None => {
                    return Err("workflow(): a reference object needs a string `scriptPath`".into())
                }
            },
            other => {
                return Err(format!(
                    "workflow(): expected a name or {{ scriptPath }}, got {other}"
                ))
            }
        };
        Script::from_source(&path, source).map_err(|problems| {
            format!(
                "workflow(): {} has problems:\n{}",
                path.display(),
                problems.render()
            )
        })
    }
}

fn resolve(cwd: &Path, path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    }
}

/// One agent's life: wait for a slot (and for the run to be unpaused), run, report, settle
/// the script's promise.
async fn run_agent(call: AgentCall, phase: Option<String>, crew: Crew) {
    let Crew {
        backend,
        events,
        slots,
        tally,
        inbox,
        mut cancel,
        control,
        caps,
    } = crew;
    let seq = call.seq;
    let label = call.options.label.clone();
    // Orders reach it from the moment it is queued: a queued agent can be stopped too.
    let mut orders = control.register(seq, label.clone());
    // A closed semaphore or a cancelled run means the run has ended: a queued agent never
    // starts.
    let waited = tokio::select! {
        // In this order when several are ready: an order given before the slot came wins.
        biased;
        _ = cancel.wait_for(|ended| *ended) => None,
        () = stop_order(&mut orders) => Some(None),
        permit = slot_when_unpaused(&slots, &control) => permit.map(Some),
    };
    let started = Instant::now();
    let (outcome, usage) = match waited {
        None => {
            control.forget(seq);
            // The journal says how it ended, though nobody waits for the answer any more.
            events.emit(Event::AgentFinished {
                seq,
                label,
                phase,
                end: AgentEnd::Null {
                    reason: "not started: the run ended first".into(),
                },
                usage: Usage::default(),
                elapsed_ms: 0,
            });
            return;
        }
        Some(None) => (
            AgentOutcome::Null {
                reason: "stopped by the user before it started".into(),
                usage: Usage::default(),
            },
            Usage::default(),
        ),
        // Spending caps are checked again now: what finished while this call waited may have
        // reached one, and nothing starts past a cap.
        Some(Some(permit)) if let Err(refusal) = caps.may_start() => {
            drop(permit);
            let refused = AgentOutcome::Rejected {
                name: refusal.name,
                message: refusal.message,
                usage: Usage::default(),
            };
            (refused, Usage::default())
        }
        Some(Some(permit)) => {
            tally.started.fetch_add(1, Ordering::Relaxed);
            events.emit(Event::AgentStarted {
                seq,
                label: label.clone(),
                phase: phase.clone(),
                model: call.model.clone(),
            });
            let notes = note_sink(events.clone(), seq, label.clone());
            let outcome = loop {
                tokio::select! {
                    outcome = backend.run(call.clone(), notes.clone()) => break outcome,
                    _ = cancel.wait_for(|ended| *ended) => break AgentOutcome::Null {
                        reason: "stopped: the run ended before this agent finished".into(),
                        usage: Usage::default(),
                    },
                    order = next_order(&mut orders) => match order {
                        Order::Stop => break AgentOutcome::Null {
                            reason: "stopped by the user".into(),
                            usage: Usage::default(),
                        },
                        Order::Restart => notes(AgentNote::Restarted),
                        Order::Work => {}
                    },
                }
            };
            // Counted before the slot frees, so the queued agent that takes it sees this spend.
            let usage = caps.settle(seq, outcome.usage());
            drop(permit);
            (outcome, usage)
        }
    };
    control.forget(seq);
    let (end, result) = match outcome {
        AgentOutcome::Completed { value, .. } => {
            tally.completed.fetch_add(1, Ordering::Relaxed);
            (
                AgentEnd::Completed {
                    value: value.clone(),
                },
                Ok(value),
            )
        }
        AgentOutcome::Null { reason, .. } => {
            tally.nulls.fetch_add(1, Ordering::Relaxed);
            (AgentEnd::Null { reason }, Ok(Value::Null))
        }
        AgentOutcome::Rejected { name, message, .. } => {
            tally.rejected.fetch_add(1, Ordering::Relaxed);
            (
                AgentEnd::Rejected {
                    message: message.clone(),
                },
                Err(HostError::new(name, message)),
            )
        }
        AgentOutcome::Fatal { message, .. } => {
            tally.nulls.fetch_add(1, Ordering::Relaxed);
            tally.record_fatal(message.clone());
            control.stop();
            (AgentEnd::Null { reason: message }, Ok(Value::Null))
        }
    };
    events.emit(Event::AgentFinished {
        seq,
        label,
        phase,
        end,
        usage,
        elapsed_ms: started.elapsed().as_millis() as u64,
    });
    // The result is stored before the script can act on it: a crash from here on never
    // loses it, and a resume finds it. The script may have ended already; then nobody is
    // listening and that is fine.
    events.when_durable(Box::new(move || {
        let _ = inbox.send(InboxMessage::Settle { call: seq, result });
    }));
}

/// A slot for an agent, taken only while the run is not paused; `None` once the run ended.
async fn slot_when_unpaused(
    slots: &Arc<Semaphore>,
    control: &RunControl,
) -> Option<tokio::sync::OwnedSemaphorePermit> {
    loop {
        control.unpaused().await;
        let permit = slots.clone().acquire_owned().await.ok()?;
        // Paused while it waited for the slot: give the slot back and wait again.
        if !control.is_paused() {
            return Some(permit);
        }
    }
}

/// Returns once the user stops this agent; a restart of an agent that has not started yet
/// changes nothing.
async fn stop_order(orders: &mut watch::Receiver<Order>) {
    while next_order(orders).await != Order::Stop {}
}

/// The next order the user gives this agent (pending forever once nobody can give one).
async fn next_order(orders: &mut watch::Receiver<Order>) -> Order {
    match orders.changed().await {
        Ok(()) => *orders.borrow_and_update(),
        Err(_) => std::future::pending().await,
    }
}

fn queued_event(call: &AgentCall, phase: Option<String>) -> Event {
    Event::AgentQueued {
        seq: call.seq,
        key: call.key.clone(),
        occurrence: call.occurrence,
        label: call.options.label.clone(),
        phase,
        model: call.model.clone(),
        prompt: call.prompt.clone(),
        options: Box::new(call.options.clone()),
    }
}

/// Turns an agent's notes into events that name the agent.
fn note_sink(events: Arc<dyn EventSink>, seq: u64, label: Option<String>) -> NoteSink {
    Arc::new(move |note: AgentNote| {
        events.emit(Event::AgentNote {
            seq,
            label: label.clone(),
            note,
        })
    })
}
