//! Plain progress on stderr: one line per agent start and finish, tool call, retry, phase and
//! `log()` line.

use std::io::Write;
use std::sync::Mutex;

use baton_engine::EventSink;
use baton_model::{AgentEnd, AgentNote, Event, LogLevel};

/// Writes each event as one line to stderr.
#[derive(Debug, Default)]
pub struct StderrProgress {
    lock: Mutex<()>,
}

impl EventSink for StderrProgress {
    fn emit(&self, event: Event) {
        let Some(line) = render(&event) else { return };
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

fn who(seq: u64, label: &Option<String>) -> String {
    match label {
        Some(label) => format!("#{seq} {label}"),
        None => format!("#{seq}"),
    }
}

pub fn render(event: &Event) -> Option<String> {
    Some(match event {
        Event::RunStarted {
            run_id, workflow, ..
        } => format!("baton: run {run_id} · {workflow}"),
        Event::PhaseStarted { title } => format!("phase: {title}"),
        // `console.error` lines already carry their `[error] ` prefix.
        Event::Log { level, text } => match level {
            LogLevel::Warn => format!("warning: {text}"),
            LogLevel::Info | LogLevel::Error => format!("log: {text}"),
        },
        Event::AgentStarted {
            seq,
            label,
            phase,
            model,
            ..
        } => {
            let phase = phase
                .as_deref()
                .map(|p| format!(" [{p}]"))
                .unwrap_or_default();
            format!("agent {} started{phase} · {model}", who(*seq, label))
        }
        Event::AgentFinished {
            seq,
            label,
            end,
            usage,
            elapsed_ms,
            ..
        } => {
            let tokens = usage.total_input() + usage.output_tokens;
            match end {
                AgentEnd::Cached { .. } => {
                    format!("agent {} · result from the journal", who(*seq, label))
                }
                AgentEnd::Completed { .. } => {
                    format!(
                        "agent {} finished in {elapsed_ms}ms · {tokens} tokens",
                        who(*seq, label)
                    )
                }
                AgentEnd::Null { reason } => format!(
                    "agent {} ended without a result: {reason}",
                    who(*seq, label)
                ),
                AgentEnd::Rejected { message } => {
                    format!("agent {} failed: {message}", who(*seq, label))
                }
            }
        }
        Event::AgentNote { seq, label, note } => {
            let who = who(*seq, label);
            match note {
                AgentNote::ToolCall { summary, .. } => format!("agent {who} · {summary}"),
                AgentNote::ToolResult {
                    name,
                    is_error: true,
                    content,
                } => format!("agent {who} · {name} failed: {}", first_line(content, 100)),
                AgentNote::Retry {
                    attempt,
                    reason,
                    delay_ms,
                } => format!("agent {who} · retry {attempt} in {delay_ms}ms: {reason}"),
                AgentNote::InvalidOutput { attempt, error } => {
                    let first = error.lines().next().unwrap_or_default();
                    format!("agent {who} · structured output {attempt} invalid: {first}")
                }
                AgentNote::Turn { .. } | AgentNote::ToolResult { .. } => return None,
            }
        }
        Event::RunFinished { .. } => return None,
    })
}

/// The first line of a text, cut to `max` characters, for a progress line.
fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    match line.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}
