//! The journal and resume end to end (SPEC §7): the real binary against the mock LLM server,
//! killed with SIGKILL, resumed, edited; the mock's request log says which agents ran again.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use baton_journal::{CallStatus, Store};
use baton_model::RunStatus;
use baton_testkit::{FaultKind, Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::Value;

const KEY: &str = "sk-test-resume-0123";

/// `baton <args>` in `dir` against `mock`, with only the variables a user would set.
fn baton(dir: &Path, mock: &MockLlm, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("HOME", dir)
        .env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", mock.base_url())
        .env("BATON_HTTP_BACKOFF_MS", "5")
        .env("BATON_HTTP_MAX_RETRIES", "2");
    for variable in [
        "ANTHROPIC_AUTH_TOKEN",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "BATON_MODEL",
        "BATON_PROVIDER",
        "BATON_HOME",
        "BATON_MAX_CONCURRENT_AGENTS",
    ] {
        command.env_remove(variable);
    }
    command
}

fn output(dir: &Path, mock: &MockLlm, args: &[&str]) -> Output {
    baton(dir, mock, args).output().unwrap()
}

fn result(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "baton failed ({:?}):\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the result is JSON")
}

fn store(dir: &Path) -> Store {
    Store::open(&dir.join(".baton")).unwrap()
}

/// How many requests the mock received per prompt.
fn requests_by_prompt(mock: &MockLlm) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for request in mock.requests() {
        *counts.entry(request.prompt).or_insert(0) += 1;
    }
    counts
}

fn prompts_of(requests: &[baton_testkit::RecordedRequest]) -> Vec<String> {
    let mut prompts: Vec<String> = requests.iter().map(|r| r.prompt.clone()).collect();
    prompts.sort();
    prompts
}

/// 200 agents; each prompt carries a `Math.random()` draw, so a resume that did not restore
/// the run's seed would change every prompt and find nothing in the journal.
const FAN_OUT_200: &str = r#"export const meta = { name: "wide", description: "200 agents" };
const salt = Math.floor(Math.random() * 1e9);
const answers = await parallel(
  Array.from({ length: 200 }, (_, i) => () => agent(`item ${i} (salt ${salt})`, { label: `item-${i}` })),
);
return { salt, answers };
"#;

