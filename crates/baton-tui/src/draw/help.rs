//! The `?` overlay: every key with what it does, over the middle of the screen.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear};
use ratatui::Frame;

use crate::format::wrap;
use crate::monitor::Monitor;

const KEY_COLUMN: usize = 15;

pub(super) fn draw(monitor: &Monitor, frame: &mut Frame, area: Rect) {
    let theme = &monitor.theme;
    let leave = if monitor.options.watching {
        "leave the monitor; the run goes on in its own process"
    } else {
        "leave the monitor; the run goes on"
    };
    let interrupt = if monitor.options.watching {
        "leave the monitor; the run goes on"
    } else {
        "interrupt the run, as Ctrl-C does without the monitor"
    };
    let keys: [(&str, &str); 14] = [
        (
            "↑ ↓  k j",
            "move; PgUp PgDn Home End jump (scroll in a detail or the log)",
        ),
        (
            "Enter  →",
            "open the selected agent: prompt, turns, tool calls, result",
        ),
        ("←  Space", "fold or unfold the selected phase"),
        (
            "f",
            "filter by status: all, running, queued, failed, done, cached",
        ),
        ("Esc", "back to the list; clear the filter"),
        ("x", "stop the selected agent or the whole run (asks first)"),
        (
            "p",
            "pause or resume: while paused no new agent starts; running ones finish",
        ),
        (
            "r",
            "restart the selected running agent (its turns count again)",
        ),
        ("e", "open the script in $EDITOR"),
        ("L", "the run's whole log"),
        ("P", "in an agent's detail: the whole prompt"),
        ("?", "this help; any key closes it"),
        ("q", leave),
        ("Ctrl-C", interrupt),
    ];
    let width = area.width.saturating_sub(4).min(78);
    // Borders, then ` key ` before the text.
    let text_columns = (width as usize)
        .saturating_sub(2 + 1 + KEY_COLUMN + 1)
        .max(10);
    let mut lines = Vec::new();
    for (key, text) in keys {
        for (i, part) in wrap(text, text_columns).into_iter().enumerate() {
            let key = if i == 0 { key } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!(" {key:<KEY_COLUMN$} "), theme.key()),
                Span::raw(part),
            ]));
        }
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" keys ", theme.title()));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    super::lines(frame, inner, lines);
}
