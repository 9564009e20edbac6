//! Shared by the tests: a run in progress as events, and screens rendered to text with times
//! and ids redacted.

#![allow(dead_code)]

use baton_model::{AgentEnd, AgentNote, CallKey, Event, LogLevel, RunId, Usage};
use baton_tui::{Caps, Monitor, MonitorOptions, Timed};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use serde_json::json;

/// The run's clock starts here; `NOW` is when the screens are drawn.
pub const T0: i64 = 1_700_000_000_000;
pub const NOW: i64 = T0 + 185_000;

/// Events with times, built in order.
#[derive(Default)]
pub struct Script {
    pub events: Vec<Timed>,
}

impl Script {
    pub fn at(&mut self, offset_ms: i64, event: Event) -> &mut Self {
        self.events.push(Timed {
            at_ms: T0 + offset_ms,
            event,
        });
        self
    }

    pub fn queued(&mut self, at: i64, seq: u64, label: &str, phase: Option<&str>) -> &mut Self {
        self.at(
            at,
            Event::AgentQueued {
                seq,
                key: CallKey(format!("key{seq}")),
                occurrence: 0,
                label: Some(label.to_string()),
                phase: phase.map(String::from),
                model: "anthropic:claude-sonnet-4-5".into(),
                prompt: format!(
                    "Review pull request {seq} of the payments service.\nRead the diff, run the tests that cover it, and report any bug you find.\nAnswer with {{\"verdict\", \"issues\"}}."
                ),
                options: Box::default(),
            },
        )
    }

    pub fn started(&mut self, at: i64, seq: u64, label: &str, phase: Option<&str>) -> &mut Self {
        self.at(
            at,
            Event::AgentStarted {
                seq,
                label: Some(label.to_string()),
                phase: phase.map(String::from),
                model: "anthropic:claude-sonnet-4-5".into(),
            },
        )
    }

    pub fn note(&mut self, at: i64, seq: u64, note: AgentNote) -> &mut Self {
        self.at(
            at,
            Event::AgentNote {
                seq,
                label: None,
                note,
            },
        )
    }

    pub fn turn(&mut self, at: i64, seq: u64, turn: u32, text: &str) -> &mut Self {
        self.note(
            at,
            seq,
            AgentNote::Turn {
                turn,
                usage: usage(1_200, 300),
                text: text.into(),
            },
        )
    }

    pub fn tool(&mut self, at: i64, seq: u64, turn: u32, summary: &str) -> &mut Self {
        let name = summary.split(':').next().unwrap_or("Bash").to_string();
        self.note(
            at,
            seq,
            AgentNote::ToolCall {
                turn,
                name,
                summary: summary.into(),
                input: json!({}),
            },
        )
    }

    pub fn result(
        &mut self,
        at: i64,
        seq: u64,
        name: &str,
        is_error: bool,
        content: &str,
    ) -> &mut Self {
        self.note(
            at,
            seq,
            AgentNote::ToolResult {
                name: name.into(),
                is_error,
                content: content.into(),
            },
        )
    }

    pub fn finished(
        &mut self,
        at: i64,
        seq: u64,
        label: &str,
        phase: Option<&str>,
        end: AgentEnd,
        elapsed_ms: u64,
    ) -> &mut Self {
        let usage = match end {
            AgentEnd::Completed { .. } | AgentEnd::Cached { .. } => usage(2_400, 600),
            _ => usage(1_200, 300),
        };
        self.at(
            at,
            Event::AgentFinished {
                seq,
                label: Some(label.to_string()),
                phase: phase.map(String::from),
                end,
                usage,
                elapsed_ms,
            },
        )
    }

    /// A call queued and run from `start` for `ms`, completed.
    pub fn done(
        &mut self,
        start: i64,
        seq: u64,
        label: &str,
        phase: Option<&str>,
        ms: i64,
    ) -> &mut Self {
        self.queued(start, seq, label, phase)
            .ran(start, seq, label, phase, ms)
    }

