//! The OpenAI Chat Completions provider, for OpenAI and every server that speaks its protocol
//! (Ollama, vLLM, llama.cpp, DeepSeek, OpenRouter): `POST {base}/chat/completions`.

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

const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";

const WIRE: Wire = Wire {
    decode_json: response::decode_json,
    new_stream: stream::OpenAiStream::boxed,
};

#[derive(Debug)]
pub struct OpenAiProvider {
    endpoint: Endpoint,
    transport: Arc<Transport>,
}

impl OpenAiProvider {
    /// A provider for `base_url`, which includes the version (`https://api.openai.com/v1`,
    /// `http://localhost:11434/v1`). A key is required only for api.openai.com itself; local
    /// servers get no `Authorization` header when there is none.
    pub fn new(
        base_url: impl Into<String>,
        api_key: Option<String>,
        transport: Arc<Transport>,
    ) -> OpenAiProvider {
        OpenAiProvider {
            endpoint: Endpoint::new(
                "openai",
                "OPENAI_API_KEY",
                "OPENAI_BASE_URL",
                base_url.into(),
                api_key,
            ),
            transport,
        }
    }

    /// Reads `OPENAI_API_KEY` and `OPENAI_BASE_URL` (default `https://api.openai.com/v1`).
    pub fn from_env(transport: Arc<Transport>) -> OpenAiProvider {
        OpenAiProvider {
            endpoint: Endpoint::from_env(
                "openai",
                "OPENAI_API_KEY",
                "OPENAI_BASE_URL",
                DEFAULT_BASE_URL,
            ),
            transport,
        }
    }

    pub fn base_url(&self) -> &str {
        &self.endpoint.base_url
    }

    /// Whether calls need a key: only OpenAI's own API insists on one.
    fn needs_key(&self) -> bool {
        self.endpoint.base_url.starts_with("https://api.openai.com")
    }

    async fn call(
        &self,
        request: &ChatRequest,
        on_retry: &(dyn Fn(&Retry) + Send + Sync),
    ) -> Result<ChatResponse, LlmError> {
        let key = self.endpoint.key();
        if let Some(missing) = self.missing_key() {
            return Err(missing);
        }
        let stream = self.transport.settings().stream;
        let body = request::encode(request, stream);
        let mut headers = vec![("content-type", "application/json".to_string(), false)];
        if let Some(key) = key {
            headers.push(("authorization", format!("Bearer {key}"), true));
        }
        if let Some(label) = &request.label {
            headers.push(("x-baton-label", label_header(label), false));
        }
        let outgoing = Outgoing {
            url: format!("{}/chat/completions", self.endpoint.base_url),
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

impl Provider for OpenAiProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::OpenAi
    }

    fn missing_key(&self) -> Option<LlmError> {
        (self.endpoint.key().is_none() && self.needs_key()).then(|| self.endpoint.missing_key())
    }

    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
        on_retry: &'a (dyn Fn(&Retry) + Send + Sync),
    ) -> LlmFuture<'a, Result<ChatResponse, LlmError>> {
        Box::pin(self.call(request, on_retry))
    }
}
