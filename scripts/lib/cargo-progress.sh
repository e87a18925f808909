# Sourced by the setup scripts: runs a long cargo command quietly, printing one progress line every 25
# crates compiled and every error line, so that a build of many minutes shows it is alive without
# flooding the log.

# cargo_with_progress START_EPOCH COMMAND...: runs COMMAND (a cargo build or install) and returns its exit status.
cargo_with_progress() {
  local start=$1 status
  shift
  set +e
  "$@" 2>&1 |
    while IFS= read -r line; do
      case "$line" in
        *Compiling*) n=$((${n:-0} + 1)); [ $((n % 25)) -eq 0 ] && echo "  ... $n crates compiled ($(( $(date +%s) - start ))s)";;
        error*|*"error["*|*"could not compile"*) echo "$line";;
      esac
    done
  status=${PIPESTATUS[0]}
  set -e
  return "$status"
}
