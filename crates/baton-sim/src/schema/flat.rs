//! `Flat`: one schema with its `$ref` and `allOf` parts merged in, and the parts that need a
//! choice (`anyOf`, `oneOf`, `if`) or a check (`not`, unmergeable leftovers) set aside.
//!
//! Generating from a single merged keyword map is what makes `allOf` and `$ref` cheap: the
//! type generators only ever look at one map. Merging is exact for the common keywords (types,
//! properties, required, bounds, enums); anything else that two parts both constrain differently
//! becomes an `extra`, which the generated value is checked against afterwards.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::refs;

/// How many `$ref` hops one flattening follows; a chain this long is a cycle.
const MAX_REF_HOPS: usize = 32;

/// An `anyOf` or `oneOf` still to be decided.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub one_of: bool,
    pub branches: Vec<Value>,
}

/// An `if`/`then`/`else` still to be decided.
#[derive(Debug, Clone)]
pub(crate) struct Conditional {
    pub condition: Value,
    pub then: Option<Value>,
    pub otherwise: Option<Value>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Flat {
    /// Merged keywords, without `$ref`, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`.
    pub kw: Map<String, Value>,
    pub choices: Vec<Choice>,
    pub conditionals: Vec<Conditional>,
    /// Schemas the value must not match (`not`).
    pub nots: Vec<Value>,
    /// Schemas the value must also match, which could not be merged into `kw`.
    pub extras: Vec<Value>,
    /// Further `pattern`s beyond `kw["pattern"]`, from merged parts; the string generator
    /// meets them all (regexes do not merge into one without lookaheads).
    pub more_patterns: Vec<String>,
    /// Property names allowed by the parts saying `additionalProperties: false`; `None` when
    /// no part restricts them. Kept apart because the restriction applies per part.
    pub allowed: Option<BTreeSet<String>>,
    /// A `false` schema or contradictory types were merged: nothing can match.
    pub impossible: bool,
}

impl Flat {
    /// Flattens `schema`, resolving `$ref`s against `root`.
    pub(crate) fn of(root: &Value, schema: &Value) -> Flat {
        flatten(root, schema, 0)
    }

    /// True when generating from `kw` alone gives a valid value, with no choice or check left.
    pub(crate) fn is_plain(&self) -> bool {
        self.choices.is_empty()
            && self.conditionals.is_empty()
            && self.nots.is_empty()
            && self.extras.is_empty()
    }

    /// The declared types, if any (`type` as a string or a list).
    pub(crate) fn types(&self) -> Option<Vec<&str>> {
        self.kw.get("type").map(type_list)
    }

    /// Adds every constraint of `other` to `self`.
    pub(crate) fn merge(&mut self, other: Flat) {
        self.impossible |= other.impossible;
        self.choices.extend(other.choices);
        self.conditionals.extend(other.conditionals);
        self.nots.extend(other.nots);
        self.extras.extend(other.extras);
        self.more_patterns.extend(other.more_patterns);
        if let Some(theirs) = other.allowed {
            self.allowed = Some(match self.allowed.take() {
                Some(ours) => ours.intersection(&theirs).cloned().collect(),
                None => theirs,
            });
        }
        for (key, value) in other.kw {
            self.merge_keyword(key, value);
        }
    }

