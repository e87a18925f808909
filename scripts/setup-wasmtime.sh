#!/usr/bin/env bash
# Installs the pinned wasmtime CLI into a per-user cache outside the clone, so that every clone
# (and every CI run on this machine) reuses one build. Does nothing when that build is already there.
#
# The pin is wasmtime 36.0.20 (LTS) carrying one fix of ours in its wasi-common poll_oneoff: a
# subscription whose fd has no events is left pending instead of being reported ready. Stock
# 36.0.20 reports every fd ready as soon as any one is, which makes idle connections cost a recv
# each per turn. `cargo install` cannot apply a [patch] from a config file, so the script unpacks
# the two crates cargo downloads, edits one line of wasi-common and builds the CLI against it.
#   WASMUX_CACHE  cache root (default: ~/.cache/wasmux)
set -euo pipefail
. "$(dirname "$0")/lib/crate-sources.sh"
. "$(dirname "$0")/lib/cargo-progress.sh"

version=36.0.20
build_id="$version-exact-readiness"
cache="${WASMUX_CACHE:-$HOME/.cache/wasmux}"
root="$cache/wasmtime-$build_id"
bin="$root/bin/wasmtime"
stamp="$root/BUILD"

installed() { [ -x "$bin" ] && [ -f "$stamp" ] && "$bin" --version 2>/dev/null | grep -q "wasmtime $version"; }

if installed; then
  echo "wasmtime $build_id: already installed at $bin"
  exit 0
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup-wasmtime: cargo not found; install Rust (rustup) to build wasmtime $version" >&2
  exit 1
fi

mkdir -p "$cache"
# Only one build at a time per cache: a second caller waits for the first instead of racing it.
exec 9>"$cache/.wasmtime-$build_id.lock"
flock 9
if installed; then
  echo "wasmtime $build_id: installed by a concurrent run at $bin"
  exit 0
fi

start=$(date +%s)
echo "wasmtime $build_id: building with cargo into $root (10 to 30 minutes on 2 cores; done once per machine)"
work="$cache/build-wasmtime-$build_id"
rm -rf "$work"
# A throwaway manifest makes cargo download (or reuse) the exact crate sources.
fetch_crates "$work/fetch" "wasmtime-cli = \"=$version\""

cp -r "$(crate_source wasmtime-cli "$version")" "$work/wasmtime-cli"
cp -r "$(crate_source wasi-common "$version")" "$work/wasi-common"
chmod -R u+w "$work/wasmtime-cli" "$work/wasi-common"

# The fix: skip a subscription whose pollfd came back with no events. Anchored on the one line
# that reads the events, and refused if that line is not found exactly once.
sched="$work/wasi-common/src/sync/sched/unix.rs"
anchor='let revents = pollfd.revents();'
if [ "$(grep -cF "$anchor" "$sched")" -ne 1 ]; then
  echo "setup-wasmtime: $sched has changed shape; cannot apply the exact-readiness fix" >&2
  exit 1
fi
sed -i "s|^\( *\)$anchor|&\n\1if revents.is_empty() { continue; }|" "$sched"
grep -q 'if revents.is_empty() { continue; }' "$sched"

printf '\n[patch.crates-io]\nwasi-common = { path = "../wasi-common" }\n' >>"$work/wasmtime-cli/Cargo.toml"

# `run` (with its legacy wasi-common preview1 sockets) plus one compiler is all wasmux needs.
status=0
(cd "$work/wasmtime-cli" && cargo_with_progress "$start" cargo build --release --no-default-features --features run,cranelift) || status=$?
built="$work/wasmtime-cli/target/release/wasmtime"
if [ "$status" -ne 0 ] || [ ! -x "$built" ]; then
  echo "setup-wasmtime: cargo build failed (exit $status)" >&2
  exit 1
fi
mkdir -p "$root/bin"
cp "$built" "$bin"
echo "wasmtime $version with the exact-readiness fix (wasi-common sync/sched/unix.rs)" >"$stamp"
rm -rf "$work"
echo "wasmtime $build_id: ready at $bin ($(( $(date +%s) - start ))s)"
