//! The Chat Completions SSE stream: `chat.completion.chunk`s with content pieces, tool-call
//! pieces by index, a final usage chunk (`stream_options.include_usage`) and `[DONE]`.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::response::{arguments_text, assemble, Call, WireUsage};
use crate::failure::{read_error_value, Failure};
use crate::runaway::RunawayWatch;
use crate::sse::SseEvent;
use crate::transport::StreamDecoder;
use crate::ChatResponse;

#[derive(Deserialize)]
struct Chunk {
    choices: Option<Vec<ChunkChoice>>,
    usage: Option<WireUsage>,
    /// Some servers (OpenRouter, vLLM) report failures inside a stream that began with 200.
    error: Option<Value>,
}

#[derive(Deserialize)]
struct ChunkChoice {
    delta: Option<ChunkDelta>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChunkDelta {
    content: Option<String>,
    tool_calls: Option<Vec<ToolCallDelta>>,
}

#[derive(Deserialize)]
struct ToolCallDelta {
    index: Option<usize>,
    id: Option<String>,
    function: Option<FunctionDelta>,
}

#[derive(Deserialize)]
struct FunctionDelta {
    name: Option<String>,
    arguments: Option<Value>,
}

/// The answer so far, built chunk by chunk.
#[derive(Default)]
pub(super) struct OpenAiStream {
    text: String,
    /// By the `index` of the tool-call deltas: the first piece has the id and name, later
    /// pieces append to the arguments.
    calls: BTreeMap<usize, Call>,
    finish_reason: Option<String>,
    usage: Option<WireUsage>,
    runaway: RunawayWatch,
}

impl OpenAiStream {
    pub fn boxed() -> Box<dyn StreamDecoder> {
        Box::new(OpenAiStream::default())
    }
}

impl StreamDecoder for OpenAiStream {
    fn event(&mut self, event: SseEvent) -> Result<bool, Failure> {
        if event.data.trim() == "[DONE]" {
            return Ok(true);
        }
        let chunk: Chunk = serde_json::from_str(&event.data)
            .map_err(|error| Failure::Transient(format!("malformed stream chunk: {error}")))?;
        if let Some(error) = chunk.error {
            return Err(stream_error(&error));
        }
        if chunk.usage.is_some() {
            self.usage = chunk.usage;
        }
        // Only one choice is ever asked for (no `n`).
        let Some(choice) = chunk.choices.and_then(|choices| choices.into_iter().next()) else {
            return Ok(false);
        };
        if choice.finish_reason.is_some() {
            self.finish_reason = choice.finish_reason;
        }
        let Some(delta) = choice.delta else {
            return Ok(false);
        };
        if let Some(piece) = delta.content {
            self.text.push_str(&piece);
            if self.runaway.runs_away(&self.text) {
                return Ok(true);
            }
        }
        for (position, piece) in delta.tool_calls.unwrap_or_default().into_iter().enumerate() {
            let call = self
                .calls
                .entry(piece.index.unwrap_or(position))
                .or_insert_with(|| Call {
                    id: String::new(),
                    name: String::new(),
                    arguments: String::new(),
                });
            if let Some(id) = piece.id.filter(|id| !id.is_empty()) {
                call.id = id;
            }
            if let Some(function) = piece.function {
                // Names come whole in the first piece in practice; appending also copes with
                // servers that split them.
                call.name
                    .push_str(function.name.as_deref().unwrap_or_default());
                call.arguments.push_str(&arguments_text(function.arguments));
            }
        }
        Ok(false)
    }

