//! Snapshot tests of the monitor's screens on a test terminal: a run in progress at 80×24
//! and 120×40, an agent's detail, the help, the stop prompt, a filter, folding, the log; and
//! `NO_COLOR`. Durations and run ids are redacted (see `support::redact`).

mod support;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Color;
use support::{monitor, render, screen, text, NOW};

fn press(monitor: &mut baton_tui::Monitor, code: KeyCode) {
    monitor.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

#[test]
fn run_in_progress_80x24() {
    insta::assert_snapshot!(screen(&mut monitor(true), 80, 24));
}

#[test]
fn run_in_progress_120x40() {
    insta::assert_snapshot!(screen(&mut monitor(true), 120, 40));
}

#[test]
fn agent_detail_with_a_tool_call_in_flight_80x24() {
    let mut m = monitor(true);
    // (no phase), Survey, Review, then #18: running agents come first in their phase.
    for _ in 0..3 {
        press(&mut m, KeyCode::Down);
    }
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.detail(), Some(18));
    insta::assert_snapshot!(screen(&mut m, 80, 24));
}

#[test]
fn agent_detail_of_a_rejected_call_120x40() {
    let mut m = monitor(true);
    // Past the four running agents and #15: #16, rejected.
    for _ in 0..8 {
        press(&mut m, KeyCode::Down);
    }
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.detail(), Some(16));
    insta::assert_snapshot!(screen(&mut m, 120, 40));
}

#[test]
fn detail_scrolls_and_shows_the_whole_prompt_on_request() {
    let mut m = monitor(true);
    for _ in 0..3 {
        press(&mut m, KeyCode::Down);
    }
    press(&mut m, KeyCode::Enter);
    let top = screen(&mut m, 80, 12);
    press(&mut m, KeyCode::Down);
    press(&mut m, KeyCode::Down);
    let scrolled = screen(&mut m, 80, 12);
    assert_ne!(top, scrolled);
    assert!(scrolled.contains("lines 3–"), "{scrolled}");
    press(&mut m, KeyCode::End);
    let end = screen(&mut m, 80, 12);
    assert!(end.contains("Bash: cargo test -p payments refund"), "{end}");
    press(&mut m, KeyCode::Esc);
    assert_eq!(m.detail(), None);
}

#[test]
fn help_80x24() {
    let mut m = monitor(true);
    press(&mut m, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&mut m, 80, 24));
}

#[test]
fn stop_prompt_for_a_running_agent_80x24() {
    let mut m = monitor(true);
    for _ in 0..3 {
        press(&mut m, KeyCode::Down);
    }
    press(&mut m, KeyCode::Char('x'));
    insta::assert_snapshot!(screen(&mut m, 80, 24));
}

#[test]
fn filter_failed_80x24() {
    let mut m = monitor(true);
    for _ in 0..3 {
        press(&mut m, KeyCode::Char('f'));
    }
    insta::assert_snapshot!(screen(&mut m, 80, 24));
}

#[test]
fn a_finished_phase_unfolded_and_the_busy_one_folded_80x24() {
    let mut m = monitor(true);
    press(&mut m, KeyCode::Down);
    press(&mut m, KeyCode::Right);
    // Survey's six rows, then Review.
    for _ in 0..6 {
        press(&mut m, KeyCode::Down);
    }
    press(&mut m, KeyCode::Left);
    insta::assert_snapshot!(screen(&mut m, 80, 24));
}

#[test]
fn whole_log_80x24() {
    let mut m = monitor(true);
    press(&mut m, KeyCode::Char('L'));
    insta::assert_snapshot!(screen(&mut m, 80, 24));
}

#[test]
fn the_same_screens_without_colour_have_no_colour_at_all() {
    let keys: [&[KeyCode]; 5] = [
        &[],
        &[KeyCode::Down, KeyCode::Down, KeyCode::Down, KeyCode::Enter],
        &[KeyCode::Char('?')],
        &[KeyCode::Char('x')],
        &[KeyCode::Char('L')],
    ];
    for keys in keys {
        let mut plain = monitor(false);
        let mut coloured = monitor(true);
        for &key in keys {
            press(&mut plain, key);
            press(&mut coloured, key);
        }
        for (width, height) in [(80, 24), (120, 40)] {
            let without = render(&mut plain, width, height);
            let with = render(&mut coloured, width, height);
            assert_eq!(
                text(&without),
                text(&with),
                "the layout does not depend on colour"
            );
            let colours = |buffer: &ratatui::buffer::Buffer| {
                buffer
                    .content()
                    .iter()
                    .filter(|cell| cell.fg != Color::Reset || cell.bg != Color::Reset)
                    .count()
            };
            assert_eq!(colours(&without), 0, "{keys:?} at {width}×{height}");
            assert!(colours(&with) > 0, "{keys:?} at {width}×{height}");
        }
    }
}

#[test]
fn watching_says_the_run_goes_on_in_its_own_process() {
    let mut m = baton_tui::Monitor::new(baton_tui::MonitorOptions {
        watching: true,
        ..Default::default()
    });
    for timed in support::run_in_progress() {
        m.apply(&timed);
    }
    assert!(screen(&mut m, 140, 30).contains("q leave (the run goes on in its own process)"));
    press(&mut m, KeyCode::Char('?'));
    assert!(screen(&mut m, 80, 24).contains("the run goes on in its own process"));
}

#[test]
fn tiny_and_empty_terminals_do_not_panic() {
    let mut m = monitor(true);
    for (width, height) in [(1, 1), (10, 3), (20, 5), (80, 4), (300, 100)] {
        render(&mut m, width, height);
        press(&mut m, KeyCode::Char('?'));
        render(&mut m, width, height);
        press(&mut m, KeyCode::Esc);
    }
    let mut empty = baton_tui::Monitor::new(Default::default());
    let before = screen(&mut empty, 80, 24);
    assert!(
        before.contains("starting…") && before.contains("no agents yet"),
        "{before}"
    );
    press(&mut empty, KeyCode::Enter);
    press(&mut empty, KeyCode::Char('x'));
    render(&mut empty, 80, 24);
    let _ = NOW;
}

#[test]
fn control_characters_from_tools_and_models_never_reach_the_terminal() {
    use baton_model::{AgentNote, Event};
    let mut m = monitor(true);
    let nasty = "\u{1b}[2J\u{1b}]0;owned\u{7}\r\ttext";
    for note in [
        AgentNote::ToolResult {
            name: "Bash".into(),
            is_error: false,
            content: nasty.into(),
        },
        AgentNote::ToolCall {
            turn: 3,
            name: "Bash".into(),
            summary: nasty.into(),
            input: serde_json::json!({}),
        },
    ] {
        m.apply(&baton_tui::Timed {
            at_ms: NOW,
            event: Event::AgentNote {
                seq: 18,
                label: Some(nasty.into()),
                note,
            },
        });
    }
    m.apply(&baton_tui::Timed {
        at_ms: NOW,
        event: Event::Log {
            level: baton_model::LogLevel::Info,
            text: nasty.into(),
        },
    });
    let screens = [render(&mut m, 120, 40), {
        for _ in 0..3 {
            press(&mut m, KeyCode::Down);
        }
        press(&mut m, KeyCode::Enter);
        press(&mut m, KeyCode::End);
        render(&mut m, 120, 40)
    }];
    for buffer in screens {
        let shown = text(&buffer);
        // ratatui drops control characters too; the monitor also keeps a tab's space.
        assert!(shown.contains("owned text"), "{shown}");
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown:?}"
        );
    }
}
