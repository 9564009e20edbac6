//! Token counting (about four characters a token) and the prompt-cache emulation.
//!
//! Counts are deterministic so that tests can assert exact usage: input is the character count
//! of the tool definitions, system text and messages; output that of the generated text and tool
//! inputs. Neither provider's minimum cacheable length is emulated: any marked prefix caches.
//!
//! Anthropic's cache is emulated as the API documents it: each breakpoint's prefix (everything
//! up to and including the marked block) is an entry; a request reads the longest entry it
//! finds at a block boundary up to 20 blocks back from one of its breakpoints, and writes the
//! rest of the prompt up to its last breakpoint.

use std::collections::HashSet;

use crate::request::{hash_of, Parsed};
use crate::script::{Block, Reply};

/// The usage of one response, in the Anthropic split: `input` is neither read from nor written
/// to the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub input: u64,
    pub cache_write: u64,
    pub cache_read: u64,
    pub output: u64,
}

impl Usage {
    /// Every input token, as OpenAI's `prompt_tokens` counts them.
    pub(crate) fn prompt(&self) -> u64 {
        self.input + self.cache_write + self.cache_read
    }
}

/// How far back from a breakpoint the API looks for an earlier cache entry, in blocks.
const LOOKBACK_BLOCKS: usize = 20;

/// Prompt prefixes (Anthropic) and system prompts (OpenAI) already seen, per model.
#[derive(Default)]
pub(crate) struct CacheMemory {
    prefixes: HashSet<u64>,
    systems: HashSet<u64>,
}

impl CacheMemory {
    /// Input usage of an Anthropic request: the prefix up to the last `cache_control` marker is
    /// written to the cache the first time it is seen and read from it afterwards. With
    /// `remember` false (a response that will not complete) the cache is left as it was.
    pub(crate) fn anthropic_input(&mut self, parsed: &Parsed, remember: bool) -> Usage {
        let total = input_tokens(parsed);
        let segments = &parsed.segments;
        let Some(last) = segments.iter().rposition(|s| s.marked) else {
            return Usage {
                input: total,
                ..Usage::default()
            };
        };
        // The key and size of every prefix `segments[..=i]`.
        let mut keys = Vec::with_capacity(last + 1);
        let mut chars = Vec::with_capacity(last + 1);
        let mut key = hash_of(&parsed.model);
        let mut sum = 0;
        for segment in &segments[..=last] {
            key = hash_of(&(key, segment.hash));
            sum += segment.chars;
            keys.push(key);
            chars.push(sum);
        }
        let breakpoints: Vec<usize> = (0..=last).filter(|&i| segments[i].marked).collect();
        let hit = breakpoints
            .iter()
            .flat_map(|&b| (b.saturating_sub(LOOKBACK_BLOCKS)..=b).rev())
            .filter(|&i| self.prefixes.contains(&keys[i]))
            .max();
        if remember {
            self.prefixes.extend(breakpoints.iter().map(|&b| keys[b]));
        }
        let prefix_tokens = tokens(chars[last]).min(total);
        let cache_read = hit.map_or(0, |i| tokens(chars[i]).min(prefix_tokens));
        Usage {
            input: total - prefix_tokens,
            cache_write: prefix_tokens - cache_read,
            cache_read,
            output: 0,
        }
    }

    /// Input usage of an OpenAI request: automatic caching, emulated as "the system prompt is
    /// cached once the same model has seen it".
    pub(crate) fn openai_input(&mut self, parsed: &Parsed, remember: bool) -> Usage {
        let total = input_tokens(parsed);
        if parsed.system.is_empty() {
            return Usage {
                input: total,
                ..Usage::default()
            };
        }
        let key = hash_of(&(&parsed.model, &parsed.system));
        let seen = self.systems.contains(&key);
        if remember && !seen {
            self.systems.insert(key);
        }
        let cached = if seen {
            tokens(parsed.system.chars().count() as u64).min(total)
        } else {
            0
        };
        Usage {
            input: total - cached,
            cache_read: cached,
            ..Usage::default()
        }
    }
}

