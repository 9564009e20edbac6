//! WebFetch and WebSearch end to end: the real binary, an agent the mock LLM drives, and a
//! small web on loopback (`WebStub`). What the tool answered is read back from the request
//! that carried it to the model (the mock's request log): every failure (a bad URL, a refused
//! address, a server that is down, a timeout) is a tool result the model reads, and the agent
//! goes on to its answer.

mod support;

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use baton_testkit::{Match, MockConfig, MockLlm, RecordedRequest, Rule, Turn, WebPage, WebStub};
use serde_json::json;
use support::{baton_run, result, stderr, KEY, WIRES};

const ARTICLE: &str = "<!doctype html><html><head><script>track()</script></head><body>\
    <h1>Tides</h1><p>The <a href=\"https://example.org/moon\">Moon</a> pulls the oceans.</p>\
    </body></html>";

fn web() -> WebStub {
    WebStub::start(vec![
        ("/article", WebPage::Html(ARTICLE.into())),
        (
            "/to-metadata",
            WebPage::Redirect("http://169.254.169.254/latest/meta-data/".into()),
        ),
        ("/slow", WebPage::Slow(Duration::from_secs(20))),
        ("/huge", WebPage::Huge(200_000)),
        (
            "/search",
            WebPage::Searxng(vec![(
                "tides".into(),
                vec![
                    json!({"title": "Tide", "url": "https://en.wikipedia.org/wiki/Tide", "content": "Rise and fall of sea levels."}),
                    json!({"title": "Tide ads", "url": "https://ads.example.net/tides", "content": "Buy now"}),
                ],
            )]),
        ),
    ])
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

const FETCHER: &str = r#"export const meta = { name: "fetch", description: "reads pages" };
return await agent("Read the pages.", { label: "fetcher", tools: ["WebFetch"] });
"#;

/// The tool result (text, is_error) the model got on turn `turn` of agent `label`.
fn answered(requests: &[RecordedRequest], label: &str, turn: usize) -> (String, bool) {
    let request = requests
        .iter()
        .find(|r| r.label.as_deref() == Some(label) && r.turn == turn)
        .unwrap_or_else(|| panic!("no turn {turn} of {label}"));
    assert_eq!(request.tool_results.len(), 1, "{:?}", request.tool_results);
    request.tool_results[0].clone()
}

fn fetches(urls: &[String]) -> MockConfig {
    let mut turns: Vec<Turn> = urls
        .iter()
        .map(|url| Turn::tool("WebFetch", json!({"url": url, "prompt": "tides"})))
        .collect();
    turns.push(Turn::text("read them all"));
    MockConfig::default()
        .with_api_key(KEY)
        .with_rule(Rule::new(Match::label("fetcher"), turns))
}

#[test]
fn webfetch_reads_a_page_and_every_failure_is_a_result_the_model_reads() {
    let web = web();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fetch.workflow.js"), FETCHER).unwrap();
    // The limits a user sets, small enough for a fast test.
    std::fs::create_dir_all(dir.path().join(".baton")).unwrap();
    std::fs::write(
        dir.path().join(".baton/config.toml"),
        "[web]\nfetch_timeout_secs = 0.5\nfetch_max_bytes = 4000\n",
    )
    .unwrap();
    let down = format!("http://127.0.0.1:{}/gone", closed_port());
    let urls = vec![
        web.url("/article"),
        "not a url".to_string(),
        down.clone(),
        web.url("/to-metadata"),
        web.url("/slow"),
        web.url("/huge"),
    ];
    let mock = MockLlm::start(fetches(&urls));
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[1],
        &["fetch.workflow.js", "--allow", "WebFetch(domain:127.0.0.1)"],
        &[],
    );
    assert_eq!(result(&output), json!("read them all"));
    let requests = mock.requests();
    let first = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("fetcher"))
        .unwrap();
    assert!(
        first.tools.contains(&"WebFetch".to_string()),
        "{:?}",
        first.tools
    );
    assert!(
        !first.tools.contains(&"WebSearch".to_string()),
        "{:?}",
        first.tools
    );

    let (page, is_error) = answered(&requests, "fetcher", 1);
    assert!(!is_error, "{page}");
    assert!(
        page.starts_with(&format!("URL: {}", web.url("/article"))),
        "{page}"
    );
    assert!(page.contains("Looking for: tides"), "{page}");
    assert!(
        page.contains("# Tides") && page.contains("[Moon](https://example.org/moon)"),
        "{page}"
    );
    assert!(!page.contains("track()"), "{page}");

    let (bad, is_error) = answered(&requests, "fetcher", 2);
    assert!(
        is_error && bad.contains("'not a url' is not a valid URL"),
        "{bad}"
    );
    let (gone, is_error) = answered(&requests, "fetcher", 3);
    assert!(
        is_error && gone.starts_with("WebFetch failed:") && gone.contains(&down),
        "{gone}"
    );
    let (metadata, is_error) = answered(&requests, "fetcher", 4);
    assert!(
        is_error && metadata.contains("the cloud metadata service"),
        "{metadata}"
    );
    let (slow, is_error) = answered(&requests, "fetcher", 5);
    assert!(
        is_error && slow.contains("did not answer within 500 ms"),
        "{slow}"
    );
    let (huge, is_error) = answered(&requests, "fetcher", 6);
    assert!(!is_error, "{huge}");
    assert!(
        huge.contains("larger than 4000 bytes; only its beginning was read"),
        "{huge}"
    );
    assert!(
        huge.matches('x').count() >= 3990 && huge.len() < 4300,
        "{}",
        huge.len()
    );
    // The stub saw the redirect but never the metadata service, and nothing for the bad URL.
    let seen = web.requests();
    assert_eq!(
        seen,
        ["/article", "/to-metadata", "/slow", "/huge"],
        "{seen:?}"
    );
}

