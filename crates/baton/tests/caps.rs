//! Caps that bind, end to end: the real binary against the mock LLM server. `--max-agents` and
//! `--max-cost-usd` stop a run at their cap with a message that names it, and no agent starts
//! past a cap (counted by the requests the mock received).

mod support;

use std::process::Command;

use baton_testkit::{MockConfig, MockLlm};
use serde_json::Value;
use support::{baton_run, result, stderr, WIRES};

/// Ten agents one after another; a refused `agent()` is not caught, so it fails the run.
const TEN_IN_A_ROW: &str = r#"export const meta = { name: "ten", description: "ten agents in a row" };
const answers = [];
for (let i = 0; i < 10; i++) {
  answers.push(await agent(`Task number ${i}: say done.`, { label: `task-${i}` }));
}
return answers;
"#;

/// Ten agents at once; `parallel` turns a refused call into `null`.
const TEN_AT_ONCE: &str = r#"export const meta = { name: "ten", description: "ten agents at once" };
return await parallel(Array.from({ length: 10 }, (_, i) =>
  () => agent(`Task number ${i}: say done.`, { label: `task-${i}` })));
"#;

fn workspace(script: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ten.workflow.js"), script).unwrap();
    dir
}

fn mock() -> MockLlm {
    MockLlm::start(MockConfig::default().with_api_key(support::KEY))
}

/// The closing `baton: run …` line.
fn closing(log: &str) -> &str {
    log.lines()
        .rev()
        .find(|line| line.starts_with("baton: run "))
        .unwrap_or_else(|| panic!("no closing line in:\n{log}"))
}

#[test]
fn max_agents_fails_the_run_at_its_cap_and_names_it() {
    let dir = workspace(TEN_IN_A_ROW);
    let mock = mock();
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[0],
        &["ten.workflow.js", "--max-agents", "5"],
        &[],
    );
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "the script failed:\n{log}");
    assert_eq!(mock.requests().len(), 5, "no agent starts past the cap");
    assert!(log.contains("WorkflowAgentCapError"), "{log}");
    assert!(
        closing(&log).contains("failed · agent cap reached (--max-agents 5) · 5 agents"),
        "{log}"
    );
}

#[test]
fn max_agents_in_parallel_leaves_nulls_and_still_names_the_cap() {
    let dir = workspace(TEN_AT_ONCE);
    let mock = mock();
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[2],
        &["ten.workflow.js", "--max-agents", "5"],
        &[],
    );
    let answers = result(&output);
    let answered = answers.as_array().unwrap().iter().filter(|a| !a.is_null());
    assert_eq!(answered.count(), 5);
    assert_eq!(mock.requests().len(), 5);
    let log = stderr(&output);
    assert!(
        closing(&log).contains("completed · agent cap reached (--max-agents 5) · 5 agents"),
        "{log}"
    );
}

/// Every agent's cost, in the order they were called, from `baton show --json`.
fn costs(dir: &std::path::Path, log: &str) -> Vec<f64> {
    let run = closing(log)
        .split_whitespace()
        .nth(2)
        .expect("the run id")
        .to_string();
    let show = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["show", &run, "--json"])
        .current_dir(dir)
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(show.status.success(), "{}", stderr(&show));
    let shown: Value = serde_json::from_slice(&show.stdout).unwrap();
    let mut calls = shown["calls"].as_array().unwrap().clone();
    calls.sort_by_key(|call| call["seq"].as_u64());
    calls
        .iter()
        .map(|call| call["usage"]["cost_usd"].as_f64().unwrap())
        .collect()
}

