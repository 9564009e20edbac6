//! The monitor without a terminal: the [`Board`] plus what the user looks at (selection,
//! folded phases, filter, the open agent, help, the stop prompt, the status line).

use std::collections::HashMap;

use ratatui::Frame;

use crate::board::Board;
use crate::rows::{self, Filter, Row};
use crate::theme::Theme;
use crate::{Action, MonitorOptions, Timed};

/// Which screen the main area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    /// Phases and agents, the log pane below.
    List,
    /// One agent's prompt, transcript and end, by call number.
    Detail(u64),
    /// The whole log.
    Log,
}

/// The one-line question `x` asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StopPrompt {
    /// The agent it may stop: call number and name (`#12 reviewer`).
    pub agent: Option<(u64, String)>,
}

/// A line for the status line: what an action did, or why a key did nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub text: String,
    pub error: bool,
}

/// A scroll position that sticks to the end when it is there, so a live transcript or log
/// keeps showing its newest lines.
pub(crate) const FOLLOW: usize = usize::MAX;

pub struct Monitor {
    pub(crate) board: Board,
    pub(crate) options: MonitorOptions,
    pub(crate) theme: Theme,
    pub(crate) view: View,
    pub(crate) help: bool,
    pub(crate) prompt: Option<StopPrompt>,
    pub(crate) filter: Filter,
    /// Phases the user folded or unfolded; the others fold by themselves once their agents
    /// are all done and the script has moved on.
    pub(crate) folded: HashMap<usize, bool>,
    pub(crate) message: Option<Message>,
    /// The selected row, kept by identity so it stays put as rows come and go.
    pub(crate) selected: Option<Row>,
    pub(crate) selected_index: usize,
    /// First row shown, and how many fit (from the last frame; paging uses it).
    pub(crate) list_offset: usize,
    pub(crate) list_height: usize,
    /// Scroll of the detail or log view ([`FOLLOW`]: at the end), and its page height.
    pub(crate) scroll: usize,
    pub(crate) page: usize,
    /// The last scroll position that still fills the page (from the last frame).
    pub(crate) scroll_max: usize,
    /// The detail view shows the whole prompt, not its first lines.
    pub(crate) whole_prompt: bool,
    /// Widest label among the agents, for the label column (from the last rows build).
    pub(crate) label_width: usize,
    /// Largest call number, for the `#` column (from the last rows build).
    pub(crate) max_seq: u64,
    rows: Vec<Row>,
    /// The board generation and view generation the rows were built for.
    rows_built_for: Option<(u64, u64)>,
    view_generation: u64,
}

impl Monitor {
    pub fn new(options: MonitorOptions) -> Self {
        Monitor {
            board: Board::default(),
            theme: Theme::new(options.color),
            options,
            view: View::List,
            help: false,
            prompt: None,
            filter: Filter::All,
            folded: HashMap::new(),
            message: None,
            selected: None,
            selected_index: 0,
            list_offset: 0,
            list_height: 10,
            scroll: 0,
            page: 10,
            scroll_max: 0,
            whole_prompt: false,
            label_width: 0,
            max_seq: 1,
            rows: Vec::new(),
            rows_built_for: None,
            view_generation: 0,
        }
    }

    pub fn apply(&mut self, timed: &Timed) {
        self.board.apply(timed);
    }

    pub fn board(&self) -> &Board {
        &self.board
    }

    pub fn options(&self) -> &MonitorOptions {
        &self.options
    }

    /// `RunFinished` arrived: the loop draws once more and returns.
    pub fn run_ended(&self) -> bool {
        self.board.ended()
    }

    /// The active status filter.
    pub fn filter(&self) -> Filter {
        self.filter
    }

    /// The call number of the agent whose detail is open.
    pub fn detail(&self) -> Option<u64> {
        match self.view {
            View::Detail(seq) => Some(seq),
            _ => None,
        }
    }

