//! Real sub-agents: the tool loop over a model provider, as an [`AgentBackend`].
//!
//! Each `agent()` call becomes a conversation: the shared system prompt, the tools the agent may
//! use, the prompt; then turns until the model gives its final answer (text, or a valid
//! `StructuredOutput` call when a schema was given). Tool failures go back to the model; only
//! the provider's final errors end an agent early.

mod agent_type;
mod backend;
mod conversation;
mod footprint;
mod hosted;
mod loop_guard;
mod prompt;
mod structured;
mod worktree;

pub use agent_type::{AgentType, AgentTypes};
pub use backend::{AgentSettings, LlmBackend, Providers};
/// The permission policy agents run under, for the binary to build from its config and flags.
pub use baton_tools::{Policy, Rule, Rules, RunWarning, ToolProvider, ToolProviders, DENIED};
pub use footprint::{first_request, Footprint};
