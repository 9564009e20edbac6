//! A new user's first hour, on the real binary: models that cannot be reached are refused
//! before any request, `baton check` (and `baton run`) catch what the run would hit, inputs
//! that look like the wrong flag are refused with the right one.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use baton_testkit::{MockConfig, MockLlm};
use serde_json::Value;
use support::{baton_run, stderr, WIRES};

const META: &str = "export const meta = { name: \"first\", description: \"a first workflow\" };\n";

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), format!("{META}{body}")).unwrap();
}

/// `baton <args>` in `dir` with no provider configured at all.
fn baton(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .env("HOME", dir);
    for variable in [
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "BATON_MODEL",
        "BATON_PROVIDER",
    ] {
        command.env_remove(variable);
    }
    command.output().unwrap()
}

#[test]
fn a_script_model_the_provider_cannot_serve_is_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "w.workflow.js",
        "const a = await agent('one', { model: 'haiku' });\nreturn await agent('two', { agentType: 'reviewer' }) + a;\n",
    );
    std::fs::create_dir_all(dir.path().join(".claude/agents")).unwrap();
    std::fs::write(
        dir.path().join(".claude/agents/reviewer.md"),
        "---\nname: reviewer\ndescription: reviews\nmodel: opus\n---\nReview.\n",
    )
    .unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(support::KEY));
    let out = baton_run(
        dir.path(),
        &mock,
        WIRES[2],
        &[
            "--provider",
            "openai",
            "--model",
            "gpt-4.1",
            "--yes",
            "w.workflow.js",
        ],
        &[],
    );
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert!(mock.requests().is_empty(), "no request may be sent: {log}");
    assert!(
        log.contains("w.workflow.js:2:39: 'haiku' is an alias for anthropic:claude-haiku-4-5"),
        "{log}"
    );
    assert!(
        log.contains("agent type 'reviewer' (.claude/agents/reviewer.md): 'opus'"),
        "{log}"
    );
    assert!(log.contains("[models] haiku = \"openai:gpt-4.1\""), "{log}");
    assert!(log.contains("--alias haiku=openai:gpt-4.1"), "{log}");
    assert!(log.contains("provider:model"), "{log}");
    assert!(!log.contains("panicked"), "{log}");

    // Mapped with --alias, the same script runs on the OpenAI server.
    let mapped = baton_run(
        dir.path(),
        &mock,
        WIRES[2],
        &[
            "--provider",
            "openai",
            "--model",
            "openai:mock-model",
            "--alias",
            "haiku=openai:mock-model",
            "--alias",
            "opus=openai:mock-model",
            "--yes",
            "w.workflow.js",
        ],
        &[],
    );
    assert_eq!(mapped.status.code(), Some(0), "{}", stderr(&mapped));
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn a_bare_model_name_with_no_provider_does_not_talk_about_anthropic_keys() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "w.workflow.js", "return await agent('hi');\n");
    let out = baton(
        dir.path(),
        &["run", "--model", "gpt5", "--yes", "w.workflow.js"],
    );
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert!(
        log.contains("'gpt5' is not an alias and names no provider"),
        "{log}"
    );
    assert!(log.contains("OPENAI_BASE_URL"), "{log}");
    assert!(!log.contains("ANTHROPIC"), "{log}");
}

const MISTAKES: &str = "\
const r = await agnet('hi');
const fs = require('fs');
agent('lost', { lable: 'x' });
const s = await agent('s', { schema: { type: 'string' }, model: 'hiaku' });
log(r, s, fs);
";

#[test]
fn check_reports_what_the_run_would_hit_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.workflow.js", MISTAKES);
    let out = baton(dir.path(), &["check", "bad.workflow.js"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    for expected in [
        "bad.workflow.js:2:17: error: `agnet` is not defined",
        "(did you mean `agent`?)",
        "bad.workflow.js:3:12: error: `require` is not defined in a workflow script",
        "bad.workflow.js:4:1: warning: the promise of this `agent()` call is never awaited",
        "bad.workflow.js:4:17: warning: unknown agent() option `lable` is ignored: did you mean `label`?",
        "bad.workflow.js:5:38: error: agent() would reject this schema before starting: invalid schema: the root must describe an object",
        "bad.workflow.js:5:65: warning: model 'hiaku' is not an alias (did you mean 'haiku'?)",
        "warning: the script never returns",
        "bad.workflow.js: 3 errors, 4 warnings",
    ] {
        assert!(log.contains(expected), "missing {expected:?} in:\n{log}");
    }

    let json = baton(dir.path(), &["check", "bad.workflow.js", "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["file"], "bad.workflow.js");
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["meta"]["name"], "first");
    assert_eq!(doc["meta"]["phases"], serde_json::json!([]));
    let first = &doc["diagnostics"][0];
    assert_eq!(first["severity"], "error");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(2), Some(17))
    );
    assert!(first["message"]
        .as_str()
        .unwrap()
        .starts_with("`agnet` is not defined"));
    assert!(first["text"]
        .as_str()
        .unwrap()
        .starts_with("bad.workflow.js:2:17: error: `agnet`"));
    assert!(first["text"]
        .as_str()
        .unwrap()
        .contains("   2 | const r = await agnet('hi');"));
    assert_eq!(doc["diagnostics"].as_array().unwrap().len(), 7);
}

