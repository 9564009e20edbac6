//! One agent in full, scrollable: its facts, its prompt (first lines, or whole with `P`),
//! each turn and tool call with a summary of the result, and its final value or failure.

use baton_model::AgentEnd;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::board::{AgentRecord, AgentStatus, Board, Step};
use crate::format::{cost, duration, fit, tokens, width, wrap};
use crate::monitor::Monitor;
use crate::theme::{mark, Theme};

/// Lines of the prompt shown until `P` asks for all of it.
const PROMPT_LINES: usize = 8;
/// Lines of a model turn's text and of a tool's result.
const TURN_LINES: usize = 4;
const RESULT_LINES: usize = 3;
const VALUE_LINES: usize = 40;

pub(super) fn draw(monitor: &mut Monitor, frame: &mut Frame, area: Rect, seq: u64, now_ms: i64) {
    if area.height == 0 {
        return;
    }
    let theme = monitor.theme;
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let Some(agent) = monitor.board.agent(seq) else {
        let text = format!(" agent #{seq} is not known (Esc: back)");
        frame.render_widget(Line::styled(text, theme.dim()), area);
        return;
    };
    let width = area.width as usize;
    let lines = Content::build(
        agent,
        &monitor.board,
        width,
        monitor.whole_prompt,
        now_ms,
        &theme,
    );
    let page = body.height as usize;
    monitor.page = page;
    monitor.scroll_max = lines.len().saturating_sub(page);
    let position = monitor.scroll.min(monitor.scroll_max);

    let end = (position + page).min(lines.len());
    let mut title = vec![
        Span::styled(format!(" agent {} ", agent.name()), theme.title()),
        Span::styled(
            format!(" {} ", agent.status_word()),
            theme.agent(agent.status),
        ),
    ];
    if lines.len() > page {
        title.push(Span::styled(
            format!("  lines {}–{} of {}", position + 1, end, lines.len()),
            theme.dim(),
        ));
    }
    frame.render_widget(Line::from(title), super::row(area, 0));
    super::lines(frame, body, lines.into_iter().skip(position).take(page));
}

/// The detail's lines, wrapped to the width.
struct Content {
    lines: Vec<Line<'static>>,
    width: usize,
}

