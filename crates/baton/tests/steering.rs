//! Steering runs from other processes through the real binary: `baton stop|pause|unpause` on a
//! run started with `--detach`, a stopped run's exit code and journal, `--json` events, and
//! `baton watch` without a terminal. Waits poll the journal with deadlines; none sleeps for a
//! fixed time to let something happen.

mod support;

use std::time::{Duration, Instant};

use baton_journal::{CallStatus, Store};
use baton_model::RunStatus;
use serde_json::Value;
use support::stderr;
use support::workspace::Workspace;

/// Twelve agents in one phase, two at a time; the test sets their latency.
const FAN: &str = r#"export const meta = { name: "fan", description: "twelve items", phases: [{ title: "scan" }] };
phase("scan");
const results = await parallel(Array.from({ length: 12 }, (_, i) => () => agent(`item ${i}`, { label: `item-${i}` })));
log("scanned", results.length);
return results.map((r) => r === null ? "stopped" : "done");
"#;

fn store(ws: &Workspace) -> Store {
    Store::open(&ws.path().join(".baton")).unwrap()
}

/// Polls `check` until it gives a value, for at most ten seconds.
fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn calls_with(ws: &Workspace, id: &str, status: CallStatus) -> Vec<String> {
    store(ws)
        .calls(id, None)
        .unwrap()
        .into_iter()
        .filter(|call| call.status == status)
        .map(|call| call.label.unwrap_or_default())
        .collect()
}

