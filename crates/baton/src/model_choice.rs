//! Which backend answers a run's agents: the `sim` model, or real providers configured from
//! the environment, the config files and the flags; and the model for agents that name none.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use baton_agent::{AgentSettings, AgentTypes, LlmBackend, Policy, Providers};
use baton_llm::{ModelResolver, Pricing, ProviderKind, Transport, TransportSettings};
use baton_model::AgentBackend;
use baton_sim::{Latency, SimBackend};

use crate::cli::RunSettings;
use crate::config::{Config, HttpConfig};

pub struct ModelChoice {
    pub backend: Arc<dyn AgentBackend>,
    pub default_model: String,
}

pub fn choose(
    args: &RunSettings,
    dry_run: bool,
    config: &Config,
    cwd: &Path,
    home: Option<&Path>,
    policy: Policy,
) -> Result<ModelChoice> {
    let requested = args.model.clone().or_else(|| config.model.clone());
    if dry_run || requested.as_deref() == Some("sim") {
        let latency: Latency = if dry_run {
            Latency::ZERO
        } else {
            args.sim_latency
                .parse()
                .map_err(|e| anyhow!("--sim-latency: {e}"))?
        };
        return Ok(ModelChoice {
            backend: SimBackend::new(latency),
            default_model: "sim".into(),
        });
    }

    let forced = match args.provider.as_deref().or(config.provider.as_deref()) {
        Some(name) => Some(
            ProviderKind::parse(name)
                .ok_or_else(|| anyhow!("unknown provider '{name}': use anthropic or openai"))?,
        ),
        None => None,
    };
    let transport = Transport::new(transport_settings(&config.http)?)
        .map_err(|e| anyhow!("cannot set up HTTP: {e}"))?;
    let providers = Providers::from_env(&transport);
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
    let default_model = match requested {
        Some(model) => model,
        None if anthropic && forced != Some(ProviderKind::OpenAi) => "sonnet".into(),
        None if openai => bail!(
            "no model given: pass --model with a model id of your OpenAI-compatible server (or set BATON_MODEL)"
        ),
        None => bail!(
            "no model provider is configured: set ANTHROPIC_API_KEY, or OPENAI_API_KEY / OPENAI_BASE_URL, or run with --model sim to simulate every agent for free"
        ),
    };
    let resolver = ModelResolver::new(config.models.clone(), forced, fallback);
    let resolved = resolver
        .resolve(&default_model)
        .map_err(|e| anyhow!("--model {default_model}: {e}"))?;
    if let Some(missing) = providers
        .get(resolved.provider)
        .and_then(|provider| provider.missing_key())
    {
        bail!("{missing}");
    }

    let backend = LlmBackend::new(
        providers,
        resolver,
        Pricing::new(config.pricing.clone()),
        AgentSettings {
            policy,
            ..AgentSettings::new(cwd.to_path_buf())
        },
        AgentTypes::discover(cwd, home),
    );
    Ok(ModelChoice {
        backend,
        default_model,
    })
}

/// The config file's `[http]` table, overridden by `BATON_HTTP_*` variables.
fn transport_settings(http: &HttpConfig) -> Result<TransportSettings> {
    let mut settings = TransportSettings::default();
    if let Some(n) = env_or("BATON_HTTP_MAX_RETRIES", http.max_retries)? {
        settings.max_retries = n;
    }
    if let Some(ms) = env_or("BATON_HTTP_BACKOFF_MS", http.backoff_ms)? {
        settings.backoff_base = Duration::from_millis(ms);
    }
    if let Some(secs) = env_or("BATON_HTTP_STALL_TIMEOUT_SECS", http.stall_timeout_secs)? {
        settings.stall_timeout = Duration::try_from_secs_f64(secs)
            .map_err(|_| anyhow!("stall timeout {secs}: expected a positive number of seconds"))?;
    }
    if let Some(n) = env_or("BATON_HTTP_MAX_REQUESTS", http.max_requests)? {
        settings.max_requests = n.max(1);
    }
    if let Some(stream) = env_or("BATON_HTTP_STREAM", http.stream)? {
        settings.stream = stream;
    }
    Ok(settings)
}

fn env_or<T: std::str::FromStr>(variable: &str, configured: Option<T>) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(variable) {
        Ok(text) if !text.is_empty() => text
            .parse()
            .map(Some)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| format!("{variable}={text}")),
        _ => Ok(configured),
    }
}
