//! How real servers differ from the protocols' documentation, for clients to be tested on:
//! llama.cpp's error when it cannot parse what its model generated.

use bytes::Bytes;
use serde_json::json;

/// What llama.cpp's server answers, on its OpenAI and Anthropic endpoints alike, when the
/// model's output does not parse as the tool-call format it expected.
pub(crate) fn llama_cpp_parse_error() -> (u16, Bytes) {
    let body = json!({"error": {
        "code": 500,
        "message": "The model produced output that does not match the expected peg-native format",
    }});
    (500, Bytes::from(body.to_string()))
}
