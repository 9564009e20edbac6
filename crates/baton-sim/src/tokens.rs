//! `estimate_tokens`: the token counts the sim reports as usage.

/// Tokens for `text`, input or output alike: about one per four characters, at least one.
///
/// Characters rather than bytes, so that non-ASCII prompts are not charged four times over; the
/// point is plausible usage and cost figures in dry runs, not a tokenizer.
pub fn estimate_tokens(text: &str) -> u64 {
    let chars = text.chars().count() as u64;
    chars.div_ceil(4).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_a_quarter_of_the_characters() {
        assert_eq!(estimate_tokens(""), 1);
        assert_eq!(estimate_tokens("a"), 1);
        assert_eq!(estimate_tokens("abcd"), 1);
        assert_eq!(estimate_tokens("abcde"), 2);
        assert_eq!(estimate_tokens(&"x".repeat(4000)), 1000);
        // Four multi-byte characters are one token, not three.
        assert_eq!(estimate_tokens("éééé"), 1);
        assert_eq!(estimate_tokens("日本語のテキスト"), 2);
    }
}
