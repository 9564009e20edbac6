//! Both providers against the mock LLM server, streaming and not: answers, tool round trips,
//! every injected fault, and the errors that end a call.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use baton_llm::{
    AnthropicProvider, Block, ChatRequest, ChatResponse, LlmError, Message, OpenAiProvider,
    Provider, Retry, Role, StopReason, Transport, TransportSettings,
};
use baton_model::ToolSpec;
use baton_testkit::{FaultKind, Faults, Match, MockConfig, MockLlm, Protocol, Rule, Turn};
use serde_json::json;

/// One way of calling a model: which protocol, streaming or not.
#[derive(Clone, Copy, Debug)]
struct Mode {
    protocol: Protocol,
    stream: bool,
}

const MODES: [Mode; 4] = [
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

const KEY: &str = "test-key-123";

/// Fast settings for tests: millisecond backoff, a short stall limit.
fn settings(stream: bool) -> TransportSettings {
    TransportSettings {
        backoff_base: Duration::from_millis(2),
        backoff_max: Duration::from_millis(10),
        stall_timeout: Duration::from_millis(300),
        request_timeout: Duration::from_secs(5),
        stream,
        ..TransportSettings::default()
    }
}

fn provider(
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

fn model(mode: Mode) -> &'static str {
    match mode.protocol {
        Protocol::Anthropic => "claude-haiku-4-5",
        Protocol::OpenAi => "gpt-4.1-mini",
    }
}

fn request(mode: Mode, prompt: &str, label: &str) -> ChatRequest {
    ChatRequest {
        model: model(mode).into(),
        system: "You are a test agent.".into(),
        system_suffix: "Work in /tmp.".into(),
        tools: vec![ToolSpec {
            name: "Read".into(),
            description: "Reads a file".into(),
            input_schema: json!({"type": "object", "properties": {"file_path": {"type": "string"}}}),
        }],
        cached_tools: 1,
        messages: vec![Message::user_text(prompt)],
        max_tokens: 1024,
        effort: None,
        label: Some(label.into()),
    }
}

/// Calls the model and returns its answer with the retries it reported.
async fn call(
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

#[tokio::test]
async fn text_answers_with_usage() {
    for mode in MODES {
        let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
            Match::label("greeter"),
            vec![Turn::text("hello {prompt}")],
        )));
        let provider = provider(mode, &mock, Some(KEY), settings(mode.stream));
        let (result, retries) = call(&*provider, &request(mode, "world", "greeter")).await;
        let response = result.unwrap_or_else(|e| panic!("{mode:?}: {e}"));
        assert!(retries.is_empty(), "{mode:?}: {retries:?}");
        assert_eq!(response.text(), "hello world", "{mode:?}");
        assert_eq!(response.stop_reason, StopReason::EndTurn);

        let totals = mock.totals();
        let usage = response.usage;
        assert_eq!(
            (
                usage.input_tokens,
                usage.output_tokens,
                usage.cache_read_tokens,
                usage.cache_write_tokens
            ),
            (
                totals.input_tokens,
                totals.output_tokens,
                totals.cache_read_tokens,
                totals.cache_write_tokens
            ),
            "{mode:?}"
        );
        assert!(
            usage.output_tokens > 0 && usage.total_input() > 0,
            "{mode:?}"
        );

        let recorded = &mock.requests()[0];
        assert_eq!(recorded.protocol, mode.protocol);
        assert_eq!(recorded.stream, mode.stream);
        assert_eq!(recorded.model, model(mode));
        assert_eq!(recorded.label.as_deref(), Some("greeter"));
        assert_eq!(recorded.tools, vec!["Read".to_string()]);
        assert!(recorded.system.contains("test agent") && recorded.system.contains("/tmp"));
        assert_eq!(recorded.cache_control, mode.protocol == Protocol::Anthropic);
    }
}

#[tokio::test]
async fn a_tool_round_trip() {
    for mode in MODES {
        let mock = MockLlm::start(MockConfig::default().with_rule(Rule::new(
            Match::Any,
            vec![
                Turn::tool("Read", json!({"file_path": "a.txt"})),
                Turn::text("done"),
            ],
        )));
        let provider = provider(mode, &mock, Some(KEY), settings(mode.stream));
        let mut chat = request(mode, "read a.txt", "reader");
        let (first, _) = call(&*provider, &chat).await;
        let first = first.unwrap();
        assert_eq!(first.stop_reason, StopReason::ToolUse, "{mode:?}");
        let Some(Block::ToolUse { id, name, input }) = first
            .content
            .iter()
            .find(|b| matches!(b, Block::ToolUse { .. }))
        else {
            panic!("{mode:?}: no tool use in {:?}", first.content);
        };
        assert_eq!(
            (name.as_str(), input),
            ("Read", &json!({"file_path": "a.txt"}))
        );
        let id = id.clone();
        chat.messages.push(Message {
            role: Role::Assistant,
            content: first.content.clone(),
        });
        chat.messages.push(Message {
            role: Role::User,
            content: vec![Block::ToolResult {
                tool_use_id: id,
                content: "contents".into(),
                is_error: false,
            }],
        });
        let (second, _) = call(&*provider, &chat).await;
        let second = second.unwrap();
        assert_eq!(
            (second.text().as_str(), &second.stop_reason),
            ("done", &StopReason::EndTurn)
        );
        let recorded = &mock.requests()[1];
        assert_eq!(recorded.turn, 1, "{mode:?}");
        assert_eq!(recorded.tool_results, vec![("contents".to_string(), false)]);
    }
}

