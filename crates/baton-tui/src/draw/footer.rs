//! The bottom lines: the status line (the stop question, or what the last key did) and the
//! help line listing every key of the current view, in a compact form on narrow terminals.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::Frame;

use baton_model::RunStatus;

use crate::format::{fit, width};
use crate::monitor::{Monitor, View};

pub(super) fn draw_status(monitor: &Monitor, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let theme = &monitor.theme;
    let columns = area.width as usize;
    let line = if let Some(prompt) = &monitor.prompt {
        let text = match &prompt.agent {
            Some((_, name)) => {
                format!(" stop: [a] agent {name}  [r] the whole run  [Esc] cancel ")
            }
            None => " stop the whole run? [r] yes  [Esc] cancel ".to_string(),
        };
        Line::styled(fit(&text, columns), theme.prompt())
    } else if let Some(message) = &monitor.message {
        let style = if message.error {
            theme.error().add_modifier(ratatui::style::Modifier::BOLD)
        } else {
            theme.bold()
        };
        Line::styled(fit(&format!(" {}", message.text), columns), style)
    } else {
        return;
    };
    frame.render_widget(line, area);
}

/// A key and what it does; `nav` keys (arrows) go without their word when space is short.
struct Item {
    key: &'static str,
    word: &'static str,
    nav: bool,
}

const fn item(key: &'static str, word: &'static str) -> Item {
    Item {
        key,
        word,
        nav: false,
    }
}

const fn nav(key: &'static str, word: &'static str) -> Item {
    Item {
        key,
        word,
        nav: true,
    }
}

pub(super) fn draw_help_line(monitor: &Monitor, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    let pause = if monitor.board.status() == RunStatus::Paused {
        item("p", "resume")
    } else {
        item("p", "pause")
    };
    let items = match monitor.view {
        View::List => vec![
            nav("↑↓", "move"),
            nav("⏎", "open"),
            nav("←→", "fold"),
            item("f", "filter"),
            item("x", "stop"),
            pause,
            item("r", "restart"),
            item("e", "edit"),
            item("L", "log"),
            item("?", "help"),
            item("q", "leave"),
        ],
        View::Detail(_) => vec![
            nav("↑↓", "scroll"),
            item("P", "prompt"),
            item("Esc", "back"),
            item("x", "stop"),
            pause,
            item("r", "restart"),
            item("e", "edit"),
            item("L", "log"),
            item("?", "help"),
            item("q", "leave"),
        ],
        View::Log => vec![
            nav("↑↓", "scroll"),
            item("Esc", "back"),
            item("x", "stop"),
            pause,
            item("e", "edit"),
            item("?", "help"),
            item("q", "leave"),
        ],
    };
    let theme = &monitor.theme;
    let columns = area.width as usize;
    let goes_on = if monitor.options.watching {
        " (the run goes on in its own process)"
    } else {
        " (the run goes on)"
    };
    // Widest form that fits: words after a space, two spaces apart, and what `q` means;
    // then `key:word`; then arrows without words.
    let forms: [(&str, &str, bool, &str); 3] = [
        (" ", "  ", true, goes_on),
        (":", " ", true, ""),
        (":", " ", false, ""),
    ];
    let mut chosen = forms.len() - 1;
    for (i, (join, gap, nav_words, tail)) in forms.iter().enumerate() {
        let total: usize = 1
            + items
                .iter()
                .map(|it| {
                    let word = if it.nav && !nav_words {
                        0
                    } else {
                        width(join) + width(it.word)
                    };
                    width(it.key) + word
                })
                .sum::<usize>()
            + width(gap) * (items.len() - 1)
            + width(tail);
        if total <= columns {
            chosen = i;
            break;
        }
    }
    let (join, gap, nav_words, tail) = forms[chosen];
    let mut spans = vec![Span::raw(" ")];
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(gap));
        }
        spans.push(Span::styled(it.key, theme.key()));
        if !it.nav || nav_words {
            spans.push(Span::raw(format!("{join}{}", it.word)));
        }
    }
    spans.push(Span::styled(tail, theme.dim()));
    frame.render_widget(Line::from(spans), area);
}