#[test]
fn check_json_of_a_clean_script_and_of_one_that_does_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.workflow.js"),
        "export const meta = { name: 'ok', description: 'd', phases: [{ title: 'Read', model: 'haiku' }, { title: 'Write', detail: 'then' }] };\nreturn await agent('x', { label: 'a' });\n",
    )
    .unwrap();
    let out = baton(dir.path(), &["check", "--json", "ok.workflow.js"]);
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc,
        serde_json::json!({"file": "ok.workflow.js", "ok": true, "meta": {"name": "ok", "description": "d",
            "phases": [{"title": "Read", "detail": null, "model": "haiku"}, {"title": "Write", "detail": "then", "model": null}]},
            "diagnostics": []})
    );

    write(dir.path(), "broken.workflow.js", "return (;\n");
    let out = baton(dir.path(), &["check", "--json", "broken.workflow.js"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["meta"], Value::Null);
    assert_eq!(doc["diagnostics"][0]["severity"], "error");
}

#[test]
fn run_refuses_errors_with_exit_1_and_says_warnings_before_running() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.workflow.js", MISTAKES);
    let out = baton(dir.path(), &["run", "--model", "sim", "bad.workflow.js"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{log}");
    assert!(log.contains("error: `agnet` is not defined"), "{log}");
    assert!(log.contains("nothing was run"), "{log}");
    assert!(
        !log.contains("warning:"),
        "a refused run lists its errors only: {log}"
    );

    write(
        dir.path(),
        "warn.workflow.js",
        "const r = await agent('x', { lable: 'a' });\nlog(r);\n",
    );
    let out = baton(dir.path(), &["run", "--model", "sim", "warn.workflow.js"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{log}");
    assert!(
        log.contains("warn.workflow.js:2:30: warning: unknown agent() option `lable`"),
        "{log}"
    );
    assert!(log.contains("warning: the script never returns"), "{log}");
}

#[test]
fn every_name_the_lint_calls_a_global_exists_in_a_real_run() {
    let dir = tempfile::tempdir().unwrap();
    let names = serde_json::to_string(baton_script::lint::KNOWN_GLOBALS).unwrap();
    write(
        dir.path(),
        "g.workflow.js",
        &format!("return {names}.filter((n) => !(n in globalThis));\n"),
    );
    let out = baton(dir.path(), &["run", "--model", "sim", "g.workflow.js"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let missing: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(missing, serde_json::json!([]));
}

#[test]
fn args_that_look_like_the_wrong_flag_are_refused_with_the_right_one() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.workflow.js", "return args;\n");
    let run = |extra: &[&str]| {
        let args = [&["run", "--model", "sim"], extra, &["a.workflow.js"]].concat();
        baton(dir.path(), &args)
    };
    let out = run(&["--args", "files=a"]);
    let log = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert!(
        log.contains("looks like KEY=VALUE") && log.contains("use --arg files=a"),
        "{log}"
    );

    for bad in ["k={\"a\":", "k=[1,", "k=\"open"] {
        let out = run(&["--arg", bad]);
        let log = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{bad}: {log}");
        assert!(log.contains("--arg k is not valid JSON"), "{log}");
    }

    let out = run(&[
        "--arg",
        "n=4",
        "--arg",
        "name=plain text",
        "--arg",
        "list=[1,2]",
        "--args",
        "{\"x\":true}",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let value: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        value,
        serde_json::json!({"x": true, "n": 4, "name": "plain text", "list": [1, 2]})
    );
}

/// A run on `sim` says so wherever a user reads about it: progress, the closing line, `show`,
/// `--json` events; and, being free, it never asks `Proceed?`.
#[test]
fn a_run_on_sim_says_sim_and_free() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "s.workflow.js", "return await agent(\"hi\");\n");
    let out = baton(dir.path(), &["run", "--model", "sim", "s.workflow.js"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = stderr(&out);
    assert!(log.contains("started · sim"), "{log}");
    let closing = log.lines().last().unwrap();
    assert!(closing.ends_with("· sim, free"), "{closing}");
    assert!(!log.contains("Proceed?"), "{log}");

    let id = closing.split_whitespace().nth(2).unwrap();
    let show = baton(dir.path(), &["show", id]);
    let shown = String::from_utf8_lossy(&show.stdout);
    assert!(shown.contains("model     sim"), "{shown}");
    assert!(shown.contains("sim, free"), "{shown}");

    let json = baton(
        dir.path(),
        &["run", "--model", "sim", "--json", "s.workflow.js"],
    );
    let events = stderr(&json);
    assert!(
        events
            .lines()
            .any(|l| l.contains("\"agent_started\"") && l.contains("\"model\":\"sim\"")),
        "{events}"
    );
}
