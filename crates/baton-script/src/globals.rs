//! The native half of the workflow globals: the `host` object handed to `prelude.js`. Each
//! function is a thin bridge into [`Shared`]; the semantics live in the prelude.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use baton_model::LogLevel;
use rquickjs::{Ctx, Exception, Function, Object, Value};

use crate::host::Host;
use crate::timers::Timers;
use crate::Script;

/// How the script's top-level promise settled: `Ok(result JSON)` or `Err(failure JSON)`.
pub type Finish = Result<String, String>;

/// State shared by the native functions and the run loop, all on the script's thread.
pub struct Shared {
    pub host: RefCell<Box<dyn Host>>,
    pub timers: RefCell<Timers>,
    pub next_call: Cell<u64>,
    /// Agent calls accepted by the host and not yet settled.
    pub agents_in_flight: Cell<usize>,
    pub finished: RefCell<Option<Finish>>,
    /// Script names to their text, for positions and code frames.
    pub sources: RefCell<HashMap<String, String>>,
}

impl Shared {
    pub fn new(host: Box<dyn Host>, timers: Timers) -> Self {
        Shared {
            host: RefCell::new(host),
            timers: RefCell::new(timers),
            next_call: Cell::new(1),
            agents_in_flight: Cell::new(0),
            finished: RefCell::new(None),
            sources: RefCell::new(HashMap::new()),
        }
    }
}

/// Builds the `host` object for the prelude.
pub fn host_object<'js>(
    ctx: &Ctx<'js>,
    shared: &std::rc::Rc<Shared>,
) -> rquickjs::Result<Object<'js>> {
    let host = Object::new(ctx.clone())?;

    let s = shared.clone();
    host.set(
        "startAgent",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, prompt: String, options: String| {
                start_agent(&ctx, &s, prompt, &options)
            },
        )?,
    )?;

    let s = shared.clone();
    host.set(
        "log",
        Function::new(ctx.clone(), move |level: String, text: String| {
            let level = match level.as_str() {
                "warn" => LogLevel::Warn,
                "error" => LogLevel::Error,
                _ => LogLevel::Info,
            };
            s.host.borrow_mut().log(level, text);
        })?,
    )?;

    let s = shared.clone();
    host.set(
        "phase",
        Function::new(ctx.clone(), move |title: String| {
            s.host.borrow_mut().phase(title)
        })?,
    )?;

    let s = shared.clone();
    host.set(
        "budgetSpent",
        Function::new(ctx.clone(), move || {
            s.host.borrow_mut().budget_spent() as f64
        })?,
    )?;

    let s = shared.clone();
    host.set(
        "now",
        Function::new(ctx.clone(), move || s.timers.borrow().now_ms())?,
    )?;

    let s = shared.clone();
    host.set(
        "setTimer",
        Function::new(ctx.clone(), move |ms: f64| {
            s.timers.borrow_mut().schedule(ms) as f64
        })?,
    )?;

    let s = shared.clone();
    host.set(
        "clearTimer",
        Function::new(ctx.clone(), move |id: f64| {
            s.timers.borrow_mut().cancel(id as u64)
        })?,
    )?;

    let s = shared.clone();
    host.set(
        "loadWorkflow",
        Function::new(ctx.clone(), move |ctx: Ctx<'js>, reference: String| {
            load_workflow(&ctx, &s, &reference)
        })?,
    )?;

    let s = shared.clone();
    host.set(
        "finish",
        Function::new(ctx.clone(), move |ok: bool, payload: String| {
            let mut finished = s.finished.borrow_mut();
            if finished.is_none() {
                *finished = Some(if ok { Ok(payload) } else { Err(payload) });
            }
        })?,
    )?;

    Ok(host)
}

/// Returns the call number, or `{ name, message }` for a call the host refused.
fn start_agent<'js>(
    ctx: &Ctx<'js>,
    shared: &Shared,
    prompt: String,
    options: &str,
) -> rquickjs::Result<Value<'js>> {
    let options = serde_json::from_str(options).unwrap_or(serde_json::Value::Null);
    let call = shared.next_call.get();
    shared.next_call.set(call + 1);
    let started = shared.host.borrow_mut().start_agent(call, prompt, options);
    match started {
        Ok(()) => {
            shared
                .agents_in_flight
                .set(shared.agents_in_flight.get() + 1);
            Ok(Value::new_number(ctx.clone(), call as f64))
        }
        Err(refused) => {
            let error = Object::new(ctx.clone())?;
            error.set("name", refused.name)?;
            error.set("message", refused.message)?;
            Ok(error.into_value())
        }
    }
}

/// Loads a saved workflow and evaluates it to its body function.
fn load_workflow<'js>(
    ctx: &Ctx<'js>,
    shared: &Shared,
    reference: &str,
) -> rquickjs::Result<Function<'js>> {
    let reference = serde_json::from_str(reference).unwrap_or(serde_json::Value::Null);
    let loaded = shared.host.borrow_mut().load_workflow(reference);
    let script: Script = loaded.map_err(|message| Exception::throw_message(ctx, &message))?;
    evaluate(ctx, shared, &script)
}

/// Compiles a checked script to its body function, remembering its source for error positions.
pub fn evaluate<'js>(
    ctx: &Ctx<'js>,
    shared: &Shared,
    script: &Script,
) -> rquickjs::Result<Function<'js>> {
    let name = script.display_name();
    shared
        .sources
        .borrow_mut()
        .insert(name.clone(), script.source.clone());
    let mut options = rquickjs::context::EvalOptions::default();
    options.strict = true;
    options.global = true;
    options.filename = Some(name);
    ctx.eval_with_options(script.wrapped.as_str(), options)
}
