#!/usr/bin/env bash
# Installs the pinned wasmtime CLI into a per-user cache outside the clone, so that every clone
# (and every CI run on this machine) reuses one build. Does nothing when that version is already there.
#   WASMUX_CACHE      cache root (default: ~/.cache/wasmux)
#   WASMTIME_VERSION  override the pin (must be <= 46: later versions have no preview1 sockets)
set -euo pipefail

version="${WASMTIME_VERSION:-36.0.20}"
cache="${WASMUX_CACHE:-$HOME/.cache/wasmux}"
root="$cache/wasmtime-$version"
bin="$root/bin/wasmtime"

if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "wasmtime $version"; then
  echo "wasmtime $version: already installed at $bin"
  exit 0
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup-wasmtime: cargo not found; install Rust (rustup) to build wasmtime $version" >&2
  exit 1
fi

mkdir -p "$cache"
# Only one build at a time per cache: a second caller waits for the first instead of racing it.
exec 9>"$cache/.wasmtime-$version.lock"
flock 9
if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "wasmtime $version"; then
  echo "wasmtime $version: installed by a concurrent run at $bin"
  exit 0
fi

echo "wasmtime $version: building from crates.io into $root (5 to 30 minutes on 2 cores; done once per machine)"
start=$(date +%s)
# `run` (with its legacy wasi-common preview1 sockets) plus one compiler is all wasmux needs.
set +e
cargo install "wasmtime-cli@$version" --locked --root "$root" \
  --no-default-features --features run,cranelift 2>&1 |
  while IFS= read -r line; do
    case "$line" in
      *Compiling*) n=$((${n:-0} + 1)); [ $((n % 25)) -eq 0 ] && echo "  ... $n crates compiled ($(( $(date +%s) - start ))s)";;
      error*|*"error["*|*"could not compile"*) echo "$line";;
    esac
  done
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ] || [ ! -x "$bin" ]; then
  echo "setup-wasmtime: cargo install failed (exit $status)" >&2
  exit 1
fi
echo "wasmtime $version: ready at $bin ($(( $(date +%s) - start ))s)"
