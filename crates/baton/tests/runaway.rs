//! Models as cheap real ones behave, end to end against the mock on every wire: the same call
//! over and over, prose where a schema is required, no final answer at all, and a server that
//! cannot parse its model's output. No agent runs unbounded; each ends `null` with a reason.
//! Also what such servers need from a client: a base URL ending in `/v1`, gateway headers.

mod support;

use baton_testkit::{FaultKind, Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::{json, Value};
use support::{baton_run, result, stderr, KEY, WIRES};

const LOOPS: &str = r#"export const meta = { name: "loops", description: "models that repeat themselves" };
const reader = await agent("Read a.py and report its bugs.", { label: "reader" });
const prose = await agent("Report the bugs in a.py.", {
  label: "prose",
  schema: { type: "object", properties: { bugs: { type: "array" } }, required: ["bugs"] },
});
return { reader, prose };
"#;

fn looping_model() -> MockConfig {
    let read = || Turn::tool("Read", json!({"file_path": "a.py"}));
    MockConfig::default()
        .with_api_key(KEY)
        .with_rule(Rule::new(
            Match::label("reader"),
            vec![read(), read(), read(), read(), read(), read(), read()],
        ))
        // Past its turns the mock repeats the last text: prose, forever.
        .with_rule(Rule::new(
            Match::label("prose"),
            vec![Turn::text("There is a bug on line 2.")],
        ))
}

#[test]
fn a_repeated_call_is_refused_then_ends_the_agent_stuck_on_every_wire() {
    for wire in WIRES {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.py"), "def f(x):\n    return x +\n").unwrap();
        std::fs::write(dir.path().join("loops.workflow.js"), LOOPS).unwrap();
        let mock = MockLlm::start(looping_model());
        let output = baton_run(dir.path(), &mock, wire, &["loops.workflow.js"], &[]);
        assert_eq!(
            result(&output),
            json!({"reader": null, "prose": null}),
            "{wire:?}"
        );
        let log = stderr(&output);
        assert!(
            log.contains(r#"stuck: called Read {"file_path":"a.py"} 5 times in a row"#),
            "{wire:?}: {log}"
        );
        assert!(
            log.contains("stuck: answered in prose instead of calling StructuredOutput 5 times"),
            "{wire:?}: {log}"
        );

        let requests = mock.requests();
        let reader: Vec<_> = requests
            .iter()
            .filter(|r| r.label.as_deref() == Some("reader"))
            .collect();
        // Five calls, the fifth ends it: the model was asked five times, never a sixth.
        assert_eq!(reader.len(), 5, "{wire:?}");
        // The first two reads ran; the third and fourth were answered with the nudge.
        assert!(
            reader[1].tool_results[0].0.contains("return x +"),
            "{wire:?}"
        );
        assert!(reader[2].tool_results[0].0.contains("return x +"));
        for request in &reader[3..5] {
            let (answer, _) = &request.tool_results[0];
            assert!(
                answer.contains("You already called Read with exactly this input")
                    && answer.contains("final answer in plain text")
                    && !answer.contains("return x +"),
                "{wire:?}: {answer}"
            );
        }
        let prose = requests
            .iter()
            .filter(|r| r.label.as_deref() == Some("prose"))
            .count();
        assert_eq!(prose, 5, "{wire:?}");
    }
}

const BABBLE: &str = r#"export const meta = { name: "babble", description: "" };
const babbler = await agent("Explain a.py.", { label: "babbler" });
const fine = await agent("Summarize a.py.", { label: "fine" });
return { babbler, fine };
"#;

#[test]
fn a_turn_that_repeats_itself_is_cut_and_ends_the_agent_stuck_when_streaming() {
    let looping = "I will now read the file to find the bug. ".repeat(2_000);
    let long_but_varied: String = (0..300)
        .map(|i| format!("Line {i} of a.py assigns a value. "))
        .collect();
    for wire in WIRES.into_iter().filter(|wire| wire.stream) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("babble.workflow.js"), BABBLE).unwrap();
        let mock = MockLlm::start(
            MockConfig::default()
                .with_api_key(KEY)
                .with_rule(Rule::new(
                    Match::label("babbler"),
                    vec![Turn::text(looping.clone())],
                ))
                .with_rule(Rule::new(
                    Match::label("fine"),
                    vec![Turn::text(long_but_varied.clone())],
                )),
        );
        let output = baton_run(dir.path(), &mock, wire, &["babble.workflow.js"], &[]);
        assert_eq!(
            result(&output),
            json!({"babbler": null, "fine": long_but_varied}),
            "{wire:?}"
        );
        let log = stderr(&output);
        assert!(
            log.contains("stuck: the model kept repeating the same text"),
            "{wire:?}: {log}"
        );
        let babbler = mock
            .requests()
            .iter()
            .filter(|r| r.label.as_deref() == Some("babbler"))
            .count();
        assert_eq!(babbler, 1, "{wire:?}: one turn, not asked again");
    }
}

const TURNS: &str = r#"export const meta = { name: "turns", description: "" };
const capped = await agent("look around", { label: "capped" });
const own = await agent("look around more", { label: "own", maxTurns: 4 });
return { capped, own };
"#;

