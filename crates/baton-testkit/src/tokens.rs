//! Token counting (about four characters a token) and the prompt-cache emulation.
//!
//! Counts are deterministic so that tests can assert exact usage: input is the character count
//! of the tool definitions, system text and messages; output that of the generated text and tool
//! inputs. Neither provider's minimum cacheable length is emulated: any marked prefix caches.

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
        let Some(last) = parsed.segments.iter().rposition(|s| s.marked) else {
            return Usage {
                input: total,
                ..Usage::default()
            };
        };
        let prefix = &parsed.segments[..=last];
        let prefix_tokens = tokens(prefix.iter().map(|s| s.chars).sum()).min(total);
        let hashes: Vec<u64> = prefix.iter().map(|s| s.hash).collect();
        let key = hash_of(&(&parsed.model, hashes));
        let seen = self.prefixes.contains(&key);
        if remember && !seen {
            self.prefixes.insert(key);
        }
        let (cache_write, cache_read) = if seen {
            (0, prefix_tokens)
        } else {
            (prefix_tokens, 0)
        };
        Usage {
            input: total - prefix_tokens,
            cache_write,
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
