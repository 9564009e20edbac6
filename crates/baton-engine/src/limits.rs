//! The run-level limits of SPEC §4 that the engine enforces (the script's own CPU and heap
//! limits are enforced by the sandbox).

use baton_script::ScriptLimits;

#[derive(Debug, Clone)]
pub struct RunLimits {
    /// Agents in flight at once; only `agent()` calls count, so nesting cannot deadlock.
    pub concurrency: usize,
    /// Agents per run; the next `agent()` rejects with `AgentCapError`.
    pub max_agents: u64,
    /// Output tokens the run may spend (`budget.total`); `None` for no budget.
    pub budget_tokens: Option<u64>,
    pub script: ScriptLimits,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            concurrency: 16,
            max_agents: 1000,
            budget_tokens: None,
            script: ScriptLimits::default(),
        }
    }
}
