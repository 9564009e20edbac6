//! The prompt-caching figure: a 10-turn tool-using agent whose tool results are about 2,000
//! tokens each, sent through `AnthropicProvider` to the mock, then the same requests with the
//! conversation's breakpoints taken out (what baton sent before it marked the conversation)
//! replayed to a fresh mock. Billed input counts cache writes at 1.25× and reads at 0.1×.

use baton_llm::{Block, Message, Role, StopReason};
use baton_testkit::{Match, MockConfig, MockLlm, Protocol, Rule, TokenTotals, Turn};
use serde_json::{json, Value};

use super::{call, provider, request, settings, Mode, KEY};

pub const TURNS: usize = 10;
/// About 2,000 tokens at the mock's four characters a token.
const RESULT_CHARS: usize = 8_000;

/// Billed input, in full-price input tokens.
pub fn billed_input(totals: &TokenTotals) -> f64 {
    totals.input_tokens as f64
        + 1.25 * totals.cache_write_tokens as f64
        + 0.1 * totals.cache_read_tokens as f64
}

/// The mock's totals with the rolling breakpoint (after) and without it (before).
pub async fn before_and_after() -> (TokenTotals, TokenTotals) {
    let mode = Mode {
        protocol: Protocol::Anthropic,
        stream: true,
    };
    let tool_turns: Vec<Turn> = (0..TURNS - 1)
        .map(|n| Turn::tool("Read", json!({"file_path": format!("part{n}.txt")})))
        .chain([Turn::text("done")])
        .collect();
    let mock = MockLlm::start(
        MockConfig::default()
            .with_api_key(KEY)
            .with_rule(Rule::new(Match::label("reader"), tool_turns)),
    );
    let provider = provider(mode, &mock, Some(KEY), settings(true));
    let mut chat = request(mode, "read every part", "reader");
    for turn in 0..TURNS {
        let (response, _) = call(&*provider, &chat).await;
        let response = response.expect("the mock answers");
        if response.stop_reason != StopReason::ToolUse {
            assert_eq!(turn, TURNS - 1, "the agent ended early");
            break;
        }
        let results = response
            .content
            .iter()
            .filter_map(|block| match block {
                Block::ToolUse { id, .. } => Some(Block::ToolResult {
                    tool_use_id: id.clone(),
                    content: format!("{turn}:{}", "x".repeat(RESULT_CHARS)),
                    is_error: false,
                }),
                _ => None,
            })
            .collect();
        chat.messages.push(Message {
            role: Role::Assistant,
            content: response.content,
        });
        chat.messages.push(Message {
            role: Role::User,
            content: results,
        });
    }
    let after = mock.totals();

    let before_mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
        Match::label("reader"),
        (0..TURNS).map(|_| Turn::text("ok")).collect(),
    )));
    let client = reqwest::Client::new();
    for recorded in mock.requests() {
        let mut body = recorded.body.clone();
        for message in body["messages"].as_array_mut().into_iter().flatten() {
            for block in message["content"].as_array_mut().into_iter().flatten() {
                block.as_object_mut().map(|b| b.remove("cache_control"));
            }
        }
        send(&client, &before_mock, &body).await;
    }
    (before_mock.totals(), after)
}

async fn send(client: &reqwest::Client, mock: &MockLlm, body: &Value) {
    let response = client
        .post(format!("{}/v1/messages", mock.base_url()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .header("x-baton-label", "reader")
        .json(body)
        .send()
        .await
        .expect("the mock is reachable");
    assert!(response.status().is_success(), "{}", response.status());
    response.bytes().await.expect("the mock answers in full");
}
