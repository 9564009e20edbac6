//! `PricedOnly`: under `--max-cost-usd`, refuses models the pricing table has no price for. The
//! cap counts dollars from usage × price, so an unpriced model (a local server, a new model id)
//! would spend without the cap ever seeing it: a cap that can never bind is a trap, and the
//! user is told how to price the model instead.

use std::sync::Arc;

use baton_llm::{ModelResolver, Pricing};
use baton_model::{AgentBackend, AgentCall, AgentOutcome, BoxFuture, NoteSink};

pub struct PricedOnly {
    inner: Arc<dyn AgentBackend>,
    resolver: ModelResolver,
    pricing: Pricing,
    cap: f64,
}

impl PricedOnly {
    pub fn new(
        inner: Arc<dyn AgentBackend>,
        resolver: ModelResolver,
        pricing: Pricing,
        cap: f64,
    ) -> PricedOnly {
        PricedOnly {
            inner,
            resolver,
            pricing,
            cap,
        }
    }

    /// `Err` says why `requested` cannot run under the cap, and what to do.
    pub fn check(&self, requested: &str) -> Result<(), String> {
        let model = self.resolver.resolve(requested)?;
        if self.pricing.price(&model.model).is_some() {
            return Ok(());
        }
        Err(format!(
            "no price is known for {}, so --max-cost-usd {} could not count what it spends; \
             price it with --price '{}=INPUT,OUTPUT' (USD per million tokens) or [pricing.\"{}\"] \
             in .baton/config.toml, or drop the cost cap",
            model.model, self.cap, model.model, model.model
        ))
    }
}

impl AgentBackend for PricedOnly {
    /// The engine resolves every call's model as it accepts it; an unpriced one stops the run
    /// there (a configuration error, exit 2) before any agent spends on it.
    fn resolve_model(&self, requested: &str) -> Result<String, String> {
        self.check(requested)?;
        self.inner.resolve_model(requested)
    }

    fn run(&self, call: AgentCall, notes: NoteSink) -> BoxFuture<AgentOutcome> {
        self.inner.run(call, notes)
    }

    fn tool_identity(&self, options: &baton_model::AgentOptions) -> Option<serde_json::Value> {
        self.inner.tool_identity(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_llm::{Price, ProviderKind};
    use baton_sim::{Latency, SimBackend};

    #[test]
    fn unpriced_models_are_refused_with_the_way_out() {
        let resolver = ModelResolver::new(
            [("local".to_string(), "openai:llama3".to_string())],
            None,
            ProviderKind::Anthropic,
        );
        let guard = PricedOnly::new(
            SimBackend::new(Latency::ZERO),
            resolver.clone(),
            Pricing::default(),
            0.5,
        );
        assert!(guard.check("haiku").is_ok());
        let refusal = guard.resolve_model("local").unwrap_err();
        assert!(
            refusal.starts_with("no price is known for llama3"),
            "{refusal}"
        );
        assert!(
            refusal.contains("--price 'llama3=INPUT,OUTPUT'"),
            "{refusal}"
        );

        let priced = Pricing::new([(
            "llama3".to_string(),
            Price {
                input: 0.1,
                output: 0.2,
                cache_write: 0.1,
                cache_read: 0.1,
            },
        )]);
        let guard = PricedOnly::new(SimBackend::new(Latency::ZERO), resolver, priced, 0.5);
        assert_eq!(guard.resolve_model("local").unwrap(), "local");
    }
}