    /// The call number of the selected agent row, if an agent is selected.
    pub fn selected_agent(&self) -> Option<u64> {
        match self.selected {
            Some(Row::Agent(i)) => self.board.agents().get(i).map(|a| a.seq),
            _ => None,
        }
    }

    /// Tells the monitor how an action went, for the status line.
    pub fn report(&mut self, action: Action, result: Result<(), String>) {
        let what = match action {
            Action::StopRun => "stop the run".to_string(),
            Action::StopAgent(seq) => format!("stop agent {}", self.agent_name(seq)),
            Action::Pause => "pause the run".to_string(),
            Action::Unpause => "resume the run".to_string(),
            Action::RestartAgent(seq) => format!("restart agent {}", self.agent_name(seq)),
        };
        match result {
            Ok(()) => self.say(format!("asked to {what}")),
            Err(error) => self.complain(format!("could not {what}: {error}")),
        }
    }

    /// Shows a line in the status line until the next key.
    pub fn say(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    /// Shows an error in the status line until the next key.
    pub fn complain(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    pub fn draw(&mut self, frame: &mut Frame, now_ms: i64) {
        crate::draw::draw(self, frame, now_ms);
    }

    pub(crate) fn agent_name(&self, seq: u64) -> String {
        self.board
            .agent(seq)
            .map_or_else(|| format!("#{seq}"), |a| a.name())
    }

    /// Whether a phase hides its agents now.
    pub(crate) fn is_folded(&self, phase: usize) -> bool {
        if let Some(&folded) = self.folded.get(&phase) {
            return folded;
        }
        // Folding by itself would hide what a filter is looking for.
        if self.filter != Filter::All {
            return false;
        }
        let record = &self.board.phases()[phase];
        record.counts.total() > 0
            && record.counts.active() == 0
            && self.board.current_phase() != Some(phase)
    }

    /// Something the rows depend on (filter, folding) changed.
    pub(crate) fn view_changed(&mut self) {
        self.view_generation += 1;
    }

    /// The list's rows, rebuilt when the board or the view changed; the selection follows
    /// its row, or falls back to its phase, or to the same position.
    pub(crate) fn rows(&mut self) -> &[Row] {
        let stamp = (self.board.generation(), self.view_generation);
        if self.rows_built_for != Some(stamp) {
            let mut rows = std::mem::take(&mut self.rows);
            rows::build(&self.board, self.filter, |p| self.is_folded(p), &mut rows);
            self.rows = rows;
            self.label_width = self
                .board
                .agents()
                .iter()
                .map(|a| a.label.as_deref().map_or(0, crate::format::width))
                .max()
                .unwrap_or(0);
            self.max_seq = self.board.agents().iter().map(|a| a.seq).max().unwrap_or(1);
            self.rows_built_for = Some(stamp);
            self.reselect();
        }
        &self.rows
    }

    /// The rows as last built by [`Monitor::rows`].
    pub(crate) fn cached_rows(&self) -> &[Row] {
        &self.rows
    }

    fn reselect(&mut self) {
        if self.rows.is_empty() {
            self.selected = None;
            self.selected_index = 0;
            return;
        }
        let found = self.selected.and_then(|row| {
            self.rows
                .iter()
                .position(|r| *r == row)
                .or_else(|| match row {
                    Row::Agent(i) => {
                        let phase = self.board.agents().get(i)?.phase;
                        self.rows.iter().position(|r| *r == Row::Phase(phase))
                    }
                    Row::Phase(_) => None,
                })
        });
        let index = found.unwrap_or(self.selected_index.min(self.rows.len() - 1));
        self.selected_index = index;
        self.selected = Some(self.rows[index]);
    }

    /// Moves the selection by `delta` rows (clamped).
    pub(crate) fn move_selection(&mut self, delta: isize) {
        let len = self.rows().len();
        if len == 0 {
            return;
        }
        let index = self
            .selected_index
            .saturating_add_signed(delta)
            .min(len - 1);
        self.selected_index = index;
        self.selected = Some(self.rows[index]);
    }
}
