#!/usr/bin/env bash
# Peak RSS and wall time of `verify`, `status` and a change on a generated big journal.
#
#   bash bench/journal-rss.sh [SIZE_MB] [BIN]        (default 2048 MB, target/release/runsheet)
#
# RSS_SKIP_CHANGE=1 leaves out the change (it rewrites state.toml, the TOML of the whole fold: several
# times the journal's size in memory on a big run).
#
# Builds nothing itself: `cargo build --release` first (or give BIN, e.g. an older build to compare).
# Prints one line per command: max RSS (from /usr/bin/time -v), wall seconds, exit code.
set -euo pipefail
size=${1:-2048}
bin=${2:-target/release/runsheet}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/runsheet-rss.XXXXXX")
trap 'rm -rf "$work"' EXIT
export RUNSHEET_DATA_DIR="$work/data" RUNSHEET_OPERATOR=Bench HOME="$work"
{
  echo "# Big window"
  for s in $(seq 0 19); do
    echo; echo "## Section $s"; echo
    for i in $(seq 0 49); do echo "- [ ] Step $((s * 50 + i)): restart service and check health"; done
  done
} > "$work/window.md"
id=$("$bin" start "$work/window.md")
dir="$RUNSHEET_DATA_DIR/runs/$id"
"$bin" status "$id" --json | python3 -c 'import json,sys; print("\n".join(i["id"] for i in json.load(sys.stdin)["items"]))' > "$dir/ids.txt"
rm -f "$dir/state.toml"
python3 "$here/gen_journal.py" "$dir" "$size"
rm -f "$dir/ids.txt"
measure() {
  local name=$1; shift
  /usr/bin/time -v -o "$work/time" "$bin" "$@" > /dev/null 2> "$work/err" || true
  local rss wall code
  rss=$(grep "Maximum resident set size" "$work/time" | awk '{print $NF}')
  wall=$(grep "Elapsed (wall clock)" "$work/time" | awk '{print $NF}')
  code=$(grep "Exit status" "$work/time" | awk '{print $NF}')
  printf '%-20s max RSS %9.1f MiB   wall %s   exit %s\n' "$name" "$(awk "BEGIN{print $rss/1024}")" "$wall" "$code"
}
printf 'journal: %s MiB (%s)\n' "$(( $(stat -c %s "$dir/journal.jsonl") / 1048576 ))" "$bin"
measure "verify" verify "$id"
measure "status --json" status "$id" --json
if [ -z "${RSS_SKIP_CHANGE:-}" ]; then
  measure "note (one change)" note "$id" "Step 0" "after the big journal"
fi
