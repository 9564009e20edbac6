//! The authoring loop against the mock LLM scripted as the author, over both protocols and
//! streaming or not. The checker here is the real sandbox: `Script::from_source` for the check
//! and a run of the script whose agents answer at once for the dry run, both reported in the
//! JSON contract of `baton check --json` and `baton run --dry-run --json`.

use std::path::Path;
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use baton_agent::{AgentSettings, AgentTypes, LlmBackend, Providers};
use baton_author::{Author, Authored, CheckReport, Checker, DryRunReport, MAX_REPAIRS};
use baton_llm::{
    AnthropicProvider, ModelResolver, OpenAiProvider, Pricing, ProviderKind, Transport,
    TransportSettings,
};
use baton_model::{Event, EventSink, LogLevel, RunId};
use baton_script::{run, Host, HostError, InboxMessage, Script, ScriptConfig, ScriptOutcome};
use baton_testkit::{Match, MockConfig, MockLlm, Protocol, Rule, Turn};
use serde_json::{json, Value};

const SYNTAX_ERROR: &str =
    "```js\nexport const meta = { name: \"r\", description: \"d\" };\nconst x = ;\nreturn x;\n```";
const CRASHES_ON_SIM: &str = "```js\nexport const meta = { name: \"r\", description: \"d\" };\nconst r = await agent(\"list the files\");\nreturn r.files.length;\n```";
const META_NOT_LITERAL: &str =
    "```js\nconst n = \"r\";\nexport const meta = { name: n, description: \"d\" };\nreturn 1;\n```";
const GOOD: &str = "Here it is:\n```js\nexport const meta = { name: \"review-py\", description: \"Review .py files\", phases: [{ title: \"Review\", model: \"haiku\" }] };\nconst files = args?.files ?? [\"a.py\", \"b.py\"];\nphase(\"Review\");\nconst out = await parallel(files.map((f) => () => agent(`review ${f}`, { label: f })));\nreturn { reviews: out.filter(Boolean) };\n```\n";

/// The real sandbox as the checker.
struct SandboxChecker;

impl Checker for SandboxChecker {
    fn check(&self, file: &Path) -> Result<CheckReport, String> {
        let source = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let name = file.display().to_string();
        let report = match Script::from_source(file, source.clone()) {
            Ok(script) => json!({"file": name, "ok": true, "diagnostics": [],
                "meta": {"name": script.meta.name, "description": script.meta.description,
                         "phases": script.meta.phases.iter().map(|p| json!({"title": p.title, "detail": p.detail, "model": p.model})).collect::<Vec<_>>()}}),
            Err(problems) => json!({"file": name, "ok": false, "meta": null,
                "diagnostics": problems.diagnostics.iter().map(|d| json!({
                    "severity": "error", "message": d.message, "line": d.line, "column": d.column,
                    "text": d.render(&name, &source)})).collect::<Vec<_>>()}),
        };
        Ok(serde_json::from_value(report).unwrap())
    }

    fn dry_run(&self, file: &Path) -> Result<DryRunReport, String> {
        let source = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let script = Script::from_source(file, source).map_err(|p| p.render())?;
        let (sender, inbox) = mpsc::channel();
        let agents = Arc::new(Mutex::new(0u64));
        let host = Instant {
            inbox: sender,
            agents: agents.clone(),
        };
        let config = ScriptConfig {
            args: None,
            seed: [7, 7, 7, 7],
            start_time_ms: 0.0,
            budget_total: None,
            limits: Default::default(),
            stop: Default::default(),
        };
        let failures = match run(&script, config, Box::new(host), inbox) {
            ScriptOutcome::Completed(_) => vec![],
            ScriptOutcome::Failed(e) => vec![json!({"seed": 1, "message": e.rendered})],
            ScriptOutcome::Stopped => vec![json!({"seed": 1, "message": "stopped"})],
        };
        let n = *agents.lock().unwrap();
        Ok(serde_json::from_value(json!({
            "ok": failures.is_empty(), "seeds": [1], "agents": {"min": n, "max": n},
            "phases": [{"title": "Review", "agents": {"min": n, "max": n}, "models": ["claude-haiku"]}],
            "models": ["claude-haiku"], "tokens": {"min": 100, "max": 200}, "costUsd": null,
            "seconds": {"min": 1.0, "max": 2.0}, "caps": [], "failures": failures
        }))
        .unwrap())
    }
}

/// A host whose agents answer a short text at once (sim's kind of data).
struct Instant {
    inbox: Sender<InboxMessage>,
    agents: Arc<Mutex<u64>>,
}

