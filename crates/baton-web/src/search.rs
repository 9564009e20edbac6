//! WebSearch backends: a SearXNG instance's JSON API, or Brave's Search API (key from
//! `BRAVE_API_KEY`). Both give titles, URLs and snippets; domain filters apply to the hits.

use std::time::Duration;

use serde_json::Value;

/// Where searches go; chosen in settings.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchBackend {
    /// `<url>/search?q=…&format=json` (the instance must enable the JSON format).
    Searxng { url: String },
    /// Brave's web search API.
    Brave { key: String, url: String },
}

pub const BRAVE_URL: &str = "https://api.search.brave.com/res/v1/web/search";

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub title: String,
    pub url: String,
    pub snippet: String,
}

pub async fn search(
    backend: &SearchBackend,
    query: &str,
    allowed: &[String],
    blocked: &[String],
) -> Result<Vec<Hit>, String> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot set up HTTP: {e}"))?;
    let (request, name) = match backend {
        SearchBackend::Searxng { url } => (
            client
                .get(format!("{}/search", url.trim_end_matches('/')))
                .query(&[("q", query), ("format", "json")]),
            "SearXNG",
        ),
        SearchBackend::Brave { key, url } => (
            client
                .get(url)
                .query(&[("q", query)])
                .header("X-Subscription-Token", key)
                .header("Accept", "application/json"),
            "Brave Search",
        ),
    };
    let response = request
        .send()
        .await
        .map_err(|e| format!("the search backend ({name}) cannot be reached: {e}"))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the search backend ({name}) answered {status}"));
    }
    let body: Value = response
        .json()
        .await
        .map_err(|e| format!("the search backend ({name}) sent no JSON: {e}"))?;
    let (list, snippet) = match backend {
        SearchBackend::Searxng { .. } => (&body["results"], "content"),
        SearchBackend::Brave { .. } => (&body["web"]["results"], "description"),
    };
    let text = |hit: &Value, key: &str| hit[key].as_str().unwrap_or("").trim().to_string();
    Ok(list
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|hit| Hit {
            title: text(hit, "title"),
            url: text(hit, "url"),
            snippet: text(hit, snippet),
        })
        .filter(|hit| !hit.url.is_empty() && domain_passes(&hit.url, allowed, blocked))
        .collect())
}

/// Whether the hit's host is in `allowed` (when given) and not in `blocked`; a domain covers
/// its subdomains.
fn domain_passes(url: &str, allowed: &[String], blocked: &[String]) -> bool {
    let Some(host) = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    else {
        return false;
    };
    let under = |domain: &String| {
        let domain = domain.trim().trim_start_matches("*.").to_ascii_lowercase();
        host == domain || host.ends_with(&format!(".{domain}"))
    };
    (allowed.is_empty() || allowed.iter().any(under)) && !blocked.iter().any(under)
}

/// The hits as the model reads them.
pub fn render(query: &str, hits: &[Hit]) -> String {
    if hits.is_empty() {
        return format!("No results for \"{query}\". Try other words.");
    }
    let mut out = format!("Results for \"{query}\":\n");
    for (i, hit) in hits.iter().enumerate() {
        out.push_str(&format!("\n{}. {}\n   {}\n", i + 1, hit.title, hit.url));
        if !hit.snippet.is_empty() {
            out.push_str(&format!("   {}\n", hit.snippet));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_filters_cover_subdomains() {
        let allowed = vec!["example.org".to_string()];
        assert!(domain_passes("https://docs.example.org/x", &allowed, &[]));
        assert!(!domain_passes("https://example.com/x", &allowed, &[]));
        let blocked = vec!["spam.net".to_string()];
        assert!(!domain_passes("http://a.spam.net/", &[], &blocked));
        assert!(domain_passes("http://notspam.net/", &[], &blocked));
    }
}
