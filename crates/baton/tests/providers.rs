//! Real sub-agents end to end: the `baton` binary against the mock LLM server on loopback,
//! through both protocols, streaming and not, with real files, real git and a real shell.

mod support;

use std::process::Output;

use baton_testkit::{FaultKind, Faults, Match, MockConfig, MockLlm, Rule, ToolCall, Turn};
use serde_json::{json, Value};
use support::{baton_run, git, result, stderr, Wire, KEY, WIRES};

const FIX_WORKFLOW: &str = r#"export const meta = { name: "fix-answer", description: "read, edit, check, report" };
const report = await agent("Fix the answer in src/lib.rs, check it, and report.", {
  label: "fixer",
  schema: {
    type: "object",
    properties: { file: { type: "string" }, matches: { type: "integer" }, verdict: { enum: ["fixed", "failed"] } },
    required: ["file", "matches", "verdict"],
  },
});
return report;
"#;

fn fixer_rule() -> Rule {
    Rule::new(
        Match::label("fixer"),
        vec![
            Turn::tools(vec![
                ToolCall::new("Read", json!({"file_path": "src/lib.rs"})),
                ToolCall::new("Glob", json!({"pattern": "**/*.txt"})),
            ]),
            Turn::tool(
                "Edit",
                json!({"file_path": "src/lib.rs", "old_string": "41", "new_string": "42"}),
            ),
            Turn::tool(
                "Bash",
                json!({"command": "grep -c 42 src/lib.rs; git status --short"}),
            ),
            Turn::tool(
                "StructuredOutput",
                json!({"file": "src/lib.rs", "matches": 1, "verdict": "fixed"}),
            ),
        ],
    )
}

#[test]
fn an_agent_reads_edits_runs_a_command_and_returns_an_object_on_every_wire() {
    for wire in WIRES {
        let repo = tempfile::tempdir().unwrap();
        let dir = repo.path();
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("src/lib.rs"),
            "pub fn answer() -> u32 {\n    41\n}\n",
        )
        .unwrap();
        std::fs::write(dir.join("notes.txt"), "the answer is off by one\n").unwrap();
        std::fs::write(dir.join("fix.workflow.js"), FIX_WORKFLOW).unwrap();
        git(dir, &["init", "-q"]);
        git(dir, &["add", "."]);
        git(dir, &["commit", "-qm", "start"]);

        let mock = MockLlm::start(
            MockConfig::default()
                .with_api_key(KEY)
                .with_rule(fixer_rule()),
        );
        let output = baton_run(dir, &mock, wire, &["fix.workflow.js"], &[]);
        assert_eq!(
            result(&output),
            json!({"file": "src/lib.rs", "matches": 1, "verdict": "fixed"}),
            "{wire:?}"
        );

        // The file on disk is what the Edit made it; git sees exactly that change.
        assert_eq!(
            std::fs::read_to_string(dir.join("src/lib.rs")).unwrap(),
            "pub fn answer() -> u32 {\n    42\n}\n"
        );
        assert_eq!(git(dir, &["status", "--short"]), " M src/lib.rs\n");

        // What the tools answered went back to the model, turn by turn.
        let requests = mock.requests();
        let turns: Vec<_> = requests.iter().filter(|r| r.status == 200).collect();
        assert_eq!(turns.len(), 4, "{wire:?}");
        assert!(turns
            .iter()
            .all(|r| r.stream == wire.stream && r.protocol == wire.protocol));
        let read = &turns[1].tool_results;
        assert_eq!(read.len(), 2, "{read:?}");
        assert!(
            read[0].0.contains("2\t    41"),
            "line-numbered read: {}",
            read[0].0
        );
        assert!(read[1].0.contains("notes.txt"), "glob: {}", read[1].0);
        assert!(
            !turns[2].tool_results[0].1,
            "the edit succeeded: {:?}",
            turns[2].tool_results
        );
        let bash = &turns[3].tool_results[0].0;
        assert!(
            bash.contains('1') && bash.contains("M src/lib.rs"),
            "bash: {bash}"
        );
        // The model was offered the built-in tools plus StructuredOutput.
        assert_eq!(
            turns[0].tools,
            [
                "Read",
                "Write",
                "Edit",
                "Bash",
                "Glob",
                "Grep",
                "StructuredOutput"
            ]
        );
        assert!(
            stderr(&output).contains("Bash: grep -c 42"),
            "{}",
            stderr(&output)
        );
    }
}