impl Host for Instant {
    fn start_agent(&mut self, call: u64, _: String, _: Value) -> Result<(), HostError> {
        *self.agents.lock().unwrap() += 1;
        let _ = self.inbox.send(InboxMessage::Settle {
            call,
            result: Ok(json!("lorem ipsum")),
        });
        Ok(())
    }
    fn log(&mut self, _: LogLevel, _: String) {}
    fn phase(&mut self, _: String) {}
    fn budget_spent(&mut self) -> u64 {
        0
    }
    fn load_workflow(&mut self, _: Value) -> Result<Script, String> {
        Err("none".into())
    }
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

impl EventSink for Recorder {
    fn emit(&self, event: Event) {
        self.0.lock().unwrap().push(event);
    }
}

fn backend(mock: &MockLlm, protocol: Protocol, stream: bool, dir: &Path) -> Arc<LlmBackend> {
    let transport = Transport::new(TransportSettings {
        backoff_base: Duration::from_millis(1),
        stream,
        ..TransportSettings::default()
    })
    .unwrap();
    let (providers, kind) = match protocol {
        Protocol::Anthropic => (
            Providers::default().with(Arc::new(AnthropicProvider::new(
                mock.base_url(),
                Some("sk-test-0123456789".into()),
                transport,
            ))),
            ProviderKind::Anthropic,
        ),
        Protocol::OpenAi => (
            Providers::default().with(Arc::new(OpenAiProvider::new(
                mock.openai_base_url(),
                Some("sk-test-0123456789".into()),
                transport,
            ))),
            ProviderKind::OpenAi,
        ),
    };
    LlmBackend::new(
        providers,
        ModelResolver::new([], Some(kind), kind),
        Pricing::default(),
        AgentSettings::new(dir.to_path_buf()),
        AgentTypes::discover(dir, None),
    )
}

/// The author's answers, draft first, then one per repair.
fn mock_answering(answers: &[&str]) -> MockLlm {
    let mut config = MockConfig::default();
    for (i, answer) in answers.iter().enumerate() {
        let label = if i == 0 {
            "author".to_string()
        } else {
            format!("author (repair {i})")
        };
        config = config.with_rule(Rule::new(Match::label(label), vec![Turn::text(*answer)]));
    }
    MockLlm::start(config)
}

struct Outcome {
    authored: Authored,
    events: Vec<Event>,
    file: String,
}

fn write(mock: &MockLlm, protocol: Protocol, stream: bool, task: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.py"), "print(1/0)\n").unwrap();
    let events = Arc::new(Recorder::default());
    let author = Author {
        backend: backend(mock, protocol, stream, dir.path()),
        events: events.clone(),
        checker: Arc::new(SandboxChecker),
        run_id: RunId::generate(),
        model: "some-model".into(),
        max_turns: 10,
        progress: Arc::new(|_| {}),
    };
    let file = dir.path().join("draft.workflow.js");
    let workspace = baton_author::workspace_summary(dir.path()).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let authored = runtime.block_on(author.write(task, &workspace, &file));
    let file = std::fs::read_to_string(&file).unwrap_or_default();
    let events = events.0.lock().unwrap().clone();
    Outcome {
        authored,
        events,
        file,
    }
}

const WIRES: [(Protocol, bool); 4] = [
    (Protocol::Anthropic, true),
    (Protocol::Anthropic, false),
    (Protocol::OpenAi, true),
    (Protocol::OpenAi, false),
];

fn finished_agents(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::AgentFinished { label, .. } => label.clone(),
            _ => None,
        })
        .collect()
}

