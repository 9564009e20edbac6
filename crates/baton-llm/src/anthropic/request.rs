//! The body of an Anthropic Messages request: system blocks and tools with their prompt-cache
//! breakpoints, the conversation's rolling breakpoints, content blocks, and extended thinking
//! from `effort`.

use std::ops::Not;

use serde::ser::{Serialize, Serializer};
use serde_json::Value;

use crate::{Block, ChatRequest, Effort, Role};

/// Room for the answer itself on top of the thinking budget.
const ANSWER_TOKENS: u32 = 4096;

/// The request body for `request`, as JSON bytes. Everything is serialized straight from the
/// borrowed request: prompts, tool schemas and histories are large and copying them into a
/// `Value` tree first cost more than the rest of a call.
pub(super) fn encode(request: &ChatRequest, stream: bool) -> Vec<u8> {
    let mut max_tokens = request.max_tokens;
    let mut thinking = None;
    if let Some(budget) = thinking_budget(&request.model, request.effort) {
        // The budget counts against max_tokens and must leave room for the answer; raising
        // max_tokens stops at the model's output limit (the API rejects more), and then the
        // budget shrinks to fit instead.
        let limit = output_limit(&request.model);
        max_tokens = max_tokens.max((budget + ANSWER_TOKENS).min(limit));
        let budget_tokens = budget
            .min(max_tokens.saturating_sub(ANSWER_TOKENS))
            .max(1024);
        thinking = Some(Thinking::Enabled { budget_tokens });
    }
    let body = Body {
        model: &request.model,
        thinking,
        max_tokens,
        system: System(request),
        tools: Tools(request),
        messages: Messages {
            messages: &request.messages,
            marked: rolling_breakpoints(request),
        },
        stream,
    };
    // Serializing borrowed strings and `Value`s into a Vec cannot fail.
    serde_json::to_vec(&body).expect("a request body always serializes")
}

#[derive(serde::Serialize)]
struct Body<'a> {
    model: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    thinking: Option<Thinking>,
    max_tokens: u32,
    #[serde(skip_serializing_if = "System::is_empty")]
    system: System<'a>,
    #[serde(skip_serializing_if = "Tools::is_empty")]
    tools: Tools<'a>,
    messages: Messages<'a>,
    #[serde(skip_serializing_if = "Not::not")]
    stream: bool,
}

#[derive(serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Thinking {
    Enabled { budget_tokens: u32 },
}

/// A prompt-cache breakpoint: `{"type": "ephemeral"}`.
#[derive(serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum CacheControl {
    Ephemeral,
}

/// Extended thinking's token budget for `effort`, on models that have extended thinking.
pub(super) fn thinking_budget(model: &str, effort: Option<Effort>) -> Option<u32> {
    const THINKING_MODELS: [&str; 4] = [
        "claude-3-7",
        "claude-opus-4",
        "claude-sonnet-4",
        "claude-haiku-4",
    ];
    if !THINKING_MODELS
        .iter()
        .any(|prefix| model.starts_with(prefix))
    {
        return None;
    }
    Some(match effort? {
        Effort::Low => 1024,
        Effort::Medium => 4096,
        Effort::High => 16_000,
        Effort::XHigh => 32_000,
        Effort::Max => 60_000,
    })
}

/// The most output tokens a thinking model accepts: 32k for Opus 4 and 4.1, 64k for the
/// others (Opus 4.6 allows more, but 64k covers every budget here).
fn output_limit(model: &str) -> u32 {
    const OPUS_4: [&str; 3] = ["claude-opus-4-0", "claude-opus-4-1", "claude-opus-4-2025"];
    if OPUS_4.iter().any(|prefix| model.starts_with(prefix)) {
        32_000
    } else {
        64_000
    }
}

/// The shared system prompt, then the per-agent suffix. The cache breakpoint sits on the
/// shared part, so every agent of a run reads the same cached prefix.
struct System<'a>(&'a ChatRequest);

impl System<'_> {
    fn is_empty(&self) -> bool {
        self.0.system.is_empty() && self.0.system_suffix.is_empty()
    }
}

