//! Why a model request failed for good, after the transport's retries.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum LlmError {
    /// No key in the environment for a provider that needs one.
    #[error("{provider}: no API key; set {variable} (or run with --model sim)")]
    MissingKey {
        provider: &'static str,
        variable: &'static str,
    },
    /// 401/403: the key was refused.
    #[error("{provider}: the API key in {variable} was refused ({status}): {message}")]
    Unauthorized {
        provider: &'static str,
        variable: &'static str,
        status: u16,
        message: String,
    },
    /// 404 on the model, or the provider's own "model not found".
    #[error("{provider}: unknown model '{model}': {message}")]
    UnknownModel {
        provider: &'static str,
        model: String,
        message: String,
    },
    /// No connection could be made (refused, DNS, TLS) before any request ever succeeded.
    #[error("{provider}: cannot reach {url}: {message}; check {variable}")]
    Unreachable {
        provider: &'static str,
        url: String,
        variable: &'static str,
        message: String,
    },
    /// The server could not parse what the model generated (llama.cpp answers 500 "The model
    /// produced output that does not match the expected … format"): the request was fine, the
    /// model's turn was not, so the conversation may try the turn again, differently.
    #[error("{provider}: the server could not parse the model's output: {message}")]
    UnparsedOutput {
        provider: &'static str,
        message: String,
    },
    /// Anything else: a 400, retries exhausted, a malformed answer.
    #[error("{provider}: {message}")]
    Api {
        provider: &'static str,
        status: Option<u16>,
        message: String,
    },
}

impl LlmError {
    /// True for errors no other agent of the run could avoid (the run should stop).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, LlmError::Api { .. } | LlmError::UnparsedOutput { .. })
    }
}
