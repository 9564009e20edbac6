//! The OpenAI Chat Completions API (`POST /v1/chat/completions`): reading requests, writing
//! completions, chunk streams and errors.

use bytes::Bytes;
use serde_json::{json, Map, Value};

use crate::config::FaultKind;
use crate::request::{marked, required_array, required_str, text_of, Parsed, Segment};
use crate::script::{Block, Reply};
use crate::wire::{piece_count, pieces, sse, ApiError, Meta};

/// Reads a Chat Completions request; `Err` is the message of a 400.
pub(crate) fn parse(body: &Value) -> Result<Parsed, String> {
    let mut parsed = Parsed {
        model: required_str(body, "model")?,
        stream: body["stream"].as_bool().unwrap_or(false),
        include_usage: body["stream_options"]["include_usage"]
            .as_bool()
            .unwrap_or(false),
        ..Parsed::default()
    };
    let messages = required_array(body, "messages")?;

    for tool in body["tools"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let function = &tool["function"];
        let name = function["name"].as_str().unwrap_or_default();
        parsed.offer_tool(name, &function["parameters"]);
        parsed
            .segments
            .push(Segment::new(&tool.to_string(), marked(tool)));
    }
    let mut system = Vec::new();
    for message in messages {
        let content = &message["content"];
        // OpenAI has no cache markers, but some gateways pass Anthropic's through.
        let marker = marked(message)
            || content
                .as_array()
                .is_some_and(|parts| parts.iter().any(marked));
        let text = text_of(content);
        match message["role"].as_str().unwrap_or_default() {
            "system" | "developer" => system.push(text.clone()),
            "user" if parsed.prompt.is_empty() => parsed.prompt = text.clone(),
            "assistant" => {
                parsed.turn += 1;
                for call in message["tool_calls"].as_array().into_iter().flatten() {
                    let function = &call["function"];
                    let call_text = format!(
                        "{}{}",
                        function["name"].as_str().unwrap_or_default(),
                        function["arguments"].as_str().unwrap_or_default()
                    );
                    parsed.segments.push(Segment::new(&call_text, false));
                }
            }
            _ => {}
        }
        parsed.segments.push(Segment::new(&text, marker));
    }
    parsed.system = system.join("\n");
    // The results of the last assistant turn are the `tool` messages that follow it.
    let trailing = messages
        .iter()
        .rev()
        .take_while(|m| m["role"] == "tool")
        .count();
    parsed.tool_results = messages[messages.len() - trailing..]
        .iter()
        .map(|m| (text_of(&m["content"]), false))
        .collect();
    parsed.cache_control = parsed.segments.iter().any(|s| s.marked);
    Ok(parsed)
}

/// The whole completion of a non-streaming response.
pub(crate) fn completion(reply: &Reply, meta: &Meta) -> Bytes {
    let text: String = reply
        .blocks
        .iter()
        .filter_map(|block| match block {
            Block::Text(text) => Some(text.as_str()),
            Block::Tool { .. } | Block::Hosted(_) => None,
        })
        .collect();
    let mut message = json!({
        "role": "assistant",
        "content": if text.is_empty() { Value::Null } else { Value::from(text) },
        "refusal": null,
    });
    let calls: Vec<Value> = reply
        .blocks
        .iter()
        .filter_map(|block| match block {
            Block::Tool { id, name, input } => Some(json!({
                "id": id,
                "type": "function",
                "function": {"name": name, "arguments": input.to_string()},
            })),
            Block::Text(_) | Block::Hosted(_) => None,
        })
        .collect();
    if !calls.is_empty() {
        message["tool_calls"] = calls.into();
    }
    let body = json!({
        "id": meta.id,
        "object": "chat.completion",
        "created": meta.created,
        "model": meta.model,
        "system_fingerprint": "fp_mock",
        "choices": [{
            "index": 0,
            "message": message,
            "logprobs": null,
            "finish_reason": finish_reason(reply),
        }],
        "usage": usage(meta),
    });
    Bytes::from(body.to_string())
}

