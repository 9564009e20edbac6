//! Arrays: short (0–3 items unless bounded otherwise), honouring `prefixItems`, `items`,
//! `minItems`/`maxItems`, `contains`/`minContains` and `uniqueItems`.

use serde_json::{json, Value};

use super::flat::Flat;
use super::Generator;
use crate::vocab;

/// Items beyond `minItems` an array may get; short arrays keep dry runs small and loops finite.
const EXTRA_ITEMS: usize = 3;
/// Tries for an item that differs from the ones before it, under `uniqueItems`.
const UNIQUE_TRIES: u64 = 8;

pub(super) fn generate(g: &mut Generator<'_>, flat: &Flat) -> Value {
    let kw = &flat.kw;
    // Draft 2020-12 only: the older tuple form (`items: [...]`, `additionalItems`) is not a
    // valid 2020-12 schema, so the agent layer refuses it before any agent runs.
    let prefix: &[Value] = kw
        .get("prefixItems")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let rest = kw.get("items");
    let rest_allowed = !matches!(rest, Some(Value::Bool(false)));
    let count = |k: &str| {
        kw.get(k)
            .and_then(Value::as_u64)
            .map(|n| n.min(10_000) as usize)
    };
    let min = count("minItems").unwrap_or(0);
    let mut max = count("maxItems").unwrap_or(usize::MAX);
    if !rest_allowed {
        max = max.min(prefix.len());
    }
    let contains = kw.get("contains");
    let min_contains = match contains {
        Some(_) => count("minContains").unwrap_or(1),
        None => 0,
    };
    let unique = kw.get("uniqueItems") == Some(&Value::Bool(true));
    let limited_contains = contains.filter(|_| kw.contains_key("maxContains"));

    let mut len = if g.deep() {
        min
    } else {
        let top = max.min(min + EXTRA_ITEMS);
        min + g.rng.index(top.saturating_sub(min) + 1)
    };
    len = len.max(min_contains).min(max.max(min));

    let name = g.names.last().map(|n| vocab::singular(&vocab::words_of(n)));
    let name = name.unwrap_or_else(|| "item".to_string());
    let mut items: Vec<Value> = Vec::with_capacity(len);
    for i in 0..len {
        let base = prefix.get(i).or(rest).cloned().unwrap_or(Value::Bool(true));
        // The last `minContains` items are the ones that satisfy `contains`.
        let schema = match contains {
            Some(c) if i + min_contains >= len => json!({ "allOf": [base, c] }),
            _ => base,
        };
        let mut item = g.named_value(name.clone(), &schema);
        // Under `maxContains`, the other items should not match `contains`.
        if let Some(c) = limited_contains.filter(|_| i + min_contains < len) {
            for _ in 0..UNIQUE_TRIES {
                if g.checker.matches(c, &item) != Some(true) {
                    break;
                }
                item = g.named_value(name.clone(), &schema);
            }
        }
        if unique && items.contains(&item) {
            let saved = g.spread;
            let mut found = false;
            for attempt in 1..=UNIQUE_TRIES {
                // Widen the vocabulary and number windows so that a new value exists.
                g.spread = saved + attempt * 2;
                item = g.named_value(name.clone(), &schema);
                if !items.contains(&item) {
                    found = true;
                    break;
                }
            }
            g.spread = saved;
            // Out of fresh values: stop here if the array is long enough, rather than repeat.
            if !found && items.len() >= min {
                break;
            }
        }
        items.push(item);
    }
    Value::Array(items)
}
