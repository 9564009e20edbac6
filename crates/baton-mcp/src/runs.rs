//! Runs as the tools report them, read from the journal: progress counts, the status view,
//! waiting for the end, recent runs. Any process's runs, not only this server's.

use std::time::Duration;

use baton_journal::{CallRecord, CallStatus, RunRecord, Store};
use baton_model::{AgentNote, RunStatus};
use serde_json::{json, Value};

use crate::tools::ToolError;

/// How often a wait looks at the journal again; a run journals within 100 ms of an event.
const POLL: Duration = Duration::from_millis(100);
/// A result larger than this (as JSON) is served by its resource instead of inline.
pub const INLINE_RESULT_BYTES: usize = 100 * 1024;

pub fn is_terminal(status: RunStatus) -> bool {
    !matches!(status, RunStatus::Running | RunStatus::Paused)
}

pub fn run(store: &Store, id: &str) -> Result<RunRecord, ToolError> {
    store.run(id).map_err(|e| ToolError::new(e.to_string()))
}

fn calls(store: &Store, id: &str) -> Result<Vec<CallRecord>, ToolError> {
    store
        .calls(id, None)
        .map_err(|e| ToolError::new(e.to_string()))
}

/// `{done, running, queued, failed, tokens, costUsd}` of the run's latest attempt; tokens are
/// input plus output tokens of every attempt.
pub fn progress(record: &RunRecord, calls: &[CallRecord]) -> Value {
    let count = |wanted: &[CallStatus]| calls.iter().filter(|c| wanted.contains(&c.status)).count();
    let usage = &record.summary.usage;
    json!({
        "done": count(&[CallStatus::Completed, CallStatus::Cached]),
        "running": count(&[CallStatus::Running]),
        "queued": count(&[CallStatus::Queued]),
        "failed": count(&[CallStatus::Null, CallStatus::Rejected]),
        "tokens": usage.input_tokens + usage.output_tokens,
        "costUsd": usage.cost_usd,
    })
}

/// The run's result for a tool's answer: inline, or, past [`INLINE_RESULT_BYTES`], where to
/// read it whole.
pub fn result_fields(record: &RunRecord) -> Value {
    let id = record.summary.id.as_str();
    let mut fields = json!({});
    if let Some(result) = &record.result {
        let bytes = serde_json::to_string(result).map(|s| s.len()).unwrap_or(0);
        if bytes > INLINE_RESULT_BYTES {
            fields["result"] = Value::Null;
            fields["resultTooLarge"] = json!({
                "bytes": bytes,
                "uri": result_uri(id),
                "note": format!(
                    "The result is {bytes} bytes, too large to include here; read the resource \
                     {} for it whole.",
                    result_uri(id)
                ),
            });
        } else {
            fields["result"] = result.clone();
        }
    }
    if let Some(error) = &record.error {
        fields["error"] = json!(error);
    }
    fields
}

pub fn result_uri(id: &str) -> String {
    format!("baton://runs/{id}/result")
}

