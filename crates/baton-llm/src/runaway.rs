//! Runaway output: a model that repeats the same text over and over inside one streamed turn.
//!
//! Small models fall into such loops and keep generating until `max_tokens` — seen on a 135M
//! model: one turn of 5,000+ tokens at 7 tokens/s, twelve minutes with bytes arriving all
//! along, so no stall timeout fires. A stream decoder feeds its text to a [`RunawayWatch`] and
//! ends the stream (closing the connection stops the server generating) once the text's tail
//! has become an exact repetition; the turn then ends with [`StopReason::Runaway`].

use crate::{ChatResponse, StopReason};

/// The tail that must be periodic: long enough that real prose, code or tables never match.
const SPAN: usize = 3_000;
/// The longest repeated unit looked for; the tail holds at least three of them.
const MAX_PERIOD: usize = SPAN / 3;
/// Check after this many new bytes rather than on every delta.
const CHECK_EVERY: usize = 256;

#[derive(Debug, Default)]
pub(crate) struct RunawayWatch {
    checked_at: usize,
    tripped: bool,
}

impl RunawayWatch {
    /// Whether `text` (the text of the turn's current block so far) has run away; once it
    /// has, it stays so.
    pub fn runs_away(&mut self, text: &str) -> bool {
        if text.len() < self.checked_at {
            // A new text block (Anthropic may send several in one turn).
            self.checked_at = 0;
        }
        if !self.tripped && text.len() >= self.checked_at + CHECK_EVERY {
            self.checked_at = text.len();
            self.tripped = repeats_itself(text.as_bytes());
        }
        self.tripped
    }

    /// Marks a response cut short by this watch: [`StopReason::Runaway`], and output tokens
    /// estimated from the text (about four bytes a token) when the provider's count, which
    /// comes at the end of a stream, never came.
    pub fn mark(&self, response: &mut ChatResponse) {
        if !self.tripped {
            return;
        }
        response.stop_reason = StopReason::Runaway;
        let estimated = (response.text().len() / 4) as u64;
        response.usage.output_tokens = response.usage.output_tokens.max(estimated);
    }
}

/// The last [`SPAN`] bytes repeat one unit of at most [`MAX_PERIOD`] bytes exactly.
fn repeats_itself(text: &[u8]) -> bool {
    if text.len() < SPAN + MAX_PERIOD {
        // Short of a full window and its longest shift: look only at periods that fit.
        let fits = text.len().saturating_sub(SPAN);
        return text.len() >= SPAN && (1..=fits).any(|p| periodic(text, p));
    }
    (1..=MAX_PERIOD).any(|p| periodic(text, p))
}

/// The last [`SPAN`] bytes equal the [`SPAN`] bytes `period` earlier.
fn periodic(text: &[u8], period: usize) -> bool {
    let end = text.len();
    text[end - SPAN..] == text[end - SPAN - period..end - period]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fed_in_pieces(text: &str) -> bool {
        let mut watch = RunawayWatch::default();
        let mut so_far = String::new();
        for piece in text.split_inclusive(' ') {
            so_far.push_str(piece);
            if watch.runs_away(&so_far) {
                return true;
            }
        }
        false
    }

    #[test]
    fn a_sentence_said_again_and_again_runs_away() {
        let looping = "I will now read the file to find the bug. ".repeat(200);
        assert!(fed_in_pieces(&looping));
    }

    #[test]
    fn a_long_repeated_paragraph_runs_away_too() {
        let intro = "Here is my analysis of the code.\n";
        let paragraph: String = (0..12)
            .map(|i| format!("Line {i} of the paragraph says something a little different. "))
            .collect();
        assert!(paragraph.len() < MAX_PERIOD);
        assert!(fed_in_pieces(&format!("{intro}{}", paragraph.repeat(10))));
    }

    #[test]
    fn long_text_that_never_repeats_exactly_does_not() {
        // Numbered, near-identical lines (a long table, a list) differ in their numbers.
        let table: String = (0..400)
            .map(|i| format!("| row {i:>4} | value | value | value |\n"))
            .collect();
        assert!(table.len() > 4 * SPAN);
        assert!(!fed_in_pieces(&table));
        // And this crate's own source: real prose and code.
        assert!(!fed_in_pieces(include_str!("transport.rs")));
    }

    #[test]
    fn short_repetition_is_not_enough() {
        let short = "again ".repeat(400);
        assert!(short.len() < SPAN);
        assert!(!fed_in_pieces(&short));
    }
}