const ECHO_FANOUT: &str = r#"export const meta = { name: "echo-fanout", description: "200 agents, each echoes its item" };
const items = Array.from({ length: 200 }, (_, i) => `item ${i}`);
const answers = await parallel(items.map((item) => () => agent(`echo ${item}`)));
return answers.map((answer, i) => answer === `ok: echo ${items[i]}`);
"#;

#[test]
fn two_hundred_agents_survive_rate_limits_overloads_and_truncated_streams() {
    for wire in [WIRES[0], WIRES[3]] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("fanout.workflow.js"), ECHO_FANOUT).unwrap();
        let faults = Faults {
            seed: 7,
            rate_429: 0.05,
            retry_after_secs: Some(0.01),
            rate_529: 0.02,
            rate_truncate: 0.02,
            ..Faults::default()
        };
        let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_faults(faults));
        let output = baton_run(dir.path(), &mock, wire, &["fanout.workflow.js"], &[]);
        assert_eq!(result(&output), json!(vec![true; 200]), "{wire:?}");

        let requests = mock.requests();
        let injected = |kind| requests.iter().filter(|r| r.fault == Some(kind)).count();
        let (limited, overloaded, truncated) = (
            injected(FaultKind::RateLimited),
            injected(FaultKind::Overloaded),
            injected(FaultKind::Truncate),
        );
        assert!(
            limited > 0 && overloaded > 0 && truncated > 0,
            "{limited} {overloaded} {truncated}"
        );
        // Every injected fault cost one retry, and each retry is in the run's output.
        let log = stderr(&output);
        let retries = log.lines().filter(|l| l.contains(" · retry ")).count();
        assert_eq!(retries, limited + overloaded + truncated, "{wire:?}\n{log}");
        assert!(log.contains("429"), "{log}");
        assert_eq!(requests.len(), 200 + retries);
    }
}

const SCHEMA_WORKFLOW: &str = r#"export const meta = { name: "schemas", description: "structured output retries" };
const schema = { type: "object", properties: { score: { type: "integer", minimum: 0 } }, required: ["score"] };
const late = await agent("rate it", { label: "late", schema });
let hopeless;
try { await agent("rate it again", { label: "hopeless", schema }); hopeless = "resolved"; }
catch (e) { hopeless = e.message; }
const inParallel = await parallel([() => agent("rate it once more", { label: "hopeless", schema })]);
return { late, hopeless, inParallel };
"#;

#[test]
fn structured_output_is_retried_up_to_five_attempts() {
    let wrong = |score: Value| Turn::tool("StructuredOutput", json!({ "score": score }));
    let late = Rule::new(
        Match::label("late"),
        vec![
            wrong(json!("high")),
            wrong(json!(-1)),
            wrong(json!(1.5)),
            wrong(json!(7)),
        ],
    );
    let hopeless = Rule::new(Match::label("hopeless"), vec![wrong(json!("x")); 6]);
    for wire in [WIRES[1], WIRES[2]] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("schemas.workflow.js"), SCHEMA_WORKFLOW).unwrap();
        let mock = MockLlm::start(
            MockConfig::default()
                .with_api_key(KEY)
                .with_rule(late.clone())
                .with_rule(hopeless.clone()),
        );
        let output = baton_run(dir.path(), &mock, wire, &["schemas.workflow.js"], &[]);
        let value = result(&output);
        assert_eq!(value["late"], json!({"score": 7}), "{wire:?}");
        let reason = value["hopeless"].as_str().unwrap();
        assert!(
            reason.starts_with("StructuredOutput retry cap (5) exceeded:")
                && reason.contains("integer"),
            "{reason}"
        );
        assert_eq!(value["inParallel"], json!([null]));
        // The model saw each validation error as a tool error.
        let requests = mock.requests();
        let late_requests: Vec<_> = requests
            .iter()
            .filter(|r| r.label.as_deref() == Some("late"))
            .collect();
        assert_eq!(late_requests.len(), 4);
        let answers: Vec<&str> = late_requests[1..]
            .iter()
            .map(|r| r.tool_results[0].0.as_str())
            .collect();
        assert!(
            answers[0].contains("\"high\" is not of type \"integer\""),
            "{answers:?}"
        );
        assert!(
            answers[1].contains("-1 is less than the minimum of 0"),
            "{answers:?}"
        );
        assert!(
            answers[2].contains("1.5 is not of type \"integer\""),
            "{answers:?}"
        );
        let hopeless_requests = requests
            .iter()
            .filter(|r| r.label.as_deref() == Some("hopeless"))
            .count();
        assert_eq!(
            hopeless_requests, 10,
            "five attempts for each of two agents"
        );
    }
}

