//! The Anthropic SSE stream: `message_start`, `content_block_start/delta/stop`,
//! `message_delta` and `message_stop` events, assembled into the answer `decode_json` would give.

use std::collections::BTreeMap;

use baton_model::Usage;
use serde::Deserialize;
use serde_json::Value;

use super::response::{hosted, stop_reason, tool_input, WireBlock, WireUsage};
use crate::failure::{status_of_error_type, Failure};
use crate::runaway::RunawayWatch;
use crate::sse::SseEvent;
use crate::transport::StreamDecoder;
use crate::{Block, ChatResponse};

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StreamEvent {
    MessageStart {
        message: StartedMessage,
    },
    ContentBlockStart {
        index: usize,
        content_block: WireBlock,
    },
    ContentBlockDelta {
        index: usize,
        delta: Delta,
    },
    ContentBlockStop {
        index: usize,
    },
    MessageDelta {
        delta: MessageDelta,
        #[serde(default)]
        usage: WireUsage,
    },
    MessageStop,
    Error {
        error: StreamError,
    },
    /// `ping` and event types added after this client was written.
    #[serde(other)]
    Other,
}

/// A `content_block_delta` payload, by its `*_delta` type.
#[derive(Deserialize)]
#[serde(tag = "type")]
enum Delta {
    #[serde(rename = "text_delta")]
    Text { text: String },
    #[serde(rename = "input_json_delta")]
    InputJson { partial_json: String },
    #[serde(rename = "thinking_delta")]
    Thinking { thinking: String },
    #[serde(rename = "signature_delta")]
    Signature { signature: String },
    /// `citations_delta` and types added later.
    #[serde(other)]
    Other,
}

/// `message_start` carries an empty message; only its usage (input and cache counts) matters.
#[derive(Deserialize)]
struct StartedMessage {
    #[serde(default)]
    usage: WireUsage,
}

#[derive(Deserialize)]
struct MessageDelta {
    stop_reason: Option<String>,
}

#[derive(Deserialize)]
struct StreamError {
    #[serde(rename = "type")]
    kind: Option<String>,
    message: Option<String>,
}

/// A content block while its deltas arrive.
enum Partial {
    Text(String),
    Tool {
        id: String,
        name: String,
        /// The `partial_json` pieces so far.
        json: String,
        /// The `input` of the start event.
        started: Value,
    },
    Thinking {
        thinking: String,
        signature: String,
    },
    Redacted(String),
    /// A hosted block: complete at its start, but for a `server_tool_use`'s input, which comes
    /// in `partial_json` pieces like a tool's.
    Hosted {
        block: Value,
        json: String,
    },
    /// Stopped: tool input parsed, no more deltas expected.
    Done(Option<Block>),
    /// A block type we do not keep; its deltas are ignored.
    Skipped,
}

impl Partial {
    /// The finished block; tool input is parsed from the concatenated `partial_json` pieces.
    fn into_block(self) -> Option<Block> {
        Some(match self {
            Partial::Text(text) => Block::Text(text),
            Partial::Tool {
                id,
                name,
                json,
                started,
            } => Block::ToolUse {
                id,
                name,
                // Some Anthropic-compatible servers send the whole input at the start and no
                // pieces; the real API always sends `{}` there.
                input: match started {
                    Value::Object(map) if json.trim().is_empty() && !map.is_empty() => {
                        Value::Object(map)
                    }
                    _ => tool_input(&json),
                },
            },
            Partial::Thinking {
                thinking,
                signature,
            } => Block::Thinking {
                thinking,
                signature,
            },
            Partial::Redacted(data) => Block::RedactedThinking { data },
            Partial::Hosted { mut block, json } => {
                if !json.trim().is_empty() {
                    block["input"] = tool_input(&json);
                }
                Block::Hosted(block)
            }
            Partial::Done(block) => return block,
            Partial::Skipped => return None,
        })
    }
}

/// The answer so far, built event by event.
#[derive(Default)]
pub(super) struct AnthropicStream {
    blocks: BTreeMap<usize, Partial>,
    stop_reason: Option<String>,
    usage: Usage,
    runaway: RunawayWatch,
}

impl AnthropicStream {
    pub fn boxed() -> Box<dyn StreamDecoder> {
        Box::new(AnthropicStream::default())
    }
}

