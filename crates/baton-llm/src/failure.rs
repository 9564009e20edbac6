//! What a failed attempt means: retry it (and why), or give up with which [`LlmError`].
//!
//! Both providers report errors as `{"error": {"type", "message", "code"}}` (Anthropic adds a
//! top-level `"type": "error"`), and OpenAI-compatible servers add variants (`{"error": "..."}`,
//! `{"message": "..."}`), so one reader and one classification serve both.

use std::time::Duration;

use serde_json::Value;

use crate::endpoint::Endpoint;
use crate::LlmError;

/// Why one attempt failed, before deciding what to do about it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// The server answered with an error: in the status line, or as an error event inside a
    /// stream that had already started with 200.
    Status {
        status: u16,
        /// `error.type` (`rate_limit_error`, `overloaded_error`, `invalid_request_error`).
        kind: Option<String>,
        /// `error.code` (OpenAI's `model_not_found`).
        code: Option<String>,
        message: String,
        retry_after: Option<Duration>,
    },
    /// No connection could be made: refused, DNS, TLS handshake.
    Connect(String),
    /// The exchange broke with no status to go by: reset, timeout, stall, a truncated stream,
    /// a garbled body.
    Transient(String),
    /// The request could not even be built; no retry can help.
    Local(String),
}

/// What the retry loop does with a [`Failure`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    Retry {
        status: Option<u16>,
        reason: String,
        retry_after: Option<Duration>,
        connect: bool,
    },
    Fatal(LlmError),
}

impl Failure {
    /// An error response: its status, body and `retry-after`.
    pub fn from_response(status: u16, body: &[u8], retry_after: Option<Duration>) -> Failure {
        let (kind, code, message) = read_error_body(body);
        let message = message.unwrap_or_else(|| {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() {
                format!("HTTP {status}")
            } else {
                text.chars().take(300).collect()
            }
        });
        Failure::Status {
            status,
            kind,
            code,
            message,
            retry_after,
        }
    }

    /// A network-level error from reqwest, described by its innermost cause ("Connection
    /// refused", "connection closed before message completed") rather than reqwest's generic
    /// "error sending request".
    pub fn from_reqwest(error: reqwest::Error) -> Failure {
        let error = error.without_url();
        if error.is_builder() {
            return Failure::Local(format!("cannot build the request: {error}"));
        }
        let mut cause: &dyn std::error::Error = &error;
        while let Some(source) = cause.source() {
            cause = source;
        }
        let detail = cause.to_string();
        if error.is_connect() {
            Failure::Connect(detail)
        } else if error.is_timeout() {
            Failure::Transient(format!("timed out: {detail}"))
        } else if error.is_body() || error.is_decode() {
            Failure::Transient(format!("response cut off: {detail}"))
        } else {
            Failure::Transient(detail)
        }
    }

    /// Decides between retrying and giving up. `model` names the model in `UnknownModel`.
    pub fn judge(self, endpoint: &Endpoint, model: &str) -> Verdict {
        let retry = |status, reason: String, retry_after, connect| Verdict::Retry {
            status,
            reason: endpoint.redact(&reason),
            retry_after,
            connect,
        };
        let (status, kind, code, message, retry_after) = match self {
            Failure::Connect(detail) => return retry(None, detail, None, true),
            Failure::Transient(detail) => return retry(None, detail, None, false),
            Failure::Local(detail) => {
                return Verdict::Fatal(LlmError::Api {
                    provider: endpoint.provider,
                    status: None,
                    message: endpoint.redact(&detail),
                })
            }
            Failure::Status {
                status,
                kind,
                code,
                message,
                retry_after,
            } => (status, kind, code, endpoint.redact(&message), retry_after),
        };
        let model_not_found = code.as_deref() == Some("model_not_found");
        // Sending the same request again would sample the same output (llama.cpp's seed is
        // fixed): the turn itself has to change, which only the conversation can do.
        if status == 500 && is_unparsed_output(&message) {
            return Verdict::Fatal(LlmError::UnparsedOutput {
                provider: endpoint.provider,
                message,
            });
        }
        let fatal = match status {
            401 | 403 => LlmError::Unauthorized {
                provider: endpoint.provider,
                variable: endpoint.key_variable,
                status,
                message,
            },
            404 => unknown_model(endpoint, model, message),
            400 if model_not_found => unknown_model(endpoint, model, message),
            408 | 409 | 429 | 500..=599 => {
                let reason = match &kind {
                    Some(kind) => format!("{status} {kind}: {message}"),
                    None => format!("{status}: {message}"),
                };
                return retry(Some(status), reason, retry_after, false);
            }
            _ => LlmError::Api {
                provider: endpoint.provider,
                status: Some(status),
                message,
            },
        };
        Verdict::Fatal(fatal)
    }
}

/// llama.cpp's words when its parser rejects what the model generated ("The model produced
/// output that does not match the expected peg-native format", "Failed to parse input").
fn is_unparsed_output(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    message.contains("model produced output") || message.contains("failed to parse")
}

