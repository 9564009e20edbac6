//! `WebTools`: WebFetch and WebSearch as a [`ToolProvider`]. An agent is offered them when its
//! own `tools` list names them or an allow rule does (`--allow WebFetch`), and no deny rule
//! does. WebSearch also needs a backend: the configured search API (SearXNG, Brave), else,
//! for an agent on Anthropic, Anthropic's hosted web search; an agent that asks for it with
//! neither is reported once in the run's log.

use std::sync::atomic::{AtomicBool, Ordering};

use baton_tools::{
    AgentView, RunWarning, ToolContext, ToolFuture, ToolOutput, ToolProvider, ToolSpec,
};
use serde_json::{json, Value};

use crate::fetch::{fetch, FetchSettings};
use crate::search::{render, search, SearchBackend};

pub struct WebTools {
    pub fetch: FetchSettings,
    pub search: Option<SearchBackend>,
    warn: RunWarning,
    warned: AtomicBool,
}

impl WebTools {
    pub fn new(fetch: FetchSettings, search: Option<SearchBackend>, warn: RunWarning) -> WebTools {
        WebTools {
            fetch,
            search,
            warn,
            warned: AtomicBool::new(false),
        }
    }

    fn asked(agent: &AgentView<'_>, tool: &str) -> bool {
        let rules = agent.policy.rules();
        (agent.names(tool) || rules.tool_allowed(tool)) && !rules.tool_denied(tool)
    }

    fn offered(&self, agent: &AgentView<'_>) -> Vec<&'static str> {
        ["WebFetch", "WebSearch"]
            .into_iter()
            .filter(|tool| Self::asked(agent, tool))
            .filter(|tool| *tool != "WebSearch" || self.searches_for(agent))
            .collect()
    }

    /// Whether WebSearch has a backend for this agent: a configured search API serves every
    /// agent; without one, Anthropic's hosted search serves agents on Anthropic.
    fn searches_for(&self, agent: &AgentView<'_>) -> bool {
        self.search.is_some() || hosted_search(agent)
    }

    /// The definition offered as WebSearch: the search API's tool, or Anthropic's own.
    fn definition(&self, name: &'static str) -> ToolSpec {
        match name {
            "WebSearch" if self.search.is_none() => ToolSpec {
                hosted: Some(json!({
                    "type": "web_search_20250305",
                    "name": "web_search",
                    "max_uses": HOSTED_SEARCHES_PER_TURN,
                })),
                ..function_definition(name)
            },
            _ => function_definition(name),
        }
    }
}

/// At most this many hosted searches in one turn ($0.01 each).
const HOSTED_SEARCHES_PER_TURN: u32 = 5;

/// Anthropic runs web searches itself for its models.
fn hosted_search(agent: &AgentView<'_>) -> bool {
    agent.provider == "anthropic"
}

impl ToolProvider for WebTools {
    fn identity(&self, agent: &AgentView<'_>) -> Vec<String> {
        self.offered(agent).into_iter().map(String::from).collect()
    }

    fn offer<'a>(&'a self, agent: &'a AgentView<'a>) -> ToolFuture<'a, Vec<ToolSpec>> {
        if !self.searches_for(agent)
            && Self::asked(agent, "WebSearch")
            && !self.warned.swap(true, Ordering::Relaxed)
        {
            (self.warn)(
                "an agent asked for WebSearch, but no search backend is configured for its \
                 provider, so it is not offered: set [web] searxng_url in .baton/config.toml (or \
                 BATON_SEARXNG_URL), or BRAVE_API_KEY (agents on Anthropic use Anthropic's web \
                 search)"
                    .to_string(),
            );
        }
        let specs = self
            .offered(agent)
            .into_iter()
            .map(|name| self.definition(name))
            .collect();
        Box::pin(async move { specs })
    }

    fn call<'a>(
        &'a self,
        name: &'a str,
        input: &'a Value,
        ctx: &'a ToolContext,
    ) -> ToolFuture<'a, ToolOutput> {
        Box::pin(async move {
            match name {
                "WebFetch" => self.web_fetch(input, ctx).await,
                _ => self.web_search(input).await,
            }
        })
    }

    fn close(&self) -> ToolFuture<'_, ()> {
        Box::pin(async {})
    }
}

impl WebTools {
    async fn web_fetch(&self, input: &Value, ctx: &ToolContext) -> ToolOutput {
        let Some(url) = input.get("url").and_then(Value::as_str) else {
            return ToolOutput::error("WebFetch needs \"url\": the full http(s) URL to read.");
        };
        match fetch(url, ctx.policy.rules(), &self.fetch).await {
            Ok(page) => {
                let mut text = format!("URL: {}\n", page.url);
                if let Some(prompt) = input.get("prompt").and_then(Value::as_str) {
                    text.push_str(&format!("Looking for: {prompt}\n"));
                }
                if page.truncated {
                    text.push_str(&format!(
                        "(the page is larger than {} bytes; only its beginning was read)\n",
                        self.fetch.max_bytes
                    ));
                }
                text.push('\n');
                text.push_str(&page.markdown);
                ToolOutput::ok(text)
            }
            Err(why) => ToolOutput::error(format!("WebFetch failed: {why}")),
        }
    }

    async fn web_search(&self, input: &Value) -> ToolOutput {
        let Some(backend) = &self.search else {
            return ToolOutput::error("WebSearch has no backend configured.");
        };
        let Some(query) = input.get("query").and_then(Value::as_str) else {
            return ToolOutput::error("WebSearch needs \"query\": the words to search for.");
        };
        let list = |key: &str| -> Vec<String> {
            input[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|d| d.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        match search(
            backend,
            query,
            &list("allowed_domains"),
            &list("blocked_domains"),
        )
        .await
        {
            Ok(hits) => ToolOutput::ok(render(query, &hits)),
            Err(why) => ToolOutput::error(format!("WebSearch failed: {why}")),
        }
    }
}

/// A tool baton runs itself: its description and input schema.
fn function_definition(name: &'static str) -> ToolSpec {
    let (description, schema) = match name {
        "WebFetch" => (
            "Fetches a web page and returns its content as Markdown.\n\nUsage:\n- url must be a \
             full http:// or https:// URL.\n- prompt says what you are looking for in the page.\n\
             - Redirects are followed; pages on private or local addresses are refused unless \
             the user allowed them.\n- Large pages are cut; the result says so.",
            json!({
                "type": "object",
                "properties": {
                    "url": {"type": "string", "format": "uri", "description": "The URL to fetch"},
                    "prompt": {"type": "string", "description": "What to look for in the page"},
                },
                "required": ["url"],
                "additionalProperties": false,
            }),
        ),
        _ => (
            "Searches the web and returns results: titles, URLs and snippets.\n\nUsage:\n- \
             Fetch the promising results with WebFetch to read them.\n- allowed_domains keeps \
             only results from those domains; blocked_domains drops results from them.",
            json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "minLength": 2, "description": "The search query"},
                    "allowed_domains": {"type": "array", "items": {"type": "string"},
                        "description": "Only include results from these domains"},
                    "blocked_domains": {"type": "array", "items": {"type": "string"},
                        "description": "Never include results from these domains"},
                },
                "required": ["query"],
                "additionalProperties": false,
            }),
        ),
    };
    ToolSpec {
        name: name.to_string(),
        description: description.to_string(),
        input_schema: schema,
        hosted: None,
    }
}
