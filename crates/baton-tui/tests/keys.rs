//! Each key's outcome: the actions it asks the caller for, and what it changes in the view.

mod support;

use baton_model::{Event, RunStatus};
use baton_tui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use baton_tui::{Action, Filter, KeyOutcome, Monitor, MonitorOptions, Timed};
use support::{monitor, screen};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press(m: &mut Monitor, code: KeyCode) -> KeyOutcome {
    m.handle_key(key(code))
}

fn down(m: &mut Monitor, times: usize) {
    for _ in 0..times {
        assert_eq!(press(m, KeyCode::Down), KeyOutcome::None);
    }
}

/// Rows: (no phase), Survey, Review, then #18 #19 #20 #21 running, #15 #16 #17 failed, #22…
fn select_agent(m: &mut Monitor, row: usize, seq: u64) {
    down(m, row);
    assert_eq!(m.selected_agent(), Some(seq));
}

#[test]
fn q_leaves_and_ctrl_c_interrupts() {
    let mut m = monitor(true);
    assert_eq!(press(&mut m, KeyCode::Char('q')), KeyOutcome::Quit);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(m.handle_key(ctrl_c), KeyOutcome::Interrupt);
}

#[test]
fn key_releases_are_ignored() {
    let mut m = monitor(true);
    let mut release = key(KeyCode::Char('q'));
    release.kind = KeyEventKind::Release;
    assert_eq!(m.handle_key(release), KeyOutcome::None);
}

#[test]
fn help_opens_with_question_mark_and_any_key_closes_it() {
    let mut m = monitor(true);
    assert_eq!(press(&mut m, KeyCode::Char('?')), KeyOutcome::None);
    assert!(screen(&mut m, 80, 24).contains("keys"));
    // `p` only closes the help: it does not pause.
    assert_eq!(press(&mut m, KeyCode::Char('p')), KeyOutcome::None);
    assert!(!screen(&mut m, 80, 24).contains("┌ keys"));
    press(&mut m, KeyCode::Char('?'));
    assert_eq!(press(&mut m, KeyCode::Char('q')), KeyOutcome::Quit);
}

#[test]
fn x_asks_then_stops_the_selected_agent_or_the_run() {
    let mut m = monitor(true);
    select_agent(&mut m, 3, 18);
    assert_eq!(press(&mut m, KeyCode::Char('x')), KeyOutcome::None);
    assert!(screen(&mut m, 80, 24).contains("stop: [a] agent #18 review-pr-118  [r] the whole run"));
    // Other keys leave the question open.
    assert_eq!(press(&mut m, KeyCode::Down), KeyOutcome::None);
    assert_eq!(m.selected_agent(), Some(18));
    assert_eq!(
        press(&mut m, KeyCode::Char('a')),
        KeyOutcome::Act(Action::StopAgent(18))
    );
    press(&mut m, KeyCode::Char('x'));
    assert_eq!(
        press(&mut m, KeyCode::Char('r')),
        KeyOutcome::Act(Action::StopRun)
    );
    press(&mut m, KeyCode::Char('x'));
    assert_eq!(press(&mut m, KeyCode::Esc), KeyOutcome::None);
    assert!(screen(&mut m, 80, 24).contains("nothing stopped"));
}

#[test]
fn x_on_a_phase_or_a_finished_agent_offers_only_the_run() {
    let mut m = monitor(true);
    press(&mut m, KeyCode::Char('x'));
    assert!(screen(&mut m, 80, 24).contains("stop the whole run? [r] yes  [Esc] cancel"));
    assert_eq!(press(&mut m, KeyCode::Char('a')), KeyOutcome::None);
    assert_eq!(
        press(&mut m, KeyCode::Char('r')),
        KeyOutcome::Act(Action::StopRun)
    );
    // #15 failed: nothing to stop but the run.
    select_agent(&mut m, 7, 15);
    press(&mut m, KeyCode::Char('x'));
    assert!(screen(&mut m, 80, 24).contains("stop the whole run?"));
}

#[test]
fn x_stops_a_queued_agent_too() {
    let mut m = monitor(true);
    select_agent(&mut m, 10, 22);
    press(&mut m, KeyCode::Char('x'));
    assert_eq!(
        press(&mut m, KeyCode::Char('a')),
        KeyOutcome::Act(Action::StopAgent(22))
    );
}

#[test]
fn p_pauses_a_running_run_and_resumes_a_paused_one() {
    let mut m = monitor(true);
    // The fixture run is paused.
    assert_eq!(
        press(&mut m, KeyCode::Char('p')),
        KeyOutcome::Act(Action::Unpause)
    );
    m.apply(&Timed {
        at_ms: support::NOW,
        event: Event::RunUnpaused,
    });
    assert_eq!(
        press(&mut m, KeyCode::Char('p')),
        KeyOutcome::Act(Action::Pause)
    );
}

#[test]
fn r_restarts_only_a_running_agent() {
    let mut m = monitor(true);
    assert_eq!(press(&mut m, KeyCode::Char('r')), KeyOutcome::None);
    assert!(screen(&mut m, 80, 24).contains("select a running agent to restart it"));
    select_agent(&mut m, 4, 19);
    assert_eq!(
        press(&mut m, KeyCode::Char('r')),
        KeyOutcome::Act(Action::RestartAgent(19))
    );
    down(&mut m, 6);
    assert_eq!(m.selected_agent(), Some(22));
    assert_eq!(press(&mut m, KeyCode::Char('r')), KeyOutcome::None);
    assert!(screen(&mut m, 80, 24)
        .contains("agent #22 review-pr-122 is queued: only a running agent restarts"));
}

