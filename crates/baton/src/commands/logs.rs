//! `baton logs <run>`: the run's log lines and phase changes with their time from the start,
//! every attempt; with `--agent LABEL`, the prompt, transcript and result of those agents.

use anyhow::{bail, Result};
use baton_journal::{CallRecord, CallStatus, LogRecord, NoteRecord, RunRecord, Store};
use baton_model::{AgentNote, LogLevel};

use crate::commands::journal_view::{
    call_name, cap, emit, format_duration, format_time, indent, open_store,
};
use crate::exit;

/// The most of one tool result shown: enough to see what the model saw, not a whole file.
const TOOL_RESULT_CHARS: usize = 2000;

pub fn logs(run: &str, agent: Option<&str>) -> Result<i32> {
    let store = open_store()?;
    let record = store.run(run)?;
    match agent {
        Some(name) => emit(&agent_text(&store, &record, name)?)?,
        None => {
            let lines = store.logs(run)?;
            if lines.is_empty() {
                eprintln!("run {run} has logged nothing; `baton show {run}` lists its agents");
            }
            emit(&log_text(&store, &record, &lines)?)?;
        }
    }
    Ok(exit::COMPLETED)
}

fn log_text(store: &Store, record: &RunRecord, lines: &[LogRecord]) -> Result<String> {
    let id = record.summary.id.as_str();
    let several = record.summary.attempt > 1;
    let mut out = String::new();
    let mut attempts: Vec<u32> = lines.iter().map(|line| line.attempt).collect();
    attempts.dedup();
    for attempt in attempts {
        // The journal records when a run began, not when each resume did: a later attempt's
        // clock starts at its first recorded event.
        let start = if attempt == 1 {
            record.summary.started_at_ms
        } else {
            let calls = store.calls(id, Some(attempt))?;
            let first_call = calls.iter().map(|c| c.started_at_ms);
            let first_log = lines
                .iter()
                .filter(|l| l.attempt == attempt)
                .map(|l| l.at_ms);
            first_call.chain(first_log).min().unwrap_or(0)
        };
        if several {
            out.push_str(&format!(
                "── attempt {attempt} · {} UTC ──\n",
                format_time(start)
            ));
        }
        for line in lines.iter().filter(|l| l.attempt == attempt) {
            let offset = line.at_ms.saturating_sub(start).max(0) as f64 / 1000.0;
            let what = match line.level {
                None => "phase",
                Some(LogLevel::Info) => "log",
                Some(LogLevel::Warn) => "warning",
                Some(LogLevel::Error) => "error",
            };
            let text = line.text.replace('\n', "\n           ");
            out.push_str(&format!("+{offset:.3}s  {what}: {text}\n"));
        }
    }
    Ok(out)
}

/// The calls `name` picks in the latest attempt: those with that label, or `#N` for call N.
fn select<'a>(calls: &'a [CallRecord], name: &str) -> Vec<&'a CallRecord> {
    let seq = name.strip_prefix('#').and_then(|n| n.parse::<u64>().ok());
    calls
        .iter()
        .filter(|c| c.label.as_deref() == Some(name) || Some(c.seq) == seq)
        .collect()
}

fn agent_text(store: &Store, record: &RunRecord, name: &str) -> Result<String> {
    let id = record.summary.id.as_str();
    let calls = store.calls(id, None)?;
    let chosen = select(&calls, name);
    if chosen.is_empty() {
        let mut labels: Vec<&str> = calls.iter().filter_map(|c| c.label.as_deref()).collect();
        labels.sort_unstable();
        labels.dedup();
        let known = if calls.is_empty() {
            "it started no agents".to_string()
        } else if labels.is_empty() {
            format!(
                "its agents have no labels; name one by number, #1 to #{}",
                calls.len()
            )
        } else {
            format!(
                "its labels are {} (or name an agent by number, e.g. #1)",
                labels.join(", ")
            )
        };
        bail!("run {id} has no agent labelled '{name}'; {known}");
    }
    let mut out = String::new();
    for call in chosen {
        out.push_str(&call_text(store, record, call)?);
    }
    Ok(out)
}

