//! Refusals (key, model, path, body) and injected faults, as a client sees them.

use std::time::Duration;

use baton_testkit::{FaultKind, Faults, Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::Value;

use crate::helpers::{anthropic, ask, ask_openai, client, openai, sse_events, try_anthropic, KEY};

#[tokio::test]
async fn a_wrong_key_gets_401_in_each_protocol() {
    let mock = MockLlm::start(MockConfig::default().with_api_key("another-key"));
    let response = anthropic(&mock, None, &ask("hi")).await;
    assert_eq!(response.status(), 401);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["type"], "error");
    assert_eq!(error["error"]["type"], "authentication_error");

    let response = openai(&mock, &ask_openai("hi")).await;
    assert_eq!(response.status(), 401);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid_api_key");
    assert!(mock.requests().iter().all(|r| r.status == 401));
    assert_eq!(mock.totals().requests, 0);
}

#[tokio::test]
async fn the_right_key_passes() {
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    assert_eq!(anthropic(&mock, None, &ask("hi")).await.status(), 200);
    assert_eq!(openai(&mock, &ask_openai("hi")).await.status(), 200);
}

#[tokio::test]
async fn an_unknown_model_gets_404() {
    let mock = MockLlm::start(MockConfig::default().with_models(["claude-other", "gpt-test"]));
    let response = anthropic(&mock, None, &ask("hi")).await;
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["type"], "not_found_error");
    assert_eq!(error["error"]["message"], "model: claude-test");
    assert_eq!(openai(&mock, &ask_openai("hi")).await.status(), 200);
}

#[tokio::test]
async fn unknown_paths_and_malformed_bodies_are_refused() {
    let mock = MockLlm::start(MockConfig::default());
    let response = client()
        .post(format!("{}/v1/complete", mock.base_url()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = client()
        .post(format!("{}/v1/messages", mock.base_url()))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["type"], "invalid_request_error");
    let requests = mock.requests();
    assert_eq!(requests.len(), 1, "only the endpoint's request is logged");
    assert_eq!((requests[0].status, &requests[0].body), (400, &Value::Null));
}

#[tokio::test]
async fn rate_limits_carry_retry_after() {
    let faults = Faults {
        rate_429: 1.0,
        retry_after_secs: Some(0.25),
        ..Faults::default()
    };
    let mock = MockLlm::start(MockConfig::default().with_faults(faults));
    let response = anthropic(&mock, None, &ask("hi")).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "0.25");
    assert_eq!(response.headers()["retry-after-ms"], "250");
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["type"], "rate_limit_error");
    let response = openai(&mock, &ask_openai("hi")).await;
    assert_eq!(response.status(), 429);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "rate_limit_exceeded");
    assert!(mock
        .requests()
        .iter()
        .all(|r| r.fault == Some(FaultKind::RateLimited) && r.status == 429));
}