impl StreamDecoder for AnthropicStream {
    fn event(&mut self, event: SseEvent) -> Result<bool, Failure> {
        let parsed: StreamEvent = serde_json::from_str(&event.data)
            .map_err(|error| Failure::Transient(format!("malformed stream event: {error}")))?;
        match parsed {
            StreamEvent::MessageStart { message } => message.usage.merge_into(&mut self.usage),
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => {
                let partial = match content_block {
                    WireBlock::Text { text } => Partial::Text(text),
                    // The start event carries `input: {}`; the real input comes in pieces.
                    WireBlock::ToolUse { id, name, input } => Partial::Tool {
                        id,
                        name,
                        json: String::new(),
                        started: input,
                    },
                    WireBlock::Thinking {
                        thinking,
                        signature,
                    } => Partial::Thinking {
                        thinking,
                        signature,
                    },
                    WireBlock::RedactedThinking { data } => Partial::Redacted(data),
                    WireBlock::ServerToolUse(fields) => Partial::Hosted {
                        block: hosted("server_tool_use", fields),
                        json: String::new(),
                    },
                    WireBlock::WebSearchToolResult(fields) => Partial::Hosted {
                        block: hosted("web_search_tool_result", fields),
                        json: String::new(),
                    },
                    WireBlock::Other => Partial::Skipped,
                };
                self.blocks.insert(index, partial);
            }
            StreamEvent::ContentBlockDelta { index, delta } => {
                match (self.blocks.get_mut(&index), delta) {
                    (Some(Partial::Text(text)), Delta::Text { text: piece }) => {
                        text.push_str(&piece);
                        if self.runaway.runs_away(text) {
                            return Ok(true);
                        }
                    }
                    (
                        Some(Partial::Tool { json, .. } | Partial::Hosted { json, .. }),
                        Delta::InputJson { partial_json },
                    ) => json.push_str(&partial_json),
                    (
                        Some(Partial::Thinking { thinking, .. }),
                        Delta::Thinking { thinking: piece },
                    ) => thinking.push_str(&piece),
                    (
                        Some(Partial::Thinking { signature, .. }),
                        Delta::Signature { signature: piece },
                    ) => signature.push_str(&piece),
                    // Citations and deltas for blocks we skip.
                    _ => {}
                }
            }
            StreamEvent::ContentBlockStop { index } => {
                if let Some(partial) = self.blocks.get_mut(&index) {
                    let taken = std::mem::replace(partial, Partial::Skipped);
                    *partial = Partial::Done(taken.into_block());
                }
            }
            StreamEvent::MessageDelta { delta, usage } => {
                if delta.stop_reason.is_some() {
                    self.stop_reason = delta.stop_reason;
                }
                usage.merge_into(&mut self.usage);
            }
            StreamEvent::MessageStop => return Ok(true),
            StreamEvent::Error { error } => {
                let kind = error.kind.unwrap_or_else(|| "api_error".into());
                return Err(Failure::Status {
                    status: status_of_error_type(&kind),
                    message: error.message.unwrap_or_else(|| kind.clone()),
                    kind: Some(kind),
                    code: None,
                    retry_after: None,
                });
            }
            StreamEvent::Other => {}
        }
        Ok(false)
    }

