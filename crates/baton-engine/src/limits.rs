//! The run-level limits of SPEC §4 that the engine enforces (the script's own CPU and heap
//! limits are enforced by the sandbox).

use baton_script::ScriptLimits;

use crate::caps::AtCap;

#[derive(Debug, Clone)]
pub struct RunLimits {
    /// Agents in flight at once; only `agent()` calls count, so nesting cannot deadlock.
    pub concurrency: usize,
    /// Agents per run; the next `agent()` rejects with `WorkflowAgentCapError`.
    pub max_agents: u64,
    /// Output tokens the run may spend (`budget.total`); `None` for no budget.
    pub budget_tokens: Option<u64>,
    /// Dollars the run may spend, from usage and the pricing table; `None` for no cap.
    pub max_cost_usd: Option<f64>,
    /// What becomes of running agents once the token budget or the cost cap is reached.
    pub at_cap: AtCap,
    pub script: ScriptLimits,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            concurrency: 16,
            max_agents: 1000,
            budget_tokens: None,
            max_cost_usd: None,
            at_cap: AtCap::Finish,
            script: ScriptLimits::default(),
        }
    }
}
