//! The Anthropic Messages protocol: whole messages, event streams, tool use and prompt caching.

use baton_testkit::{Match, MockConfig, MockLlm, Protocol, Rule, Turn};
use serde_json::{json, Value};

use crate::helpers::{anthropic, ask, sse_events};

#[tokio::test]
async fn a_whole_message_echoes_the_prompt_by_default() {
    let mock = MockLlm::start(MockConfig::default());
    let response = anthropic(&mock, None, &ask("summarise the repository please")).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("request-id"));
    let message: Value = response.json().await.unwrap();
    assert_eq!(message["type"], "message");
    assert_eq!(message["role"], "assistant");
    assert_eq!(message["model"], "claude-test");
    assert_eq!(message["stop_reason"], "end_turn");
    assert_eq!(message["stop_sequence"], Value::Null);
    assert_eq!(
        message["content"],
        json!([{"type": "text", "text": "ok: summarise the repository please"}])
    );
    let usage = &message["usage"];
    // 31 characters of prompt, 35 of answer.
    assert_eq!(usage["input_tokens"], 8);
    assert_eq!(usage["output_tokens"], 9);
    assert_eq!(usage["cache_creation_input_tokens"], 0);
    assert_eq!(usage["cache_read_input_tokens"], 0);

    let requests = mock.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.protocol, Protocol::Anthropic);
    assert_eq!(
        (request.model.as_str(), request.prompt.as_str()),
        ("claude-test", "summarise the repository please")
    );
    assert_eq!(
        (request.turn, request.status, request.stream),
        (0, 200, false)
    );
    assert_eq!(request.body["max_tokens"], 256);
}

#[tokio::test]
async fn a_text_stream_follows_the_event_sequence() {
    let mock = MockLlm::start(MockConfig::default().with_rule(Rule::new(
        Match::Any,
        vec![Turn::text("a longer answer, streamed in pieces: {prompt}")],
    )));
    let mut body = ask("hello");
    body["stream"] = true.into();
    let response = anthropic(&mock, None, &body).await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let events = sse_events(&response.text().await.unwrap());
    let names: Vec<&str> = events.iter().map(|(name, _)| name.as_str()).collect();
    let deltas = names
        .iter()
        .filter(|n| **n == "content_block_delta")
        .count();
    assert!(deltas >= 3, "text comes in several deltas: {names:?}");
    let mut expected = vec!["message_start", "ping", "content_block_start"];
    expected.extend(std::iter::repeat_n("content_block_delta", deltas));
    expected.extend(["content_block_stop", "message_delta", "message_stop"]);
    assert_eq!(names, expected);
    for (name, data) in &events {
        assert_eq!(data["type"], name.as_str(), "data names its event");
    }

    let start = &events[0].1["message"];
    assert_eq!(start["content"], json!([]));
    assert_eq!(start["stop_reason"], Value::Null);
    assert!(start["usage"]["input_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        events[2].1["content_block"],
        json!({"type": "text", "text": ""})
    );
    let text: String = events
        .iter()
        .filter(|(name, _)| name == "content_block_delta")
        .map(|(_, data)| {
            assert_eq!(data["delta"]["type"], "text_delta");
            data["delta"]["text"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(text, "a longer answer, streamed in pieces: hello");
    let delta = &events[events.len() - 2].1;
    assert_eq!(delta["delta"]["stop_reason"], "end_turn");
    assert_eq!(delta["usage"]["output_tokens"], 11);
    assert_eq!(mock.totals().output_tokens, 11);
}

#[tokio::test]
async fn tool_input_streams_as_json_fragments_to_accumulate() {
    let input = json!({"path": "src/main.rs", "offset": 10, "limit": 200});
    let mock = MockLlm::start(MockConfig::default().with_rule(Rule::new(
        Match::Any,
        vec![Turn::tool("Read", input.clone())],
    )));
    let mut body = ask("read it");
    body["stream"] = true.into();
    let events = sse_events(&anthropic(&mock, None, &body).await.text().await.unwrap());

    let start = events
        .iter()
        .find(|(name, _)| name == "content_block_start")
        .unwrap();
    let block = &start.1["content_block"];
    assert_eq!(block["type"], "tool_use");
    assert_eq!(block["name"], "Read");
    assert_eq!(block["input"], json!({}));
    assert!(block["id"].as_str().unwrap().starts_with("toolu_"));
    let fragments: Vec<&str> = events
        .iter()
        .filter(|(name, _)| name == "content_block_delta")
        .map(|(_, data)| {
            assert_eq!(data["delta"]["type"], "input_json_delta");
            data["delta"]["partial_json"].as_str().unwrap()
        })
        .collect();
    assert!(fragments.len() >= 4, "several fragments: {fragments:?}");
    let joined: Value = serde_json::from_str(&fragments.concat()).unwrap();
    assert_eq!(joined, input);
    let delta = events
        .iter()
        .find(|(name, _)| name == "message_delta")
        .unwrap();
    assert_eq!(delta.1["delta"]["stop_reason"], "tool_use");
}

#[tokio::test]
async fn a_whole_message_can_call_tools() {
    let mock = MockLlm::start(MockConfig::default().with_rule(Rule::new(
        Match::Any,
        vec![Turn::tool("Grep", json!({"pattern": "fn main"}))],
    )));
    let message: Value = anthropic(&mock, None, &ask("find main"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(message["stop_reason"], "tool_use");
    let call = &message["content"][0];
    assert_eq!(call["type"], "tool_use");
    assert_eq!(call["name"], "Grep");
    assert_eq!(call["input"], json!({"pattern": "fn main"}));
}

#[tokio::test]
async fn a_marked_prefix_is_written_once_then_read() {
    let mock = MockLlm::start(MockConfig::default());
    let body = json!({
        "model": "claude-test",
        "max_tokens": 100,
        "tools": [{"name": "Read", "description": "reads a file",
                   "input_schema": {"type": "object"}}],
        "system": [{"type": "text", "text": "You are a careful reviewer. ".repeat(10),
                    "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": "review this"}]
    });
    let first: Value = anthropic(&mock, None, &body).await.json().await.unwrap();
    let second: Value = anthropic(&mock, None, &body).await.json().await.unwrap();
    let written = first["usage"]["cache_creation_input_tokens"]
        .as_u64()
        .unwrap();
    assert!(written > 70, "tools and system are cached: {first}");
    assert_eq!(first["usage"]["cache_read_input_tokens"], 0);
    assert_eq!(second["usage"]["cache_creation_input_tokens"], 0);
    assert_eq!(second["usage"]["cache_read_input_tokens"], written);
    // Only the user message (11 characters) is left outside the cache.
    let rest = first["usage"]["input_tokens"].as_u64().unwrap();
    assert!((2..=3).contains(&rest), "{first}");
    assert_eq!(second["usage"]["input_tokens"], rest);
    assert!(mock.requests().iter().all(|r| r.cache_control));

    let totals = mock.totals();
    assert_eq!(totals.requests, 2);
    assert_eq!(totals.cache_write_tokens, written);
    assert_eq!(totals.cache_read_tokens, written);
    assert_eq!(totals.input_tokens, 2 * rest);
}