    fn merge_keyword(&mut self, key: String, value: Value) {
        let Some(ours) = self.kw.get_mut(&key) else {
            self.kw.insert(key, value);
            return;
        };
        if *ours == value {
            return;
        }
        match key.as_str() {
            "type" => {
                let both = intersect_types(&type_list(ours), &type_list(&value));
                self.impossible |= both.is_empty();
                *ours = Value::Array(both.into_iter().map(Value::from).collect());
            }
            "properties" | "patternProperties" | "dependentSchemas" => {
                if let (Some(ours), Value::Object(theirs)) = (ours.as_object_mut(), value) {
                    for (name, schema) in theirs {
                        match ours.get_mut(&name) {
                            Some(existing) => *existing = all_of(existing.take(), schema),
                            None => {
                                ours.insert(name, schema);
                            }
                        }
                    }
                }
            }
            "required" => {
                if let (Some(ours), Value::Array(theirs)) = (ours.as_array_mut(), value) {
                    for name in theirs {
                        if !ours.contains(&name) {
                            ours.push(name);
                        }
                    }
                }
            }
            "dependentRequired" => {
                if let (Some(ours), Value::Object(theirs)) = (ours.as_object_mut(), value) {
                    for (name, needs) in theirs {
                        let entry = ours.entry(name).or_insert_with(|| json!([]));
                        if let (Some(list), Value::Array(needs)) = (entry.as_array_mut(), needs) {
                            for need in needs {
                                if !list.contains(&need) {
                                    list.push(need);
                                }
                            }
                        }
                    }
                }
            }
            "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties"
            | "minContains" => {
                if let (Some(a), Some(b)) = (ours.as_f64(), value.as_f64()) {
                    if b > a {
                        *ours = value;
                    }
                } else {
                    self.extras.push(json!({ key: value }));
                }
            }
            "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties"
            | "maxContains" => {
                if let (Some(a), Some(b)) = (ours.as_f64(), value.as_f64()) {
                    if b < a {
                        *ours = value;
                    }
                } else {
                    self.extras.push(json!({ key: value }));
                }
            }
            "enum" => {
                if let (Some(ours), Value::Array(theirs)) = (ours.as_array_mut(), value) {
                    ours.retain(|v| theirs.contains(v));
                    self.impossible |= ours.is_empty();
                }
            }
            "uniqueItems" => {
                if value == Value::Bool(true) {
                    *ours = value;
                }
            }
            "items"
            | "additionalProperties"
            | "contains"
            | "propertyNames"
            | "unevaluatedItems"
            | "unevaluatedProperties" => {
                *ours = all_of(ours.take(), value);
            }
            "prefixItems" => {
                if let (Some(ours), Value::Array(theirs)) = (ours.as_array_mut(), value) {
                    for (i, schema) in theirs.into_iter().enumerate() {
                        match ours.get_mut(i) {
                            Some(existing) => *existing = all_of(existing.take(), schema),
                            None => ours.push(schema),
                        }
                    }
                }
            }
            "pattern" => match value {
                Value::String(p) => self.more_patterns.push(p),
                other => self.extras.push(json!({ key: other })),
            },
            "multipleOf" => match combine_multiples(ours, &value) {
                Some(both) => *ours = both,
                None => self.extras.push(json!({ key: value })),
            },
            // Annotations: the first one wins, they constrain nothing.
            "description" | "title" | "$comment" | "examples" | "default" | "deprecated"
            | "readOnly" | "writeOnly" | "$id" | "$schema" | "$anchor" | "$dynamicAnchor"
            | "$defs" | "definitions" | "$vocabulary" | "contentMediaType" | "contentEncoding" => {}
            // `const`, `pattern`, `format` and the rest: keep ours, check theirs afterwards.
            _ => self.extras.push(json!({ key: value })),
        }
    }
}

fn flatten(root: &Value, schema: &Value, hops: usize) -> Flat {
    let mut flat = Flat::default();
    let map = match schema {
        Value::Object(map) => map,
        Value::Bool(false) => {
            flat.impossible = true;
            return flat;
        }
        // `true`, and anything that is not a schema at all, constrain nothing.
        _ => return flat,
    };
    let mut parts = Vec::new();
    let mut conditional = Conditional {
        condition: Value::Bool(true),
        then: None,
        otherwise: None,
    };
    let mut has_if = false;
    for (key, value) in map {
        match key.as_str() {
            "$ref" | "$dynamicRef" | "$recursiveRef" => {
                let target = value.as_str().and_then(|r| refs::resolve(root, r));
                match target {
                    Some(target) if hops < MAX_REF_HOPS => {
                        parts.push(flatten(root, target, hops + 1));
                    }
                    // A cycle of pure references matches nothing finite; say so.
                    Some(_) => flat.impossible = true,
                    None => {}
                }
            }
            "allOf" => {
                for branch in value.as_array().into_iter().flatten() {
                    parts.push(flatten(root, branch, hops));
                }
            }
            "anyOf" | "oneOf" => {
                if let Some(branches) = value.as_array().filter(|b| !b.is_empty()) {
                    flat.choices.push(Choice {
                        one_of: key == "oneOf",
                        branches: branches.clone(),
                    });
                }
            }
            "not" => flat.nots.push(value.clone()),
            "if" => {
                has_if = true;
                conditional.condition = value.clone();
            }
            "then" => conditional.then = Some(value.clone()),
            "else" => conditional.otherwise = Some(value.clone()),
            "additionalProperties" => {
                if *value == Value::Bool(false) {
                    let names = map
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|p| p.keys().cloned().collect())
                        .unwrap_or_default();
                    flat.allowed = Some(names);
                }
                flat.kw.insert(key.clone(), value.clone());
            }
            "type" => {
                // An unknown type name, or an empty list, matches nothing.
                let list = type_list(value);
                flat.impossible |= list.is_empty();
                flat.kw.insert(key.clone(), value.clone());
            }
            _ => {
                flat.kw.insert(key.clone(), value.clone());
            }
        }
    }
    // `then`/`else` without `if` have no effect, as in the specification.
    if has_if {
        flat.conditionals.push(conditional);
    }
    for part in parts {
        flat.merge(part);
    }
    flat
}

/// `{"allOf": [a, b]}`, flattening nested `allOf`s so repeated merges stay shallow.
fn all_of(a: Value, b: Value) -> Value {
    let mut parts = Vec::new();
    for schema in [a, b] {
        match schema {
            Value::Bool(true) => {}
            Value::Object(ref map) if map.len() == 1 && map.contains_key("allOf") => {
                if let Some(Value::Array(inner)) = map.get("allOf") {
                    parts.extend(inner.iter().cloned());
                }
            }
            other => parts.push(other),
        }
    }
    match parts.len() {
        0 => Value::Bool(true),
        1 => parts.pop().unwrap_or(Value::Bool(true)),
        _ => json!({ "allOf": parts }),
    }
}

