//! How large an agent's first request is, in characters: what the estimate before a run counts
//! tokens from. Built from the same parts `Conversation::prepare` sends (the shared system
//! prompt, the per-agent suffix, the offered tools' definitions as JSON, the prompt), so that an
//! edit to any of them moves the estimate with it.

use std::path::Path;

use baton_model::AgentOptions;
use baton_tools::definitions;

use crate::agent_type::AgentTypes;
use crate::conversation::allowed_tools;
use crate::prompt::{system_suffix, SYSTEM_PROMPT};
use crate::structured;

/// Characters of one agent's first request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Footprint {
    /// The system prompt and the built-in tools' definitions: byte-identical across the
    /// agents of a run, so providers can serve it from their prompt cache.
    pub shared_chars: u64,
    /// The agent's own part: the system prompt's suffix, its `StructuredOutput` definition,
    /// its prompt.
    pub own_chars: u64,
    /// Whether the agent is offered tools (besides `StructuredOutput`): such an agent usually
    /// takes several turns.
    pub tools_offered: bool,
}

impl Footprint {
    pub fn total(&self) -> u64 {
        self.shared_chars + self.own_chars
    }
}

/// The first request of an agent started with `prompt` and `options` in `workspace`. An
/// unknown agent type counts as none (the run would reject that agent before any request).
pub fn first_request(
    prompt: &str,
    options: &AgentOptions,
    workspace: &Path,
    agent_types: &AgentTypes,
) -> Footprint {
    let agent_type = options
        .agent_type
        .as_deref()
        .and_then(|name| agent_types.get(name).ok());
    let allowed = allowed_tools(
        options.tools.as_deref(),
        agent_type.as_ref().and_then(|t| t.tools.as_deref()),
    );
    let offered = definitions(Some(&allowed));
    let tools: u64 = offered.iter().map(json_chars).sum();
    let structured = options
        .schema
        .as_ref()
        .map_or(0, |schema| json_chars(&structured::tool_spec(schema)));
    let cwd = workspace.join(options.cwd.as_deref().unwrap_or("."));
    let suffix = system_suffix(
        &cwd,
        options.schema.is_some(),
        agent_type.as_ref().map(|t| t.prompt.as_str()),
    );
    Footprint {
        shared_chars: chars(SYSTEM_PROMPT) + tools,
        own_chars: chars(&suffix) + structured + chars(prompt),
        tools_offered: !offered.is_empty(),
    }
}

fn chars(text: &str) -> u64 {
    text.chars().count() as u64
}

fn json_chars(value: &impl serde::Serialize) -> u64 {
    serde_json::to_string(value).map_or(0, |json| chars(&json))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tools_schema_and_prompt_all_count() {
        let types = AgentTypes::discover(Path::new("/nonexistent"), None);
        let dir = Path::new("/w");
        let plain = first_request("abc", &AgentOptions::default(), dir, &types);
        assert!(
            plain.shared_chars > chars(SYSTEM_PROMPT) + 1000,
            "{plain:?}"
        );
        let longer = first_request(&"x".repeat(1003), &AgentOptions::default(), dir, &types);
        assert_eq!(longer.own_chars - plain.own_chars, 1000);
        assert_eq!(longer.shared_chars, plain.shared_chars);

        let with_schema = AgentOptions {
            schema: Some(json!({"type": "object", "properties": {"n": {"type": "integer"}}})),
            ..AgentOptions::default()
        };
        assert!(first_request("abc", &with_schema, dir, &types).own_chars > plain.own_chars + 100);
        let read_only = AgentOptions {
            tools: Some(vec!["Read".into()]),
            ..AgentOptions::default()
        };
        assert!(first_request("abc", &read_only, dir, &types).shared_chars < plain.shared_chars);
    }
}