fn unknown_model(endpoint: &Endpoint, model: &str, message: String) -> LlmError {
    LlmError::UnknownModel {
        provider: endpoint.provider,
        model: model.to_string(),
        message,
    }
}

/// `(error.type, error.code, message)` from an error body, as far as it has them.
pub(crate) fn read_error_body(body: &[u8]) -> (Option<String>, Option<String>, Option<String>) {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return (None, None, None);
    };
    read_error_value(&value)
}

/// Like [`read_error_body`], for an already parsed value (errors inside streams).
pub(crate) fn read_error_value(value: &Value) -> (Option<String>, Option<String>, Option<String>) {
    let text = |v: Option<&Value>| match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match value.get("error") {
        Some(Value::String(message)) => (None, None, Some(message.clone())),
        Some(error @ Value::Object(_)) => (
            text(error.get("type")),
            text(error.get("code")),
            text(error.get("message")),
        ),
        _ => (None, None, text(value.get("message"))),
    }
}

/// The HTTP status Anthropic gives each error type, for `error` events inside a stream that
/// already answered 200: the same rules then decide whether to retry.
pub(crate) fn status_of_error_type(kind: &str) -> u16 {
    match kind {
        "invalid_request_error" => 400,
        "authentication_error" => 401,
        "permission_error" => 403,
        "not_found_error" => 404,
        "request_too_large" => 413,
        "rate_limit_error" => 429,
        "overloaded_error" => 529,
        // api_error and anything new: the server's fault, worth another try.
        _ => 500,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint() -> Endpoint {
        Endpoint::new(
            "anthropic",
            "ANTHROPIC_API_KEY",
            "ANTHROPIC_BASE_URL",
            "http://x".into(),
            Some("sk-key".into()),
        )
    }

    fn judge(status: u16, body: &str) -> Verdict {
        Failure::from_response(status, body.as_bytes(), None).judge(&endpoint(), "m")
    }

    #[test]
    fn statuses() {
        let anthropic =
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#;
        assert!(matches!(judge(429, anthropic),
            Verdict::Retry { status: Some(429), ref reason, .. } if reason == "429 rate_limit_error: slow down"));
        for status in [408, 409, 500, 502, 503, 529] {
            assert!(
                matches!(judge(status, ""), Verdict::Retry { .. }),
                "{status}"
            );
        }
        assert!(
            matches!(judge(401, r#"{"error":{"message":"bad key sk-key"}}"#),
            Verdict::Fatal(LlmError::Unauthorized { status: 401, ref message, .. })
                if message == "bad key [redacted]")
        );
        assert!(matches!(
            judge(403, ""),
            Verdict::Fatal(LlmError::Unauthorized { .. })
        ));
        assert!(matches!(judge(404, r#"{"error":"model 'x' not found"}"#),
            Verdict::Fatal(LlmError::UnknownModel { ref message, .. }) if message == "model 'x' not found"));
        let openai = r#"{"error":{"message":"no such model","type":"invalid_request_error","code":"model_not_found"}}"#;
        assert!(matches!(
            judge(400, openai),
            Verdict::Fatal(LlmError::UnknownModel { .. })
        ));
        assert!(matches!(judge(400, r#"{"message":"bad field"}"#),
            Verdict::Fatal(LlmError::Api { status: Some(400), ref message, .. }) if message == "bad field"));
        assert!(matches!(judge(422, "not json"),
            Verdict::Fatal(LlmError::Api { ref message, .. }) if message == "not json"));
        assert!(matches!(judge(413, ""),
            Verdict::Fatal(LlmError::Api { ref message, .. }) if message == "HTTP 413"));
    }

    #[test]
    fn llama_cpp_parse_failures_go_back_to_the_conversation() {
        let body = r#"{"error":{"code":500,"message":"The model produced output that does not match the expected peg-native format"}}"#;
        assert!(matches!(judge(500, body),
            Verdict::Fatal(LlmError::UnparsedOutput { ref message, .. }) if message.contains("peg-native")));
        assert!(!LlmError::UnparsedOutput {
            provider: "openai",
            message: String::new()
        }
        .is_fatal());
    }

    #[test]
    fn network_failures_retry() {
        let verdict = Failure::Connect("Connection refused".into()).judge(&endpoint(), "m");
        assert!(matches!(verdict, Verdict::Retry { connect: true, .. }));
        let verdict = Failure::Transient("stream ended early".into()).judge(&endpoint(), "m");
        assert!(matches!(
            verdict,
            Verdict::Retry {
                connect: false,
                status: None,
                ..
            }
        ));
        assert!(matches!(
            Failure::Local("x".into()).judge(&endpoint(), "m"),
            Verdict::Fatal(LlmError::Api { .. })
        ));
    }

    #[test]
    fn stream_error_types_map_to_statuses() {
        assert_eq!(status_of_error_type("overloaded_error"), 529);
        assert_eq!(status_of_error_type("api_error"), 500);
        assert_eq!(status_of_error_type("rate_limit_error"), 429);
        assert_eq!(status_of_error_type("invalid_request_error"), 400);
    }
}
