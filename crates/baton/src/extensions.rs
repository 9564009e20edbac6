//! The run's tools beyond the built-in ones: MCP servers (the project's `.mcp.json`, then
//! `[mcp_servers]` of the project's and the user's `.baton/config.toml`) and the web tools
//! (`[web]`, `BATON_SEARXNG_URL`, `BRAVE_API_KEY`). What they have to say during the run (a
//! server that would not start) becomes a warning in the run's log.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::{anyhow, Result};
use baton_agent::{RunWarning, ToolProvider, ToolProviders};
use baton_engine::EventSink;
use baton_llm::ProviderKind;
use baton_mcp_tools::{find_mcp_json, read_mcp_json, servers_from, McpTools, ServerSpec};
use baton_model::{Event, LogLevel};
use baton_web::{FetchSettings, SearchBackend, WebTools, BRAVE_URL};

use crate::config::ConfigFiles;
use crate::model_choice;
use crate::settings::Settings;

pub struct Extensions {
    providers: ToolProviders,
    log: Arc<OnceLock<Arc<dyn EventSink>>>,
}

impl Extensions {
    pub fn configure(cwd: &Path, home: Option<&Path>) -> Result<Extensions> {
        let files = ConfigFiles::load(cwd, home)?;
        let log: Arc<OnceLock<Arc<dyn EventSink>>> = Arc::default();
        let warn: RunWarning = {
            let log = log.clone();
            Arc::new(move |text: String| match log.get() {
                Some(sink) => sink.emit(Event::Log {
                    level: LogLevel::Warn,
                    text,
                }),
                None => eprintln!("warning: {text}"),
            })
        };
        // The first definition of a name wins: the project's baton config, then the
        // project's `.mcp.json`, then the user's baton config.
        let mut servers: Vec<ServerSpec> = Vec::new();
        let mut add = |found: Result<Vec<ServerSpec>, String>| -> Result<()> {
            servers.extend(found.map_err(|e| anyhow!("{e}"))?);
            Ok(())
        };
        let table = |path: &Path, config: &crate::config::Config| {
            let value = serde_json::to_value(&config.mcp_servers).unwrap_or_default();
            servers_from(&value, &format!("{} [mcp_servers]", path.display()))
        };
        if let Some((path, config)) = &files.project {
            add(table(path, config))?;
        }
        if let Some(path) = find_mcp_json(cwd) {
            add(read_mcp_json(&path))?;
        }
        if let Some((path, config)) = &files.user {
            add(table(path, config))?;
        }

        let (fetch, search) = web_settings(&files);

        let mut providers: Vec<Arc<dyn ToolProvider>> = Vec::new();
        let mcp = McpTools::new(servers, warn.clone());
        if !mcp.is_empty() {
            providers.push(Arc::new(mcp));
        }
        providers.push(Arc::new(WebTools::new(fetch, search, warn)));
        Ok(Extensions {
            providers: ToolProviders::new(providers),
            log,
        })
    }

    pub fn providers(&self) -> ToolProviders {
        self.providers.clone()
    }

    /// From now on, warnings go to the run's log (journal and progress).
    pub fn report_to(&self, sink: Arc<dyn EventSink>) {
        let _ = self.log.set(sink);
    }

    pub async fn close(&self) {
        self.providers.close().await;
    }
}

/// WebFetch's limits and WebSearch's backend: `[web]` of the project's config over the
/// user's; `BATON_SEARXNG_URL` over both; a SearXNG instance over Brave (`BRAVE_API_KEY`).
pub fn web_settings(files: &ConfigFiles) -> (FetchSettings, Option<SearchBackend>) {
    let mut fetch = FetchSettings::default();
    let mut searxng = std::env::var("BATON_SEARXNG_URL")
        .ok()
        .filter(|url| !url.is_empty());
    let web: Vec<&crate::config::WebConfig> = files
        .by_precedence()
        .map(|(_, config)| &config.web)
        .collect();
    for config in web.into_iter().rev() {
        if let Some(secs) = config
            .fetch_timeout_secs
            .filter(|s| *s > 0.0 && s.is_finite())
        {
            fetch.timeout = Duration::from_secs_f64(secs);
        }
        if let Some(bytes) = config.fetch_max_bytes.filter(|b| *b > 0) {
            fetch.max_bytes = bytes;
        }
        if searxng.is_none() {
            searxng.clone_from(&config.searxng_url);
        }
    }
    let search = match (searxng, std::env::var("BRAVE_API_KEY").ok()) {
        (Some(url), _) => Some(SearchBackend::Searxng { url }),
        (None, Some(key)) if !key.is_empty() => Some(SearchBackend::Brave {
            key,
            url: BRAVE_URL.to_string(),
        }),
        _ => None,
    };
    (fetch, search)
}

/// Whether agents on the run's default model get WebSearch here: a configured search API
/// serves every agent, Anthropic's hosted search those on Anthropic. `baton check` and the dry
/// run say which agents ask for it when they would not get it. A config that does not read is
/// the run's to report.
pub fn search_available(settings: &Settings, cwd: &Path, home: Option<&Path>) -> bool {
    let configured = ConfigFiles::load(cwd, home)
        .map(|files| web_settings(&files).1.is_some())
        .unwrap_or(true);
    configured || default_model_on_anthropic(settings)
}

fn default_model_on_anthropic(settings: &Settings) -> bool {
    let Ok(table) = model_choice::model_table(settings) else {
        return false;
    };
    table
        .default_model
        .ok()
        .filter(|model| model != "sim")
        .and_then(|model| table.resolver.resolve(&model).ok())
        .is_some_and(|model| model.provider == ProviderKind::Anthropic)
}

/// The line said when agents ask for WebSearch and would not get it.
pub const NO_SEARCH_BACKEND: &str = "no search backend is configured for the run's model, so \
    WebSearch will not be offered: set [web] searxng_url in .baton/config.toml (or \
    BATON_SEARXNG_URL), or BRAVE_API_KEY, or use a model on Anthropic (its hosted web search)";
