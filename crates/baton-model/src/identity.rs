//! Call identity by content (SPEC §7): canonical JSON of what shapes an agent's work, hashed.

use crate::{AgentOptions, CallKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Bumped whenever the system prompt or tool definitions given to agents change, so that a
/// resumed run does not reuse results produced under different instructions.
pub const SYSTEM_PROMPT_VERSION: u32 = 1;

/// The key of an agent call. Label and phase are display only and deliberately left out.
pub fn call_key(prompt: &str, resolved_model: &str, options: &AgentOptions) -> CallKey {
    call_key_with_tools(prompt, resolved_model, options, None)
}

/// The key of a call whose agent is also offered `extra_tools` by the backend (MCP servers,
/// web tools: [`crate::AgentBackend::tool_identity`]). Without them the key is
/// [`call_key`]'s, so runs that use no such tools keep their keys.
pub fn call_key_with_tools(
    prompt: &str,
    resolved_model: &str,
    options: &AgentOptions,
    extra_tools: Option<&Value>,
) -> CallKey {
    let mut shaping = json!({
        "prompt": prompt,
        "model": resolved_model,
        "schema": options.schema,
        "effort": options.effort,
        "isolation": options.isolation,
        "agentType": options.agent_type,
        "tools": options.tools,
        "cwd": options.cwd,
        "systemPromptVersion": SYSTEM_PROMPT_VERSION,
    });
    if let Some(extra) = extra_tools {
        shaping["extraTools"] = extra.clone();
    }
    CallKey(content_hash(&canonical_json(&shaping)))
}

/// SHA-256 of a text, as lowercase hex (call keys, the journal's script hash).
pub fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// JSON text with object keys sorted at every level, so equal values always hash equally.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_does_not_change_the_key() {
        let a: Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":[1,{"q":1,"p":2}]}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"x":[1,{"p":2,"q":1}],"y":2},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
    }

    #[test]
    fn label_and_phase_are_display_only() {
        let plain = AgentOptions::default();
        let labelled = AgentOptions {
            label: Some("x".into()),
            phase: Some("Review".into()),
            ..AgentOptions::default()
        };
        assert_eq!(call_key("p", "m", &plain), call_key("p", "m", &labelled));
        assert_ne!(call_key("p", "m", &plain), call_key("q", "m", &plain));
        assert_ne!(call_key("p", "m", &plain), call_key("p", "n", &plain));
    }

    #[test]
    fn extra_tools_enter_the_key_only_when_there_are_some() {
        let plain = AgentOptions::default();
        let key = call_key("p", "m", &plain);
        assert_eq!(call_key_with_tools("p", "m", &plain, None), key);
        let github = json!(["mcp__github"]);
        let with = call_key_with_tools("p", "m", &plain, Some(&github));
        assert_ne!(with, key);
        let other = json!(["mcp__gitlab"]);
        assert_ne!(call_key_with_tools("p", "m", &plain, Some(&other)), with);
    }
}