/// The chunk stream of a streaming response, one frame per `data:` line, ending in `[DONE]`.
pub(crate) fn chunks(reply: &Reply, meta: &Meta) -> Vec<Bytes> {
    let role = if reply.calls_tools() {
        json!({"role": "assistant", "content": null})
    } else {
        json!({"role": "assistant", "content": ""})
    };
    let mut frames = vec![chunk(meta, role, Value::Null)];
    let mut call_index = 0;
    for block in &reply.blocks {
        match block {
            Block::Text(text) => {
                for part in pieces(text, piece_count(text)) {
                    frames.push(chunk(meta, json!({"content": part}), Value::Null));
                }
            }
            Block::Tool { id, name, input } => {
                // The first fragment names the call; the rest only append to `arguments`, and
                // only `index` ties them together.
                let opening = json!({"tool_calls": [{
                    "index": call_index, "id": id, "type": "function",
                    "function": {"name": name, "arguments": ""},
                }]});
                frames.push(chunk(meta, opening, Value::Null));
                let arguments = input.to_string();
                for part in pieces(&arguments, piece_count(&arguments)) {
                    let delta = json!({"tool_calls": [{
                        "index": call_index, "function": {"arguments": part},
                    }]});
                    frames.push(chunk(meta, delta, Value::Null));
                }
                call_index += 1;
            }
            // Hosted tools are Anthropic's; a scripted one never reaches an OpenAI reply.
            Block::Hosted(_) => {}
        }
    }
    frames.push(chunk(meta, json!({}), finish_reason(reply).into()));
    if meta.include_usage {
        let mut last = header(meta, Vec::new());
        last.insert("usage".into(), usage(meta));
        frames.push(sse(None, &Value::Object(last)));
    }
    frames.push(Bytes::from_static(b"data: [DONE]\n\n"));
    frames
}

/// Status and body of an error response.
pub(crate) fn error(error: &ApiError) -> (u16, Bytes) {
    let (status, kind, code, message) = match error {
        ApiError::Unauthorized => (
            401,
            "invalid_request_error",
            Some("invalid_api_key"),
            "Incorrect API key provided.".to_owned(),
        ),
        ApiError::UnknownModel(model) => (
            404,
            "invalid_request_error",
            Some("model_not_found"),
            format!("The model `{model}` does not exist or you do not have access to it."),
        ),
        ApiError::BadRequest(message) => (400, "invalid_request_error", None, message.clone()),
        ApiError::NotFound => (404, "invalid_request_error", None, "Invalid URL".to_owned()),
        ApiError::Fault(FaultKind::RateLimited) => (
            429,
            "requests",
            Some("rate_limit_exceeded"),
            "Rate limit reached for requests (mock)".to_owned(),
        ),
        // OpenAI signals overload with 503; it has no 529.
        ApiError::Fault(FaultKind::Overloaded) => (
            503,
            "server_error",
            None,
            "The server is overloaded or not ready yet.".to_owned(),
        ),
        ApiError::Fault(_) => (
            500,
            "server_error",
            None,
            "The server had an error while processing your request.".to_owned(),
        ),
    };
    let body = json!({"error": {"message": message, "type": kind, "param": null, "code": code}});
    (status, Bytes::from(body.to_string()))
}

/// One `chat.completion.chunk` with a single choice.
fn chunk(meta: &Meta, delta: Value, finish_reason: Value) -> Bytes {
    let choice =
        json!({"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason});
    let mut chunk = header(meta, vec![choice]);
    if meta.include_usage {
        // With include_usage every chunk but the last carries `"usage": null`.
        chunk.insert("usage".into(), Value::Null);
    }
    sse(None, &Value::Object(chunk))
}

fn header(meta: &Meta, choices: Vec<Value>) -> Map<String, Value> {
    let mut chunk = Map::new();
    chunk.insert("id".into(), meta.id.clone().into());
    chunk.insert("object".into(), "chat.completion.chunk".into());
    chunk.insert("created".into(), meta.created.into());
    chunk.insert("model".into(), meta.model.clone().into());
    chunk.insert("system_fingerprint".into(), "fp_mock".into());
    chunk.insert("choices".into(), choices.into());
    chunk
}

fn usage(meta: &Meta) -> Value {
    let usage = meta.usage;
    json!({
        "prompt_tokens": usage.prompt(),
        "completion_tokens": usage.output,
        "total_tokens": usage.prompt() + usage.output,
        "prompt_tokens_details": {"cached_tokens": usage.cache_read, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    })
}

fn finish_reason(reply: &Reply) -> &'static str {
    if reply.calls_tools() {
        "tool_calls"
    } else {
        "stop"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_roles_tools_and_trailing_tool_results() {
        let body = json!({
            "model": "gpt-x",
            "stream": true,
            "stream_options": {"include_usage": true},
            "tools": [{"type": "function", "function": {"name": "Read", "parameters": {}}}],
            "messages": [
                {"role": "system", "content": "sys"},
                {"role": "user", "content": [{"type": "text", "text": "hi"}]},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "Read", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "file body"}
            ]
        });
        let parsed = parse(&body).unwrap();
        assert!(parsed.stream && parsed.include_usage);
        assert_eq!(parsed.system, "sys");
        assert_eq!(parsed.prompt, "hi");
        assert_eq!(parsed.turn, 1);
        assert_eq!(parsed.tools, vec!["Read"]);
        assert_eq!(parsed.tool_results, vec![("file body".to_owned(), false)]);
        assert!(!parsed.cache_control);
    }
}
