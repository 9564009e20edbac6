//! The agents' built-in tools (Read, Write, Edit, Bash, Glob, Grep): their definitions for the
//! model, their execution, and one-line summaries for progress displays.
//!
//! The names and input fields are the ones models already know from Claude Code, so a model
//! needs no instructions beyond the definitions. Every failure is a [`ToolOutput`] with
//! `is_error = true` (a result for the model to act on), never an `Err` or a panic.
//!
//! ```no_run
//! # async fn demo() {
//! use baton_tools::{run_tool, ToolContext};
//! let ctx = ToolContext::new("/tmp".into());
//! let out = run_tool("Bash", &serde_json::json!({"command": "echo hi"}), &ctx).await;
//! assert_eq!(out.content.trim(), "hi");
//! # }
//! ```

mod bash;
mod edit;
mod extension;
mod glob;
mod grep;
mod input;
mod output;
mod paths;
mod policy;
mod read;
mod spec;
mod summary;
mod walk;
mod write;

use std::path::PathBuf;
use std::time::Duration;

pub use baton_model::ToolSpec;
pub use extension::{AgentView, OfferedTools, RunWarning, ToolFuture, ToolProvider, ToolProviders};
pub use output::cap_lines as cap_text;
pub use policy::{Access, Policy, Rule, Rules, DENIED, WEB_TOOLS};
pub use spec::definitions;
pub use summary::summarize;

/// The built-in tools, in the order their definitions are offered to the model.
pub const BUILT_IN: [&str; 6] = ["Read", "Write", "Edit", "Bash", "Glob", "Grep"];

/// Everything a tool call needs from the agent that makes it.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// The agent's working directory; relative paths and Bash commands start here.
    pub cwd: PathBuf,
    /// Bash timeout when the call gives none.
    pub bash_timeout: Duration,
    /// Upper bound for the `timeout` a Bash call may ask for.
    pub max_bash_timeout: Duration,
    /// Maximum bytes of tool output returned to the model; longer output is cut with a note.
    pub output_cap: usize,
    /// Environment variables removed from Bash's environment (API keys).
    pub env_remove: Vec<String>,
    /// Becomes `true` when the agent or run is stopped; a running command is then killed.
    pub cancel: tokio::sync::watch::Receiver<bool>,
    /// What the agent may touch; consulted before every file access and command.
    pub policy: Policy,
}

impl ToolContext {
    /// Defaults: 120 s Bash timeout (at most 600 s), 30,000 bytes of output, the provider API
    /// keys hidden from Bash, a cancel signal that never fires, and the default policy with
    /// `cwd` as the workspace.
    pub fn new(cwd: PathBuf) -> Self {
        // The sender is dropped at once: `bash` treats a closed channel as "never cancelled".
        let (_, cancel) = tokio::sync::watch::channel(false);
        ToolContext {
            bash_timeout: Duration::from_secs(120),
            max_bash_timeout: Duration::from_secs(600),
            output_cap: 30_000,
            // `OLDPWD` and `CDPATH` would send a `cd` somewhere the policy's check of it
            // cannot see (`cd -`, `cd name` found through `CDPATH`).
            // `OLDPWD` and `CDPATH` would let `cd` go somewhere the policy cannot see.
            env_remove: baton_model::PROVIDER_KEY_VARIABLES
                .iter()
                .chain(&["OLDPWD", "CDPATH"])
                .map(|name| name.to_string())
                .collect(),
            cancel,
            policy: Policy::new(&cwd, &[], Rules::default()),
            cwd,
        }
    }
}

/// The result of one tool call, as it goes back to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutput {
    pub content: String,
    pub is_error: bool,
    /// The policy refused the call (`content` starts with [`DENIED`] and says why).
    pub denied: bool,
}

impl ToolOutput {
    pub fn ok(content: impl Into<String>) -> Self {
        ToolOutput {
            content: content.into(),
            is_error: false,
            denied: false,
        }
    }

    pub fn error(content: impl Into<String>) -> Self {
        ToolOutput {
            content: content.into(),
            is_error: true,
            denied: false,
        }
    }

    /// A refusal by the policy.
    pub fn denied(content: impl Into<String>) -> Self {
        ToolOutput {
            denied: true,
            ..ToolOutput::error(content)
        }
    }
}

/// What each tool returns: `Ok` for a result, `Err` for an error result (still text for the
/// model, telling it what went wrong and what to do).
type ToolResult = Result<String, String>;

/// Runs one tool call. Never panics and never returns `Err`: every failure (bad input, missing
/// file, non-unique edit, unknown tool, timeout) is a [`ToolOutput`] with `is_error = true`.
///
/// The policy is consulted first: a tool a deny rule names, a command the Bash rules refuse,
/// a path outside the allowed directories is a [`ToolOutput::denied`], and nothing runs.
pub async fn run_tool(name: &str, input: &serde_json::Value, ctx: &ToolContext) -> ToolOutput {
    if !ctx.policy.offers(name) {
        return ToolOutput::denied(format!(
            "{DENIED} the tool {name} is denied by the user's rules. baton runs without anyone \
             to approve tool calls, so this was denied at once; carry on with the other tools."
        ));
    }
    if name == "Bash" {
        if let Some(command) = input.get("command").and_then(|c| c.as_str()) {
            if let Err(denial) = ctx.policy.check_command(command, &ctx.cwd) {
                return ToolOutput::denied(denial);
            }
        }
    }
    let result = match name {
        "Read" => read::run(input, ctx).await,
        "Write" => write::run(input, ctx).await,
        "Edit" => edit::run(input, ctx).await,
        "Bash" => bash::run(input, ctx).await,
        "Glob" => glob::run(input, ctx).await,
        "Grep" => grep::run(input, ctx).await,
        _ => Err(format!(
            "Unknown tool '{name}'. The available tools are: {}.",
            BUILT_IN.join(", ")
        )),
    };
    match result {
        Ok(content) => ToolOutput::ok(content),
        // Only the policy's messages start so; file tools never echo content in an error.
        Err(content) if content.starts_with(DENIED) && name != "Bash" => {
            ToolOutput::denied(content)
        }
        Err(content) => ToolOutput::error(content),
    }
}
