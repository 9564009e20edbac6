//! The monitor's loop, over any [`Screen`]: take every event that arrived, redraw at a steady
//! rate (events between two frames cost one frame), wait for keys until the next tick, and
//! carry keys out. The run is never waited on: events come through an unbounded channel that
//! is only ever read with `try_recv`.

use std::io;
use std::path::Path;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ratatui::crossterm::event::Event as Input;
use ratatui::Frame;

use crate::{KeyOutcome, Monitor, MonitorExit, Steer, Timed};

/// A frame at least this often, for the clocks, even when nothing happens.
const CLOCK_REDRAW: Duration = Duration::from_secs(1);
/// Events taken before a frame is drawn anyway, so a flood cannot starve the screen.
const MAX_EVENTS_PER_FRAME: usize = 50_000;

/// Where the monitor draws and reads keys: the real terminal, or a stand-in (the benchmark).
pub trait Screen {
    /// Draws one frame (ratatui's `Terminal::draw`: only changed cells are written).
    fn draw(&mut self, render: &mut dyn FnMut(&mut Frame)) -> io::Result<()>;

    /// The next input, waiting at most `timeout`; `None` when none came.
    fn input(&mut self, timeout: Duration) -> io::Result<Option<Input>>;

    /// Hands the terminal to `$EDITOR` on `path` until it exits. `Err` is a message.
    fn edit(&mut self, path: &Path) -> Result<(), String>;

    /// Ctrl-C. True when the monitor should leave now; false when the run is being
    /// interrupted and will end by itself.
    fn interrupt(&mut self) -> bool;

    /// Wall-clock time in ms since the Unix epoch, the clock events are stamped with.
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }
}

/// Runs the monitor until the run ends (`RunFinished`, or the channel closes) or the user
/// leaves. Draws a last frame before returning `RunEnded`.
pub fn drive<S: Screen>(
    screen: &mut S,
    events: Receiver<Timed>,
    steer: &mut dyn Steer,
    monitor: &mut Monitor,
) -> io::Result<MonitorExit> {
    let fps = match monitor.options().fps {
        0 => 10,
        fps => fps.min(1000),
    };
    let tick = Duration::from_millis(1000 / u64::from(fps));
    let mut dirty = true;
    let mut last_draw: Option<Instant> = None;
    let mut deadline = Instant::now();
    loop {
        let mut closed = false;
        let mut taken = 0;
        while taken < MAX_EVENTS_PER_FRAME {
            match events.try_recv() {
                Ok(timed) => {
                    monitor.apply(&timed);
                    dirty = true;
                    taken += 1;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        if monitor.run_ended() || closed {
            draw(screen, monitor)?;
            return Ok(MonitorExit::RunEnded);
        }
        let now = Instant::now();
        if dirty || last_draw.is_none_or(|at| now - at >= CLOCK_REDRAW) {
            draw(screen, monitor)?;
            last_draw = Some(now);
            dirty = false;
        }
        if now >= deadline {
            // The next tick; a late one does not make the loop try to catch up.
            deadline = (deadline + tick).max(now);
        }
        let behind = taken == MAX_EVENTS_PER_FRAME;
        let wait = if behind {
            Duration::ZERO
        } else {
            deadline.saturating_duration_since(Instant::now())
        };
        match screen.input(wait)? {
            Some(Input::Key(key)) => {
                dirty = true;
                match monitor.handle_key(key) {
                    KeyOutcome::None => {}
                    KeyOutcome::Act(action) => {
                        let result = steer.act(action);
                        monitor.report(action, result);
                    }
                    KeyOutcome::OpenEditor => {
                        if let Some(path) = monitor.options().script_path.clone() {
                            if let Err(error) = screen.edit(&path) {
                                monitor.complain(error);
                            }
                        }
                    }
                    KeyOutcome::Quit => return Ok(MonitorExit::Left),
                    KeyOutcome::Interrupt => {
                        if screen.interrupt() {
                            return Ok(MonitorExit::Left);
                        }
                        monitor.say("interrupting the run…");
                    }
                }
            }
            Some(Input::Resize(..)) => dirty = true,
            Some(_) | None => {}
        }
    }
}

fn draw<S: Screen>(screen: &mut S, monitor: &mut Monitor) -> io::Result<()> {
    let now_ms = screen.now_ms();
    screen.draw(&mut |frame| monitor.draw(frame, now_ms))
}
