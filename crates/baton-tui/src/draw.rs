//! Lays a frame out and hands each part to its drawer: the header, the main area (the list,
//! an agent's detail or the whole log), the log pane, the status line and the help line, and
//! the help overlay on top. Rectangles are computed by hand: the layout is a fixed stack, and
//! this keeps a frame's cost to what is visible.

mod detail;
mod footer;
mod header;
mod help;
mod list;
mod log;

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::Frame;

use crate::monitor::{Monitor, View};

/// Terminals shorter than this get no log pane under the list.
const LOG_PANE_MIN_HEIGHT: u16 = 16;

pub(crate) fn draw(monitor: &mut Monitor, frame: &mut Frame, now_ms: i64) {
    let area = frame.area();
    let mut stack = Stack { area };
    let header = stack.top(3);
    let help_line = stack.bottom(1);
    let status_line = if monitor.prompt.is_some() || monitor.message.is_some() {
        stack.bottom(1)
    } else {
        Rect::default()
    };
    let log_pane = if monitor.view == View::List && area.height >= LOG_PANE_MIN_HEIGHT {
        // One title row and a sixth of the screen for lines: 4 at 24 rows, 6 at 40.
        stack.bottom((area.height / 6).clamp(2, 12) + 1)
    } else {
        Rect::default()
    };
    let main = stack.area;

    header::draw(monitor, frame, header, now_ms);
    match monitor.view {
        View::List => list::draw(monitor, frame, main, now_ms),
        View::Detail(seq) => detail::draw(monitor, frame, main, seq, now_ms),
        View::Log => log::draw_full(monitor, frame, main),
    }
    log::draw_pane(monitor, frame, log_pane);
    footer::draw_status(monitor, frame, status_line);
    footer::draw_help_line(monitor, frame, help_line);
    if monitor.help {
        help::draw(monitor, frame, area);
    }
}

/// Rows taken off the top and bottom of what is left.
struct Stack {
    area: Rect,
}

impl Stack {
    fn top(&mut self, height: u16) -> Rect {
        let height = height.min(self.area.height);
        let taken = Rect {
            height,
            ..self.area
        };
        self.area.y += height;
        self.area.height -= height;
        taken
    }

    fn bottom(&mut self, height: u16) -> Rect {
        let height = height.min(self.area.height);
        self.area.height -= height;
        Rect {
            y: self.area.y + self.area.height,
            height,
            ..self.area
        }
    }
}

/// Row `i` of `area` (empty past its end).
fn row(area: Rect, i: usize) -> Rect {
    if i >= area.height as usize {
        return Rect::default();
    }
    Rect {
        y: area.y + i as u16,
        height: 1,
        ..area
    }
}

/// Draws lines top-down into `area`, one per row, cutting what does not fit.
fn lines<'a>(frame: &mut Frame, area: Rect, lines: impl IntoIterator<Item = Line<'a>>) {
    for (i, line) in lines.into_iter().take(area.height as usize).enumerate() {
        frame.render_widget(line, row(area, i));
    }
}
