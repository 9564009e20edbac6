//! Both providers against the mock LLM server, streaming and not: answers, tool round trips,
//! and the errors that end a call at once (bad key, unknown model, no key).

mod common;

use baton_llm::{
    AnthropicProvider, Block, LlmError, Message, OpenAiProvider, Role, StopReason, Transport,
    TransportSettings,
};
use baton_testkit::{Match, MockConfig, MockLlm, Protocol, Rule, Turn};
use common::{call, model, provider, request, settings, KEY, MODES};
use serde_json::json;

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

#[test]
fn debug_output_hides_the_key() {
    let transport = Transport::new(TransportSettings::default()).unwrap();
    let anthropic =
        AnthropicProvider::new("http://x/", Some("sk-ant-secret".into()), transport.clone());
    let openai = OpenAiProvider::new("http://y/v1", Some("sk-oai-secret".into()), transport);
    let shown = format!("{anthropic:?} {openai:?}");
    assert!(!shown.contains("secret"), "{shown}");
    assert_eq!(
        (anthropic.base_url(), openai.base_url()),
        ("http://x", "http://y/v1")
    );
}
