//! Anthropic answers in one piece: the JSON `Message`, its blocks, stop reason and usage. The
//! wire types here are shared with the stream decoder in [`super::stream`].

use baton_model::Usage;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::failure::Failure;
use crate::{Block, ChatResponse, StopReason};

#[derive(Deserialize)]
struct WireMessage {
    #[serde(default)]
    content: Vec<WireBlock>,
    stop_reason: Option<String>,
    #[serde(default)]
    usage: WireUsage,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum WireBlock {
    Text {
        #[serde(default)]
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    Thinking {
        #[serde(default)]
        thinking: String,
        #[serde(default)]
        signature: String,
    },
    RedactedThinking {
        data: String,
    },
    /// The hosted web search: the model's use of it and what it found. Kept whole, to be sent
    /// back unchanged (see [`hosted`]).
    ServerToolUse(Map<String, Value>),
    WebSearchToolResult(Map<String, Value>),
    /// Block types this client does not use.
    #[serde(other)]
    Other,
}

/// A hosted block as the provider wrote it: its fields with the `type` tag serde took off.
pub(super) fn hosted(kind: &str, mut fields: Map<String, Value>) -> Value {
    fields.insert("type".into(), kind.into());
    Value::Object(fields)
}

/// Token counts; every field may be missing or null in one event or another.
#[derive(Deserialize, Default)]
pub(super) struct WireUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    server_tool_use: Option<ServerToolUsage>,
}

/// Uses of hosted tools, billed apart from tokens.
#[derive(Deserialize, Default)]
struct ServerToolUsage {
    web_search_requests: Option<u64>,
}

impl WireUsage {
    /// Copies the counts this event has; `message_delta` counts are cumulative, so later
    /// values replace earlier ones.
    pub(super) fn merge_into(&self, usage: &mut Usage) {
        let pairs = [
            (self.input_tokens, &mut usage.input_tokens),
            (self.output_tokens, &mut usage.output_tokens),
            (
                self.cache_creation_input_tokens,
                &mut usage.cache_write_tokens,
            ),
            (self.cache_read_input_tokens, &mut usage.cache_read_tokens),
            (
                self.server_tool_use
                    .as_ref()
                    .and_then(|used| used.web_search_requests),
                &mut usage.web_searches,
            ),
        ];
        for (value, slot) in pairs {
            if let Some(value) = value {
                *slot = value;
            }
        }
    }
}

pub(super) fn stop_reason(reason: Option<&str>) -> StopReason {
    match reason {
        Some("end_turn" | "stop_sequence") => StopReason::EndTurn,
        Some("tool_use") => StopReason::ToolUse,
        Some("max_tokens") => StopReason::MaxTokens,
        Some("pause_turn") => StopReason::Paused,
        other => StopReason::Other(other.unwrap_or_default().to_string()),
    }
}

/// Decodes a non-streaming response body.
pub(super) fn decode_json(body: &[u8]) -> Result<ChatResponse, Failure> {
    let message: WireMessage = serde_json::from_slice(body)
        .map_err(|error| Failure::Transient(format!("malformed response body: {error}")))?;
    let content = message
        .content
        .into_iter()
        .filter_map(|block| match block {
            WireBlock::Text { text } => Some(Block::Text(text)),
            WireBlock::ToolUse { id, name, input } => Some(Block::ToolUse {
                id,
                name,
                input: if input.is_null() {
                    empty_input()
                } else {
                    input
                },
            }),
            WireBlock::Thinking {
                thinking,
                signature,
            } => Some(Block::Thinking {
                thinking,
                signature,
            }),
            WireBlock::RedactedThinking { data } => Some(Block::RedactedThinking { data }),
            WireBlock::ServerToolUse(fields) => {
                Some(Block::Hosted(hosted("server_tool_use", fields)))
            }
            WireBlock::WebSearchToolResult(fields) => {
                Some(Block::Hosted(hosted("web_search_tool_result", fields)))
            }
            WireBlock::Other => None,
        })
        .collect();
    let mut usage = Usage::default();
    message.usage.merge_into(&mut usage);
    Ok(ChatResponse {
        content,
        stop_reason: stop_reason(message.stop_reason.as_deref()),
        usage,
    })
}

fn empty_input() -> Value {
    Value::Object(Default::default())
}

/// Tool input from its streamed JSON pieces: `{}` when there were none, the raw text when it
/// is not JSON (the tool layer reports that to the model instead of failing the call).
pub(super) fn tool_input(json: &str) -> Value {
    if json.trim().is_empty() {
        return empty_input();
    }
    serde_json::from_str(json).unwrap_or_else(|_| Value::String(json.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_json_message() {
        let body = json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
            "content": [
                {"type": "redacted_thinking", "data": "abc"},
                {"type": "text", "text": "Hello"},
                {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "ls"}},
                {"type": "server_tool_use", "id": "x", "name": "web_search", "input": {"query": "q"}},
                {"type": "web_search_tool_result", "tool_use_id": "x", "content": [
                    {"type": "web_search_result", "url": "https://a.example", "title": "A", "encrypted_content": "e"}]},
                {"type": "mcp_tool_use", "id": "m"},
            ],
            "stop_reason": "max_tokens",
            "usage": {"input_tokens": 5, "output_tokens": 7, "cache_creation_input_tokens": null, "cache_read_input_tokens": 3,
                      "server_tool_use": {"web_search_requests": 1}},
        });
        let response = decode_json(body.to_string().as_bytes()).unwrap();
        assert_eq!(response.content.len(), 5);
        // Hosted blocks are kept exactly as they came, to go back unchanged.
        assert_eq!(
            response.content[3],
            Block::Hosted(body["content"][3].clone())
        );
        assert_eq!(
            response.content[4],
            Block::Hosted(body["content"][4].clone())
        );
        assert_eq!(response.usage.web_searches, 1);
        assert_eq!(response.text(), "Hello");
        assert!(
            matches!(&response.content[2], Block::ToolUse { input, .. } if input["command"] == "ls")
        );
        assert_eq!(response.stop_reason, StopReason::MaxTokens);
        assert_eq!(
            (
                response.usage.input_tokens,
                response.usage.output_tokens,
                response.usage.cache_read_tokens,
                response.usage.cache_write_tokens
            ),
            (5, 7, 3, 0)
        );
        assert_eq!(stop_reason(Some("end_turn")), StopReason::EndTurn);
        assert_eq!(stop_reason(Some("stop_sequence")), StopReason::EndTurn);
        assert_eq!(stop_reason(Some("pause_turn")), StopReason::Paused);
        assert_eq!(
            stop_reason(Some("refusal")),
            StopReason::Other("refusal".into())
        );
        assert!(matches!(
            decode_json(b"{\"content\": [{\"type\": \"te"),
            Err(Failure::Transient(_))
        ));
    }

    #[test]
    fn tool_input_edge_cases() {
        assert_eq!(tool_input(""), json!({}));
        assert_eq!(tool_input("{\"a\":1}"), json!({"a": 1}));
        assert_eq!(tool_input("{\"a\":"), Value::String("{\"a\":".into()));
    }
}