#[test]
fn without_the_rule_loopback_is_refused_as_a_result_and_the_run_goes_on() {
    let web = web();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fetch.workflow.js"), FETCHER).unwrap();
    let mock = MockLlm::start(fetches(&[web.url("/article")]));
    let output = baton_run(dir.path(), &mock, WIRES[0], &["fetch.workflow.js"], &[]);
    assert_eq!(result(&output), json!("read them all"));
    let (refused, is_error) = answered(&mock.requests(), "fetcher", 1);
    assert!(is_error, "{refused}");
    assert!(
        refused.contains("127.0.0.1 (loopback)")
            && refused.contains("'WebFetch(domain:127.0.0.1)'"),
        "{refused}"
    );
    assert!(web.requests().is_empty(), "{:?}", web.requests());
}

const SEARCHER: &str = r#"export const meta = { name: "search", description: "searches" };
return await agent("Search.", { label: "searcher", tools: ["WebSearch"] });
"#;

fn searches() -> MockConfig {
    MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
        Match::label("searcher"),
        vec![
            Turn::tool("WebSearch", json!({"query": "why tides"})),
            Turn::tool(
                "WebSearch",
                json!({"query": "why tides", "blocked_domains": ["example.net"]}),
            ),
            Turn::tool(
                "WebSearch",
                json!({"query": "why tides", "allowed_domains": ["example.net"]}),
            ),
            Turn::text("searched"),
        ],
    ))
}

#[test]
fn websearch_asks_a_searxng_instance_and_filters_domains() {
    let web = web();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("search.workflow.js"), SEARCHER).unwrap();
    let mock = MockLlm::start(searches());
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[3],
        &["search.workflow.js"],
        &[("BATON_SEARXNG_URL", &web.base_url())],
    );
    assert_eq!(result(&output), json!("searched"));
    let requests = mock.requests();
    let first = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("searcher"))
        .unwrap();
    assert!(
        first.tools.contains(&"WebSearch".to_string()),
        "{:?}",
        first.tools
    );
    let (all, _) = answered(&requests, "searcher", 1);
    assert!(all.contains("Results for \"why tides\""), "{all}");
    assert!(
        all.contains("https://en.wikipedia.org/wiki/Tide")
            && all.contains("Rise and fall of sea levels.")
            && all.contains("https://ads.example.net/tides"),
        "{all}"
    );
    let (blocked, _) = answered(&requests, "searcher", 2);
    assert!(
        blocked.contains("wikipedia.org") && !blocked.contains("ads.example.net"),
        "{blocked}"
    );
    let (allowed, _) = answered(&requests, "searcher", 3);
    assert!(
        !allowed.contains("wikipedia.org") && allowed.contains("ads.example.net"),
        "{allowed}"
    );
    let asked = web.requests();
    assert_eq!(asked.len(), 3, "{asked:?}");
    assert!(
        asked
            .iter()
            .all(|r| r.starts_with("/search?") && r.contains("format=json")),
        "{asked:?}"
    );
}

