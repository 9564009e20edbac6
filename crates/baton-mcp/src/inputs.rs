//! What each tool takes, as the host sends it (camelCase JSON), with the JSON Schemas the
//! server advertises. Arguments are parsed here by hand, not by the SDK, so a bad one comes
//! back to the host as a tool error it can read and fix (the SDK's own parsing answers with a
//! protocol error most hosts show only as "internal error").

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::tools::ToolError;

/// The longest `workflow_await` may wait, so a host's request timeout (often 30–60 s) never
/// fires first.
pub const MAX_WAIT_MS: u64 = 25_000;

/// `workflow_run`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunInput {
    /// The workflow script's source (`export const meta = {…}` then the body). Exactly one of
    /// `script`, `name`, `path`.
    pub script: Option<String>,
    /// The name of a saved workflow (`workflow_list` shows them).
    pub name: Option<String>,
    /// A `.workflow.js` file, absolute or relative to the project directory.
    pub path: Option<String>,
    /// The script's `args` (any JSON value).
    pub args: Option<Value>,
    /// Model for agents that name none: `haiku`, `sonnet`, `opus`, a model id,
    /// `provider:model`, or `sim` to simulate every agent for free.
    pub model: Option<String>,
    /// Agents the run may start; at most the configured cap.
    pub max_agents: Option<u64>,
    /// Agents in flight at once (1–256); at most the configured value.
    pub concurrency: Option<u16>,
    /// Output tokens the run may spend; at most the configured budget.
    pub budget_tokens: Option<u64>,
    /// Dollars the run may spend; at most the configured cap.
    pub max_cost_usd: Option<f64>,
    /// Reuse the finished agents of this earlier run (`wf_…`).
    pub resume_from: Option<String>,
    /// `true` (default): return at once with the run id; `false`: wait for the result,
    /// sending progress notifications.
    pub background: Option<bool>,
    /// The project to work in (an existing directory); default the server's directory.
    pub project_dir: Option<String>,
}

/// `workflow_await`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AwaitInput {
    /// The run's id (`wf_…`), as `workflow_run` returned it.
    pub run_id: String,
    /// How long to wait for the run to end, 0–25000 ms; 0 only looks.
    pub wait_ms: u64,
    pub project_dir: Option<String>,
}

/// `workflow_status`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusInput {
    pub run_id: String,
    /// Show only the last N agents (in call order).
    pub last_n: Option<usize>,
    /// Show only agents with this label.
    pub label: Option<String>,
    /// Lines of the run's log to include (default 20).
    pub log_lines: Option<usize>,
    pub project_dir: Option<String>,
}

/// `workflow_stop`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StopInput {
    pub run_id: String,
    /// Stop only the running agent(s) with this label, or `#N` for call N.
    pub agent: Option<String>,
    pub project_dir: Option<String>,
}

/// `workflow_pause` and `workflow_unpause`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunRef {
    pub run_id: String,
    pub project_dir: Option<String>,
}

/// `workflow_list`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListInput {
    /// How many recent runs to include (default 20).
    pub runs: Option<usize>,
    pub project_dir: Option<String>,
}

/// `workflow_check`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckInput {
    /// The workflow script's source.
    pub script: String,
    /// The `args` to try the dry run with.
    pub args: Option<Value>,
    pub project_dir: Option<String>,
}

/// `workflow_guide`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuideInput {
    /// A topic's name; without one, the index of topics.
    pub topic: Option<String>,
}

/// The arguments of a call to `tool`, or a message naming what is wrong with them.
pub fn parse<T: DeserializeOwned>(
    tool: &str,
    arguments: Option<Map<String, Value>>,
) -> Result<T, ToolError> {
    let value = Value::Object(arguments.unwrap_or_default());
    serde_json::from_value(value).map_err(|e| ToolError::new(format!("{tool}: bad arguments: {e}")))
}

/// Where `workflow_run` takes its script from.
#[derive(Debug)]
pub enum Source<'a> {
    Script(&'a str),
    Name(&'a str),
    Path(&'a str),
}

impl RunInput {
    pub fn source(&self) -> Result<Source<'_>, ToolError> {
        let given: Vec<Source> = [
            self.script.as_deref().map(Source::Script),
            self.name.as_deref().map(Source::Name),
            self.path.as_deref().map(Source::Path),
        ]
        .into_iter()
        .flatten()
        .collect();
        let count = given.len();
        match given.into_iter().next() {
            Some(source) if count == 1 => Ok(source),
            Some(_) => Err(ToolError::new(
                "workflow_run: give exactly one of `script`, `name` and `path`, not several",
            )),
            None => Err(ToolError::new(
                "workflow_run: give one of `script` (the source), `name` (a saved workflow) or \
                 `path` (a .workflow.js file)",
            )),
        }
    }
}

impl AwaitInput {
    pub fn check(&self) -> Result<(), ToolError> {
        if self.wait_ms > MAX_WAIT_MS {
            return Err(ToolError::new(format!(
                "workflow_await: waitMs {} is out of range: 0–{MAX_WAIT_MS}; call again to wait \
                 longer",
                self.wait_ms
            )));
        }
        Ok(())
    }
}
