//! The loop around the monitor, on a stand-in screen: how it ends, that it carries keys out
//! through `Steer`, and that events between two frames cost one frame.

mod support;

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Sender};
use std::time::Duration;

use baton_model::{Event, RunStatus};
use baton_tui::crossterm::event::{Event as Input, KeyCode, KeyEvent, KeyModifiers};
use baton_tui::{drive, Action, Monitor, MonitorExit, MonitorOptions, Screen, Timed};
use ratatui::backend::TestBackend;
use ratatui::{Frame, Terminal};

/// What the stand-in does each time the loop waits for input.
enum Step {
    Key(KeyCode),
    CtrlC,
    Send(Event),
    Close,
}

struct FakeScreen {
    terminal: Terminal<TestBackend>,
    steps: VecDeque<Step>,
    sender: Option<Sender<Timed>>,
    frames: usize,
    edited: Vec<PathBuf>,
    interrupts: usize,
    leave_on_interrupt: bool,
}

impl FakeScreen {
    fn new(sender: Sender<Timed>, steps: Vec<Step>) -> Self {
        FakeScreen {
            terminal: Terminal::new(TestBackend::new(100, 30)).unwrap(),
            steps: steps.into(),
            sender: Some(sender),
            frames: 0,
            edited: Vec::new(),
            interrupts: 0,
            leave_on_interrupt: false,
        }
    }

    fn shown(&self) -> String {
        support::text(self.terminal.backend().buffer())
    }
}

impl Screen for FakeScreen {
    fn draw(&mut self, render: &mut dyn FnMut(&mut Frame)) -> io::Result<()> {
        self.frames += 1;
        self.terminal.draw(|frame| render(frame)).unwrap();
        Ok(())
    }

    fn input(&mut self, _timeout: Duration) -> io::Result<Option<Input>> {
        let step = self
            .steps
            .pop_front()
            .expect("the loop outlived its script");
        Ok(match step {
            Step::Key(code) => Some(Input::Key(KeyEvent::new(code, KeyModifiers::NONE))),
            Step::CtrlC => Some(Input::Key(KeyEvent::new(
                KeyCode::Char('c'),
                KeyModifiers::CONTROL,
            ))),
            Step::Send(event) => {
                let sender = self.sender.as_ref().unwrap();
                sender
                    .send(Timed {
                        at_ms: support::NOW,
                        event,
                    })
                    .unwrap();
                None
            }
            Step::Close => {
                self.sender = None;
                None
            }
        })
    }

    fn edit(&mut self, path: &Path) -> Result<(), String> {
        self.edited.push(path.to_path_buf());
        Err("vi exited with exit status: 1".into())
    }

    fn interrupt(&mut self) -> bool {
        self.interrupts += 1;
        self.leave_on_interrupt
    }

    fn now_ms(&self) -> i64 {
        support::NOW
    }
}

fn finished() -> Event {
    Event::RunFinished {
        status: RunStatus::Completed,
        error: None,
    }
}

fn options() -> MonitorOptions {
    MonitorOptions {
        script_path: Some("flow.workflow.js".into()),
        ..MonitorOptions::default()
    }
}

/// Runs the loop with the fixture run already sent; returns the exit, the screen and what
/// the steer was asked.
fn run(steps: Vec<Step>) -> (MonitorExit, FakeScreen, Vec<Action>) {
    let (sender, receiver) = channel();
    for timed in support::run_in_progress() {
        sender.send(timed).unwrap();
    }
    let mut screen = FakeScreen::new(sender, steps);
    let mut asked = Vec::new();
    let mut steer = |action: Action| {
        asked.push(action);
        if action == Action::StopRun {
            Err("the run is already stopping".to_string())
        } else {
            Ok(())
        }
    };
    let mut monitor = Monitor::new(options());
    let exit = drive(&mut screen, receiver, &mut steer, &mut monitor).unwrap();
    (exit, screen, asked)
}

#[test]
fn the_run_finishing_ends_the_loop_after_a_last_frame() {
    let (exit, screen, _) = run(vec![Step::Send(finished())]);
    assert_eq!(exit, MonitorExit::RunEnded);
    assert!(screen.shown().contains(" completed "), "{}", screen.shown());
}

#[test]
fn a_closed_channel_ends_the_loop() {
    let (exit, _, _) = run(vec![Step::Close]);
    assert_eq!(exit, MonitorExit::RunEnded);
}

#[test]
fn q_leaves_while_the_run_goes_on() {
    let (exit, _, asked) = run(vec![Step::Key(KeyCode::Char('q'))]);
    assert_eq!(exit, MonitorExit::Left);
    assert!(asked.is_empty());
}

#[test]
fn keys_are_carried_out_through_steer_and_reported() {
    let (exit, screen, asked) = run(vec![
        Step::Key(KeyCode::Char('p')),
        Step::Key(KeyCode::Char('x')),
        Step::Key(KeyCode::Char('r')),
        Step::Send(finished()),
    ]);
    assert_eq!(exit, MonitorExit::RunEnded);
    assert_eq!(asked, [Action::Unpause, Action::StopRun]);
    assert!(screen
        .shown()
        .contains("could not stop the run: the run is already stopping"));
}

#[test]
fn e_hands_the_script_to_the_editor_and_shows_its_failure() {
    let (_, screen, _) = run(vec![Step::Key(KeyCode::Char('e')), Step::Send(finished())]);
    assert_eq!(screen.edited, [PathBuf::from("flow.workflow.js")]);
    assert!(screen.shown().contains("vi exited with exit status: 1"));
}

#[test]
fn ctrl_c_interrupts_the_run_and_keeps_watching_it_end() {
    let (exit, screen, _) = run(vec![Step::CtrlC, Step::Send(finished())]);
    assert_eq!(screen.interrupts, 1);
    assert_eq!(exit, MonitorExit::RunEnded);
}

#[test]
fn events_between_two_frames_cost_one_frame() {
    // The whole fixture run (60-odd events) arrives before the first frame.
    let (_, screen, _) = run(vec![Step::Send(finished())]);
    assert_eq!(screen.frames, 2, "one frame for everything, one at the end");
}
