//! Chat Completions answers in one piece: the JSON `chat.completion`, plus the assembly of
//! text, tool calls, stop reason and usage that the stream decoder in [`super::stream`] shares.

use baton_model::Usage;
use serde::Deserialize;
use serde_json::Value;

use crate::failure::Failure;
use crate::{Block, ChatResponse, StopReason};

// Every field is optional: OpenAI-compatible servers differ in what they leave out or null.

#[derive(Deserialize)]
struct Completion {
    choices: Option<Vec<Choice>>,
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
    tool_calls: Option<Vec<WireToolCall>>,
}

#[derive(Deserialize)]
struct WireToolCall {
    id: Option<String>,
    function: Option<WireFunction>,
}

#[derive(Deserialize)]
struct WireFunction {
    name: Option<String>,
    /// A JSON string per the protocol; a few local servers send the object itself.
    arguments: Option<Value>,
}

#[derive(Deserialize, Clone, Copy)]
pub(super) struct WireUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
    prompt_tokens_details: Option<PromptDetails>,
}

#[derive(Deserialize, Clone, Copy)]
struct PromptDetails {
    cached_tokens: Option<u64>,
}

impl WireUsage {
    /// `prompt_tokens` includes the cached ones; [`Usage::input_tokens`] counts only those
    /// billed at the full rate.
    fn to_usage(self) -> Usage {
        let prompt = self.prompt_tokens.unwrap_or(0);
        let cached = self
            .prompt_tokens_details
            .and_then(|details| details.cached_tokens)
            .unwrap_or(0)
            .min(prompt);
        Usage {
            input_tokens: prompt - cached,
            output_tokens: self.completion_tokens.unwrap_or(0),
            cache_read_tokens: cached,
            cache_write_tokens: 0,
            web_searches: 0,
            cost_usd: 0.0,
        }
    }
}

/// A tool call as collected: arguments still as the raw text the model wrote.
pub(super) struct Call {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// Builds the answer both decoders end with.
pub(super) fn assemble(
    text: String,
    calls: Vec<Call>,
    finish_reason: Option<&str>,
    usage: Option<WireUsage>,
) -> ChatResponse {
    let has_calls = !calls.is_empty();
    let mut content = Vec::new();
    if !text.is_empty() {
        content.push(Block::Text(text));
    }
    for (index, call) in calls.into_iter().enumerate() {
        content.push(Block::ToolUse {
            // A few local servers leave ids out; results are matched to calls by id.
            id: if call.id.is_empty() {
                format!("call_{index}")
            } else {
                call.id
            },
            name: call.name,
            input: tool_input(&call.arguments),
        });
    }
    let stop_reason = match finish_reason {
        Some("length") => StopReason::MaxTokens,
        // Some servers (Ollama) say "stop" even when the answer is tool calls.
        _ if has_calls => StopReason::ToolUse,
        Some("stop") => StopReason::EndTurn,
        Some("tool_calls" | "function_call") => StopReason::ToolUse,
        other => StopReason::Other(other.unwrap_or_default().to_string()),
    };
    ChatResponse {
        content,
        stop_reason,
        usage: usage.map(WireUsage::to_usage).unwrap_or_default(),
    }
}

/// Arguments as JSON: `{}` when empty, the raw text when invalid (the tool layer tells the
/// model, which can then fix its call, rather than the whole call failing here).
fn tool_input(arguments: &str) -> Value {
    if arguments.trim().is_empty() {
        return Value::Object(Default::default());
    }
    serde_json::from_str(arguments).unwrap_or_else(|_| Value::String(arguments.to_string()))
}

pub(super) fn arguments_text(arguments: Option<Value>) -> String {
    match arguments {
        Some(Value::String(text)) => text,
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Decodes a non-streaming response body.
pub(super) fn decode_json(body: &[u8]) -> Result<ChatResponse, Failure> {
    let completion: Completion = serde_json::from_slice(body)
        .map_err(|error| Failure::Transient(format!("malformed response body: {error}")))?;
    let choice = completion
        .choices
        .and_then(|choices| choices.into_iter().next())
        .ok_or_else(|| Failure::Transient("the response has no choices".into()))?;
    let message = choice.message.unwrap_or(ChoiceMessage {
        content: None,
        tool_calls: None,
    });
    let calls = message
        .tool_calls
        .unwrap_or_default()
        .into_iter()
        .map(|call| {
            let function = call.function.unwrap_or(WireFunction {
                name: None,
                arguments: None,
            });
            Call {
                id: call.id.unwrap_or_default(),
                name: function.name.unwrap_or_default(),
                arguments: arguments_text(function.arguments),
            }
        })
        .collect();
    Ok(assemble(
        message.content.unwrap_or_default(),
        calls,
        choice.finish_reason.as_deref(),
        completion.usage,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_json_completion() {
        let body = json!({
            "id": "c1", "object": "chat.completion",
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "Write", "arguments": "{\"file_path\": \"x\", \"content\": \"y\"}"}},
                {"id": "call_2", "type": "function", "function": {"name": "Edit", "arguments": "{not json"}},
            ]}}],
            "usage": {"prompt_tokens": 50, "completion_tokens": 9, "total_tokens": 59},
        });
        let response = decode_json(body.to_string().as_bytes()).unwrap();
        assert_eq!(response.text(), "");
        assert!(
            matches!(&response.content[0], Block::ToolUse { input, .. } if input["content"] == "y")
        );
        assert!(
            matches!(&response.content[1], Block::ToolUse { input, .. } if *input == Value::String("{not json".into()))
        );
        assert_eq!(response.stop_reason, StopReason::ToolUse);
        assert_eq!(
            (
                response.usage.input_tokens,
                response.usage.cache_read_tokens,
                response.usage.output_tokens
            ),
            (50, 0, 9)
        );

        // An Ollama-style answer: "stop" with tool calls, no ids, arguments as an object.
        let ollama = json!({"choices": [{"finish_reason": "stop", "message": {"content": "",
            "tool_calls": [{"function": {"name": "Glob", "arguments": {"pattern": "*.rs"}}}]}}]});
        let response = decode_json(ollama.to_string().as_bytes()).unwrap();
        assert_eq!(response.stop_reason, StopReason::ToolUse);
        assert!(
            matches!(&response.content[0], Block::ToolUse { id, input, .. } if id == "call_0" && input["pattern"] == "*.rs")
        );
        assert!(matches!(
            decode_json(b"{\"choices\": []}"),
            Err(Failure::Transient(_))
        ));
    }
}