/// Output tokens of a reply: its text and tool inputs (as JSON), at least one.
pub(crate) fn output_tokens(reply: &Reply) -> u64 {
    let chars: u64 = reply
        .blocks
        .iter()
        .map(|block| match block {
            Block::Text(text) => text.chars().count() as u64,
            Block::Tool { input, .. } => input.to_string().chars().count() as u64,
            Block::Hosted(raw) => raw.to_string().chars().count() as u64,
        })
        .sum();
    tokens(chars).max(1)
}

fn input_tokens(parsed: &Parsed) -> u64 {
    tokens(parsed.segments.iter().map(|s| s.chars).sum()).max(1)
}

fn tokens(chars: u64) -> u64 {
    chars.div_ceil(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Segment;
    use serde_json::json;

    fn parsed(segments: Vec<Segment>) -> Parsed {
        Parsed {
            model: "m".into(),
            system: "s".repeat(8),
            segments,
            ..Parsed::default()
        }
    }

    #[test]
    fn marked_prefix_is_written_then_read() {
        let request = parsed(vec![
            Segment::new(&"t".repeat(40), false),
            Segment::new(&"s".repeat(40), true),
            Segment::new(&"m".repeat(21), false),
        ]);
        let mut memory = CacheMemory::default();
        let peek = memory.anthropic_input(&request, false);
        let first = memory.anthropic_input(&request, true);
        let second = memory.anthropic_input(&request, true);
        assert_eq!(peek, first);
        assert_eq!(
            (first.input, first.cache_write, first.cache_read),
            (6, 20, 0)
        );
        assert_eq!(
            (second.input, second.cache_write, second.cache_read),
            (6, 0, 20)
        );
    }

    #[test]
    fn a_growing_conversation_reads_the_previous_turn_and_writes_only_what_is_new() {
        let mut memory = CacheMemory::default();
        let mut segments = vec![Segment::new(&"s".repeat(400), true)];
        let first = memory.anthropic_input(&parsed(segments.clone()), true);
        assert_eq!((first.cache_write, first.cache_read), (100, 0));
        // The next turn moves the breakpoint to its newest block: 100 read, 50 + 25 written.
        segments.push(Segment::new(&"a".repeat(200), false));
        segments.push(Segment::new(&"r".repeat(100), true));
        let second = memory.anthropic_input(&parsed(segments.clone()), true);
        assert_eq!(
            (second.input, second.cache_write, second.cache_read),
            (0, 75, 100)
        );
        // A request whose earlier turn changed finds only the system prompt.
        let mut edited = segments.clone();
        edited[1] = Segment::new(&"b".repeat(200), false);
        let third = memory.anthropic_input(&parsed(edited), false);
        assert_eq!((third.cache_write, third.cache_read), (75, 100));
        // Past the look-back window, an entry is not found (the old breakpoints moved on).
        for segment in &mut segments {
            segment.marked = false;
        }
        segments.extend((0..25).map(|i| Segment::new(&format!("{i:04}"), false)));
        segments.push(Segment::new("tail", true));
        let far = memory.anthropic_input(&parsed(segments), true);
        assert_eq!(far.cache_read, 0);
    }

    #[test]
    fn unmarked_prompts_are_all_input() {
        let request = parsed(vec![Segment::new("abcdefghi", false)]);
        let usage = CacheMemory::default().anthropic_input(&request, true);
        assert_eq!(usage.input, 3);
        assert_eq!(usage.prompt(), 3);
    }

    #[test]
    fn openai_caches_a_system_prompt_seen_before() {
        let request = parsed(vec![
            Segment::new(&"s".repeat(8), false),
            Segment::new("hi", false),
        ]);
        let mut memory = CacheMemory::default();
        let first = memory.openai_input(&request, true);
        let second = memory.openai_input(&request, true);
        assert_eq!((first.input, first.cache_read), (3, 0));
        assert_eq!(
            (second.input, second.cache_read, second.prompt()),
            (1, 2, 3)
        );
    }

    #[test]
    fn output_counts_text_and_tool_input() {
        let reply = Reply {
            blocks: vec![
                Block::Text("abcde".into()),
                Block::Tool {
                    id: "x".into(),
                    name: "Read".into(),
                    input: json!({"a": 1}),
                },
            ],
        };
        // 5 + 7 characters.
        assert_eq!(output_tokens(&reply), 3);
        assert_eq!(output_tokens(&Reply { blocks: vec![] }), 1);
    }
}
