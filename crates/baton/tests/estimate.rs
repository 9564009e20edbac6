//! The estimate before a run, checked against a real run: `baton run --dry-run` predicts the
//! agents and tokens of a workflow with a known fan-out, then the same workflow runs against
//! the mock LLM server, which counts what it is sent and what it answers. A tool-using
//! workflow (three turns an agent) checks the cost; a fan-out that depends on an answer checks
//! the range over seeds.

mod support;

use baton_testkit::{Match, MockConfig, MockLlm, Protocol, Rule, TokenTotals, Turn};
use serde_json::{json, Value};
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

/// `agents  N` and `projected tokens  MIN–MAX` from the dry run's output.
fn projection(stdout: &str) -> (u64, (u64, u64)) {
    let range_after = |label: &str| -> (u64, u64) {
        let line = stdout
            .lines()
            .find(|line| line.starts_with(label))
            .unwrap_or_else(|| panic!("no `{label}` line in:\n{stdout}"));
        let text = line[label.len()..].split_whitespace().next().unwrap_or("");
        let number = |n: &str| {
            n.parse()
                .unwrap_or_else(|_| panic!("no number in `{line}`"))
        };
        match text.split_once('–') {
            Some((min, max)) => (number(min), number(max)),
            None => (number(text), number(text)),
        }
    };
    (range_after("agents").0, range_after("projected tokens"))
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
    // The mock answers every agent on its first turn: the range's low end.
    let (low, high) = projected;
    let error = (low as f64 - counted as f64).abs() / counted as f64;
    eprintln!(
        "{wire:?}: projected {low}–{high} tokens, the mock counted {counted} ({:+.1} %)",
        (low as f64 / counted as f64 - 1.0) * 100.0
    );
    assert!(
        error <= 0.25 && high > low,
        "{wire:?}: projected {low}–{high} tokens, the mock counted {counted} ({totals:?})"
    );
}

/// Four reviewers, each reading two files (about 500 tokens each) before answering: three turns
/// an agent, the history sent again on each.
const REVIEW: &str = r#"export const meta = { name: "review", description: "four reviewers that read" };
const reviews = await parallel([1, 2, 3, 4].map((n) =>
  () => agent(`Review part ${n}: read a.txt and b.txt, then report.`, { label: `review:${n}` })));
return reviews.length;
"#;

/// The dollars Anthropic would bill for `totals` on Sonnet 4.5 ($3 in, $15 out, writes 1.25×,
/// reads 0.1×).
fn sonnet_cost(totals: &TokenTotals) -> f64 {
    (3.0 * totals.input_tokens as f64
        + 15.0 * totals.output_tokens as f64
        + 3.75 * totals.cache_write_tokens as f64
        + 0.3 * totals.cache_read_tokens as f64)
        / 1e6
}

#[test]
fn the_estimate_of_a_tool_using_workflow_is_within_a_quarter_of_its_cost() {
    let lines: String = (1..=40)
        .map(|n| format!("line {n:02}: {}\n", "x".repeat(36)))
        .collect();
    for wire in WIRES
        .into_iter()
        .filter(|w| w.protocol == Protocol::Anthropic)
    {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("review.workflow.js"), REVIEW).unwrap();
        std::fs::write(dir.path().join("a.txt"), &lines).unwrap();
        std::fs::write(dir.path().join("b.txt"), &lines).unwrap();
        let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
            Match::prompt_contains("Review part"),
            vec![
                Turn::tool("Read", json!({"file_path": "a.txt"})),
                Turn::tool("Read", json!({"file_path": "b.txt"})),
                Turn::text("Two small files; nothing to report."),
            ],
        )));
        let model = ["--model", "claude-sonnet-4-5"];
        let dry = baton_run(
            dir.path(),
            &mock,
            wire,
            &[&["review.workflow.js", "--dry-run", "--json"], &model[..]].concat(),
            &[],
        );
        assert!(dry.status.success(), "{}", stderr(&dry));
        let estimate: Value = serde_json::from_slice(&dry.stdout).expect("one JSON object");
        assert_eq!(estimate["ok"], true);
        assert_eq!(estimate["agents"], json!({"min": 4, "max": 4}));
        let high = estimate["costUsd"]["max"].as_f64().unwrap();

        let run = baton_run(
            dir.path(),
            &mock,
            wire,
            &[&["review.workflow.js"], &model[..]].concat(),
            &[],
        );
        assert!(run.status.success(), "{}", stderr(&run));
        assert_eq!(
            mock.requests().len(),
            12,
            "three turns for each of four agents"
        );
        let spent = sonnet_cost(&mock.totals());
        eprintln!(
            "{wire:?}: estimated up to ${high:.4}, spent ${spent:.4} ({:+.1} %)",
            (high / spent - 1.0) * 100.0
        );
        assert!(
            (high - spent).abs() / spent <= 0.25,
            "{wire:?}: estimated ${high:.4}, spent ${spent:.4}: {estimate}"
        );

        // Once the workflow has run, the estimate learns its agents' turns from the journal.
        let again = baton_run(
            dir.path(),
            &mock,
            wire,
            &[&["review.workflow.js", "--dry-run", "--json"], &model[..]].concat(),
            &[],
        );
        assert!(again.status.success(), "{}", stderr(&again));
        let learned: Value = serde_json::from_slice(&again.stdout).expect("one JSON object");
        assert_eq!(learned["learnedFrom"], 1, "{learned}");
        for end in ["min", "max"] {
            let dollars = learned["costUsd"][end].as_f64().unwrap();
            eprintln!(
                "{wire:?}: learned {end} ${dollars:.4} ({:+.1} %)",
                (dollars / spent - 1.0) * 100.0
            );
            assert!(
                (dollars - spent).abs() / spent <= 0.05,
                "{wire:?}: learned ${dollars:.4}, spent ${spent:.4}: {learned}"
            );
        }
        let human = baton_run(
            dir.path(),
            &mock,
            wire,
            &[&["review.workflow.js", "--dry-run"], &model[..]].concat(),
            &[],
        );
        assert!(
            String::from_utf8_lossy(&human.stdout).contains("earlier runs of this workflow"),
            "{}",
            String::from_utf8_lossy(&human.stdout)
        );
    }
}

