//! What tokens cost: a built-in table of list prices that users can override per model.

use std::collections::BTreeMap;

use baton_model::Usage;
use serde::Deserialize;

/// One hosted web search (Anthropic: $10 per 1,000 searches).
const WEB_SEARCH_USD: f64 = 0.01;

/// US dollars per million tokens.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    /// Writing the prompt cache (Anthropic: 1.25 × input).
    pub cache_write: f64,
    /// Reading the prompt cache (Anthropic: 0.1 × input; OpenAI: a fraction of input).
    pub cache_read: f64,
}

impl Price {
    /// Anthropic's ratios: cache writes 1.25 ×, cache reads 0.1 × the input price.
    const fn anthropic(input: f64, output: f64) -> Price {
        Price {
            input,
            output,
            cache_write: input * 1.25,
            cache_read: input * 0.1,
        }
    }

    const fn openai(input: f64, output: f64, cache_read: f64) -> Price {
        Price {
            input,
            output,
            cache_write: input,
            cache_read,
        }
    }
}

/// List prices known to this build, by model id prefix (dated ids such as
/// `claude-sonnet-4-5-20250929` match their family). Longer prefixes win.
const LIST_PRICES: [(&str, Price); 16] = [
    ("claude-opus-4-6", Price::anthropic(5.0, 25.0)),
    ("claude-opus-4-5", Price::anthropic(5.0, 25.0)),
    ("claude-opus-4", Price::anthropic(15.0, 75.0)),
    ("claude-sonnet-4", Price::anthropic(3.0, 15.0)),
    ("claude-3-7-sonnet", Price::anthropic(3.0, 15.0)),
    ("claude-haiku-4", Price::anthropic(1.0, 5.0)),
    ("claude-3-5-haiku", Price::anthropic(0.8, 4.0)),
    ("gpt-5-mini", Price::openai(0.25, 2.0, 0.025)),
    ("gpt-5-nano", Price::openai(0.05, 0.4, 0.005)),
    ("gpt-5", Price::openai(1.25, 10.0, 0.125)),
    ("gpt-4.1-mini", Price::openai(0.4, 1.6, 0.1)),
    ("gpt-4.1", Price::openai(2.0, 8.0, 0.5)),
    ("gpt-4o-mini", Price::openai(0.15, 0.6, 0.075)),
    ("gpt-4o", Price::openai(2.5, 10.0, 1.25)),
    ("o4-mini", Price::openai(1.1, 4.4, 0.275)),
    ("o3", Price::openai(2.0, 8.0, 0.5)),
];

#[derive(Debug, Clone, Default)]
pub struct Pricing {
    /// The user's prices, by model id prefix; they win over the built-in list.
    overrides: BTreeMap<String, Price>,
}

impl Pricing {
    pub fn new(overrides: impl IntoIterator<Item = (String, Price)>) -> Pricing {
        Pricing {
            overrides: overrides.into_iter().collect(),
        }
    }

    /// The price of a model id (without provider prefix), if anyone knows it.
    pub fn price(&self, model: &str) -> Option<Price> {
        let longest = |entries: &mut dyn Iterator<Item = (&str, Price)>| {
            entries
                .filter(|(prefix, _)| model.starts_with(prefix))
                .max_by_key(|(prefix, _)| prefix.len())
                .map(|(_, price)| price)
        };
        longest(&mut self.overrides.iter().map(|(k, v)| (k.as_str(), *v)))
            .or_else(|| longest(&mut LIST_PRICES.iter().copied()))
    }

    /// The cost of `usage` on `model`; 0 when the model has no price (local models).
    pub fn cost(&self, model: &str, usage: &Usage) -> f64 {
        let Some(price) = self.price(model) else {
            return 0.0;
        };
        let per_token =
            |count: u64, dollars_per_million: f64| count as f64 * dollars_per_million / 1_000_000.0;
        per_token(usage.input_tokens, price.input)
            + per_token(usage.output_tokens, price.output)
            + per_token(usage.cache_write_tokens, price.cache_write)
            + per_token(usage.cache_read_tokens, price.cache_read)
            + usage.web_searches as f64 * WEB_SEARCH_USD
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dated_ids_match_their_family_and_overrides_win() {
        let pricing = Pricing::new([("claude-sonnet-4-6".to_string(), Price::anthropic(1.0, 2.0))]);
        assert_eq!(
            pricing.price("claude-sonnet-4-5-20250929").unwrap().input,
            3.0
        );
        assert_eq!(pricing.price("claude-sonnet-4-6").unwrap().output, 2.0);
        assert_eq!(pricing.price("gpt-4o-mini-2024").unwrap().input, 0.15);
        assert!(pricing.price("llama3.1:8b").is_none());
    }

    #[test]
    fn cost_counts_every_kind_of_token_and_hosted_searches() {
        let usage = Usage {
            input_tokens: 1_000_000,
            output_tokens: 1_000_000,
            cache_read_tokens: 1_000_000,
            cache_write_tokens: 1_000_000,
            web_searches: 3,
            cost_usd: 0.0,
        };
        let cost = Pricing::default().cost("claude-haiku-4-5", &usage);
        assert!(
            (cost - (1.0 + 5.0 + 1.25 + 0.1 + 0.03)).abs() < 1e-9,
            "{cost}"
        );
        assert_eq!(Pricing::default().cost("local-model", &usage), 0.0);
    }
}
