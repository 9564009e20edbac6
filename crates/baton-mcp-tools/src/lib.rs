//! MCP servers' tools for agents (the client side of the Model Context Protocol, through the
//! official `rmcp` SDK).
//!
//! Servers come from Claude Code's `.mcp.json` and baton's `[mcp_servers.<name>]` config
//! tables ([`config`]); their tools are offered as `mcp__<server>__<tool>`, Claude Code's
//! naming, so scripts and agent types that name them work unchanged. A server starts the first
//! time an agent may be offered its tools, once per run, and is shared by all agents
//! ([`server`]); which tools an agent sees is the policy's decision ([`provider`]).

pub mod config;
mod provider;
mod server;

pub use config::{find_mcp_json, read_mcp_json, servers_from, ServerSpec, Transport};
pub use provider::McpTools;
