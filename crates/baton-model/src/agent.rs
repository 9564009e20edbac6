//! An agent call as the engine hands it to a backend, and what comes back.

use crate::{CallKey, RunId, Usage};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Runs agents. The engine owns scheduling, caps and journaling; a backend only does the work.
pub trait AgentBackend: Send + Sync {
    /// The model a call will use, as it enters the call's identity: aliases resolved, the
    /// provider made explicit. `Err` says why the name cannot be used.
    fn resolve_model(&self, requested: &str) -> Result<String, String> {
        Ok(requested.to_string())
    }

    /// Runs one agent to its end, telling `notes` what it does along the way.
    fn run(&self, call: AgentCall, notes: NoteSink) -> BoxFuture<AgentOutcome>;

    /// Runs one agent with `workspace` (a directory prepared for it, such as a Temporal
    /// worker's per-attempt worktree) as its workspace instead of the run's. Backends where
    /// agents touch no files run it as `run` does.
    fn run_in(
        &self,
        call: AgentCall,
        notes: NoteSink,
        _workspace: std::path::PathBuf,
    ) -> BoxFuture<AgentOutcome> {
        self.run(call, notes)
    }

    /// Tools this backend adds to the call's agent beyond its options (MCP servers, web
    /// tools), as they enter the call's identity; `None` when it adds none. Known without
    /// starting anything.
    fn tool_identity(&self, _options: &AgentOptions) -> Option<Value> {
        None
    }
}

/// What an agent reports while it works: the run's output, the journal and the monitor show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum AgentNote {
    /// A model turn finished (turns count from 1); `text` is what the model wrote in it.
    Turn {
        turn: u32,
        usage: Usage,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        text: String,
    },
    /// The agent called a tool; `summary` is one line, e.g. `Bash: cargo test -p foo`.
    ToolCall {
        turn: u32,
        name: String,
        summary: String,
        input: Value,
    },
    /// A tool answered, with what the model was shown. Errors go back to the model; they never
    /// end the agent.
    ToolResult {
        name: String,
        is_error: bool,
        content: String,
    },
    /// A model request failed in transit and is tried again after `delay_ms`.
    Retry {
        attempt: u32,
        reason: String,
        delay_ms: u64,
    },
    /// The structured output did not validate; the model is asked again.
    InvalidOutput { attempt: u32, error: String },
    /// The permission policy refused a tool call (nobody is there to approve it); the model
    /// was told `reason` and the agent goes on.
    Denied { tool: String, reason: String },
    /// The user restarted the agent: what it did so far is dropped and it begins again with
    /// the same prompt and options.
    Restarted,
    /// An isolated agent's git worktree after it finished: removed with its branch when the
    /// agent changed nothing (`kept: false`), else kept for the user to review and merge.
    Worktree {
        path: String,
        branch: String,
        kept: bool,
    },
}

/// Where a backend sends an agent's notes.
pub type NoteSink = Arc<dyn Fn(AgentNote) + Send + Sync>;

/// The options of `agent(prompt, opts)` (SPEC §3), parsed from the script's object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentOptions {
    pub label: Option<String>,
    pub phase: Option<String>,
    pub schema: Option<Value>,
    pub model: Option<String>,
    pub effort: Option<String>,
    pub isolation: Option<String>,
    pub agent_type: Option<String>,
    pub tools: Option<Vec<String>>,
    pub cwd: Option<String>,
    pub timeout_ms: Option<u64>,
    pub retries: u32,
    pub max_turns: Option<u32>,
}

const EFFORTS: [&str; 5] = ["low", "medium", "high", "xhigh", "max"];

impl AgentOptions {
    /// Parses the options object. Returns the options and the unknown keys (which the contract
    /// says to ignore and note in the run's log), or a message for a value of the wrong type.
    pub fn from_json(value: &Value) -> Result<(AgentOptions, Vec<String>), String> {
        let map = match value {
            Value::Null => return Ok((AgentOptions::default(), Vec::new())),
            Value::Object(map) => map,
            _ => return Err("agent(prompt, opts): opts must be an object".into()),
        };
        let mut options = AgentOptions::default();
        let mut unknown = Vec::new();
        for (key, v) in map {
            if v.is_null() {
                continue;
            }
            match key.as_str() {
                "label" => options.label = Some(display_text(v)),
                "phase" => options.phase = Some(display_text(v)),
                "schema" => options.schema = Some(v.clone()),
                "model" => options.model = Some(text(key, v)?),
                "effort" => {
                    let effort = text(key, v)?;
                    if !EFFORTS.contains(&effort.as_str()) {
                        return Err(format!(
                            "agent option effort: '{effort}' is not one of {}",
                            EFFORTS.join(", ")
                        ));
                    }
                    options.effort = Some(effort);
                }
                // Other isolation values are ignored, as the contract says.
                "isolation" => {
                    options.isolation = v.as_str().filter(|s| *s == "worktree").map(String::from)
                }
                "agentType" => options.agent_type = Some(text(key, v)?),
                "tools" => options.tools = Some(string_list(key, v)?),
                "cwd" => options.cwd = Some(text(key, v)?),
                "timeoutMs" => options.timeout_ms = Some(count(key, v)?),
                "retries" => options.retries = count(key, v)? as u32,
                "maxTurns" => options.max_turns = Some(count(key, v)?.max(1) as u32),
                _ => unknown.push(key.clone()),
            }
        }
        Ok((options, unknown))
    }
}

