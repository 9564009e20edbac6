//! The built-in `deep-research` workflow end to end: the real binary run by name from a
//! directory that holds no workflow, agents the mock LLM drives, WebSearch on a SearXNG stub and
//! WebFetch on pages of the same stub (loopback, allowed by the user's rule). Two sources state
//! one claim and every voter supports it: kept, with both cited. One source states a claim the
//! voters refute: dropped, and listed as dropped in the report.

mod support;

use baton_testkit::{Match, MockConfig, MockLlm, Rule, Turn, WebPage, WebStub};
use serde_json::{json, Value};
use support::{baton_run, result, KEY, WIRES};

const MOON: &str = "The Moon's gravity raises two tides a day";
const WIND: &str = "Tides are caused by the wind";

fn page(title: &str, text: &str) -> WebPage {
    WebPage::Html(format!(
        "<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"
    ))
}

fn web() -> WebStub {
    let hit = |title: &str, path: &str| json!({"title": title, "url": format!("{{base}}{path}"), "content": title});
    WebStub::start(vec![
        ("/moon", page("Tidal forces", "The Moon's gravity raises two bulges of water, so most coasts see two tides a day.")),
        ("/ocean", page("Ocean tides", "Two high tides a day are raised by the pull of the Moon.")),
        ("/wind", page("Weather myths", "Tides are caused by the wind pushing water ashore.")),
        (
            "/search",
            WebPage::Searxng(vec![
                ("physics".into(), vec![hit("Tidal forces", "/moon"), hit("Weather myths", "/wind")]),
                ("history".into(), vec![hit("Ocean tides", "/ocean"), hit("Tidal forces", "/moon")]),
            ]),
        ),
    ])
}

fn structured(value: Value) -> Turn {
    Turn::tool("StructuredOutput", value)
}

/// What each agent of the workflow does, by label or by the claim in its prompt.
fn script(web: &WebStub) -> MockConfig {
    let url = |path: &str| web.url(path);
    let searcher = |angle: &str, query: &str, found: Value| {
        Rule::new(
            Match::label(format!("search:{angle}")),
            vec![
                Turn::tool("WebSearch", json!({"query": query})),
                structured(json!({"sources": found})),
            ],
        )
    };
    let reader = |n: u32, path: &str, claim: &str, quote: &str| {
        Rule::new(
            Match::label(format!("read:{n}")),
            vec![
                Turn::tool("WebFetch", json!({"url": url(path)})),
                structured(json!({"claims": [{"claim": claim, "quote": quote}]})),
            ],
        )
    };
    MockConfig::default()
        .with_api_key(KEY)
        .with_rule(searcher(
            "physics",
            "tides physics",
            json!([{"url": url("/moon"), "title": "Tidal forces"}, {"url": url("/wind"), "title": "Weather myths"}]),
        ))
        .with_rule(searcher(
            "history",
            "tides history",
            json!([{"url": url("/ocean"), "title": "Ocean tides"}, {"url": url("/moon"), "title": "Tidal forces"}]),
        ))
        // Sources in the order found, deduplicated: 1 moon, 2 wind, 3 ocean.
        .with_rule(reader(1, "/moon", MOON, "The Moon's gravity raises two bulges of water"))
        .with_rule(reader(2, "/wind", WIND, "Tides are caused by the wind"))
        .with_rule(reader(3, "/ocean", "The Moon's pull raises two high tides a day", "Two high tides a day are raised by the pull of the Moon."))
        .with_rule(Rule::new(
            Match::label("merge"),
            vec![structured(json!({"claims": [
                {"claim": MOON, "sources": [1, 3]},
                {"claim": WIND, "sources": [2]},
            ]}))],
        ))
        // One voter reads a source again before voting.
        .with_rule(Rule::new(
            Match::label("check:1:1"),
            vec![
                Turn::tool("WebFetch", json!({"url": url("/ocean")})),
                structured(json!({"verdict": "supported", "sources": [1, 3], "reason": "S1 and S3 say so"})),
            ],
        ))
        .with_rule(Rule::new(
            Match::prompt_contains(format!("Claim to check: {MOON}")),
            vec![structured(json!({"verdict": "supported", "sources": [3], "reason": "S3 says so"}))],
        ))
        .with_rule(Rule::new(
            Match::prompt_contains(format!("Claim to check: {WIND}")),
            vec![structured(json!({"verdict": "refuted", "sources": [], "reason": "S1 and S3 name the Moon"}))],
        ))
        .with_rule(Rule::new(
            Match::label("report"),
            vec![Turn::text("Coasts see two tides a day because of the Moon's gravity [1][2].")],
        ))
}

