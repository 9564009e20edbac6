//! A run's numbers as every command says them: the closing line, `baton runs` and `baton show`
//! read them from the journal the same way, so they cannot disagree. What counts as an agent
//! and as spending is defined once, in `baton_journal`'s run summary: a call that got its slot
//! and ran, once however many attempts ran it; cached results and calls that never started
//! are not agents.

use baton_journal::{CallStatus, JournalError, RunRecord, Store};
use baton_llm::Pricing;
use baton_model::Usage;

use crate::commands::journal_view::plural;
use crate::cost_split::CostSplit;

#[derive(Debug, Clone)]
pub struct Accounting {
    pub record: RunRecord,
    /// Agents that ran, in every attempt.
    pub agents: u64,
    /// Calls of the latest attempt answered from the journal.
    pub cached: u64,
    /// Calls of the latest attempt that ended before they got a slot.
    pub never_started: u64,
    pub usage: Usage,
    pub split: CostSplit,
}

impl Accounting {
    pub fn read(store: &Store, run: &str, pricing: &Pricing) -> Result<Accounting, JournalError> {
        let record = store.run(run)?;
        let calls = store.calls(run, Some(record.summary.attempt))?;
        let count = |keep: &dyn Fn(&&baton_journal::CallRecord) -> bool| {
            calls.iter().filter(keep).count() as u64
        };
        let cached = count(&|c| c.status == CallStatus::Cached);
        let never_started = count(&|c| !c.ran && c.status != CallStatus::Cached);
        let paid = store.paid_calls(run)?;
        let split = CostSplit::of(pricing, paid.iter().map(|c| (c.model.as_str(), &c.usage)));
        Ok(Accounting {
            agents: record.summary.agents,
            usage: record.summary.usage,
            record,
            cached,
            never_started,
            split,
        })
    }

    /// `12 agents (+3 results from the journal, 2 never started)`.
    pub fn agents_words(&self) -> String {
        let mut text = plural(self.agents, "agent");
        let mut extra = Vec::new();
        if self.cached > 0 {
            extra.push(format!(
                "+{} from the journal",
                plural(self.cached, "result")
            ));
        }
        if self.never_started > 0 {
            extra.push(format!("{} never started", self.never_started));
        }
        if !extra.is_empty() {
            text.push_str(&format!(" ({})", extra.join(", ")));
        }
        text
    }

    /// `1200 input + 300 output tokens (cache: 800 read, 200 written) · $0.0123 (input … )`.
    /// A run on `sim` says so: its tokens are simulated and cost nothing.
    pub fn spend_words(&self) -> String {
        let words = spend_words(&self.usage, &self.split);
        if self.record.start.model == "sim" {
            format!("{words} · sim, free")
        } else {
            words
        }
    }
}

/// Tokens in and out, the cache's share of the input, and the cost split (nothing when free).
pub fn spend_words(usage: &Usage, split: &CostSplit) -> String {
    let mut text = format!(
        "{} input + {} output tokens",
        usage.total_input(),
        usage.output_tokens
    );
    if usage.cache_read_tokens + usage.cache_write_tokens > 0 {
        text.push_str(&format!(
            " (cache: {} read, {} written)",
            usage.cache_read_tokens, usage.cache_write_tokens
        ));
    }
    let cost = split.words();
    if !cost.is_empty() {
        text.push_str(&format!(" · {cost}"));
    } else if usage.cost_usd > 0.0 {
        text.push_str(&format!(" · ${:.4}", usage.cost_usd));
    }
    text
}
