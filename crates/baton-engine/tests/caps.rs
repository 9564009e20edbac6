//! The spending caps against a backend that charges a known price: with several agents in
//! flight nothing starts once the cap is reached, and `--at-cap stop` stops the running ones.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use baton_engine::{
    run_workflow, AtCap, EventSink, RunControl, RunLimits, RunReport, RunSpec, WorkflowLibrary,
};
use baton_model::{
    AgentBackend, AgentCall, AgentEnd, AgentNote, AgentOutcome, BoxFuture, Event, NoteSink, RunId,
    Usage,
};
use baton_script::{Script, ScriptOutcome};
use serde_json::{json, Value};
use tokio::sync::{watch, Barrier};

/// Every agent waits until the script has made all ten calls (the engine resolves each call's
/// model as it accepts it) and `together` agents run at once, then pays one turn of $1 and 10
/// output tokens; once all of them have paid it answers (`finish`) or waits until it is
/// stopped. So every call is accepted before anything is spent, and only the check at the slot
/// can hold the queued ones back.
struct Metered {
    together: Arc<Barrier>,
    finish: bool,
    accepted: AtomicUsize,
    all_called: watch::Sender<bool>,
}

impl Metered {
    fn new(together: usize, finish: bool) -> Metered {
        Metered {
            together: Arc::new(Barrier::new(together)),
            finish,
            accepted: AtomicUsize::new(0),
            all_called: watch::channel(false).0,
        }
    }
}

impl AgentBackend for Metered {
    fn resolve_model(&self, requested: &str) -> Result<String, String> {
        if self.accepted.fetch_add(1, Ordering::SeqCst) + 1 == 10 {
            self.all_called.send_replace(true);
        }
        Ok(requested.to_string())
    }

    fn run(&self, call: AgentCall, notes: NoteSink) -> BoxFuture<AgentOutcome> {
        let (together, finish) = (self.together.clone(), self.finish);
        let mut all_called = self.all_called.subscribe();
        Box::pin(async move {
            let _ = all_called.wait_for(|all| *all).await;
            together.wait().await;
            let usage = Usage {
                output_tokens: 10,
                cost_usd: 1.0,
                ..Usage::default()
            };
            notes(AgentNote::Turn {
                turn: 1,
                usage,
                text: String::new(),
            });
            // No agent ends before all of them have paid.
            together.wait().await;
            if !finish {
                std::future::pending::<()>().await;
            }
            AgentOutcome::Completed {
                value: json!(call.prompt),
                usage,
            }
        })
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl EventSink for Recorder {
    fn emit(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}

const TEN_IN_PARALLEL: &str = r#"export const meta = { name: "ten", description: "ten agents" };
return await parallel(Array.from({ length: 10 }, (_, i) => () => agent(`task ${i}`)));
"#;

fn run(limits: RunLimits, backend: Metered) -> (RunReport, Vec<Event>) {
    let script = Script::from_source(Path::new("ten.workflow.js"), TEN_IN_PARALLEL.into())
        .unwrap_or_else(|problems| panic!("{}", problems.render()));
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let run_id = RunId::parse("wf_000000000001").unwrap();
    let spec = RunSpec {
        seed: baton_script::seed_from(run_id.as_str()),
        run_id,
        script,
        args: None,
        start_time_ms: 0.0,
        replay: Default::default(),
        limits,
        default_model: "metered".into(),
        library: WorkflowLibrary::discover(&std::env::temp_dir(), None),
        cwd: std::env::temp_dir(),
        control: RunControl::default(),
    };
    let recorder = Arc::new(Recorder::default());
    let report = run_workflow(
        spec,
        Arc::new(backend),
        recorder.clone(),
        tokio.handle().clone(),
    );
    let events = recorder.0.lock().unwrap().clone();
    (report, events)
}

fn results(report: &RunReport) -> Vec<Value> {
    match &report.outcome {
        ScriptOutcome::Completed(Value::Array(items)) => items.clone(),
        other => panic!("expected the run to complete with an array, got {other:?}"),
    }
}

fn logs(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::Log { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn queued_agents_do_not_start_once_the_cost_cap_is_reached() {
    // Three agents in flight; together they spend $3 against a $2.5 cap. The seven queued
    // behind them were accepted while nothing was spent, and must not start.
    let limits = RunLimits {
        concurrency: 3,
        max_cost_usd: Some(2.5),
        ..RunLimits::default()
    };
    let (report, events) = run(limits, Metered::new(3, true));
    assert_eq!(report.agents_called, 10);
    assert_eq!(
        report.agents_started, 3,
        "only the agents already in flight"
    );
    assert_eq!(report.agents_rejected, 7);
    let results = results(&report);
    assert_eq!(results.iter().filter(|v| !v.is_null()).count(), 3);
    assert_eq!(report.usage.cost_usd, 3.0);
    assert_eq!(
        report.cap.as_deref(),
        Some("cost cap reached: $3.0000 spent of --max-cost-usd 2.5")
    );
    let logs = logs(&events);
    assert!(
        logs.iter()
            .any(|l| l.contains("parallel[3] failed: cost cap reached")),
        "{logs:?}"
    );
}

#[test]
fn at_cap_stop_stops_the_running_agents() {
    let limits = RunLimits {
        concurrency: 2,
        budget_tokens: Some(15),
        at_cap: AtCap::Stop,
        ..RunLimits::default()
    };
    // The agents never answer on their own: only the cap can end them.
    let (report, events) = run(limits, Metered::new(2, false));
    assert_eq!(report.agents_started, 2);
    assert!(results(&report).iter().all(Value::is_null));
    let stopped: Vec<String> = events
        .iter()
        .filter_map(|event| match event {
            Event::AgentFinished {
                end: AgentEnd::Null { reason },
                usage,
                ..
            } => Some(format!("{reason} ({} tokens)", usage.output_tokens)),
            _ => None,
        })
        .collect();
    assert_eq!(stopped.len(), 2, "{stopped:?}");
    assert!(
        stopped
            .iter()
            .all(|s| s.starts_with("stopped: token budget reached") && s.ends_with("(10 tokens)")),
        "each stopped agent reports the turn it paid for: {stopped:?}"
    );
    assert_eq!(report.usage.output_tokens, 20);
    assert!(report
        .cap
        .as_deref()
        .is_some_and(|c| c.starts_with("token budget reached")));
}

#[test]
fn at_cap_finish_lets_the_running_agents_answer() {
    let limits = RunLimits {
        concurrency: 2,
        budget_tokens: Some(15),
        ..RunLimits::default()
    };
    let (report, _) = run(limits, Metered::new(2, true));
    assert_eq!(report.agents_started, 2);
    assert_eq!(report.agents_completed, 2);
    assert_eq!(results(&report)[..2], [json!("task 0"), json!("task 1")]);
}