#[tokio::test]
async fn scripted_faults_fail_the_first_attempts_then_the_script_goes_on() {
    let rules = MockConfig::default()
        .with_rule(
            Rule::new(Match::Any, vec![Turn::text("first rule")])
                .with_uses(1)
                .with_fault(0, 2, FaultKind::Overloaded),
        )
        .with_rule(Rule::new(Match::Any, vec![Turn::text("second rule")]));
    let mock = MockLlm::start(rules);
    let statuses = [
        anthropic(&mock, None, &ask("hi")).await.status(),
        anthropic(&mock, None, &ask("hi")).await.status(),
    ];
    assert_eq!(statuses, [529, 529]);
    let retried: Value = anthropic(&mock, None, &ask("hi"))
        .await
        .json()
        .await
        .unwrap();
    // The two failures did not use up the rule's single use.
    assert_eq!(retried["content"][0]["text"], "first rule");
    let next: Value = anthropic(&mock, None, &ask("hi"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(next["content"][0]["text"], "second rule");

    let faults: Vec<_> = mock.requests().iter().map(|r| r.fault).collect();
    let overloaded = Some(FaultKind::Overloaded);
    assert_eq!(faults, [overloaded, overloaded, None, None]);
    assert_eq!(mock.totals().requests, 2);
}

#[tokio::test]
async fn a_dropped_connection_is_a_send_error() {
    let mock =
        MockLlm::start(MockConfig::default().with_rule(
            Rule::new(Match::Any, vec![Turn::text("x")]).with_fault(0, 1, FaultKind::Drop),
        ));
    let error = try_anthropic(&mock, None, &ask("hi")).await.unwrap_err();
    assert!(error.is_request(), "{error:?}");
    assert_eq!(mock.requests()[0].status, 0);
    // The retry is answered.
    assert_eq!(anthropic(&mock, None, &ask("hi")).await.status(), 200);
}

fn faulty(kind: FaultKind) -> MockLlm {
    MockLlm::start(
        MockConfig::default().with_rule(
            Rule::new(
                Match::Any,
                vec![Turn::text("a reply long enough to be cut in the middle")],
            )
            .with_fault(0, 1, kind),
        ),
    )
}

#[tokio::test]
async fn a_truncated_message_fails_while_reading_the_body() {
    let mock = faulty(FaultKind::Truncate);
    let response = anthropic(&mock, None, &ask("hi")).await;
    assert_eq!(response.status(), 200);
    let error = response.bytes().await.unwrap_err();
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    assert_eq!(
        mock.totals().requests,
        0,
        "a broken response is not charged"
    );
}

#[tokio::test]
async fn a_truncated_stream_ends_in_an_error_without_message_stop() {
    let mock = faulty(FaultKind::Truncate);
    let mut body = ask("hi");
    body["stream"] = true.into();
    let mut response = anthropic(&mock, None, &body).await;
    let mut received = Vec::new();
    let error = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
            Ok(None) => panic!("the stream ended cleanly"),
            Err(error) => break error,
        }
    };
    assert!(error.is_body() || error.is_decode(), "{error:?}");
    let events = sse_events(&String::from_utf8(received).unwrap());
    assert_eq!(events[0].0, "message_start");
    assert!(events.iter().all(|(name, _)| name != "message_stop"));
}

#[tokio::test]
async fn a_truncated_openai_stream_never_says_done() {
    let mock = MockLlm::start(MockConfig::default().with_faults(Faults {
        rate_truncate: 1.0,
        ..Faults::default()
    }));
    let mut body = ask_openai("hi");
    body["stream"] = true.into();
    let mut response = openai(&mock, &body).await;
    let mut received = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        received.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(received).unwrap();
    assert!(text.starts_with("data: {"));
    assert!(!text.contains("[DONE]"));
}

#[tokio::test]
async fn a_stalled_stream_sends_its_opening_then_nothing() {
    let mock = faulty(FaultKind::Stall);
    let mut body = ask("hi");
    body["stream"] = true.into();
    let mut response = anthropic(&mock, None, &body).await;
    assert_eq!(response.status(), 200);
    let first = response.chunk().await.unwrap().unwrap();
    assert!(first.starts_with(b"event: message_start"));
    let next = tokio::time::timeout(Duration::from_millis(300), response.chunk()).await;
    assert!(next.is_err(), "nothing more arrives: {next:?}");
    assert_eq!(mock.requests()[0].fault, Some(FaultKind::Stall));
    // Dropping the response and the mock closes the hung connection.
}

#[tokio::test]
async fn random_faults_are_reproducible_for_a_seed() {
    let faults = Faults {
        seed: 42,
        rate_500: 0.3,
        rate_529: 0.2,
        ..Faults::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let mock = MockLlm::start(MockConfig::default().with_faults(faults.clone()));
        let mut statuses = Vec::new();
        for i in 0..20 {
            let response = anthropic(&mock, None, &ask(&format!("q{i}"))).await;
            statuses.push(response.status().as_u16());
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&500) && runs[0].contains(&529) && runs[0].contains(&200));
}
