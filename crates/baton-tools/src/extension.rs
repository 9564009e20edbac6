//! The seam for tools beyond the built-in six (MCP servers' tools, WebFetch, WebSearch): a
//! [`ToolProvider`] offers definitions to one agent and runs the calls made to them. The agent
//! loop asks the run's [`ToolProviders`] once per agent and dispatches by name; the policy and
//! the output cap apply to these tools as to the built-in ones.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use crate::output::cap_lines;
use crate::{Policy, ToolContext, ToolOutput, ToolSpec, DENIED};

/// A boxed future borrowing from its provider.
pub type ToolFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where a provider reports what the run should hear about (a server that would not start):
/// one line each, for the run's log.
pub type RunWarning = Arc<dyn Fn(String) + Send + Sync>;

/// What a provider needs to know about the agent it offers tools to.
#[derive(Debug, Clone, Copy)]
pub struct AgentView<'a> {
    /// The agent's own list of tools (the script's `tools` and its agent type's, both
    /// applying), `None` when neither restricts.
    pub requested: Option<&'a [String]>,
    pub policy: &'a Policy,
    /// The provider of the agent's model (`anthropic`, `openai`).
    pub provider: &'a str,
}

impl AgentView<'_> {
    /// Whether the agent's own list lets `tool` through: no list, the name itself, or (for
    /// MCP tools) its server's bare name, `mcp__<server>`.
    pub fn requests(&self, tool: &str) -> bool {
        self.requested.is_none_or(|list| {
            list.iter().any(|asked| {
                asked == tool
                    || tool
                        .strip_prefix(asked.as_str())
                        .is_some_and(|rest| asked.starts_with("mcp__") && rest.starts_with("__"))
            })
        })
    }

    /// Whether the agent's own list names `tool` explicitly (not merely leaves it unrestricted).
    pub fn names(&self, tool: &str) -> bool {
        self.requested.is_some() && self.requests(tool)
    }
}

/// A source of tools for agents.
pub trait ToolProvider: Send + Sync {
    /// What this provider could offer the agent, as it enters the call's identity (server
    /// names, tool names); empty when nothing. Must not start anything.
    fn identity(&self, agent: &AgentView<'_>) -> Vec<String>;

    /// The definitions offered to the agent (may start servers, once per run). Only tools the
    /// policy lets through: the provider applies its own default (see its docs).
    fn offer<'a>(&'a self, agent: &'a AgentView<'a>) -> ToolFuture<'a, Vec<ToolSpec>>;

    /// Runs a call to one of the tools it offered. Every failure is an error result.
    fn call<'a>(
        &'a self,
        name: &'a str,
        input: &'a Value,
        ctx: &'a ToolContext,
    ) -> ToolFuture<'a, ToolOutput>;

    /// Stops whatever it started (the end of the run).
    fn close(&self) -> ToolFuture<'_, ()>;
}

/// The run's tool providers, in the order their tools are offered.
#[derive(Clone, Default)]
pub struct ToolProviders(Vec<Arc<dyn ToolProvider>>);

impl std::fmt::Debug for ToolProviders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ToolProviders({})", self.0.len())
    }
}

impl ToolProviders {
    pub fn new(providers: Vec<Arc<dyn ToolProvider>>) -> ToolProviders {
        ToolProviders(providers)
    }

    /// Everything the providers could offer this agent, sorted; `None` when nothing.
    pub fn identity(&self, agent: &AgentView<'_>) -> Option<Vec<String>> {
        let mut all: Vec<String> = self.0.iter().flat_map(|p| p.identity(agent)).collect();
        all.sort();
        all.dedup();
        (!all.is_empty()).then_some(all)
    }

    /// The tools offered to one agent, and who answers each.
    pub async fn offer(&self, agent: &AgentView<'_>) -> OfferedTools {
        let mut offered = OfferedTools::default();
        for provider in &self.0 {
            for spec in provider.offer(agent).await {
                // The first provider to offer a name keeps it; the policy has the last word.
                if agent.policy.offers(&spec.name) && !offered.owner.contains_key(&spec.name) {
                    offered.owner.insert(spec.name.clone(), provider.clone());
                    offered.specs.push(spec);
                }
            }
        }
        offered
    }

    pub async fn close(&self) {
        for provider in &self.0 {
            provider.close().await;
        }
    }
}

/// The extra tools one agent was offered.
#[derive(Default)]
pub struct OfferedTools {
    specs: Vec<ToolSpec>,
    owner: HashMap<String, Arc<dyn ToolProvider>>,
}

impl OfferedTools {
    pub fn specs(&self) -> &[ToolSpec] {
        &self.specs
    }

    /// Runs `name` if it is one of these tools (`None` otherwise): the deny rules are checked
    /// again, and the result is cut to the output cap like any tool's.
    pub async fn run(&self, name: &str, input: &Value, ctx: &ToolContext) -> Option<ToolOutput> {
        let provider = self.owner.get(name)?;
        if !ctx.policy.offers(name) {
            return Some(ToolOutput::denied(format!(
                "{DENIED} the tool {name} is denied by the user's rules. baton runs without \
                 anyone to approve tool calls, so this was denied at once; carry on with the \
                 other tools."
            )));
        }
        let mut output = provider.call(name, input, ctx).await;
        output.content = cap_lines(
            &output.content,
            ctx.output_cap,
            "the rest of the result is not shown; ask for less",
        );
        Some(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Rules;

    #[test]
    fn an_agents_list_names_tools_or_whole_servers() {
        let policy = Policy::new(std::path::Path::new("/"), &[], Rules::default());
        let list = vec!["Read".to_string(), "mcp__github".to_string()];
        let view = AgentView {
            requested: Some(&list),
            policy: &policy,
            provider: "anthropic",
        };
        assert!(view.requests("mcp__github__create_issue"));
        assert!(!view.requests("mcp__githubx__create_issue"));
        assert!(!view.requests("WebFetch"));
        assert!(view.names("Read"));
        let open = AgentView {
            requested: None,
            ..view
        };
        assert!(open.requests("WebFetch") && !open.names("WebFetch"));
    }
}