fn baton(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("BATON_SEARXNG_URL")
        .env_remove("BRAVE_API_KEY")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn without_a_backend_websearch_is_not_offered_and_check_and_the_dry_run_say_who_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("search.workflow.js"), SEARCHER).unwrap();

    let check = baton(dir.path(), &["check", "search.workflow.js"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let said = stderr(&check);
    assert!(
        said.contains(
            "warning: agent searcher asks for WebSearch, but no search backend is configured"
        ),
        "{said}"
    );
    assert!(said.contains("BATON_SEARXNG_URL"), "{said}");

    let dry = baton(
        dir.path(),
        &["run", "search.workflow.js", "--dry-run", "--model", "sim"],
    );
    assert_eq!(dry.status.code(), Some(0), "{}", stderr(&dry));
    assert!(
        stderr(&dry).contains("agents ask for WebSearch (searcher), but no search backend"),
        "{}",
        stderr(&dry)
    );

    // With a backend, neither says a word about it.
    let configured = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["check", "search.workflow.js"])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("BATON_SEARXNG_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert!(
        !stderr(&configured).contains("WebSearch"),
        "{}",
        stderr(&configured)
    );
    // Nor when the run's model is on Anthropic, whose hosted search is the backend.
    let on_anthropic = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["check", "search.workflow.js"])
        .current_dir(dir.path())
        .env("HOME", dir.path())
        .env("BATON_MODEL", "haiku")
        .env_remove("BATON_SEARXNG_URL")
        .env_remove("BRAVE_API_KEY")
        .output()
        .unwrap();
    assert!(
        !stderr(&on_anthropic).contains("WebSearch"),
        "{}",
        stderr(&on_anthropic)
    );
    let dry_on_anthropic = baton(
        dir.path(),
        &["run", "search.workflow.js", "--dry-run", "--model", "haiku"],
    );
    assert!(
        !stderr(&dry_on_anthropic).contains("WebSearch"),
        "{}",
        stderr(&dry_on_anthropic)
    );

    // The run, on OpenAI (Anthropic has its own search): not offered, one warning in the log,
    // and the agent still answers.
    let mock = MockLlm::start(searches());
    let output = baton_run(dir.path(), &mock, WIRES[2], &["search.workflow.js"], &[]);
    assert_eq!(result(&output), json!("searched"));
    let requests = mock.requests();
    for request in &requests {
        assert!(
            !request.tools.contains(&"WebSearch".to_string()),
            "{:?}",
            request.tools
        );
    }
    // (OpenAI's tool messages have no error flag: the text says it.)
    let (refused, _) = answered(&requests, "searcher", 1);
    assert!(refused.contains("not available"), "{refused}");
    let err = stderr(&output);
    assert_eq!(
        err.matches("asked for WebSearch, but no search backend is configured")
            .count(),
        1,
        "{err}"
    );
}

const HOSTED: &str = r#"export const meta = { name: "hosted", description: "searches on Anthropic" };
return await agent("Why are there tides?", { label: "searcher", tools: ["WebSearch", "Glob"] });
"#;

