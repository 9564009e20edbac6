//! `McpTools`: the run's MCP servers as a [`ToolProvider`]. Least privilege: a server's tool
//! is offered only when an allow rule names it (`[permissions] allow` in the config, or
//! `--allow 'mcp__github__*'`), no deny rule does, and the agent's own `tools` list, if any,
//! lets it through. A server no rule can reach is never started.

use std::sync::Arc;

use baton_tools::{
    AgentView, RunWarning, ToolContext, ToolFuture, ToolOutput, ToolProvider, ToolSpec,
};
use serde_json::Value;

use crate::config::ServerSpec;
use crate::server::{result_text, Server};

pub struct McpTools {
    servers: Vec<Arc<Server>>,
    warn: RunWarning,
}

impl McpTools {
    /// The servers, each name once (the caller puts the winning definition first), and where
    /// a server that cannot start is reported.
    pub fn new(specs: Vec<ServerSpec>, warn: RunWarning) -> McpTools {
        // TLS for HTTP servers goes through rustls with ring, installed once per process;
        // an `Err` means a provider is already installed, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut servers: Vec<Arc<Server>> = Vec::new();
        for spec in specs {
            if !servers.iter().any(|s| s.spec.name == spec.name) {
                servers.push(Arc::new(Server::new(spec)));
            }
        }
        McpTools { servers, warn }
    }

    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// The servers whose tools this agent could be offered: some allow rule reaches the
    /// server, and the agent's list (if any) names the server or one of its tools.
    fn candidates<'a>(&'a self, agent: &'a AgentView<'_>) -> impl Iterator<Item = &'a Arc<Server>> {
        self.servers.iter().filter(move |server| {
            let name = &server.spec.name;
            let prefix = format!("mcp__{name}");
            agent.policy.rules().may_allow_server(name)
                && !agent.policy.rules().tool_denied(&prefix)
                && agent.requested.is_none_or(|list| {
                    list.iter()
                        .any(|asked| asked == &prefix || asked.starts_with(&format!("{prefix}__")))
                })
        })
    }
}

impl ToolProvider for McpTools {
    fn identity(&self, agent: &AgentView<'_>) -> Vec<String> {
        self.candidates(agent)
            .map(|server| format!("mcp__{}", server.spec.name))
            .collect()
    }

    fn offer<'a>(&'a self, agent: &'a AgentView<'a>) -> ToolFuture<'a, Vec<ToolSpec>> {
        Box::pin(async move {
            let mut specs = Vec::new();
            for server in self.candidates(agent) {
                let Some(tools) = server.tools(&*self.warn).await else {
                    continue;
                };
                let rules = agent.policy.rules();
                for (name, tool) in tools {
                    if rules.tool_allowed(&name)
                        && !rules.tool_denied(&name)
                        && agent.requests(&name)
                    {
                        specs.push(ToolSpec {
                            description: tool.description.as_deref().unwrap_or("").to_string(),
                            input_schema: Value::Object((*tool.input_schema).clone()),
                            name,
                            hosted: None,
                        });
                    }
                }
            }
            specs
        })
    }

    fn call<'a>(
        &'a self,
        name: &'a str,
        input: &'a Value,
        _ctx: &'a ToolContext,
    ) -> ToolFuture<'a, ToolOutput> {
        Box::pin(async move {
            let found = self
                .servers
                .iter()
                .find_map(|server| server.own_name(name).map(|own| (server, own)));
            let Some((server, own)) = found else {
                return ToolOutput::error(format!(
                    "{name}: no running MCP server offers this tool"
                ));
            };
            match server.call(&own, input).await {
                Ok(result) => {
                    let text = result_text(&result);
                    match result.is_error == Some(true) {
                        true => ToolOutput::error(text),
                        false => ToolOutput::ok(text),
                    }
                }
                Err(why) => ToolOutput::error(format!(
                    "{why}. The tool could not be used; carry on without it or try again."
                )),
            }
        })
    }

    fn close(&self) -> ToolFuture<'_, ()> {
        Box::pin(async move {
            for server in &self.servers {
                server.stop().await;
            }
        })
    }
}
