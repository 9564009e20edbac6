#!/usr/bin/env bash
# Installs the npm MCP client that crates/baton/tests/mcp_node.rs drives `baton mcp` with (the
# official TypeScript SDK, version pinned in .ci/mcp-client/package.json). Idempotent, quiet.
set -euo pipefail
cd "$(dirname "$0")/mcp-client"
if [ -f node_modules/@modelcontextprotocol/sdk/package.json ]; then
  exit 0
fi
npm install --no-audit --no-fund --silent >/dev/null
