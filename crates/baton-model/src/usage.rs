//! Token usage and cost of one model call, one agent or a whole run.

use serde::{Deserialize, Serialize};
use std::ops::AddAssign;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Input tokens billed at the full rate (not read from or written to a prompt cache).
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
    /// Searches the provider ran for the model (Anthropic's hosted web search), billed per
    /// search on top of the tokens.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub web_searches: u64,
    /// What these tokens cost, from the pricing table (0 for `sim` and unpriced models).
    #[serde(default)]
    pub cost_usd: f64,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

impl Usage {
    /// Every input token, whatever the cache did with it.
    pub fn total_input(&self) -> u64 {
        self.input_tokens + self.cache_read_tokens + self.cache_write_tokens
    }
}

impl AddAssign for Usage {
    fn add_assign(&mut self, other: Usage) {
        self.input_tokens += other.input_tokens;
        self.output_tokens += other.output_tokens;
        self.cache_read_tokens += other.cache_read_tokens;
        self.cache_write_tokens += other.cache_write_tokens;
        self.web_searches += other.web_searches;
        self.cost_usd += other.cost_usd;
    }
}
