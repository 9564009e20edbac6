//! The run's log: `log()` lines, phase changes, pauses and the end. A pane under the list
//! shows the newest lines; `L` shows all that are kept, scrollable.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use crate::board::{Board, LogEntry, LogKind};
use crate::format::{duration, fit, width};
use crate::monitor::Monitor;
use crate::theme::Theme;

pub(super) fn draw_pane(monitor: &Monitor, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let (board, theme) = (&monitor.board, &monitor.theme);
    let count = area.height as usize - 1;
    let logs = board.logs();
    let title = format!("── log ({} lines, L: all) ", logs.len());
    let rule = "─".repeat((area.width as usize).saturating_sub(width(&title)));
    frame.render_widget(
        Line::styled(format!("{title}{rule}"), theme.dim()),
        super::row(area, 0),
    );
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let first = logs.len().saturating_sub(count);
    let columns = area.width as usize;
    super::lines(
        frame,
        body,
        logs.range(first..)
            .map(|entry| entry_line(entry, board, columns, theme)),
    );
}

pub(super) fn draw_full(monitor: &mut Monitor, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let page = area.height as usize - 1;
    let total = monitor.board.logs().len();
    monitor.page = page;
    monitor.scroll_max = total.saturating_sub(page);
    let position = monitor.scroll.min(monitor.scroll_max);
    let (board, theme) = (&monitor.board, &monitor.theme);
    let end = (position + page).min(total);
    let title = format!(
        " log: lines {}–{end} of {total} (Esc: back)",
        (position + 1).min(total.max(1))
    );
    frame.render_widget(Line::styled(title, theme.title()), super::row(area, 0));
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let columns = area.width as usize;
    super::lines(
        frame,
        body,
        board
            .logs()
            .range(position..end)
            .map(|entry| entry_line(entry, board, columns, theme)),
    );
}

/// `  +1m05s warn  text`: the time since the run started, the kind, the text.
fn entry_line(entry: &LogEntry, board: &Board, columns: usize, theme: &Theme) -> Line<'static> {
    let since = board
        .started_at()
        .map(|start| duration(entry.at_ms.saturating_sub(start).max(0) as u64))
        .unwrap_or_default();
    let kind = match entry.kind {
        LogKind::Info => "",
        LogKind::Warn => "warn ",
        LogKind::Error => "error ",
        LogKind::Phase => "▸ ",
        LogKind::Run => "· ",
    };
    let time = format!(" {since:>6} ");
    let room = columns.saturating_sub(width(&time) + width(kind));
    Line::from(vec![
        Span::styled(time, theme.dim()),
        Span::styled(kind, theme.log(entry.kind)),
        Span::styled(fit(&entry.text, room), theme.log(entry.kind)),
    ])
}
