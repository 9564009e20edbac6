//! WebSearch against a SearXNG-compatible stub on loopback: the query and `format=json` reach
//! it, hits come back as titles, URLs and snippets, domain filters apply, and a backend that
//! is down or answers garbage is a message.

use baton_testkit::{WebPage, WebStub};
use baton_web::{search, Hit, SearchBackend};
use serde_json::json;

fn searxng() -> WebStub {
    WebStub::start(vec![
        (
            "/search",
            WebPage::Searxng(vec![(
                "tides".into(),
                vec![
                    json!({"title": "Tides (encyclopedia)", "url": "https://en.wikipedia.org/wiki/Tide", "content": "Tides are the rise and fall of sea levels."}),
                    json!({"title": "NOAA: tides", "url": "https://oceanservice.noaa.gov/tides/", "content": "The Moon pulls."}),
                    json!({"title": "Tide ads", "url": "https://spam.example.net/tides", "content": "Buy now"}),
                    json!({"title": "no url", "content": "dropped"}),
                ],
            )]),
        ),
        (
            "/broken/search",
            WebPage::Typed("text/html", "<html>no json</html>".into()),
        ),
    ])
}

fn backend(web: &WebStub) -> SearchBackend {
    SearchBackend::Searxng {
        url: web.base_url(),
    }
}

fn urls(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.url.as_str()).collect()
}

#[tokio::test]
async fn searxng_hits_come_back_and_the_query_reaches_it() {
    let web = searxng();
    let hits = search(&backend(&web), "why do tides happen", &[], &[])
        .await
        .unwrap();
    assert_eq!(
        urls(&hits),
        [
            "https://en.wikipedia.org/wiki/Tide",
            "https://oceanservice.noaa.gov/tides/",
            "https://spam.example.net/tides",
        ]
    );
    assert_eq!(hits[0].title, "Tides (encyclopedia)");
    assert_eq!(
        hits[0].snippet,
        "Tides are the rise and fall of sea levels."
    );
    let asked = web.requests();
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert!(asked[0].starts_with("/search?"), "{asked:?}");
    assert!(asked[0].contains("format=json"), "{asked:?}");
    assert!(
        asked[0].contains("q=why+do+tides+happen") || asked[0].contains("q=why%20do"),
        "{asked:?}"
    );

    let none = search(&backend(&web), "volcanoes", &[], &[]).await.unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn allowed_and_blocked_domains_filter_the_hits() {
    let web = searxng();
    let allowed = search(
        &backend(&web),
        "tides",
        &["wikipedia.org".into(), "noaa.gov".into()],
        &[],
    )
    .await
    .unwrap();
    assert_eq!(
        urls(&allowed),
        [
            "https://en.wikipedia.org/wiki/Tide",
            "https://oceanservice.noaa.gov/tides/"
        ]
    );
    let blocked = search(&backend(&web), "tides", &[], &["example.net".into()])
        .await
        .unwrap();
    assert_eq!(
        urls(&blocked),
        [
            "https://en.wikipedia.org/wiki/Tide",
            "https://oceanservice.noaa.gov/tides/"
        ]
    );
    let both = search(
        &backend(&web),
        "tides",
        &["noaa.gov".into(), "example.net".into()],
        &["spam.example.net".into()],
    )
    .await
    .unwrap();
    assert_eq!(urls(&both), ["https://oceanservice.noaa.gov/tides/"]);
}

#[tokio::test]
async fn a_backend_that_is_down_or_not_json_is_a_message() {
    let web = searxng();
    let garbage = SearchBackend::Searxng {
        url: web.url("/broken"),
    };
    let why = search(&garbage, "tides", &[], &[]).await.unwrap_err();
    assert!(why.contains("SearXNG") && why.contains("no JSON"), "{why}");
    let missing = SearchBackend::Searxng {
        url: web.url("/nowhere"),
    };
    let why = search(&missing, "tides", &[], &[]).await.unwrap_err();
    assert!(why.contains("404"), "{why}");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = SearchBackend::Searxng {
        url: format!("http://127.0.0.1:{port}"),
    };
    let why = search(&down, "tides", &[], &[]).await.unwrap_err();
    assert!(why.contains("cannot be reached"), "{why}");
}
