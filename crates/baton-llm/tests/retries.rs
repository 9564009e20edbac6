//! The transport against the mock LLM server, for both providers, streaming and not: every
//! injected fault is retried, `retry-after` is honoured, unreachable servers fail fast, retries
//! run out, and requests in flight are capped.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use baton_llm::{AnthropicProvider, LlmError, OpenAiProvider, Provider, Transport};
use baton_testkit::{FaultKind, Faults, Match, MockConfig, MockLlm, Protocol, Rule, Turn};
use common::{call, provider, request, settings, Mode, KEY, MODES};

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
