//! The Anthropic Messages API (`POST /v1/messages`): reading requests, writing messages, event
//! streams and errors.

use bytes::Bytes;
use serde_json::{json, Value};

use crate::config::FaultKind;
use crate::request::{marked, required_array, required_str, text_of, Parsed, Segment};
use crate::script::{Block, Reply};
use crate::wire::{piece_count, pieces, sse, ApiError, Meta};

/// Reads a Messages request; `Err` is the message of a 400.
pub(crate) fn parse(body: &Value) -> Result<Parsed, String> {
    let mut parsed = Parsed {
        model: required_str(body, "model")?,
        stream: body["stream"].as_bool().unwrap_or(false),
        // A top-level marker asks for automatic caching of the whole prompt.
        cache_control: marked(body),
        ..Parsed::default()
    };
    let messages = required_array(body, "messages")?;

    // Provider order, which is also the order a cached prefix covers: tools, system, messages.
    for tool in body["tools"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let name = tool["name"].as_str().unwrap_or_default();
        parsed.offer_tool(name, &tool["input_schema"]);
        parsed.hosted_search |= tool["type"]
            .as_str()
            .is_some_and(|kind| kind.starts_with("web_search_"));
        parsed
            .segments
            .push(Segment::new(&tool.to_string(), marked(tool)));
    }
    match &body["system"] {
        Value::String(text) => {
            parsed.segments.push(Segment::new(text, false));
            parsed.system = text.clone();
        }
        Value::Array(blocks) => {
            let mut texts = Vec::with_capacity(blocks.len());
            for block in blocks {
                let text = block["text"].as_str().unwrap_or_default();
                parsed.segments.push(Segment::new(text, marked(block)));
                texts.push(text);
            }
            parsed.system = texts.join("\n");
        }
        _ => {}
    }
    for message in messages {
        let role = message["role"].as_str().unwrap_or_default();
        if role == "assistant" {
            parsed.turn += 1;
        }
        if role == "user" && parsed.prompt.is_empty() {
            parsed.prompt = text_of(&message["content"]);
        }
        match &message["content"] {
            Value::String(text) => parsed.segments.push(Segment::new(text, false)),
            Value::Array(blocks) => {
                for block in blocks {
                    parsed
                        .segments
                        .push(Segment::new(&block_text(block), marked(block)));
                }
            }
            _ => return Err("messages: content must be a string or a list".into()),
        }
    }
    if let Some(last) = messages.last().filter(|m| m["role"] == "user") {
        parsed.tool_results = last["content"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|block| block["type"] == "tool_result")
            .map(|block| {
                let is_error = block["is_error"].as_bool().unwrap_or(false);
                (text_of(&block["content"]), is_error)
            })
            .collect();
    }
    parsed.cache_control |= parsed.segments.iter().any(|s| s.marked);
    Ok(parsed)
}

/// The text a content block contributes to the prompt's size.
fn block_text(block: &Value) -> String {
    match block["type"].as_str().unwrap_or_default() {
        "text" => block["text"].as_str().unwrap_or_default().to_owned(),
        "tool_use" => format!(
            "{}{}",
            block["name"].as_str().unwrap_or_default(),
            block["input"]
        ),
        "tool_result" => text_of(&block["content"]),
        "thinking" => block["thinking"].as_str().unwrap_or_default().to_owned(),
        _ => block.to_string(),
    }
}

/// The whole message of a non-streaming response.
pub(crate) fn message(reply: &Reply, meta: &Meta) -> Bytes {
    let content: Vec<Value> = reply
        .blocks
        .iter()
        .map(|block| match block {
            Block::Text(text) => json!({"type": "text", "text": text}),
            Block::Tool { id, name, input } => {
                json!({"type": "tool_use", "id": id, "name": name, "input": input})
            }
            Block::Hosted(raw) => raw.clone(),
        })
        .collect();
    let mut message = envelope(meta, content, Value::from(stop_reason(reply)));
    message["usage"]["output_tokens"] = meta.usage.output.into();
    count_searches(&mut message["usage"], reply);
    Bytes::from(message.to_string())
}