#[test]
fn a_run_killed_mid_way_is_crashed_and_resume_finishes_it_without_paying_twice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wide.workflow.js"), FAN_OUT_200).unwrap();
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_latency(Duration::from_millis(40)),
    );
    let id = "wf_c0a5e0000001";
    let args = [
        "run",
        "wide.workflow.js",
        "--model",
        "haiku",
        "--run-id",
        id,
    ];
    let mut child = baton(dir.path(), &mock, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();

    // Wait (in real time: the run is another process) until part of the work is journaled,
    // reading the journal while the run writes it.
    let deadline = Instant::now() + Duration::from_secs(60);
    let journal = dir.path().join(".baton");
    let mut shown_while_running = false;
    loop {
        assert!(Instant::now() < deadline, "the run never got going");
        if let Ok(store) = Store::open(&journal) {
            if let Ok(calls) = store.calls(id, Some(1)) {
                let done = calls
                    .iter()
                    .filter(|c| c.status == CallStatus::Completed)
                    .count();
                if done >= 20 && !shown_while_running {
                    let show = output(dir.path(), &mock, &["show", id]);
                    assert!(
                        show.status.success(),
                        "baton show while the run writes: {}",
                        String::from_utf8_lossy(&show.stderr)
                    );
                    assert!(String::from_utf8_lossy(&show.stdout).contains("running"));
                    shown_while_running = true;
                }
                if done >= 60 {
                    break;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let store = store(dir.path());
    let crashed = store.runs().unwrap();
    assert_eq!(crashed[0].status, RunStatus::Crashed);
    let listing = output(dir.path(), &mock, &["runs"]);
    assert!(String::from_utf8_lossy(&listing.stdout).contains("crashed"));
    let finished_before: Vec<String> = store
        .calls(id, Some(1))
        .unwrap()
        .into_iter()
        .filter(|c| c.status == CallStatus::Completed)
        .map(|c| c.prompt)
        .collect();
    assert!(finished_before.len() >= 60 && finished_before.len() < 200);

    let resumed = result(&output(dir.path(), &mock, &["resume", id]));

    let counts = requests_by_prompt(&mock);
    for prompt in &finished_before {
        assert_eq!(
            counts[prompt], 1,
            "a finished agent was requested again: {prompt}"
        );
    }
    assert_eq!(counts.len(), 200, "every agent ran once at least");
    assert_eq!(store.runs().unwrap()[0].status, RunStatus::Completed);
    let resume_calls = store.calls(id, None).unwrap();
    assert_eq!(
        resume_calls
            .iter()
            .filter(|c| c.status == CallStatus::Cached)
            .count(),
        finished_before.len()
    );

    // The same run, never interrupted, in another workspace against another server.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("wide.workflow.js"), FAN_OUT_200).unwrap();
    let fresh_mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    let uninterrupted = result(&output(other.path(), &fresh_mock, &args));
    assert_eq!(resumed, uninterrupted);
}

/// 50 agents, in the order `args.reverse` asks for.
const FAN_OUT_50: &str = r#"export const meta = { name: "fifty", description: "50 agents, either way round" };
const ids = Array.from({ length: 50 }, (_, i) => i);
if (args && args.reverse) ids.reverse();
return await parallel(ids.map((i) => () => agent(`check shard ${i}`, { label: `shard-${i}` })));
"#;

#[test]
fn calls_find_their_results_in_any_order_and_only_the_failed_one_reruns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fifty.workflow.js"), FAN_OUT_50).unwrap();
    // shard-17's first three requests fail with 500s: all of its attempts in the first run
    // (BATON_HTTP_MAX_RETRIES=2). The next one is answered.
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(
        Rule::new(Match::label("shard-17"), vec![Turn::text("late")]).with_fault(
            0,
            3,
            FaultKind::ServerError,
        ),
    ));
    let first = result(&output(
        dir.path(),
        &mock,
        &["run", "fifty.workflow.js", "--model", "haiku"],
    ));
    assert_eq!(first[17], Value::Null);
    assert!(first[16].as_str().unwrap().contains("check shard 16"));
    let run_id = store(dir.path()).runs().unwrap()[0].id.clone();
    let before = mock.requests().len();

    // Reversed: every call starts in a different order than it first did.
    let second = result(&output(
        dir.path(),
        &mock,
        &[
            "run",
            "fifty.workflow.js",
            "--resume-from",
            run_id.as_str(),
            "--args",
            r#"{"reverse": true}"#,
        ],
    ));
    let rerun = &mock.requests()[before..];
    assert_eq!(prompts_of(rerun), vec!["check shard 17".to_string()]);
    assert_eq!(second.as_array().unwrap().len(), 50);
    assert_eq!(second[49 - 17], Value::String("late".into()));
    for (position, shard) in (0..50).rev().enumerate() {
        if shard != 17 {
            assert_eq!(second[position], first[shard], "shard {shard}");
        }
    }
}

/// A three-stage pipeline; `REVIEW` is the stage-2 prompt that the test edits.
fn pipeline_script(review: &str) -> String {
    format!(
        r#"export const meta = {{ name: "three-stages", description: "extract, review, summarize" }};
return await pipeline(
  ["alpha", "beta", "gamma", "delta", "epsilon"],
  (item) => agent(`Extract ${{item}}`, {{ label: `extract-${{item}}` }}),
  (prev, item) => agent(`{review} ${{prev}}`, {{ label: `review-${{item}}` }}),
  (prev, item) => agent(`Summarize ${{prev}}`, {{ label: `summarize-${{item}}` }}),
);
"#
    )
}

#[test]
fn editing_one_stage_reruns_exactly_the_agents_whose_inputs_changed() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("stages.workflow.js");
    std::fs::write(&script, pipeline_script("Review")).unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    result(&output(
        dir.path(),
        &mock,
        &["run", "stages.workflow.js", "--model", "haiku"],
    ));
    assert_eq!(mock.requests().len(), 15);
    let first_id = store(dir.path()).runs().unwrap()[0].id.clone();

    // The mock answers "ok: " + the prompt's first 40 characters, so a new stage-2 prompt
    // changes stage 2's answers and with them every stage-3 prompt.
    std::fs::write(&script, pipeline_script("Review carefully")).unwrap();
    let edited = result(&output(
        dir.path(),
        &mock,
        &[
            "run",
            "stages.workflow.js",
            "--resume-from",
            first_id.as_str(),
        ],
    ));
    let rerun = &mock.requests()[15..];
    let stage = |prefix: &str| {
        rerun
            .iter()
            .filter(|r| r.label.as_deref().is_some_and(|l| l.starts_with(prefix)))
            .count()
    };
    assert_eq!(stage("extract-"), 0);
    assert_eq!(stage("review-"), 5);
    assert_eq!(stage("summarize-"), 5);
    assert_eq!(rerun.len(), 10);
    assert!(edited[0]
        .as_str()
        .unwrap()
        .contains("Summarize ok: Review carefully"));

    // Resuming the edited run itself pays for nothing: all 15 come from the journal.
    let second_id = store(dir.path()).runs().unwrap()[0].id.clone();
    let again = result(&output(dir.path(), &mock, &["resume", second_id.as_str()]));
    assert_eq!(mock.requests().len(), 25);
    assert_eq!(again, edited);
}

#[test]
fn a_missing_or_corrupt_journal_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    let missing = output(dir.path(), &mock, &["resume", "wf_000000000abc"]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.starts_with("error: no runs have been recorded here"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    std::fs::create_dir(dir.path().join(".baton")).unwrap();
    std::fs::write(dir.path().join(".baton/journal.db"), vec![0x5a; 8192]).unwrap();
    std::fs::write(dir.path().join("one.workflow.js"), FAN_OUT_50).unwrap();
    for args in [
        &["resume", "wf_000000000abc"][..],
        &["run", "one.workflow.js", "--model", "haiku"][..],
    ] {
        let corrupt = output(dir.path(), &mock, args);
        assert_eq!(corrupt.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&corrupt.stderr);
        assert!(
            stderr.contains("is not a readable baton journal"),
            "{stderr}"
        );
        assert!(stderr.contains("move it aside"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    assert!(mock.requests().is_empty(), "nothing ran");
}

#[test]
fn resuming_an_unknown_run_names_the_way_to_find_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fifty.workflow.js"), FAN_OUT_50).unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    result(&output(
        dir.path(),
        &mock,
        &["run", "fifty.workflow.js", "--model", "haiku"],
    ));
    let unknown = output(dir.path(), &mock, &["resume", "wf_ffffffffffff"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("no run wf_ffffffffffff"), "{stderr}");
    assert!(stderr.contains("baton runs"), "{stderr}");
}
