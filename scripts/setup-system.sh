#!/usr/bin/env bash
# Installs the Debian packages the tests and the benchmark talk to (real clients and peers, clang for a C WASI
# program), listed in scripts/system-packages.txt. Does nothing when they are all there. Installs them itself when
# it can (as root, or through sudo without a password); otherwise stops at once with one line naming the missing
# packages and the command that installs them. On a system without dpkg it installs nothing: a test whose
# command is missing then fails alone, naming it.
set -euo pipefail
list="$(dirname "$0")/system-packages.txt"
read -r -a pkgs <<<"$(sed -e 's/#.*//' -e 's/^[^:]*://' "$list" | tr -s ' \n' '  ')"
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system packages: not a Debian system; install the commands in $list yourself"
  exit 0
fi
missing=()
for p in "${pkgs[@]}"; do
  [[ " ${missing[*]} " == *" $p "* ]] && continue
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "system packages: all present"; exit 0; }
install="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "wasmux: the tests need the Debian packages ${missing[*]}; install them with: sudo sh -c '$install'" >&2
  exit 1
fi
echo "system packages: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: done"
