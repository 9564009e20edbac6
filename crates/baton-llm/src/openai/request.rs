//! The body of a Chat Completions request: one system message, user/assistant/tool messages
//! from content blocks, function tools, and the reasoning settings of reasoning models.

use serde_json::{json, Map, Value};

use crate::{Block, ChatRequest, Effort, Message, Role};

/// The request body for `request`.
pub(super) fn encode(request: &ChatRequest, stream: bool) -> Value {
    let mut body = Map::new();
    body.insert("model".into(), json!(request.model));
    body.insert("messages".into(), Value::Array(messages(request)));
    if !request.tools.is_empty() {
        let tools = request
            .tools
            .iter()
            .map(|tool| {
                json!({
                    "type": "function",
                    "function": {
                        "name": tool.name,
                        "description": tool.description,
                        "parameters": tool.input_schema,
                    },
                })
            })
            .collect();
        body.insert("tools".into(), Value::Array(tools));
    }
    if is_reasoning_model(&request.model) {
        // Reasoning models reject `max_tokens`; their limit also covers the hidden reasoning.
        body.insert("max_completion_tokens".into(), json!(request.max_tokens));
        if let Some(effort) = request.effort {
            body.insert("reasoning_effort".into(), json!(reasoning_effort(effort)));
        }
    } else {
        // Other models (and most local servers) know only `max_tokens`, and no effort setting.
        body.insert("max_tokens".into(), json!(request.max_tokens));
    }
    if stream {
        body.insert("stream".into(), json!(true));
        // Without this a stream carries no token counts at all.
        body.insert("stream_options".into(), json!({"include_usage": true}));
    }
    Value::Object(body)
}

pub(super) fn is_reasoning_model(model: &str) -> bool {
    ["o1", "o3", "o4", "gpt-5"]
        .iter()
        .any(|prefix| model.starts_with(prefix))
}

/// The API's levels stop at `high`; the stronger settings ask for the most there is.
fn reasoning_effort(effort: Effort) -> &'static str {
    match effort {
        Effort::Low => "low",
        Effort::Medium => "medium",
        Effort::High | Effort::XHigh | Effort::Max => "high",
    }
}

fn messages(request: &ChatRequest) -> Vec<Value> {
    let mut out = Vec::new();
    // One system message: the shared prefix first, so servers that cache prompt prefixes
    // automatically (OpenAI does) serve it across agents.
    let system = match (request.system.is_empty(), request.system_suffix.is_empty()) {
        (_, true) => request.system.clone(),
        (true, false) => request.system_suffix.clone(),
        (false, false) => format!("{}\n\n{}", request.system, request.system_suffix),
    };
    if !system.is_empty() {
        out.push(json!({"role": "system", "content": system}));
    }
    for message in &request.messages {
        match message.role {
            Role::User => user_messages(message, &mut out),
            Role::Assistant => out.push(assistant_message(message)),
        }
    }
    out
}

