//! The live monitor: a terminal view over a run's [`Event`]s, with keys to steer the run.
//!
//! `baton run` shows it when stderr is a terminal and `baton watch` for a run of another
//! process. It holds no business logic: it builds a [`Board`] from the events it is sent, draws
//! it, and turns keys into [`Action`]s that the caller carries out through [`Steer`].
//!
//! - [`run_monitor`] owns the terminal (stderr) until the run ends or the user leaves.
//! - [`Monitor`] is the state and the view without a terminal: feed it [`Timed`] events, hand it
//!   keys, draw it on any ratatui backend (the snapshot tests use `TestBackend`).
//! - [`drive`] is the loop [`run_monitor`] runs, over any [`Screen`] (the benchmark's is a
//!   terminal that writes to a sink).
//! - [`MonitorSink`] is the run's side: an `EventSink` that sends [`Timed`] events.
//!
//! The run side only ever does `sender.send(Timed)` on an unbounded channel: the monitor never
//! holds anything the run waits for.
//!
//! ```no_run
//! use baton_tui::{run_monitor, Action, MonitorExit, MonitorOptions, MonitorSink};
//!
//! let (sink, events) = MonitorSink::channel();
//! // … start the run with `sink` among its event sinks, on another thread …
//! # drop(sink);
//! let steer = |action: Action| -> Result<(), String> { Ok(()) /* RunControl::stop() etc. */ };
//! match run_monitor(events, Box::new(steer), MonitorOptions::default())? {
//!     MonitorExit::RunEnded => { /* print the summary */ }
//!     MonitorExit::Left => eprintln!("left the monitor; the run goes on"),
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

mod board;
mod draw;
mod driver;
mod format;
mod keys;
mod monitor;
mod rows;
mod sink;
mod terminal;
mod theme;

use std::path::PathBuf;

pub use baton_model::Event;
pub use board::{AgentRecord, AgentStatus, Board, Counts, LogEntry, LogKind, PhaseRecord, Step};
pub use driver::{drive, Screen};
pub use monitor::Monitor;
/// The crossterm ratatui draws with; keys (`crossterm::event::KeyEvent`) are its types.
pub use ratatui::crossterm;
pub use rows::Filter;
pub use sink::MonitorSink;
pub use terminal::{color_from_env, run_monitor};

/// Caps and budget to show against (`None`: no cap).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Caps {
    pub max_agents: Option<u64>,
    pub concurrency: Option<u64>,
    /// Output tokens, as the engine counts the budget.
    pub budget_tokens: Option<u64>,
    pub max_cost_usd: Option<f64>,
}

/// What the user asked for; the caller carries it out (in-process, or through the journal for
/// `baton watch`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    StopRun,
    StopAgent(u64),
    Pause,
    Unpause,
    RestartAgent(u64),
}

/// The caller's way to carry actions out. `Err` is a message for the monitor's status line.
pub trait Steer: Send {
    fn act(&mut self, action: Action) -> Result<(), String>;
}

/// Any closure steers.
impl<F: FnMut(Action) -> Result<(), String> + Send> Steer for F {
    fn act(&mut self, action: Action) -> Result<(), String> {
        self(action)
    }
}

/// An event with the wall-clock time it happened, in ms since the Unix epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    pub at_ms: i64,
    pub event: Event,
}

#[derive(Debug, Clone)]
pub struct MonitorOptions {
    pub caps: Caps,
    /// The script `e` opens in `$EDITOR`; `None` when there is no file (the key says so).
    pub script_path: Option<PathBuf>,
    /// False for no colour at all (bold and reverse stay). [`run_monitor`] also honours
    /// `NO_COLOR` itself; [`Monitor`] takes this as given, so tests do not depend on the
    /// environment.
    pub color: bool,
    /// Redraws per second while something changes (0 means 10).
    pub fps: u32,
    /// True for `baton watch`: the run goes on in its own process when the user leaves.
    pub watching: bool,
}

impl Default for MonitorOptions {
    fn default() -> Self {
        MonitorOptions {
            caps: Caps::default(),
            script_path: None,
            color: true,
            fps: 10,
            watching: false,
        }
    }
}

/// Why [`run_monitor`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorExit {
    /// `RunFinished` arrived (or the event channel closed): the caller prints the summary.
    RunEnded,
    /// The user pressed `q`: the run goes on, and the caller says so.
    Left,
}

/// What a key asks of the loop around the [`Monitor`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOutcome {
    /// Handled inside the monitor (or ignored).
    None,
    /// Carry this out with [`Steer::act`], then tell [`Monitor::report`] how it went.
    Act(Action),
    /// Open the script in `$EDITOR`.
    OpenEditor,
    /// Leave the monitor; the run goes on.
    Quit,
    /// Ctrl-C: raw mode keeps it from becoming SIGINT, so [`run_monitor`] raises SIGINT
    /// itself and the run is interrupted as it would be without the monitor (when nothing
    /// handles SIGINT, the terminal is given back first). When watching, it only leaves.
    Interrupt,
}
