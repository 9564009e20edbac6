//! Checks an agent's `schema` before any request: it must be a valid JSON Schema whose root
//! describes an object, and one that some value can satisfy (SPEC §3: otherwise `agent()`
//! rejects and no agent starts).

mod contradiction;

use serde_json::Value;

pub fn check_schema(schema: &Value) -> Result<(), String> {
    let Value::Object(root) = schema else {
        return Err(format!(
            "invalid schema: the root must be an object schema like {{\"type\": \"object\", \"properties\": {{…}}}}, got {schema}"
        ));
    };
    let describes_object = match root.get("type") {
        Some(Value::String(kind)) => kind == "object",
        Some(Value::Array(kinds)) => kinds.iter().all(|k| k == "object"),
        Some(_) => false,
        None => root.contains_key("properties"),
    };
    if !describes_object {
        return Err(
            "invalid schema: the root must describe an object (\"type\": \"object\"); wrap other values in a property".into(),
        );
    }
    jsonschema::validator_for(schema).map_err(|error| format!("invalid schema: {error}"))?;
    match contradiction::find(schema) {
        Some(problem) => Err(format!(
            "invalid schema: no value can satisfy it ({problem})"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_object_schemas() {
        check_schema(&json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}}}))
            .unwrap();
        check_schema(&json!({"properties": {"a": {"enum": [1, 2]}}, "required": ["a"]})).unwrap();
    }

    #[test]
    fn refuses_non_object_roots_and_invalid_schemas() {
        assert!(check_schema(&json!({"type": "string"})).is_err());
        assert!(check_schema(&json!([1])).is_err());
        assert!(check_schema(&json!({"type": ["object", "null"]})).is_err());
        let bad = check_schema(&json!({"type": "object", "properties": {"a": {"type": "strnig"}}}))
            .unwrap_err();
        assert!(bad.starts_with("invalid schema"), "{bad}");
    }
}
