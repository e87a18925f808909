#!/usr/bin/env bash
# Installs what the component path needs into the per-user cache beside the pinned wasmtime 36, once per
# machine: a current wasmtime CLI (it runs the examples as WASI 0.2 components over wasi:sockets), wasm-tools
# (turns the core modules into components), and, from the crates of that same wasmtime release, the preview1
# component adapter and the WASI 0.2 WIT files. Does nothing for the parts already there. Pins: scripts/components.json.
#
# Both tools are built with cargo. wasmtime 50 needs a newer rustc than stable Rust may be (its crates say
# rust-version 1.97), so the pinned toolchain is installed with rustup (minimal profile) and used only for
# that build. Measured from nothing on 2 heavily shared cores: wasmtime 50 1,691 s (11 minutes of CPU), wasm-tools
# 1,207 s; CI's 90 minutes for a run from nothing include both, the wasmtime 36 build and the tests.
#   WASMUX_CACHE  cache root (default: ~/.cache/wasmux)
set -euo pipefail
. "$(dirname "$0")/lib/crate-sources.sh"
. "$(dirname "$0")/lib/cargo-progress.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pin() { node -p "require('$here/components.json').$1"; }
wasmtime_version=$(pin wasmtime)
rust_version=$(pin rust)
wasm_tools_version=$(pin wasmTools)
cache="${WASMUX_CACHE:-$HOME/.cache/wasmux}"
wasmtime_root="$cache/wasmtime-$wasmtime_version"
tools_root="$cache/wasm-tools-$wasm_tools_version"
wasi_root="$cache/wasi-p2-$wasmtime_version"
# Just what runs a component with wasi:cli, wasi:clocks, wasi:io and wasi:sockets: the run command, one
# compiler and the component model (no serve, wast, explore, wasi-http, nn, gc, winch or pulley).
wasmtime_features=run,cranelift,component-model

has_wasmtime() { [ -f "$wasmtime_root/BUILD" ] && "$wasmtime_root/bin/wasmtime" --version 2>/dev/null | grep -q "wasmtime $wasmtime_version"; }
has_tools() { [ -f "$tools_root/BUILD" ] && "$tools_root/bin/wasm-tools" --version 2>/dev/null | grep -q "wasm-tools $wasm_tools_version"; }
has_wasi() { [ -f "$wasi_root/STAMP" ] && [ -f "$wasi_root/wasi_snapshot_preview1.command.wasm" ] && [ -d "$wasi_root/wit/deps" ]; }
all_there() { has_wasmtime && has_tools && has_wasi; }

if all_there; then
  echo "components: wasmtime $wasmtime_version, wasm-tools $wasm_tools_version and the WASI 0.2 files already in $cache"
  exit 0
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup-components: cargo not found; install Rust with rustup to build wasmtime $wasmtime_version and wasm-tools $wasm_tools_version" >&2
  exit 1
fi
mkdir -p "$cache"

# locked NAME: takes the lock of one cache entry on fd 9; a second run waits for the first instead of racing it.
locked() {
  exec 9>"$cache/.$1.lock"
  flock 9
}

# The wasmtime CLI, built with the pinned toolchain (rustup says "unchanged" when it is there already).
if ! has_wasmtime; then
  locked "wasmtime-$wasmtime_version"
  if ! has_wasmtime; then
    if ! command -v rustup >/dev/null 2>&1; then
      echo "setup-components: rustup not found; wasmtime $wasmtime_version needs Rust $rust_version, which this script installs with rustup" >&2
      exit 1
    fi
    echo "Rust $rust_version: making sure rustup has it (minimal profile; a download of a minute the first time)"
    rustup toolchain install "$rust_version" --profile minimal >/dev/null 2>&1 || {
      echo "setup-components: rustup could not install Rust $rust_version (needed by wasmtime $wasmtime_version)" >&2
      exit 1
    }
    start=$(date +%s)
    echo "wasmtime $wasmtime_version: building with cargo (Rust $rust_version) into $wasmtime_root (10 to 30 minutes on 2 cores; done once per machine)"
    rm -rf "$wasmtime_root"
    status=0
    cargo_with_progress "$start" cargo "+$rust_version" install "wasmtime-cli@$wasmtime_version" --locked \
      --no-default-features --features "$wasmtime_features" --root "$wasmtime_root" || status=$?
    if [ "$status" -ne 0 ]; then
      echo "setup-components: cargo install wasmtime-cli@$wasmtime_version failed (exit $status)" >&2
      exit 1
    fi
    echo "wasmtime $wasmtime_version (features $wasmtime_features, Rust $rust_version), built in $(( $(date +%s) - start ))s" >"$wasmtime_root/BUILD"
    echo "wasmtime $wasmtime_version: ready in $wasmtime_root ($(( $(date +%s) - start ))s)"
  fi
fi

# The adapter and the WIT files are sources of two crates of the same release: a fetch, no build.
if ! has_wasi; then
  locked "wasi-p2-$wasmtime_version"
  if ! has_wasi; then
    work="$cache/fetch-wasi-p2-$wasmtime_version"
    rm -rf "$work" "$wasi_root"
    fetch_crates "$work" \
      "wasi-preview1-component-adapter-provider = \"=$wasmtime_version\"" \
      "wasmtime-wasi = { version = \"=$wasmtime_version\", default-features = false }"
    adapter="$(crate_source wasi-preview1-component-adapter-provider "$wasmtime_version")/artefacts/wasi_snapshot_preview1.command.wasm"
    wit="$(crate_source wasmtime-wasi "$wasmtime_version")/src/p2/wit/deps"
    [ -f "$adapter" ] || { echo "setup-components: no command adapter in the crate ($adapter)" >&2; exit 1; }
    [ -d "$wit" ] || { echo "setup-components: no WASI 0.2 WIT files in the crate ($wit)" >&2; exit 1; }
    mkdir -p "$wasi_root/wit/deps"
    cp "$adapter" "$wasi_root/"
    cp "$wit"/*.wit "$wasi_root/wit/deps/"
    echo "wasi-preview1-component-adapter-provider and wasmtime-wasi $wasmtime_version (src/p2/wit/deps)" >"$wasi_root/STAMP"
    rm -rf "$work"
    echo "WASI 0.2 adapter and WIT files $wasmtime_version: ready in $wasi_root"
  fi
fi

# wasm-tools with only its component commands (embed, new).
if ! has_tools; then
  locked "wasm-tools-$wasm_tools_version"
  if ! has_tools; then
    start=$(date +%s)
    echo "wasm-tools $wasm_tools_version: building with cargo into $tools_root (10 to 20 minutes on 2 cores; done once per machine)"
    rm -rf "$tools_root"
    status=0
    cargo_with_progress "$start" cargo install "wasm-tools@$wasm_tools_version" --locked --no-default-features \
      --features component --root "$tools_root" || status=$?
    if [ "$status" -ne 0 ]; then
      echo "setup-components: cargo install wasm-tools@$wasm_tools_version failed (exit $status)" >&2
      exit 1
    fi
    echo "wasm-tools $wasm_tools_version (feature component), built in $(( $(date +%s) - start ))s" >"$tools_root/BUILD"
    echo "wasm-tools $wasm_tools_version: ready in $tools_root ($(( $(date +%s) - start ))s)"
  fi
fi
echo "components: ready in $cache"