    /// A queued call that ran from `start` for `ms` and completed.
    pub fn ran(
        &mut self,
        start: i64,
        seq: u64,
        label: &str,
        phase: Option<&str>,
        ms: i64,
    ) -> &mut Self {
        self.started(start, seq, label, phase)
            .turn(start + ms / 2, seq, 1, "Looking at the diff.")
            .finished(
                start + ms,
                seq,
                label,
                phase,
                AgentEnd::Completed {
                    value: json!({"verdict": "ok", "issues": []}),
                },
                ms as u64,
            )
    }
}

pub fn usage(input: u64, output: u64) -> Usage {
    Usage {
        input_tokens: input,
        output_tokens: output,
        cost_usd: (input as f64 * 3.0 + output as f64 * 15.0) / 1e6,
        ..Usage::default()
    }
}

pub const REVIEW: Option<&str> = Some("Review");
pub const SURVEY: Option<&str> = Some("Survey");

/// A review run three minutes in, paused: one call before any phase, a finished phase (one
/// call cached), a phase at work with 24 calls in every state, and a phase still to come.
pub fn run_in_progress() -> Vec<Timed> {
    let mut s = Script::default();
    s.at(
        0,
        Event::RunStarted {
            run_id: RunId::parse("wf_3f9a1c2b7d4e").unwrap(),
            workflow: "review-prs".into(),
            phases: vec!["Survey".into(), "Review".into(), "Summarize".into()],
        },
    );
    s.at(
        10,
        Event::Log {
            level: LogLevel::Info,
            text: "reviewing 24 pull requests of payments".into(),
        },
    );
    s.done(20, 1, "plan", None, 4_000);
    s.at(
        5_000,
        Event::PhaseStarted {
            title: "Survey".into(),
        },
    );
    for seq in 2..=5 {
        s.done(
            5_000 + seq as i64 * 100,
            seq,
            &format!("survey-{seq}"),
            SURVEY,
            20_000,
        );
    }
    s.queued(5_600, 6, "survey-6", SURVEY).finished(
        5_600,
        6,
        "survey-6",
        SURVEY,
        AgentEnd::Cached {
            value: json!({"files": 41}),
        },
        0,
    );
    s.at(
        30_000,
        Event::PhaseStarted {
            title: "Review".into(),
        },
    );
    s.at(
        30_010,
        Event::Log {
            level: LogLevel::Warn,
            text: "3 pull requests have no tests".into(),
        },
    );
    // The script queues its 24 reviews at once, in call order.
    for seq in 7..=30 {
        s.queued(31_000, seq, &format!("review-pr-{}", seq + 100), REVIEW);
    }
    // #7–#14 done.
    for seq in 7..=14 {
        s.ran(
            30_000 + seq as i64 * 1_000,
            seq,
            &format!("review-pr-{}", seq + 100),
            REVIEW,
            60_000,
        );
    }
    // #15 failed (timed out), #16 rejected, #17 stopped by the user.
    s.started(31_000, 15, "review-pr-115", REVIEW)
        .turn(40_000, 15, 1, "")
        .finished(
            131_000,
            15,
            "review-pr-115",
            REVIEW,
            AgentEnd::Null {
                reason: "timed out after 100s".into(),
            },
            100_000,
        );
    s.started(31_000, 16, "review-pr-116", REVIEW)
        .note(50_000, 16, AgentNote::InvalidOutput { attempt: 5, error: "/verdict: \"maybe\" is not one of [\"ok\",\"bug\"]".into() })
        .finished(90_000, 16, "review-pr-116", REVIEW, AgentEnd::Rejected { message: "StructuredOutput retry cap (5) exceeded: /verdict: \"maybe\" is not one of [\"ok\",\"bug\"]".into() }, 59_000);
    s.started(31_000, 17, "review-pr-117", REVIEW).finished(
        120_000,
        17,
        "review-pr-117",
        REVIEW,
        AgentEnd::Null {
            reason: "stopped by the user".into(),
        },
        89_000,
    );
    // #18–#21 running: a tool call in flight, a retry, waiting on the model, just started.
    s.started(120_000, 18, "review-pr-118", REVIEW)
        .turn(130_000, 18, 1, "I will read the diff first, then run the payment tests.")
        .tool(130_100, 18, 1, "Read: src/payments/refund.rs")
        .result(130_200, 18, "Read", false, "pub fn refund(order: &Order) -> Result<Refund> {\n    let amount = order.total();\n    ...\n}")
        .turn(150_000, 18, 2, "The refund path skips the currency check. Running its tests.")
        .tool(150_100, 18, 2, "Bash: cargo test -p payments refund");
    s.started(131_000, 19, "review-pr-119", REVIEW).note(
        170_000,
        19,
        AgentNote::Retry {
            attempt: 2,
            reason: "529 overloaded".into(),
            delay_ms: 4_000,
        },
    );
    s.started(140_000, 20, "review-pr-120", REVIEW)
        .turn(150_000, 20, 1, "")
        .tool(150_100, 20, 1, "Grep: fn settle")
        .result(
            150_200,
            20,
            "Grep",
            false,
            "src/settle.rs:12: pub fn settle(",
        );
    s.started(184_000, 21, "review-pr-121", REVIEW);
    // #22–#30 still queued.
    s.at(
        175_000,
        Event::Log {
            level: LogLevel::Error,
            text: "pr 115: reviewer timed out".into(),
        },
    );
    s.at(180_000, Event::RunPaused);
    // Events are sent as they happen: in time order.
    s.events.sort_by_key(|t| t.at_ms);
    s.events
}

