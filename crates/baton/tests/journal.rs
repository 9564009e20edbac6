//! Reading runs back through the real binary: `runs`, `show`, `result` and `logs` on runs made
//! with `--model sim` (finished, failed, resumed, crashed), and every way the journal itself
//! can be missing or unreadable. Transcripts with tool calls need a real model: see providers.rs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        Workspace {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The binary in this workspace, with nothing of the user's (config, journal, keys).
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_baton"));
        command
            .args(args)
            .current_dir(self.path())
            .env("HOME", self.path())
            .stdin(Stdio::null())
            .env("BATON_HOME", self.path().join(".baton"))
            .env_remove("BATON_MODEL")
            .env_remove("BATON_MAX_CONCURRENT_AGENTS")
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("OPENAI_API_KEY");
        command
    }

    fn baton(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs `script` on the sim model; returns the run's output and its id.
    fn run(&self, name: &str, script: &str, extra: &[&str]) -> (Output, String) {
        self.write(name, script);
        let mut args = vec!["run", name, "--model", "sim"];
        args.extend_from_slice(extra);
        let output = self.baton(&args);
        let runs = self.json(&["runs", "--json"]);
        let id = runs[0]["id"].as_str().unwrap().to_string();
        (output, id)
    }

    /// A command that must succeed and print JSON.
    fn json(&self, args: &[&str]) -> Value {
        let output = self.baton(args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit 2 with exactly one line on stderr, an `error:` that contains `needle`.
fn assert_one_error(output: &Output, needle: &str) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains(needle), "{err}");
}

const FANOUT: &str = r#"export const meta = { name: "fanout", description: "finders, then a summary" };
phase("Find");
const found = await parallel(["a", "b", "c"].map((area) => () => agent(`find in ${area}`, { label: area })));
phase("Report");
log("found", found.length);
console.warn("careful");
const summary = await agent("summarize the findings", { label: "summary", schema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] } });
return { found, summary };
"#;

#[test]
fn runs_show_result_and_logs_read_back_a_finished_run() {
    let ws = Workspace::new();
    let (run, id) = ws.run("fanout.workflow.js", FANOUT, &[]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));

    let table = ws.baton(&["runs"]);
    assert_eq!(table.status.code(), Some(0));
    let line = stdout(&table)
        .lines()
        .find(|l| l.contains(&id))
        .unwrap()
        .to_string();
    assert!(
        line.contains("completed") && line.contains("fanout"),
        "{line}"
    );

    let runs = ws.json(&["runs", "--json"]);
    assert_eq!(runs.as_array().unwrap().len(), 1);
    assert_eq!(runs[0]["status"], "completed");
    assert_eq!(runs[0]["agents"], 4);
    assert!(runs[0]["tokens"].as_u64().unwrap() > 0);

    let show = stdout(&ws.baton(&["show", &id]));
    assert!(
        show.contains("completed") && show.contains(&format!("baton result {id}")),
        "{show}"
    );
    assert!(
        show.lines().any(|l| l.split_whitespace().eq(["Find", "3"])),
        "{show}"
    );
    let shown = ws.json(&["show", &id, "--json"]);
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["calls"].as_array().unwrap().len(), 4);
    assert_eq!(
        shown["phases"][0],
        serde_json::json!({"title": "Find", "agents": 3})
    );
    assert_eq!(
        shown["phases"][1],
        serde_json::json!({"title": "Report", "agents": 1})
    );
    let summary = &shown["calls"][3];
    assert_eq!(summary["label"], "summary");
    assert_eq!(summary["status"], "completed");
    assert_eq!(summary["prompt_chars"], "summarize the findings".len());
    assert!(summary.get("prompt").is_none() && summary["usage"]["output_tokens"].is_u64());
    assert_eq!(shown["failures"].as_array().unwrap().len(), 0);

    let result = ws.baton(&["result", &id]);
    assert_eq!(result.status.code(), Some(0));
    assert_eq!(stdout(&result), stdout(&run));

    let logs = stdout(&ws.baton(&["logs", &id]));
    let lines: Vec<&str> = logs.lines().collect();
    assert!(
        lines[0].starts_with('+') && lines[0].ends_with("s  phase: Find"),
        "{logs}"
    );
    assert!(
        logs.contains("log: found 3") && logs.contains("warning: careful"),
        "{logs}"
    );

    let agent = ws.baton(&["logs", &id, "--agent", "summary"]);
    let text = stdout(&agent);
    assert_eq!(agent.status.code(), Some(0), "{}", stderr(&agent));
    assert!(
        text.contains("agent #4 summary · sim · completed"),
        "{text}"
    );
    assert!(text.contains("prompt:\n  summarize the findings"), "{text}");
    let value = &serde_json::from_slice::<Value>(&run.stdout).unwrap()["summary"]["n"];
    assert!(text.contains(&format!("\"n\": {value}")), "{text}");
}

