//! The main list: a column header, then phases as group rows (counts, tokens, elapsed) and
//! their agents (label, status, model, turns, tokens, elapsed, what it does now). Only the
//! rows on screen are formatted.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::board::{AgentRecord, AgentStatus, PhaseRecord};
use crate::format::{duration, fit, tokens, width};
use crate::monitor::Monitor;
use crate::rows::{Filter, Row};
use crate::theme::{mark, Theme};

const STATUS: usize = 7;
const TURNS: usize = 3;
const TOKENS: usize = 6;
const TIME: usize = 6;

/// Column widths for this terminal width.
struct Columns {
    seq: usize,
    label: usize,
    model: usize,
    doing: usize,
}

impl Columns {
    fn new(total: usize, widest_label: usize, max_seq: u64) -> Columns {
        // `#` and the digits of the largest call number.
        let seq = 1 + max_seq.max(1).ilog10() as usize + 1;
        let model = if total >= 110 { 18 } else { 10 };
        // Indent and mark, then one space after each column.
        let fixed = 4 + seq + 1 + STATUS + 1 + model + 1 + TURNS + 1 + TOKENS + 1 + TIME + 1;
        let free = total.saturating_sub(fixed);
        let label = widest_label.clamp(6, (free * 2 / 5).max(6)).min(free);
        Columns {
            seq,
            label,
            model,
            doing: free - label,
        }
    }

    /// Where the tokens column starts (phase rows put their totals there too).
    fn tokens_at(&self) -> usize {
        4 + self.seq + 1 + self.label + 1 + STATUS + 1 + self.model + 1 + TURNS + 1
    }
}

pub(super) fn draw(monitor: &mut Monitor, frame: &mut Frame, area: Rect, now_ms: i64) {
    if area.height == 0 {
        return;
    }
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let height = body.height as usize;
    monitor.list_height = height;
    monitor.rows();
    let total_rows = monitor.cached_rows().len();
    // Keep the selection on screen.
    if monitor.selected_index < monitor.list_offset {
        monitor.list_offset = monitor.selected_index;
    } else if monitor.selected_index >= monitor.list_offset + height {
        monitor.list_offset = monitor.selected_index + 1 - height;
    }
    monitor.list_offset = monitor.list_offset.min(total_rows.saturating_sub(height));

    let monitor = &*monitor;
    let board = &monitor.board;
    let theme = &monitor.theme;
    let columns = Columns::new(area.width as usize, monitor.label_width, monitor.max_seq);
    let clock = board.clock(now_ms);

    let range = monitor.list_offset..(monitor.list_offset + height).min(total_rows);
    let position = if total_rows > height {
        format!("{}–{} of {} ", range.start + 1, range.end, total_rows)
    } else {
        String::new()
    };
    frame.render_widget(
        column_header(&columns, area.width as usize, &position, theme),
        super::row(area, 0),
    );

    if total_rows == 0 {
        let text = match monitor.filter {
            Filter::All => "  no agents yet".to_string(),
            filter => format!("  no {} agents (f: next filter, Esc: all)", filter.as_str()),
        };
        frame.render_widget(Line::styled(text, theme.dim()), super::row(body, 0));
        return;
    }
    for (k, index) in range.enumerate() {
        let row = monitor.cached_rows()[index];
        let mut line = match row {
            Row::Phase(p) => phase_line(
                &board.phases()[p],
                monitor.is_folded(p),
                &columns,
                clock,
                theme,
            ),
            Row::Agent(i) => agent_line(&board.agents()[i], &columns, clock, theme),
        };
        if index == monitor.selected_index {
            line = line.patch_style(theme.selected());
        }
        frame.render_widget(line, super::row(body, k));
    }
}

fn column_header(columns: &Columns, total: usize, position: &str, theme: &Theme) -> Line<'static> {
    let text = format!(
        "    {:>seq$} {} {:<STATUS$} {} {:>TURNS$} {:>TOKENS$} {:>TIME$} ",
        "#",
        pad("label", columns.label),
        "status",
        pad("model", columns.model),
        "trn",
        "tokens",
        "time",
        seq = columns.seq,
    );
    let doing = total
        .saturating_sub(width(&text))
        .saturating_sub(width(position));
    Line::from(vec![
        Span::styled(text, theme.dim()),
        Span::styled(pad("doing", doing), theme.dim()),
        Span::styled(position.to_string(), theme.dim()),
    ])
}