impl Serialize for System<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let request = self.0;
        let shared = (!request.system.is_empty()).then(|| Content::Text {
            text: &request.system,
            cache_control: Some(CacheControl::Ephemeral),
        });
        let suffix = (!request.system_suffix.is_empty()).then(|| Content::Text {
            text: &request.system_suffix,
            cache_control: None,
        });
        serializer.collect_seq(shared.into_iter().chain(suffix))
    }
}

/// Tool definitions; the last shared tool carries a cache breakpoint, so the built-in tools
/// are cached together with the system prompt before them. A hosted tool (web search) goes as
/// its own definition.
struct Tools<'a>(&'a ChatRequest);

impl Tools<'_> {
    fn is_empty(&self) -> bool {
        self.0.tools.is_empty()
    }
}

impl Serialize for Tools<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let request = self.0;
        serializer.collect_seq(request.tools.iter().enumerate().map(|(index, tool)| {
            match &tool.hosted {
                Some(definition) => Tool::Hosted(definition),
                None => Tool::Function {
                    name: &tool.name,
                    description: &tool.description,
                    input_schema: &tool.input_schema,
                    cache_control: (request.cached_tools > 0 && index == request.cached_tools - 1)
                        .then_some(CacheControl::Ephemeral),
                },
            }
        }))
    }
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Tool<'a> {
    Function {
        name: &'a str,
        description: &'a str,
        input_schema: &'a Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl>,
    },
    Hosted(&'a Value),
}

/// The API allows four breakpoints per request.
const MAX_BREAKPOINTS: usize = 4;

/// The messages whose last block carries a rolling cache breakpoint: the newest message, so the
/// next turn reads this whole conversation from the cache and writes only what it adds; and,
/// when a breakpoint is left, the user message before it. The server looks for an earlier cache
/// entry only about 20 blocks back from a breakpoint, so a turn that adds more blocks than that
/// (many parallel tool calls) still finds the previous turn's entry through the second one.
/// A request that offers no tools is the agent's only turn: nothing would read the entry, and
/// writing it costs 1.25× the input price, so it gets none.
fn rolling_breakpoints(request: &ChatRequest) -> Vec<usize> {
    if request.tools.is_empty() {
        return Vec::new();
    }
    let used = usize::from(!request.system.is_empty()) + usize::from(request.cached_tools > 0);
    let room = MAX_BREAKPOINTS.saturating_sub(used);
    let markable = |message: &crate::Message| message.content.iter().any(can_carry_breakpoint);
    let mut marked = Vec::with_capacity(2);
    let newest = request.messages.iter().rposition(markable);
    if let Some(newest) = newest.filter(|_| room > 0) {
        marked.push(newest);
        let previous = request.messages[..newest]
            .iter()
            .rposition(|m| m.role == Role::User && markable(m));
        if let Some(previous) = previous.filter(|_| room > 1) {
            marked.push(previous);
        }
    }
    marked
}

/// Thinking blocks cannot carry `cache_control`, and empty text blocks are not sent.
fn can_carry_breakpoint(block: &Block) -> bool {
    match block {
        Block::Text(text) => !text.is_empty(),
        Block::ToolUse { .. } | Block::ToolResult { .. } => true,
        Block::Thinking { .. } | Block::RedactedThinking { .. } | Block::Hosted(_) => false,
    }
}

struct Messages<'a> {
    messages: &'a [crate::Message],
    /// Indices of the messages with a breakpoint on their last block.
    marked: Vec<usize>,
}

impl Serialize for Messages<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.messages
                .iter()
                .enumerate()
                .map(|(index, message)| Message {
                    role: match message.role {
                        Role::User => "user",
                        Role::Assistant => "assistant",
                    },
                    content: Blocks {
                        blocks: &message.content,
                        breakpoint: self.marked.contains(&index),
                    },
                }),
        )
    }
}

#[derive(serde::Serialize)]
struct Message<'a> {
    role: &'static str,
    content: Blocks<'a>,
}

/// A message's content blocks; with `breakpoint`, the last one that can carry it is marked.
struct Blocks<'a> {
    blocks: &'a [Block],
    breakpoint: bool,
}

