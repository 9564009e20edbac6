//! What the mock remembers for tests to assert on: every request it received, and the tokens it
//! charged.

use serde_json::Value;

use crate::config::FaultKind;

/// Which API a request came in through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `POST /v1/messages`.
    Anthropic,
    /// `POST /v1/chat/completions`.
    OpenAi,
}

/// One request as the mock understood it, with what it answered.
///
/// Fields that could not be read (a malformed body, a missing field) are empty.
#[derive(Clone, Debug)]
pub struct RecordedRequest {
    pub protocol: Protocol,
    pub stream: bool,
    pub model: String,
    /// The `x-baton-label` header.
    pub label: Option<String>,
    /// The text of the first user message.
    pub prompt: String,
    /// Number of assistant messages in the request.
    pub turn: usize,
    /// Names of the tools offered, in order.
    pub tools: Vec<String>,
    /// All system text, blocks joined by a newline.
    pub system: String,
    /// Whether any `cache_control` marker was present.
    pub cache_control: bool,
    /// The status sent; 200 for `Truncate` and `Stall` (the headers did go out), 0 for `Drop`.
    pub status: u16,
    pub fault: Option<FaultKind>,
    /// The request body as received (`Null` when it was not JSON).
    pub body: Value,
    /// `(content, is_error)` of the tool results in the last user message (Anthropic) or the
    /// trailing `tool` messages (OpenAI, where `is_error` is always false: the protocol has no
    /// such flag).
    pub tool_results: Vec<(String, bool)>,
    /// Every header of the request, names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
}

impl RecordedRequest {
    /// The value of header `name` (any case), if the request had it.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Tokens charged over all responses that were sent completely.
///
/// `input_tokens` counts only input neither read from nor written to the prompt cache, as the
/// Anthropic API reports it; for OpenAI it is `prompt_tokens - cached_tokens`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenTotals {
    /// Successful responses sent in full.
    pub requests: u64,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_read_tokens: u64,
    pub cache_write_tokens: u64,
}
