# Sourced by the setup scripts: crate sources that cargo downloads (or reuses from its cache) through a
# throwaway manifest, and where cargo unpacked them. Nothing is built.

# fetch_crates DIR DEPENDENCY...: writes DIR/Cargo.toml with these [dependencies] lines and runs cargo fetch.
fetch_crates() {
  local dir=$1
  shift
  mkdir -p "$dir/src"
  {
    printf '[package]\nname = "wasmux-crate-fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n[dependencies]\n'
    printf '%s\n' "$@"
  } >"$dir/Cargo.toml"
  echo 'fn main() {}' >"$dir/src/main.rs"
  (cd "$dir" && cargo fetch --quiet)
}

# crate_source NAME VERSION: prints the folder cargo unpacked NAME VERSION into, or fails with one line.
crate_source() {
  local dir
  for dir in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$1-$2"; do
    [ -d "$dir" ] && { echo "$dir"; return 0; }
  done
  echo "cargo did not unpack $1 $2" >&2
  return 1
}