impl Serialize for Blocks<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let is_empty_text = |block: &Block| matches!(block, Block::Text(text) if text.is_empty());
        // The API rejects empty text blocks; a message made only of them is sent as it is, so
        // the server's own error explains the problem.
        let has_other = self.blocks.iter().any(|block| !is_empty_text(block));
        let marked = self
            .breakpoint
            .then(|| self.blocks.iter().rposition(can_carry_breakpoint))
            .flatten();
        serializer.collect_seq(
            self.blocks
                .iter()
                .enumerate()
                .filter(|(_, block)| !has_other || !is_empty_text(block))
                .map(|(index, block)| {
                    let mut content = Content::from(block);
                    if Some(index) == marked {
                        content.mark();
                    }
                    content
                }),
        )
    }
}

/// One content block of the wire format, borrowing from a [`Block`] (or the system prompt).
#[derive(serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Content<'a> {
    Text {
        text: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl>,
    },
    Thinking {
        thinking: &'a str,
        signature: &'a str,
    },
    RedactedThinking {
        data: &'a str,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: &'a Value,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl>,
    },
    ToolResult {
        tool_use_id: &'a str,
        content: &'a str,
        #[serde(skip_serializing_if = "Not::not")]
        is_error: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<CacheControl>,
    },
    /// A hosted tool's use or result, sent back exactly as the provider wrote it.
    #[serde(untagged)]
    Hosted(&'a Value),
}

impl Content<'_> {
    /// Puts a cache breakpoint on this block (thinking blocks cannot carry one).
    fn mark(&mut self) {
        match self {
            Content::Text { cache_control, .. }
            | Content::ToolUse { cache_control, .. }
            | Content::ToolResult { cache_control, .. } => {
                *cache_control = Some(CacheControl::Ephemeral)
            }
            Content::Thinking { .. } | Content::RedactedThinking { .. } | Content::Hosted(_) => {}
        }
    }
}

