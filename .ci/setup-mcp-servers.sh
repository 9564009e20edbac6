#!/usr/bin/env bash
# Installs the reference MCP server the MCP tool tests run against (stdio and streamable HTTP)
# into .ci/node_modules; idempotent and quiet. Without npm the tests say so and skip.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"
if ! command -v npm >/dev/null 2>&1; then
  echo "setup-mcp-servers: npm is absent; the MCP server tests will be skipped" >&2
  exit 0
fi
if [ ! -x "$dir/node_modules/.bin/mcp-server-everything" ]; then
  npm install --prefix "$dir" --no-audit --no-fund --silent @modelcontextprotocol/server-everything@2025 >/dev/null 2>&1 \
    || npm install --prefix "$dir" --no-audit --no-fund --silent @modelcontextprotocol/server-everything >/dev/null
fi
