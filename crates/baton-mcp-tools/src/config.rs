//! Which MCP servers a run may use: Claude Code's `.mcp.json` (`mcpServers`) and baton's own
//! `[mcp_servers.<name>]` tables, both in the same shape: a stdio server (`command`, `args`,
//! `env`) or an HTTP one (`type: "http"`, `url`, `headers`). `${VAR}` and `${VAR:-default}`
//! are expanded from the environment, as Claude Code does.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

/// One configured server.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerSpec {
    pub name: String,
    pub transport: Transport,
    /// Where it was configured (a file), for messages.
    pub origin: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Transport {
    /// A child process speaking MCP on its standard input and output.
    Stdio {
        command: String,
        args: Vec<String>,
        env: BTreeMap<String, String>,
    },
    /// A streamable HTTP endpoint.
    Http {
        url: String,
        headers: BTreeMap<String, String>,
    },
}

/// One entry as written in either file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(rename = "type")]
    kind: Option<String>,
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    url: Option<String>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

/// The servers of a `.mcp.json` file (`{"mcpServers": {...}}`).
pub fn read_mcp_json(path: &Path) -> Result<Vec<ServerSpec>, String> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{origin}: {e}"))?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{origin}: not valid JSON ({e}); fix the file or remove it"))?;
    match value.get("mcpServers") {
        None => Ok(Vec::new()),
        Some(servers) => servers_from(servers, &origin),
    }
}

/// The servers of a table of entries by name (`mcpServers`, or baton's `[mcp_servers]`).
pub fn servers_from(servers: &Value, origin: &str) -> Result<Vec<ServerSpec>, String> {
    let Some(table) = servers.as_object() else {
        return Err(format!(
            "{origin}: the MCP servers must be a table of servers by name"
        ));
    };
    table
        .iter()
        .map(|(name, entry)| spec(name, entry, origin))
        .collect()
}

/// The nearest `.mcp.json` up from `cwd` (the project's), if any.
pub fn find_mcp_json(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| dir.join(".mcp.json"))
        .find(|path| path.is_file())
}

fn spec(name: &str, entry: &Value, origin: &str) -> Result<ServerSpec, String> {
    let at = format!("{origin}: MCP server '{name}'");
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c))
    {
        return Err(format!(
            "{at}: a server's name may hold only letters, digits, '-' and '_' (its tools are \
             named mcp__<server>__<tool>)"
        ));
    }
    let entry: Entry = serde_json::from_value(entry.clone()).map_err(|e| format!("{at}: {e}"))?;
    let transport = match (entry.kind.as_deref(), entry.command, entry.url) {
        (None | Some("stdio"), Some(command), None) => Transport::Stdio {
            command: expand(&command),
            args: entry.args.iter().map(|a| expand(a)).collect(),
            env: entry
                .env
                .iter()
                .map(|(k, v)| (k.clone(), expand(v)))
                .collect(),
        },
        (None | Some("http"), None, Some(url)) => Transport::Http {
            url: expand(&url),
            headers: entry
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), expand(v)))
                .collect(),
        },
        (Some("sse"), _, _) => {
            return Err(format!(
                "{at}: the old SSE transport is not supported; use the server's streamable HTTP \
                 endpoint with \"type\": \"http\""
            ))
        }
        _ => {
            return Err(format!(
                "{at}: give either \"command\" (a stdio server) or \"type\": \"http\" with \"url\""
            ))
        }
    };
    Ok(ServerSpec {
        name: name.to_string(),
        transport,
        origin: origin.to_string(),
    })
}

/// `${VAR}` and `${VAR:-default}` replaced from the environment (an unset variable without a
/// default becomes empty).
fn expand(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push_str(&rest[..start]);
        let inner = &rest[start + 2..start + len];
        let (name, default) = match inner.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (inner, None),
        };
        match std::env::var(name) {
            Ok(value) if !value.is_empty() => out.push_str(&value),
            _ => out.push_str(default.unwrap_or("")),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_shapes_parse() {
        let servers = servers_from(
            &json!({
                "fs": {"command": "npx", "args": ["-y", "server", "${BATON_TEST_UNSET:-/tmp}"]},
                "remote": {"type": "http", "url": "http://127.0.0.1:1/mcp",
                           "headers": {"Authorization": "Bearer x"}},
            }),
            "test",
        )
        .unwrap();
        assert_eq!(servers.len(), 2);
        let Transport::Stdio { args, .. } = &servers[0].transport else {
            panic!("stdio expected");
        };
        assert_eq!(args[2], "/tmp");
        assert!(
            matches!(&servers[1].transport, Transport::Http { url, .. } if url.ends_with("/mcp"))
        );
    }

    #[test]
    fn mistakes_say_what_to_write() {
        let bad = |entry: Value| servers_from(&json!({ "s": entry }), "f").unwrap_err();
        assert!(bad(json!({})).contains("give either"));
        assert!(bad(json!({"type": "sse", "url": "http://x"})).contains("streamable HTTP"));
        assert!(bad(json!({"command": "x", "cmd": 1})).contains("unknown field"));
        let name = servers_from(&json!({"a b": {"command": "x"}}), "f").unwrap_err();
        assert!(name.contains("letters, digits"), "{name}");
    }
}
