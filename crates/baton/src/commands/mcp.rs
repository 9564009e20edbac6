//! `baton mcp`: serve the Model Context Protocol on standard input and output (the server is
//! `baton-mcp`); this wires in the binary's own rules: where journals live and which caps the
//! settings give a workspace.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use baton_mcp::{Limits, McpConfig};

use crate::cli::RunSettings;
use crate::exit;
use crate::settings::Settings;
use crate::workspace::{home_dir, journal_dir};

pub fn mcp() -> Result<i32> {
    let config = McpConfig {
        exe: std::env::current_exe().context("cannot find the baton executable")?,
        cwd: std::env::current_dir().context("cannot read the current directory")?,
        home: home_dir(),
        journal_dir,
        limits,
    };
    baton_mcp::serve_stdio(config).map_err(|e| anyhow!(e))?;
    Ok(exit::COMPLETED)
}

/// The caps a run in `dir` gets with no flags: `BATON_*` variables, then the config files.
fn limits(dir: &Path) -> Result<Limits, String> {
    let settings = Settings::resolve(&RunSettings::default(), dir, home_dir().as_deref())
        .map_err(|e| format!("{e:#}"))?;
    Ok(Limits {
        concurrency: settings.concurrency.value,
        max_agents: settings.max_agents.value,
        budget_tokens: settings.budget_tokens.map(|b| b.value),
        max_cost_usd: settings.max_cost_usd.map(|c| c.value),
    })
}