fn call_text(store: &Store, record: &RunRecord, call: &CallRecord) -> Result<String> {
    let mut out = format!(
        "── agent #{} {} · {} · {} ──\n",
        call.seq,
        call_name(call),
        call.model,
        call.status.as_str()
    );
    if let Some(phase) = &call.phase {
        out.push_str(&format!("phase: {phase}\n"));
    }
    out.push_str(&format!("prompt:\n{}\n", indent(&call.prompt, "  ")));

    let (notes, origin) = match call.status {
        CallStatus::Cached => match origin(store, record, call)? {
            Some((run, done)) => {
                let whence = if run == record.summary.id.as_str() {
                    format!("attempt {}", done.attempt)
                } else {
                    format!("run {run} (attempt {})", done.attempt)
                };
                let notes = store.transcript(&run, done.attempt, done.seq)?;
                (
                    notes,
                    format!("answered from the journal; the work was done in {whence}"),
                )
            }
            None => (
                Vec::new(),
                "answered from the journal; the run that did the work is no longer recorded".into(),
            ),
        },
        _ => (
            store.transcript(record.summary.id.as_str(), call.attempt, call.seq)?,
            String::new(),
        ),
    };
    if !origin.is_empty() {
        out.push_str(&format!("({origin})\n"));
    }
    if notes.is_empty() {
        out.push_str("transcript: none recorded (the sim model and replayed calls keep none)\n");
    } else {
        out.push_str("transcript:\n");
        for note in &notes {
            out.push_str(&note_text(note));
        }
    }

    out.push_str(&format!(
        "usage: {} input + {} output tokens",
        call.usage.total_input(),
        call.usage.output_tokens
    ));
    if let Some(ms) = call.elapsed_ms {
        out.push_str(&format!(" · {}", format_duration(ms)));
    }
    out.push('\n');
    match (&call.result, &call.reason, call.status) {
        (Some(value), _, _) => {
            let pretty = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
            out.push_str(&format!("result:\n{}\n", indent(&pretty, "  ")));
        }
        (None, Some(reason), status) => {
            out.push_str(&format!("{} — reason: {reason}\n", status.as_str()));
        }
        (None, None, CallStatus::Running) => out.push_str("still running (or never finished)\n"),
        (None, None, status) => out.push_str(&format!("{}: no result recorded\n", status.as_str())),
    }
    out.push('\n');
    Ok(out)
}

/// Where a cached call's work was done: an earlier attempt of this run, or (for a run started
/// with `--resume-from`) a run it continued, followed back a few links.
fn origin(
    store: &Store,
    record: &RunRecord,
    call: &CallRecord,
) -> Result<Option<(String, CallRecord)>> {
    let here = record.summary.id.as_str();
    if let Some(done) =
        store.completed_call(here, &call.key, call.occurrence, Some(call.attempt))?
    {
        return Ok(Some((here.to_string(), done)));
    }
    let mut earlier = record.start.resumed_from.clone();
    // A bounded walk: a chain of resumes is short, and a cycle must not hang the command.
    for _ in 0..16 {
        let Some(run) = earlier else { break };
        if let Some(done) = store.completed_call(run.as_str(), &call.key, call.occurrence, None)? {
            return Ok(Some((run.to_string(), done)));
        }
        earlier = match store.run(run.as_str()) {
            Ok(previous) => previous.start.resumed_from,
            Err(_) => None,
        };
    }
    Ok(None)
}

fn note_text(record: &NoteRecord) -> String {
    match &record.note {
        AgentNote::Turn { turn, usage, text } => {
            let mut out = format!(
                "  turn {turn} · {} input + {} output tokens\n",
                usage.total_input(),
                usage.output_tokens
            );
            if !text.trim().is_empty() {
                out.push_str(&format!("{}\n", indent(text, "    ")));
            }
            out
        }
        AgentNote::ToolCall { summary, .. } => format!("  tool call: {summary}\n"),
        AgentNote::ToolResult {
            name,
            is_error,
            content,
        } => {
            let what = if *is_error { "error" } else { "result" };
            format!(
                "  {name} {what}:\n{}\n",
                indent(&cap(content, TOOL_RESULT_CHARS), "    ")
            )
        }
        AgentNote::Retry {
            attempt,
            reason,
            delay_ms,
        } => format!(
            "  retry {attempt} after {}: {reason}\n",
            format_duration(*delay_ms)
        ),
        AgentNote::InvalidOutput { attempt, error } => {
            format!("  invalid output (attempt {attempt}), asked again: {error}\n")
        }
        AgentNote::Denied { tool, reason } => format!("  denied {tool}: {reason}\n"),
        AgentNote::Restarted => "  restarted by the user; what follows is the new start\n".into(),
        AgentNote::Worktree { path, branch, kept } => match kept {
            true => format!("  worktree kept: {path} on branch {branch}\n"),
            false => format!("  worktree {path} removed (no changes)\n"),
        },
    }
}
