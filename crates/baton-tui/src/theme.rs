//! Every style the monitor uses, in one place, so that `NO_COLOR` is one switch: without
//! colour only bold, dim, reverse and underline remain.

use baton_model::RunStatus;
use ratatui::style::{Color, Modifier, Style};

use crate::board::{AgentStatus, LogKind};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Theme { color }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn plain(&self) -> Style {
        Style::new()
    }

    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The selected row: reverse video reads the same with and without colour.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn phase(&self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    pub fn prompt(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red)
    }

    pub fn agent(&self, status: AgentStatus) -> Style {
        match status {
            AgentStatus::Queued => self.dim(),
            AgentStatus::Running => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            AgentStatus::Done => self.fg(Color::Green),
            AgentStatus::Cached => self.fg(Color::Cyan),
            AgentStatus::Failed => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    pub fn run(&self, status: RunStatus) -> Style {
        let style = match status {
            RunStatus::Running => self.fg(Color::Yellow),
            RunStatus::Paused => self.fg(Color::Magenta),
            RunStatus::Completed => self.fg(Color::Green),
            RunStatus::Failed | RunStatus::Crashed => self.fg(Color::Red),
            RunStatus::Stopped | RunStatus::Interrupted => self.fg(Color::Red),
        };
        style.add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    pub fn log(&self, kind: LogKind) -> Style {
        match kind {
            LogKind::Info => self.plain(),
            LogKind::Warn => self.fg(Color::Yellow),
            LogKind::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            LogKind::Phase => self.phase(),
            LogKind::Run => self.dim(),
        }
    }

    /// A share of a cap: red past 90 %.
    pub fn gauge(&self, share: Option<f64>) -> Style {
        match share {
            Some(share) if share >= 0.9 => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            _ => self.plain(),
        }
    }
}

/// The one-character mark of an agent's status, readable without colour.
pub fn mark(status: AgentStatus) -> &'static str {
    match status {
        AgentStatus::Queued => "·",
        AgentStatus::Running => "▶",
        AgentStatus::Done => "✓",
        AgentStatus::Cached => "≡",
        AgentStatus::Failed => "✗",
    }
}
