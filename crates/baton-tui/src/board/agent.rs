//! One agent call as the monitor knows it: identity, status, clock, usage, what it is doing
//! now, and its transcript (bounded, so a long run cannot grow the monitor without limit).

use std::collections::VecDeque;

use baton_model::{AgentEnd, AgentNote, Usage};

use crate::format::{clean, clean_name, cut, one_line};

/// Steps kept per agent; older ones are dropped (and counted) first.
const MAX_STEPS: usize = 400;
/// Characters kept of texts that can be long (tool output, model text, the prompt).
const MAX_TEXT: usize = 2_000;
const MAX_PROMPT: usize = 20_000;
const MAX_VALUE: usize = 8_000;
/// "What it does now" is one list cell.
const MAX_DOING: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgentStatus {
    Queued,
    Running,
    /// Completed: the script got a value.
    Done,
    /// Answered from the journal; no agent ran.
    Cached,
    /// Ended `null` (failed, stopped, timed out) or rejected.
    Failed,
}

impl AgentStatus {
    pub fn is_active(self) -> bool {
        matches!(self, AgentStatus::Queued | AgentStatus::Running)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatus::Queued => "queued",
            AgentStatus::Running => "running",
            AgentStatus::Done => "done",
            AgentStatus::Cached => "cached",
            AgentStatus::Failed => "failed",
        }
    }
}

/// One entry of an agent's transcript, as the detail view shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Turn {
        turn: u32,
        usage: Usage,
        text: String,
    },
    ToolCall {
        turn: u32,
        summary: String,
    },
    ToolResult {
        name: String,
        is_error: bool,
        content: String,
    },
    Retry {
        attempt: u32,
        reason: String,
        delay_ms: u64,
    },
    InvalidOutput {
        attempt: u32,
        error: String,
    },
    Denied {
        tool: String,
        reason: String,
    },
    Restarted,
    Worktree {
        path: String,
        branch: String,
        kept: bool,
    },
}

#[derive(Debug, Clone)]
pub struct AgentRecord {
    pub seq: u64,
    pub label: Option<String>,
    /// Index into [`crate::Board::phases`].
    pub phase: usize,
    pub model: String,
    /// The prompt, cut at 20,000 characters.
    pub prompt: String,
    pub status: AgentStatus,
    pub queued_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// The engine's own measure of the agent's time, once it finished.
    pub elapsed_ms: Option<u64>,
    /// Turns since the last start (a restart counts them again).
    pub turns: u32,
    pub restarts: u32,
    /// Summed from turns while it runs; the engine's total once it finished.
    pub usage: Usage,
    /// One line: the current tool call, a retry, or how it ended.
    pub doing: String,
    pub steps: VecDeque<Step>,
    /// Steps dropped from the front of `steps` to bound memory.
    pub steps_dropped: u64,
    pub end: Option<AgentEnd>,
}

impl AgentRecord {
    pub(crate) fn new(seq: u64, at_ms: i64) -> Self {
        AgentRecord {
            seq,
            label: None,
            phase: 0,
            model: String::new(),
            prompt: String::new(),
            status: AgentStatus::Queued,
            queued_at: at_ms,
            started_at: None,
            finished_at: None,
            elapsed_ms: None,
            turns: 0,
            restarts: 0,
            usage: Usage::default(),
            doing: String::new(),
            steps: VecDeque::new(),
            steps_dropped: 0,
            end: None,
        }
    }

    /// `#12 reviewer`, or `#12` for an unlabelled call.
    pub fn name(&self) -> String {
        match &self.label {
            Some(label) => format!("#{} {label}", self.seq),
            None => format!("#{}", self.seq),
        }
    }

    pub(crate) fn set_prompt(&mut self, prompt: &str) {
        self.prompt = clean(&cut(prompt, MAX_PROMPT));
    }

    pub(crate) fn set_doing(&mut self, text: &str) {
        self.doing = cut(&one_line(text), MAX_DOING);
    }

    /// Elapsed time to show: the engine's figure once finished, the clock while running,
    /// nothing while queued.
    pub fn elapsed(&self, now_ms: i64) -> Option<u64> {
        if let Some(ms) = self.elapsed_ms {
            return Some(ms);
        }
        let started = self.started_at?;
        let end = self.finished_at.unwrap_or(now_ms);
        Some(end.saturating_sub(started).max(0) as u64)
    }

