//! The store on its own: what a writer commits is visible to another reader once
//! `when_durable` says so, a run's owner is known from its lock, and bad files give user-facing errors.

use baton_journal::{CallStatus, ControlAction, ControlRequest, JournalError, NewRun, Store};
use baton_model::{
    AgentEnd, AgentOptions, CallKey, Event, EventSink, LogLevel, RunId, RunStatus, Usage,
};
use serde_json::json;

fn new_run(id: &RunId) -> NewRun {
    NewRun {
        id: id.clone(),
        workflow: "unit".into(),
        script_path: "unit.workflow.js".into(),
        script: "export const meta = {name: 'unit', description: ''};".into(),
        script_hash: "0".into(),
        args: Some(json!({"n": 1})),
        cwd: "/".into(),
        model: "sim".into(),
        seed: [9, 8, 7, 6],
        logical_start_ms: 1.5e12,
        resumed_from: None,
    }
}

fn queued(seq: u64, prompt: &str) -> Event {
    Event::AgentQueued {
        seq,
        key: CallKey(format!("key-{prompt}")),
        occurrence: 0,
        label: Some(format!("agent-{seq}")),
        phase: None,
        model: "sim".into(),
        prompt: prompt.into(),
        options: Box::new(AgentOptions::default()),
    }
}

fn finished(seq: u64, value: serde_json::Value) -> Event {
    Event::AgentFinished {
        seq,
        label: None,
        phase: None,
        end: AgentEnd::Completed { value },
        usage: Usage {
            output_tokens: 7,
            ..Usage::default()
        },
        elapsed_ms: 3,
    }
}

#[test]
fn a_result_is_readable_by_another_connection_once_it_is_durable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let id = RunId::generate();
    let writer = store.begin_run(&new_run(&id)).unwrap();
    let sink = writer.sink();
    sink.emit(Event::Log {
        level: LogLevel::Warn,
        text: "careful".into(),
    });
    sink.emit(queued(1, "first"));
    sink.emit(finished(1, json!({"answer": 42})));
    let (stored, wait) = std::sync::mpsc::channel();
    sink.when_durable(Box::new(move || stored.send(()).unwrap()));
    wait.recv().unwrap();

    // A second process would open its own connection: so does this reader.
    let reader = Store::open(dir.path()).unwrap();
    let calls = reader.calls(id.as_str(), None).unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].status, CallStatus::Completed);
    assert_eq!(calls[0].result, Some(json!({"answer": 42})));
    assert_eq!(calls[0].usage.output_tokens, 7);
    let summary = &reader.runs().unwrap()[0];
    assert_eq!(
        summary.status,
        RunStatus::Running,
        "the owner holds its lock"
    );
    let replay = reader.replay(id.as_str()).unwrap();
    assert_eq!(
        replay.get(&CallKey("key-first".into()), 0).unwrap().value,
        json!({"answer": 42})
    );

    writer
        .finish(RunStatus::Completed, Some(&json!([1, 2, 3])), None)
        .unwrap();
    let record = reader.run(id.as_str()).unwrap();
    assert_eq!(record.summary.status, RunStatus::Completed);
    assert_eq!(record.result, Some(json!([1, 2, 3])));
    assert_eq!(record.start.seed, [9, 8, 7, 6]);
    assert_eq!(record.start.args, Some(json!({"n": 1})));
    assert_eq!(reader.logs(id.as_str()).unwrap()[0].text, "careful");
}

#[test]
fn a_run_whose_owner_is_gone_is_crashed_and_can_be_taken_over_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let id = RunId::generate();
    let writer = store.begin_run(&new_run(&id)).unwrap();
    // While it is owned, nobody else may resume it.
    assert!(matches!(
        store.resume_run(&id),
        Err(JournalError::Busy { .. })
    ));
    // Dropping the writer without `finish` is what a dying process does.
    drop(writer);
    assert_eq!(store.runs().unwrap()[0].status, RunStatus::Crashed);
    let again = store.resume_run(&id).unwrap();
    assert_eq!(again.attempt(), 2);
    assert_eq!(store.runs().unwrap()[0].status, RunStatus::Running);
}