#[test]
fn a_stalled_stream_is_abandoned_and_retried() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("one.workflow.js"),
        "export const meta = { name: \"one\", description: \"\" };\nreturn await agent(\"say hi\", { label: \"slow\" });\n",
    )
    .unwrap();
    let rule =
        Rule::new(Match::label("slow"), vec![Turn::text("hi")]).with_fault(0, 1, FaultKind::Stall);
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(rule));
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[0],
        &["one.workflow.js"],
        &[("BATON_HTTP_STALL_TIMEOUT_SECS", "0.3")],
    );
    assert_eq!(result(&output), json!("hi"));
    assert!(stderr(&output).contains("stall"), "{}", stderr(&output));
    assert_eq!(mock.requests().len(), 2);
}

/// A user's mistake ends the run with exit 2 and one line that says what to fix.
fn assert_one_clear_error(output: &Output, expected: &str) {
    let log = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{log}");
    let errors: Vec<&str> = log.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 1, "{log}");
    assert!(errors[0].contains(expected), "{log}");
    assert!(!log.contains("panicked") && !log.contains(KEY), "{log}");
}

#[test]
fn user_errors_print_one_clear_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("one.workflow.js"),
        "export const meta = { name: \"one\", description: \"\" };\nreturn await parallel([1, 2, 3].map((i) => () => agent(`task ${i}`)));\n",
    )
    .unwrap();
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key("sk-the-right-key")
            .with_models(["claude-haiku-4-5", "mock-model"]),
    );
    let run = |wire: Wire, extra: &[&str], env: &[(&str, &str)]| {
        baton_run(
            dir.path(),
            &mock,
            wire,
            &[extra, &["one.workflow.js"]].concat(),
            env,
        )
    };

    let no_key = run(WIRES[0], &[], &[("ANTHROPIC_API_KEY", "")]);
    assert_one_clear_error(
        &no_key,
        "cannot be reached with the providers configured here",
    );
    assert!(stderr(&no_key).contains("(ANTHROPIC_API_KEY is not set)"));

    let refused = run(WIRES[0], &[], &[]);
    assert_one_clear_error(&refused, "ANTHROPIC_API_KEY was refused (401)");
    let refused = run(WIRES[2], &[], &[]);
    assert_one_clear_error(&refused, "OPENAI_API_KEY was refused (401)");

    let unknown = run(
        WIRES[0],
        &["--model", "claude-nonesuch"],
        &[("ANTHROPIC_API_KEY", "sk-the-right-key")],
    );
    assert_one_clear_error(&unknown, "unknown model 'claude-nonesuch'");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nowhere = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let unreachable = run(WIRES[0], &[], &[("ANTHROPIC_BASE_URL", &nowhere)]);
    assert_one_clear_error(&unreachable, "cannot reach");
}

#[test]
fn a_fan_out_pays_for_the_shared_prefix_once_and_the_run_shows_its_cost() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("fan.workflow.js"),
        "export const meta = { name: \"fan\", description: \"\" };\nreturn await parallel([1, 2, 3, 4, 5].map((i) => () => agent(`review part ${i}`)));\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join(".baton")).unwrap();
    // A price of $1000 per million cache reads makes the cost line easy to check.
    std::fs::write(
        dir.path().join(".baton/config.toml"),
        "[pricing.\"claude-haiku-4-5\"]\ninput = 1.0\noutput = 5.0\ncache_write = 1.25\ncache_read = 1000.0\n",
    )
    .unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[0],
        &["fan.workflow.js", "--concurrency", "1"],
        &[],
    );
    result(&output);

    let requests = mock.requests();
    assert!(
        requests.iter().all(|r| r.cache_control),
        "every request marks the shared prefix"
    );
    let system = &requests[0].system;
    assert!(
        requests.iter().all(|r| &r.system == system),
        "the same system text for every agent"
    );
    let totals = mock.totals();
    // The shared prefix is written once and read by the other four; each agent also writes
    // its own first message (the rolling breakpoint), which is smaller than the shared part.
    let shared = totals.cache_read_tokens / 4;
    assert!(
        totals.cache_read_tokens == 4 * shared
            && shared > 0
            && totals.cache_write_tokens > shared
            && totals.cache_write_tokens < 2 * shared,
        "written once, read by the other four: {totals:?}"
    );

    let log = stderr(&output);
    let closing = log.lines().last().unwrap();
    assert!(
        closing.contains(&format!(
            "(cache: {} read, {} written)",
            totals.cache_read_tokens, totals.cache_write_tokens
        )),
        "{closing}"
    );
    let expected_cost = (totals.input_tokens as f64 * 1.0
        + totals.output_tokens as f64 * 5.0
        + totals.cache_write_tokens as f64 * 1.25
        + totals.cache_read_tokens as f64 * 1000.0)
        / 1e6;
    assert!(
        closing.contains(&format!("${expected_cost:.4}")),
        "{closing} (expected ${expected_cost:.4})"
    );
}