fn phase_line(
    phase: &PhaseRecord,
    folded: bool,
    columns: &Columns,
    clock: i64,
    theme: &Theme,
) -> Line<'static> {
    let counts = &phase.counts;
    let left = columns.tokens_at();
    let fold = if folded || counts.total() == 0 {
        "▸"
    } else {
        "▾"
    };
    let title = format!("{fold} {}", phase.title());
    let mut spans = vec![Span::styled(title.clone(), theme.phase())];
    let mut used = width(&title);
    if counts.total() == 0 {
        let note = if phase.first_at.is_some() {
            "  no agents yet"
        } else {
            "  not started"
        };
        spans.push(Span::styled(note, theme.dim()));
        return Line::from(spans);
    }
    let total = counts.total();
    let mut summary = format!("  {total} agent{}", if total == 1 { "" } else { "s" });
    for status in [
        AgentStatus::Done,
        AgentStatus::Running,
        AgentStatus::Queued,
        AgentStatus::Failed,
        AgentStatus::Cached,
    ] {
        let n = counts.of(status);
        if n > 0 {
            summary.push_str(&format!(" {}{n}", mark(status)));
        }
    }
    used += width(&summary);
    spans.push(Span::raw(summary));
    // Tokens and time under the agents' columns, when the title leaves room.
    if used < left {
        spans.push(Span::raw(" ".repeat(left - used)));
    } else {
        spans.push(Span::raw(" "));
    }
    let elapsed = phase.elapsed(clock).map(duration).unwrap_or_default();
    spans.push(Span::raw(format!(
        "{:>TOKENS$} {:>TIME$}",
        tokens(phase.usage.total_input() + phase.usage.output_tokens),
        elapsed
    )));
    Line::from(spans)
}

fn agent_line(agent: &AgentRecord, columns: &Columns, clock: i64, theme: &Theme) -> Line<'static> {
    let status = agent.status;
    let style = theme.agent(status);
    let label = agent.label.as_deref().unwrap_or("");
    let turns = if agent.turns > 0 {
        agent.turns.to_string()
    } else {
        String::new()
    };
    let used = agent.usage.total_input() + agent.usage.output_tokens;
    let used = if used > 0 {
        tokens(used)
    } else {
        String::new()
    };
    let elapsed = match status {
        AgentStatus::Cached => String::new(),
        _ => agent.elapsed(clock).map(duration).unwrap_or_default(),
    };
    let doing_style = match status {
        AgentStatus::Failed => theme.error(),
        AgentStatus::Running => theme.plain(),
        _ => theme.dim(),
    };
    Line::from(vec![
        Span::raw("  "),
        Span::styled(mark(status), style),
        Span::raw(format!(
            " {:>w$} ",
            format!("#{}", agent.seq),
            w = columns.seq
        )),
        Span::styled(pad(label, columns.label), theme.bold()),
        Span::raw(" "),
        Span::styled(format!("{:<STATUS$}", agent.status_word()), style),
        Span::raw(" "),
        Span::styled(pad(short_model(&agent.model), columns.model), theme.dim()),
        Span::raw(format!(
            " {turns:>TURNS$} {used:>TOKENS$} {elapsed:>TIME$} "
        )),
        Span::styled(fit(&agent.doing, columns.doing), doing_style),
    ])
}

/// `anthropic:claude-sonnet-4-5` shows as `claude-sonnet-4-5`: the provider rarely matters
/// in a column this narrow (the detail view shows it whole).
fn short_model(model: &str) -> &str {
    model.rsplit_once(':').map_or(model, |(_, name)| name)
}

/// Cut or padded to exactly `columns` display columns.
fn pad(text: &str, columns: usize) -> String {
    let mut text = fit(text, columns);
    let w = width(&text);
    text.extend(std::iter::repeat_n(' ', columns.saturating_sub(w)));
    text
}