#[test]
fn deep_research_keeps_the_claim_two_sources_support_and_drops_the_refuted_one() {
    let web = web();
    let mock = MockLlm::start(script(&web));
    // No workflow file anywhere: the binary carries deep-research.
    let dir = tempfile::tempdir().unwrap();
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[0],
        &[
            "deep-research",
            "--allow",
            "WebFetch(domain:127.0.0.1)",
            "--args",
            r#"{"question": "Why are there two tides a day?", "angles": ["physics", "history"]}"#,
        ],
        &[("BATON_SEARXNG_URL", &web.base_url())],
    );
    let value = result(&output);

    // The claim from two sources, supported by every voter, is kept and cites both.
    let claims = value["claims"].as_array().unwrap();
    assert_eq!(claims.len(), 1, "{value:#}");
    assert_eq!(claims[0]["claim"], MOON);
    assert_eq!(
        claims[0]["sources"],
        json!([web.url("/moon"), web.url("/ocean")])
    );
    assert_eq!(claims[0]["votes"]["supported"], 3);
    // The refuted one is dropped, with why.
    let dropped = value["dropped"].as_array().unwrap();
    assert_eq!(dropped.len(), 1, "{value:#}");
    assert_eq!(dropped[0]["claim"], WIND);
    assert_eq!(dropped[0]["reason"], "refuted");
    assert_eq!(dropped[0]["sources"], json!([web.url("/wind")]));
    assert_eq!(dropped[0]["votes"]["refuted"], 3);

    // The report: the writer's cited text, the numbered sources, the dropped claim.
    let report = value["report"].as_str().unwrap();
    assert!(
        report.starts_with("# Why are there two tides a day?"),
        "{report}"
    );
    assert!(
        report.contains("because of the Moon's gravity [1][2]"),
        "{report}"
    );
    let sources = report.split("## Sources").nth(1).expect("a source list");
    assert!(
        sources.contains(&format!("[1] Tidal forces — {}", web.url("/moon"))),
        "{report}"
    );
    assert!(
        sources.contains(&format!("[2] Ocean tides — {}", web.url("/ocean"))),
        "{report}"
    );
    let dropped_section = report
        .split("## Dropped claims")
        .nth(1)
        .expect("a dropped list");
    assert!(
        dropped_section.contains(&format!("- {WIND} — refuted (0 of 3 voters supported it)")),
        "{report}"
    );
    assert!(
        !sources.contains("/wind"),
        "an uncited source is listed: {report}"
    );
    assert_eq!(value["sources"].as_array().unwrap().len(), 2, "{value:#}");

    // The tools really ran: searches reached the stub, pages were read through WebFetch.
    let requests = mock.requests();
    let got = |label: &str, turn: usize| {
        requests
            .iter()
            .find(|r| r.label.as_deref() == Some(label) && r.turn == turn)
            .unwrap_or_else(|| panic!("no turn {turn} of {label}"))
            .tool_results
            .clone()
    };
    let searched = got("search:physics", 1);
    assert!(
        searched[0].0.contains(&web.url("/moon")) && !searched[0].1,
        "{searched:?}"
    );
    let read = got("read:3", 1);
    assert!(
        read[0].0.contains("Two high tides a day are raised"),
        "{read:?}"
    );
    let reread = got("check:1:1", 1);
    assert!(reread[0].0.contains("# Ocean tides"), "{reread:?}");
    // The writer saw only the kept claim.
    let writer = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("report"))
        .unwrap();
    assert!(
        writer.prompt.contains(MOON) && !writer.prompt.contains(WIND),
        "{}",
        writer.prompt
    );
    let seen = web.requests();
    assert_eq!(
        seen.iter().filter(|r| r.starts_with("/search?")).count(),
        2,
        "{seen:?}"
    );
    for path in ["/moon", "/wind", "/ocean"] {
        assert!(
            seen.iter().any(|r| r == path),
            "{path} never read: {seen:?}"
        );
    }
    // 2 searchers, 3 readers, 1 merge, 2 claims x 3 voters, 1 writer.
    let agents: std::collections::BTreeSet<_> =
        requests.iter().filter_map(|r| r.label.clone()).collect();
    assert_eq!(agents.len(), 13, "{agents:?}");
}
