//! Plain progress on stderr: one line per agent start and finish, tool call, retry, denial,
//! worktree, phase and `log()` line; and the run's denials again as a list at its end.

use std::io::Write;
use std::sync::Mutex;

use baton_agent::DENIED;
use baton_engine::EventSink;
use baton_model::{AgentEnd, AgentNote, Event, LogLevel};

/// Writes each event as one line to stderr, and keeps the denials for the summary.
#[derive(Debug, Default)]
pub struct StderrProgress {
    /// Every denial so far: who, which tool, what was refused.
    denials: Mutex<Vec<String>>,
    /// Keeps the denials but prints no line: the monitor owns the terminal.
    quiet: bool,
}

impl EventSink for StderrProgress {
    fn emit(&self, event: Event) {
        let Some(line) = render(&event) else { return };
        let mut denials = self.denials.lock().unwrap_or_else(|e| e.into_inner());
        if let Event::AgentNote {
            seq,
            label,
            note: AgentNote::Denied { tool, reason },
        } = &event
        {
            denials.push(format!("  agent {} · {tool}: {reason}", who(*seq, label)));
        }
        if !self.quiet {
            // The lock also keeps lines whole when agents report at once.
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }
}

impl StderrProgress {
    /// Collects the denials for the closing list, printing nothing while the run goes.
    pub fn quiet() -> StderrProgress {
        StderrProgress {
            quiet: true,
            ..StderrProgress::default()
        }
    }

    /// The run's denials as one list, so none is lost in a long log.
    pub fn print_denials(&self) {
        let denials = self.denials.lock().unwrap_or_else(|e| e.into_inner());
        if denials.is_empty() {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "baton: {} tool call(s) denied (nobody was there to approve them; allow more with --allow or [permissions] in .baton/config.toml):",
            denials.len()
        );
        for line in denials.iter() {
            let _ = writeln!(err, "{line}");
        }
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
        Event::RunPaused => "baton: run paused: no new agent starts until it is unpaused".into(),
        Event::RunUnpaused => "baton: run unpaused".into(),
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
                } if !content.starts_with(DENIED) => {
                    format!("agent {who} · {name} failed: {}", first_line(content, 100))
                }
                AgentNote::Retry {
                    attempt,
                    reason,
                    delay_ms,
                } => format!("agent {who} · retry {attempt} in {delay_ms}ms: {reason}"),
                AgentNote::InvalidOutput { attempt, error } => {
                    let first = error.lines().next().unwrap_or_default();
                    format!("agent {who} · structured output {attempt} invalid: {first}")
                }
                AgentNote::Denied { tool, reason } => {
                    format!("agent {who} · denied {tool}: {reason}")
                }
                AgentNote::Restarted => format!("agent {who} restarted by the user"),
                AgentNote::Worktree {
                    path,
                    branch,
                    kept: true,
                } => format!("agent {who} · worktree kept: {path} (branch {branch})"),
                AgentNote::Worktree {
                    branch,
                    kept: false,
                    ..
                } => format!("agent {who} · worktree removed, no changes (branch {branch})"),
                // A denial's ToolResult repeats the Denied line.
                AgentNote::Turn { .. } | AgentNote::ToolResult { .. } => return None,
            }
        }
        // Queued calls are many and quiet; a line when each starts is enough.
        Event::AgentQueued { .. } | Event::RunFinished { .. } => return None,
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
