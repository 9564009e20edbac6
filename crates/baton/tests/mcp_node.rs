//! `baton mcp` driven by a third-party client: the official TypeScript MCP SDK from npm runs
//! `.ci/mcp-client/client.mjs` (installed by `.ci/setup-mcp-client.sh`). Outside CI, a machine
//! without Node.js or without the installed SDK skips it, saying so; in CI it must run.

mod support;

use std::path::Path;
use std::process::Command;

use support::workspace::Workspace;

#[test]
fn the_typescript_sdk_client_drives_baton_mcp() {
    let client_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/mcp-client");
    let installed = client_dir.join("node_modules/@modelcontextprotocol/sdk/package.json");
    let has_node = Command::new("node").arg("--version").output().is_ok();
    if !installed.is_file() || !has_node {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this test: .ci/setup-mcp-client.sh installs the client"
        );
        eprintln!(
            "skipped: run .ci/setup-mcp-client.sh (needs node and npm) to install the client"
        );
        return;
    }
    let ws = Workspace::new();
    let output = Command::new("node")
        .arg(client_dir.join("client.mjs"))
        .arg(env!("CARGO_BIN_EXE_baton"))
        .arg(ws.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the node client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("passed, 0 failed"), "{stdout}");
}
