//! `value_for_schema`: a small, deterministic value that validates against a JSON Schema.
//!
//! How it works: a schema is first flattened (`$ref` and `allOf` merged into one keyword map,
//! see `flat`), then a type is chosen and the type's generator reads the keywords it knows.
//! Combinators that need a decision (`anyOf`, `oneOf`, `if`) are decided by the random source,
//! and the few keywords that cannot be satisfied by construction (`not`, `oneOf`'s "only one",
//! `pattern`) are checked with the `jsonschema` validator and retried. Finally the whole value is
//! checked against the whole schema, and regenerated a few times if it still fails; a schema
//! that no value can satisfy gets a best-effort value, which the agent layer's own validation
//! then rejects like any other bad answer.

mod array;
pub(crate) mod check;
mod flat;
mod number;
mod object;
mod pattern;
mod refs;
mod string;

use serde_json::Value;

use crate::rng::SimRng;
use crate::vocab;
use check::Checker;
use flat::{type_list, Flat};

/// Nesting beyond which arrays take their minimum length, objects only their required
/// properties, and unions their non-recursive branches, so that recursive schemas end.
const SOFT_DEPTH: usize = 6;
/// Nesting beyond which generation gives up and answers `null`.
const HARD_DEPTH: usize = 48;
/// Tries at one level to satisfy `not`, `oneOf` exclusivity and unmergeable leftovers.
const LOCAL_ATTEMPTS: u64 = 24;
/// Whole-value regenerations when the final check fails.
const FINAL_ATTEMPTS: usize = 8;

/// A value that validates against `schema` (JSON Schema, draft 2020-12), the same for the same
/// schema and random state.
///
/// Strings come from a small vocabulary keyed by property names (`"finding 2"`,
/// `"summary of issue 1"`), arrays are empty or short, optional properties appear about half
/// the time, and numbers are small, so that scripts which loop until nothing new appears
/// converge. `pattern` is honoured through a generator for the common regex subset (see
/// `pattern`), checked with the validator's regex engine; a pattern outside that subset may
/// yield a non-matching string.
pub fn value_for_schema(schema: &Value, rng: &mut SimRng) -> Value {
    let mut generator = Generator::new(schema, rng);
    let first = generator.value(schema);
    let Some(validator) = check::compile(schema) else {
        // An invalid schema: the agent layer rejects it before any agent starts, so the value
        // does not matter.
        return first;
    };
    if validator.is_valid(&first) {
        return first;
    }
    for _ in 1..FINAL_ATTEMPTS {
        let again = generator.value(schema);
        if validator.is_valid(&again) {
            return again;
        }
    }
    first
}

/// The state of one generation: the document (for `$ref`s), the random source, the checker and
/// where in the document we are.
pub(crate) struct Generator<'a> {
    root: &'a Value,
    rng: &'a mut SimRng,
    checker: Checker<'a>,
    depth: usize,
    /// Property names on the way down (array items push their array's name in the singular);
    /// strings are named after the last one.
    names: Vec<String>,
    /// Widens the vocabulary and number windows, for `uniqueItems` retries.
    spread: u64,
}

impl<'a> Generator<'a> {
    pub(crate) fn new(root: &'a Value, rng: &'a mut SimRng) -> Self {
        Generator {
            root,
            rng,
            checker: Checker::new(root),
            depth: 0,
            names: Vec::new(),
            spread: 0,
        }
    }

    /// A value for `schema`, a subschema of the root.
    pub(crate) fn value(&mut self, schema: &Value) -> Value {
        if self.depth > HARD_DEPTH {
            return Value::Null;
        }
        self.depth += 1;
        let flat = Flat::of(self.root, schema);
        let value = self.value_of_flat(flat);
        self.depth -= 1;
        value
    }

    /// A value for `schema` named `name` (a property, or an array's items).
    pub(crate) fn named_value(&mut self, name: String, schema: &Value) -> Value {
        self.names.push(name);
        let value = self.value(schema);
        self.names.pop();
        value
    }

    fn deep(&self) -> bool {
        self.depth > SOFT_DEPTH
    }

