//! Model providers: the only crate that knows the Anthropic and OpenAI wire formats.
//!
//! A [`Provider`] turns one provider-neutral [`ChatRequest`] into one [`ChatResponse`], streaming
//! or not, through a shared [`Transport`] that retries what the real world throws at it (429,
//! 529, 5xx, resets, truncated and stalled streams). The agent loop above knows nothing of JSON
//! field names, SSE or HTTP.
//!
//! Layout: `transport` owns the HTTP client and the one retry loop, helped by `failure` (what
//! an error means: retry or which [`LlmError`]), `backoff` (how long to wait), `sse` (event
//! stream framing), `runaway` (a turn stuck repeating itself) and `endpoint` (base URL, key, reachability). `anthropic` and `openai` each
//! own one wire format, split into `request` (the body), `response` (a JSON answer) and
//! `stream` (an SSE answer).

mod anthropic;
mod backoff;
mod chat;
mod custom_headers;
mod endpoint;
mod error;
mod failure;
mod models;
mod openai;
mod pricing;
mod runaway;
mod sse;
mod transport;

pub use anthropic::AnthropicProvider;
pub use chat::{Block, ChatRequest, ChatResponse, Effort, Message, Role, StopReason};
pub use custom_headers::{check_header, parse_custom_headers};
pub use error::LlmError;
pub use models::{ModelRef, ModelResolver, ProviderKind, DEFAULT_ALIASES};
pub use openai::OpenAiProvider;
pub use pricing::{Price, Pricing};
pub use transport::{Retry, Transport, TransportSettings};

use std::future::Future;
use std::pin::Pin;

pub type LlmFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One model provider. Implementations own the wire format; the transport owns retries.
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;

    /// The key this provider needs and does not have, if any; the binary asks before a run
    /// starts, so no agent is started only to fail.
    fn missing_key(&self) -> Option<LlmError>;

    /// Sends one request and returns the whole answer. Transient failures are retried inside
    /// (each retry is told to `on_retry` before its wait); what comes back as `Err` is final.
    fn complete<'a>(
        &'a self,
        request: &'a ChatRequest,
        on_retry: &'a (dyn Fn(&Retry) + Send + Sync),
    ) -> LlmFuture<'a, Result<ChatResponse, LlmError>>;
}
