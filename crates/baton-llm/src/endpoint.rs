//! Who a provider talks to: base URL, API key (kept out of every message and `Debug`), the
//! environment variables to blame when things go wrong, and whether the server has ever answered.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

pub(crate) struct Endpoint {
    /// `"anthropic"` or `"openai"`, as errors name the provider.
    pub provider: &'static str,
    /// The variable that holds the key (`ANTHROPIC_API_KEY`), named in key errors.
    pub key_variable: &'static str,
    /// The variable that sets the base URL (`ANTHROPIC_BASE_URL`), named when it is unreachable.
    pub url_variable: &'static str,
    /// Without a trailing `/`.
    pub base_url: String,
    key: Option<String>,
    /// Some request to this endpoint got an HTTP answer. Until then a refused connection most
    /// likely means a wrong base URL or a server that is not running, so it fails fast.
    reached: AtomicBool,
}

impl Endpoint {
    pub fn new(
        provider: &'static str,
        key_variable: &'static str,
        url_variable: &'static str,
        base_url: String,
        key: Option<String>,
    ) -> Endpoint {
        Endpoint {
            provider,
            key_variable,
            url_variable,
            base_url: base_url.trim_end_matches('/').to_string(),
            key: key.filter(|key| !key.trim().is_empty()),
            reached: AtomicBool::new(false),
        }
    }

    /// Reads the base URL (or `default`) and the key from the environment; an empty variable
    /// counts as unset.
    pub fn from_env(
        provider: &'static str,
        key_variable: &'static str,
        url_variable: &'static str,
        default_url: &str,
    ) -> Endpoint {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let base_url = var(url_variable).unwrap_or_else(|| default_url.to_string());
        Endpoint::new(
            provider,
            key_variable,
            url_variable,
            base_url.trim().to_string(),
            var(key_variable),
        )
    }

    pub fn missing_key(&self) -> crate::LlmError {
        crate::LlmError::MissingKey {
            provider: self.provider,
            variable: self.key_variable,
        }
    }

    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// `text` with the key blotted out, for anything that came from the server or the network
    /// (a proxy or a misbehaving server may echo request headers back).
    pub fn redact(&self, text: &str) -> String {
        match &self.key {
            Some(key) if text.contains(key.as_str()) => text.replace(key.as_str(), "[redacted]"),
            _ => text.to_string(),
        }
    }

    pub fn reached(&self) -> bool {
        self.reached.load(Ordering::Relaxed)
    }

    pub fn mark_reached(&self) {
        self.reached.store(true, Ordering::Relaxed);
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("provider", &self.provider)
            .field("base_url", &self.base_url)
            .field("key", &self.key.as_ref().map(|_| "[redacted]"))
            .field("reached", &self.reached())
            .finish()
    }
}

/// The `x-baton-label` header value for a label. Header values must be visible ASCII, and a
/// label is the user's free text, so other bytes are percent-encoded (`%` itself is left alone
/// so that plain labels arrive unchanged).
pub(crate) fn label_header(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for byte in label.bytes() {
        if (0x20..0x7f).contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_shows() {
        let endpoint = Endpoint::new(
            "anthropic",
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_BASE_URL",
            "http://127.0.0.1:9/".into(),
            Some("sk-secret-123".into()),
        );
        assert_eq!(endpoint.base_url, "http://127.0.0.1:9");
        assert!(!format!("{endpoint:?}").contains("sk-secret-123"));
        assert_eq!(
            endpoint.redact("bad key sk-secret-123!"),
            "bad key [redacted]!"
        );
        let blank = Endpoint::new("openai", "K", "U", "http://x".into(), Some(" ".into()));
        assert_eq!(blank.key(), None);
    }

    #[test]
    fn labels_become_valid_header_values() {
        assert_eq!(label_header("review: 3/10"), "review: 3/10");
        assert_eq!(label_header("café\n"), "caf%C3%A9%0A");
        assert!(reqwest::header::HeaderValue::from_str(&label_header("ü\t\r")).is_ok());
    }
}
