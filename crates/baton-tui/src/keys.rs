//! What each key does. Keys that steer the run become a [`KeyOutcome::Act`] for the caller;
//! the rest change only the view. Every key listed here is in the help line and the help
//! overlay (`draw/help.rs`).

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::board::AgentStatus;
use crate::monitor::{Monitor, StopPrompt, View, FOLLOW};
use crate::rows::{Filter, Row};
use crate::{Action, KeyOutcome};

impl Monitor {
    pub fn handle_key(&mut self, key: KeyEvent) -> KeyOutcome {
        // Terminals that report releases would otherwise act twice.
        if key.kind == KeyEventKind::Release {
            return KeyOutcome::None;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return KeyOutcome::Interrupt;
        }
        self.message = None;
        if let Some(prompt) = self.prompt.take() {
            return self.answer_stop(prompt, key.code);
        }
        if self.help {
            // Any key closes the help; `q` still leaves.
            self.help = false;
            return match key.code {
                KeyCode::Char('q') => KeyOutcome::Quit,
                _ => KeyOutcome::None,
            };
        }
        match key.code {
            KeyCode::Char('q') => KeyOutcome::Quit,
            KeyCode::Char('?') => {
                self.help = true;
                KeyOutcome::None
            }
            KeyCode::Char('x') => self.ask_stop(),
            KeyCode::Char('p') => self.toggle_pause(),
            KeyCode::Char('r') => self.restart(),
            KeyCode::Char('e') => self.edit(),
            KeyCode::Char('f') => {
                self.filter = self.filter.next();
                self.view_changed();
                KeyOutcome::None
            }
            KeyCode::Char('L') => {
                self.view = if self.view == View::Log {
                    View::List
                } else {
                    self.scroll = FOLLOW;
                    View::Log
                };
                KeyOutcome::None
            }
            _ => {
                match self.view {
                    View::List => self.list_key(key.code),
                    View::Detail(_) | View::Log => self.scroll_key(key.code),
                }
                KeyOutcome::None
            }
        }
    }

    /// The agent a key acts on: the open one, else the selected one.
    fn target(&self) -> Option<u64> {
        self.detail().or_else(|| self.selected_agent())
    }

    fn ask_stop(&mut self) -> KeyOutcome {
        if self.board.ended() {
            self.say("the run has ended");
            return KeyOutcome::None;
        }
        let agent = self
            .target()
            .and_then(|seq| self.board.agent(seq))
            .filter(|a| a.status.is_active())
            .map(|a| (a.seq, a.name()));
        self.prompt = Some(StopPrompt { agent });
        KeyOutcome::None
    }

    fn answer_stop(&mut self, prompt: StopPrompt, code: KeyCode) -> KeyOutcome {
        match (code, &prompt.agent) {
            (KeyCode::Char('a'), Some((seq, _))) => KeyOutcome::Act(Action::StopAgent(*seq)),
            (KeyCode::Char('r'), _) => KeyOutcome::Act(Action::StopRun),
            (KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('x'), _) => {
                self.say("nothing stopped");
                KeyOutcome::None
            }
            // Anything else: the question stays until it is answered.
            _ => {
                self.prompt = Some(prompt);
                KeyOutcome::None
            }
        }
    }

    fn toggle_pause(&mut self) -> KeyOutcome {
        if self.board.ended() {
            self.say("the run has ended");
            return KeyOutcome::None;
        }
        if self.board.status() == baton_model::RunStatus::Paused {
            KeyOutcome::Act(Action::Unpause)
        } else {
            KeyOutcome::Act(Action::Pause)
        }
    }

    fn restart(&mut self) -> KeyOutcome {
        let Some(agent) = self.target().and_then(|seq| self.board.agent(seq)) else {
            self.say("select a running agent to restart it");
            return KeyOutcome::None;
        };
        if agent.status != AgentStatus::Running {
            let text = format!(
                "agent {} is {}: only a running agent restarts",
                agent.name(),
                agent.status_word()
            );
            self.say(text);
            return KeyOutcome::None;
        }
        KeyOutcome::Act(Action::RestartAgent(agent.seq))
    }