#[test]
fn a_syntax_error_then_a_sim_crash_then_a_good_draft_is_repaired_twice() {
    for (protocol, stream) in WIRES {
        let mock = mock_answering(&[SYNTAX_ERROR, CRASHES_ON_SIM, GOOD]);
        let out = write(&mock, protocol, stream, "review each .py file for bugs");
        let Authored::Ready {
            checked,
            repairs,
            usage,
            ..
        } = &out.authored
        else {
            panic!("{protocol:?}: {:?}", out.authored);
        };
        assert_eq!(*repairs, 2);
        assert_eq!(checked.check.meta.as_ref().unwrap().name, "review-py");
        assert_eq!(checked.dry_run.agents.max, 2);
        assert!(usage.output_tokens > 0, "the author's tokens are counted");
        assert!(out.file.contains("name: \"review-py\""), "{}", out.file);
        let requests = mock.requests();
        assert_eq!(requests.len(), 3);
        // Each repair carries the exact diagnostics of the draft before it.
        assert!(
            requests[1].prompt.contains("const x = ;"),
            "the failing draft goes back"
        );
        assert_eq!(
            requests[1]
                .prompt
                .matches("draft.workflow.js:2:11: error")
                .count(),
            1,
            "each diagnostic once: {}",
            requests[1].prompt
        );
        assert!(requests[1].prompt.contains("2 | const x = ;"));
        assert!(requests[2].prompt.contains("dry run on sim"));
        assert!(requests[2].prompt.contains("files"));
        // The author may only read.
        for r in &requests {
            let mut tools = r.tools.clone();
            tools.sort();
            assert_eq!(tools, ["Glob", "Grep", "Read"], "{protocol:?}");
        }
        assert_eq!(
            finished_agents(&out.events),
            ["author", "author (repair 1)", "author (repair 2)"]
        );
    }
}

#[test]
fn three_bad_drafts_stop_with_the_last_diagnostics_and_the_script_kept() {
    let answers = [SYNTAX_ERROR, SYNTAX_ERROR, CRASHES_ON_SIM, CRASHES_ON_SIM];
    let mock = mock_answering(&answers);
    let out = write(&mock, Protocol::Anthropic, true, "t");
    let Authored::Failed {
        diagnostics,
        repairs,
        ..
    } = &out.authored
    else {
        panic!("{:?}", out.authored);
    };
    assert_eq!(*repairs, MAX_REPAIRS);
    assert!(diagnostics.contains("dry run on sim"), "{diagnostics}");
    assert_eq!(mock.requests().len(), 1 + MAX_REPAIRS as usize);
    assert!(
        out.file.contains("r.files.length"),
        "the last draft is kept"
    );
}

#[test]
fn a_meta_that_is_not_a_literal_goes_back_to_the_author() {
    let mock = mock_answering(&[META_NOT_LITERAL, GOOD]);
    let out = write(&mock, Protocol::OpenAi, false, "t");
    assert!(
        matches!(out.authored, Authored::Ready { repairs: 1, .. }),
        "{:?}",
        out.authored
    );
    let repair = &mock.requests()[1].prompt;
    assert!(repair.contains("meta"), "{repair}");
    assert!(repair.contains("name: n"), "{repair}");
}

#[test]
fn the_authors_request_carries_the_guide_the_task_and_the_workspace() {
    let mock = mock_answering(&[GOOD]);
    let out = write(
        &mock,
        Protocol::Anthropic,
        false,
        "audit every endpoint for auth",
    );
    assert!(matches!(out.authored, Authored::Ready { repairs: 0, .. }));
    let prompt = &mock.requests()[0].prompt;
    assert!(prompt.contains("audit every endpoint for auth"));
    for topic in ["format", "semantics", "patterns", "authoring"] {
        let text = baton_guide::topic(topic).unwrap().text.trim();
        assert!(prompt.contains(text), "the {topic} topic is missing");
    }
    assert!(
        prompt.contains("- a.py"),
        "the workspace listing is missing"
    );
    // The author's call is journaled like any agent: queued with its prompt, finished with usage.
    assert!(out.events.iter().any(|e| matches!(e,
        Event::AgentQueued { prompt: p, .. } if p.contains("audit every endpoint"))));
}

#[test]
fn an_answer_without_a_script_counts_as_a_failed_draft() {
    let mock = mock_answering(&["", GOOD]);
    let out = write(&mock, Protocol::OpenAi, true, "t");
    assert!(
        matches!(out.authored, Authored::Ready { repairs: 1, .. }),
        "{:?}",
        out.authored
    );
}

#[test]
fn a_repair_that_returns_the_same_script_is_told_so() {
    let mock = mock_answering(&[CRASHES_ON_SIM, CRASHES_ON_SIM, GOOD]);
    let out = write(
        &mock,
        Protocol::OpenAi,
        false,
        "review each .py file for bugs",
    );
    assert!(
        matches!(out.authored, Authored::Ready { repairs: 2, .. }),
        "{:?}",
        out.authored
    );
    let requests = mock.requests();
    assert_eq!(requests.len(), 3);
    let unchanged = "Your last answer repeated the failing script unchanged";
    assert!(!requests[1].prompt.contains(unchanged));
    assert!(
        requests[2].prompt.contains(unchanged),
        "{}",
        requests[2].prompt
    );
}
