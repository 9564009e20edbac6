//! An incremental Server-Sent-Events decoder: bytes in, in whatever pieces the network hands
//! them over, `{event, data}` records out.
//!
//! Follows the WHATWG event-stream rules that matter to model APIs: lines end in `\n`, `\r\n`
//! or `\r`; `:` lines are comments; `data` lines of one event are joined with `\n`; a blank line
//! dispatches. `id` and `retry` are ignored (we never reconnect mid-stream; a failed stream is
//! re-requested whole).

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event:` field; `None` means the default type ("message").
    pub event: Option<String>,
    pub data: String,
}

/// How a stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Eof {
    /// Every event was terminated by its blank line.
    Clean,
    /// Bytes were left over: the last event lacked its blank line. `pending` holds that event
    /// when all of its lines were complete (only the blank line is missing), so a caller may
    /// choose to accept it; a cut-off last line is never reported.
    Incomplete { pending: Option<SseEvent> },
}

#[derive(Debug, Default)]
pub(crate) struct SseDecoder {
    /// The bytes of the current, unterminated line. Lines are only split at ASCII `\r`/`\n`,
    /// which never occur inside a UTF-8 sequence, so decoding whole lines is always safe.
    line: Vec<u8>,
    /// The previous chunk ended in `\r`: a `\n` at the start of the next one belongs to it.
    after_cr: bool,
    /// No line has been completed yet (a byte-order mark may open the stream).
    started: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
    /// Any field or comment line since the last dispatch (for the end-of-stream report).
    dirty: bool,
}

impl SseDecoder {
    pub fn new() -> SseDecoder {
        SseDecoder::default()
    }

    /// Feeds the next piece of the body; returns the events it completed, in order.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in bytes {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' => self.end_line(&mut events),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut events);
                }
                _ => self.line.push(byte),
            }
        }
        events
    }

    /// Reports how the stream ended, once the body has no more bytes.
    pub fn finish(&mut self) -> Eof {
        let cut_line = !self.line.is_empty();
        if !cut_line && !self.dirty {
            return Eof::Clean;
        }
        let pending = (!cut_line && self.has_data).then(|| self.take_event());
        Eof::Incomplete { pending }
    }

    fn end_line(&mut self, events: &mut Vec<SseEvent>) {
        let raw = std::mem::take(&mut self.line);
        let mut line = String::from_utf8_lossy(&raw).into_owned();
        if !self.started {
            self.started = true;
            if let Some(rest) = line.strip_prefix('\u{feff}') {
                line = rest.to_string();
            }
        }
        if line.is_empty() {
            if self.has_data {
                events.push(self.take_event());
            } else {
                // A blank line after fields but no data dispatches nothing (spec), but resets.
                self.event = None;
            }
            self.dirty = false;
            return;
        }
        self.dirty = true;
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            _ => {}
        }
    }

    fn take_event(&mut self) -> SseEvent {
        self.has_data = false;
        self.dirty = false;
        SseEvent {
            event: self.event.take().filter(|name| !name.is_empty()),
            data: std::mem::take(&mut self.data),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: Option<&str>, data: &str) -> SseEvent {
        SseEvent {
            event: name.map(str::to_string),
            data: data.to_string(),
        }
    }

    /// Feeds `input` split at every possible pair of points, and checks the result never
    /// depends on where the network cut it.
    fn decode_every_split(input: &[u8]) -> (Vec<SseEvent>, Eof) {
        let whole = {
            let mut decoder = SseDecoder::new();
            let events = decoder.feed(input);
            (events, decoder.finish())
        };
        for first in 0..=input.len() {
            for second in first..=input.len() {
                let mut decoder = SseDecoder::new();
                let mut events = decoder.feed(&input[..first]);
                events.extend(decoder.feed(&input[first..second]));
                events.extend(decoder.feed(&input[second..]));
                assert_eq!(
                    (events, decoder.finish()),
                    whole,
                    "split at {first}/{second}"
                );
            }
        }
        whole
    }

    #[test]
    fn named_events_and_multi_line_data() {
        let input =
            b"event: message_start\ndata: {\"a\":1}\n\nevent: delta\ndata: one\ndata:two\n\n";
        let (events, eof) = decode_every_split(input);
        assert_eq!(
            events,
            vec![
                event(Some("message_start"), "{\"a\":1}"),
                event(Some("delta"), "one\ntwo")
            ]
        );
        assert_eq!(eof, Eof::Clean);
    }

    #[test]
    fn crlf_and_bare_cr_line_endings() {
        let (events, eof) = decode_every_split(b"data: a\r\n\r\ndata: b\r\rdata: c\n\n");
        assert_eq!(
            events,
            vec![event(None, "a"), event(None, "b"), event(None, "c")]
        );
        assert_eq!(eof, Eof::Clean);
    }

    #[test]
    fn comments_unknown_fields_and_field_without_colon() {
        let input = b": keep-alive\nid: 7\nretry: 10\ndata\n\n: ping\n\ndata:x\n\n";
        let (events, eof) = decode_every_split(input);
        assert_eq!(events, vec![event(None, ""), event(None, "x")]);
        assert_eq!(eof, Eof::Clean);
    }

    #[test]
    fn utf8_split_inside_a_sequence() {
        let input = "\u{feff}data: héllo → wörld 🎉\n\n".as_bytes();
        let (events, _) = decode_every_split(input);
        assert_eq!(events, vec![event(None, "héllo → wörld 🎉")]);
    }

    #[test]
    fn an_event_without_data_is_not_dispatched() {
        let (events, eof) = decode_every_split(b"event: ping\n\ndata: after\n\n");
        assert_eq!(events, vec![event(None, "after")]);
        assert_eq!(eof, Eof::Clean);
    }

    #[test]
    fn missing_blank_line_at_eof_is_incomplete() {
        let (events, eof) = decode_every_split(b"data: one\n\ndata: [DONE]\n");
        assert_eq!(events, vec![event(None, "one")]);
        assert_eq!(
            eof,
            Eof::Incomplete {
                pending: Some(event(None, "[DONE]"))
            }
        );
        // A cut-off last line is never reported as an event.
        let (events, eof) = decode_every_split(b"data: one\n\ndata: {\"cho");
        assert_eq!(events, vec![event(None, "one")]);
        assert_eq!(eof, Eof::Incomplete { pending: None });
        // A trailing comment or field without data is still leftover.
        let (_, eof) = decode_every_split(b"data: one\n\nevent: x\n");
        assert_eq!(eof, Eof::Incomplete { pending: None });
    }
}
