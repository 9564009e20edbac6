//! The Anthropic Messages API provider: `POST {base}/v1/messages`, streaming or not.

mod request;
mod response;
mod stream;

use std::sync::Arc;

use bytes::Bytes;

use crate::endpoint::{label_header, Endpoint};
use crate::transport::{Outgoing, Wire};
use crate::{
    ChatRequest, ChatResponse, LlmError, LlmFuture, Provider, ProviderKind, Retry, Transport,
};

const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
const API_VERSION: &str = "2023-06-01";

const WIRE: Wire = Wire {
    decode_json: response::decode_json,
    new_stream: stream::AnthropicStream::boxed,
};

#[derive(Debug)]
pub struct AnthropicProvider {
    endpoint: Endpoint,
    transport: Arc<Transport>,
}

impl AnthropicProvider {
    /// A provider for `base_url` (e.g. `https://api.anthropic.com`, no `/v1`). Without a key
    /// every call fails with [`LlmError::MissingKey`] before any request is made.
    pub fn new(
        base_url: impl Into<String>,
        api_key: Option<String>,
        transport: Arc<Transport>,
    ) -> AnthropicProvider {
        AnthropicProvider {
            endpoint: Endpoint::new(
                "anthropic",
                "ANTHROPIC_API_KEY",
                "ANTHROPIC_BASE_URL",
                base_url.into(),
                api_key,
            ),
            transport,
        }
    }

    /// Reads `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL` (default `https://api.anthropic.com`).
    pub fn from_env(transport: Arc<Transport>) -> AnthropicProvider {
        AnthropicProvider {
            endpoint: Endpoint::from_env(
                "anthropic",
                "ANTHROPIC_API_KEY",
                "ANTHROPIC_BASE_URL",
                DEFAULT_BASE_URL,
            ),
            transport,
        }
    }

    pub fn base_url(&self) -> &str {
        &self.endpoint.base_url
    }

    async fn call(
        &self,
        request: &ChatRequest,
        on_retry: &(dyn Fn(&Retry) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        if let Some(missing) = self.missing_key() {
            return Err(missing);
        }
        let key = self.endpoint.key().unwrap_or_default();
        let stream = self.transport.settings().stream;
        let body = request::encode(request, stream);
        let mut headers = vec![
            ("x-api-key", key.to_string(), true),
            ("anthropic-version", API_VERSION.to_string(), false),
            ("content-type", "application/json".to_string(), false),
        ];
        if let Some(label) = &request.label {
            headers.push(("x-baton-label", label_header(label), false));
        }
        let outgoing = Outgoing {
            url: messages_url(&self.endpoint.base_url),
            headers,
            body: Bytes::from(body),
            stream,
            model: &request.model,
        };
        self.transport
            .send(&self.endpoint, &outgoing, &WIRE, on_retry)
            .await
    }
}

impl Provider for AnthropicProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Anthropic
    }

    fn missing_key(&self) -> Option<LlmError> {
        self.endpoint
            .key()
            .is_none()
            .then(|| self.endpoint.missing_key())
    }

    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
        on_retry: &'a (dyn Fn(&Retry) + Send + Sync),
    ) -> LlmFuture<'a, Result<ChatResponse, LlmError>> {
        Box::pin(self.call(request, on_retry))
    }
}

/// The Messages endpoint under `base`. Users often copy a base URL that already ends in `/v1`
/// (`http://host/v1`, as OpenAI-compatible servers want it); that means the same server.
fn messages_url(base: &str) -> String {
    let base = base.trim_end_matches('/');
    let base = base.strip_suffix("/v1").unwrap_or(base);
    format!("{base}/v1/messages")
}

#[cfg(test)]
mod url_tests {
    use super::messages_url;

    #[test]
    fn a_base_url_ending_in_v1_is_the_same_server() {
        for base in [
            "http://h:1",
            "http://h:1/",
            "http://h:1/v1",
            "http://h:1/v1/",
        ] {
            assert_eq!(messages_url(base), "http://h:1/v1/messages", "{base}");
        }
        assert_eq!(
            messages_url("https://gw/anthropic"),
            "https://gw/anthropic/v1/messages"
        );
    }
}