impl<'a> From<&'a Block> for Content<'a> {
    fn from(block: &'a Block) -> Content<'a> {
        match block {
            Block::Text(text) => Content::Text {
                text,
                cache_control: None,
            },
            Block::Thinking {
                thinking,
                signature,
            } => Content::Thinking {
                thinking,
                signature,
            },
            Block::RedactedThinking { data } => Content::RedactedThinking { data },
            Block::ToolUse { id, name, input } => Content::ToolUse {
                id,
                name,
                input,
                cache_control: None,
            },
            Block::ToolResult {
                tool_use_id,
                content,
                is_error,
            } => Content::ToolResult {
                tool_use_id,
                content,
                is_error: *is_error,
                cache_control: None,
            },
            Block::Hosted(raw) => Content::Hosted(raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Message;
    use baton_model::ToolSpec;
    use serde_json::json;

    /// The encoded body parsed back, for assertions on its fields.
    fn encoded(request: &ChatRequest, stream: bool) -> Value {
        serde_json::from_slice(&encode(request, stream)).unwrap()
    }

    fn tool(name: &str) -> ToolSpec {
        ToolSpec {
            name: name.into(),
            description: format!("{name} things"),
            input_schema: json!({"type": "object"}),
            hosted: None,
        }
    }

    fn request() -> ChatRequest {
        ChatRequest {
            model: "claude-sonnet-4-6".into(),
            system: "You are an agent.".into(),
            system_suffix: "Work in /tmp/x.".into(),
            tools: vec![tool("Read"), tool("Write"), tool("StructuredOutput")],
            cached_tools: 2,
            messages: vec![
                Message::user_text("go"),
                Message {
                    role: Role::Assistant,
                    content: vec![
                        Block::Thinking {
                            thinking: "hmm".into(),
                            signature: "sig".into(),
                        },
                        Block::RedactedThinking { data: "xyz".into() },
                        Block::Text("reading".into()),
                        Block::ToolUse {
                            id: "tu_1".into(),
                            name: "Read".into(),
                            input: json!({"file_path": "a"}),
                        },
                    ],
                },
                Message {
                    role: Role::User,
                    content: vec![
                        Block::ToolResult {
                            tool_use_id: "tu_1".into(),
                            content: "no such file".into(),
                            is_error: true,
                        },
                        Block::Text(String::new()),
                    ],
                },
            ],
            max_tokens: 8192,
            effort: None,
            label: Some("a".into()),
        }
    }

    #[test]
    fn a_hosted_tool_and_hosted_blocks_go_as_they_are() {
        let search = json!({"type": "web_search_20250305", "name": "web_search", "max_uses": 5});
        let used = json!({"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search",
                          "input": {"query": "rust"}});
        let found = json!({"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1",
                           "content": [{"type": "web_search_result", "url": "https://a.example",
                                        "title": "A", "encrypted_content": "e"}]});
        let mut request = request();
        request.tools.push(ToolSpec {
            hosted: Some(search.clone()),
            ..tool("WebSearch")
        });
        request.messages[1].content.splice(
            0..0,
            [Block::Hosted(used.clone()), Block::Hosted(found.clone())],
        );
        let body = encoded(&request, false);
        assert_eq!(body["tools"][3], search);
        assert_eq!(body["messages"][1]["content"][0], used);
        assert_eq!(body["messages"][1]["content"][1], found);
    }

    #[test]
    fn system_and_tools_carry_the_cache_breakpoints() {
        let body = encoded(&request(), true);
        assert_eq!(body["model"], "claude-sonnet-4-6");
        assert_eq!(body["max_tokens"], 8192);
        assert_eq!(body["stream"], true);
        assert_eq!(
            body["system"],
            json!([
                {"type": "text", "text": "You are an agent.", "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": "Work in /tmp/x."},
            ])
        );
        let tools = body["tools"].as_array().unwrap();
        assert_eq!(tools[0]["input_schema"], json!({"type": "object"}));
        assert!(tools[0].get("cache_control").is_none());
        assert_eq!(tools[1]["cache_control"], json!({"type": "ephemeral"}));
        assert!(tools[2].get("cache_control").is_none());
        assert!(body.get("thinking").is_none());

        let mut plain = request();
        plain.cached_tools = 0;
        plain.system_suffix.clear();
        let body = encoded(&plain, false);
        assert!(body.get("stream").is_none());
        assert_eq!(body["system"].as_array().unwrap().len(), 1);
        assert!(body["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|tool| tool.get("cache_control").is_none()));
    }

    #[test]
    fn blocks_map_to_content() {
        let body = encoded(&request(), true);
        let messages = body["messages"].as_array().unwrap();
        // The newest message and the user message before it carry the rolling breakpoints.
        assert_eq!(
            messages[0],
            json!({"role": "user", "content": [{"type": "text", "text": "go", "cache_control": {"type": "ephemeral"}}]})
        );
        assert_eq!(
            messages[1]["content"],
            json!([
                {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                {"type": "redacted_thinking", "data": "xyz"},
                {"type": "text", "text": "reading"},
                {"type": "tool_use", "id": "tu_1", "name": "Read", "input": {"file_path": "a"}},
            ])
        );
        // The empty text block is dropped; the error flag is kept.
        assert_eq!(
            messages[2]["content"],
            json!([{"type": "tool_result", "tool_use_id": "tu_1", "content": "no such file", "is_error": true, "cache_control": {"type": "ephemeral"}}])
        );
    }

    /// Every `cache_control` in a body, as (where, index) pairs.
    fn breakpoints(body: &Value) -> Vec<String> {
        let mut found = Vec::new();
        let mut walk = |section: &str, items: &Value| {
            for (index, item) in items.as_array().into_iter().flatten().enumerate() {
                if item.get("cache_control").is_some() {
                    found.push(format!("{section}{index}"));
                }
                for (block, content) in item["content"].as_array().into_iter().flatten().enumerate()
                {
                    if content.get("cache_control").is_some() {
                        found.push(format!("{section}{index}.{block}"));
                    }
                }
            }
        };
        walk("system", &body["system"]);
        walk("tool", &body["tools"]);
        walk("message", &body["messages"]);
        found
    }

    #[test]
    fn the_rolling_breakpoint_follows_the_newest_message_within_four() {
        let mut request = request();
        request.messages.truncate(1);
        assert_eq!(
            breakpoints(&encoded(&request, false)),
            ["system0", "tool1", "message0.0"]
        );
        // A turn later: the newest message and the previous user message, four in all.
        let turn = |n: usize| {
            [
                Message {
                    role: Role::Assistant,
                    content: vec![
                        Block::Thinking {
                            thinking: "t".into(),
                            signature: "s".into(),
                        },
                        Block::ToolUse {
                            id: format!("tu_{n}"),
                            name: "Read".into(),
                            input: json!({}),
                        },
                    ],
                },
                Message {
                    role: Role::User,
                    content: vec![
                        Block::ToolResult {
                            tool_use_id: format!("tu_{n}"),
                            content: "x".into(),
                            is_error: false,
                        },
                        Block::Text(String::new()),
                    ],
                },
            ]
        };
        for n in 1..=3 {
            request.messages.extend(turn(n));
            let expected = [
                "system0".to_string(),
                "tool1".to_string(),
                format!("message{}.0", 2 * n - 2),
                format!("message{}.0", 2 * n),
            ];
            assert_eq!(breakpoints(&encoded(&request, true)), expected, "turn {n}");
        }
        // Without tools the conversation cannot go on: no rolling breakpoint.
        let mut alone = request.clone();
        alone.tools.clear();
        alone.cached_tools = 0;
        assert_eq!(breakpoints(&encoded(&alone, true)), ["system0"]);
        // Without a cached system prompt or tools there is room, but still only two move.
        request.system.clear();
        request.cached_tools = 0;
        assert_eq!(
            breakpoints(&encoded(&request, true)),
            ["message4.0", "message6.0"]
        );
        // An assistant message ending in thinking only is skipped for the one before it.
        request.messages.push(Message {
            role: Role::Assistant,
            content: vec![Block::RedactedThinking { data: "r".into() }],
        });
        assert_eq!(
            breakpoints(&encoded(&request, true)),
            ["message4.0", "message6.0"]
        );
    }

    #[test]
    fn effort_becomes_extended_thinking_on_models_that_have_it() {
        let mut high = request();
        high.effort = Some(Effort::High);
        let body = encoded(&high, true);
        assert_eq!(
            body["thinking"],
            json!({"type": "enabled", "budget_tokens": 16000})
        );
        assert_eq!(body["max_tokens"], 16000 + 4096);

        high.max_tokens = 64_000;
        assert_eq!(encoded(&high, true)["max_tokens"], 64_000);

        high.model = "claude-3-5-haiku-latest".into();
        let body = encoded(&high, true);
        assert!(body.get("thinking").is_none());
        assert_eq!(body["max_tokens"], 64_000);

        // Raising max_tokens stops at the model's output limit; the budget then shrinks.
        high.model = "claude-sonnet-4-5".into();
        high.effort = Some(Effort::Max);
        high.max_tokens = 8192;
        let body = encoded(&high, true);
        assert_eq!(body["max_tokens"], 64_000);
        assert_eq!(body["thinking"]["budget_tokens"], 64_000 - 4096);
        high.model = "claude-opus-4-1-20250805".into();
        high.effort = Some(Effort::XHigh);
        let body = encoded(&high, true);
        assert_eq!(body["max_tokens"], 32_000);
        assert_eq!(body["thinking"]["budget_tokens"], 32_000 - 4096);

        let budget = |model: &str, effort| thinking_budget(model, Some(effort));
        assert_eq!(budget("claude-opus-4-6", Effort::Low), Some(1024));
        assert_eq!(budget("claude-haiku-4-5", Effort::Medium), Some(4096));
        assert_eq!(
            budget("claude-3-7-sonnet-latest", Effort::XHigh),
            Some(32_000)
        );
        assert_eq!(budget("claude-sonnet-4-5", Effort::Max), Some(60_000));
        assert_eq!(thinking_budget("claude-sonnet-4-5", None), None);
    }
}