    fn finish(self: Box<Self>, terminal: bool) -> Result<ChatResponse, Failure> {
        // `[DONE]` may be lost to a server that closes early; a finish_reason already says the
        // answer is whole (the usage chunk, if it was coming, is what may be missing).
        if !terminal && self.finish_reason.is_none() {
            return Err(Failure::Transient("stream ended early".into()));
        }
        let mut response = assemble(
            self.text,
            self.calls.into_values().collect(),
            self.finish_reason.as_deref(),
            self.usage,
        );
        self.runaway.mark(&mut response);
        Ok(response)
    }
}

/// An error object inside a stream: its numeric `code` when there is one (OpenRouter sends
/// the HTTP status there), otherwise a server error, which is worth a retry.
fn stream_error(error: &Value) -> Failure {
    let wrapped = serde_json::json!({ "error": error });
    let (kind, code, message) = read_error_value(&wrapped);
    let status = code
        .as_deref()
        .and_then(|code| code.parse::<u16>().ok())
        .filter(|status| (400..600).contains(status))
        .unwrap_or(500);
    Failure::Status {
        status,
        kind,
        code,
        message: message.unwrap_or_else(|| "error in stream".into()),
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::decode_canned;
    use crate::{Block, StopReason};
    use serde_json::json;

    fn sse(chunks: &[Value], done: bool) -> String {
        let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
        if done {
            body.push_str("data: [DONE]\n\n");
        }
        body
    }

    fn delta(delta: Value, finish: Option<&str>) -> Value {
        json!({"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], "usage": null})
    }

    fn tool_stream() -> Vec<Value> {
        vec![
            delta(json!({"role": "assistant", "content": ""}), None),
            delta(json!({"content": "Let me "}), None),
            delta(json!({"content": "check."}), None),
            delta(
                json!({"tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "Read", "arguments": ""}}]}),
                None,
            ),
            delta(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"file_"}}]}),
                None,
            ),
            delta(
                json!({"tool_calls": [{"index": 1, "id": "call_b", "type": "function", "function": {"name": "Grep", "arguments": "{\"pattern\""}}]}),
                None,
            ),
            delta(
                json!({"tool_calls": [{"index": 0, "function": {"arguments": "path\": \"a.rs\"}"}}]}),
                None,
            ),
            delta(
                json!({"tool_calls": [{"index": 1, "function": {"arguments": ": \"fn\"}"}}]}),
                None,
            ),
            delta(json!({}), Some("tool_calls")),
            json!({"id": "c1", "choices": [], "usage": {"prompt_tokens": 1200, "completion_tokens": 40, "prompt_tokens_details": {"cached_tokens": 1024}}}),
        ]
    }

    #[test]
    fn a_stream_with_interleaved_tool_calls() {
        let body = sse(&tool_stream(), true);
        for piece in [1, 13, body.len()] {
            let response = decode_canned(OpenAiStream::boxed(), body.as_bytes(), piece).unwrap();
            assert_eq!(
                response.content,
                vec![
                    Block::Text("Let me check.".into()),
                    Block::ToolUse {
                        id: "call_a".into(),
                        name: "Read".into(),
                        input: json!({"file_path": "a.rs"})
                    },
                    Block::ToolUse {
                        id: "call_b".into(),
                        name: "Grep".into(),
                        input: json!({"pattern": "fn"})
                    },
                ]
            );
            assert_eq!(response.stop_reason, StopReason::ToolUse);
            let usage = response.usage;
            assert_eq!(
                (
                    usage.input_tokens,
                    usage.cache_read_tokens,
                    usage.output_tokens
                ),
                (176, 1024, 40)
            );
        }
    }

    #[test]
    fn done_or_finish_reason_ends_a_stream() {
        // A finish_reason without [DONE] is a whole answer (usage may be missing).
        let text = [
            delta(json!({"content": "hi"}), None),
            delta(json!({}), Some("stop")),
        ];
        let response =
            decode_canned(OpenAiStream::boxed(), sse(&text, false).as_bytes(), 4).unwrap();
        assert_eq!(
            (response.text(), response.stop_reason),
            ("hi".into(), StopReason::EndTurn)
        );
        // Neither: truncated.
        let cut = decode_canned(OpenAiStream::boxed(), sse(&text[..1], false).as_bytes(), 4);
        assert_eq!(cut, Err(Failure::Transient("stream ended early".into())));
        // [DONE] whose blank line was lost still counts.
        let body = format!("{}data: [DONE]\n", sse(&text[..1], false));
        assert!(decode_canned(OpenAiStream::boxed(), body.as_bytes(), 4).is_ok());
        let length = [delta(json!({"content": "abc"}), Some("length"))];
        let response =
            decode_canned(OpenAiStream::boxed(), sse(&length, true).as_bytes(), 100).unwrap();
        assert_eq!(response.stop_reason, StopReason::MaxTokens);
    }

    #[test]
    fn errors_and_garbage_inside_a_stream() {
        let error = [json!({"error": {"code": 502, "message": "upstream died"}})];
        let failure = decode_canned(OpenAiStream::boxed(), sse(&error, false).as_bytes(), 8);
        assert!(
            matches!(failure, Err(Failure::Status { status: 502, ref message, .. }) if message == "upstream died")
        );
        let error = [json!({"error": {"message": "boom", "type": "server_error", "code": null}})];
        let failure = decode_canned(OpenAiStream::boxed(), sse(&error, false).as_bytes(), 8);
        assert!(matches!(failure, Err(Failure::Status { status: 500, .. })));
        let garbage = decode_canned(OpenAiStream::boxed(), b"data: {\"choi\n\n", 8);
        assert!(matches!(garbage, Err(Failure::Transient(_))));
    }
}