#[test]
fn the_default_turn_cap_is_a_setting_and_max_turns_wins() {
    let glob = |pattern: &str| Turn::tool("Glob", json!({ "pattern": pattern }));
    let busy = || {
        vec![
            glob("*.a"),
            glob("*.b"),
            glob("*.c"),
            Turn::text("found nothing"),
        ]
    };
    for (wire, how) in [(WIRES[0], "flag"), (WIRES[2], "variable")] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("turns.workflow.js"), TURNS).unwrap();
        let mock = MockLlm::start(
            MockConfig::default()
                .with_api_key(KEY)
                .with_rule(Rule::new(Match::label("capped"), busy()))
                .with_rule(Rule::new(Match::label("own"), busy())),
        );
        let output = if how == "flag" {
            let args = ["--agent-max-turns", "2", "turns.workflow.js"];
            baton_run(dir.path(), &mock, wire, &args, &[])
        } else {
            let env = [("BATON_AGENT_MAX_TURNS", "2")];
            baton_run(dir.path(), &mock, wire, &["turns.workflow.js"], &env)
        };
        assert_eq!(
            result(&output),
            json!({"capped": null, "own": "found nothing"}),
            "{how}"
        );
        assert!(stderr(&output).contains("reached maxTurns (2) without a final answer"));
    }
}

const UNPARSED: &str = r#"export const meta = { name: "unparsed", description: "" };
const healed = await agent("list files", { label: "healed" });
const broken = await agent("list files again", { label: "broken" });
return { healed, broken };
"#;

#[test]
fn a_server_that_cannot_parse_the_output_gets_the_turn_again_then_the_agent_ends() {
    let turns = || {
        vec![
            Turn::tool("Glob", json!({"pattern": "*"})),
            Turn::text("two files"),
        ]
    };
    for wire in WIRES {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("unparsed.workflow.js"), UNPARSED).unwrap();
        let mock = MockLlm::start(
            MockConfig::default()
                .with_api_key(KEY)
                .with_rule(Rule::new(Match::label("healed"), turns()).with_fault(
                    1,
                    2,
                    FaultKind::UnparsedOutput,
                ))
                .with_rule(Rule::new(Match::label("broken"), turns()).with_fault(
                    1,
                    99,
                    FaultKind::UnparsedOutput,
                )),
        );
        let output = baton_run(dir.path(), &mock, wire, &["unparsed.workflow.js"], &[]);
        assert_eq!(
            result(&output),
            json!({"healed": "two files", "broken": null}),
            "{wire:?}"
        );
        let log = stderr(&output);
        assert!(
            log.contains("the server could not parse the model's output 3 times in a row"),
            "{wire:?}: {log}"
        );
        let requests = mock.requests();
        let at_turn_1 = |label: &str| {
            requests
                .iter()
                .filter(|r| r.label.as_deref() == Some(label) && r.turn == 1)
                .collect::<Vec<_>>()
        };
        // Not the transport's eight blind retries: each new try tells the model what failed.
        let broken = at_turn_1("broken");
        assert_eq!(broken.len(), 3, "{wire:?}");
        let healed = at_turn_1("healed");
        assert_eq!(healed.len(), 3, "{wire:?}");
        assert!(
            body_text(&healed[2].body).contains("could not be read by the server"),
            "{wire:?}"
        );
    }
}

/// All the text of a request body, to find what baton told the model.
fn body_text(body: &Value) -> String {
    body.to_string()
}

const ONE: &str = r#"export const meta = { name: "one", description: "" };
return await agent("say hi", { label: "one" });
"#;

#[test]
fn an_anthropic_base_url_ending_in_v1_reaches_the_messages_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.workflow.js"), ONE).unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    let base = format!("{}/v1", mock.base_url());
    let env = [("ANTHROPIC_BASE_URL", base.as_str())];
    let output = baton_run(dir.path(), &mock, WIRES[0], &["one.workflow.js"], &env);
    assert_eq!(result(&output), json!("ok: say hi"));
}

#[test]
fn custom_headers_from_the_variable_and_the_config_go_on_every_request() {
    for wire in [WIRES[0], WIRES[3]] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("one.workflow.js"), ONE).unwrap();
        std::fs::create_dir(dir.path().join(".baton")).unwrap();
        std::fs::write(
            dir.path().join(".baton/config.toml"),
            "[http.headers]\nX-Team = \"search\"\nX-Gateway-Key = \"from-config\"\n",
        )
        .unwrap();
        let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
            Match::label("one"),
            vec![
                Turn::tool("Glob", json!({"pattern": "*"})),
                Turn::text("hi"),
            ],
        )));
        let env = [(
            "ANTHROPIC_CUSTOM_HEADERS",
            "X-Gateway-Key: from-env\nHelicone-Auth: Bearer abc:def\n",
        )];
        let output = baton_run(dir.path(), &mock, wire, &["one.workflow.js"], &env);
        assert_eq!(result(&output), json!("hi"), "{wire:?}");
        let requests = mock.requests();
        assert_eq!(requests.len(), 2);
        for request in requests {
            assert_eq!(request.header("x-team"), Some("search"), "{wire:?}");
            // The variable wins over the config for the same name.
            assert_eq!(request.header("x-gateway-key"), Some("from-env"));
            assert_eq!(request.header("helicone-auth"), Some("Bearer abc:def"));
        }
    }
}

#[test]
fn a_bad_header_line_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.workflow.js"), ONE).unwrap();
    let mock = MockLlm::start(MockConfig::default().with_api_key(KEY));
    let env = [("ANTHROPIC_CUSTOM_HEADERS", "just-a-token")];
    let output = baton_run(dir.path(), &mock, WIRES[0], &["one.workflow.js"], &env);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains(
            "ANTHROPIC_CUSTOM_HEADERS: 'just-a-token' is not a `Name: value` header line"
        ),
        "{}",
        stderr(&output)
    );
    assert!(mock.requests().is_empty());
}
