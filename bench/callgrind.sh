#!/usr/bin/env bash
# Instruction counts (valgrind's callgrind: the same figure on a busy machine) for one template load
# and one bare pulldown-cmark pass over the load benchmark's generated checklist, and their ratio.
# The load is counted with pulldown-cmark's parse on the calling thread (`load_once N serial`): the
# work of both threads of a parallel load, all of it inside the function counted.
# Usage: bench/callgrind.sh [ITEMS]   (default 20000; needs valgrind)
set -euo pipefail
items=${1:-20000}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
command -v valgrind >/dev/null || { echo "valgrind is required" >&2; exit 1; }
cargo build --release --example load_once >/dev/null 2>&1
bin=${CARGO_TARGET_DIR:-target}/release/examples/load_once
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {
  valgrind --tool=callgrind --callgrind-out-file="$out/$1.out" --toggle-collect='load_once::measure*' \
    "$bin" "$items" "$1" >/dev/null 2>"$out/$1.log"
  grep -m1 -o 'Collected : [0-9]*' "$out/$1.log" | grep -o '[0-9]*'
}
bare=$(count bare)
load=$(count serial)
python3 - "$items" "$bare" "$load" <<'PY'
import sys
items, bare, load = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
print(f"{items} items: bare pulldown-cmark {bare/1e6:.1f} M instructions, runsheet load {load/1e6:.1f} M, load/bare {load/bare:.2f}x")
PY
if [ -n "${KEEP:-}" ]; then cp "$out"/*.out "$KEEP"/; fi
