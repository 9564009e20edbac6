//! Structured output: the `StructuredOutput` tool whose input schema is the caller's schema,
//! and the check of what the model put in it.

use baton_model::ToolSpec;
use serde_json::Value;

pub const TOOL_NAME: &str = "StructuredOutput";

/// Attempts the model gets at a valid answer (SPEC §3), counting the first.
pub const MAX_ATTEMPTS: u32 = 5;

pub fn tool_spec(schema: &Value) -> ToolSpec {
    ToolSpec {
        name: TOOL_NAME.to_string(),
        description: "Return your final answer as structured data. Call this exactly once, when \
                      you are done; the input must match the schema. If it does not, you get the \
                      validation errors back and can call it again."
            .to_string(),
        input_schema: schema.clone(),
        hosted: None,
    }
}

/// A compiled schema. The engine has already refused invalid schemas before the agent started.
pub struct OutputCheck {
    validator: jsonschema::Validator,
}

impl OutputCheck {
    pub fn new(schema: &Value) -> Result<OutputCheck, String> {
        jsonschema::validator_for(schema)
            .map(|validator| OutputCheck { validator })
            .map_err(|e| format!("invalid schema: {e}"))
    }

    /// `Ok` when `value` validates; otherwise every validation error, one per line.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let errors: Vec<String> = self
            .validator
            .iter_errors(value)
            .map(|error| {
                let at = error.instance_path().to_string();
                if at.is_empty() {
                    error.to_string()
                } else {
                    format!("at {at}: {error}")
                }
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reports_every_error_with_its_place() {
        let check = OutputCheck::new(&json!({
            "type": "object",
            "properties": {"n": {"type": "integer"}, "tags": {"type": "array", "items": {"type": "string"}}},
            "required": ["n"]
        }))
        .unwrap();
        assert!(check.check(&json!({"n": 1, "tags": ["a"]})).is_ok());
        let errors = check.check(&json!({"tags": [1]})).unwrap_err();
        assert!(errors.contains("\"n\" is a required property"), "{errors}");
        assert!(errors.contains("at /tags/0"), "{errors}");
    }
}