#[test]
fn max_cost_usd_stops_the_run_once_spent_and_names_it() {
    let dir = workspace(TEN_IN_A_ROW);
    // The price is the test's own, with no cache discount so that every agent costs about the
    // same: $1 per million input tokens (cache writes and reads alike), $5 output.
    let price = ["--price", "claude-haiku-4-5=1,5,1,1"];
    // What one agent costs, from a run capped at one agent.
    let one = baton_run(
        dir.path(),
        &mock(),
        WIRES[0],
        &[&["ten.workflow.js", "--max-agents", "1"][..], &price].concat(),
        &[],
    );
    let first = costs(dir.path(), &stderr(&one));
    assert_eq!(first.len(), 1);
    // Room for three and a half agents: the fourth starts with three paid for, and takes the
    // run past the cap; the fifth must not start.
    let cap = format!("{:.6}", first[0] * 3.5);
    let cap_value: f64 = cap.parse().unwrap();
    let mock = mock();
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[0],
        &[&["ten.workflow.js", "--max-cost-usd", &cap][..], &price].concat(),
        &[],
    );
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "the script failed:\n{log}");
    assert!(log.contains("BudgetError"), "{log}");

    let costs = costs(dir.path(), &log);
    let started = costs.len();
    assert_eq!(started, 4, "{costs:?} against {cap}");
    assert_eq!(mock.requests().len(), started);
    // Each agent started while the run had spent less than the cap, and the last one took it
    // there: nothing started past it.
    let before_last: f64 = costs[..started - 1].iter().sum();
    let spent: f64 = costs.iter().sum();
    assert!(
        before_last < cap_value && spent >= cap_value,
        "{costs:?} against {cap}"
    );
    // What baton counted is what the mock charged.
    let totals = mock.totals();
    let charged = (totals.input_tokens as f64
        + 5.0 * totals.output_tokens as f64
        + totals.cache_write_tokens as f64
        + totals.cache_read_tokens as f64)
        / 1e6;
    assert!((charged - spent).abs() < 1e-9, "{charged} vs {spent}");
    assert!(
        closing(&log).contains(&format!(
            "failed · cost cap reached: ${spent:.4} spent of --max-cost-usd {cap_value} · {started} agents"
        )),
        "{log}"
    );
}

#[test]
fn no_agent_starts_past_the_cost_cap_with_several_in_flight() {
    let dir = workspace(TEN_AT_ONCE);
    let mock = mock();
    // Below the price of one agent: the two agents that start at once are all that run; the
    // eight queued behind them were accepted while nothing was spent, and are refused when a
    // slot frees up.
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[1],
        &[
            "ten.workflow.js",
            "--concurrency",
            "2",
            "--max-cost-usd",
            "0.000001",
        ],
        &[],
    );
    let answers = result(&output);
    let answered = answers.as_array().unwrap().iter().filter(|a| !a.is_null());
    let started = mock.requests().len();
    assert!((1..=2).contains(&started), "{started} agents started");
    assert_eq!(answered.count(), started);
    let log = stderr(&output);
    assert!(log.contains("failed: cost cap reached"), "{log}");
    assert!(
        closing(&log).contains("completed · cost cap reached: $"),
        "{log}"
    );
}

#[test]
fn a_cost_cap_on_a_model_without_a_price_is_refused() {
    let dir = workspace(TEN_IN_A_ROW);
    let mock = mock();
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[2],
        &["ten.workflow.js", "--max-cost-usd", "1"],
        &[],
    );
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{log}");
    assert!(
        log.starts_with("error: --model openai:mock-model: no price is known for mock-model"),
        "{log}"
    );
    assert_eq!(log.lines().count(), 1, "{log}");
    assert!(mock.requests().is_empty());

    let priced = baton_run(
        dir.path(),
        &mock,
        WIRES[2],
        &[
            "ten.workflow.js",
            "--max-cost-usd",
            "1",
            "--price",
            "mock-model=0.5,1",
        ],
        &[],
    );
    assert_eq!(result(&priced).as_array().unwrap().len(), 10);
}

#[test]
fn bad_cap_values_are_one_clear_error() {
    let dir = workspace(TEN_IN_A_ROW);
    let mock = mock();
    for (args, env, expected) in [
        (
            vec!["--max-cost-usd", "free"],
            vec![],
            "error: invalid value 'free' for '--max-cost-usd <USD>'",
        ),
        (
            vec!["--at-cap", "halt"],
            vec![],
            "error: invalid value 'halt' for '--at-cap <WHAT>'",
        ),
        (
            vec![],
            vec![("BATON_MAX_AGENTS", "lots")],
            "error: BATON_MAX_AGENTS=lots: invalid digit found in string (it sets max_agents)",
        ),
    ] {
        let mut extra = vec!["ten.workflow.js"];
        extra.extend(args);
        let output = baton_run(dir.path(), &mock, WIRES[0], &extra, &env);
        let log = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{log}");
        assert!(log.starts_with(expected), "{log}");
    }
    assert!(mock.requests().is_empty());
}
