//! Engine rules that need more than a returned value: the order of events, the concurrency cap
//! as observed, determinism across runs, and the script's CPU and heap limits.

mod support;

use std::time::Duration;

use baton_model::{Event, RunId};
use baton_script::{FailureKind, ScriptOutcome};
use serde_json::json;
use support::Run;

fn completed(outcome: &ScriptOutcome) -> serde_json::Value {
    match outcome {
        ScriptOutcome::Completed(value) => value.clone(),
        other => panic!("expected the run to complete, got {other:?}"),
    }
}

/// A pipeline has no barrier between stages: with a slow first item, a fast item finishes its
/// last stage before the slow item finishes its first.
#[test]
fn pipeline_has_no_barrier_between_stages() {
    let mut run = Run::body(
        r#"
const slowFirstStage = async (item) => {
  if (item === "slow") await new Promise((resolve) => setTimeout(resolve, 300));
  return agent(`stage 1 of ${item}`, { label: `${item}-1` });
};
return await pipeline(["slow", "fast"],
  slowFirstStage,
  (prev, item) => agent(`stage 2 of ${item}`, { label: `${item}-2` }),
  (prev, item) => agent(`stage 3 of ${item}`, { label: `${item}-3` }).then(() => item));
"#,
    );
    run.latency = "5ms".parse().unwrap();
    let (report, recorder) = run.go();
    assert_eq!(completed(&report.outcome), json!(["slow", "fast"]));

    let finished: Vec<String> = recorder
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::AgentFinished { label, .. } => label,
            _ => None,
        })
        .collect();
    let position = |label: &str| finished.iter().position(|l| l == label).unwrap();
    assert!(
        position("fast-3") < position("slow-1"),
        "the fast item should finish stage 3 before the slow one finishes stage 1: {finished:?}"
    );
}

/// Only `agent()` calls take a slot: three levels of nested `parallel` at concurrency 2 finish,
/// and never more than 2 agents run at once.
#[test]
fn nested_parallel_respects_the_concurrency_cap_without_deadlock() {
    let mut run = Run::body(
        r#"
const leaf = (path) => agent(`leaf ${path}`);
const level = (depth, path) =>
  depth === 0 ? leaf(path) : parallel([0, 1, 2].map((i) => () => level(depth - 1, `${path}${i}`)));
return (await level(3, "")).flat(3).length;
"#,
    );
    run.limits.concurrency = 2;
    run.latency = "1ms-3ms".parse().unwrap();
    let (report, recorder) = run.go();
    assert_eq!(completed(&report.outcome), json!(27));

    let (mut running, mut peak) = (0i32, 0i32);
    for event in recorder.events() {
        match event {
            Event::AgentStarted { .. } => running += 1,
            Event::AgentFinished { .. } => running -= 1,
            _ => continue,
        }
        peak = peak.max(running);
    }
    assert_eq!(peak, 2, "at most 2 agents in flight, and the cap is used");
}

const DETERMINISM: &str = r#"
await agent("first");
return { random: [Math.random(), Math.random()], now: Date.now(), date: new Date().toISOString() };
"#;

#[test]
fn random_and_date_repeat_for_the_same_run_id() {
    let run_with = |id: &str| {
        let mut run = Run::body(DETERMINISM);
        run.run_id = RunId::parse(id).unwrap();
        run.latency = "1ms-20ms".parse().unwrap();
        completed(&run.go().0.outcome)
    };
    let a = run_with("wf_aaaaaaaaaaaa");
    let b = run_with("wf_aaaaaaaaaaaa");
    let c = run_with("wf_bbbbbbbbbbbb");
    assert_eq!(a, b);
    assert_ne!(a["random"], c["random"]);
    assert_eq!(
        a["now"],
        json!(1_700_000_000_000u64),
        "the clock starts at the recorded start time"
    );
    assert_eq!(a["date"], json!("2023-11-14T22:13:20.000Z"));
}

#[test]
fn an_endless_loop_is_stopped_by_the_cpu_limit() {
    let mut run = Run::body("let n = 0;\nwhile (true) { n++; }\n");
    run.limits.script.cpu_time = Duration::from_millis(300);
    let (report, _) = run.go();
    let ScriptOutcome::Failed(error) = &report.outcome else {
        panic!("expected a failure, got {:?}", report.outcome)
    };
    assert_eq!(error.kind, FailureKind::CpuLimit);
    assert!(
        error.message.contains("300ms of CPU time"),
        "{}",
        error.message
    );
}

