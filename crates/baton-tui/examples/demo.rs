//! The monitor on a made-up run, to try it by hand: 200 agents, 8 at a time, 2 s each.
//! `p` pauses the made-up run for real (no new agents start); other actions only report.
//!
//! `cargo run -p baton-tui --example demo [-- <script-path>]`

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use baton_model::{AgentEnd, AgentNote, CallKey, Event, LogLevel, RunId, RunStatus, Usage};
use baton_tui::{run_monitor, Action, Caps, MonitorOptions, Timed};
use serde_json::json;

const AGENTS: u64 = 200;
const SLOTS: u64 = 8;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn send(sender: &Sender<Timed>, event: Event) {
    let _ = sender.send(Timed {
        at_ms: now_ms(),
        event,
    });
}

fn main() -> std::io::Result<()> {
    let (sender, receiver) = channel();
    let paused = Arc::new(AtomicBool::new(false));
    let run = {
        let (sender, paused) = (sender.clone(), paused.clone());
        std::thread::spawn(move || simulate(&sender, &paused))
    };
    let steer = {
        let sender = sender.clone();
        move |action: Action| {
            match action {
                Action::Pause => {
                    paused.store(true, Ordering::SeqCst);
                    send(&sender, Event::RunPaused);
                }
                Action::Unpause => {
                    paused.store(false, Ordering::SeqCst);
                    send(&sender, Event::RunUnpaused);
                }
                _ => return Err("the demo run does not do that".to_string()),
            }
            Ok(())
        }
    };
    drop(sender);
    let exit = run_monitor(
        receiver,
        Box::new(steer),
        MonitorOptions {
            caps: Caps {
                max_agents: Some(1000),
                concurrency: Some(SLOTS),
                budget_tokens: Some(500_000),
                max_cost_usd: Some(10.0),
            },
            script_path: std::env::args().nth(1).map(Into::into),
            ..MonitorOptions::default()
        },
    )?;
    eprintln!("monitor: {exit:?}");
    if exit == baton_tui::MonitorExit::RunEnded {
        let _ = run.join();
    }
    Ok(())
}

fn simulate(sender: &Sender<Timed>, paused: &AtomicBool) {
    send(
        sender,
        Event::RunStarted {
            run_id: RunId::generate(),
            workflow: "demo".into(),
            phases: vec!["Work".into(), "Wrap up".into()],
        },
    );
    send(
        sender,
        Event::PhaseStarted {
            title: "Work".into(),
        },
    );
    let phase = Some("Work".to_string());
    for seq in 1..=AGENTS {
        send(
            sender,
            Event::AgentQueued {
                seq,
                key: CallKey(format!("{seq}")),
                occurrence: 0,
                label: Some(format!("task-{seq}")),
                phase: phase.clone(),
                model: "sim".into(),
                prompt: format!("Do task {seq}.\nThen report."),
                options: Box::default(),
            },
        );
    }
    let mut next = 1;
    let mut running: Vec<(u64, u32)> = Vec::new();
    while next <= AGENTS || !running.is_empty() {
        while running.len() < SLOTS as usize && next <= AGENTS && !paused.load(Ordering::SeqCst) {
            send(
                sender,
                Event::AgentStarted {
                    seq: next,
                    label: Some(format!("task-{next}")),
                    phase: phase.clone(),
                    model: "sim".into(),
                },
            );
            running.push((next, 0));
            next += 1;
        }
        std::thread::sleep(Duration::from_millis(250));
        for (seq, step) in running.iter_mut() {
            *step += 1;
            let note = |note| Event::AgentNote {
                seq: *seq,
                label: None,
                note,
            };
            match *step {
                2 => send(
                    sender,
                    note(AgentNote::ToolCall {
                        turn: 1,
                        name: "Bash".into(),
                        summary: format!("Bash: cargo test -p crate-{seq}"),
                        input: json!({}),
                    }),
                ),
                5 => send(
                    sender,
                    note(AgentNote::ToolResult {
                        name: "Bash".into(),
                        is_error: false,
                        content: "test result: ok. 3 passed".into(),
                    }),
                ),
                6 => send(
                    sender,
                    note(AgentNote::Turn {
                        turn: 1,
                        usage: Usage {
                            input_tokens: 2_000,
                            output_tokens: 300,
                            ..Usage::default()
                        },
                        text: "Tests pass.".into(),
                    }),
                ),
                _ => {}
            }
        }
        running.retain(|&(seq, step)| {
            if step < 8 {
                return true;
            }
            send(
                sender,
                Event::AgentFinished {
                    seq,
                    label: Some(format!("task-{seq}")),
                    phase: Some("Work".into()),
                    end: AgentEnd::Completed {
                        value: json!({"ok": true}),
                    },
                    usage: Usage {
                        input_tokens: 2_000,
                        output_tokens: 300,
                        ..Usage::default()
                    },
                    elapsed_ms: 2_000,
                },
            );
            if seq % 25 == 0 {
                send(
                    sender,
                    Event::Log {
                        level: LogLevel::Info,
                        text: format!("{seq} tasks done"),
                    },
                );
            }
            false
        });
    }
    send(
        sender,
        Event::RunFinished {
            status: RunStatus::Completed,
            error: None,
        },
    );
}
