//! Runs one script to its end on the calling thread: builds the sandbox, evaluates the body,
//! then alternates between draining QuickJS's job queue and waiting for the inbox or a timer.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use baton_model::LogLevel;
use rquickjs::{Context, Ctx, Function, Object, Persistent, Runtime, Value};
use serde_json::json;

use crate::alloc::LimitedAllocator;
use crate::cpu::thread_cpu_time;
use crate::failure::{FailureKind, ScriptError};
use crate::globals::{evaluate, host_object, Finish, Shared};
use crate::host::{Host, Inbox, InboxMessage};
use crate::timers::Timers;
use crate::Script;

const PRELUDE: &str = include_str!("prelude.js");
/// Stack for the script's own recursion; deep enough for real scripts, small enough to stop
/// runaway recursion with a RangeError instead of a crash.
const MAX_STACK_BYTES: usize = 1 << 20;

/// Limits of SPEC §4 that the sandbox enforces itself.
#[derive(Debug, Clone)]
pub struct ScriptLimits {
    /// Time spent running JavaScript (not waiting).
    pub cpu_time: Duration,
    pub heap_bytes: usize,
    /// Items per `parallel` / `pipeline` call.
    pub max_items: usize,
}

impl Default for ScriptLimits {
    fn default() -> Self {
        ScriptLimits {
            cpu_time: Duration::from_secs(30),
            heap_bytes: 256 << 20,
            max_items: 4096,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ScriptConfig {
    /// The caller's value for `args` (`None`: `undefined`).
    pub args: Option<serde_json::Value>,
    /// Seed of `Math.random`, derived from the run id.
    pub seed: [u32; 4],
    /// The logical clock's start: the run's recorded start time, in ms since the epoch.
    pub start_time_ms: f64,
    /// The run's token budget (`budget.total`).
    pub budget_total: Option<u64>,
    pub limits: ScriptLimits,
    /// Set from any thread to stop the script even while it computes.
    pub stop: Arc<AtomicBool>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScriptOutcome {
    /// The returned value (`null` for no value).
    Completed(serde_json::Value),
    Failed(ScriptError),
    Stopped,
}

/// Why the interrupt handler ended JavaScript execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Interrupt {
    None,
    CpuLimit,
    Stop,
}

/// The hooks the prelude returns, kept across `ctx.with` calls.
struct Hooks {
    settle: Persistent<Function<'static>>,
    fire_timer: Persistent<Function<'static>>,
}

/// Runs `script` until it returns, fails or is stopped. Blocks the calling thread, which owns
/// the QuickJS runtime for the whole run.
pub fn run(
    script: &Script,
    config: ScriptConfig,
    host: Box<dyn Host>,
    inbox: Inbox,
) -> ScriptOutcome {
    let heap_exhausted = Rc::new(Cell::new(false));
    let allocator = LimitedAllocator::new(config.limits.heap_bytes, heap_exhausted.clone());
    let runtime = match Runtime::new_with_alloc(allocator) {
        Ok(runtime) => runtime,
        Err(error) => return internal(format!("cannot start the JavaScript runtime: {error}")),
    };
    runtime.set_max_stack_size(MAX_STACK_BYTES);

    let interrupt = Rc::new(Cell::new(Interrupt::None));
    {
        let interrupt = interrupt.clone();
        let stop = config.stop.clone();
        let cpu_deadline = thread_cpu_time() + config.limits.cpu_time;
        runtime.set_interrupt_handler(Some(Box::new(move || {
            if stop.load(Ordering::Relaxed) {
                interrupt.set(Interrupt::Stop);
            } else if thread_cpu_time() > cpu_deadline {
                interrupt.set(Interrupt::CpuLimit);
            }
            interrupt.get() != Interrupt::None
        })));
    }
    let unhandled = track_unhandled_rejections(&runtime);

    let context = match Context::full(&runtime) {
        Ok(context) => context,
        Err(error) => return internal(format!("cannot create the JavaScript context: {error}")),
    };
    let shared = Rc::new(Shared::new(host, Timers::new(config.start_time_ms)));
    let limits = Limits {
        config: &config,
        interrupt: &interrupt,
        heap_exhausted: &heap_exhausted,
    };

    let hooks = context.with(|ctx| start(&ctx, &shared, script, &config));
    let outcome = match hooks {
        Ok(hooks) => {
            let outcome = drive(
                &runtime, &context, &shared, &hooks, &inbox, &unhandled, &limits,
            );
            drop(hooks);
            outcome
        }
        Err(failure) => limits.explain(failure),
    };
    unhandled.borrow_mut().clear();
    // Persistent handles must go before the runtime; the context goes next, then the runtime.
    drop(context);
    drop(runtime);
    outcome
}

/// Everything the loop needs to explain why JavaScript stopped running.
struct Limits<'a> {
    config: &'a ScriptConfig,
    interrupt: &'a Rc<Cell<Interrupt>>,
    heap_exhausted: &'a Rc<Cell<bool>>,
}

impl Limits<'_> {
    /// Turns an engine-level failure into the outcome a user should see.
    fn explain(&self, failure: Failure) -> ScriptOutcome {
        match self.interrupt.get() {
            Interrupt::Stop => return ScriptOutcome::Stopped,
            Interrupt::CpuLimit => {
                return ScriptOutcome::Failed(ScriptError::plain(
                    FailureKind::CpuLimit,
                    format!(
                        "the script used more than its {} of CPU time (time spent running JavaScript, not waiting for agents); look for a loop that never ends, or raise the limit with --script-cpu-seconds",
                        human_duration(self.config.limits.cpu_time)
                    ),
                ))
            }
            Interrupt::None => {}
        }
        if self.heap_exhausted.get() {
            return ScriptOutcome::Failed(ScriptError::plain(
                FailureKind::HeapLimit,
                format!(
                    "the script ran out of memory: its heap is limited to {} MiB; look for data that grows without bound, or raise the limit with --script-heap-mib",
                    self.config.limits.heap_bytes >> 20
                ),
            ));
        }
        match failure {
            Failure::Script(error) => ScriptOutcome::Failed(error),
            Failure::Engine(message) => internal(message),
        }
    }
}

enum Failure {
    Script(ScriptError),
    Engine(String),
}

/// Installs the globals, compiles the script and starts its body.
fn start(
    ctx: &Ctx<'_>,
    shared: &Rc<Shared>,
    script: &Script,
    config: &ScriptConfig,
) -> Result<Hooks, Failure> {
    let engine = |e: rquickjs::Error| Failure::Engine(format!("preparing the sandbox: {e}"));
    crate::intl::install(ctx).map_err(engine)?;
    let host = host_object(ctx, shared).map_err(engine)?;
    let mut prelude_config = json!({
        "seed": config.seed,
        "budgetTotal": config.budget_total,
        "maxItems": config.limits.max_items,
    });
    // No key at all when no args were given, so the script sees `undefined` rather than `null`.
    if let Some(args) = &config.args {
        prelude_config["args"] = args.clone();
    }
    let prelude_config = ctx.json_parse(prelude_config.to_string()).map_err(engine)?;
    let mut options = rquickjs::context::EvalOptions::default();
    options.strict = true;
    options.filename = Some("<baton>".into());
    let prelude: Function = ctx.eval_with_options(PRELUDE, options).map_err(engine)?;
    let hooks: Object = prelude.call((host, prelude_config)).map_err(engine)?;

    let body =
        evaluate(ctx, shared, script).map_err(|e| caught(ctx, shared, e, FailureKind::Syntax))?;
    let run_main: Function = hooks.get("runMain").map_err(engine)?;
    run_main
        .call::<_, ()>((body,))
        .map_err(|e| caught(ctx, shared, e, FailureKind::Thrown))?;
    Ok(Hooks {
        settle: Persistent::save(ctx, hooks.get::<_, Function>("settle").map_err(engine)?),
        fire_timer: Persistent::save(ctx, hooks.get::<_, Function>("fireTimer").map_err(engine)?),
    })
}

/// The run loop: drain jobs, check for the end, wait for the next message or timer.
fn drive(
    runtime: &Runtime,
    context: &Context,
    shared: &Rc<Shared>,
    hooks: &Hooks,
    inbox: &Inbox,
    unhandled: &Unhandled,
    limits: &Limits<'_>,
) -> ScriptOutcome {
    loop {
        if let Err(failure) = drain_jobs(runtime, context, shared) {
            return limits.explain(failure);
        }
        for warning in unhandled.borrow_mut().drain(..).map(|(_, message)| message) {
            shared.host.borrow_mut().log(
                LogLevel::Warn,
                format!("unhandled promise rejection (the script dropped this promise): {warning}"),
            );
        }
        if let Some(finish) = shared.finished.borrow_mut().take() {
            return match finished(finish, shared) {
                ScriptOutcome::Failed(error) => limits.explain(Failure::Script(error)),
                outcome => outcome,
            };
        }
        if limits.config.stop.load(Ordering::Relaxed) {
            return ScriptOutcome::Stopped;
        }
        if shared.agents_in_flight.get() == 0 && shared.timers.borrow().is_empty() {
            return ScriptOutcome::Failed(ScriptError::plain(
                FailureKind::Deadlock,
                "the script is waiting on a promise that can never settle: no agent, timer or other work is pending (a `new Promise` whose resolve is never called?)",
            ));
        }

        let next_deadline = shared.timers.borrow().next_deadline();
        let message = match next_deadline {
            Some(deadline) => {
                inbox.recv_timeout(deadline.saturating_duration_since(Instant::now()))
            }
            None => inbox.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        let step = match message {
            Ok(message) => deliver(context, shared, hooks, message).and_then(|()| {
                // Settle everything already waiting before running jobs again.
                while let Ok(message) = inbox.try_recv() {
                    deliver(context, shared, hooks, message)?;
                }
                Ok(())
            }),
            Err(RecvTimeoutError::Timeout) => fire_due_timers(context, shared, hooks),
            Err(RecvTimeoutError::Disconnected) => {
                return internal(
                    "the engine stopped answering while agents were still running".into(),
                )
            }
        };
        match step {
            Ok(()) => {}
            Err(Delivery::Stop) => return ScriptOutcome::Stopped,
            Err(Delivery::Failed(failure)) => return limits.explain(failure),
        }
    }
}

enum Delivery {
    Stop,
    Failed(Failure),
}

fn deliver(
    context: &Context,
    shared: &Shared,
    hooks: &Hooks,
    message: InboxMessage,
) -> Result<(), Delivery> {
    let (call, result) = match message {
        InboxMessage::Stop => return Err(Delivery::Stop),
        InboxMessage::Settle { call, result } => (call, result),
    };
    shared
        .agents_in_flight
        .set(shared.agents_in_flight.get().saturating_sub(1));
    let (ok, payload) = match result {
        Ok(value) => (true, value.to_string()),
        Err(error) => (
            false,
            json!({"name": error.name, "message": error.message}).to_string(),
        ),
    };
    context
        .with(|ctx| {
            let settle = hooks.settle.clone().restore(&ctx).map_err(engine_failure)?;
            settle
                .call::<_, ()>((call as f64, ok, payload))
                .map_err(|e| caught(&ctx, shared, e, FailureKind::Thrown))
        })
        .map_err(Delivery::Failed)
}

fn fire_due_timers(context: &Context, shared: &Shared, hooks: &Hooks) -> Result<(), Delivery> {
    let due = shared.timers.borrow_mut().take_due(Instant::now());
    context
        .with(|ctx| {
            let fire = hooks
                .fire_timer
                .clone()
                .restore(&ctx)
                .map_err(engine_failure)?;
            for id in due {
                fire.call::<_, ()>((id as f64,))
                    .map_err(|e| caught(&ctx, shared, e, FailureKind::Thrown))?;
            }
            Ok(())
        })
        .map_err(Delivery::Failed)
}

fn drain_jobs(runtime: &Runtime, context: &Context, shared: &Shared) -> Result<(), Failure> {
    loop {
        match runtime.execute_pending_job() {
            Ok(true) => continue,
            Ok(false) => return Ok(()),
            Err(_) => {
                return Err(context.with(|ctx| {
                    let reason = ctx.catch();
                    failure_from_value(&ctx, shared, reason, FailureKind::Thrown)
                }))
            }
        }
    }
}

/// Reads the exception behind an `rquickjs::Error` returned from a call into JavaScript.
fn caught(ctx: &Ctx<'_>, shared: &Shared, error: rquickjs::Error, kind: FailureKind) -> Failure {
    if !matches!(error, rquickjs::Error::Exception) {
        return Failure::Engine(error.to_string());
    }
    let reason = ctx.catch();
    failure_from_value(ctx, shared, reason, kind)
}

fn failure_from_value<'js>(
    ctx: &Ctx<'js>,
    shared: &Shared,
    reason: Value<'js>,
    kind: FailureKind,
) -> Failure {
    let Some(object) = reason.as_object() else {
        let text = json_text(ctx, reason);
        return Failure::Script(ScriptError::plain(
            kind,
            format!("uncaught exception: {text}"),
        ));
    };
    let name: String = object.get("name").unwrap_or_default();
    let message: String = object.get("message").unwrap_or_default();
    let stack: String = object.get("stack").unwrap_or_default();
    let headline = if name.is_empty() {
        message
    } else {
        format!("{name}: {message}")
    };
    Failure::Script(ScriptError::from_js(
        kind,
        headline,
        &stack,
        &shared.sources.borrow(),
    ))
}

/// The script's top-level promise settled.
fn finished(finish: Finish, shared: &Shared) -> ScriptOutcome {
    match finish {
        Ok(text) => match serde_json::from_str(&text) {
            Ok(value) => ScriptOutcome::Completed(value),
            Err(error) => internal(format!("the script's result is not valid JSON: {error}")),
        },
        Err(text) => {
            #[derive(serde::Deserialize)]
            struct Thrown {
                thrown: String,
                name: String,
                message: String,
                stack: String,
            }
            let thrown: Thrown = match serde_json::from_str(&text) {
                Ok(thrown) => thrown,
                Err(error) => {
                    return internal(format!("unreadable failure from the script: {error}"))
                }
            };
            let headline = match (thrown.thrown.as_str(), thrown.name.is_empty()) {
                ("value", _) => format!("the script threw a non-Error value: {}", thrown.message),
                (_, true) => thrown.message,
                (_, false) => format!("{}: {}", thrown.name, thrown.message),
            };
            ScriptOutcome::Failed(ScriptError::from_js(
                FailureKind::Thrown,
                headline,
                &thrown.stack,
                &shared.sources.borrow(),
            ))
        }
    }
}

type Unhandled = Rc<std::cell::RefCell<Vec<(Persistent<Value<'static>>, String)>>>;

/// Remembers promises rejected with no handler; forgets them when a handler is attached later.
fn track_unhandled_rejections(runtime: &Runtime) -> Unhandled {
    let unhandled: Unhandled = Rc::default();
    let list = unhandled.clone();
    runtime.set_host_promise_rejection_tracker(Some(Box::new(
        move |ctx, promise, reason, is_handled| {
            let mut list = list.borrow_mut();
            if is_handled {
                list.retain(|(saved, _)| {
                    saved
                        .clone()
                        .restore(&ctx)
                        .map(|p| p != promise)
                        .unwrap_or(true)
                });
            } else {
                let message = match reason.as_object() {
                    Some(object) => {
                        let name: String = object.get("name").unwrap_or_default();
                        let message: String = object.get("message").unwrap_or_default();
                        format!("{name}: {message}")
                    }
                    None => json_text(&ctx, reason),
                };
                list.push((Persistent::save(&ctx, promise), message));
            }
        },
    )));
    unhandled
}

/// A thrown non-object value as JSON text (`undefined` when it has none).
fn json_text<'js>(ctx: &Ctx<'js>, value: Value<'js>) -> String {
    ctx.json_stringify(value)
        .ok()
        .flatten()
        .and_then(|s| s.to_string().ok())
        .unwrap_or_else(|| "undefined".into())
}

fn engine_failure(error: rquickjs::Error) -> Failure {
    Failure::Engine(error.to_string())
}

fn internal(message: String) -> ScriptOutcome {
    ScriptOutcome::Failed(ScriptError::plain(
        FailureKind::Internal,
        format!("internal error in baton's script runtime: {message}"),
    ))
}

fn human_duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs >= 1.0 {
        format!("{secs}s")
    } else {
        format!("{}ms", duration.as_millis())
    }
}

/// Convenience for hosts: the `Math.random` seed derived from a run id.
pub fn seed_from(run_id: &str) -> [u32; 4] {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(run_id.as_bytes());
    let word =
        |i: usize| u32::from_le_bytes([digest[i], digest[i + 1], digest[i + 2], digest[i + 3]]);
    [word(0), word(4), word(8), word(12)]
}
