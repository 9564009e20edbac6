//! WebFetch: one page by URL, as Markdown. Redirects are followed by hand so that every hop
//! passes the SSRF guard again; the download stops at a size cap; the whole fetch has a
//! timeout. Every failure is a message for the model.

use std::time::Duration;

use baton_tools::Rules;
use reqwest::Url;

use crate::guard::checked_address;

#[derive(Debug, Clone)]
pub struct FetchSettings {
    /// For the whole fetch, redirects included.
    pub timeout: Duration,
    /// Bytes of body read at most; the rest is not downloaded.
    pub max_bytes: usize,
    pub max_redirects: u32,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            timeout: Duration::from_secs(30),
            max_bytes: 5 << 20,
            max_redirects: 10,
        }
    }
}

/// A fetched page.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Where it was found, after redirects.
    pub url: String,
    pub markdown: String,
    /// The body was longer than the cap and was cut.
    pub truncated: bool,
}

pub async fn fetch(url: &str, rules: &Rules, settings: &FetchSettings) -> Result<Page, String> {
    match tokio::time::timeout(settings.timeout, follow(url, rules, settings)).await {
        Ok(result) => result,
        Err(_) => Err(format!(
            "{url} did not answer within {}; try another source",
            seconds(settings.timeout)
        )),
    }
}

async fn follow(url: &str, rules: &Rules, settings: &FetchSettings) -> Result<Page, String> {
    let mut current = parse(url)?;
    for _ in 0..=settings.max_redirects {
        let host = current.host_str().unwrap_or_default().to_string();
        let port = current.port_or_known_default().unwrap_or(80);
        let address = checked_address(&host, port, rules.fetch_domain_allowed(&host)).await?;
        // The connection goes to the checked address: the name is not looked up again.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .resolve(&host, address)
            .user_agent("baton-webfetch/0.1")
            .build()
            .map_err(|e| format!("cannot set up HTTP: {e}"))?;
        let mut response = client
            .get(current.clone())
            .send()
            .await
            .map_err(|e| format!("{current}: {}", without_url(&e)))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| format!("{current}: a redirect ({status}) without a Location"))?;
            current = current
                .join(location)
                .map_err(|e| format!("{current}: a redirect to a bad URL '{location}': {e}"))
                .and_then(check_scheme)?;
            continue;
        }
        if !status.is_success() {
            return Err(format!("{current} answered {status}"));
        }
        let kind = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|t| t.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("{current}: {}", without_url(&e)))?
        {
            let room = settings.max_bytes - body.len();
            if chunk.len() > room {
                body.extend_from_slice(&chunk[..room]);
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8_lossy(&body).into_owned();
        let markdown = if kind.contains("html") || (kind.is_empty() && looks_like_html(&text)) {
            crate::markdown::to_markdown(&text)
        } else if kind.is_empty()
            || kind.starts_with("text/")
            || kind.contains("json")
            || kind.contains("xml")
        {
            text
        } else {
            return Err(format!(
                "{current} is {kind}, not a page WebFetch can read as text"
            ));
        };
        return Ok(Page {
            url: current.to_string(),
            markdown,
            truncated,
        });
    }
    Err(format!(
        "{url}: more than {} redirects; giving up",
        settings.max_redirects
    ))
}

/// `30 s`, or `300 ms` under a second (a limit shown as `0 s` would say nothing).
fn seconds(limit: Duration) -> String {
    if limit < Duration::from_secs(1) {
        format!("{} ms", limit.as_millis())
    } else {
        format!("{} s", limit.as_secs_f64())
    }
}

fn parse(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url.trim())
        .map_err(|e| format!("'{url}' is not a valid URL ({e}); give a full http(s):// URL"))?;
    check_scheme(parsed)
}

fn check_scheme(url: Url) -> Result<Url, String> {
    match url.scheme() {
        "http" | "https" if url.host_str().is_some() => Ok(url),
        _ => Err(format!("'{url}': WebFetch reads only http and https URLs")),
    }
}

fn looks_like_html(text: &str) -> bool {
    let start = text
        .trim_start()
        .get(..15)
        .unwrap_or("")
        .to_ascii_lowercase();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}

/// A reqwest error's text without the URL it repeats.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(&format!(" for url ({url})"), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}
