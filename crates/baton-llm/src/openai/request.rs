//! The body of a Chat Completions request: one system message, user/assistant/tool messages
//! from content blocks, function tools, and the reasoning settings of reasoning models.

use std::fmt::{self, Display};
use std::ops::Not;

use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde_json::Value;

use crate::{Block, ChatRequest, Effort, Message, Role};

/// The request body for `request`, as JSON bytes. Everything is serialized straight from the
/// borrowed request: prompts, tool schemas and histories are large and copying them into a
/// `Value` tree first cost more than the rest of a call. Text that the wire format joins or
/// prefixes is written through `Display` wrappers, so that is not copied either.
pub(super) fn encode(request: &ChatRequest, stream: bool) -> Vec<u8> {
    let reasoning = is_reasoning_model(&request.model);
    let body = Body {
        model: &request.model,
        messages: Messages(request),
        tools: Tools(&request.tools),
        // Reasoning models reject `max_tokens`; their limit also covers the hidden reasoning.
        // Other models (and most local servers) know only `max_tokens`, and no effort setting.
        max_tokens: (!reasoning).then_some(request.max_tokens),
        max_completion_tokens: reasoning.then_some(request.max_tokens),
        reasoning_effort: request.effort.filter(|_| reasoning).map(reasoning_effort),
        stream,
        // Without this a stream carries no token counts at all.
        stream_options: stream.then_some(StreamOptions {
            include_usage: true,
        }),
    };
    // Serializing borrowed strings and `Value`s into a Vec cannot fail.
    serde_json::to_vec(&body).expect("a request body always serializes")
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

#[derive(serde::Serialize)]
struct Body<'a> {
    model: &'a str,
    messages: Messages<'a>,
    #[serde(skip_serializing_if = "Tools::is_empty")]
    tools: Tools<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_completion_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reasoning_effort: Option<&'static str>,
    #[serde(skip_serializing_if = "Not::not")]
    stream: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
}

#[derive(serde::Serialize)]
struct StreamOptions {
    include_usage: bool,
}

/// The function tools; tools another provider hosts have no place here.
struct Tools<'a>(&'a [baton_model::ToolSpec]);

impl<'a> Tools<'a> {
    fn functions(&self) -> impl Iterator<Item = &'a baton_model::ToolSpec> {
        self.0.iter().filter(|tool| tool.hosted.is_none())
    }

    fn is_empty(&self) -> bool {
        self.functions().next().is_none()
    }
}

impl Serialize for Tools<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.functions().map(|tool| Tool {
            kind: "function",
            function: Function {
                name: &tool.name,
                description: &tool.description,
                parameters: &tool.input_schema,
            },
        }))
    }
}

#[derive(serde::Serialize)]
struct Tool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: Function<'a>,
}

#[derive(serde::Serialize)]
struct Function<'a> {
    name: &'a str,
    description: &'a str,
    parameters: &'a Value,
}

/// One message of the wire format, borrowing from the request.
#[derive(serde::Serialize)]
#[serde(tag = "role", rename_all = "snake_case")]
enum Out<'a> {
    System {
        content: SystemPrompt<'a>,
    },
    User {
        content: Texts<'a>,
    },
    /// `content` is null when there is no text, as the API expects next to tool calls.
    Assistant {
        content: Option<Texts<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tool_calls: Option<ToolCalls<'a>>,
    },
    Tool {
        tool_call_id: &'a str,
        content: ToolOutput<'a>,
    },
}

struct Messages<'a>(&'a ChatRequest);

impl Serialize for Messages<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let request = self.0;
        let mut seq = serializer.serialize_seq(None)?;
        // One system message: the shared prefix first, so servers that cache prompt prefixes
        // automatically (OpenAI does) serve it across agents.
        let system = SystemPrompt(request);
        if !system.is_empty() {
            seq.serialize_element(&Out::System { content: system })?;
        }
        for message in &request.messages {
            match message.role {
                Role::User => user_messages(message, &mut seq)?,
                Role::Assistant => seq.serialize_element(&assistant_message(message))?,
            }
        }
        seq.end()
    }
}

/// A user turn: its tool results become `tool` messages, which must directly follow the
/// assistant message that called them, and any text then becomes one user message.
fn user_messages<S: SerializeSeq>(message: &Message, seq: &mut S) -> Result<(), S::Error> {
    let mut has_results = false;
    for block in &message.content {
        if let Block::ToolResult {
            tool_use_id,
            content,
            is_error,
        } = block
        {
            has_results = true;
            seq.serialize_element(&Out::Tool {
                tool_call_id: tool_use_id,
                content: ToolOutput {
                    content,
                    is_error: *is_error,
                },
            })?;
        }
    }
    let texts = Texts(&message.content);
    if !texts.is_empty() || !has_results {
        seq.serialize_element(&Out::User { content: texts })?;
    }
    Ok(())
}

