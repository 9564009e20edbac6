//! The board's bookkeeping: counts, usage and clocks under normal and odd event orders.

use baton_model::{AgentEnd, AgentNote, CallKey, Event, RunId, RunStatus, Usage};
use serde_json::json;

use super::*;

fn at(at_ms: i64, event: Event) -> Timed {
    Timed { at_ms, event }
}

fn queued(seq: u64, phase: Option<&str>) -> Event {
    Event::AgentQueued {
        seq,
        key: CallKey(format!("k{seq}")),
        occurrence: 0,
        label: Some(format!("a{seq}")),
        phase: phase.map(String::from),
        model: "sim".into(),
        prompt: "do it".into(),
        options: Box::default(),
    }
}

fn started(seq: u64, phase: Option<&str>) -> Event {
    Event::AgentStarted {
        seq,
        label: Some(format!("a{seq}")),
        phase: phase.map(String::from),
        model: "sim".into(),
    }
}

fn turn(seq: u64, turn: u32, output: u64) -> Event {
    Event::AgentNote {
        seq,
        label: None,
        note: AgentNote::Turn {
            turn,
            usage: Usage {
                input_tokens: 10,
                output_tokens: output,
                ..Usage::default()
            },
            text: String::new(),
        },
    }
}

fn finished(seq: u64, phase: Option<&str>, end: AgentEnd, output: u64) -> Event {
    Event::AgentFinished {
        seq,
        label: None,
        phase: phase.map(String::from),
        end,
        usage: Usage {
            input_tokens: 100,
            output_tokens: output,
            ..Usage::default()
        },
        elapsed_ms: 1_000,
    }
}

fn done() -> AgentEnd {
    AgentEnd::Completed { value: json!(1) }
}

fn board(events: Vec<Timed>) -> Board {
    let mut board = Board::default();
    for timed in &events {
        board.apply(timed);
    }
    board
}

/// The sums over agents and phases agree with the board's totals.
fn check_consistent(board: &Board) {
    let mut counts = Counts::default();
    for agent in board.agents() {
        *counts.slot(agent.status) += 1;
    }
    assert_eq!(counts, board.counts());
    let mut by_phase = Counts::default();
    for phase in board.phases() {
        for status in [
            AgentStatus::Queued,
            AgentStatus::Running,
            AgentStatus::Done,
            AgentStatus::Cached,
            AgentStatus::Failed,
        ] {
            *by_phase.slot(status) += phase.counts.of(status);
        }
    }
    assert_eq!(by_phase, board.counts());
    let paid: u64 = board
        .agents()
        .iter()
        .filter(|a| a.status != AgentStatus::Cached)
        .map(|a| a.usage.output_tokens)
        .sum();
    assert_eq!(paid, board.usage().output_tokens);
}

#[test]
fn a_call_goes_queued_running_done_and_its_turns_count_until_the_engine_total() {
    let mut b = Board::default();
    b.apply(&at(0, queued(1, Some("P"))));
    assert_eq!(b.counts().queued, 1);
    b.apply(&at(10, started(1, Some("P"))));
    assert_eq!((b.counts().queued, b.counts().running), (0, 1));
    b.apply(&at(20, turn(1, 1, 7)));
    b.apply(&at(30, turn(1, 2, 8)));
    assert_eq!(b.usage().output_tokens, 15);
    assert_eq!(b.agent(1).unwrap().turns, 2);
    b.apply(&at(40, finished(1, Some("P"), done(), 20)));
    assert_eq!(b.counts().done, 1);
    // The engine's figure replaces the running sum.
    assert_eq!(b.usage().output_tokens, 20);
    assert_eq!(b.phases()[1].usage.output_tokens, 20);
    assert_eq!(b.phases()[1].title(), "P");
    check_consistent(&b);
}

#[test]
fn cached_calls_count_toward_the_budget_but_not_what_the_run_paid() {
    let b = board(vec![
        at(0, queued(1, None)),
        at(
            0,
            finished(1, None, AgentEnd::Cached { value: json!(1) }, 50),
        ),
    ]);
    assert_eq!(b.counts().cached, 1);
    assert_eq!(b.usage().output_tokens, 0);
    assert_eq!(b.budget_spent(), 50);
    assert_eq!(b.agent(1).unwrap().status_word(), "cached");
    check_consistent(&b);
}

#[test]
fn null_and_rejected_are_failed_and_a_stop_says_stopped() {
    let b = board(vec![
        at(0, queued(1, None)),
        at(0, queued(2, None)),
        at(0, queued(3, None)),
        at(1, started(1, None)),
        at(1, started(2, None)),
        at(1, started(3, None)),
        at(
            2,
            finished(
                1,
                None,
                AgentEnd::Null {
                    reason: "timed out".into(),
                },
                1,
            ),
        ),
        at(
            2,
            finished(
                2,
                None,
                AgentEnd::Rejected {
                    message: "bad".into(),
                },
                1,
            ),
        ),
        at(
            2,
            finished(
                3,
                None,
                AgentEnd::Null {
                    reason: "stopped by the user".into(),
                },
                1,
            ),
        ),
    ]);
    assert_eq!(b.counts().failed, 3);
    assert_eq!(b.agent(1).unwrap().status_word(), "failed");
    assert_eq!(b.agent(3).unwrap().status_word(), "stopped");
    assert_eq!(b.agent(2).unwrap().doing, "rejected: bad");
    check_consistent(&b);
}

