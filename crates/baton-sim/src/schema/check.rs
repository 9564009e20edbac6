//! `Checker`: asks the `jsonschema` validator whether a value matches a subschema.
//!
//! Used only where generation cannot be right by construction (`not`, the other branches of a
//! `oneOf`, `pattern`, leftovers of `allOf` merging) and for the final check of the whole value,
//! so plain schemas never pay for compiling a validator.

use std::collections::HashMap;

use jsonschema::Validator;
use serde_json::{json, Map, Value};

/// Where the checked subschema is placed inside the document built around it.
const TARGET: &str = "__baton_sim_target";

pub(crate) struct Checker<'a> {
    root: &'a Value,
    /// Compiled validators by the subschema's JSON text; `None` when it did not compile.
    cache: HashMap<String, Option<Validator>>,
}

impl<'a> Checker<'a> {
    pub(crate) fn new(root: &'a Value) -> Self {
        Checker {
            root,
            cache: HashMap::new(),
        }
    }

    /// Whether `value` matches `schema` (a subschema of the root, so its local `$ref`s resolve);
    /// `None` when the schema cannot be compiled, and the caller must go on without knowing.
    pub(crate) fn matches(&mut self, schema: &Value, value: &Value) -> Option<bool> {
        match schema {
            Value::Bool(b) => return Some(*b),
            Value::Object(map) if map.is_empty() => return Some(true),
            _ => {}
        }
        let key = schema.to_string();
        let root = self.root;
        let validator = self
            .cache
            .entry(key)
            .or_insert_with(|| compile(&document_for(root, schema)));
        validator.as_ref().map(|v| v.is_valid(value))
    }

    /// Whether `text` matches the regular expression `pattern`, as the validator reads it.
    pub(crate) fn pattern_matches(&mut self, pattern: &str, text: &str) -> Option<bool> {
        self.matches(
            &json!({ "pattern": pattern }),
            &Value::String(text.to_string()),
        )
    }
}

/// Compiles `schema` as draft 2020-12 with formats asserted: the sim's own formats are valid, and
/// asserting them makes `not: {format: ...}` checks mean something.
pub(crate) fn compile(schema: &Value) -> Option<Validator> {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .ok()
}

/// A document that validates against `schema` while keeping the root's `$defs`, `definitions`
/// and `$id`, so that the subschema's local references still resolve.
fn document_for(root: &Value, schema: &Value) -> Value {
    if std::ptr::eq(root, schema) {
        return schema.clone();
    }
    let mut doc = Map::new();
    let mut defs = root
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    defs.insert(TARGET.to_string(), schema.clone());
    doc.insert("$defs".to_string(), Value::Object(defs));
    for key in ["definitions", "$id"] {
        if let Some(v) = root.get(key) {
            doc.insert(key.to_string(), v.clone());
        }
    }
    doc.insert("$ref".to_string(), json!(format!("#/$defs/{TARGET}")));
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_subschemas_with_root_references() {
        let root = json!({"$defs": {"name": {"type": "string", "minLength": 2}}});
        let mut checker = Checker::new(&root);
        let sub = json!({"$ref": "#/$defs/name"});
        assert_eq!(checker.matches(&sub, &json!("ab")), Some(true));
        assert_eq!(checker.matches(&sub, &json!("a")), Some(false));
        assert_eq!(checker.matches(&json!(false), &json!("a")), Some(false));
        assert_eq!(checker.matches(&json!({"type": "nope"}), &json!(1)), None);
    }

    #[test]
    fn patterns_follow_the_validator() {
        let root = json!({});
        let mut checker = Checker::new(&root);
        assert_eq!(
            checker.pattern_matches("^[a-z]+-\\d{2}$", "abc-12"),
            Some(true)
        );
        assert_eq!(
            checker.pattern_matches("^[a-z]+-\\d{2}$", "abc-1"),
            Some(false)
        );
        assert_eq!(checker.pattern_matches("(", "x"), None);
    }

    #[test]
    fn formats_are_asserted() {
        let root = json!({});
        let mut checker = Checker::new(&root);
        let email = json!({"format": "email"});
        assert_eq!(
            checker.matches(&email, &json!("not an address")),
            Some(false)
        );
        assert_eq!(checker.matches(&email, &json!("a@example.com")), Some(true));
    }
}
