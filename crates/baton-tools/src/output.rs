//! Keeping tool output within `ToolContext::output_cap`, with a note that says what was cut.
//!
//! Two shapes: command output keeps its head and its tail (the start shows what ran, the end
//! shows how it finished), listings keep whole leading lines (the first results, in order).

use std::collections::VecDeque;

/// Bytes kept free for the note, so that output plus note stays within the cap.
const NOTE_RESERVE: usize = 160;

/// How many content bytes fit under `cap` once the note is added.
fn budget(cap: usize) -> usize {
    if cap > 2 * NOTE_RESERVE {
        cap - NOTE_RESERVE
    } else {
        cap / 2
    }
}

/// Collects a stream of bytes in bounded memory: the first half of the budget and the last
/// half, plus a count of everything. A command that prints gigabytes costs at most `cap` bytes.
pub(crate) struct Capture {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    head_cap: usize,
    tail_cap: usize,
    total: usize,
}

impl Capture {
    pub(crate) fn new(cap: usize) -> Self {
        let budget = budget(cap);
        let head_cap = budget / 2;
        Capture {
            head: Vec::new(),
            tail: VecDeque::new(),
            head_cap,
            tail_cap: budget - head_cap,
            total: 0,
        }
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len();
        let to_head = bytes.len().min(self.head_cap - self.head.len());
        self.head.extend_from_slice(&bytes[..to_head]);
        let rest = &bytes[to_head..];
        // Only the last `tail_cap` bytes of `rest` can survive; skip the others outright.
        let rest = &rest[rest.len().saturating_sub(self.tail_cap)..];
        self.tail.extend(rest);
        let excess = self.tail.len().saturating_sub(self.tail_cap);
        self.tail.drain(..excess);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The collected text, with a note in the middle when bytes were dropped.
    pub(crate) fn render(&self) -> String {
        let (tail_a, tail_b) = self.tail.as_slices();
        let tail: Vec<u8> = [tail_a, tail_b].concat();
        let kept = self.head.len() + tail.len();
        if kept == self.total {
            return String::from_utf8_lossy(&[self.head.as_slice(), &tail].concat()).into_owned();
        }
        let head = complete_prefix(&self.head);
        let tail = complete_suffix(&tail);
        let omitted = self.total - head.len() - tail.len();
        format!(
            "{}\n\n[... {omitted} bytes of output omitted ...]\n\n{}",
            String::from_utf8_lossy(head),
            String::from_utf8_lossy(tail)
        )
    }
}

/// Cuts `text` to the cap, keeping its head and tail (what Bash output gets, in one go).
#[cfg(test)]
fn cap_middle(text: &str, cap: usize) -> String {
    let mut capture = Capture::new(cap);
    capture.push(text.as_bytes());
    capture.render()
}

/// Cuts `text` to the cap at a line end, keeping the leading lines; `advice` tells the model
/// how to see the rest (e.g. "narrow the pattern").
pub fn cap_lines(text: &str, cap: usize, advice: &str) -> String {
    if text.len() <= cap {
        return text.to_string();
    }
    let budget = budget(cap);
    let cut = match text[..floor_char_boundary(text, budget)].rfind('\n') {
        Some(newline) => newline + 1,
        // One line longer than the budget: cut inside it rather than show nothing.
        None => floor_char_boundary(text, budget),
    };
    let rest = &text[cut..];
    format!(
        "{}[... {} more lines ({} bytes) not shown: {advice}]",
        &text[..cut],
        rest.lines().count(),
        rest.len()
    )
}

/// The largest index `<= at` that lies on a char boundary of `text`.
pub(crate) fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `bytes` without a UTF-8 sequence cut off at its end.
fn complete_prefix(bytes: &[u8]) -> &[u8] {
    match std::str::from_utf8(bytes) {
        Err(e) if e.error_len().is_none() => &bytes[..e.valid_up_to()],
        _ => bytes,
    }
}

/// `bytes` without the continuation bytes of a UTF-8 sequence cut off at its start.
fn complete_suffix(bytes: &[u8]) -> &[u8] {
    let skip = bytes
        .iter()
        .take(3)
        .take_while(|b| (**b & 0b1100_0000) == 0b1000_0000)
        .count();
    &bytes[skip..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_output_is_untouched() {
        assert_eq!(cap_middle("hello\n", 1000), "hello\n");
        assert_eq!(cap_lines("a\nb\n", 1000, "x"), "a\nb\n");
    }

    #[test]
    fn long_output_keeps_head_and_tail_within_the_cap() {
        let text: String = (0..5000).map(|i| format!("line {i}\n")).collect();
        let capped = cap_middle(&text, 1000);
        assert!(capped.len() <= 1000, "{}", capped.len());
        assert!(capped.starts_with("line 0\n"));
        assert!(capped.ends_with("line 4999\n"));
        assert!(capped.contains("bytes of output omitted"));
    }

    #[test]
    fn streaming_capture_matches_one_shot() {
        let text: String = (0..3000).map(|i| format!("{i},")).collect();
        let mut capture = Capture::new(700);
        for chunk in text.as_bytes().chunks(37) {
            capture.push(chunk);
        }
        assert_eq!(capture.render(), cap_middle(&text, 700));
    }

    #[test]
    fn cuts_never_split_a_character() {
        let text = "é".repeat(2000);
        let capped = cap_middle(&text, 501);
        assert!(!capped.contains('\u{FFFD}'));
        let listed = cap_lines(&text, 501, "narrow it");
        assert!(listed.ends_with("narrow it]"));
    }

    #[test]
    fn listings_cut_at_line_ends() {
        let text: String = (0..1000).map(|i| format!("src/file{i}.rs\n")).collect();
        let capped = cap_lines(&text, 1000, "narrow the pattern");
        assert!(capped.len() <= 1000);
        let (kept, note) = capped.split_once("[...").unwrap();
        assert!(kept.ends_with(".rs\n"));
        assert!(note.contains("more lines"));
    }
}