fn detach(ws: &Workspace, latency: &str) -> String {
    ws.write("fan.workflow.js", FAN);
    let output = ws.baton(&[
        "run",
        "fan.workflow.js",
        "--model",
        "sim",
        "--sim-latency",
        latency,
        "--concurrency",
        "2",
        "--detach",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let id = String::from_utf8_lossy(&output.stdout).trim().to_string();
    assert!(id.starts_with("wf_"), "{id}");
    assert!(stderr(&output).contains(&format!("baton watch {id}")));
    id
}

fn steer(ws: &Workspace, args: &[&str]) -> String {
    let output = ws.baton(args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    stderr(&output)
}

#[test]
fn pause_unpause_and_stop_a_detached_run_from_other_processes() {
    let ws = Workspace::new();
    let id = detach(&ws, "1s");

    // Paused: the journal and `baton show` say so, and once the two running agents have
    // finished nothing else starts.
    let said = steer(&ws, &["pause", &id]);
    assert!(said.contains("paused"), "{said}");
    assert_eq!(ws.json(&["show", &id, "--json"])["status"], "paused");
    assert_eq!(
        store(&ws).run(&id).unwrap().summary.status,
        RunStatus::Paused
    );
    eventually("the running agents to finish", || {
        calls_with(&ws, &id, CallStatus::Running)
            .is_empty()
            .then_some(())
    });
    let queued = calls_with(&ws, &id, CallStatus::Queued).len();
    assert!(queued >= 8, "{queued} queued");
    let held_until = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < held_until {
        assert_eq!(
            calls_with(&ws, &id, CallStatus::Running),
            Vec::<String>::new()
        );
        assert_eq!(calls_with(&ws, &id, CallStatus::Queued).len(), queued);
        std::thread::sleep(Duration::from_millis(100));
    }

    // Unpaused: agents start again; stop one of them by its label.
    let said = steer(&ws, &["unpause", &id]);
    assert!(said.contains("unpaused"), "{said}");
    let label = eventually("an agent to run again", || {
        calls_with(&ws, &id, CallStatus::Running).pop()
    });
    let said = steer(&ws, &["stop", &id, "--agent", &label]);
    assert!(said.contains("stopped agent #"), "{said}");
    let stopped = store(&ws)
        .calls(&id, None)
        .unwrap()
        .into_iter()
        .find(|call| call.label.as_deref() == Some(&label))
        .unwrap();
    let stopped = eventually("the agent to end", || {
        let call = store(&ws)
            .calls(&id, None)
            .unwrap()
            .into_iter()
            .find(|call| call.seq == stopped.seq)
            .unwrap();
        (call.status != CallStatus::Running).then_some(call)
    });
    assert_eq!(stopped.status, CallStatus::Null);
    assert_eq!(stopped.reason.as_deref(), Some("stopped by the user"));

    // Stopped: the run ends `stopped`; every call has its end in the journal.
    let said = steer(&ws, &["stop", &id]);
    assert!(said.contains(&format!("run {id} is stopped")), "{said}");
    let show = ws.json(&["show", &id, "--json"]);
    assert_eq!(show["status"], "stopped");
    let calls = store(&ws).calls(&id, None).unwrap();
    assert_eq!(calls.len(), 12);
    for call in calls {
        assert!(
            !matches!(call.status, CallStatus::Running | CallStatus::Queued),
            "{call:?}"
        );
    }
    // A run that has ended cannot be stopped again: one clear error.
    let again = ws.baton(&["stop", &id]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already ended (stopped)"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn a_run_stopped_from_another_process_exits_3_with_its_journal_complete() {
    let ws = Workspace::new();
    ws.write("fan.workflow.js", FAN);
    let id = "wf_5709000000aa";
    let run = ws
        .command(&[
            "run",
            "fan.workflow.js",
            "--model",
            "sim",
            "--sim-latency",
            "500ms",
            "--concurrency",
            "2",
            "--run-id",
            id,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    eventually("the run to start agents", || {
        Store::open(&ws.path().join(".baton"))
            .ok()
            .and_then(|store| store.calls(id, None).ok())
            .filter(|calls| calls.iter().any(|c| c.status == CallStatus::Running))
    });
    let asked = Instant::now();
    steer(&ws, &["stop", id]);
    let output = run.wait_with_output().unwrap();
    assert!(asked.elapsed() < Duration::from_secs(3));
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("run {id} stopped")));
    let record = store(&ws).run(id).unwrap();
    assert_eq!(record.summary.status, RunStatus::Stopped);
    assert!(record.summary.ended_at_ms.is_some());
    let calls = store(&ws).calls(id, None).unwrap();
    assert_eq!(calls.len(), 12, "every accepted call is journaled");
    assert!(calls
        .iter()
        .all(|c| !matches!(c.status, CallStatus::Running | CallStatus::Queued)));
}

#[test]
fn json_prints_one_event_per_line_with_stable_fields() {
    let ws = Workspace::new();
    let (output, id) = ws.run("fan.workflow.js", FAN, &["--json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let result: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result.as_array().unwrap().len(), 12);
    let events: Vec<Value> = stderr(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    for event in &events {
        assert_eq!(event["run"], id.as_str());
        assert!(event["at_ms"].as_i64().unwrap() > 0);
    }
    let count = |kind: &str| events.iter().filter(|e| e["type"] == kind).count();
    assert_eq!(count("run_started"), 1);
    assert_eq!(count("phase_started"), 1);
    assert_eq!(count("agent_queued"), 12);
    assert_eq!(count("agent_started"), 12);
    assert_eq!(count("agent_finished"), 12);
    assert_eq!(count("log"), 1);
    assert_eq!(count("run_finished"), 1);
    let last = events.last().unwrap();
    assert_eq!(last["type"], "run_finished");
    assert_eq!(last["status"], "completed");
    let finished = events
        .iter()
        .find(|e| e["type"] == "agent_finished")
        .unwrap();
    assert_eq!(finished["end"], "completed");
    assert!(finished["label"].as_str().unwrap().starts_with("item-"));
    assert!(finished["usage"]["output_tokens"].as_u64().unwrap() > 0);
}

#[test]
fn watch_without_a_terminal_follows_a_detached_run_to_its_end() {
    let ws = Workspace::new();
    let id = detach(&ws, "100ms");
    let output = ws.baton(&["watch"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(err.starts_with(&format!("baton: run {id} · fan")), "{err}");
    assert!(err.contains("phase: scan"), "{err}");
    assert_eq!(err.matches(" finished in ").count(), 12, "{err}");
    assert!(err.contains("log: scanned 12"), "{err}");
    assert!(err.trim_end().ends_with("baton: run completed"), "{err}");

    // Nothing runs any more: `watch` with no id says so.
    let none = ws.baton(&["watch"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        stderr(&none).contains("no run is running"),
        "{}",
        stderr(&none)
    );
}

#[test]
fn detach_hands_args_from_standard_input_to_the_background_run() {
    let ws = Workspace::new();
    ws.write(
        "echo.workflow.js",
        "export const meta = { name: \"echo\", description: \"returns its args\" };\nreturn args;\n",
    );
    let mut detach = ws
        .command(&[
            "run",
            "echo.workflow.js",
            "--model",
            "sim",
            "--detach",
            "--arg",
            "k=2",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    detach
        .stdin
        .take()
        .unwrap()
        .write_all(br#"{"from": "stdin"}"#)
        .unwrap();
    let output = detach.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let id = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let result = eventually("the background run to end", || {
        let output = ws.baton(&["result", &id]);
        output.status.success().then_some(output.stdout)
    });
    let result: Value = serde_json::from_slice(&result).unwrap();
    assert_eq!(result, serde_json::json!({"from": "stdin", "k": 2}));
}
