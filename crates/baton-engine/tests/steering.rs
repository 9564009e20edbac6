//! Steering a run while it goes: pause and unpause, stop or restart one agent, stop the run.
//! Each test steers from a sink at a chosen event, so what it sees does not depend on timing.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_engine::{EventSink, RunControl};
use baton_model::{AgentEnd, AgentNote, Event};
use baton_script::ScriptOutcome;
use baton_sim::Latency;
use serde_json::json;
use support::Run;

/// Records events and hands each to `steer` (after recording it, outside the lock).
struct Steering<F> {
    events: Mutex<Vec<Event>>,
    steer: F,
}

impl<F: Fn(&Event) + Send + Sync> EventSink for Steering<F> {
    fn emit(&self, event: Event) {
        self.events.lock().unwrap().push(event.clone());
        (self.steer)(&event);
    }
}

fn steering<F: Fn(&Event) + Send + Sync>(steer: F) -> Arc<Steering<F>> {
    Arc::new(Steering {
        events: Mutex::default(),
        steer,
    })
}

fn latency(ms: u64) -> Latency {
    Latency {
        min: Duration::from_millis(ms),
        max: Duration::from_millis(ms),
    }
}

fn kind(event: &Event) -> &'static str {
    match event {
        Event::AgentQueued { .. } => "queued",
        Event::AgentStarted { .. } => "started",
        Event::AgentFinished { .. } => "finished",
        Event::RunPaused => "paused",
        Event::RunUnpaused => "unpaused",
        _ => "other",
    }
}

#[test]
fn a_paused_run_starts_no_agent_until_unpaused() {
    let mut run = Run::body(
        "return await parallel([1, 2, 3].map(i => () => agent(`task ${i}`, { label: `t${i}` })));",
    );
    let control = RunControl::default();
    control.pause();
    run.control = control.clone();
    let sink = steering(move |event| {
        // Every call is queued and none has started: let them go.
        if let Event::AgentQueued { seq: 3, .. } = event {
            control.unpause();
        }
    });
    let report = run.go_into(sink.clone());

    assert!(matches!(report.outcome, ScriptOutcome::Completed(_)));
    let kinds: Vec<&str> = sink
        .events
        .lock()
        .unwrap()
        .iter()
        .map(kind)
        .filter(|k| *k != "other")
        .collect();
    assert_eq!(
        &kinds[..5],
        ["paused", "queued", "queued", "queued", "unpaused"]
    );
    assert_eq!(kinds.iter().filter(|k| **k == "started").count(), 3);
    assert_eq!(report.agents_started, 3);
}

#[test]
fn a_stopped_agent_gives_the_script_null_and_the_run_goes_on() {
    let mut run = Run::body(
        "const slow = await agent('a long job', { label: 'slow' });\n\
         const next = await agent('a short one', { label: 'next' });\n\
         return { slow, next: typeof next };",
    );
    // The first agent would take a minute: the test stops it the moment it starts.
    run.latency = latency(60_000);
    let control = RunControl::default();
    run.control = control.clone();
    let sink = steering(move |event| {
        if let Event::AgentStarted { seq, label, .. } = event {
            // Registered for orders just after it starts: find it by label, then stop it.
            let (control, seq, label) = (control.clone(), *seq, label.clone().unwrap());
            std::thread::spawn(move || loop {
                if control.agents_named(&label) == [seq] && control.stop_agent(seq) {
                    return;
                }
                std::thread::yield_now();
            });
        }
    });
    let report = run.go_into(sink.clone());

    assert_eq!(
        report.outcome,
        ScriptOutcome::Completed(json!({ "slow": null, "next": "object" }))
    );
    let reasons: Vec<String> = sink
        .events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|event| match event {
            Event::AgentFinished {
                end: AgentEnd::Null { reason },
                ..
            } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons, ["stopped by the user", "stopped by the user"]);
}

#[test]
fn a_restarted_agent_begins_again_and_finishes_once() {
    let mut run = Run::body("return await agent('write the report', { label: 'writer' });");
    run.latency = latency(30);
    let control = RunControl::default();
    run.control = control.clone();
    let restarted = Arc::new(AtomicBool::new(false));
    let sink = steering(move |event| {
        if let Event::AgentStarted { seq, .. } = event {
            let (control, restarted, seq) = (control.clone(), restarted.clone(), *seq);
            std::thread::spawn(move || {
                while !restarted.load(Ordering::Relaxed) {
                    restarted.store(control.restart_agent(seq), Ordering::Relaxed);
                    std::thread::yield_now();
                }
            });
        }
    });
    let report = run.go_into(sink.clone());

    assert!(matches!(report.outcome, ScriptOutcome::Completed(_)));
    let events = sink.events.lock().unwrap();
    let restarts = events
        .iter()
        .filter(|e| {
            matches!(
                e,
                Event::AgentNote {
                    note: AgentNote::Restarted,
                    ..
                }
            )
        })
        .count();
    let finishes: Vec<&AgentEnd> = events
        .iter()
        .filter_map(|e| match e {
            Event::AgentFinished { end, .. } => Some(end),
            _ => None,
        })
        .collect();
    assert_eq!(restarts, 1);
    assert!(matches!(finishes[..], [AgentEnd::Completed { .. }]));
    assert_eq!(report.agents_started, 1);
}

#[test]
fn stopping_a_paused_run_ends_it_with_queued_calls_not_started() {
    let mut run = Run::body("return await parallel([() => agent('a'), () => agent('b')]);");
    let control = RunControl::default();
    control.pause();
    run.control = control.clone();
    let sink = steering(move |event| {
        if let Event::AgentQueued { seq: 2, .. } = event {
            control.stop();
        }
    });
    let report = run.go_into(sink.clone());

    assert_eq!(report.outcome, ScriptOutcome::Stopped);
    assert_eq!(report.agents_started, 0);
    let events = sink.events.lock().unwrap();
    assert!(!events.iter().any(|e| kind(e) == "started"));
    let not_started = events
        .iter()
        .filter(|e| {
            matches!(e, Event::AgentFinished { end: AgentEnd::Null { reason }, .. }
                if reason.starts_with("not started"))
        })
        .count();
    assert_eq!(not_started, 2);
}

#[test]
fn a_queued_agent_can_be_stopped_before_it_starts() {
    let mut run = Run::body("return await parallel([() => agent('a'), () => agent('b')]);");
    let control = RunControl::default();
    control.pause();
    run.control = control.clone();
    let sink = steering(move |event| {
        if let Event::AgentQueued { seq: 2, .. } = event {
            // Registered by its task just after this event: stop it once it takes orders.
            let control = control.clone();
            std::thread::spawn(move || {
                while !control.stop_agent(2) {
                    std::thread::yield_now();
                }
                control.unpause();
            });
        }
    });
    let report = run.go_into(sink.clone());

    let ScriptOutcome::Completed(result) = &report.outcome else {
        panic!("{:?}", report.outcome)
    };
    assert!(result[0].is_string() && result[1].is_null(), "{result}");
    assert_eq!(report.agents_started, 1);
    let events = sink.events.lock().unwrap();
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::AgentStarted { seq: 2, .. })));
    assert!(events.iter().any(|e| matches!(e,
        Event::AgentFinished { seq: 2, end: AgentEnd::Null { reason }, .. }
            if reason == "stopped by the user before it started")));
}
