//! Small clients for the tests: send a request the way the real SDKs do, and read SSE back.

use baton_testkit::MockLlm;
use reqwest::{Client, Response};
use serde_json::{json, Value};

pub const KEY: &str = "test-key";

pub fn client() -> Client {
    Client::new()
}

/// `POST /v1/messages` with Anthropic's headers.
pub async fn anthropic(mock: &MockLlm, label: Option<&str>, body: &Value) -> Response {
    try_anthropic(mock, label, body)
        .await
        .expect("request reaches the mock")
}

pub async fn try_anthropic(
    mock: &MockLlm,
    label: Option<&str>,
    body: &Value,
) -> reqwest::Result<Response> {
    let mut request = client()
        .post(format!("{}/v1/messages", mock.base_url()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .json(body);
    if let Some(label) = label {
        request = request.header("x-baton-label", label);
    }
    request.send().await
}

/// `POST /v1/chat/completions` with a bearer token.
pub async fn openai(mock: &MockLlm, body: &Value) -> Response {
    client()
        .post(format!("{}/chat/completions", mock.openai_base_url()))
        .bearer_auth(KEY)
        .json(body)
        .send()
        .await
        .expect("request reaches the mock")
}

/// A one-message Anthropic request.
pub fn ask(prompt: &str) -> Value {
    json!({
        "model": "claude-test",
        "max_tokens": 256,
        "messages": [{"role": "user", "content": prompt}]
    })
}

/// A one-message OpenAI request.
pub fn ask_openai(prompt: &str) -> Value {
    json!({
        "model": "gpt-test",
        "messages": [{"role": "user", "content": prompt}]
    })
}

/// Parses an SSE body into `(event name, data)` pairs.
pub fn sse_events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut name = String::new();
            let mut data = String::new();
            for line in block.lines() {
                if let Some(rest) = line.strip_prefix("event: ") {
                    name = rest.to_owned();
                } else if let Some(rest) = line.strip_prefix("data: ") {
                    data.push_str(rest);
                }
            }
            let data = serde_json::from_str(&data).unwrap_or(Value::String(data));
            (name, data)
        })
        .collect()
}

/// The `data:` payloads of an OpenAI stream, `[DONE]` included as a string.
pub fn sse_data(body: &str) -> Vec<Value> {
    sse_events(body).into_iter().map(|(_, data)| data).collect()
}