#[test]
fn odd_orders_never_panic_and_keep_the_counts_straight() {
    let b = board(vec![
        // A note and a finish for calls never queued.
        at(0, turn(7, 1, 3)),
        at(0, finished(8, Some("Late"), done(), 4)),
        // Finished before started: the start does not revive it.
        at(1, queued(9, None)),
        at(2, finished(9, None, done(), 1)),
        at(3, started(9, None)),
        at(3, turn(9, 1, 100)),
        // Repeated events.
        at(4, queued(10, Some("A"))),
        at(4, queued(10, Some("B"))),
        at(5, started(10, Some("B"))),
        at(5, started(10, Some("B"))),
        at(6, finished(10, Some("B"), done(), 2)),
        at(6, finished(10, Some("B"), done(), 2)),
        // Run events in any order.
        at(7, Event::RunUnpaused),
        at(7, Event::PhaseStarted { title: "A".into() }),
    ]);
    assert_eq!(b.agent(7).unwrap().status, AgentStatus::Running);
    assert_eq!(b.agent(8).unwrap().status, AgentStatus::Done);
    assert_eq!(b.agent(9).unwrap().status, AgentStatus::Done);
    // A late turn joins the transcript but not the engine's total.
    assert_eq!(b.agent(9).unwrap().usage.output_tokens, 1);
    assert_eq!(b.agent(9).unwrap().steps.len(), 1);
    assert_eq!(b.agent(10).unwrap().status, AgentStatus::Done);
    let titles: Vec<_> = b.phases().iter().map(|p| p.title()).collect();
    assert_eq!(titles, ["(no phase)", "Late", "A", "B"]);
    // #10 moved from A to B: A keeps nothing of it.
    assert_eq!(b.phases()[2].counts.total(), 0);
    assert_eq!(b.phases()[3].counts.done, 1);
    check_consistent(&b);
}

#[test]
fn phases_keep_meta_order_and_added_ones_follow() {
    let b = board(vec![
        at(
            0,
            Event::RunStarted {
                run_id: RunId::parse("wf_000000000001").unwrap(),
                workflow: "w".into(),
                phases: vec!["One".into(), "Two".into()],
            },
        ),
        at(
            1,
            Event::PhaseStarted {
                title: "Extra".into(),
            },
        ),
        at(
            2,
            Event::PhaseStarted {
                title: "Two".into(),
            },
        ),
    ]);
    let titles: Vec<_> = b.phases().iter().map(|p| p.title()).collect();
    assert_eq!(titles, ["(no phase)", "One", "Two", "Extra"]);
    assert!(b.phases()[1].in_meta && !b.phases()[3].in_meta);
    assert_eq!(b.current_phase(), Some(2));
    assert_eq!(b.logs().len(), 3);
}

#[test]
fn clocks_stop_when_things_end() {
    let mut b = board(vec![
        at(1_000, queued(1, Some("P"))),
        at(2_000, started(1, Some("P"))),
    ]);
    assert_eq!(b.agent(1).unwrap().elapsed(5_000), Some(3_000));
    assert_eq!(b.phases()[1].elapsed(5_000), Some(4_000));
    assert_eq!(b.elapsed(5_000), Some(4_000));
    b.apply(&at(6_000, finished(1, Some("P"), done(), 1)));
    // The engine's own measure, and the phase ends with its last agent.
    assert_eq!(b.agent(1).unwrap().elapsed(9_000), Some(1_000));
    assert_eq!(b.phases()[1].elapsed(9_000), Some(5_000));
    b.apply(&at(
        7_000,
        Event::RunFinished {
            status: RunStatus::Completed,
            error: None,
        },
    ));
    assert!(b.ended());
    assert_eq!(b.elapsed(60_000), Some(6_000));
}

#[test]
fn pause_and_end_set_the_status() {
    let mut b = board(vec![at(0, Event::RunPaused)]);
    assert_eq!(b.status(), RunStatus::Paused);
    b.apply(&at(1, Event::RunUnpaused));
    assert_eq!(b.status(), RunStatus::Running);
    // Unpausing is not `baton resume` (a new attempt of a run): the log says which.
    let said: Vec<&str> = b.logs().iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        said,
        [
            "paused: no new agent starts",
            "unpaused: agents start again"
        ]
    );
    b.apply(&at(
        2,
        Event::RunFinished {
            status: RunStatus::Stopped,
            error: Some("stopped by the user".into()),
        },
    ));
    // A late pause does not reopen a finished run.
    b.apply(&at(3, Event::RunPaused));
    assert_eq!(b.status(), RunStatus::Stopped);
    assert_eq!(b.error(), Some("stopped by the user"));
}

#[test]
fn a_restart_counts_turns_again_and_transcripts_stay_bounded() {
    let mut b = board(vec![at(0, queued(1, None)), at(0, started(1, None))]);
    b.apply(&at(1, turn(1, 1, 1)));
    b.apply(&at(1, turn(1, 2, 1)));
    b.apply(&at(
        2,
        Event::AgentNote {
            seq: 1,
            label: None,
            note: AgentNote::Restarted,
        },
    ));
    let agent = b.agent(1).unwrap();
    assert_eq!((agent.turns, agent.restarts), (0, 1));
    for i in 0..1_000 {
        b.apply(&at(
            3,
            Event::AgentNote {
                seq: 1,
                label: None,
                note: AgentNote::ToolResult {
                    name: "Read".into(),
                    is_error: false,
                    content: "x".repeat(10_000 + i),
                },
            },
        ));
    }
    let agent = b.agent(1).unwrap();
    assert_eq!(agent.steps.len() as u64 + agent.steps_dropped, 1_003);
    assert!(agent.steps.len() <= 400);
    assert!(agent.steps.iter().all(
        |s| !matches!(s, Step::ToolResult { content, .. } if content.chars().count() > 2_000)
    ));
}
