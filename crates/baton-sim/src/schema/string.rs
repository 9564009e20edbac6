//! Strings: vocabulary phrases fitted to `minLength`/`maxLength`, `format`s, and `pattern`s.

use serde_json::Value;

use super::flat::Flat;
use super::{pattern, Generator};
use crate::vocab;

/// Longest string padded out for `minLength`; a larger minimum is a hostile schema, and gets a
/// string that is too short rather than an unbounded allocation.
const MAX_PADDED_CHARS: usize = 100_000;
/// Pattern-generated candidates tried before settling for a string that may not match.
const PATTERN_TRIES: usize = 8;

pub(super) fn generate(g: &mut Generator<'_>, flat: &Flat) -> Value {
    let (key, parent) = g.string_key(flat);
    let n = g.variant();
    let min = length(flat, "minLength").unwrap_or(0).min(MAX_PADDED_CHARS);
    let max = length(flat, "maxLength").unwrap_or(usize::MAX);
    let fits = |s: &str| (min..=max).contains(&s.chars().count());

    let format = flat.kw.get("format").and_then(Value::as_str);
    let formatted = format.and_then(|f| {
        let usual = vocab::formatted(f, &key, n).filter(|s| fits(s));
        usual.or_else(|| vocab::compact_formatted(f, n).filter(|s| fits(s)))
    });
    // A format unknown here, or lengths no formatted text meets: lengths are always asserted,
    // formats only by some validators, so the length wins.
    let candidate = formatted.unwrap_or_else(|| {
        vocab::fit_length(vocab::phrase(&key, parent.as_deref(), n), &key, min, max)
    });

    let patterns: Vec<&str> = flat
        .kw
        .get("pattern")
        .and_then(Value::as_str)
        .into_iter()
        .chain(flat.more_patterns.iter().map(String::as_str))
        .collect();
    let matches_all = |g: &mut Generator<'_>, s: &str| {
        fits(s)
            && patterns
                .iter()
                .all(|p| g.checker.pattern_matches(p, s) != Some(false))
    };
    if patterns.is_empty() || matches_all(g, &candidate) {
        return Value::String(candidate);
    }
    // Strings made from each pattern in turn, until one meets them all (several patterns
    // cannot be merged into one regex without lookaheads, which the generator lacks).
    for _ in 0..PATTERN_TRIES {
        for p in &patterns {
            if let Some(s) = pattern::generate(p, g.rng) {
                if matches_all(g, &s) {
                    return Value::String(s);
                }
            }
        }
    }
    Value::String(candidate)
}

fn length(flat: &Flat, key: &str) -> Option<usize> {
    let n = flat.kw.get(key)?.as_f64()?;
    // Lengths past usize (only in hostile schemas) saturate, which is what `as` does.
    Some(n.max(0.0) as usize)
}