    fn edit(&mut self) -> KeyOutcome {
        if self.options.script_path.is_none() {
            self.say("no script file to open");
            return KeyOutcome::None;
        }
        KeyOutcome::OpenEditor
    }

    fn list_key(&mut self, code: KeyCode) {
        let page = self.list_height.max(1) as isize;
        match code {
            KeyCode::Up | KeyCode::Char('k') => self.move_selection(-1),
            KeyCode::Down | KeyCode::Char('j') => self.move_selection(1),
            KeyCode::PageUp => self.move_selection(-page),
            KeyCode::PageDown => self.move_selection(page),
            KeyCode::Home | KeyCode::Char('g') => self.move_selection(isize::MIN),
            KeyCode::End | KeyCode::Char('G') => self.move_selection(isize::MAX),
            KeyCode::Enter => match self.selected {
                Some(Row::Phase(p)) => self.fold(p, !self.is_folded(p)),
                Some(Row::Agent(_)) => self.open_selected(),
                None => {}
            },
            KeyCode::Char(' ') => {
                if let Some(p) = self.selected_phase() {
                    self.fold(p, !self.is_folded(p));
                }
            }
            KeyCode::Left | KeyCode::Char('h') => {
                if let Some(p) = self.selected_phase() {
                    self.selected = Some(Row::Phase(p));
                    self.fold(p, true);
                }
            }
            KeyCode::Right | KeyCode::Char('l') => match self.selected {
                Some(Row::Phase(p)) => self.fold(p, false),
                Some(Row::Agent(_)) => self.open_selected(),
                None => {}
            },
            KeyCode::Esc if self.filter != Filter::All => {
                self.filter = Filter::All;
                self.view_changed();
            }
            _ => {}
        }
    }

    /// The phase of the selected row (itself, or the agent's).
    fn selected_phase(&self) -> Option<usize> {
        match self.selected? {
            Row::Phase(p) => Some(p),
            Row::Agent(i) => self.board.agents().get(i).map(|a| a.phase),
        }
    }

    fn fold(&mut self, phase: usize, folded: bool) {
        self.folded.insert(phase, folded);
        self.view_changed();
    }

    fn open_selected(&mut self) {
        if let Some(seq) = self.selected_agent() {
            self.view = View::Detail(seq);
            self.scroll = 0;
            self.whole_prompt = false;
        }
    }

    /// Keys of the detail and log views: scrolling, and back to the list.
    fn scroll_key(&mut self, code: KeyCode) {
        let page = self.page.max(1);
        match code {
            KeyCode::Up | KeyCode::Char('k') => self.scroll_to(self.position().saturating_sub(1)),
            KeyCode::Down | KeyCode::Char('j') => self.scroll_to(self.position().saturating_add(1)),
            KeyCode::PageUp => self.scroll_to(self.position().saturating_sub(page)),
            KeyCode::PageDown | KeyCode::Char(' ') => {
                self.scroll_to(self.position().saturating_add(page))
            }
            KeyCode::Home | KeyCode::Char('g') => self.scroll = 0,
            KeyCode::Char('P') if matches!(self.view, View::Detail(_)) => {
                self.whole_prompt = !self.whole_prompt
            }
            KeyCode::End | KeyCode::Char('G') => self.scroll = FOLLOW,
            KeyCode::Esc
            | KeyCode::Enter
            | KeyCode::Backspace
            | KeyCode::Left
            | KeyCode::Char('h') => self.view = View::List,
            _ => {}
        }
    }

    /// The scroll position as last drawn ([`FOLLOW`] resolved).
    fn position(&self) -> usize {
        self.scroll.min(self.scroll_max)
    }

    /// Scrolls; reaching the end follows new lines again.
    fn scroll_to(&mut self, position: usize) {
        self.scroll = if position >= self.scroll_max {
            FOLLOW
        } else {
            position
        };
    }
}
