//! One agent as a conversation of turns, for the estimate: how many turns, how the history
//! grows, and what the prompt cache reads and writes on each turn.
//!
//! An agent offered no tools answers in one turn. One offered tools takes between one turn and
//! [`TOOL_TURNS`]: each turn but the last is a tool call of about [`TOOL_CALL_TOKENS`] whose
//! result (about [`TOOL_RESULT_TOKENS`]) joins the history, and every turn sends the whole
//! history again. baton marks the conversation for caching (a rolling breakpoint on Anthropic,
//! a byte-stable prefix on OpenAI-compatible servers), so each turn reads what the turn before
//! sent and writes only what is new, once the prompt reaches the model's minimum cacheable
//! length.

use baton_model::Usage;

/// Turns a tool-using agent is expected to take at most, for the estimate's upper end.
pub const TOOL_TURNS: u64 = 3;
/// Tokens of one tool call (its name and input) in the model's answer.
pub const TOOL_CALL_TOKENS: u64 = 40;
/// Tokens of one tool result (a file read, a command's output), on average.
pub const TOOL_RESULT_TOKENS: u64 = 500;

/// What the turn model needs to know about one agent, in tokens.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// The system prompt and built-in tools, identical across a run's agents.
    pub shared: u64,
    /// The agent's own first prompt (suffix, schema tool, prompt).
    pub own: u64,
    /// The final answer.
    pub answer: u64,
    pub turns: u64,
    /// An earlier agent of the run on the same model already wrote the shared prefix.
    pub shared_cached: bool,
    /// The model's minimum cacheable prompt, in tokens.
    pub min_cacheable: u64,
}

/// The usage of an agent of `shape`, turn by turn.
pub fn usage(shape: Shape) -> Usage {
    let mut usage = Usage::default();
    let mut cached = if shape.shared_cached && shape.shared >= shape.min_cacheable {
        shape.shared
    } else {
        0
    };
    let mut prompt = shape.shared + shape.own;
    for turn in 1..=shape.turns.max(1) {
        if prompt >= shape.min_cacheable {
            usage.cache_read_tokens += cached;
            usage.cache_write_tokens += prompt - cached;
            cached = prompt;
        } else {
            usage.input_tokens += prompt;
        }
        let last = turn >= shape.turns;
        let answer = if last { shape.answer } else { TOOL_CALL_TOKENS };
        usage.output_tokens += answer;
        prompt += answer + if last { 0 } else { TOOL_RESULT_TOKENS };
    }
    usage
}

/// The smallest prompt a model caches, from Anthropic's prompt-caching documentation (Opus 4.5
/// and 4.6, Haiku 4.5: 4,096 tokens; Sonnet 4.6 and the Haiku 3 family: 2,048; other Claude
/// models: 1,024); OpenAI caches prompts from 1,024 tokens, and other servers are taken to
/// do the same.
pub fn min_cacheable(model: &str) -> u64 {
    const LONG: [&str; 3] = ["claude-opus-4-6", "claude-opus-4-5", "claude-haiku-4-5"];
    const MEDIUM: [&str; 3] = ["claude-sonnet-4-6", "claude-3-5-haiku", "claude-3-haiku"];
    if LONG.iter().any(|prefix| model.starts_with(prefix)) {
        4096
    } else if MEDIUM.iter().any(|prefix| model.starts_with(prefix)) {
        2048
    } else {
        1024
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(turns: u64, shared_cached: bool) -> Shape {
        Shape {
            shared: 2000,
            own: 100,
            answer: 50,
            turns,
            shared_cached,
            min_cacheable: 1024,
        }
    }

    #[test]
    fn one_turn_writes_the_prompt_or_reads_the_shared_prefix() {
        let first = usage(shape(1, false));
        assert_eq!(
            (
                first.input_tokens,
                first.cache_write_tokens,
                first.cache_read_tokens
            ),
            (0, 2100, 0)
        );
        assert_eq!(first.output_tokens, 50);
        let later = usage(shape(1, true));
        assert_eq!(
            (later.cache_write_tokens, later.cache_read_tokens),
            (100, 2000)
        );
    }

    #[test]
    fn each_turn_reads_the_last_and_writes_what_is_new() {
        let three = usage(shape(3, true));
        // Turn 1 reads 2000, writes 100; turn 2 reads 2100, writes 540; turn 3 reads 2640,
        // writes 540.
        assert_eq!(three.cache_read_tokens, 2000 + 2100 + 2640);
        assert_eq!(three.cache_write_tokens, 100 + 540 + 540);
        assert_eq!(three.output_tokens, 40 + 40 + 50);
        assert_eq!(three.input_tokens, 0);
    }

    #[test]
    fn prompts_under_the_minimum_are_not_cached() {
        let small = usage(Shape {
            min_cacheable: 4096,
            ..shape(2, true)
        });
        assert_eq!(small.cache_read_tokens + small.cache_write_tokens, 0);
        assert_eq!(small.input_tokens, 2100 + 2100 + 540);
        assert_eq!(min_cacheable("claude-haiku-4-5-20251001"), 4096);
        assert_eq!(min_cacheable("claude-sonnet-4-5"), 1024);
        assert_eq!(min_cacheable("gpt-4.1"), 1024);
    }
}