#[test]
fn missing_corrupt_and_newer_journals_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let missing = Store::open(dir.path()).unwrap_err();
    assert!(matches!(missing, JournalError::Missing { .. }), "{missing}");

    std::fs::write(
        dir.path().join("journal.db"),
        b"definitely not sqlite, not at all......",
    )
    .unwrap();
    let corrupt = Store::open(dir.path()).unwrap_err();
    assert!(matches!(corrupt, JournalError::Corrupt { .. }), "{corrupt}");
    assert!(corrupt.to_string().contains("move it aside"));

    let newer = tempfile::tempdir().unwrap();
    Store::create(newer.path()).unwrap();
    let conn = rusqlite::Connection::open(newer.path().join("journal.db")).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let too_new = Store::open(newer.path()).unwrap_err();
    assert!(
        matches!(too_new, JournalError::TooNew { found: 99, .. }),
        "{too_new}"
    );
}

#[test]
fn an_unknown_run_names_the_command_that_lists_runs() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let error = store.run("wf_000000000000").unwrap_err();
    assert!(error.to_string().contains("baton runs"), "{error}");
}

#[test]
fn provider_keys_are_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let id = RunId::generate();
    let writer = store.begin_run(&new_run(&id)).unwrap();
    writer.redact(vec!["sk-ant-SECRET-0123456789".into()]);
    let sink = writer.sink();
    sink.emit(Event::Log {
        level: LogLevel::Info,
        text: "the key is sk-ant-SECRET-0123456789, twice: sk-ant-SECRET-0123456789".into(),
    });
    let mut call = queued(1, "use sk-ant-SECRET-0123456789");
    if let Event::AgentQueued { key, .. } = &mut call {
        *key = CallKey("a-hash".into()); // real keys are hashes, never the prompt itself
    }
    sink.emit(call);
    sink.emit(finished(1, json!({"leak": "sk-ant-SECRET-0123456789"})));
    writer.finish(RunStatus::Completed, None, None).unwrap();

    let bytes: Vec<u8> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|entry| std::fs::read(entry.unwrap().path()).ok())
        .flatten()
        .collect();
    assert!(!String::from_utf8_lossy(&bytes).contains("SECRET"));
    let calls = store.calls(id.as_str(), None).unwrap();
    assert_eq!(calls[0].prompt, "use [redacted]");
    assert_eq!(calls[0].result, Some(json!({"leak": "[redacted]"})));
    assert_eq!(
        store.logs(id.as_str()).unwrap()[0].text,
        "the key is [redacted], twice: [redacted]"
    );
}

#[test]
fn when_the_journal_cannot_write_no_call_settles_and_the_owner_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let id = RunId::generate();
    let writer = store.begin_run(&new_run(&id)).unwrap();
    let (told, failure) = std::sync::mpsc::channel();
    writer.on_failure(Box::new(move |reason| {
        told.send(reason.to_string()).unwrap()
    }));
    // Another process breaks the journal under the writer's feet.
    let vandal = rusqlite::Connection::open(dir.path().join("journal.db")).unwrap();
    vandal.execute_batch("DROP TABLE calls").unwrap();

    let settled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sink = writer.sink();
    sink.emit(queued(1, "first"));
    sink.emit(finished(1, json!(1)));
    let flag = settled.clone();
    sink.when_durable(Box::new(move || {
        flag.store(true, std::sync::atomic::Ordering::SeqCst)
    }));
    let reason = failure.recv().unwrap();
    assert!(reason.contains("calls"), "{reason}");
    assert_eq!(writer.failure().as_deref(), Some(reason.as_str()));
    // `finish` is answered after the failed commit: by then the waiter was dropped unrun.
    let _ = writer.finish(RunStatus::Failed, None, Some("journal failed"));
    assert!(!settled.load(std::sync::atomic::Ordering::SeqCst));
}

