#!/usr/bin/env bash
# Installs the Debian tools the tests and benchmarks talk to (real clients and peers, and clang for a C
# WASI program). Skips apt entirely when everything is already there.
set -euo pipefail
pkgs=(curl wrk redis-tools redis-server apache2-utils netcat-openbsd clang lld wasi-libc libclang-rt-14-dev-wasm32 python3-uvloop)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "system packages: all present"; exit 0; }
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "setup-system: need root to install: ${missing[*]}" >&2; exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: done"
