#!/usr/bin/env bash
# Instruction counts (valgrind callgrind: repeatable whatever else the machine is doing) of
# `validate`, `status`, `status --json` and `report --format md|html` on runs of 10,000 and 40,000
# sections (one task each, every tenth section timed, ten items ticked), and the 40k/10k ratio
# (linear = 4). Give a second binary to compare (an older build).
#
# Usage: bench/report-instructions.sh [BINARY [OLD_BINARY]]   (default: target/release/runsheet)
set -euo pipefail
cd "$(dirname "$0")/.."
new=${1:-target/release/runsheet}
old=${2:-}
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for n in 10000 40000; do
  python3 - "$n" "$tmp/b$n.md" <<'PY'
import sys
n, path = int(sys.argv[1]), sys.argv[2]
out = ["# Status bench\n"]
for i in range(n):
    t = f"T+{i // 10} Phase {i}" if i % 10 == 0 else f"Section {i}"
    out.append(f"\n## {t}\n\n- [ ] Step {i}: restart service {i} and check it\n")
open(path, "w").write("".join(out))
PY
done
count() { # BINARY ARGS... → instructions
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/Collected/ {print $4}'
}
measure() { # BINARY TAG
  local bin=$1 tag=$2
  export RUNSHEET_DATA_DIR="$tmp/$tag" RUNSHEET_OPERATOR=bench RUNSHEET_NOW=2026-12-02T22:00:00+01:00 TZ=UTC
  declare -A got
  for n in 10000 40000; do
    local id
    id=$("$bin" start "$tmp/b$n.md" 2>/dev/null)
    for k in 0 1 2 3 4 5 6 7 8 9; do "$bin" tick "$id" "Step $((k * n / 10)):" >/dev/null 2>&1; done
    got[validate,$n]=$(count "$bin" validate "$tmp/b$n.md")
    got[status,$n]=$(count "$bin" status "$id")
    got[status-json,$n]=$(count "$bin" status "$id" --json)
    got[report-md,$n]=$(count "$bin" report "$id" --format md)
    got[report-html,$n]=$(count "$bin" report "$id" --format html)
  done
  echo "$tag: $bin"
  printf '%14s %16s %16s %8s\n' command 10k 40k ratio
  for c in validate status status-json report-md report-html; do
    printf '%14s %16s %16s %8s\n' "$c" "${got[$c,10000]}" "${got[$c,40000]}" \
      "$(python3 -c "print(f'{${got[$c,40000]} / ${got[$c,10000]}:.2f}')")"
  done
}
measure "$new" new
if [ -n "$old" ]; then measure "$old" old; fi
