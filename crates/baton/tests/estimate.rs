//! The estimate before a run, checked against a real run: `baton run --dry-run` predicts the
//! agents and tokens of a workflow with a known fan-out, then the same workflow runs against
//! the mock LLM server, which counts what it is sent and what it answers.

mod support;

use baton_testkit::{MockConfig, MockLlm};
use support::{baton_run, stderr, Wire, KEY, WIRES};

/// Eight agents: five plain answers with prompts of different lengths, then three that answer
/// through a schema.
const FAN_OUT: &str = r#"export const meta = {
  name: "fan-out",
  description: "five readers, then three classifiers",
  phases: [{ title: "Read" }, { title: "Classify" }],
};
phase("Read");
const notes = await parallel(["alpha", "beta", "gamma", "delta", "epsilon"].map((name, i) =>
  () => agent(`Summarize the module ${name} in one sentence. ${"Context line. ".repeat(i * 20)}`,
    { label: `read:${name}` })));
phase("Classify");
const schema = {
  type: "object",
  properties: {
    severity: { enum: ["low", "medium", "high"] },
    reason: { type: "string" },
    tags: { type: "array", items: { type: "string" } },
  },
  required: ["severity", "reason", "tags"],
};
const verdicts = await parallel([0, 1, 2].map((i) =>
  () => agent(`Classify note ${i}: ${notes[i]}`, { label: `classify:${i}`, schema })));
return { notes: notes.length, verdicts };
"#;

/// `projected tokens  N (...)` and `agents  N` from the dry run's output.
fn projection(stdout: &str) -> (u64, u64) {
    let number_after = |label: &str| -> u64 {
        let line = stdout
            .lines()
            .find(|line| line.starts_with(label))
            .unwrap_or_else(|| panic!("no `{label}` line in:\n{stdout}"));
        line[label.len()..]
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no number in `{line}`"))
    };
    (number_after("agents"), number_after("projected tokens"))
}

fn estimate_then_run(wire: Wire) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fan.workflow.js"), FAN_OUT).unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));

    let dry = baton_run(
        dir.path(),
        &mock,
        wire,
        &["fan.workflow.js", "--dry-run"],
        &[],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    let stdout = String::from_utf8_lossy(&dry.stdout).into_owned();
    let (agents, projected) = projection(&stdout);
    assert!(mock.requests().is_empty(), "a dry run sends nothing");

    let run = baton_run(dir.path(), &mock, wire, &["fan.workflow.js"], &[]);
    assert!(run.status.success(), "{}", stderr(&run));
    let log = stderr(&run);
    assert!(
        !log.contains("Proceed?"),
        "without a terminal nothing is asked:\n{log}"
    );
    // One request per agent: every one of them answers on its first turn.
    let requests = mock.requests();
    assert_eq!(agents, requests.len() as u64, "{wire:?}\n{stdout}");
    assert!(
        log.contains(&format!("completed · {agents} agents")),
        "{log}"
    );

    let totals = mock.totals();
    let counted = totals.input_tokens
        + totals.cache_read_tokens
        + totals.cache_write_tokens
        + totals.output_tokens;
    let error = (projected as f64 - counted as f64).abs() / counted as f64;
    eprintln!(
        "{wire:?}: projected {projected} tokens, the mock counted {counted} ({:+.1} %)",
        (projected as f64 / counted as f64 - 1.0) * 100.0
    );
    assert!(
        error <= 0.25,
        "{wire:?}: projected {projected} tokens, the mock counted {counted} ({totals:?})"
    );
}

#[test]
fn the_estimate_predicts_the_agents_and_tokens_of_a_real_run() {
    for wire in WIRES {
        estimate_then_run(wire);
    }
}

#[test]
fn yes_runs_without_a_question() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fan.workflow.js"), FAN_OUT).unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    let run = baton_run(
        dir.path(),
        &mock,
        WIRES[0],
        &["fan.workflow.js", "--yes"],
        &[],
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(!stderr(&run).contains("Proceed?"));
    assert_eq!(mock.requests().len(), 8);
}