fn display_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn text(key: &str, v: &Value) -> Result<String, String> {
    v.as_str()
        .map(String::from)
        .ok_or_else(|| format!("agent option {key} must be a string, got {v}"))
}

fn count(key: &str, v: &Value) -> Result<u64, String> {
    match v.as_f64() {
        Some(n) if n >= 0.0 && n.is_finite() => Ok(n as u64),
        _ => Err(format!(
            "agent option {key} must be a non-negative number, got {v}"
        )),
    }
}

fn string_list(key: &str, v: &Value) -> Result<Vec<String>, String> {
    let items = v
        .as_array()
        .ok_or_else(|| format!("agent option {key} must be an array of strings, got {v}"))?;
    items.iter().map(|item| text(key, item)).collect()
}

/// One agent call, ready to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentCall {
    pub run_id: RunId,
    /// The call's number in this run, in the order the script made the calls (1-based).
    pub seq: u64,
    pub key: CallKey,
    /// How many earlier calls in this run had the same key.
    pub occurrence: u32,
    pub prompt: String,
    /// The model after alias resolution.
    pub model: String,
    pub options: AgentOptions,
}

/// How an agent ended. `Completed` and `Null` resolve the script's promise; `Rejected` rejects it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AgentOutcome {
    Completed {
        value: Value,
        usage: Usage,
    },
    /// Stopped, timed out, out of turns, or a terminal API error: the script sees `null`.
    Null {
        reason: String,
        usage: Usage,
    },
    /// The script sees a rejected promise with this error name and message.
    Rejected {
        name: String,
        message: String,
        usage: Usage,
    },
    /// The run cannot go on: no API key, a refused key, an unknown model, an unreachable
    /// provider. The engine stops the run and reports `message` as a usage error.
    Fatal {
        message: String,
        usage: Usage,
    },
}

impl AgentOutcome {
    pub fn usage(&self) -> Usage {
        match self {
            AgentOutcome::Completed { usage, .. }
            | AgentOutcome::Null { usage, .. }
            | AgentOutcome::Rejected { usage, .. }
            | AgentOutcome::Fatal { usage, .. } => *usage,
        }
    }

    /// The same ending with other usage (e.g. the sum over every attempt of a retried agent).
    pub fn with_usage(mut self, total: Usage) -> AgentOutcome {
        match &mut self {
            AgentOutcome::Completed { usage, .. }
            | AgentOutcome::Null { usage, .. }
            | AgentOutcome::Rejected { usage, .. }
            | AgentOutcome::Fatal { usage, .. } => *usage = total,
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_known_options_and_reports_unknown_keys() {
        let (options, unknown) = AgentOptions::from_json(&json!({
            "label": "a", "phase": "P", "model": "haiku", "effort": "high",
            "isolation": "worktree", "tools": ["Read"], "timeoutMs": 1000,
            "retries": 2, "maxTurns": 5, "colour": "blue", "schema": {"type": "object"}
        }))
        .unwrap();
        assert_eq!(options.label.as_deref(), Some("a"));
        assert_eq!(options.effort.as_deref(), Some("high"));
        assert_eq!(options.isolation.as_deref(), Some("worktree"));
        assert_eq!(options.tools, Some(vec!["Read".to_string()]));
        assert_eq!(
            (options.timeout_ms, options.retries, options.max_turns),
            (Some(1000), 2, Some(5))
        );
        assert_eq!(unknown, vec!["colour".to_string()]);
    }

    #[test]
    fn other_isolation_values_are_ignored_and_bad_types_refused() {
        let (options, _) = AgentOptions::from_json(&json!({"isolation": "container"})).unwrap();
        assert_eq!(options.isolation, None);
        assert!(AgentOptions::from_json(&json!({"effort": "huge"})).is_err());
        assert!(AgentOptions::from_json(&json!({"tools": "Read"})).is_err());
        assert!(AgentOptions::from_json(&json!(5)).is_err());
    }
}