#[test]
fn a_catch_cannot_swallow_the_cpu_limit() {
    let mut run = Run::body("try { while (true) {} } catch (e) {}\nreturn 'escaped';\n");
    run.limits.script.cpu_time = Duration::from_millis(200);
    let (report, _) = run.go();
    assert!(
        matches!(&report.outcome, ScriptOutcome::Failed(e) if e.kind == FailureKind::CpuLimit),
        "{:?}",
        report.outcome
    );
}

#[test]
fn runaway_allocation_is_stopped_by_the_heap_limit() {
    for body in [
        "const hoard = [];\nwhile (true) hoard.push({ text: 'x'.repeat(64) + hoard.length });\n",
        "await agent('x');\nconst hoard = [];\nwhile (true) hoard.push([1, 2, 3]);\n",
    ] {
        let mut run = Run::body(body);
        run.limits.script.heap_bytes = 16 << 20;
        let (report, _) = run.go();
        let ScriptOutcome::Failed(error) = &report.outcome else {
            panic!("expected a failure, got {:?}", report.outcome)
        };
        assert_eq!(error.kind, FailureKind::HeapLimit, "{}", error.rendered);
        assert!(
            error.message.contains("out of memory") && error.message.contains("16 MiB"),
            "{}",
            error.message
        );
    }
}

#[test]
fn agents_carry_their_phase_and_label() {
    let run = Run::body(
        r#"
phase("Find");
await agent("a", { label: "finder" });
await agent("b", { phase: "Explicit" });
phase("Fix");
await agent("c");
"#,
    );
    let (_, recorder) = run.go();
    let started: Vec<(Option<String>, Option<String>)> = recorder
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::AgentStarted { label, phase, .. } => Some((label, phase)),
            _ => None,
        })
        .collect();
    assert_eq!(
        started,
        vec![
            (Some("finder".into()), Some("Find".into())),
            (None, Some("Explicit".into())),
            (None, Some("Fix".into())),
        ]
    );
}

#[test]
fn budget_stops_new_agents_once_spent() {
    let mut run = Run::body(
        r#"
const results = [];
for (let i = 0; i < 50; i++) {
  try { await agent(`task ${i}`); results.push("ok"); }
  catch (e) { results.push(e.name); break; }
}
return { last: results[results.length - 1], total: budget.total, remaining: budget.remaining() };
"#,
    );
    run.limits.budget_tokens = Some(10);
    let (report, _) = run.go();
    let value = completed(&report.outcome);
    assert_eq!(value["last"], json!("BudgetError"));
    assert_eq!(value["total"], json!(10));
    assert_eq!(value["remaining"], json!(0));
}

#[test]
fn worktree_isolation_outside_a_git_repository_rejects() {
    let outside = std::env::temp_dir().join(format!("baton-no-git-{}", std::process::id()));
    std::fs::create_dir_all(&outside).unwrap();
    assert!(
        !outside.ancestors().any(|d| d.join(".git").exists()),
        "temp dir is inside a git repo"
    );
    let mut run = Run::body(
        r#"
const direct = await agent("x", { isolation: "worktree" }).catch((e) => e.name);
const inParallel = await parallel([() => agent("y", { isolation: "worktree" })]);
const ignored = typeof (await agent("z", { isolation: "container" }));
return { direct, inParallel, ignored };
"#,
    );
    run.cwd = outside.clone();
    let (report, _) = run.go();
    assert_eq!(
        completed(&report.outcome),
        json!({"direct": "WorktreeIsolationError", "inParallel": [null], "ignored": "string"})
    );
    assert_eq!(report.agents_started, 1, "rejected calls start no agent");
    std::fs::remove_dir_all(outside).unwrap();
}

#[test]
fn agents_still_running_when_the_script_returns_are_stopped_and_reported() {
    let mut run = Run::body(
        "agent('left behind', { label: 'orphan' });\nawait new Promise((resolve) => setTimeout(resolve, 10));\nreturn 'done';\n",
    );
    run.latency = "30s".parse().unwrap();
    let (report, recorder) = run.go();
    assert_eq!(completed(&report.outcome), json!("done"));
    assert!(
        report.elapsed < Duration::from_secs(10),
        "the run waited for its orphan: {:?}",
        report.elapsed
    );
    let ends: Vec<_> = recorder
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::AgentFinished { label, end, .. } => Some((label, end)),
            _ => None,
        })
        .collect();
    assert_eq!(ends.len(), 1);
    assert_eq!(ends[0].0.as_deref(), Some("orphan"));
    assert!(
        matches!(&ends[0].1, baton_model::AgentEnd::Null { reason } if reason.starts_with("stopped")),
        "{:?}",
        ends[0].1
    );
    assert!(
        matches!(recorder.events().last(), Some(Event::RunFinished { .. })),
        "the run's end is reported last"
    );
}
