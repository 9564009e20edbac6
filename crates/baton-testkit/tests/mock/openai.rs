//! The OpenAI Chat Completions protocol: whole completions, chunk streams with tool-call
//! fragments and the usage chunk, and automatic caching.

use baton_testkit::{Match, MockConfig, MockLlm, Protocol, Rule, ToolCall, Turn};
use serde_json::{json, Value};

use crate::helpers::{ask_openai, openai, sse_data};

#[tokio::test]
async fn a_whole_completion_answers_with_text_and_usage() {
    let mock = MockLlm::start(MockConfig::default());
    let response = openai(&mock, &ask_openai("what is baton?")).await;
    assert_eq!(response.status(), 200);
    let completion: Value = response.json().await.unwrap();
    assert_eq!(completion["object"], "chat.completion");
    assert_eq!(completion["model"], "gpt-test");
    assert!(completion["created"].as_u64().unwrap() > 0);
    let choice = &completion["choices"][0];
    assert_eq!(choice["finish_reason"], "stop");
    assert_eq!(choice["message"]["role"], "assistant");
    assert_eq!(choice["message"]["content"], "ok: what is baton?");
    assert!(choice["message"].get("tool_calls").is_none());
    let usage = &completion["usage"];
    assert_eq!(usage["prompt_tokens"], 4);
    assert_eq!(usage["completion_tokens"], 5);
    assert_eq!(usage["total_tokens"], 9);
    assert_eq!(usage["prompt_tokens_details"]["cached_tokens"], 0);
    assert_eq!(mock.requests()[0].protocol, Protocol::OpenAi);
}

#[tokio::test]
async fn a_whole_completion_can_call_tools() {
    let mock = MockLlm::start(MockConfig::default().with_rule(Rule::new(
        Match::Any,
        vec![Turn::tools(vec![
            ToolCall::new("Read", json!({"path": "a"})),
            ToolCall::new("Read", json!({"path": "b"})),
        ])],
    )));
    let completion: Value = openai(&mock, &ask_openai("read both"))
        .await
        .json()
        .await
        .unwrap();
    let choice = &completion["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    assert_eq!(choice["message"]["content"], Value::Null);
    let calls = choice["message"]["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    assert_ne!(calls[0]["id"], calls[1]["id"]);
    assert_eq!(calls[1]["type"], "function");
    assert_eq!(calls[1]["function"]["name"], "Read");
    let arguments: Value =
        serde_json::from_str(calls[1]["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(arguments, json!({"path": "b"}));
}

#[tokio::test]
async fn streamed_tool_calls_arrive_in_fragments_then_usage_then_done() {
    let input = json!({"pattern": "TODO", "path": "crates/", "glob": "*.rs"});
    let mock = MockLlm::start(MockConfig::default().with_rule(Rule::new(
        Match::Any,
        vec![Turn::tool("Grep", input.clone())],
    )));
    let mut body = ask_openai("find todos");
    body["stream"] = true.into();
    body["stream_options"] = json!({"include_usage": true});
    let response = openai(&mock, &body).await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let chunks = sse_data(&response.text().await.unwrap());

    assert_eq!(chunks.last().unwrap(), "[DONE]");
    let usage_chunk = &chunks[chunks.len() - 2];
    assert_eq!(usage_chunk["choices"], json!([]));
    assert!(usage_chunk["usage"]["completion_tokens"].as_u64().unwrap() > 0);
    let choices: Vec<&Value> = chunks[..chunks.len() - 2]
        .iter()
        .map(|chunk| {
            assert_eq!(chunk["object"], "chat.completion.chunk");
            assert_eq!(chunk["usage"], Value::Null, "usage only in the last chunk");
            &chunk["choices"][0]
        })
        .collect();
    assert_eq!(choices[0]["delta"]["role"], "assistant");
    assert_eq!(choices.last().unwrap()["finish_reason"], "tool_calls");
    let fragments: Vec<&Value> = choices
        .iter()
        .filter_map(|choice| choice["delta"]["tool_calls"].get(0))
        .collect();
    assert!(fragments.len() >= 4, "several fragments: {fragments:?}");
    assert!(fragments[0]["id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(fragments[0]["function"]["name"], "Grep");
    assert!(fragments[1..]
        .iter()
        .all(|f| f.get("id").is_none() && f["index"] == 0));
    let arguments: String = fragments
        .iter()
        .map(|f| f["function"]["arguments"].as_str().unwrap())
        .collect();
    assert_eq!(serde_json::from_str::<Value>(&arguments).unwrap(), input);
}

#[tokio::test]
async fn a_text_stream_without_include_usage_has_no_usage_chunk() {
    let mock = MockLlm::start(MockConfig::default());
    let mut body = ask_openai("stream me a reply please");
    body["stream"] = true.into();
    let chunks = sse_data(&openai(&mock, &body).await.text().await.unwrap());
    assert_eq!(chunks.last().unwrap(), "[DONE]");
    let chunks = &chunks[..chunks.len() - 1];
    assert!(chunks
        .iter()
        .all(|c| c.get("usage").is_none() && c["choices"][0].is_object()));
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "ok: stream me a reply please");
    assert!(chunks.len() >= 5, "role, several pieces, finish");
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "stop"
    );
}

#[tokio::test]
async fn a_system_prompt_seen_before_is_reported_cached() {
    let mock = MockLlm::start(MockConfig::default());
    let body = json!({
        "model": "gpt-test",
        "messages": [
            {"role": "system", "content": "s".repeat(400)},
            {"role": "user", "content": "hi"}
        ]
    });
    let first: Value = openai(&mock, &body).await.json().await.unwrap();
    let second: Value = openai(&mock, &body).await.json().await.unwrap();
    assert_eq!(first["usage"]["prompt_tokens_details"]["cached_tokens"], 0);
    assert_eq!(
        second["usage"]["prompt_tokens_details"]["cached_tokens"],
        100
    );
    assert_eq!(second["usage"]["prompt_tokens"], 101);
    let totals = mock.totals();
    assert_eq!(
        (
            totals.input_tokens,
            totals.cache_read_tokens,
            totals.cache_write_tokens
        ),
        (101 + 1, 100, 0)
    );
}
