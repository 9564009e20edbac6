//! MCP servers as agents' tools, end to end: the real `baton` binary, an agent the mock LLM
//! drives, and the reference MCP server from npm (`@modelcontextprotocol/server-everything`,
//! installed by `.ci/setup-mcp-servers.sh`) over stdio and streamable HTTP; a server that
//! crashes at start; allow and deny rules.

mod support;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use baton_testkit::{Match, MockConfig, MockLlm, Rule, Turn};
use serde_json::json;
use support::{baton_run, result, stderr, KEY, WIRES};

/// The reference server, or `None` (and a note) when npm was not there to install it.
fn everything() -> Option<PathBuf> {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../.ci/node_modules/.bin/mcp-server-everything");
    if bin.exists() {
        return Some(bin);
    }
    eprintln!(
        "SKIPPED: the reference MCP server is not installed; run .ci/setup-mcp-servers.sh \
         (needs npm)"
    );
    None
}

const WORKFLOW: &str = r#"export const meta = { name: "mcp", description: "uses MCP tools" };
const echoed = await agent("Echo hello through MCP.", { label: "caller" });
const summed = await agent("Add two numbers.", { label: "adder" });
return { echoed, summed };
"#;

fn caller_rules() -> MockConfig {
    MockConfig::default()
        .with_api_key(KEY)
        .with_rule(Rule::new(
            Match::label("caller"),
            vec![
                Turn::tool(
                    "mcp__everything__echo",
                    json!({"message": "hello from baton"}),
                ),
                Turn::text("echoed"),
            ],
        ))
        .with_rule(Rule::new(
            Match::label("adder"),
            vec![
                Turn::tool("mcp__everything__add", json!({"a": 2, "b": 3})),
                Turn::text("tried"),
            ],
        ))
}

#[test]
fn a_stdio_server_from_npm_answers_an_agent_and_rules_decide_its_tools() {
    let Some(server) = everything() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mcp.workflow.js"), WORKFLOW).unwrap();
    std::fs::write(
        dir.path().join(".mcp.json"),
        json!({"mcpServers": {
            "everything": {"command": server, "args": ["stdio"]},
            "crashy": {"command": "sh", "args": ["-c", "echo 'cannot open the database' >&2; exit 3"]},
        }})
        .to_string(),
    )
    .unwrap();
    let mock = MockLlm::start(caller_rules());
    let output = baton_run(
        dir.path(),
        &mock,
        WIRES[0],
        &[
            "mcp.workflow.js",
            "--allow",
            "mcp__everything__*",
            "--allow",
            "mcp__crashy__*",
            "--deny",
            "mcp__everything__add",
        ],
        &[],
    );
    let value = result(&output);
    assert_eq!(value, json!({"echoed": "echoed", "summed": "tried"}));

    let requests = mock.requests();
    let first = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("caller") && r.turn == 0)
        .unwrap();
    assert!(
        first.tools.contains(&"mcp__everything__echo".to_string()),
        "{:?}",
        first.tools
    );
    assert!(
        !first.tools.contains(&"mcp__everything__add".to_string()),
        "{:?}",
        first.tools
    );
    assert!(!first.tools.iter().any(|t| t.starts_with("mcp__crashy")));
    // The server's answer is back in the conversation.
    let answered = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("caller") && r.turn == 1)
        .unwrap();
    assert_eq!(answered.tool_results.len(), 1);
    assert!(
        answered.tool_results[0]
            .0
            .contains("Echo: hello from baton"),
        "{:?}",
        answered.tool_results
    );
    assert!(!answered.tool_results[0].1);
    // The denied tool is refused as a result, and the agent goes on.
    let refused = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("adder") && r.turn == 1)
        .unwrap();
    assert!(
        refused.tool_results[0].0.contains("not available"),
        "{:?}",
        refused.tool_results
    );

    // The crashing server is one clear line, and the run went on.
    let err = stderr(&output);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("MCP server 'crashy'"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("cannot open the database"), "{err}");
}

#[test]
fn without_an_allow_rule_no_mcp_tool_is_offered() {
    let Some(server) = everything() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mcp.workflow.js"), WORKFLOW).unwrap();
    std::fs::write(
        dir.path().join(".mcp.json"),
        json!({"mcpServers": {"everything": {"command": server, "args": ["stdio"]}}}).to_string(),
    )
    .unwrap();
    let mock = MockLlm::start(caller_rules());
    let output = baton_run(dir.path(), &mock, WIRES[2], &["mcp.workflow.js"], &[]);
    result(&output);
    let requests = mock.requests();
    for request in &requests {
        assert!(
            !request.tools.iter().any(|t| t.starts_with("mcp__")),
            "{:?}",
            request.tools
        );
    }
    let refused = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("caller") && r.turn == 1)
        .unwrap();
    assert!(refused.tool_results[0].0.contains("not available"));
}

/// The reference server in its streamable HTTP mode, on a free port; killed on drop.
struct HttpServer(Child, u16);

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http_server(bin: &PathBuf) -> HttpServer {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(bin)
        .arg("streamableHttp")
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    // It says so on stderr once it listens.
    for line in lines.by_ref() {
        if line.unwrap().contains("listening") {
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    HttpServer(child, port)
}

#[test]
fn an_http_server_from_the_config_answers_an_agent() {
    let Some(bin) = everything() else { return };
    let server = http_server(&bin);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mcp.workflow.js"), WORKFLOW).unwrap();
    std::fs::create_dir_all(dir.path().join(".baton")).unwrap();
    std::fs::write(
        dir.path().join(".baton/config.toml"),
        format!(
            "[permissions]\nallow = [\"mcp__everything__echo\"]\n\n[mcp_servers.everything]\ntype = \"http\"\nurl = \"http://127.0.0.1:{}/mcp\"\n",
            server.1
        ),
    )
    .unwrap();
    let mock = MockLlm::start(caller_rules());
    let output = baton_run(dir.path(), &mock, WIRES[1], &["mcp.workflow.js"], &[]);
    result(&output);
    let requests = mock.requests();
    let answered = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("caller") && r.turn == 1)
        .unwrap();
    assert!(
        answered.tool_results[0]
            .0
            .contains("Echo: hello from baton"),
        "{:?}\n{}",
        answered.tool_results,
        stderr(&output)
    );
    let first = requests
        .iter()
        .find(|r| r.label.as_deref() == Some("adder"))
        .unwrap();
    assert!(!first.tools.contains(&"mcp__everything__add".to_string()));
}
