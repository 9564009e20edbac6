//! The provider-neutral conversation: what the agent loop sends and gets back.

use baton_model::{ToolSpec, Usage};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The provider's own model id (no alias, no `provider:` prefix).
    pub model: String,
    /// The fixed instructions shared by every agent of a run: byte-identical, so providers'
    /// prompt caches serve it (Anthropic: marked with `cache_control`).
    pub system: String,
    /// Per-agent instructions after the cached prefix (working directory, agent type).
    pub system_suffix: String,
    pub tools: Vec<ToolSpec>,
    /// How many leading `tools` belong to the shared cacheable prefix (the built-in tools; a
    /// per-agent `StructuredOutput` comes after them). Anthropic marks the last of these.
    pub cached_tools: usize,
    pub messages: Vec<Message>,
    pub max_tokens: u32,
    pub effort: Option<Effort>,
    /// The agent's display label, sent as the `x-baton-label` header so proxies and test
    /// servers can tell agents apart. Never part of the prompt.
    pub label: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: Vec<Block>,
}

impl Message {
    pub fn user_text(text: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: vec![Block::Text(text.into())],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Text(String),
    /// Anthropic extended thinking; must be sent back unchanged on the next turn.
    Thinking {
        thinking: String,
        signature: String,
    },
    RedactedThinking {
        data: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    ToolResult {
        tool_use_id: String,
        content: String,
        is_error: bool,
    },
    /// A hosted tool's use or its result (Anthropic's `server_tool_use` and
    /// `web_search_tool_result`), already answered by the provider: kept as received and sent
    /// back unchanged on the next turn.
    Hosted(Value),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// The model gave its final answer.
    EndTurn,
    /// The model wants tool results.
    ToolUse,
    /// The answer was cut at `max_tokens`.
    MaxTokens,
    /// baton cut the stream: the model was repeating the same text over and over.
    Runaway,
    /// The provider paused a long turn of hosted tool use (`pause_turn`): sending the
    /// conversation back as it is lets the model go on.
    Paused,
    Other(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    pub content: Vec<Block>,
    pub stop_reason: StopReason,
    /// Tokens as the provider counted them (`cost_usd` is filled in later, from the pricing).
    pub usage: Usage,
}

impl ChatResponse {
    /// The text blocks joined, thinking left out.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|block| match block {
                Block::Text(text) => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("")
    }
}

/// The `effort` option (SPEC §3), mapped by each provider to its reasoning setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    Low,
    Medium,
    High,
    XHigh,
    Max,
}

impl Effort {
    pub fn parse(text: &str) -> Option<Effort> {
        Some(match text {
            "low" => Effort::Low,
            "medium" => Effort::Medium,
            "high" => Effort::High,
            "xhigh" => Effort::XHigh,
            "max" => Effort::Max,
            _ => return None,
        })
    }
}
