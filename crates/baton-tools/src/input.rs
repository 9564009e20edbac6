//! Reading a tool call's JSON input field by field, with errors that name the field and the
//! type it should have.
//!
//! Models send what they send: `null` for an absent optional field, numbers as strings, and
//! now and then a field of the wrong type. Absent and `null` mean the same, numeric and boolean
//! strings are accepted, and anything else is an error the model can correct.

use serde_json::{Map, Value};

/// A tool call's input object.
pub(crate) struct Input<'a> {
    tool: &'static str,
    fields: &'a Map<String, Value>,
}

impl<'a> Input<'a> {
    pub(crate) fn new(tool: &'static str, value: &'a Value) -> Result<Self, String> {
        match value {
            Value::Object(fields) => Ok(Input { tool, fields }),
            other => Err(format!(
                "{tool}: the input must be a JSON object with the tool's fields, got {}.",
                type_name(other)
            )),
        }
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.fields.get(field).filter(|v| !v.is_null())
    }

    fn wrong_type(&self, field: &str, expected: &str, got: &Value) -> String {
        format!(
            "{}: the field `{field}` must be {expected}, got {}.",
            self.tool,
            type_name(got)
        )
    }

    /// A required string field.
    pub(crate) fn string(&self, field: &str) -> Result<&'a str, String> {
        self.opt_string(field)?.ok_or_else(|| {
            format!(
                "{}: the required field `{field}` (a string) is missing.",
                self.tool
            )
        })
    }

    pub(crate) fn opt_string(&self, field: &str) -> Result<Option<&'a str>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong_type(field, "a string", other)),
        }
    }

    pub(crate) fn opt_bool(&self, field: &str) -> Result<Option<bool>, String> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s == "true" => Ok(Some(true)),
            Some(Value::String(s)) if s == "false" => Ok(Some(false)),
            Some(other) => Err(self.wrong_type(field, "a boolean", other)),
        }
    }

    /// An optional non-negative integer; `10.0` and `"10"` count as 10.
    pub(crate) fn opt_count(&self, field: &str) -> Result<Option<u64>, String> {
        let value = match self.get(field) {
            None => return Ok(None),
            Some(v) => v,
        };
        let parsed = match value {
            Value::Number(n) => n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u64::MAX as f64)
                    .map(|f| f as u64)
            }),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        parsed
            .map(Some)
            .ok_or_else(|| self.wrong_type(field, "a non-negative integer", value))
    }
}

/// How a JSON value is named in error messages.
fn type_name(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() <= 40 => format!("the string {s:?}"),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_and_null_are_the_same() {
        let v = json!({"a": null});
        let input = Input::new("T", &v).unwrap();
        assert_eq!(input.opt_string("a").unwrap(), None);
        assert_eq!(input.opt_count("b").unwrap(), None);
        assert!(input.string("a").unwrap_err().contains("`a`"));
    }

    #[test]
    fn counts_accept_whole_floats_and_numeric_strings() {
        let v = json!({"a": 10.0, "b": "7", "c": -1, "d": 1.5, "e": "x"});
        let input = Input::new("T", &v).unwrap();
        assert_eq!(input.opt_count("a").unwrap(), Some(10));
        assert_eq!(input.opt_count("b").unwrap(), Some(7));
        for field in ["c", "d", "e"] {
            let err = input.opt_count(field).unwrap_err();
            assert!(err.contains(&format!("`{field}`")), "{err}");
            assert!(err.contains("non-negative integer"), "{err}");
        }
    }

    #[test]
    fn non_objects_are_rejected() {
        let v = json!("just a string");
        assert!(Input::new("Read", &v).is_err_and(|e| e.contains("JSON object")));
    }
}
