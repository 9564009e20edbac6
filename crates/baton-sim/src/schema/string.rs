//! Strings: vocabulary phrases fitted to `minLength`/`maxLength`, `format`s, and `pattern`s.

use serde_json::Value;

use super::flat::Flat;
use super::{pattern, Generator};
use crate::vocab;

/// Pattern-generated candidates tried before settling for a string that may not match.
const PATTERN_TRIES: usize = 8;

pub(super) fn generate(g: &mut Generator<'_>, flat: &Flat) -> Value {
    let (key, parent) = g.string_key(flat);
    let n = g.variant();
    let min = length(flat, "minLength").unwrap_or(0);
    let max = length(flat, "maxLength").unwrap_or(usize::MAX);
    let fits = |s: &str| (min..=max).contains(&s.chars().count());

    let formatted = flat
        .kw
        .get("format")
        .and_then(Value::as_str)
        .and_then(|f| vocab::formatted(f, &key, n));
    let candidate = match formatted {
        Some(s) if fits(&s) => s,
        // A length that the format's text cannot meet: lengths are always asserted, formats
        // only by some validators, so the length wins.
        _ => vocab::fit_length(vocab::phrase(&key, parent.as_deref(), n), &key, min, max),
    };

    let Some(pattern) = flat.kw.get("pattern").and_then(Value::as_str) else {
        return Value::String(candidate);
    };
    if g.checker.pattern_matches(pattern, &candidate) != Some(false) {
        return Value::String(candidate);
    }
    for _ in 0..PATTERN_TRIES {
        let Some(s) = pattern::generate(pattern, g.rng) else {
            break;
        };
        if fits(&s) && g.checker.pattern_matches(pattern, &s) == Some(true) {
            return Value::String(s);
        }
    }
    Value::String(candidate)
}

fn length(flat: &Flat, key: &str) -> Option<usize> {
    let n = flat.kw.get(key)?.as_f64()?;
    // Lengths past usize (only in hostile schemas) saturate, which is what `as` does.
    Some(n.max(0.0) as usize)
}