#[test]
fn an_unknown_label_lists_the_labels_there_are() {
    let ws = Workspace::new();
    let (_, id) = ws.run("fanout.workflow.js", FANOUT, &[]);
    let output = ws.baton(&["logs", &id, "--agent", "nope"]);
    assert_one_error(&output, "a, b, c, summary");
    let by_number = stdout(&ws.baton(&["logs", &id, "--agent", "#2"]));
    assert!(by_number.contains("prompt:\n  find in b"), "{by_number}");
}

#[test]
fn an_unknown_run_is_one_error_pointing_at_baton_runs() {
    let ws = Workspace::new();
    ws.run("fanout.workflow.js", FANOUT, &[]);
    for args in [
        &["show", "wf_000000000000"][..],
        &["show", "not-an-id", "--json"],
        &["result", "wf_000000000000"],
        &["logs", "wf_000000000000"],
        &["logs", "wf_000000000000", "--agent", "a"],
    ] {
        assert_one_error(&ws.baton(args), "baton runs");
    }
}

#[test]
fn without_a_journal_runs_says_how_to_start_one() {
    let ws = Workspace::new();
    let table = ws.baton(&["runs"]);
    assert_eq!(table.status.code(), Some(0));
    assert!(stdout(&table).is_empty());
    assert!(
        stderr(&table).contains("no runs recorded"),
        "{}",
        stderr(&table)
    );
    assert!(stderr(&table).contains("baton run <file>"));
    assert_eq!(ws.json(&["runs", "--json"]), serde_json::json!([]));
    assert_one_error(
        &ws.baton(&["show", "wf_000000000000"]),
        "no runs have been recorded",
    );
    assert_one_error(
        &ws.baton(&["result", "wf_000000000000"]),
        "no runs have been recorded",
    );
}

#[test]
fn a_corrupt_journal_is_one_error_not_a_panic() {
    let ws = Workspace::new();
    let garbage: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::create_dir_all(ws.path().join(".baton")).unwrap();
    std::fs::write(ws.path().join(".baton/journal.db"), garbage).unwrap();
    for args in [
        &["runs"][..],
        &["runs", "--json"],
        &["show", "wf_000000000000"],
        &["result", "wf_000000000000"],
        &["logs", "wf_000000000000"],
    ] {
        assert_one_error(&ws.baton(args), "not a readable baton journal");
    }
}

const THROWS: &str = r#"export const meta = { name: "thrower", description: "fails after one agent" };
phase("Work");
const first = await agent("do the first thing", { label: "first" });
log("got", first.length);
throw new Error("boom after the first agent");
"#;

#[test]
fn a_failed_run_has_no_result_and_says_what_to_do() {
    let ws = Workspace::new();
    let (run, id) = ws.run("thrower.workflow.js", THROWS, &[]);
    assert_eq!(run.status.code(), Some(1));

    let result = ws.baton(&["result", &id]);
    let err = stderr(&result);
    assert_eq!(result.status.code(), Some(1), "{err}");
    assert!(stdout(&result).is_empty());
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with(&format!("error: run {id} failed")), "{err}");
    assert!(
        err.contains("boom after the first agent") && err.contains("baton resume"),
        "{err}"
    );

    let show = stdout(&ws.baton(&["show", &id]));
    assert!(
        show.contains("status    failed") && show.contains("boom after the first agent"),
        "{show}"
    );
    let shown = ws.json(&["show", &id, "--json"]);
    assert_eq!(shown["status"], "failed");
    assert!(shown["error"].as_str().unwrap().contains("boom"));
    assert_eq!(shown["has_result"], false);
}

