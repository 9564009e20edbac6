//! Accounting that agrees with itself: the real binary against the mock LLM server (with its
//! prompt-cache emulation), and the closing line, `baton runs --json` and `baton show --json`
//! must say the same status, agents, tokens and cost: for a plain run, for a run whose cost cap
//! leaves queued agents that never start, and for a run that fails and is resumed. `show` and
//! the closing line also split the cost into fresh input, cache writes, cache reads and output.

mod support;

use std::path::Path;
use std::process::{Command, Output};

use baton_testkit::{FaultKind, Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::Value;
use support::{stderr, KEY};

/// Three agents one after another: the second and third read the cache the first wrote.
const THREE: &str = r#"export const meta = { name: "three", description: "three agents in a row" };
const answers = [];
for (let i = 0; i < 3; i++) answers.push(await agent(`Task ${i}: say done.`, { label: `t${i}` }));
return answers;
"#;

/// Four agents at once, one slot: under a tiny cost cap only the first ever starts.
const FOUR_AT_ONCE: &str = r#"export const meta = { name: "four", description: "four agents at once" };
return await parallel(Array.from({ length: 4 }, (_, i) => () => agent(`Task ${i}: say done.`, { label: `t${i}` })));
"#;

/// Two agents in a row; the run fails when the second has no answer.
const TWO_OR_FAIL: &str = r#"export const meta = { name: "two", description: "two agents, the second must answer" };
const first = await agent("First: say done.", { label: "first" });
const second = await agent("Second: say done.", { label: "second" });
if (second === null) throw new Error("the second agent had no answer");
return [first, second];
"#;

fn workspace(script: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flow.workflow.js"), script).unwrap();
    dir
}

/// `baton <args>` in `dir` against `mock` over the Anthropic protocol, no transport retries.
fn baton(dir: &Path, mock: &MockLlm, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
    command
        .args(args)
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .env("HOME", dir)
        .env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", mock.base_url())
        .env("BATON_HTTP_MAX_RETRIES", "0")
        .env("BATON_HTTP_BACKOFF_MS", "5");
    for variable in [
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "BATON_MODEL",
        "BATON_PROVIDER",
        "BATON_MAX_CONCURRENT_AGENTS",
    ] {
        command.env_remove(variable);
    }
    command.output().unwrap()
}

fn json_of(dir: &Path, mock: &MockLlm, args: &[&str]) -> Value {
    let output = baton(dir, mock, args);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// What a closing line says: `baton: run <id> <status> · [cap · ]<n> agent(s) … · <in> input +
/// <out> output tokens … · $<cost> (…)`.
#[derive(Debug, PartialEq)]
struct Said {
    id: String,
    status: String,
    agents: u64,
    input: u64,
    output: u64,
    /// To four decimals, as printed; `None` when free.
    cost: Option<String>,
}

fn closing(log: &str) -> Said {
    let line = log
        .lines()
        .rev()
        .find(|line| line.starts_with("baton: run "))
        .unwrap_or_else(|| panic!("no closing line in:\n{log}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let number_before = |marker: &str| -> u64 {
        let head = &line[..line
            .find(marker)
            .unwrap_or_else(|| panic!("no '{marker}' in {line}"))];
        head.rsplit(' ').next().unwrap().parse().unwrap()
    };
    let agents = match line.find(" agents") {
        Some(_) => number_before(" agents"),
        None => number_before(" agent"),
    };
    let cost = line
        .split(" · ")
        .find(|part| part.starts_with('$'))
        .map(|part| part.split(' ').next().unwrap().to_string());
    Said {
        id: words[2].to_string(),
        status: words[3].to_string(),
        agents,
        input: number_before(" input + "),
        output: number_before(" output tokens"),
        cost,
    }
}

/// What `runs --json` and `show --json` say about the same run, in the closing line's terms.
fn said_by(json: &Value) -> Said {
    let usage = &json["usage"];
    let count = |field: &str| usage[field].as_u64().unwrap();
    let cost = json["cost_usd"].as_f64().unwrap();
    Said {
        id: json["id"].as_str().unwrap().to_string(),
        status: json["status"].as_str().unwrap().to_string(),
        agents: json["agents"].as_u64().unwrap(),
        input: count("input_tokens") + count("cache_read_tokens") + count("cache_write_tokens"),
        output: count("output_tokens"),
        cost: (cost > 0.0).then(|| format!("${cost:.4}")),
    }
}

/// The closing line, `runs` and `show` agree; returns `show --json`.
fn all_agree(dir: &Path, mock: &MockLlm, log: &str) -> Value {
    let said = closing(log);
    let runs = json_of(dir, mock, &["runs", "--json"]);
    let listed = runs
        .as_array()
        .unwrap()
        .iter()
        .find(|run| run["id"] == said.id.as_str())
        .expect("the run is listed");
    let show = json_of(dir, mock, &["show", &said.id, "--json"]);
    assert_eq!(said_by(listed), said, "runs vs the closing line:\n{log}");
    assert_eq!(said_by(&show), said, "show vs the closing line:\n{log}");
    show
}

#[test]
fn a_plain_run_says_the_same_everywhere_and_splits_its_cost() {
    let dir = workspace(THREE);
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    let output = baton(
        dir.path(),
        &mock,
        &["run", "flow.workflow.js", "--model", "haiku"],
    );
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    let show = all_agree(dir.path(), &mock, &log);
    let said = closing(&log);
    assert_eq!((said.status.as_str(), said.agents), ("completed", 3));
    assert_eq!(mock.requests().len(), 3);

    // The mock's cache: the first agent writes the shared prefix, the next two read it.
    let totals = mock.totals();
    assert!(
        totals.cache_write_tokens > 0 && totals.cache_read_tokens > 0,
        "{totals:?}"
    );
    let split = &show["cost_split"];
    let part = |name: &str| split[name].as_f64().unwrap();
    // Haiku 4.5: $1 per million fresh input, $1.25 written, $0.10 read, $5 output.
    let per_million = |tokens: u64, dollars: f64| tokens as f64 * dollars / 1e6;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(
        close(
            part("fresh_input_usd"),
            per_million(totals.input_tokens, 1.0)
        ),
        "{split}"
    );
    assert!(
        close(
            part("cache_write_usd"),
            per_million(totals.cache_write_tokens, 1.25)
        ),
        "{split}"
    );
    assert!(
        close(
            part("cache_read_usd"),
            per_million(totals.cache_read_tokens, 0.1)
        ),
        "{split}"
    );
    assert!(
        close(part("output_usd"), per_million(totals.output_tokens, 5.0)),
        "{split}"
    );
    let parts = [
        "fresh_input_usd",
        "cache_write_usd",
        "cache_read_usd",
        "output_usd",
    ];
    let sum: f64 = parts.iter().map(|p| part(p)).sum();
    assert!(
        close(sum, show["cost_usd"].as_f64().unwrap()),
        "{split} vs {show}"
    );
    let saved =
        per_million(totals.cache_read_tokens, 0.9) - per_million(totals.cache_write_tokens, 0.25);
    assert!(close(part("cache_saved_usd"), saved), "{split}");

    // The closing line and `show` print the same split.
    let line = log
        .lines()
        .rev()
        .find(|l| l.starts_with("baton: run "))
        .unwrap();
    let words = format!(
        "input ${:.4} · cache write ${:.4} · cache read ${:.4} · output ${:.4}",
        part("fresh_input_usd"),
        part("cache_write_usd"),
        part("cache_read_usd"),
        part("output_usd")
    );
    assert!(line.contains(&words), "{words} not in {line}");
    let text = baton(dir.path(), &mock, &["show", &said.id]);
    assert!(stdout(&text).contains(&words), "{}", stdout(&text));
}

#[test]
fn agents_a_cap_left_in_the_queue_never_count_as_started() {
    let dir = workspace(FOUR_AT_ONCE);
    // The first agent's answer takes long enough that the script has called all four
    // `agent()`s before anything is spent, however loaded the machine: the other three are
    // accepted and queued, then refused when a slot frees (not refused at `agent()`).
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_latency(std::time::Duration::from_millis(500)),
    );
    let output = baton(
        dir.path(),
        &mock,
        &[
            "run",
            "flow.workflow.js",
            "--model",
            "haiku",
            "--concurrency",
            "1",
            "--max-cost-usd",
            "0.000001",
        ],
    );
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    assert_eq!(mock.requests().len(), 1, "one agent ran:\n{log}");
    let show = all_agree(dir.path(), &mock, &log);
    assert_eq!(closing(&log).agents, 1, "{log}");
    assert!(log.contains("1 agent (3 never started)"), "{log}");
    assert_eq!(show["never_started"], 3);
    let calls = show["calls"].as_array().unwrap();
    assert_eq!(calls.iter().filter(|c| c["ran"] == true).count(), 1);
    let text = stdout(&baton(dir.path(), &mock, &["show", &closing(&log).id]));
    assert_eq!(text.matches("not started").count(), 3, "{text}");
}

#[test]
fn a_resumed_run_counts_each_call_once() {
    let dir = workspace(TWO_OR_FAIL);
    // The second agent's first request fails (no retries): the run fails; its resume reuses
    // the first agent's result and runs the second again, which now answers.
    let second = Rule::new(Match::label("second"), vec![Turn::text("done")]).with_fault(
        0,
        1,
        FaultKind::ServerError,
    );
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(second));
    let failed = baton(
        dir.path(),
        &mock,
        &["run", "flow.workflow.js", "--model", "haiku"],
    );
    let log = stderr(&failed);
    assert_eq!(failed.status.code(), Some(1), "{log}");
    let first = closing(&log);
    assert_eq!(
        (first.status.as_str(), first.agents),
        ("failed", 2),
        "{log}"
    );
    all_agree(dir.path(), &mock, &log);

    let resumed = baton(dir.path(), &mock, &["resume", &first.id]);
    let log = stderr(&resumed);
    assert!(resumed.status.success(), "{log}");
    assert_eq!(
        mock.requests().len(),
        3,
        "first, second (failed), second again"
    );
    let show = all_agree(dir.path(), &mock, &log);
    let said = closing(&log);
    // Two calls, each counted once, though the second ran in both attempts; the first's
    // result came from the journal and was paid for once.
    assert_eq!(
        (said.status.as_str(), said.agents),
        ("completed", 2),
        "{log}"
    );
    assert!(
        log.contains("2 agents (+1 result from the journal)"),
        "{log}"
    );
    assert_eq!(show["cached"], 1);
    let totals = mock.totals();
    assert_eq!(said.output, totals.output_tokens, "{log}");
    assert_eq!(
        said.input,
        totals.input_tokens + totals.cache_read_tokens + totals.cache_write_tokens
    );
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}