    fn value_of_flat(&mut self, flat: Flat) -> Value {
        if flat.is_plain() {
            return self.plain_value(&flat);
        }
        let mut last = Value::Null;
        // The first `anyOf`/`oneOf` takes its branches in turn from a random start, so that
        // every branch gets its share of the attempts.
        let rotation = self.rng.next_u64();
        for attempt in 0..LOCAL_ATTEMPTS {
            let (mut decided, must_not, must) = self.decide(&flat, rotation.wrapping_add(attempt));
            if !must_not.is_empty()
                && !decided.kw.contains_key("type")
                && inferred_type(&decided).is_none()
            {
                // "Anything but ...": the small scalars of `{}` may all be excluded, so widen the
                // choice to every type.
                decided
                    .kw
                    .insert("type".to_string(), serde_json::json!(TYPE_NAMES));
            }
            let value = self.plain_value(&decided);
            if decided.impossible {
                last = value;
                continue;
            }
            let fine = must_not
                .iter()
                .all(|s| self.checker.matches(s, &value) != Some(true))
                && must
                    .iter()
                    .all(|s| self.checker.matches(s, &value) != Some(false));
            if fine {
                return value;
            }
            last = value;
        }
        last
    }

    /// Picks a branch of every `anyOf`/`oneOf` and a side of every `if`, merging the picks in.
    /// Returns the decided schema, the schemas the value must not match (`not`, the other
    /// branches of a `oneOf`, a failed `if`), and those it must also match.
    fn decide(&mut self, flat: &Flat, rotation: u64) -> (Flat, Vec<Value>, Vec<Value>) {
        let mut decided = flat.clone();
        let mut rotation = Some(rotation);
        let mut must_not = Vec::new();
        let mut must = Vec::new();
        // Bounded: a branch may bring its own choices, and a recursive one could do so forever.
        for _ in 0..64 {
            must_not.append(&mut decided.nots);
            must.append(&mut decided.extras);
            if let Some(choice) = decided.choices.pop() {
                let pick = match rotation.take() {
                    Some(r) if !self.deep() => (r % choice.branches.len() as u64) as usize,
                    _ => self.pick_branch(&choice.branches),
                };
                if choice.one_of {
                    let others = choice
                        .branches
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != pick);
                    must_not.extend(others.map(|(_, b)| b.clone()));
                }
                decided.merge(Flat::of(self.root, &choice.branches[pick]));
            } else if let Some(cond) = decided.conditionals.pop() {
                if self.rng.coin() {
                    must.push(cond.condition);
                    if let Some(then) = cond.then {
                        decided.merge(Flat::of(self.root, &then));
                    }
                } else {
                    must_not.push(cond.condition);
                    if let Some(otherwise) = cond.otherwise {
                        decided.merge(Flat::of(self.root, &otherwise));
                    }
                }
            } else {
                break;
            }
        }
        decided.choices.clear();
        decided.conditionals.clear();
        (decided, must_not, must)
    }

    /// A branch index; when deep, branches that cannot recurse (scalars, `null`) are preferred.
    fn pick_branch(&mut self, branches: &[Value]) -> usize {
        if self.deep() {
            let shallow: Vec<usize> = (0..branches.len())
                .filter(|&i| {
                    let f = Flat::of(self.root, &branches[i]);
                    f.types()
                        .is_some_and(|t| t.iter().all(|t| !matches!(*t, "object" | "array")))
                })
                .collect();
            if !shallow.is_empty() {
                return shallow[self.rng.index(shallow.len())];
            }
        }
        self.rng.index(branches.len())
    }

    /// A value for a schema with nothing left to decide.
    fn plain_value(&mut self, flat: &Flat) -> Value {
        if flat.impossible {
            return Value::Null;
        }
        if let Some(constant) = flat.kw.get("const") {
            return constant.clone();
        }
        if let Some(Value::Array(options)) = flat.kw.get("enum") {
            return self.enum_value(flat, options);
        }
        match self.pick_type(flat) {
            "object" => object::generate(self, flat),
            "array" => array::generate(self, flat),
            "string" => string::generate(self, flat),
            "integer" => number::integer(self, flat),
            "number" => number::number(self, flat),
            "boolean" => Value::Bool(self.rng.coin()),
            _ => Value::Null,
        }
    }

    /// One of the `enum` values, preferring those that fit the schema's other keywords.
    fn enum_value(&mut self, flat: &Flat, options: &[Value]) -> Value {
        if options.is_empty() {
            return Value::Null;
        }
        let mut rest = flat.kw.clone();
        rest.remove("enum");
        if !flat.more_patterns.is_empty() {
            let patterns = flat
                .more_patterns
                .iter()
                .map(|p| serde_json::json!({"pattern": p}));
            rest.insert("allOf".to_string(), Value::Array(patterns.collect()));
        }
        let constrained = rest.keys().any(|k| !is_annotation(k));
        let rest = Value::Object(rest);
        let fitting: Vec<&Value> = options
            .iter()
            .filter(|v| !constrained || self.checker.matches(&rest, v) != Some(false))
            .collect();
        if fitting.is_empty() {
            return options[self.rng.index(options.len())].clone();
        }
        fitting[self.rng.index(fitting.len())].clone()
    }

    /// The JSON type to generate: one of `type` (a list is a union: pick one), or inferred from
    /// the keywords present, or (for `{}` and `true`) any small scalar.
    fn pick_type(&mut self, flat: &Flat) -> &'static str {
        const SCALARS: [&str; 4] = ["string", "integer", "boolean", "null"];
        let declared: Vec<&'static str> = match flat.kw.get("type") {
            Some(t) => type_list(t).into_iter().filter_map(static_type).collect(),
            None => match inferred_type(flat) {
                Some(t) => vec![t],
                None if self.deep() => vec!["null"],
                None => SCALARS.to_vec(),
            },
        };
        if declared.is_empty() {
            return "null";
        }
        if self.deep() {
            let shallow: Vec<&'static str> = declared
                .iter()
                .copied()
                .filter(|t| !matches!(*t, "object" | "array"))
                .collect();
            if !shallow.is_empty() {
                return shallow[self.rng.index(shallow.len())];
            }
        }
        declared[self.rng.index(declared.len())]
    }

    /// The name strings are keyed by, and the name of the object around it.
    fn string_key(&self, flat: &Flat) -> (String, Option<String>) {
        let mut names = self.names.iter().rev().map(|n| vocab::words_of(n));
        match names.next() {
            Some(key) if !key.is_empty() => (key, names.next().map(|p| vocab::singular(&p))),
            _ => {
                let described = flat
                    .kw
                    .get("description")
                    .and_then(Value::as_str)
                    .map(vocab::key_from_description)
                    .unwrap_or_default();
                (described, None)
            }
        }
    }

    /// A variant number for strings and small numbers: `1..=3`, widened by `spread`.
    fn variant(&mut self) -> u64 {
        1 + self.rng.below(vocab::VARIANTS + self.spread)
    }
}