pub fn caps() -> Caps {
    Caps {
        max_agents: Some(1000),
        concurrency: Some(4),
        budget_tokens: Some(200_000),
        max_cost_usd: Some(5.0),
    }
}

pub fn monitor(color: bool) -> Monitor {
    let mut monitor = Monitor::new(MonitorOptions {
        caps: caps(),
        script_path: Some("review-prs.workflow.js".into()),
        color,
        fps: 10,
        watching: false,
    });
    for timed in run_in_progress() {
        monitor.apply(&timed);
    }
    monitor
}

/// Draws the monitor at `NOW` on a `width`×`height` test terminal.
pub fn render(monitor: &mut Monitor, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| monitor.draw(frame, NOW)).unwrap();
    terminal.backend().buffer().clone()
}

/// The screen as text, trailing spaces cut, durations and run ids redacted.
pub fn screen(monitor: &mut Monitor, width: u16, height: u16) -> String {
    redact(&text(&render(monitor, width, height)))
}

pub fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        let mut skip = 0;
        for x in 0..area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buffer[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Durations keep their shape with every digit `0` (`1m05s` → `0m00s`), and run ids become
/// `wf_············`: the layout stays checked, the clock and the id do not.
pub fn redact(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0
            || !(chars[i - 1].is_alphanumeric()
                || chars[i - 1] == '.'
                || chars[i - 1] == '#'
                || chars[i - 1] == '_'
                || chars[i - 1] == '-');
        if boundary && chars[i..].starts_with(&['w', 'f', '_']) && i + 15 <= chars.len() {
            out.push_str("wf_············");
            i += 15;
            continue;
        }
        if boundary {
            if let Some(len) = duration_at(&chars[i..]) {
                out.extend(
                    chars[i..i + len]
                        .iter()
                        .map(|c| if c.is_ascii_digit() { '0' } else { *c }),
                );
                i += len;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The length of a duration (`4.2s`, `12s`, `3m05s`, `2h07m`) starting here, if one does.
fn duration_at(chars: &[char]) -> Option<usize> {
    let digits = |from: usize| {
        chars[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let n = digits(0);
    if n == 0 {
        return None;
    }
    let mut i = n;
    match chars.get(i) {
        Some('.') if digits(i + 1) == 1 && chars.get(i + 2) == Some(&'s') => i += 3,
        Some('s') => i += 1,
        Some('m') if digits(i + 1) == 2 && chars.get(i + 3) == Some(&'s') => i += 4,
        Some('h') if digits(i + 1) == 2 && chars.get(i + 3) == Some(&'m') => i += 4,
        _ => return None,
    }
    // Not a duration if a word goes on (`12set`).
    match chars.get(i) {
        Some(c) if c.is_alphanumeric() => None,
        _ => Some(i),
    }
}
