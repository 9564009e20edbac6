//! Which backend answers a run's agents: the `sim` model, or real providers configured from
//! the environment, the config files and the flags; and the model for agents that name none.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Result};
use baton_agent::{AgentSettings, AgentTypes, LlmBackend, Policy, Providers, ToolProviders};
use baton_llm::{ModelResolver, Pricing, ProviderKind, Transport, TransportSettings};
use baton_model::AgentBackend;
use baton_sim::{Latency, SimBackend};

use crate::cost_guard::PricedOnly;
use crate::model_check::{self, ModelUse};
use crate::settings::Settings;

pub struct ModelChoice {
    pub backend: Arc<dyn AgentBackend>,
    pub default_model: String,
}

/// How model names resolve and what they cost, as a real run here would see them; what the
/// estimate prices its agents with. Needs no key.
pub struct ModelTable {
    pub resolver: ModelResolver,
    pub pricing: Pricing,
    /// The model for agents that name none, or why there is none.
    pub default_model: Result<String, String>,
}

pub fn choose(
    settings: &Settings,
    dry_run: bool,
    cwd: &Path,
    home: Option<&Path>,
    policy: Policy,
    uses: &[ModelUse],
    extensions: ToolProviders,
) -> Result<ModelChoice> {
    let requested = settings.model.as_ref().map(|m| m.value.clone());
    if dry_run || requested.as_deref() == Some("sim") {
        let latency = if dry_run {
            Latency::ZERO
        } else {
            settings.sim_latency.value
        };
        if !dry_run && settings.max_cost_usd.is_some() {
            eprintln!("warning: the sim model costs nothing, so --max-cost-usd never binds");
        }
        return Ok(ModelChoice {
            backend: SimBackend::new(latency),
            default_model: "sim".into(),
        });
    }

    let transport = Transport::new(transport_settings(settings))
        .map_err(|e| anyhow!("cannot set up HTTP: {e}"))?;
    let providers = Providers::from_env(&transport);
    let table = model_table_with(settings, &providers)?;
    let default_model = table.default_model.map_err(|why| anyhow!("{why}"))?;
    table
        .resolver
        .resolve(&default_model)
        .map_err(|e| anyhow!("--model {default_model}: {e}"))?;
    let whence = settings.model.as_ref().map_or_else(
        || "the default model".to_string(),
        |m| format!("the default model ({})", m.source),
    );
    let default_use = ModelUse {
        name: default_model.clone(),
        whence,
    };
    let all: Vec<ModelUse> = std::iter::once(default_use)
        .chain(uses.iter().cloned())
        .collect();
    model_check::refuse_unreachable(&table.resolver, &providers, &all).map_err(|e| anyhow!(e))?;

    let backend: Arc<dyn AgentBackend> = LlmBackend::new(
        providers,
        table.resolver.clone(),
        table.pricing.clone(),
        AgentSettings {
            policy,
            max_turns: settings.agent_max_turns.value,
            extensions,
            ..AgentSettings::new(cwd.to_path_buf())
        },
        AgentTypes::discover(cwd, home),
    );
    let backend = match &settings.max_cost_usd {
        // A cost cap counts dollars from the pricing table: a model without a price would
        // spend for free as far as the cap can tell, so it is refused rather than trusted.
        Some(cap) => {
            let guard = PricedOnly::new(backend, table.resolver, table.pricing, cap.value);
            guard
                .check(&default_model)
                .map_err(|why| anyhow!("--model {default_model}: {why}"))?;
            Arc::new(guard)
        }
        None => backend,
    };
    Ok(ModelChoice {
        backend,
        default_model,
    })
}

/// The model table a real run would use, for the estimate.
pub fn model_table(settings: &Settings) -> Result<ModelTable> {
    if settings.model.as_ref().is_some_and(|m| m.value == "sim") {
        return Ok(ModelTable {
            resolver: ModelResolver::new([], None, ProviderKind::Anthropic),
            pricing: Pricing::default(),
            default_model: Ok("sim".into()),
        });
    }
    let transport = Transport::new(transport_settings(settings))
        .map_err(|e| anyhow!("cannot set up HTTP: {e}"))?;
    model_table_with(settings, &Providers::from_env(&transport))
}

fn model_table_with(settings: &Settings, providers: &Providers) -> Result<ModelTable> {
    let forced = match &settings.provider {
        Some(name) => Some(ProviderKind::parse(&name.value).ok_or_else(|| {
            anyhow!(
                "unknown provider '{}' ({}): use anthropic or openai",
                name.value,
                name.source
            )
        })?),
        None => None,
    };
    // A provider is usable when it has what it needs from the environment (its own rule:
    // Anthropic needs a key, a local OpenAI-compatible server does not).
    let usable = |kind| {
        providers
            .get(kind)
            .is_some_and(|provider| provider.missing_key().is_none())
    };
    let (anthropic, openai) = (
        usable(ProviderKind::Anthropic),
        usable(ProviderKind::OpenAi),
    );
    let fallback = if !anthropic && openai {
        ProviderKind::OpenAi
    } else {
        ProviderKind::Anthropic
    };
    let default_model = match &settings.model {
        Some(model) => Ok(model.value.clone()),
        None if anthropic && forced != Some(ProviderKind::OpenAi) => Ok("sonnet".into()),
        None if openai => Err(
            "no model given: pass --model with a model id of your OpenAI-compatible server (or set BATON_MODEL)".to_string()
        ),
        None => Err(
            "no model provider is configured: set ANTHROPIC_API_KEY, or OPENAI_API_KEY / OPENAI_BASE_URL, or run with --model sim to simulate every agent for free".to_string()
        ),
    };
    let aliases = settings
        .aliases
        .iter()
        .map(|(alias, model)| (alias.clone(), model.value.clone()));
    let prices = settings
        .pricing
        .iter()
        .map(|(model, price)| (model.clone(), price.value));
    Ok(ModelTable {
        resolver: ModelResolver::new(aliases, forced, fallback),
        pricing: Pricing::new(prices),
        default_model,
    })
}

/// The `http.*` settings as the transport takes them.
fn transport_settings(settings: &Settings) -> TransportSettings {
    let http = &settings.http;
    TransportSettings {
        max_retries: http.max_retries.value,
        backoff_base: Duration::from_millis(http.backoff_ms.value),
        // Checked positive and finite when the settings were resolved.
        stall_timeout: Duration::from_secs_f64(http.stall_timeout_secs.value),
        max_requests: http.max_requests.value,
        stream: http.stream.value,
        headers: http
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), value.value.clone()))
            .collect(),
        ..TransportSettings::default()
    }
}