#[test]
fn agent_types_and_tool_allowlists_decide_what_is_offered() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".claude/agents")).unwrap();
    std::fs::write(
        dir.path().join(".claude/agents/reviewer.md"),
        "---\nname: reviewer\ndescription: reads code\ntools: Read, Grep, Bash\n---\nYou review code and never change it.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("typed.workflow.js"),
        r#"export const meta = { name: "typed", description: "" };
const typed = await agent("review", { label: "typed", agentType: "reviewer" });
const narrowed = await agent("review narrowly", { label: "narrowed", agentType: "reviewer", tools: ["Grep", "Write"] });
const plain = await agent("grep only", { label: "plain", tools: ["Grep"] });
return [typed, narrowed, plain];
"#,
    )
    .unwrap();
    let sneaky = Rule::new(
        Match::label("plain"),
        vec![
            Turn::tool("Write", json!({"file_path": "x.txt", "content": "no"})),
            Turn::text("done"),
        ],
    );
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(sneaky));
    let output = baton_run(dir.path(), &mock, WIRES[0], &["typed.workflow.js"], &[]);
    result(&output);

    let requests = mock.requests();
    let offered = |label: &str| {
        requests
            .iter()
            .find(|r| r.label.as_deref() == Some(label))
            .unwrap()
            .tools
            .clone()
    };
    assert_eq!(offered("typed"), ["Read", "Bash", "Grep"]);
    assert_eq!(offered("narrowed"), ["Grep"]);
    assert_eq!(offered("plain"), ["Grep"]);
    let typed = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("typed"))
        .unwrap();
    assert!(
        typed
            .system
            .contains("You review code and never change it."),
        "{}",
        typed.system
    );

    // A call to a tool that was not offered is refused, and the agent goes on.
    let refused = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("plain") && r.turn == 1)
        .unwrap();
    assert!(
        refused.tool_results[0].0.contains("not available"),
        "{:?}",
        refused.tool_results
    );
    assert!(!dir.path().join("x.txt").exists());
}

#[test]
fn max_turns_timeouts_and_retries_end_agents_with_null_and_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("limits.workflow.js"),
        r#"export const meta = { name: "limits", description: "" };
const busy = await agent("keep busy", { label: "busy", maxTurns: 2 });
const slow = await agent("take your time", { label: "slow", timeoutMs: 300 });
const second = await agent("try twice", { label: "second", maxTurns: 1, retries: 1 });
return { busy, slow, second };
"#,
    )
    .unwrap();
    let glob = || Turn::tool("Glob", json!({"pattern": "*"}));
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_rule(Rule::new(
                Match::label("busy"),
                vec![glob(), glob(), glob(), Turn::text("late")],
            ))
            .with_rule(
                Rule::new(Match::label("slow"), vec![Turn::text("too late")])
                    .with_latency(std::time::Duration::from_secs(3)),
            )
            // The first attempt runs out of turns; the retry starts a new conversation.
            .with_rule(Rule::new(Match::label("second"), vec![glob()]).with_uses(1))
            .with_rule(Rule::new(
                Match::label("second"),
                vec![Turn::text("second time lucky")],
            )),
    );
    let output = baton_run(dir.path(), &mock, WIRES[0], &["limits.workflow.js"], &[]);
    assert_eq!(
        result(&output),
        json!({"busy": null, "slow": null, "second": "second time lucky"})
    );
    let log = stderr(&output);
    assert!(
        log.contains("reached maxTurns (2) without a final answer"),
        "{log}"
    );
    assert!(log.contains("timed out after 300 ms (timeoutMs)"), "{log}");
}
