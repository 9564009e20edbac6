//! What the provider tests share: the four ways of calling a model (two protocols, streaming
//! or not), fast transport settings, a standard request, and a call that records its retries.

// Each test binary uses its own subset of these helpers.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

pub mod cache_figure;

use baton_llm::{
    AnthropicProvider, ChatRequest, ChatResponse, LlmError, Message, OpenAiProvider, Provider,
    Retry, Transport, TransportSettings,
};
use baton_model::ToolSpec;
use baton_testkit::{MockLlm, Protocol};
use serde_json::json;

/// One way of calling a model: which protocol, streaming or not.
#[derive(Clone, Copy, Debug)]
pub struct Mode {
    pub protocol: Protocol,
    pub stream: bool,
}

pub const MODES: [Mode; 4] = [
    Mode {
        protocol: Protocol::Anthropic,
        stream: true,
    },
    Mode {
        protocol: Protocol::Anthropic,
        stream: false,
    },
    Mode {
        protocol: Protocol::OpenAi,
        stream: true,
    },
    Mode {
        protocol: Protocol::OpenAi,
        stream: false,
    },
];

pub const KEY: &str = "test-key-123";

/// Fast settings for tests: millisecond backoff, a short stall limit.
pub fn settings(stream: bool) -> TransportSettings {
    TransportSettings {
        backoff_base: Duration::from_millis(2),
        backoff_max: Duration::from_millis(10),
        stall_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_secs(5),
        stream,
        ..TransportSettings::default()
    }
}

pub fn provider(
    mode: Mode,
    base: &MockLlm,
    key: Option<&str>,
    settings: TransportSettings,
) -> Box<dyn Provider> {
    let transport = Transport::new(settings).unwrap();
    let key = key.map(str::to_string);
    match mode.protocol {
        Protocol::Anthropic => Box::new(AnthropicProvider::new(base.base_url(), key, transport)),
        Protocol::OpenAi => Box::new(OpenAiProvider::new(base.openai_base_url(), key, transport)),
    }
}

pub fn model(mode: Mode) -> &'static str {
    match mode.protocol {
        Protocol::Anthropic => "claude-haiku-4-5",
        Protocol::OpenAi => "gpt-4.1-mini",
    }
}

pub fn request(mode: Mode, prompt: &str, label: &str) -> ChatRequest {
    ChatRequest {
        model: model(mode).into(),
        system: "You are a test agent.".into(),
        system_suffix: "Work in /tmp.".into(),
        tools: vec![ToolSpec {
            name: "Read".into(),
            description: "Reads a file".into(),
            input_schema: json!({"type": "object", "properties": {"file_path": {"type": "string"}}}),
            hosted: None,
        }],
        cached_tools: 1,
        messages: vec![Message::user_text(prompt)],
        max_tokens: 1024,
        effort: None,
        label: Some(label.into()),
    }
}

/// Calls the model and returns its answer with the retries it reported.
pub async fn call(
    provider: &dyn Provider,
    request: &ChatRequest,
) -> (Result<ChatResponse, LlmError>, Vec<Retry>) {
    let retries = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&retries);
    let on_retry = move |retry: &Retry| seen.lock().unwrap().push(retry.clone());
    let result = provider.complete(request, &on_retry).await;
    let retries = retries.lock().unwrap().clone();
    (result, retries)
}