/// An assistant turn: text as `content`, tool uses as `tool_calls`; thinking blocks have no
/// place in this protocol.
fn assistant_message(message: &Message) -> Out<'_> {
    let texts = Texts(&message.content);
    let calls = ToolCalls(&message.content);
    if calls.is_empty() {
        // An assistant turn with nothing to show (only thinking) is sent as an empty text,
        // which is accepted where a null content without tool calls is not.
        Out::Assistant {
            content: Some(texts),
            tool_calls: None,
        }
    } else {
        Out::Assistant {
            content: (!texts.is_empty()).then_some(texts),
            tool_calls: Some(calls),
        }
    }
}

/// The tool uses among a message's blocks, as function calls.
struct ToolCalls<'a>(&'a [Block]);

impl ToolCalls<'_> {
    fn is_empty(&self) -> bool {
        !self
            .0
            .iter()
            .any(|block| matches!(block, Block::ToolUse { .. }))
    }
}

impl Serialize for ToolCalls<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().filter_map(|block| match block {
            Block::ToolUse { id, name, input } => Some(ToolCall {
                id,
                kind: "function",
                function: Call {
                    name,
                    arguments: Arguments(input),
                },
            }),
            _ => None,
        }))
    }
}

#[derive(serde::Serialize)]
struct ToolCall<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    function: Call<'a>,
}

#[derive(serde::Serialize)]
struct Call<'a> {
    name: &'a str,
    arguments: Arguments<'a>,
}

/// A call's input as the protocol wants it: a string holding its JSON text.
struct Arguments<'a>(&'a Value);

impl Serialize for Arguments<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // `Value`'s Display is its compact JSON; serde_json escapes it into the string as it
        // is written, with no intermediate `String`.
        serializer.collect_str(self.0)
    }
}

/// The system prompt and the per-agent suffix, joined by a blank line.
struct SystemPrompt<'a>(&'a ChatRequest);

impl SystemPrompt<'_> {
    fn parts(&self) -> impl Iterator<Item = &str> + '_ {
        [&self.0.system, &self.0.system_suffix]
            .into_iter()
            .map(String::as_str)
            .filter(|part| !part.is_empty())
    }

    fn is_empty(&self) -> bool {
        self.parts().next().is_none()
    }
}

impl Display for SystemPrompt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_joined(f, self.parts())
    }
}

impl Serialize for SystemPrompt<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The non-empty text blocks of a message, joined by blank lines.
struct Texts<'a>(&'a [Block]);

impl Texts<'_> {
    fn parts(&self) -> impl Iterator<Item = &str> + '_ {
        self.0.iter().filter_map(|block| match block {
            Block::Text(text) if !text.is_empty() => Some(text.as_str()),
            _ => None,
        })
    }

    fn is_empty(&self) -> bool {
        self.parts().next().is_none()
    }
}

impl Display for Texts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_joined(f, self.parts())
    }
}

impl Serialize for Texts<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn write_joined<'a>(
    f: &mut fmt::Formatter<'_>,
    parts: impl Iterator<Item = &'a str>,
) -> fmt::Result {
    for (index, part) in parts.enumerate() {
        if index > 0 {
            f.write_str("\n\n")?;
        }
        f.write_str(part)?;
    }
    Ok(())
}

/// A tool result's content. The protocol has no error flag, so the model is told in the
/// content.
struct ToolOutput<'a> {
    content: &'a str,
    is_error: bool,
}

impl Display for ToolOutput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_error {
            f.write_str("Error: ")?;
        }
        f.write_str(self.content)
    }
}

impl Serialize for ToolOutput<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use baton_model::ToolSpec;
    use serde_json::json;

    /// The encoded body parsed back, for assertions on its fields.
    fn encoded(request: &ChatRequest, stream: bool) -> Value {
        serde_json::from_slice(&encode(request, stream)).unwrap()
    }

    fn request(model: &str) -> ChatRequest {
        ChatRequest {
            model: model.into(),
            system: "Shared.".into(),
            system_suffix: "Per agent.".into(),
            tools: vec![ToolSpec {
                name: "Read".into(),
                description: "reads".into(),
                input_schema: json!({"type": "object"}),
                hosted: None,
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
        let body = encoded(&request("gpt-4.1"), false);
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
        let body = encoded(&request("o4-mini"), true);
        assert_eq!(body["max_completion_tokens"], 1000);
        assert!(body.get("max_tokens").is_none());
        assert_eq!(body["reasoning_effort"], "high");
        assert_eq!(body["stream"], true);
        assert_eq!(body["stream_options"], json!({"include_usage": true}));

        let mut low = request("gpt-5-mini");
        low.effort = Some(Effort::Low);
        assert_eq!(encoded(&low, true)["reasoning_effort"], "low");
        low.effort = None;
        assert!(encoded(&low, true).get("reasoning_effort").is_none());
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
        let body = encoded(&bare, true);
        assert!(body.get("tools").is_none());
        assert_eq!(body["messages"], json!([{"role": "user", "content": "go"}]));
    }
}
