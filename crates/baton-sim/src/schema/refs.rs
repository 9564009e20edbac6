//! Resolution of local `$ref`s (`#/$defs/x`, `#/definitions/x`, any JSON pointer, `#anchor`).
//!
//! Only references into the schema document itself are followed: the sim does no IO, and real
//! scripts pass self-contained schemas. A reference that cannot be resolved is ignored, so its
//! part of the schema is generated as if it said nothing (the final check then decides).

use serde_json::Value;

/// The subschema `reference` points at inside `root`, if it is a local reference.
pub(crate) fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    // A reference naming the root's own `$id` before the fragment is local too.
    let fragment = match reference.split_once('#') {
        Some((base, fragment)) if base.is_empty() || Some(base) == root_id(root) => fragment,
        Some(_) => return None,
        None if Some(reference) == root_id(root) => "",
        None => return None,
    };
    let fragment = percent_decode(fragment)?;
    if fragment.is_empty() {
        return Some(root);
    }
    if fragment.starts_with('/') {
        return root.pointer(&fragment);
    }
    find_anchor(root, &fragment)
}

fn root_id(root: &Value) -> Option<&str> {
    root.get("$id")
        .and_then(Value::as_str)
        .map(|id| id.trim_end_matches('#'))
}

/// The schema object declaring `$anchor` (or `$dynamicAnchor`) `name`, searched depth first.
fn find_anchor<'a>(node: &'a Value, name: &str) -> Option<&'a Value> {
    match node {
        Value::Object(map) => {
            let declares = |key: &str| map.get(key).and_then(Value::as_str) == Some(name);
            if declares("$anchor") || declares("$dynamicAnchor") {
                return Some(node);
            }
            map.values().find_map(|v| find_anchor(v, name))
        }
        Value::Array(items) => items.iter().find_map(|v| find_anchor(v, name)),
        _ => None,
    }
}

/// Decodes `%XX` escapes in a URI fragment (`#/$defs/a%20b`); `None` when malformed.
fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_string());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn local_references() {
        let root = json!({
            "$id": "https://example.com/s.json",
            "$defs": {"a": {"type": "string"}, "b c": {"type": "integer"}, "x/y": {"const": 1}},
            "definitions": {"old": {"type": "boolean"}},
            "properties": {"p": {"$anchor": "here", "type": "null"}}
        });
        assert_eq!(
            resolve(&root, "#/$defs/a"),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(
            resolve(&root, "#/$defs/b%20c"),
            Some(&json!({"type": "integer"}))
        );
        assert_eq!(resolve(&root, "#/$defs/x~1y"), Some(&json!({"const": 1})));
        assert_eq!(
            resolve(&root, "#/definitions/old"),
            Some(&json!({"type": "boolean"}))
        );
        assert_eq!(resolve(&root, "#"), Some(&root));
        assert_eq!(
            resolve(&root, "https://example.com/s.json#/$defs/a"),
            root.pointer("/$defs/a")
        );
        assert_eq!(
            resolve(&root, "#here").and_then(|s| s.get("type")),
            Some(&json!("null"))
        );
        assert_eq!(resolve(&root, "#/$defs/missing"), None);
        assert_eq!(resolve(&root, "other.json#/a"), None);
        assert_eq!(resolve(&root, "#/$defs/%zz"), None);
    }
}