/// Waits until the run ends or `wait` is over, calling `tick` with the progress whenever it
/// changes; returns the record and whether it ended.
pub async fn wait_for_end(
    store: &Store,
    id: &str,
    wait: Option<Duration>,
    mut tick: impl FnMut(&Value),
) -> Result<(RunRecord, Value, bool), ToolError> {
    let deadline = wait.map(|w| tokio::time::Instant::now() + w);
    let mut last = Value::Null;
    loop {
        let record = run(store, id)?;
        let progress = progress(&record, &calls(store, id)?);
        if progress != last {
            tick(&progress);
            last = progress.clone();
        }
        if is_terminal(record.summary.status) {
            return Ok((record, progress, true));
        }
        if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            return Ok((record, progress, false));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `workflow_status`: phases with their counts, running agents with their current tool call,
/// failed agents with reasons, the log's tail.
pub fn status(
    store: &Store,
    id: &str,
    last_n: Option<usize>,
    label: Option<&str>,
    log_lines: usize,
) -> Result<Value, ToolError> {
    let record = run(store, id)?;
    let calls = calls(store, id)?;
    let mut phases: Vec<(String, [usize; 4])> = declared_phases(&record)
        .into_iter()
        .map(|title| (title, [0; 4]))
        .collect();
    for call in &calls {
        let title = call.phase.clone().unwrap_or_else(|| "(no phase)".into());
        let slot = match call.status {
            CallStatus::Completed | CallStatus::Cached => 0,
            CallStatus::Running => 1,
            CallStatus::Queued => 2,
            CallStatus::Null | CallStatus::Rejected => 3,
        };
        match phases.iter_mut().find(|(t, _)| *t == title) {
            Some((_, counts)) => counts[slot] += 1,
            None => {
                let mut counts = [0; 4];
                counts[slot] = 1;
                phases.push((title, counts));
            }
        }
    }
    let shown: Vec<&CallRecord> = calls
        .iter()
        .filter(|c| label.is_none_or(|l| c.label.as_deref() == Some(l)))
        .collect();
    let shown = &shown[shown.len().saturating_sub(last_n.unwrap_or(usize::MAX))..];
    let running: Vec<Value> = shown
        .iter()
        .filter(|c| c.status == CallStatus::Running)
        .map(|c| {
            let mut agent = agent_fields(c);
            agent["currentTool"] = current_tool(store, id, c).unwrap_or(Value::Null);
            agent
        })
        .collect();
    let failed: Vec<Value> = shown
        .iter()
        .filter(|c| matches!(c.status, CallStatus::Null | CallStatus::Rejected))
        .map(|c| {
            let mut agent = agent_fields(c);
            agent["reason"] = json!(c.reason);
            agent
        })
        .collect();
    let logs = store.logs(id).map_err(|e| ToolError::new(e.to_string()))?;
    let log: Vec<Value> = logs[logs.len().saturating_sub(log_lines)..]
        .iter()
        .map(|line| match line.level {
            None => json!(format!("phase: {}", line.text)),
            Some(level) => json!(format!(
                "{}: {}",
                format!("{level:?}").to_lowercase(),
                line.text
            )),
        })
        .collect();
    Ok(json!({
        "runId": id,
        "workflow": record.summary.workflow,
        "status": record.summary.status.as_str(),
        "attempt": record.summary.attempt,
        "progress": progress(&record, &calls),
        "phases": phases.iter().map(|(title, [done, running, queued, failed])| json!({
            "title": title, "done": done, "running": running, "queued": queued, "failed": failed,
        })).collect::<Vec<_>>(),
        "agents": shown.iter().map(|c| {
            let mut agent = agent_fields(c);
            agent["status"] = json!(c.status.as_str());
            agent
        }).collect::<Vec<_>>(),
        "running": running,
        "failed": failed,
        "log": log,
    }))
}

fn agent_fields(call: &CallRecord) -> Value {
    json!({
        "call": format!("#{}", call.seq),
        "label": call.label,
        "phase": call.phase,
        "model": call.model,
        "tokens": call.usage.input_tokens + call.usage.output_tokens,
    })
}

/// The last tool call a running agent made, from its transcript.
fn current_tool(store: &Store, id: &str, call: &CallRecord) -> Option<Value> {
    let notes = store.transcript(id, call.attempt, call.seq).ok()?;
    notes.iter().rev().find_map(|n| match &n.note {
        AgentNote::ToolCall { name, summary, .. } => {
            Some(json!({"tool": name, "summary": summary}))
        }
        _ => None,
    })
}

/// The phases the run's script declares in its `meta`, in order.
fn declared_phases(record: &RunRecord) -> Vec<String> {
    let path = std::path::Path::new(&record.start.script_path);
    baton_script::Script::from_source(path, record.start.script.clone())
        .map(|script| script.meta.phases.into_iter().map(|p| p.title).collect())
        .unwrap_or_default()
}

/// The most recent runs, newest first.
pub fn recent(store: &Store, limit: usize) -> Result<Vec<Value>, ToolError> {
    let runs = store.runs().map_err(|e| ToolError::new(e.to_string()))?;
    Ok(runs
        .into_iter()
        .take(limit)
        .map(|run| {
            json!({
                "runId": run.id.as_str(),
                "workflow": run.workflow,
                "status": run.status.as_str(),
                "startedAtMs": run.started_at_ms,
                "endedAtMs": run.ended_at_ms,
                "agents": run.agents,
                "tokens": run.usage.input_tokens + run.usage.output_tokens,
                "costUsd": run.usage.cost_usd,
            })
        })
        .collect())
}
