//! Objects: every `required` property, optional ones about half the time, no extras beyond what
//! `minProperties` demands; `patternProperties`, `additionalProperties` and `dependentRequired`
//! are honoured for the properties that are present.

use serde_json::{json, Map, Value};

use super::flat::Flat;
use super::{pattern, Generator};

pub(super) fn generate(g: &mut Generator<'_>, flat: &Flat) -> Value {
    let kw = &flat.kw;
    let empty = Map::new();
    let properties = kw
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let allowed = |name: &str| flat.allowed.as_ref().is_none_or(|a| a.contains(name));
    let required: Vec<String> = kw
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let count = |k: &str| {
        kw.get(k)
            .and_then(Value::as_u64)
            .map(|n| n.min(1_000) as usize)
    };
    let min = count("minProperties").unwrap_or(0);
    let max = count("maxProperties").unwrap_or(usize::MAX);

    // Which names: properties in schema order (required, or optional on a coin flip while
    // `maxProperties` leaves room), then required names the schema does not describe.
    let mut names: Vec<String> = Vec::new();
    let mut room = max.saturating_sub(required.len());
    for name in properties.keys() {
        if required.contains(name) {
            names.push(name.clone());
        } else if room > 0
            && allowed(name)
            && !g.deep()
            && possible(g, &properties[name])
            && name_ok(g, kw, name)
            && g.rng.coin()
        {
            names.push(name.clone());
            room -= 1;
        }
    }
    for name in &required {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    add_dependencies(g, kw, &mut names);
    // `minProperties`: first the optional properties left out, then invented names.
    for name in properties.keys() {
        if names.len() >= min {
            break;
        }
        if !names.contains(name)
            && allowed(name)
            && possible(g, &properties[name])
            && name_ok(g, kw, name)
        {
            names.push(name.clone());
        }
    }
    let mut extra = 1;
    while names.len() < min && extra <= min + 8 {
        if let Some(name) = invented_name(g, kw, extra) {
            if !names.contains(&name) && name_ok(g, kw, &name) {
                names.push(name);
            }
        }
        extra += 1;
    }
    add_dependencies(g, kw, &mut names);

    let mut object = Map::new();
    for name in names {
        let schema = schema_for(g, kw, properties, &name);
        let value = g.named_value(name.clone(), &schema);
        object.insert(name, value);
    }
    Value::Object(object)
}

/// Whether some value may match `schema`; `false` (as a schema) forbids a property outright.
fn possible(g: &Generator<'_>, schema: &Value) -> bool {
    match schema {
        Value::Bool(b) => *b,
        _ => !Flat::of(g.root, schema).impossible,
    }
}

/// Whether `name` is a valid property name under `propertyNames`.
fn name_ok(g: &mut Generator<'_>, kw: &Map<String, Value>, name: &str) -> bool {
    match kw.get("propertyNames") {
        Some(schema) => g.checker.matches(schema, &json!(name)) != Some(false),
        None => true,
    }
}

/// Adds the names that present properties require through `dependentRequired`, or through the
/// `required` of a `dependentSchemas` entry (the rest of such a schema is left to the final
/// check), until nothing more is needed.
fn add_dependencies(g: &Generator<'_>, kw: &Map<String, Value>, names: &mut Vec<String>) {
    let required = kw.get("dependentRequired").and_then(Value::as_object);
    let schemas = kw.get("dependentSchemas").and_then(Value::as_object);
    if required.is_none() && schemas.is_none() {
        return;
    }
    let mut i = 0;
    while i < names.len() {
        let mut needs: Vec<Value> = Vec::new();
        if let Some(list) = required
            .and_then(|r| r.get(&names[i]))
            .and_then(Value::as_array)
        {
            needs.extend(list.iter().cloned());
        }
        if let Some(schema) = schemas.and_then(|s| s.get(&names[i])) {
            let flat = Flat::of(g.root, schema);
            if let Some(Value::Array(list)) = flat.kw.get("required") {
                needs.extend(list.iter().cloned());
            }
        }
        for need in needs.iter().filter_map(Value::as_str) {
            if !names.iter().any(|n| n == need) {
                names.push(need.to_string());
            }
        }
        i += 1;
    }
}

/// A property name beyond the described ones: `extra_1`... where `additionalProperties`
/// allows it, else one matching a `patternProperties` pattern.
fn invented_name(g: &mut Generator<'_>, kw: &Map<String, Value>, n: usize) -> Option<String> {
    if kw.get("additionalProperties") != Some(&Value::Bool(false)) {
        return Some(format!("extra_{n}"));
    }
    let patterns = kw.get("patternProperties")?.as_object()?;
    let keys: Vec<&String> = patterns.keys().collect();
    let key = keys.get(n % keys.len().max(1))?;
    pattern::generate(key, g.rng)
}

/// The schema a property's value must meet: its own, those of the patterns its name matches,
/// and `additionalProperties` when neither applies.
fn schema_for(
    g: &mut Generator<'_>,
    kw: &Map<String, Value>,
    properties: &Map<String, Value>,
    name: &str,
) -> Value {
    let mut parts: Vec<Value> = properties.get(name).cloned().into_iter().collect();
    let described = !parts.is_empty();
    let mut matched = false;
    if let Some(patterns) = kw.get("patternProperties").and_then(Value::as_object) {
        for (pattern, schema) in patterns {
            if g.checker.pattern_matches(pattern, name) == Some(true) {
                parts.push(schema.clone());
                matched = true;
            }
        }
    }
    if !described && !matched {
        if let Some(additional) = kw.get("additionalProperties") {
            parts.push(additional.clone());
        }
    }
    match parts.len() {
        0 => Value::Bool(true),
        1 => parts.pop().unwrap_or(Value::Bool(true)),
        _ => json!({ "allOf": parts }),
    }
}