fn texts(message: &Message) -> Vec<&str> {
    message
        .content
        .iter()
        .filter_map(|block| match block {
            Block::Text(text) if !text.is_empty() => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// A user turn: its tool results become `tool` messages, which must directly follow the
/// assistant message that called them, and any text then becomes one user message.
fn user_messages(message: &Message, out: &mut Vec<Value>) {
    for block in &message.content {
        if let Block::ToolResult {
            tool_use_id,
            content,
            is_error,
        } = block
        {
            // The protocol has no error flag, so the model is told in the content.
            let content = if *is_error {
                format!("Error: {content}")
            } else {
                content.clone()
            };
            out.push(json!({"role": "tool", "tool_call_id": tool_use_id, "content": content}));
        }
    }
    let texts = texts(message);
    let has_results = message
        .content
        .iter()
        .any(|block| matches!(block, Block::ToolResult { .. }));
    if !texts.is_empty() || !has_results {
        out.push(json!({"role": "user", "content": texts.join("\n\n")}));
    }
}

/// An assistant turn: text as `content` (null when there is none, as the API expects next to
/// tool calls), tool uses as `tool_calls`; thinking blocks have no place in this protocol.
fn assistant_message(message: &Message) -> Value {
    let texts = texts(message);
    let calls: Vec<Value> = message
        .content
        .iter()
        .filter_map(|block| match block {
            Block::ToolUse { id, name, input } => Some(json!({
                "id": id,
                "type": "function",
                "function": {"name": name, "arguments": input.to_string()},
            })),
            _ => None,
        })
        .collect();
    let content = if texts.is_empty() {
        Value::Null
    } else {
        json!(texts.join("\n\n"))
    };
    let mut value = json!({"role": "assistant", "content": content});
    if !calls.is_empty() {
        value["tool_calls"] = Value::Array(calls);
    } else if value["content"].is_null() {
        // An assistant turn with nothing to show (only thinking): an empty text is accepted
        // where a null content without tool calls is not.
        value["content"] = json!("");
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_model::ToolSpec;

    fn request(model: &str) -> ChatRequest {
        ChatRequest {
            model: model.into(),
            system: "Shared.".into(),
            system_suffix: "Per agent.".into(),
            tools: vec![ToolSpec {
                name: "Read".into(),
                description: "reads".into(),
                input_schema: json!({"type": "object"}),
            }],
            cached_tools: 1,
            messages: vec![
                Message::user_text("go"),
                Message {
                    role: Role::Assistant,
                    content: vec![
                        Block::Thinking {
                            thinking: "t".into(),
                            signature: "s".into(),
                        },
                        Block::ToolUse {
                            id: "call_1".into(),
                            name: "Read".into(),
                            input: json!({"file_path": "a"}),
                        },
                        Block::ToolUse {
                            id: "call_2".into(),
                            name: "Read".into(),
                            input: json!({}),
                        },
                    ],
                },
                Message {
                    role: Role::User,
                    content: vec![
                        Block::ToolResult {
                            tool_use_id: "call_1".into(),
                            content: "data".into(),
                            is_error: false,
                        },
                        Block::ToolResult {
                            tool_use_id: "call_2".into(),
                            content: "missing".into(),
                            is_error: true,
                        },
                    ],
                },
                Message {
                    role: Role::Assistant,
                    content: vec![Block::Text("done".into())],
                },
            ],
            max_tokens: 1000,
            effort: Some(Effort::XHigh),
            label: None,
        }
    }

    #[test]
    fn messages_tools_and_plain_models() {
        let body = encode(&request("gpt-4.1"), false);
        assert_eq!(body["max_tokens"], 1000);
        assert!(body.get("max_completion_tokens").is_none());
        assert!(body.get("reasoning_effort").is_none());
        assert!(body.get("stream").is_none() && body.get("stream_options").is_none());
        assert_eq!(
            body["tools"],
            json!([{"type": "function", "function": {"name": "Read", "description": "reads", "parameters": {"type": "object"}}}])
        );
        assert_eq!(
            body["messages"],
            json!([
                {"role": "system", "content": "Shared.\n\nPer agent."},
                {"role": "user", "content": "go"},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "Read", "arguments": "{\"file_path\":\"a\"}"}},
                    {"id": "call_2", "type": "function", "function": {"name": "Read", "arguments": "{}"}},
                ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "data"},
                {"role": "tool", "tool_call_id": "call_2", "content": "Error: missing"},
                {"role": "assistant", "content": "done"},
            ])
        );
    }

    #[test]
    fn reasoning_models_and_streaming() {
        let body = encode(&request("o4-mini"), true);
        assert_eq!(body["max_completion_tokens"], 1000);
        assert!(body.get("max_tokens").is_none());
        assert_eq!(body["reasoning_effort"], "high");
        assert_eq!(body["stream"], true);
        assert_eq!(body["stream_options"], json!({"include_usage": true}));

        let mut low = request("gpt-5-mini");
        low.effort = Some(Effort::Low);
        assert_eq!(encode(&low, true)["reasoning_effort"], "low");
        low.effort = None;
        assert!(encode(&low, true).get("reasoning_effort").is_none());
        assert!(is_reasoning_model("o1-preview") && is_reasoning_model("o3"));
        assert!(!is_reasoning_model("gpt-4o") && !is_reasoning_model("llama3.1:8b"));
    }

    #[test]
    fn no_tools_no_system() {
        let mut bare = request("llama3.1:8b");
        bare.tools.clear();
        bare.system.clear();
        bare.system_suffix.clear();
        bare.messages.truncate(1);
        let body = encode(&bare, true);
        assert!(body.get("tools").is_none());
        assert_eq!(body["messages"], json!([{"role": "user", "content": "go"}]));
    }
}