    fn finish(self: Box<Self>, terminal: bool) -> Result<ChatResponse, Failure> {
        if !terminal {
            return Err(Failure::Transient("stream ended early".into()));
        }
        // Blocks whose stop event never came (possible only with message_stop) count as well.
        let content = self
            .blocks
            .into_values()
            .filter_map(Partial::into_block)
            .collect();
        let mut response = ChatResponse {
            content,
            stop_reason: stop_reason(self.stop_reason.as_deref()),
            usage: self.usage,
        };
        self.runaway.mark(&mut response);
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::decode_canned;
    use crate::StopReason;
    use serde_json::json;

    /// A stream with every block kind, a tool input split mid-token, pings and CRLF endings.
    fn full_stream() -> String {
        let events = [
            (
                "message_start",
                json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "stop_reason": null,
                "usage": {"input_tokens": 12, "output_tokens": 1, "cache_creation_input_tokens": 300, "cache_read_input_tokens": 2000}}}),
            ),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Let me "}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "look."}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqQB"}}),
            ),
            (
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 0}),
            ),
            ("ping", json!({"type": "ping"})),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "Reading "}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "it ✓"}}),
            ),
            (
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 1}),
            ),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 2, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {}}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": ""}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "{\"file_pa"}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "th\": \"src/ma"}}),
            ),
            (
                "content_block_delta",
                json!({"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "in.rs\"}"}}),
            ),
            (
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 2}),
            ),
            (
                "content_block_start",
                json!({"type": "content_block_start", "index": 3, "content_block": {"type": "tool_use", "id": "toolu_2", "name": "Glob", "input": {}}}),
            ),
            (
                "content_block_stop",
                json!({"type": "content_block_stop", "index": 3}),
            ),
            (
                "message_delta",
                json!({"type": "message_delta", "delta": {"stop_reason": "tool_use", "stop_sequence": null}, "usage": {"output_tokens": 87}}),
            ),
            ("message_stop", json!({"type": "message_stop"})),
        ];
        events
            .iter()
            .map(|(name, data)| format!("event: {name}\r\ndata: {data}\r\n\r\n"))
            .collect()
    }

    #[test]
    fn a_stream_builds_every_block_kind() {
        let body = full_stream();
        for piece in [1, 7, 64, body.len()] {
            let response = decode_canned(AnthropicStream::boxed(), body.as_bytes(), piece).unwrap();
            assert_eq!(
                response.content,
                vec![
                    Block::Thinking {
                        thinking: "Let me look.".into(),
                        signature: "EqQB".into()
                    },
                    Block::Text("Reading it ✓".into()),
                    Block::ToolUse {
                        id: "toolu_1".into(),
                        name: "Read".into(),
                        input: json!({"file_path": "src/main.rs"})
                    },
                    Block::ToolUse {
                        id: "toolu_2".into(),
                        name: "Glob".into(),
                        input: json!({})
                    },
                ]
            );
            assert_eq!(response.stop_reason, StopReason::ToolUse);
            let usage = response.usage;
            assert_eq!(
                (usage.input_tokens, usage.output_tokens),
                (12, 87),
                "piece {piece}"
            );
            assert_eq!(
                (usage.cache_write_tokens, usage.cache_read_tokens),
                (300, 2000)
            );
        }
    }

    #[test]
    fn tool_input_sent_whole_at_the_start() {
        let body = [
            json!({"type": "message_start", "message": {"usage": {"input_tokens": 1}}}),
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "tool_use", "id": "t", "name": "Bash", "input": {"command": "ls"}}}),
            json!({"type": "content_block_stop", "index": 0}),
            json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 3}}),
            json!({"type": "message_stop"}),
        ]
        .iter()
        .map(|data| format!("data: {data}\n\n"))
        .collect::<String>();
        let response = decode_canned(AnthropicStream::boxed(), body.as_bytes(), 10).unwrap();
        assert!(
            matches!(&response.content[0], Block::ToolUse { input, .. } if input["command"] == "ls")
        );
    }

    #[test]
    fn a_stream_without_message_stop_is_truncated() {
        let body = full_stream();
        let cut = body.find("event: message_stop").unwrap();
        let failure = decode_canned(AnthropicStream::boxed(), &body.as_bytes()[..cut], 5);
        assert_eq!(
            failure,
            Err(Failure::Transient("stream ended early".into()))
        );
    }

    #[test]
    fn error_events_carry_their_status() {
        let stream = |kind: &str| {
            let error = json!({"type": "error", "error": {"type": kind, "message": "Overloaded"}});
            format!("event: message_start\ndata: {{\"type\":\"message_start\",\"message\":{{\"usage\":{{}}}}}}\n\nevent: error\ndata: {error}\n\n")
        };
        let status = |kind: &str| match decode_canned(
            AnthropicStream::boxed(),
            stream(kind).as_bytes(),
            9,
        ) {
            Err(Failure::Status { status, kind, .. }) => (status, kind.unwrap()),
            other => panic!("{}", other.is_ok()),
        };
        assert_eq!(status("overloaded_error"), (529, "overloaded_error".into()));
        assert_eq!(status("api_error").0, 500);
        assert_eq!(status("invalid_request_error").0, 400);
        let garbage = decode_canned(AnthropicStream::boxed(), b"data: {not json\n\n", 3);
        assert!(matches!(garbage, Err(Failure::Transient(_))));
    }
}
