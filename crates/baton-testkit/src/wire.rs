//! What the two wire encoders share: response metadata, the API errors, and how streamed text is
//! cut into pieces.

use bytes::Bytes;
use serde_json::Value;

use crate::config::FaultKind;
use crate::tokens::Usage;

/// Everything about a response except its content.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    /// `msg_…` / `chatcmpl-…`.
    pub id: String,
    pub model: String,
    /// Unix seconds (OpenAI's `created`).
    pub created: u64,
    pub usage: Usage,
    /// OpenAI `stream_options.include_usage`.
    pub include_usage: bool,
}

/// An error response, before a protocol gives it a status and a JSON shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiError {
    Unauthorized,
    UnknownModel(String),
    BadRequest(String),
    /// No such path.
    NotFound,
    /// One of the faults that is an ordinary error response (429, 529/503, 500).
    Fault(FaultKind),
}

/// Cuts `text` into at most `n` non-empty pieces of about equal length, on character
/// boundaries, so that a client has to put streamed text back together.
pub(crate) fn pieces(text: &str, n: usize) -> Vec<&str> {
    let chars = text.chars().count();
    let n = n.clamp(1, chars.max(1));
    let size = chars.div_ceil(n);
    let mut out = Vec::with_capacity(n);
    let mut rest = text;
    while !rest.is_empty() {
        let cut = rest
            .char_indices()
            .nth(size)
            .map_or(rest.len(), |(at, _)| at);
        let (piece, tail) = rest.split_at(cut);
        out.push(piece);
        rest = tail;
    }
    out
}

/// How many pieces a streamed text of this length is cut into: a few, more for long texts, so
/// that even short tool inputs arrive in several fragments.
pub(crate) fn piece_count(text: &str) -> usize {
    (text.len() / 12).clamp(3, 16)
}

/// Joins a stream's events and cuts the result into `parts` transfer chunks at arbitrary bytes.
///
/// Two reasons: hyper writes a response in one go only when it has few chunks (each costs it
/// three buffers and it flushes every sixteen), and a client must not assume that a chunk holds
/// whole events, whole lines or even whole UTF-8 characters, as nothing on a real network
/// promises that.
pub(crate) fn regroup(frames: Vec<Bytes>, parts: usize) -> Vec<Bytes> {
    let total: usize = frames.iter().map(Bytes::len).sum();
    let mut joined = bytes::BytesMut::with_capacity(total);
    for frame in frames {
        joined.extend_from_slice(&frame);
    }
    let joined = joined.freeze();
    let size = total.div_ceil(parts.max(1)).max(1);
    (0..total)
        .step_by(size)
        .map(|start| joined.slice(start..(start + size).min(total)))
        .collect()
}

/// One server-sent event: `event:` line (when named), `data:` line, blank line.
pub(crate) fn sse(event: Option<&str>, data: &Value) -> Bytes {
    let data = data.to_string();
    let mut out = String::with_capacity(data.len() + 40);
    if let Some(event) = event {
        out.push_str("event: ");
        out.push_str(event);
        out.push('\n');
    }
    out.push_str("data: ");
    out.push_str(&data);
    out.push_str("\n\n");
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pieces_cover_the_text_on_char_boundaries() {
        let text = "héllo wörld, this is streamed";
        for n in 1..10 {
            let parts = pieces(text, n);
            assert!(parts.len() <= n && !parts.is_empty());
            assert!(parts.iter().all(|p| !p.is_empty()));
            assert_eq!(parts.concat(), text);
        }
        assert_eq!(pieces("ab", 5), vec!["a", "b"]);
        assert!(pieces("", 3).is_empty());
    }

    #[test]
    fn regroup_keeps_the_bytes_and_cuts_anywhere() {
        let frames = vec![Bytes::from("event: a\n\n"), Bytes::from("data: é\n\n")];
        let parts = regroup(frames, 3);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.concat(), b"event: a\n\ndata: \xc3\xa9\n\n");
        assert!(regroup(Vec::new(), 3).is_empty());
    }

    #[test]
    fn sse_frames_name_the_event() {
        let frame = sse(Some("ping"), &json!({"type": "ping"}));
        assert_eq!(&frame[..], b"event: ping\ndata: {\"type\":\"ping\"}\n\n");
        assert_eq!(&sse(None, &json!(1))[..], b"data: 1\n\n");
    }
}
