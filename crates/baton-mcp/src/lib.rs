//! `baton mcp`: a Model Context Protocol server (stdio, on the official `rmcp` SDK) through
//! which any agent host starts, awaits, inspects, steers and lists workflows.
//!
//! The server never runs a workflow itself and never blocks on one. Validation and runs go
//! through the baton binary as child processes (`baton check --json`, `baton run --dry-run
//! --json`, `baton run --detach`, `baton stop|pause|unpause`), so a run outlives the server and
//! the host exactly as a detached run from a terminal does, and the binary's own rules
//! (settings, permissions, caps) apply unchanged. What a run is doing is read from its journal.

mod baton_cli;
mod inputs;
mod launch;
mod notify;
mod outputs;
mod prompt;
mod resources;
mod runs;
mod server;
mod tools;
mod workspace;

use std::path::{Path, PathBuf};

pub use server::BatonServer;

/// The caps a run started here would get from the user's settings (`BATON_*` variables and the
/// config files), resolved by the binary for a workspace. A tool call may narrow them, never
/// widen them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub concurrency: u16,
    pub max_agents: u64,
    pub budget_tokens: Option<u64>,
    pub max_cost_usd: Option<f64>,
}

/// What the binary hands the server: how to start itself, and its rules for a workspace.
#[derive(Debug, Clone)]
pub struct McpConfig {
    /// The baton executable that runs checks and workflows.
    pub exe: PathBuf,
    /// The directory a call without `projectDir` works in.
    pub cwd: PathBuf,
    /// The home directory, for personal saved workflows.
    pub home: Option<PathBuf>,
    /// Where the journal of runs started in a directory lives.
    pub journal_dir: fn(&Path) -> PathBuf,
    /// The caps the settings give runs started in a directory, or why they cannot be read.
    pub limits: fn(&Path) -> Result<Limits, String>,
}

/// Serves MCP on standard input and output until the client closes the connection.
pub fn serve_stdio(config: McpConfig) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the MCP server's runtime: {e}"))?;
    runtime.block_on(async move {
        use rmcp::ServiceExt;
        let server = BatonServer::new(config);
        let service = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| format!("the MCP client did not complete the handshake: {e}"))?;
        service
            .waiting()
            .await
            .map_err(|e| format!("the MCP connection ended with an error: {e}"))?;
        Ok(())
    })
}
