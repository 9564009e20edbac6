//! Finds schemas no value can satisfy (`minLength` above `maxLength`, an empty `enum`, a
//! required property that is forbidden, …), so such an agent is refused before it starts
//! instead of failing its five structured-output attempts at the model's expense.

use serde_json::{Map, Value};

/// The first contradiction found, with the JSON pointer of the subschema that holds it.
pub fn find(schema: &Value) -> Option<String> {
    let mut found = None;
    walk(schema, "", &mut found);
    found
}

fn walk(schema: &Value, at: &str, found: &mut Option<String>) {
    if found.is_some() {
        return;
    }
    let Value::Object(map) = schema else { return };
    if let Some(problem) = contradiction(map) {
        let place = if at.is_empty() { "the root" } else { at };
        *found = Some(format!("at {place}: {problem}"));
        return;
    }
    for keyword in ["properties", "patternProperties", "$defs", "definitions"] {
        if let Some(Value::Object(children)) = map.get(keyword) {
            for (name, child) in children {
                walk(child, &format!("{at}/{keyword}/{name}"), found);
            }
        }
    }
    // Not `not`: a contradiction inside it is a schema that allows everything.
    for keyword in ["items", "additionalProperties", "contains"] {
        if let Some(child) = map.get(keyword) {
            walk(child, &format!("{at}/{keyword}"), found);
        }
    }
    for keyword in ["allOf", "anyOf", "oneOf", "prefixItems"] {
        if let Some(Value::Array(children)) = map.get(keyword) {
            for (i, child) in children.iter().enumerate() {
                walk(child, &format!("{at}/{keyword}/{i}"), found);
            }
        }
    }
}

fn contradiction(map: &Map<String, Value>) -> Option<String> {
    let number = |key: &str| map.get(key).and_then(Value::as_f64);
    for (low, high) in [
        ("minLength", "maxLength"),
        ("minimum", "maximum"),
        ("minItems", "maxItems"),
        ("minProperties", "maxProperties"),
        ("minContains", "maxContains"),
    ] {
        if let (Some(l), Some(h)) = (number(low), number(high)) {
            if l > h {
                return Some(format!("{low} {l} is above {high} {h}"));
            }
        }
    }
    if let (Some(l), Some(h)) = (number("exclusiveMinimum"), number("exclusiveMaximum")) {
        if l >= h {
            return Some(format!(
                "exclusiveMinimum {l} leaves nothing below exclusiveMaximum {h}"
            ));
        }
    }
    if let Some(Value::Array(options)) = map.get("enum") {
        if options.is_empty() {
            return Some("enum is empty, so no value matches".into());
        }
    }
    let types: Option<Vec<&str>> = match map.get("type") {
        Some(Value::String(t)) => Some(vec![t.as_str()]),
        Some(Value::Array(list)) => Some(list.iter().filter_map(Value::as_str).collect()),
        _ => None,
    };
    if let Some(types) = &types {
        if types.is_empty() {
            return Some("type is an empty list, so no value matches".into());
        }
        let fits = |v: &Value| types.iter().any(|t| has_type(v, t));
        if let Some(Value::Array(options)) = map.get("enum") {
            if !options.iter().any(fits) {
                return Some(format!("no enum value is of type {}", types.join(" or ")));
            }
        }
        if let Some(constant) = map.get("const") {
            if !fits(constant) {
                return Some(format!(
                    "const {constant} is not of type {}",
                    types.join(" or ")
                ));
            }
        }
    }
    let forbids_all = match map.get("not") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Object(m)) => m.is_empty(),
        _ => false,
    };
    if forbids_all {
        return Some("not {} rules out every value".into());
    }
    required_conflict(map)
}

/// A required property that the schema forbids: its subschema is `false`, or
/// `additionalProperties: false` leaves it out.
fn required_conflict(map: &Map<String, Value>) -> Option<String> {
    let Some(Value::Array(required)) = map.get("required") else {
        return None;
    };
    let properties = map.get("properties").and_then(Value::as_object);
    let closed = matches!(map.get("additionalProperties"), Some(Value::Bool(false)))
        && !map.contains_key("patternProperties");
    for name in required.iter().filter_map(Value::as_str) {
        match properties.and_then(|p| p.get(name)) {
            Some(Value::Bool(false)) => {
                return Some(format!(
                    "property \"{name}\" is required but its schema is false"
                ))
            }
            None if closed => {
                return Some(format!(
                    "property \"{name}\" is required but additionalProperties: false forbids it"
                ))
            }
            _ => {}
        }
    }
    let max = map.get("maxProperties").and_then(Value::as_u64)?;
    (required.len() as u64 > max).then(|| {
        format!(
            "{} properties are required but maxProperties is {max}",
            required.len()
        )
    })
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_contradictions_with_their_place() {
        let cases = [
            (
                json!({"type": "object", "properties": {"a": {"type": "string", "minLength": 5, "maxLength": 2}}}),
                "at /properties/a: minLength 5 is above maxLength 2",
            ),
            (
                json!({"type": "object", "properties": {"a": {"enum": []}}}),
                "enum is empty",
            ),
            (
                json!({"type": "object", "properties": {"a": {"type": "integer", "enum": ["x"]}}}),
                "no enum value is of type integer",
            ),
            (
                json!({"type": "object", "properties": {"a": false}, "required": ["a"]}),
                "its schema is false",
            ),
            (
                json!({"type": "object", "properties": {}, "additionalProperties": false, "required": ["a"]}),
                "additionalProperties: false forbids it",
            ),
            (
                json!({"type": "object", "properties": {"xs": {"type": "array", "items": {"type": "number", "minimum": 3, "maximum": 1}}}}),
                "at /properties/xs/items",
            ),
        ];
        for (schema, expected) in cases {
            let found = find(&schema).unwrap_or_default();
            assert!(found.contains(expected), "{schema}: {found}");
        }
    }

    #[test]
    fn satisfiable_schemas_pass() {
        let schema = json!({
            "type": "object",
            "properties": {
                "verdict": {"type": "string", "enum": ["ok", "bad"]},
                "score": {"type": ["number", "null"], "minimum": 0, "maximum": 10},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 0, "maxItems": 3}
            },
            "required": ["verdict"],
            "additionalProperties": false
        });
        assert_eq!(find(&schema), None);
    }
}
