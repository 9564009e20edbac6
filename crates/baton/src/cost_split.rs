//! Where a run's money went: fresh input, cache writes, cache reads and output, each priced
//! for the model that spent it, and what prompt caching saved against paying the full input
//! price for every cached token. The closing line and `show` print it the same way.

use std::path::Path;

use baton_llm::Pricing;
use baton_model::Usage;
use serde_json::{json, Value};

use crate::cli::RunSettings;
use crate::commands::journal_view::format_cost;
use crate::settings::Settings;

/// US dollars by kind of token.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CostSplit {
    pub fresh_input: f64,
    pub cache_write: f64,
    pub cache_read: f64,
    pub output: f64,
    /// What the cached tokens would have cost at the input price, less what they cost:
    /// reads are cheap, writes dear, so this is negative when a cache was written and
    /// never read again.
    pub saved: f64,
}

impl CostSplit {
    /// The split of calls' spending, each call `(model, usage)` priced for its own model.
    pub fn of<'a>(
        pricing: &Pricing,
        calls: impl IntoIterator<Item = (&'a str, &'a Usage)>,
    ) -> Self {
        let mut split = CostSplit::default();
        for (model, usage) in calls {
            split.add(pricing, model, usage);
        }
        split
    }

    fn add(&mut self, pricing: &Pricing, model: &str, usage: &Usage) {
        // The journal names a model as the run resolved it, sometimes with its provider.
        let id = model.split_once(':').map_or(model, |(_, id)| id);
        let Some(price) = pricing.price(id) else {
            return;
        };
        let dollars = |tokens: u64, per_million: f64| tokens as f64 * per_million / 1e6;
        let mut part = CostSplit {
            fresh_input: dollars(usage.input_tokens, price.input),
            cache_write: dollars(usage.cache_write_tokens, price.cache_write),
            cache_read: dollars(usage.cache_read_tokens, price.cache_read),
            output: dollars(usage.output_tokens, price.output),
            saved: dollars(usage.cache_read_tokens, price.input - price.cache_read)
                + dollars(usage.cache_write_tokens, price.input - price.cache_write),
        };
        // The call's recorded cost is the truth (it may have been priced with a `--price` this
        // process does not know): the table only says how it divides.
        let priced = part.total();
        if priced > 0.0 && usage.cost_usd > 0.0 {
            part.scale(usage.cost_usd / priced);
        } else if usage.cost_usd <= 0.0 {
            // Recorded as free (an unpriced model then): nothing to split.
            return;
        }
        self.fresh_input += part.fresh_input;
        self.cache_write += part.cache_write;
        self.cache_read += part.cache_read;
        self.output += part.output;
        self.saved += part.saved;
    }

    fn scale(&mut self, by: f64) {
        self.fresh_input *= by;
        self.cache_write *= by;
        self.cache_read *= by;
        self.output *= by;
        self.saved *= by;
    }

    pub fn total(&self) -> f64 {
        self.fresh_input + self.cache_write + self.cache_read + self.output
    }

    /// `$0.0123 (input $0.0040 · cache write $0.0050 · cache read $0.0003 · output $0.0030;
    /// caching saved $0.0100)`; the cache parts only when there are any; empty when free.
    pub fn words(&self) -> String {
        if self.total() <= 0.0 {
            return String::new();
        }
        let mut parts = vec![format!("input {}", dollars(self.fresh_input))];
        if self.cache_write > 0.0 {
            parts.push(format!("cache write {}", dollars(self.cache_write)));
        }
        if self.cache_read > 0.0 {
            parts.push(format!("cache read {}", dollars(self.cache_read)));
        }
        parts.push(format!("output {}", dollars(self.output)));
        let mut text = format!("{} ({}", dollars(self.total()), parts.join(" · "));
        if self.cache_write > 0.0 || self.cache_read > 0.0 {
            match self.saved >= 0.0 {
                true => text.push_str(&format!("; caching saved {}", dollars(self.saved))),
                false => text.push_str(&format!("; caching cost {} more", dollars(-self.saved))),
            }
        }
        text.push(')');
        text
    }

    pub fn to_json(self) -> Value {
        json!({
            "fresh_input_usd": self.fresh_input,
            "cache_write_usd": self.cache_write,
            "cache_read_usd": self.cache_read,
            "output_usd": self.output,
            "cache_saved_usd": self.saved,
        })
    }
}

/// `$0.0123`, and `$0.0000` for a part that rounds away (a split hides no part).
fn dollars(usd: f64) -> String {
    match format_cost(usd) {
        text if text.is_empty() => "$0.0000".into(),
        text => text,
    }
}

/// The prices a command that reads the journal uses to split costs: the built-in list and the
/// config files' `[pricing]` (flags of the run itself are not known here; the split is scaled
/// to what each call recorded anyway). Config files that cannot be read leave the built-in list.
pub fn pricing_here(cwd: &Path, home: Option<&Path>) -> Pricing {
    match Settings::resolve(&RunSettings::default(), cwd, home) {
        Ok(settings) => pricing(&settings),
        Err(_) => Pricing::default(),
    }
}

/// The built-in prices with the settings' own (flags, variables, config files) over them.
pub fn pricing(settings: &Settings) -> Pricing {
    Pricing::new(
        settings
            .pricing
            .iter()
            .map(|(model, price)| (model.clone(), price.value)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: u64, write: u64, read: u64, output: u64) -> Usage {
        let mut usage = Usage {
            input_tokens: input,
            output_tokens: output,
            cache_read_tokens: read,
            cache_write_tokens: write,
            ..Usage::default()
        };
        usage.cost_usd = Pricing::default().cost("claude-haiku-4-5", &usage);
        usage
    }

    #[test]
    fn anthropic_cache_reads_are_a_tenth_and_writes_a_quarter_more() {
        let spent = usage(1_000_000, 1_000_000, 1_000_000, 1_000_000);
        let split = CostSplit::of(
            &Pricing::default(),
            [("anthropic:claude-haiku-4-5", &spent)],
        );
        assert!((split.fresh_input - 1.0).abs() < 1e-9, "{split:?}");
        assert!((split.cache_write - 1.25).abs() < 1e-9, "{split:?}");
        assert!((split.cache_read - 0.1).abs() < 1e-9, "{split:?}");
        assert!((split.output - 5.0).abs() < 1e-9, "{split:?}");
        // Reads saved 0.9, writes cost 0.25 more.
        assert!((split.saved - 0.65).abs() < 1e-9, "{split:?}");
        assert!((split.total() - spent.cost_usd).abs() < 1e-9);
        assert_eq!(
            split.words(),
            "$7.3500 (input $1.0000 · cache write $1.2500 · cache read $0.1000 · output $5.0000; caching saved $0.6500)"
        );
    }

    #[test]
    fn the_recorded_cost_wins_and_free_models_split_nothing() {
        let mut spent = usage(1_000_000, 0, 0, 0);
        spent.cost_usd = 2.0;
        let split = CostSplit::of(&Pricing::default(), [("claude-haiku-4-5", &spent)]);
        assert!((split.fresh_input - 2.0).abs() < 1e-9, "{split:?}");
        assert_eq!(split.words(), "$2.0000 (input $2.0000 · output $0.0000)");
        let local = usage(10, 0, 0, 10);
        assert_eq!(
            CostSplit::of(&Pricing::default(), [("llama3", &local)]).total(),
            0.0
        );
    }
}