/// Each fault, injected twice at the first turn, is retried and the call then succeeds.
async fn recovers_from(kind: FaultKind, expect_reason: fn(Mode, &str) -> bool) {
    let mut tasks = Vec::new();
    for mode in MODES {
        tasks.push(tokio::spawn(async move {
            let mock =
                MockLlm::start(MockConfig::default().with_rule(
                    Rule::new(Match::Any, vec![Turn::text("fine")]).with_fault(0, 2, kind),
                ));
            let provider = provider(mode, &mock, Some(KEY), settings(mode.stream));
            let (result, retries) = call(&*provider, &request(mode, "hi", "f")).await;
            let response = result.unwrap_or_else(|e| panic!("{kind:?} {mode:?}: {e}"));
            assert_eq!(response.text(), "fine");
            assert_eq!(retries.len(), 2, "{kind:?} {mode:?}: {retries:?}");
            assert_eq!((retries[0].attempt, retries[1].attempt), (1, 2));
            for retry in &retries {
                assert!(
                    expect_reason(mode, &retry.reason),
                    "{kind:?} {mode:?}: {:?}",
                    retry.reason
                );
                assert!(retry.delay <= Duration::from_millis(10));
            }
            assert_eq!(mock.requests().len(), 3);
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
}

#[tokio::test]
async fn rate_limits_are_retried() {
    recovers_from(FaultKind::RateLimited, |_, reason| {
        reason.starts_with("429 ")
    })
    .await;
}

#[tokio::test]
async fn overload_is_retried() {
    recovers_from(FaultKind::Overloaded, |mode, reason| match mode.protocol {
        Protocol::Anthropic => reason == "529 overloaded_error: Overloaded",
        Protocol::OpenAi => reason.starts_with("503 "),
    })
    .await;
}

#[tokio::test]
async fn server_errors_are_retried() {
    recovers_from(FaultKind::ServerError, |_, reason| {
        reason.starts_with("500 ")
    })
    .await;
}

#[tokio::test]
async fn dropped_connections_are_retried() {
    recovers_from(FaultKind::Drop, |_, reason| {
        reason == "connection closed before message completed"
    })
    .await;
}

#[tokio::test]
async fn truncated_answers_are_retried() {
    recovers_from(FaultKind::Truncate, |_, reason| {
        reason.starts_with("response cut off: ")
    })
    .await;
}

#[tokio::test]
async fn stalls_are_retried() {
    recovers_from(FaultKind::Stall, |mode, reason| match mode.stream {
        true => reason == "stream stalled (no bytes for 300ms)",
        false => reason == "response stalled (no bytes for 300ms)",
    })
    .await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    for mode in MODES {
        let faults = Faults {
            retry_after_secs: Some(0.05),
            ..Faults::default()
        };
        let mock = MockLlm::start(MockConfig::default().with_faults(faults).with_rule(
            Rule::new(Match::Any, vec![Turn::text("ok")]).with_fault(0, 1, FaultKind::RateLimited),
        ));
        let provider = provider(mode, &mock, Some(KEY), settings(mode.stream));
        let started = Instant::now();
        let (result, retries) = call(&*provider, &request(mode, "hi", "r")).await;
        assert!(result.is_ok(), "{mode:?}");
        assert_eq!(retries.len(), 1);
        let delay = retries[0].delay;
        assert!(
            delay >= Duration::from_millis(50) && delay <= Duration::from_millis(60),
            "{delay:?}"
        );
        assert!(started.elapsed() >= Duration::from_millis(50));
    }
}

#[tokio::test]
async fn a_refused_key_is_fatal_and_never_shown() {
    for mode in MODES {
        let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
        let provider = provider(mode, &mock, Some("wrong-key-456"), settings(mode.stream));
        let (result, retries) = call(&*provider, &request(mode, "hi", "k")).await;
        let error = result.unwrap_err();
        assert!(
            matches!(error, LlmError::Unauthorized { status: 401, .. }),
            "{mode:?}: {error:?}"
        );
        assert!(error.is_fatal() && retries.is_empty());
        assert!(!format!("{error} {error:?}").contains("wrong-key-456"));
        assert_eq!(mock.requests().len(), 1);
    }
}

#[tokio::test]
async fn missing_keys() {
    let mock = MockLlm::start(MockConfig::default());
    let anthropic = provider(MODES[0], &mock, None, settings(true));
    let (result, _) = call(&*anthropic, &request(MODES[0], "hi", "k")).await;
    assert_eq!(
        result.unwrap_err(),
        LlmError::MissingKey {
            provider: "anthropic",
            variable: "ANTHROPIC_API_KEY"
        }
    );

    let transport = Transport::new(settings(true)).unwrap();
    let openai = OpenAiProvider::new("https://api.openai.com/v1/", None, transport);
    let (result, _) = call(&openai, &request(MODES[2], "hi", "k")).await;
    assert_eq!(
        result.unwrap_err(),
        LlmError::MissingKey {
            provider: "openai",
            variable: "OPENAI_API_KEY"
        }
    );
    assert!(mock.requests().is_empty());

    // A local OpenAI-compatible server needs no key: no Authorization header is sent.
    let local = provider(MODES[2], &mock, None, settings(true));
    let (result, _) = call(&*local, &request(MODES[2], "hi", "k")).await;
    assert!(result.is_ok());
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test]
async fn an_unknown_model_is_fatal() {
    for mode in MODES {
        let mock = MockLlm::start(MockConfig::default().with_models(["some-other-model"]));
        let provider = provider(mode, &mock, Some(KEY), settings(mode.stream));
        let (result, retries) = call(&*provider, &request(mode, "hi", "m")).await;
        match result.unwrap_err() {
            LlmError::UnknownModel {
                model: name,
                message,
                ..
            } => {
                assert_eq!(name, model(mode));
                assert!(message.contains(model(mode)), "{message}");
            }
            other => panic!("{mode:?}: {other:?}"),
        }
        assert!(retries.is_empty());
    }
}

/// A port that nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn an_unreachable_server_fails_fast() {
    for mode in MODES {
        let base = format!("http://127.0.0.1:{}", closed_port());
        let transport = Transport::new(settings(mode.stream)).unwrap();
        let provider: Box<dyn Provider> = match mode.protocol {
            Protocol::Anthropic => {
                Box::new(AnthropicProvider::new(&base, Some(KEY.into()), transport))
            }
            Protocol::OpenAi => {
                Box::new(OpenAiProvider::new(format!("{base}/v1"), None, transport))
            }
        };
        let started = Instant::now();
        let (result, retries) = call(&*provider, &request(mode, "hi", "u")).await;
        match result.unwrap_err() {
            LlmError::Unreachable { url, variable, .. } => {
                assert!(url.starts_with(&base), "{url}");
                assert!(variable.ends_with("_BASE_URL"));
            }
            other => panic!("{mode:?}: {other:?}"),
        }
        assert_eq!(retries.len(), 2);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}

#[tokio::test]
async fn after_a_success_connection_errors_are_transient() {
    let mock = MockLlm::start(MockConfig::default());
    let mode = MODES[0];
    let mut fast = settings(true);
    fast.max_retries = 4;
    let provider = provider(mode, &mock, Some(KEY), fast);
    let (result, _) = call(&*provider, &request(mode, "hi", "s")).await;
    assert!(result.is_ok());
    drop(mock);
    let (result, retries) = call(&*provider, &request(mode, "hi", "s")).await;
    match result.unwrap_err() {
        LlmError::Api {
            status: None,
            message,
            ..
        } => {
            assert!(
                message.starts_with("gave up after 4 retries: "),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(retries.len(), 4);
}

#[tokio::test]
async fn retries_run_out() {
    for mode in MODES {
        let faults = Faults {
            rate_500: 1.0,
            ..Faults::default()
        };
        let mock = MockLlm::start(MockConfig::default().with_faults(faults));
        let mut few = settings(mode.stream);
        few.max_retries = 3;
        let provider = provider(mode, &mock, Some(KEY), few);
        let (result, retries) = call(&*provider, &request(mode, "hi", "x")).await;
        match result.unwrap_err() {
            LlmError::Api {
                status: Some(500),
                message,
                ..
            } => {
                assert!(
                    message.starts_with("gave up after 3 retries: 500 "),
                    "{message}"
                )
            }
            other => panic!("{mode:?}: {other:?}"),
        }
        assert_eq!(retries.len(), 3);
        assert_eq!(mock.requests().len(), 4);
    }
}

#[tokio::test]
async fn requests_in_flight_are_capped() {
    let mock = MockLlm::start(MockConfig::default().with_latency(Duration::from_millis(100)));
    let mode = MODES[0];
    let mut capped = settings(true);
    capped.max_requests = 2;
    let provider: Arc<dyn Provider> = Arc::from(provider(mode, &mock, Some(KEY), capped));
    let started = Instant::now();
    let tasks: Vec<_> = (0..6)
        .map(|n| {
            let provider = Arc::clone(&provider);
            tokio::spawn(async move {
                let (result, _) = call(&*provider, &request(mode, &format!("call {n}"), "c")).await;
                result.unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    // Six 100 ms requests, two at a time: three rounds.
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}
