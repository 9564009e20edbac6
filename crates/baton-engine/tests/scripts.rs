//! Script fixtures as data: every folder under `tests/scripts/` holds a `script.workflow.js`
//! and an `expect.json`, run on the `sim` model. One test walks them all and reports every
//! mismatch, so a broken rule names its fixture.
//!
//! `expect.json` keys (all optional): `args`, `latency`, `concurrency`, `maxAgents` (inputs);
//! `result` (the returned JSON), `error` (text the failure must contain), `errorAt`
//! (`line:col` of the innermost script frame), `logs` (every log line, in order), `agents`
//! (agents started).

mod support;

use std::path::Path;

use baton_script::ScriptOutcome;
use serde_json::Value;
use support::Run;

#[test]
fn script_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 10,
        "fixtures missing under {}",
        root.display()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| check_case(case).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn check_case(case: &Path) -> Result<(), String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let source = std::fs::read_to_string(case.join("script.workflow.js"))
        .map_err(|e| format!("{name}: {e}"))?;
    let expect: Value = serde_json::from_str(
        &std::fs::read_to_string(case.join("expect.json")).map_err(|e| format!("{name}: {e}"))?,
    )
    .map_err(|e| format!("{name}: expect.json: {e}"))?;

    let mut run = Run::new(&source);
    run.path = "script.workflow.js".into();
    run.cwd = case.to_path_buf();
    run.args = expect.get("args").cloned();
    if let Some(latency) = expect.get("latency").and_then(Value::as_str) {
        run.latency = latency.parse().unwrap();
    }
    if let Some(n) = expect.get("concurrency").and_then(Value::as_u64) {
        run.limits.concurrency = n as usize;
    }
    if let Some(n) = expect.get("maxAgents").and_then(Value::as_u64) {
        run.limits.max_agents = n;
    }
    let (report, recorder) = run.go();

    let mut problems = Vec::new();
    match (&report.outcome, expect.get("result"), expect.get("error")) {
        (ScriptOutcome::Completed(value), Some(want), _) if value != want => {
            problems.push(format!("result {value}\n   expected {want}"))
        }
        (ScriptOutcome::Completed(value), None, Some(_)) => {
            problems.push(format!("completed with {value}, expected a failure"))
        }
        (ScriptOutcome::Failed(error), _, Some(Value::String(want))) => {
            if !error.rendered.contains(want.as_str()) {
                problems.push(format!(
                    "failure:\n{}\n   expected it to contain: {want}",
                    error.rendered
                ));
            }
            if let Some(at) = expect.get("errorAt").and_then(Value::as_str) {
                let got = error
                    .stack
                    .first()
                    .map(|f| format!("{}:{}", f.line, f.column));
                if got.as_deref() != Some(at) {
                    problems.push(format!("error position {got:?}, expected {at}"));
                }
            }
        }
        (ScriptOutcome::Failed(error), _, None) => {
            problems.push(format!("failed:\n{}", error.rendered))
        }
        (ScriptOutcome::Stopped, _, _) => problems.push("stopped".into()),
        _ => {}
    }
    if let Some(Value::Array(want)) = expect.get("logs") {
        let want: Vec<String> = want
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect();
        let got = recorder.logs();
        if got != want {
            problems.push(format!("logs {got:?}\n   expected {want:?}"));
        }
    }
    if let Some(want) = expect.get("agents").and_then(Value::as_u64) {
        if report.agents_started != want {
            problems.push(format!(
                "{} agents started, expected {want}",
                report.agents_started
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("[{name}]\n  {}", problems.join("\n  ")))
    }
}