#[test]
fn a_resumed_run_shows_its_attempts_and_where_cached_work_was_done() {
    let ws = Workspace::new();
    let (_, id) = ws.run("thrower.workflow.js", THROWS, &[]);
    let resumed = ws.baton(&["resume", &id, "--model", "sim"]);
    assert_eq!(resumed.status.code(), Some(1), "{}", stderr(&resumed));

    let runs = ws.json(&["runs", "--json"]);
    assert_eq!(runs[0]["attempts"], 2);
    assert!(stdout(&ws.baton(&["runs"])).contains("attempts"));

    let shown = ws.json(&["show", &id, "--json"]);
    assert_eq!(shown["calls"][0]["status"], "cached");
    assert_eq!(shown["calls"][0]["attempt"], 2);
    assert_eq!(shown["cached"], 1);
    assert!(stdout(&ws.baton(&["show", &id])).contains("cached"));

    let logs = stdout(&ws.baton(&["logs", &id]));
    assert!(
        logs.contains("── attempt 1 ·") && logs.contains("── attempt 2 ·"),
        "{logs}"
    );
    assert_eq!(logs.matches("phase: Work").count(), 2, "{logs}");

    let agent = stdout(&ws.baton(&["logs", &id, "--agent", "first"]));
    assert!(agent.contains("the work was done in attempt 1"), "{agent}");
    assert!(agent.contains("result:\n  \""), "{agent}");
}

#[test]
fn an_agent_cut_off_by_the_end_of_the_run_is_a_failure_with_its_reason() {
    let ws = Workspace::new();
    let script = r#"export const meta = { name: "early", description: "returns before an agent ends" };
agent("a slow one", { label: "slow" });
await new Promise((resolve) => setTimeout(resolve, 500));
return "done early";
"#;
    // The slow agent starts at once and is still working when the script returns.
    let (run, id) = ws.run("early.workflow.js", script, &["--sim-latency", "60s"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    let shown = ws.json(&["show", &id, "--json"]);
    let failures = shown["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{shown}");
    assert_eq!(failures[0]["label"], "slow");
    assert_eq!(failures[0]["status"], "null");
    let show = stdout(&ws.baton(&["show", &id]));
    assert!(
        show.contains("failures\n  #1 slow (null): stopped"),
        "{show}"
    );
    let agent = stdout(&ws.baton(&["logs", &id, "--agent", "slow"]));
    assert!(agent.contains("null — reason: stopped"), "{agent}");
}

#[test]
fn a_crashed_run_is_shown_as_crashed_and_points_to_resume() {
    let ws = Workspace::new();
    let script = r#"export const meta = { name: "slow", description: "one long agent" };
phase("Wait");
return await agent("take your time", { label: "waiter" });
"#;
    ws.write("slow.workflow.js", script);
    let mut child = ws
        .command(&[
            "run",
            "slow.workflow.js",
            "--model",
            "sim",
            "--sim-latency",
            "60s",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the journal has the agent running, then kill the run where it stands.
    let deadline = Instant::now() + Duration::from_secs(30);
    let id = loop {
        assert!(
            Instant::now() < deadline,
            "the run never showed up in the journal"
        );
        let output = ws.baton(&["runs", "--json"]);
        let runs: Value = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
        if runs[0]["status"] == "running" && runs[0]["agents"] == 1 {
            break runs[0]["id"].as_str().unwrap().to_string();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    child.kill().unwrap(); // SIGKILL: nothing gets to record an ending.
    child.wait().unwrap();

    let table = stdout(&ws.baton(&["runs"]));
    assert!(
        table
            .lines()
            .any(|l| l.contains(&id) && l.contains("crashed")),
        "{table}"
    );
    let result = ws.baton(&["result", &id]);
    assert_eq!(result.status.code(), Some(1));
    assert!(stderr(&result).contains(&format!(
        "crashed (its process is gone) before it returned a result; `baton resume {id}`"
    )));
    let show = stdout(&ws.baton(&["show", &id]));
    assert!(
        show.contains("status    crashed") && show.contains("unfinished"),
        "{show}"
    );
    assert!(show.contains(&format!("baton resume {id}")), "{show}");
}