#[test]
fn a_resumed_attempt_that_ends_without_a_result_keeps_the_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let id = RunId::generate();
    let writer = store.begin_run(&new_run(&id)).unwrap();
    writer
        .finish(RunStatus::Completed, Some(&json!("first answer")), None)
        .unwrap();
    let again = store.resume_run(&id).unwrap();
    again.finish(RunStatus::Stopped, None, None).unwrap();
    let record = store.run(id.as_str()).unwrap();
    assert_eq!(record.summary.status, RunStatus::Stopped);
    assert_eq!(record.result, Some(json!("first answer")));
}

#[test]
fn control_requests_are_answered_once_and_stale_ones_expire() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let id = RunId::generate();
    let _writer = store.begin_run(&new_run(&id)).unwrap();

    // Asked before anyone served the run (an owner that crashed): expired, never carried out.
    let stale = store.request_control(&id, &ControlAction::Stop).unwrap();
    let inbox = store.control_inbox(&id).unwrap();
    assert!(store
        .control_outcome(stale)
        .unwrap()
        .unwrap()
        .starts_with("not carried out"));
    assert_eq!(inbox.waiting().unwrap(), []);

    let asked = store
        .request_control(&id, &ControlAction::StopAgent("#3".into()))
        .unwrap();
    assert_eq!(store.control_outcome(asked).unwrap(), None);
    let waiting = inbox.waiting().unwrap();
    assert_eq!(
        waiting,
        [ControlRequest {
            n: asked,
            action: ControlAction::StopAgent("#3".into())
        }]
    );
    inbox.answer(asked, "stopped agent #3").unwrap();
    assert_eq!(
        store.control_outcome(asked).unwrap().as_deref(),
        Some("stopped agent #3")
    );
    assert_eq!(inbox.waiting().unwrap(), []);
}

#[test]
fn the_owner_reads_requests_only_after_another_connection_committed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let id = RunId::generate();
    let _writer = store.begin_run(&new_run(&id)).unwrap();
    let inbox = store.control_inbox(&id).unwrap();
    assert!(inbox.maybe_new().unwrap(), "the first look reads the table");
    assert!(!inbox.maybe_new().unwrap(), "nothing committed since");
    // Its own answers are not news.
    let asked = store.request_control(&id, &ControlAction::Pause).unwrap();
    assert!(
        inbox.maybe_new().unwrap(),
        "a request from another connection"
    );
    inbox.answer(asked, "paused").unwrap();
    assert!(!inbox.maybe_new().unwrap());
    // A look whose read failed is repeated.
    inbox.forget_version();
    assert!(inbox.maybe_new().unwrap());
}

#[test]
fn a_tail_turns_new_rows_into_the_events_the_owner_emitted() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path()).unwrap();
    let id = RunId::generate();
    let writer = store.begin_run(&new_run(&id)).unwrap();
    let sink = writer.sink();
    let durable = || {
        let (stored, wait) = std::sync::mpsc::channel();
        sink.when_durable(Box::new(move || stored.send(()).unwrap()));
        wait.recv().unwrap();
    };
    let mut tail = store.tail(&id).unwrap();
    assert_eq!(tail.poll().unwrap(), []);

    sink.emit(queued(1, "first"));
    sink.emit(Event::AgentStarted {
        seq: 1,
        label: Some("agent-1".into()),
        phase: None,
        model: "sim".into(),
    });
    sink.emit(Event::RunPaused);
    durable();
    let kinds = |events: Vec<(i64, Event)>| -> Vec<String> {
        events
            .into_iter()
            .map(|(_, e)| {
                serde_json::to_value(e).unwrap()["type"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        kinds(tail.poll().unwrap()),
        ["agent_queued", "agent_started", "run_paused"]
    );
    // Nothing new, nothing said twice.
    assert_eq!(tail.poll().unwrap(), []);

    sink.emit(Event::RunUnpaused);
    sink.emit(finished(1, json!("done")));
    durable();
    assert_eq!(
        kinds(tail.poll().unwrap()),
        ["agent_finished", "run_unpaused"]
    );
    assert!(!tail.ended());
    writer
        .finish(RunStatus::Completed, Some(&json!(1)), None)
        .unwrap();
    assert_eq!(kinds(tail.poll().unwrap()), ["run_finished"]);
    assert!(tail.ended());
}
