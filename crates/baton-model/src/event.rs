//! The one closed set of things that happen in a run. The stderr printer, the journal, the
//! monitor and `--json` all read these same events.

use crate::{AgentNote, AgentOptions, CallKey, RunId, Usage};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Paused,
    Completed,
    Failed,
    Stopped,
    /// Ended by a signal (Ctrl-C, `SIGTERM`, `SIGHUP`): agents stopped, journal closed.
    Interrupted,
    /// The process died without closing the run.
    Crashed,
}

impl RunStatus {
    pub fn parse(text: &str) -> Option<RunStatus> {
        Some(match text {
            "running" => RunStatus::Running,
            "paused" => RunStatus::Paused,
            "completed" => RunStatus::Completed,
            "failed" => RunStatus::Failed,
            "stopped" => RunStatus::Stopped,
            "interrupted" => RunStatus::Interrupted,
            "crashed" => RunStatus::Crashed,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Paused => "paused",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
            RunStatus::Stopped => "stopped",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Crashed => "crashed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogLevel {
    Info,
    Warn,
    Error,
}

/// How an agent call ended, as the script saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "end", rename_all = "snake_case")]
pub enum AgentEnd {
    /// The agent answered; `value` is what the script got.
    Completed { value: Value },
    /// An earlier run or attempt completed this call; its journaled result was returned
    /// without running the agent again.
    Cached { value: Value },
    /// The script got `null`; `reason` says why.
    Null { reason: String },
    /// The script's promise rejected with this message.
    Rejected { message: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    RunStarted {
        run_id: RunId,
        workflow: String,
        phases: Vec<String>,
    },
    PhaseStarted {
        title: String,
    },
    Log {
        level: LogLevel,
        text: String,
    },
    /// The script's `agent()` call was accepted: it waits for a slot (or takes its result from
    /// the journal at once). Everything that identifies the call is here.
    AgentQueued {
        seq: u64,
        key: CallKey,
        occurrence: u32,
        label: Option<String>,
        phase: Option<String>,
        model: String,
        prompt: String,
        options: Box<AgentOptions>,
    },
    /// A queued call got its slot and its agent began work.
    AgentStarted {
        seq: u64,
        label: Option<String>,
        phase: Option<String>,
        model: String,
    },
    /// Something a running agent did: a turn, a tool call, a retry.
    AgentNote {
        seq: u64,
        label: Option<String>,
        #[serde(flatten)]
        note: AgentNote,
    },
    AgentFinished {
        seq: u64,
        label: Option<String>,
        phase: Option<String>,
        #[serde(flatten)]
        end: AgentEnd,
        usage: Usage,
        elapsed_ms: u64,
    },
    /// No new agent starts until [`Event::RunUnpaused`]; running ones go on.
    RunPaused,
    RunUnpaused,
    RunFinished {
        status: RunStatus,
        error: Option<String>,
    },
}