/// How many workers depends on the planner's answer: the seeds disagree, and the dry run says
/// so with a range.
#[test]
fn a_fan_out_that_depends_on_answers_is_a_range() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("plan.workflow.js"),
        r#"export const meta = { name: "plan", description: "d", phases: [{ title: "Plan" }, { title: "Work" }] };
phase("Plan");
const plan = await agent("plan", { schema: { type: "object", properties: { items: { type: "array", items: { type: "string" } } }, required: ["items"] } });
phase("Work");
return (await parallel(plan.items.map((item) => () => agent(`do ${item}`, { tools: [] })))).length;
"#,
    )
    .unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    let wire = WIRES[0];
    let dry = baton_run(
        dir.path(),
        &mock,
        wire,
        &["plan.workflow.js", "--dry-run", "--json"],
        &[],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    let estimate: Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(estimate["seeds"], 5);
    let (min, max) = (
        estimate["agents"]["min"].as_u64().unwrap(),
        estimate["agents"]["max"].as_u64().unwrap(),
    );
    assert!(min < max, "the seeds should disagree: {estimate}");
    assert_eq!(estimate["phases"][0]["agents"], json!({"min": 1, "max": 1}));
    assert_eq!(estimate["phases"][1]["title"], "Work");
    assert!(estimate["costUsd"]["max"].as_f64().unwrap() > 0.0);
    let human = baton_run(
        dir.path(),
        &mock,
        wire,
        &["plan.workflow.js", "--dry-run"],
        &[],
    );
    let stdout = String::from_utf8_lossy(&human.stdout).into_owned();
    let total = stdout.lines().find(|l| l.starts_with("total")).unwrap();
    // Another invocation is another run id, so other seeds: a range, not the same one.
    assert!(total.contains('–'), "{stdout}");

    // An unpriced model shows "no price" and a null cost, never a negative zero.
    let local = baton_run(
        dir.path(),
        &mock,
        WIRES[2],
        &["plan.workflow.js", "--dry-run"],
        &[],
    );
    let stdout = String::from_utf8_lossy(&local.stdout).into_owned();
    assert!(stdout.contains("projected cost    no price"), "{stdout}");
    assert!(!stdout.contains("-0.0"), "{stdout}");
    let json = baton_run(
        dir.path(),
        &mock,
        WIRES[2],
        &["plan.workflow.js", "--dry-run", "--json"],
        &[],
    );
    let estimate: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(estimate["costUsd"], Value::Null);

    // A script that fails in every seed: exit 1, one failure per seed, positioned. (The error
    // must be one only running finds: `baton check` stops an undefined name before any seed.)
    std::fs::write(
        dir.path().join("bad.workflow.js"),
        "export const meta = { name: \"bad\", description: \"d\" };\nconst r = await agent(\"x\");\nreturn r.missing.deeper;\n",
    )
    .unwrap();
    let bad = baton_run(
        dir.path(),
        &mock,
        wire,
        &["bad.workflow.js", "--dry-run", "--json"],
        &[],
    );
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    let estimate: Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(estimate["ok"], false);
    let failures = estimate["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 5);
    assert!(
        failures[0]["message"]
            .as_str()
            .unwrap()
            .contains("bad.workflow.js:3:8"),
        "{estimate}"
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