const TYPE_NAMES: [&str; 7] = [
    "object", "array", "string", "integer", "number", "boolean", "null",
];

/// `type` as a list of known type names (unknown names are dropped).
pub(crate) fn type_list(value: &Value) -> Vec<&str> {
    let names: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for name in names {
        if TYPE_NAMES.contains(&name) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The types both lists accept; `integer` is the part of `number` that is whole.
fn intersect_types<'a>(a: &[&'a str], b: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    for &t in a {
        let keep = if b.contains(&t) {
            Some(t)
        } else if (t == "integer" && b.contains(&"number"))
            || (t == "number" && b.contains(&"integer"))
        {
            Some("integer")
        } else {
            None
        };
        if let Some(t) = keep.filter(|t| !out.contains(t)) {
            out.push(t);
        }
    }
    out
}

/// One `multipleOf` implying both, when there is an easy one: the least common multiple of two
/// integers, or the larger of two numbers when it is a whole multiple of the smaller.
fn combine_multiples(a: &Value, b: &Value) -> Option<Value> {
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        if x == 0 || y == 0 {
            return None;
        }
        let lcm = (x / gcd(x, y)).checked_mul(y)?;
        return Some(Value::from(lcm));
    }
    let (x, y) = (a.as_f64()?, b.as_f64()?);
    let (small, large) = if x < y { (x, y) } else { (y, x) };
    let ratio = large / small;
    if small > 0.0 && (ratio - ratio.round()).abs() < 1e-9 {
        Some(if x < y { b.clone() } else { a.clone() })
    } else {
        None
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(schema: Value) -> Flat {
        Flat::of(&schema, &schema)
    }

    #[test]
    fn all_of_and_refs_merge() {
        let f = flat(json!({
            "$defs": {"base": {"type": "object", "properties": {"a": {"type": "string"}},
                               "required": ["a"]}},
            "allOf": [
                {"$ref": "#/$defs/base"},
                {"properties": {"b": {"type": "integer", "minimum": 3}}, "required": ["b"]},
                {"properties": {"b": {"maximum": 9}}, "minProperties": 1}
            ]
        }));
        assert!(f.is_plain());
        assert_eq!(f.kw["type"], json!("object"));
        assert_eq!(f.kw["required"], json!(["a", "b"]));
        assert_eq!(
            f.kw["properties"]["b"],
            json!({"allOf": [{"type": "integer", "minimum": 3}, {"maximum": 9}]})
        );
    }

    #[test]
    fn bounds_types_and_enums_intersect() {
        let f = flat(json!({
            "allOf": [
                {"type": ["number", "string"], "minimum": 1, "maxLength": 9, "enum": [1, 2, "x"]},
                {"type": "integer", "minimum": 4, "maxLength": 5, "enum": [2, 1]}
            ]
        }));
        assert_eq!(f.kw["type"], json!(["integer"]));
        assert_eq!(f.kw["minimum"], json!(4));
        assert_eq!(f.kw["maxLength"], json!(5));
        assert_eq!(f.kw["enum"], json!([1, 2]));
        assert!(!f.impossible);
        assert!(flat(json!({"allOf": [{"type": "string"}, {"type": "integer"}]})).impossible);
        assert!(flat(json!({"allOf": [{"enum": [1]}, {"enum": [2]}]})).impossible);
    }

    #[test]
    fn choices_and_checks_are_set_aside() {
        let f = flat(json!({
            "anyOf": [{"type": "string"}], "not": {"const": 1},
            "allOf": [{"pattern": "^a"}, {"pattern": "b$"}],
            "if": {"minimum": 0}, "then": {"multipleOf": 2}
        }));
        assert_eq!(f.choices.len(), 1);
        assert_eq!(f.nots, vec![json!({"const": 1})]);
        assert_eq!(f.more_patterns, vec!["b$".to_string()]);
        assert!(f.extras.is_empty());
        assert_eq!(f.conditionals.len(), 1);
        assert!(!f.is_plain());
    }

    #[test]
    fn additional_properties_false_restricts_names_per_part() {
        let f = flat(json!({"allOf": [
            {"properties": {"a": {}, "b": {}}, "additionalProperties": false},
            {"properties": {"b": {}, "c": {}}}
        ]}));
        let allowed: Vec<&str> = f.allowed.iter().flatten().map(String::as_str).collect();
        assert_eq!(allowed, ["a", "b"]);
    }

    #[test]
    fn multiples_combine() {
        assert_eq!(combine_multiples(&json!(4), &json!(6)), Some(json!(12)));
        assert_eq!(
            combine_multiples(&json!(0.5), &json!(1.5)),
            Some(json!(1.5))
        );
        assert_eq!(combine_multiples(&json!(0.4), &json!(1.5)), None);
    }

    #[test]
    fn reference_cycles_terminate() {
        let f = flat(
            json!({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
                            "$ref": "#/$defs/a"}),
        );
        assert!(f.impossible);
    }
}
