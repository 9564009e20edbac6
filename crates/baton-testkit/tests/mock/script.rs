//! Scripted conversations, default replies, the request log, and the server under load.

use std::time::{Duration, Instant};

use baton_testkit::{Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::{json, Value};

use crate::helpers::{anthropic, ask, ask_openai, client, openai, KEY};

async fn text_of(mock: &MockLlm, label: Option<&str>, body: &Value) -> String {
    let message: Value = anthropic(mock, label, body).await.json().await.unwrap();
    message["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn labels_pick_rules_and_uses_run_out_in_order() {
    let config = MockConfig::default()
        .with_rule(
            Rule::new(Match::label("review"), vec![Turn::text("first reviewer")]).with_uses(1),
        )
        .with_rule(Rule::new(
            Match::label("review"),
            vec![Turn::text("other reviewers")],
        ))
        .with_rule(Rule::new(
            Match::prompt_contains("weather"),
            vec![Turn::text("sunny")],
        ))
        .with_rule(Rule::new(
            Match::prompt_regex(r"^fix #\d+$"),
            vec![Turn::text("fixed")],
        ));
    let mock = MockLlm::start(config);
    assert_eq!(
        text_of(&mock, Some("review"), &ask("a")).await,
        "first reviewer"
    );
    assert_eq!(
        text_of(&mock, Some("review"), &ask("b")).await,
        "other reviewers"
    );
    assert_eq!(
        text_of(&mock, Some("review"), &ask("a")).await,
        "other reviewers"
    );
    assert_eq!(
        text_of(&mock, None, &ask("the weather today")).await,
        "sunny"
    );
    assert_eq!(text_of(&mock, None, &ask("fix #12")).await, "fixed");
    assert_eq!(
        text_of(&mock, Some("write"), &ask("fix #12!")).await,
        "ok: fix #12!"
    );
    let labels: Vec<Option<String>> = mock.requests().into_iter().map(|r| r.label).collect();
    assert_eq!(labels[0].as_deref(), Some("review"));
    assert_eq!(labels[3], None);
}

#[tokio::test]
async fn a_conversation_keeps_its_rule_across_turns() {
    let rules = MockConfig::default()
        .with_rule(
            Rule::new(
                Match::label("agent"),
                vec![
                    Turn::tool("Read", json!({"path": "notes.md"})),
                    Turn::text("notes read for: {prompt}"),
                ],
            )
            .with_uses(1),
        )
        .with_rule(Rule::new(
            Match::label("agent"),
            vec![Turn::text("someone else")],
        ));
    let mock = MockLlm::start(rules);
    let first: Value = anthropic(&mock, Some("agent"), &ask("summarise"))
        .await
        .json()
        .await
        .unwrap();
    let call = &first["content"][0];
    assert_eq!(call["name"], "Read");

    let mut body = ask("summarise");
    body["system"] = "be brief".into();
    body["messages"] = json!([
        {"role": "user", "content": "summarise"},
        {"role": "assistant", "content": [call]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call["id"], "content": "# Notes"}]}
    ]);
    // A different system text is a different conversation, so keep the original one.
    body.as_object_mut().unwrap().remove("system");
    let second = text_of(&mock, Some("agent"), &body).await;
    assert_eq!(second, "notes read for: summarise");

    // Past the end of the script the last text repeats.
    body["messages"].as_array_mut().unwrap().extend([
        json!({"role": "assistant", "content": "notes read"}),
        json!({"role": "user", "content": "and again?"}),
    ]);
    assert_eq!(
        text_of(&mock, Some("agent"), &body).await,
        "notes read for: summarise"
    );

    let requests = mock.requests();
    assert_eq!(
        requests.iter().map(|r| r.turn).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(
        requests[1].tool_results,
        vec![("# Notes".to_owned(), false)]
    );
    assert!(requests[2].tool_results.is_empty());
}

#[tokio::test]
async fn structured_output_defaults_to_a_schema_valid_call_then_done() {
    let mock = MockLlm::start(MockConfig::default());
    let schema = json!({
        "type": "object",
        "properties": {
            "title": {"type": "string", "minLength": 1},
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
            "tags": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["title", "score", "tags"],
        "additionalProperties": false
    });
    let tools = json!([{"name": "StructuredOutput", "description": "the answer",
                        "input_schema": schema}]);
    let mut body = ask("rate this crate");
    body["tools"] = tools.clone();
    let message: Value = anthropic(&mock, None, &body).await.json().await.unwrap();
    assert_eq!(message["stop_reason"], "tool_use");
    let call = &message["content"][0];
    assert_eq!(call["name"], "StructuredOutput");
    let value = &call["input"];
    assert!(!value["title"].as_str().unwrap().is_empty());
    assert!((1..=5).contains(&value["score"].as_i64().unwrap()));
    assert!(value["tags"]
        .as_array()
        .unwrap()
        .iter()
        .all(Value::is_string));
    assert_eq!(value.as_object().unwrap().len(), 3);

    body["messages"] = json!([
        {"role": "user", "content": "rate this crate"},
        {"role": "assistant", "content": [call]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call["id"],
                                      "content": "accepted"}]}
    ]);
    assert_eq!(text_of(&mock, None, &body).await, "done");
    assert_eq!(mock.requests()[0].tools, vec!["StructuredOutput"]);

    // The same over OpenAI, from the same seed (the prompt).
    let mut body = ask_openai("rate this crate");
    body["tools"] = json!([{"type": "function", "function": {
        "name": "StructuredOutput", "description": "the answer", "parameters": schema}}]);
    let completion: Value = openai(&mock, &body).await.json().await.unwrap();
    let arguments = completion["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
        .as_str()
        .unwrap();
    assert_eq!(&serde_json::from_str::<Value>(arguments).unwrap(), value);
}

#[tokio::test]
async fn keep_alive_connections_serve_many_concurrent_requests() {
    let mock = MockLlm::start(MockConfig::default());
    let client = client();
    let url = format!("{}/v1/messages", mock.base_url());
    let started = Instant::now();
    let tasks: Vec<_> = (0..400)
        .map(|i| {
            let request = client
                .post(&url)
                .header("x-api-key", KEY)
                .json(&ask(&format!("question {i}")));
            tokio::spawn(async move { request.send().await.unwrap().status() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    assert_eq!(mock.totals().requests, 400);
    assert_eq!(mock.requests().len(), 400);
    // Generous: only a server that is grossly slow per request fails this, even unoptimised.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn latency_delays_the_response_and_rules_override_it() {
    let mock = MockLlm::start(
        MockConfig::default()
            .with_latency(Duration::from_millis(80))
            .with_rule(
                Rule::new(Match::label("fast"), vec![Turn::text("quick")])
                    .with_latency(Duration::ZERO),
            ),
    );
    let started = Instant::now();
    assert_eq!(anthropic(&mock, None, &ask("slow")).await.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(80));
    let started = Instant::now();
    assert_eq!(text_of(&mock, Some("fast"), &ask("x")).await, "quick");
    assert!(started.elapsed() < Duration::from_millis(80));
}

#[test]
fn starts_and_stops_outside_any_runtime() {
    let mock = MockLlm::start(MockConfig::default());
    assert!(mock.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(mock.openai_base_url(), format!("{}/v1", mock.base_url()));
    let addr = mock.base_url().trim_start_matches("http://").to_owned();
    drop(mock);
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "the port is closed after drop"
    );
}

/// Reads one response with a `content-length` off a raw connection: status and body.
fn read_response(stream: &mut impl std::io::BufRead) -> (String, String) {
    let mut status = String::new();
    stream.read_line(&mut status).unwrap();
    let mut length = 0;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    (
        status.trim_end().to_owned(),
        String::from_utf8(body).unwrap(),
    )
}

#[test]
fn one_connection_serves_request_after_request() {
    use std::io::{BufReader, Write};

    let mock = MockLlm::start(MockConfig::default());
    let addr = mock.base_url().trim_start_matches("http://").to_owned();
    let mut writer = std::net::TcpStream::connect(&addr).unwrap();
    let mut reader = BufReader::new(writer.try_clone().unwrap());
    for i in 0..3 {
        let body = ask(&format!("question {i}")).to_string();
        write!(
            writer,
            "POST /v1/messages HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let (status, body) = read_response(&mut reader);
        assert_eq!(status, "HTTP/1.1 200 OK");
        assert!(body.contains(&format!("ok: question {i}")), "{body}");
    }
    assert_eq!(mock.totals().requests, 3);
}
