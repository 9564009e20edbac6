//! The seam between the script sandbox and whoever runs agents: the [`Host`] trait the sandbox
//! calls into, and the [`InboxMessage`]s that come back to settle calls or stop the run.

use baton_model::LogLevel;
use serde_json::Value;

use crate::Script;

/// What the sandbox asks of the engine. Called on the script's own thread, never re-entered.
pub trait Host {
    /// An `agent()` call numbered `call` (1, 2, … in call order). `Ok` means it was accepted and
    /// will be settled later through the inbox; `Err` rejects the script's promise at once
    /// (agent cap reached, budget spent, bad options).
    fn start_agent(&mut self, call: u64, prompt: String, options: Value) -> Result<(), HostError>;
    /// A `log()` / `console.*` line, or a warning from the sandbox itself.
    fn log(&mut self, level: LogLevel, text: String);
    /// `phase(title)`.
    fn phase(&mut self, title: String);
    /// Output tokens spent by the run so far (`budget.spent()`).
    fn budget_spent(&mut self) -> u64;
    /// Finds and loads a saved workflow for `workflow(nameOrRef)`; `reference` is the script's
    /// argument as JSON (a name, or an object with `scriptPath`). `Err` is the rejection message.
    fn load_workflow(&mut self, reference: Value) -> Result<Script, String>;
}

/// A rejection handed to the script: it sees an `Error` with this `name` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    pub name: String,
    pub message: String,
}

impl HostError {
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        HostError {
            name: name.into(),
            message: message.into(),
        }
    }
}

/// Messages to the script's thread.
#[derive(Debug)]
pub enum InboxMessage {
    /// Settles agent call `call`: resolve with the value (`null` included) or reject.
    Settle {
        call: u64,
        result: Result<Value, HostError>,
    },
    /// Ends the run now, as stopped.
    Stop,
}

pub type Inbox = std::sync::mpsc::Receiver<InboxMessage>;
pub type InboxSender = std::sync::mpsc::Sender<InboxMessage>;