#[test]
fn keys_in_a_detail_act_on_its_agent() {
    let mut m = monitor(true);
    select_agent(&mut m, 5, 20);
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.detail(), Some(20));
    assert_eq!(
        press(&mut m, KeyCode::Char('r')),
        KeyOutcome::Act(Action::RestartAgent(20))
    );
    press(&mut m, KeyCode::Char('x'));
    assert_eq!(
        press(&mut m, KeyCode::Char('a')),
        KeyOutcome::Act(Action::StopAgent(20))
    );
    press(&mut m, KeyCode::Esc);
    assert_eq!(m.detail(), None);
    // → opens too; ← goes back.
    press(&mut m, KeyCode::Right);
    assert_eq!(m.detail(), Some(20));
    press(&mut m, KeyCode::Left);
    assert_eq!(m.detail(), None);
}

#[test]
fn e_opens_the_editor_only_with_a_script_file() {
    let mut m = monitor(true);
    assert_eq!(press(&mut m, KeyCode::Char('e')), KeyOutcome::OpenEditor);
    let mut without = Monitor::new(MonitorOptions::default());
    assert_eq!(press(&mut without, KeyCode::Char('e')), KeyOutcome::None);
    assert!(screen(&mut without, 80, 24).contains("no script file to open"));
}

#[test]
fn f_cycles_the_filter_and_esc_clears_it() {
    let mut m = monitor(true);
    let mut seen = vec![m.filter()];
    for _ in 0..6 {
        press(&mut m, KeyCode::Char('f'));
        seen.push(m.filter());
    }
    assert_eq!(
        seen,
        [
            Filter::All,
            Filter::Running,
            Filter::Queued,
            Filter::Failed,
            Filter::Done,
            Filter::Cached,
            Filter::All
        ]
    );
    press(&mut m, KeyCode::Char('f'));
    assert!(screen(&mut m, 80, 24).contains("filter: running"));
    press(&mut m, KeyCode::Esc);
    assert_eq!(m.filter(), Filter::All);
}

#[test]
fn enter_and_arrows_fold_phases() {
    let mut m = monitor(true);
    // Review (row 2) is open: fold it with Enter, open it with →.
    down(&mut m, 2);
    let open = screen(&mut m, 80, 24);
    assert!(open.contains("#18"));
    press(&mut m, KeyCode::Enter);
    assert!(!screen(&mut m, 80, 24).contains("#18"));
    press(&mut m, KeyCode::Right);
    assert!(screen(&mut m, 80, 24).contains("#18"));
    // ← on an agent folds its phase and selects the phase.
    down(&mut m, 1);
    assert_eq!(m.selected_agent(), Some(18));
    press(&mut m, KeyCode::Left);
    assert_eq!(m.selected_agent(), None);
    assert!(!screen(&mut m, 80, 24).contains("#18"));
    press(&mut m, KeyCode::Char(' '));
    assert!(screen(&mut m, 80, 24).contains("#18"));
}

#[test]
fn moving_is_clamped_and_pages() {
    let mut m = monitor(true);
    press(&mut m, KeyCode::Up);
    press(&mut m, KeyCode::Home);
    assert_eq!(m.selected_agent(), None);
    screen(&mut m, 80, 24);
    press(&mut m, KeyCode::End);
    // The last row is the Summarize phase.
    assert_eq!(m.selected_agent(), None);
    press(&mut m, KeyCode::Up);
    assert_eq!(m.selected_agent(), Some(14));
    press(&mut m, KeyCode::PageUp);
    press(&mut m, KeyCode::PageDown);
    press(&mut m, KeyCode::PageDown);
    press(&mut m, KeyCode::Down);
    assert_eq!(m.selected_agent(), None);
}

#[test]
fn the_selection_stays_on_its_agent_as_rows_move() {
    let mut m = monitor(true);
    select_agent(&mut m, 10, 22);
    // #22 starts: running agents come first, and the selection goes with it.
    m.apply(&Timed {
        at_ms: support::NOW,
        event: Event::AgentStarted {
            seq: 22,
            label: Some("review-pr-122".into()),
            phase: Some("Review".into()),
            model: "m".into(),
        },
    });
    screen(&mut m, 80, 24);
    assert_eq!(m.selected_agent(), Some(22));
}

#[test]
fn once_the_run_ended_stop_and_pause_say_so() {
    let mut m = monitor(true);
    m.apply(&Timed {
        at_ms: support::NOW,
        event: Event::RunFinished {
            status: RunStatus::Completed,
            error: None,
        },
    });
    assert!(m.run_ended());
    assert_eq!(press(&mut m, KeyCode::Char('x')), KeyOutcome::None);
    assert_eq!(press(&mut m, KeyCode::Char('p')), KeyOutcome::None);
    assert!(screen(&mut m, 80, 24).contains("the run has ended"));
}

#[test]
fn reports_of_actions_show_in_the_status_line_until_the_next_key() {
    let mut m = monitor(true);
    m.report(Action::StopAgent(18), Ok(()));
    assert!(screen(&mut m, 80, 24).contains("asked to stop agent #18 review-pr-118"));
    m.report(Action::Pause, Err("the journal is read-only".into()));
    assert!(screen(&mut m, 80, 24).contains("could not pause the run: the journal is read-only"));
    press(&mut m, KeyCode::Down);
    assert!(!screen(&mut m, 80, 24).contains("could not"));
}
