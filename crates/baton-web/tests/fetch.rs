//! WebFetch against a real HTTP server on loopback (`WebStub`): HTML to Markdown, the SSRF
//! guard on the first hop and on every redirect, the size cap, the timeout, bad URLs and a
//! server that is down. Loopback is private, so every fetch that should succeed needs the
//! user's rule `WebFetch(domain:127.0.0.1)`, as it would in a real run.

use std::time::{Duration, Instant};

use baton_testkit::{WebPage, WebStub};
use baton_tools::Rules;
use baton_web::{fetch, FetchSettings};

const ARTICLE: &str = "<!doctype html><html><head><title>Tides</title>\
    <script>track()</script><style>p{color:red}</style></head><body>\
    <nav>Home | About</nav><h1>Tides</h1>\
    <p>The <a href=\"https://example.org/moon\">Moon</a> pulls the <b>oceans</b>.</p>\
    <ul><li>spring tides</li><li>neap tides</li></ul></body></html>";

fn loopback_allowed() -> Rules {
    Rules::parse(&["WebFetch(domain:127.0.0.1)"], &[]).unwrap()
}

fn no_rules() -> Rules {
    Rules::parse::<&str>(&[], &[]).unwrap()
}

fn stub() -> WebStub {
    WebStub::start(vec![
        ("/article", WebPage::Html(ARTICLE.into())),
        (
            "/notes.txt",
            WebPage::Typed("text/plain", "plain notes".into()),
        ),
        (
            "/image.png",
            WebPage::Typed("image/png", "\u{89}PNG".into()),
        ),
        ("/moved", WebPage::Redirect("{base}/article".into())),
        (
            "/to-metadata",
            WebPage::Redirect("http://169.254.169.254/latest/meta-data/".into()),
        ),
        (
            "/to-private",
            WebPage::Redirect("http://10.0.0.7/admin".into()),
        ),
        (
            "/to-localhost",
            WebPage::Redirect("http://localhost:9/secret".into()),
        ),
        ("/loop", WebPage::Redirect("{base}/loop".into())),
        ("/huge", WebPage::Huge(2_000_000)),
        ("/slow", WebPage::Slow(Duration::from_secs(20))),
    ])
}

#[tokio::test]
async fn html_becomes_markdown_without_scripts_or_chrome() {
    let web = stub();
    let page = fetch(
        &web.url("/article"),
        &loopback_allowed(),
        &FetchSettings::default(),
    )
    .await
    .unwrap();
    assert_eq!(page.url, web.url("/article"));
    assert!(!page.truncated);
    let md = &page.markdown;
    assert!(md.contains("# Tides"), "{md}");
    assert!(md.contains("[Moon](https://example.org/moon)"), "{md}");
    assert!(md.contains("**oceans**"), "{md}");
    assert!(
        md.contains("spring tides") && md.contains("neap tides"),
        "{md}"
    );
    for dropped in ["track()", "color:red", "Home | About", "<p>"] {
        assert!(!md.contains(dropped), "{dropped} survived: {md}");
    }
    let text = fetch(
        &web.url("/notes.txt"),
        &loopback_allowed(),
        &FetchSettings::default(),
    )
    .await
    .unwrap();
    assert_eq!(text.markdown, "plain notes");
    let binary = fetch(
        &web.url("/image.png"),
        &loopback_allowed(),
        &FetchSettings::default(),
    )
    .await
    .unwrap_err();
    assert!(binary.contains("image/png"), "{binary}");
}

#[tokio::test]
async fn loopback_is_refused_without_a_rule_and_nothing_is_requested() {
    let web = stub();
    let refused = fetch(&web.url("/article"), &no_rules(), &FetchSettings::default())
        .await
        .unwrap_err();
    assert!(refused.contains("loopback"), "{refused}");
    assert!(refused.contains("WebFetch(domain:127.0.0.1)"), "{refused}");
    // A rule for another host does not open this one.
    let other = Rules::parse(&["WebFetch(domain:example.org)"], &[]).unwrap();
    assert!(
        fetch(&web.url("/article"), &other, &FetchSettings::default())
            .await
            .is_err()
    );
    assert!(web.requests().is_empty(), "{:?}", web.requests());
}

#[tokio::test]
async fn every_redirect_hop_is_checked_again() {
    let web = stub();
    let settings = FetchSettings::default();
    // A hop to an allowed host is followed, and the page says where it ended up.
    let moved = fetch(&web.url("/moved"), &loopback_allowed(), &settings)
        .await
        .unwrap();
    assert_eq!(moved.url, web.url("/article"));
    assert!(moved.markdown.contains("# Tides"));

    for (path, expected) in [
        ("/to-metadata", "the cloud metadata service"),
        ("/to-private", "10.0.0.7 (private)"),
        // The rule names 127.0.0.1, not `localhost`, though both are loopback.
        ("/to-localhost", "loopback"),
    ] {
        let refused = fetch(&web.url(path), &loopback_allowed(), &settings)
            .await
            .unwrap_err();
        assert!(refused.contains(expected), "{path}: {refused}");
    }
    let looping = fetch(&web.url("/loop"), &loopback_allowed(), &settings)
        .await
        .unwrap_err();
    assert!(looping.contains("more than 10 redirects"), "{looping}");
}

#[tokio::test]
async fn a_huge_page_is_cut_at_the_cap() {
    let web = stub();
    let settings = FetchSettings {
        max_bytes: 10_000,
        ..FetchSettings::default()
    };
    let page = fetch(&web.url("/huge"), &loopback_allowed(), &settings)
        .await
        .unwrap();
    assert!(page.truncated);
    assert_eq!(page.markdown.len(), 10_000);
}

#[tokio::test]
async fn a_slow_page_times_out_at_the_configured_limit() {
    let web = stub();
    let settings = FetchSettings {
        timeout: Duration::from_millis(300),
        ..FetchSettings::default()
    };
    let started = Instant::now();
    let late = fetch(&web.url("/slow"), &loopback_allowed(), &settings)
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(late.contains("did not answer within 300 ms"), "{late}");
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn bad_urls_and_a_server_that_is_down_are_messages() {
    let settings = FetchSettings::default();
    for (url, expected) in [
        ("not a url", "not a valid URL"),
        ("", "not a valid URL"),
        ("ftp://example.org/file", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://", "not a valid URL"),
    ] {
        let why = fetch(url, &loopback_allowed(), &settings)
            .await
            .unwrap_err();
        assert!(why.contains(expected), "{url:?}: {why}");
    }
    // A port nobody listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/");
    let down = fetch(&url, &loopback_allowed(), &settings)
        .await
        .unwrap_err();
    assert!(down.contains(&url), "{down}");
    assert!(down.to_lowercase().contains("connect"), "{down}");
}