#[test]
fn on_anthropic_without_a_search_api_websearch_is_anthropics_hosted_search() {
    let hits = [
        ("Tide", "https://en.wikipedia.org/wiki/Tide"),
        ("Tides (NOAA)", "https://oceanservice.noaa.gov/tides"),
    ];
    for wire in WIRES.into_iter().take(2) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hosted.workflow.js"), HOSTED).unwrap();
        // Turn 1 searches (on the server) and then calls a tool of baton's; turn 2 answers.
        let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
            Match::label("searcher"),
            vec![
                Turn::hosted_search(
                    "why tides",
                    &hits,
                    Turn::tool("Glob", json!({"pattern": "*.md"})),
                ),
                Turn::text("The Moon's pull."),
            ],
        )));
        let output = baton_run(
            dir.path(),
            &mock,
            wire,
            &["hosted.workflow.js", "--price", "claude-haiku-4-5=0,0,0,0"],
            &[],
        );
        assert_eq!(result(&output), json!("The Moon's pull."), "{wire:?}");
        let err = stderr(&output);
        assert!(
            err.contains("searcher · WebSearch: why tides (hosted)")
                && !err.contains("no search backend"),
            "{wire:?}: {err}"
        );
        // Tokens are priced at zero here: what the run cost is the one search, $10 per 1,000.
        assert!(err.contains("· $0.0100"), "{wire:?}: {err}");

        let requests = mock.requests();
        assert_eq!(requests.len(), 2, "{wire:?}");
        // Offered as Anthropic's tool, not as a function baton would run.
        let tools = requests[0].body["tools"].as_array().unwrap();
        let search: Vec<_> = tools
            .iter()
            .filter(|t| t["name"] == "web_search" || t["name"] == "WebSearch")
            .collect();
        assert_eq!(search.len(), 1, "{wire:?}: {tools:?}");
        assert_eq!(search[0]["type"], "web_search_20250305");
        assert!(search[0].get("input_schema").is_none());
        // The search and its results go back exactly as the server sent them.
        let assistant = &requests[1].body["messages"][1];
        assert_eq!(assistant["role"], "assistant");
        let kinds: Vec<&str> = assistant["content"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["server_tool_use", "web_search_tool_result", "tool_use"],
            "{wire:?}"
        );
        assert_eq!(
            assistant["content"][0]["input"],
            json!({"query": "why tides"})
        );
        assert_eq!(
            assistant["content"][1]["tool_use_id"],
            assistant["content"][0]["id"]
        );
        assert_eq!(
            assistant["content"][1]["content"][1]["url"],
            "https://oceanservice.noaa.gov/tides"
        );

        // The transcript shows the search and what it found.
        let run_id = err
            .lines()
            .find_map(|l| l.strip_prefix("baton: run "))
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap()
            .to_string();
        let logs = Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(["logs", &run_id, "--agent", "searcher"])
            .current_dir(dir.path())
            .env("HOME", dir.path())
            .output()
            .unwrap();
        let transcript = String::from_utf8_lossy(&logs.stdout);
        assert!(
            transcript.contains("WebSearch: why tides (hosted)")
                && transcript.contains("Tides (NOAA) — https://oceanservice.noaa.gov/tides"),
            "{wire:?}: {transcript}"
        );
    }
}

#[test]
fn a_turn_the_server_paused_after_a_hosted_search_is_sent_back_to_go_on() {
    for wire in WIRES.into_iter().take(2) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hosted.workflow.js"), HOSTED).unwrap();
        let mock = MockLlm::start(MockConfig::default().with_api_key(KEY).with_rule(Rule::new(
            Match::label("searcher"),
            vec![
                Turn::paused_search(
                    "why tides",
                    &[("Tide", "https://en.wikipedia.org/wiki/Tide")],
                ),
                Turn::text("The Moon's pull."),
            ],
        )));
        let output = baton_run(dir.path(), &mock, wire, &["hosted.workflow.js"], &[]);
        assert_eq!(result(&output), json!("The Moon's pull."), "{wire:?}");
        let requests = mock.requests();
        assert_eq!(requests.len(), 2, "{wire:?}");
        // The paused turn went back as the conversation's last message, nothing added.
        let messages = requests[1].body["messages"].as_array().unwrap();
        let last = messages.last().unwrap();
        assert_eq!(last["role"], "assistant", "{wire:?}");
        assert_eq!(last["content"][0]["type"], "server_tool_use");
        assert_eq!(last["content"][1]["type"], "web_search_tool_result");
    }
}
