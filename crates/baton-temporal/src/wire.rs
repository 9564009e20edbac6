//! What travels through Temporal: an agent call (the activity's input), how it ended with its
//! transcript (the output), its progress (the heartbeat details), and the activity id that ties
//! them to the run, the call's content key and its occurrence.

use baton_model::{AgentCall, AgentNote, AgentOutcome, CallKey, RunId, Usage};
use serde::{Deserialize, Serialize};

/// Temporal refuses payloads over 2 MB (and warns over 512 KB): an activity's input or result
/// whose JSON is larger than this travels through the git home by reference.
pub const INLINE_LIMIT: usize = 256 * 1024;

/// An activity's input or result as Temporal carries it: the value itself, or, when large,
/// where its JSON is stored: a git blob in the git home, under `refs/baton/blobs/<sha>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "carried", rename_all = "snake_case")]
pub enum Carried<T> {
    Inline {
        value: T,
    },
    Stored {
        home: String,
        sha: String,
        bytes: usize,
    },
}

/// One `agent()` call as a worker receives it: the call as the coordinator resolved it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentTask {
    #[serde(flatten)]
    pub call: AgentCall,
    /// Where the agent's changes go (`--git-home`); `None`: it works in the worker's
    /// directory, and isolated agents are refused.
    #[serde(default)]
    pub git: Option<GitTask>,
}

/// The git home both sides reach and the run's base commit, pushed there as
/// `refs/baton/<run>/base` by the coordinator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GitTask {
    pub home: String,
    pub base: String,
}

/// An attempt's changes, committed on top of the base and pushed to the git home.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commit {
    pub sha: String,
    /// The ref in the git home: `refs/baton/<run>/<call>/<attempt>`.
    pub pushed: String,
}

/// How the agent ended on the worker, with every note of the attempt that produced it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentReport {
    pub outcome: AgentOutcome,
    pub notes: Vec<AgentNote>,
    /// Temporal's attempt number of the activity that produced this report.
    pub attempt: u32,
    /// The worker that ran it (`--identity`, else host and pid).
    pub worker: String,
    /// What the agent changed, when it worked in a worktree and changed something.
    #[serde(default)]
    pub commit: Option<Commit>,
}

/// A running agent's progress, sent as heartbeat details: what the coordinator's monitor shows.
/// `notes` are the attempt's notes so far, each clipped so a heartbeat stays small; the report
/// carries them whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub attempt: u32,
    pub turn: u32,
    pub usage: Usage,
    /// The tool running now, if any.
    pub tool: Option<String>,
    pub notes: Vec<AgentNote>,
    pub worker: String,
    /// About how many bytes `notes` take.
    #[serde(default)]
    pub notes_bytes: usize,
}

/// Text of a note above this many bytes is cut in a heartbeat (the report has it whole).
const HEARTBEAT_TEXT_LIMIT: usize = 2_000;
/// Notes stop going into heartbeats past about this many bytes, so heartbeats stay far below
/// Temporal's payload limit; the report still carries every note.
const HEARTBEAT_NOTES_LIMIT: usize = 128 * 1024;

impl Progress {
    /// Counts a note into the progress.
    pub fn record(&mut self, note: &AgentNote) {
        match note {
            AgentNote::Turn { turn, usage, .. } => {
                self.turn = *turn;
                self.usage += *usage;
                self.tool = None;
            }
            AgentNote::ToolCall { summary, .. } => self.tool = Some(summary.clone()),
            AgentNote::ToolResult { .. } => self.tool = None,
            AgentNote::Restarted => {
                self.notes.clear();
                self.notes_bytes = 0;
                self.turn = 0;
                self.tool = None;
            }
            _ => {}
        }
        // The notes relayed so far are a prefix of the report's: stopping here loses nothing.
        if self.notes_bytes < HEARTBEAT_NOTES_LIMIT {
            let note = clipped(note.clone());
            self.notes_bytes += serde_json::to_string(&note).map_or(0, |s| s.len());
            self.notes.push(note);
        }
    }
}

fn clipped(mut note: AgentNote) -> AgentNote {
    let text = match &mut note {
        AgentNote::Turn { text, .. } => text,
        AgentNote::ToolResult { content, .. } => content,
        _ => return note,
    };
    if text.len() > HEARTBEAT_TEXT_LIMIT {
        let mut end = HEARTBEAT_TEXT_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("… (cut in the heartbeat)");
    }
    note
}

/// The activity id of a call: the same for the same run, content key and occurrence, so a
/// coordinator that resumes finds the activity it started before it died.
pub fn activity_id(run_id: &RunId, key: &CallKey, occurrence: u32) -> String {
    format!("baton-{run_id}-{key}-{occurrence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_activity_id_is_the_calls_identity() {
        let run = RunId::parse("wf_0123456789ab").unwrap();
        let key = CallKey("ab12".into());
        assert_eq!(activity_id(&run, &key, 0), "baton-wf_0123456789ab-ab12-0");
        assert_ne!(activity_id(&run, &key, 0), activity_id(&run, &key, 1));
    }

    #[test]
    fn progress_follows_turns_and_tools_and_clips_long_text() {
        let mut progress = Progress::default();
        progress.record(&AgentNote::ToolCall {
            turn: 1,
            name: "Bash".into(),
            summary: "Bash: sleep 1".into(),
            input: serde_json::Value::Null,
        });
        assert_eq!(progress.tool.as_deref(), Some("Bash: sleep 1"));
        progress.record(&AgentNote::Turn {
            turn: 2,
            usage: Usage {
                output_tokens: 7,
                ..Usage::default()
            },
            text: "x".repeat(10_000),
        });
        assert_eq!((progress.turn, progress.usage.output_tokens), (2, 7));
        assert_eq!(progress.tool, None);
        let AgentNote::Turn { text, .. } = &progress.notes[1] else {
            panic!("a turn")
        };
        assert!(text.len() < 2_100, "{}", text.len());
    }
}