const TYPE_NAMES: [&str; 7] = [
    "object", "array", "string", "integer", "number", "boolean", "null",
];

fn static_type(t: &str) -> Option<&'static str> {
    TYPE_NAMES.into_iter().find(|s| *s == t)
}

/// The type a schema without `type` describes, from the keywords it uses.
fn inferred_type(flat: &Flat) -> Option<&'static str> {
    let has = |keys: &[&str]| keys.iter().any(|k| flat.kw.contains_key(*k));
    if has(&[
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "minProperties",
        "maxProperties",
        "propertyNames",
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
    ]) {
        Some("object")
    } else if has(&[
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "contains",
        "uniqueItems",
        "unevaluatedItems",
    ]) {
        Some("array")
    } else if has(&["minLength", "maxLength", "pattern", "format"]) {
        Some("string")
    } else if has(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]) {
        Some("number")
    } else {
        None
    }
}

/// Keywords that constrain nothing.
fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "description"
            | "title"
            | "$comment"
            | "examples"
            | "default"
            | "deprecated"
            | "readOnly"
            | "writeOnly"
            | "$id"
            | "$schema"
            | "$anchor"
            | "$dynamicAnchor"
            | "$defs"
            | "definitions"
            | "$vocabulary"
            | "contentMediaType"
            | "contentEncoding"
    )
}

#[cfg(test)]
pub(crate) fn first_attempt(schema: &Value, rng: &mut SimRng) -> Value {
    Generator::new(schema, rng).value(schema)
}

#[cfg(test)]
mod tests;