impl Content {
    fn build(
        agent: &AgentRecord,
        board: &Board,
        width: usize,
        whole_prompt: bool,
        now_ms: i64,
        theme: &Theme,
    ) -> Vec<Line<'static>> {
        let mut c = Content {
            lines: Vec::new(),
            width,
        };
        c.facts(agent, board, now_ms, theme);
        c.prompt(agent, whole_prompt, theme);
        c.transcript(agent, theme);
        c.end(agent, theme);
        c.lines
    }

    fn blank(&mut self) {
        self.lines.push(Line::default());
    }

    fn heading(&mut self, text: String, theme: &Theme) {
        self.blank();
        self.lines.push(Line::styled(text, theme.bold()));
    }

    /// A field: name in the margin, value cut to the line.
    fn field(&mut self, name: &str, value: String, style: Style, theme: &Theme) {
        let value = fit(&value, self.width.saturating_sub(10));
        self.lines.push(Line::from(vec![
            Span::styled(format!(" {name:<8} "), theme.dim()),
            Span::styled(value, style),
        ]));
    }

    /// Text wrapped at `indent`, at most `max` lines (then a line saying how many more).
    fn text(&mut self, text: &str, indent: usize, max: usize, style: Style, theme: &Theme) {
        self.marked(text, "", indent, max, style, theme);
    }

    /// Like [`Content::text`], with `mark` hanging in the margin of the first line.
    fn marked(
        &mut self,
        text: &str,
        mark: &str,
        indent: usize,
        max: usize,
        style: Style,
        theme: &Theme,
    ) {
        let columns = self.width.saturating_sub(indent).max(10);
        let mut wrapped = text
            .lines()
            .flat_map(|line| wrap(line.trim_end(), columns))
            .collect::<Vec<_>>();
        while wrapped.last().is_some_and(|l| l.is_empty()) {
            wrapped.pop();
        }
        let margin = " ".repeat(indent);
        let first = format!("{}{mark}", " ".repeat(indent.saturating_sub(width(mark))));
        let more = wrapped.len().saturating_sub(max);
        for (i, line) in wrapped.into_iter().take(max).enumerate() {
            let margin = if i == 0 { &first } else { &margin };
            self.lines
                .push(Line::styled(format!("{margin}{line}"), style));
        }
        if more > 0 {
            let s = if more == 1 { "" } else { "s" };
            self.lines.push(Line::styled(
                format!("{margin}… {more} more line{s}"),
                theme.dim(),
            ));
        }
    }

    fn facts(&mut self, agent: &AgentRecord, board: &Board, now_ms: i64, theme: &Theme) {
        let mut status = format!("{} {}", mark(agent.status), agent.status_word());
        if agent.turns > 0 {
            status.push_str(&format!(" · turn {}", agent.turns));
        }
        if agent.restarts > 0 {
            status.push_str(&format!(" · restarted {}×", agent.restarts));
        }
        self.field("status", status, theme.agent(agent.status), theme);
        self.field("model", agent.model.clone(), theme.plain(), theme);
        let phase = board
            .phases()
            .get(agent.phase)
            .map_or("(no phase)", |p| p.title());
        self.field("phase", phase.to_string(), theme.plain(), theme);
        let usage = &agent.usage;
        let mut used = format!(
            "{} in · {} out",
            tokens(usage.total_input()),
            tokens(usage.output_tokens)
        );
        if usage.cache_read_tokens + usage.cache_write_tokens > 0 {
            used.push_str(&format!(
                " · cache read {} write {}",
                tokens(usage.cache_read_tokens),
                tokens(usage.cache_write_tokens)
            ));
        }
        used.push_str(&format!(" · {}", cost(usage.cost_usd)));
        self.field("tokens", used, theme.plain(), theme);
        let clock = board.clock(now_ms);
        let mut time = agent.elapsed(clock).map(duration).unwrap_or_default();
        match agent.started_at {
            Some(started) => time.push_str(&format!(
                " (waited {} for a slot)",
                duration(started.saturating_sub(agent.queued_at).max(0) as u64)
            )),
            None if agent.end.is_none() => time.push_str(&format!(
                "queued for {}",
                duration(clock.saturating_sub(agent.queued_at).max(0) as u64)
            )),
            None => {}
        }
        self.field("time", time, theme.plain(), theme);
    }

    fn prompt(&mut self, agent: &AgentRecord, whole: bool, theme: &Theme) {
        let count = agent.prompt.lines().count();
        let hint = if count > PROMPT_LINES {
            if whole {
                "  (P: first lines only)"
            } else {
                "  (P: whole prompt)"
            }
        } else {
            ""
        };
        self.heading(format!("Prompt{hint}"), theme);
        let max = if whole { usize::MAX } else { PROMPT_LINES };
        let prompt = agent.prompt.clone();
        self.text(&prompt, 2, max, theme.plain(), theme);
    }

    fn transcript(&mut self, agent: &AgentRecord, theme: &Theme) {
        if agent.steps.is_empty() {
            return;
        }
        self.heading("Transcript".into(), theme);
        if agent.steps_dropped > 0 {
            self.lines.push(Line::styled(
                format!("  … {} earlier steps not kept", agent.steps_dropped),
                theme.dim(),
            ));
        }
        for step in &agent.steps {
            self.step(step, theme);
        }
        // A tool call without its result yet is what the agent is doing now.
        if agent.status == AgentStatus::Running
            && matches!(agent.steps.back(), Some(Step::ToolCall { .. }))
        {
            self.lines
                .push(Line::styled("      … running", theme.dim()));
        }
    }

    fn step(&mut self, step: &Step, theme: &Theme) {
        match step {
            Step::Turn { turn, usage, text } => {
                self.lines.push(Line::styled(
                    format!(
                        "  turn {turn} · {} in · {} out",
                        tokens(usage.total_input()),
                        tokens(usage.output_tokens)
                    ),
                    theme.phase(),
                ));
                self.text(text, 4, TURN_LINES, theme.dim(), theme);
            }
            Step::ToolCall { summary, .. } => {
                self.marked(summary, "▶ ", 4, 2, theme.bold(), theme);
            }
            Step::ToolResult {
                name,
                is_error,
                content,
            } => {
                let (sign, style) = if *is_error {
                    ("✗ ", theme.error())
                } else {
                    ("✓ ", theme.plain())
                };
                if content.trim().is_empty() {
                    let text = format!("{name}: (nothing)");
                    self.marked(&text, sign, 6, 1, style, theme);
                } else {
                    self.marked(content, sign, 6, RESULT_LINES, style, theme);
                }
            }
            Step::Retry {
                attempt,
                reason,
                delay_ms,
            } => {
                let text = format!("↻ retry {attempt} in {}: {reason}", duration(*delay_ms));
                self.text(&text, 2, 2, theme.log(crate::LogKind::Warn), theme);
            }
            Step::InvalidOutput { attempt, error } => {
                let text = format!("! invalid output ({attempt}), asked again: {error}");
                self.text(&text, 2, 3, theme.log(crate::LogKind::Warn), theme);
            }
            Step::Denied { tool, reason } => {
                let text = format!("⊘ {tool} denied: {reason}");
                self.text(&text, 2, 3, theme.error(), theme);
            }
            Step::Restarted => self.lines.push(Line::styled(
                "  ⟲ restarted by the user: what follows is the new start",
                theme.bold(),
            )),
            Step::Worktree { path, branch, kept } => {
                let text = if *kept {
                    format!("worktree kept: {path} (branch {branch})")
                } else {
                    format!("worktree removed (no changes): {path}")
                };
                self.text(&text, 2, 2, theme.plain(), theme);
            }
        }
    }

    fn end(&mut self, agent: &AgentRecord, theme: &Theme) {
        match &agent.end {
            None => {}
            Some(AgentEnd::Completed { value }) | Some(AgentEnd::Cached { value }) => {
                let cached = matches!(agent.end, Some(AgentEnd::Cached { .. }));
                let title = if cached {
                    "Result (from the journal)"
                } else {
                    "Result"
                };
                self.heading(title.into(), theme);
                let text = match value {
                    // A string is shown as text (JSON would escape what `clean` drops).
                    serde_json::Value::String(s) => crate::format::clean(s),
                    other => serde_json::to_string_pretty(other).unwrap_or_default(),
                };
                self.text(&text, 2, VALUE_LINES, theme.agent(agent.status), theme);
            }
            Some(AgentEnd::Null { reason }) => {
                self.heading("Failed: the script got null".into(), theme);
                self.text(reason, 2, VALUE_LINES, theme.error(), theme);
            }
            Some(AgentEnd::Rejected { message }) => {
                self.heading("Rejected: the script's promise threw".into(), theme);
                self.text(message, 2, VALUE_LINES, theme.error(), theme);
            }
        }
    }
}
