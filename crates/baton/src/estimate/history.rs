//! What earlier runs of the same workflow spent, for the estimate: an agent's turns and the
//! size of its tool results are what the turn model has to guess, and a journaled run already
//! knows them. For each phase and model, the spend of an average agent in each of the last few
//! completed runs; the estimate prices a new agent between the cheapest and the dearest of them.

use std::collections::BTreeMap;
use std::path::Path;

use baton_journal::{CallStatus, Store};
use baton_model::{RunStatus, Usage};

use super::{Range, NO_PHASE};

/// Completed runs looked at, newest first: recent enough to reflect the script as it is.
const RUNS: usize = 3;

/// The spend of one agent by `(phase, model)`, learned from earlier runs.
#[derive(Debug, Clone, Default)]
pub struct History {
    /// How many earlier runs it was learned from (0: none, the turn model alone).
    pub runs: usize,
    per_agent: BTreeMap<(String, String), Range<Usage>>,
}

impl History {
    /// What the journal in `journal_dir` knows of the workflow named `workflow`; nothing when
    /// there is no journal or it cannot be read (the estimate then models turns instead).
    pub fn load(journal_dir: &Path, workflow: &str) -> History {
        let Ok(store) = Store::open(journal_dir) else {
            return History::default();
        };
        let Ok(mut runs) = store.runs() else {
            return History::default();
        };
        runs.sort_by_key(|run| std::cmp::Reverse(run.started_at_ms));
        let mut history = History::default();
        for run in runs
            .iter()
            .filter(|run| run.workflow == workflow && run.status == RunStatus::Completed)
            .take(RUNS)
        {
            let Ok(calls) = store.calls(run.id.as_str(), None) else {
                continue;
            };
            history.learn(calls.iter().filter_map(|call| {
                // An answer from the journal cost nothing, and `sim` knows nothing of turns.
                let spent = matches!(call.status, CallStatus::Completed | CallStatus::Null);
                (spent && call.model != "sim").then(|| {
                    let phase = call.phase.clone().unwrap_or_else(|| NO_PHASE.into());
                    ((phase, call.model.clone()), call.usage)
                })
            }));
        }
        history
    }

    /// Folds one run's agents: their average by `(phase, model)` widens the range.
    fn learn(&mut self, agents: impl Iterator<Item = ((String, String), Usage)>) {
        let mut sums: BTreeMap<(String, String), (Usage, u64)> = BTreeMap::new();
        for (key, usage) in agents {
            let (sum, count) = sums.entry(key).or_default();
            *sum += usage;
            *count += 1;
        }
        if sums.is_empty() {
            return;
        }
        self.runs += 1;
        for (key, (sum, count)) in sums {
            let average = divide(&sum, count);
            self.per_agent
                .entry(key)
                .and_modify(|range| {
                    if tokens(&average) < tokens(&range.min) {
                        range.min = average;
                    }
                    if tokens(&average) > tokens(&range.max) {
                        range.max = average;
                    }
                })
                .or_insert(Range {
                    min: average,
                    max: average,
                });
        }
    }

    /// What one agent of `phase` on `model` (`provider:model`) spent in earlier runs.
    pub fn agent(&self, phase: &str, model: &str) -> Option<&Range<Usage>> {
        self.per_agent.get(&(phase.to_string(), model.to_string()))
    }
}

fn divide(sum: &Usage, count: u64) -> Usage {
    Usage {
        input_tokens: sum.input_tokens.div_ceil(count),
        output_tokens: sum.output_tokens.div_ceil(count),
        cache_read_tokens: sum.cache_read_tokens.div_ceil(count),
        cache_write_tokens: sum.cache_write_tokens.div_ceil(count),
        ..Usage::default()
    }
}

fn tokens(usage: &Usage) -> u64 {
    usage.total_input() + usage.output_tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: u64, output: u64) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            ..Usage::default()
        }
    }

    fn agent(phase: &str, input: u64) -> ((String, String), Usage) {
        ((phase.into(), "anthropic:m".into()), usage(input, 10))
    }

    #[test]
    fn each_run_adds_its_average_agent_to_the_range() {
        let mut history = History::default();
        history.learn([agent("Read", 100), agent("Read", 300)].into_iter());
        history.learn([agent("Read", 500), agent("Write", 50)].into_iter());
        assert_eq!(history.runs, 2);
        let read = history.agent("Read", "anthropic:m").unwrap();
        assert_eq!((read.min.input_tokens, read.max.input_tokens), (200, 500));
        assert_eq!(
            history
                .agent("Write", "anthropic:m")
                .unwrap()
                .min
                .input_tokens,
            50
        );
        assert!(history.agent("Read", "openai:m").is_none());
        // A run with no spending agent teaches nothing.
        history.learn(std::iter::empty());
        assert_eq!(history.runs, 2);
    }
}