    /// Records a note: the transcript, the turn count, the usage of finished turns, and what
    /// the agent does now. A note that comes after the end (out of order) only joins the
    /// transcript: the engine's total and the ending stay.
    pub(crate) fn note(&mut self, note: &AgentNote) {
        if self.end.is_some() {
            let (usage, doing) = (self.usage, std::mem::take(&mut self.doing));
            let turns = self.turns;
            self.note_live(note);
            (self.usage, self.doing, self.turns) = (usage, doing, turns);
            return;
        }
        self.note_live(note);
    }

    fn note_live(&mut self, note: &AgentNote) {
        let step = match note {
            AgentNote::Turn { turn, usage, text } => {
                self.turns = self.turns.max(*turn);
                self.usage += *usage;
                self.set_doing(&format!("turn {turn} done"));
                Step::Turn {
                    turn: *turn,
                    usage: *usage,
                    text: clean(&cut(text, MAX_TEXT)),
                }
            }
            AgentNote::ToolCall {
                turn,
                name: _,
                summary,
                input: _,
            } => {
                self.set_doing(summary);
                Step::ToolCall {
                    turn: *turn,
                    summary: clean(&cut(summary, MAX_TEXT)),
                }
            }
            AgentNote::ToolResult {
                name,
                is_error,
                content,
            } => {
                // The tool answered; the model has the next move.
                self.set_doing(&format!("model: turn {}", self.turns + 1));
                Step::ToolResult {
                    name: clean_name(name),
                    is_error: *is_error,
                    content: clean(&cut(content, MAX_TEXT)),
                }
            }
            AgentNote::Retry {
                attempt,
                reason,
                delay_ms,
            } => {
                self.set_doing(&format!("retry {attempt}: {reason}"));
                Step::Retry {
                    attempt: *attempt,
                    reason: clean(&cut(reason, MAX_TEXT)),
                    delay_ms: *delay_ms,
                }
            }
            AgentNote::InvalidOutput { attempt, error } => {
                self.set_doing(&format!("invalid output ({attempt}), asked again"));
                Step::InvalidOutput {
                    attempt: *attempt,
                    error: clean(&cut(error, MAX_TEXT)),
                }
            }
            AgentNote::Denied { tool, reason } => {
                self.set_doing(&format!("denied {tool}"));
                Step::Denied {
                    tool: clean_name(tool),
                    reason: clean(&cut(reason, MAX_TEXT)),
                }
            }
            AgentNote::Restarted => {
                self.turns = 0;
                self.restarts += 1;
                self.set_doing("restarted by the user");
                Step::Restarted
            }
            AgentNote::Worktree { path, branch, kept } => Step::Worktree {
                path: clean_name(path),
                branch: clean_name(branch),
                kept: *kept,
            },
        };
        self.push_step(step);
    }

    fn push_step(&mut self, step: Step) {
        if self.steps.len() == MAX_STEPS {
            self.steps.pop_front();
            self.steps_dropped += 1;
        }
        self.steps.push_back(step);
    }

    /// Records how the call ended and sets the one line the list shows for it.
    pub(crate) fn finish(&mut self, end: &AgentEnd) {
        let end = match end {
            AgentEnd::Completed { value } => {
                self.set_doing(&format!("→ {value}"));
                AgentEnd::Completed {
                    value: bounded_value(value),
                }
            }
            AgentEnd::Cached { value } => {
                self.set_doing(&format!("→ {value}"));
                AgentEnd::Cached {
                    value: bounded_value(value),
                }
            }
            AgentEnd::Null { reason } => {
                self.set_doing(reason);
                AgentEnd::Null {
                    reason: clean(&cut(reason, MAX_TEXT)),
                }
            }
            AgentEnd::Rejected { message } => {
                self.set_doing(&format!("rejected: {message}"));
                AgentEnd::Rejected {
                    message: clean(&cut(message, MAX_TEXT)),
                }
            }
        };
        self.end = Some(end);
    }

    /// The status word the list shows: "stopped" for a call the user or the run stopped
    /// (still counted as failed).
    pub fn status_word(&self) -> &'static str {
        match (&self.status, &self.end) {
            (AgentStatus::Failed, Some(AgentEnd::Null { reason }))
                if reason.starts_with("stopped") =>
            {
                "stopped"
            }
            (status, _) => status.as_str(),
        }
    }
}

/// A large value is kept as a string cut to size: the detail view shows its start.
fn bounded_value(value: &serde_json::Value) -> serde_json::Value {
    let text = serde_json::to_string_pretty(value).unwrap_or_default();
    if text.len() <= MAX_VALUE {
        value.clone()
    } else {
        serde_json::Value::String(cut(&text, MAX_VALUE))
    }
}