/// The event stream of a streaming response, one frame per event.
pub(crate) fn events(reply: &Reply, meta: &Meta) -> Vec<Bytes> {
    let mut start = envelope(meta, Vec::new(), Value::Null);
    // The real API reports a token or so of output at the start; the final count comes in
    // `message_delta`.
    start["usage"]["output_tokens"] = 1.into();
    let mut frames = vec![
        event(
            "message_start",
            json!({"type": "message_start", "message": start}),
        ),
        event("ping", json!({"type": "ping"})),
    ];
    for (index, block) in reply.blocks.iter().enumerate() {
        let (opening, kind, key, whole) = match block {
            Block::Text(text) => (
                json!({"type": "text", "text": ""}),
                "text_delta",
                "text",
                text.clone(),
            ),
            Block::Tool { id, name, input } => (
                json!({"type": "tool_use", "id": id, "name": name, "input": {}}),
                "input_json_delta",
                "partial_json",
                input.to_string(),
            ),
            // A search's input comes in pieces like a tool's; its result comes whole.
            Block::Hosted(raw) if raw["type"] == "server_tool_use" => {
                let mut opening = raw.clone();
                opening["input"] = json!({});
                (
                    opening,
                    "input_json_delta",
                    "partial_json",
                    raw["input"].to_string(),
                )
            }
            Block::Hosted(raw) => (raw.clone(), "", "", String::new()),
        };
        frames.push(event(
            "content_block_start",
            json!({"type": "content_block_start", "index": index, "content_block": opening}),
        ));
        // A block with no delta kind (a search result) is whole in its start event.
        let mut parts = match kind.is_empty() {
            true => Vec::new(),
            false => pieces(&whole, piece_count(&whole)),
        };
        if matches!(block, Block::Tool { .. }) {
            // The real API opens tool input with an empty fragment; clients must cope.
            parts.insert(0, "");
        }
        for part in parts {
            frames.push(event(
                "content_block_delta",
                json!({"type": "content_block_delta", "index": index,
                       "delta": {"type": kind, key: part}}),
            ));
        }
        frames.push(event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": index}),
        ));
    }
    let mut usage = json!({"output_tokens": meta.usage.output});
    count_searches(&mut usage, reply);
    frames.push(event(
        "message_delta",
        json!({"type": "message_delta",
               "delta": {"stop_reason": stop_reason(reply), "stop_sequence": null},
               "usage": usage}),
    ));
    frames.push(event("message_stop", json!({"type": "message_stop"})));
    frames
}

/// Status and body of an error response.
pub(crate) fn error(error: &ApiError) -> (u16, Bytes) {
    let (status, kind, message) = match error {
        ApiError::Unauthorized => (401, "authentication_error", "invalid x-api-key".into()),
        ApiError::UnknownModel(model) => (404, "not_found_error", format!("model: {model}")),
        ApiError::BadRequest(message) => (400, "invalid_request_error", message.clone()),
        ApiError::NotFound => (404, "not_found_error", "Not Found".into()),
        ApiError::Fault(FaultKind::RateLimited) => (
            429,
            "rate_limit_error",
            "This request would exceed the rate limit (mock)".into(),
        ),
        ApiError::Fault(FaultKind::Overloaded) => (529, "overloaded_error", "Overloaded".into()),
        ApiError::Fault(_) => (500, "api_error", "Internal server error".into()),
    };
    let body = json!({"type": "error", "error": {"type": kind, "message": message}});
    (status, Bytes::from(body.to_string()))
}

/// A message object with everything but the output count.
fn envelope(meta: &Meta, content: Vec<Value>, stop_reason: Value) -> Value {
    json!({
        "id": meta.id,
        "type": "message",
        "role": "assistant",
        "model": meta.model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": {
            "input_tokens": meta.usage.input,
            "cache_creation_input_tokens": meta.usage.cache_write,
            "cache_read_input_tokens": meta.usage.cache_read,
            "output_tokens": 0,
        },
    })
}

/// `usage.server_tool_use`, when the reply ran hosted searches.
fn count_searches(usage: &mut Value, reply: &Reply) {
    let searches = reply.web_searches();
    if searches > 0 {
        usage["server_tool_use"] = json!({"web_search_requests": searches});
    }
}

fn stop_reason(reply: &Reply) -> &'static str {
    if reply.calls_tools() {
        "tool_use"
    } else if matches!(reply.blocks.last(), Some(Block::Hosted(_))) {
        // A turn cannot end on a search: the server paused it.
        "pause_turn"
    } else {
        "end_turn"
    }
}

fn event(name: &str, data: Value) -> Bytes {
    sse(Some(name), &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_system_blocks_tools_and_tool_results() {
        let body = json!({
            "model": "claude-x",
            "max_tokens": 100,
            "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
            "tools": [{"name": "StructuredOutput", "description": "d",
                       "input_schema": {"type": "object"}}],
            "messages": [
                {"role": "user", "content": [{"type": "text", "text": "hello"}]},
                {"role": "assistant", "content": [
                    {"type": "thinking", "thinking": "hm", "signature": "s"},
                    {"type": "tool_use", "id": "t1", "name": "StructuredOutput", "input": {}}]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "t1", "is_error": true,
                     "content": [{"type": "text", "text": "bad"}]}]}
            ]
        });
        let parsed = parse(&body).unwrap();
        assert_eq!(parsed.model, "claude-x");
        assert_eq!(parsed.prompt, "hello");
        assert_eq!(parsed.system, "be brief");
        assert_eq!(parsed.turn, 1);
        assert_eq!(parsed.tools, vec!["StructuredOutput"]);
        assert!(parsed.structured_output.is_some());
        assert!(parsed.cache_control);
        assert_eq!(parsed.tool_results, vec![("bad".to_owned(), true)]);
        // tool, system, user text, thinking, tool_use, tool_result.
        assert_eq!(parsed.segments.len(), 6);
    }

    #[test]
    fn parse_refuses_a_request_without_model_or_messages() {
        assert!(parse(&json!({"messages": []})).is_err());
        assert!(parse(&json!({"model": "m"})).is_err());
    }
}
