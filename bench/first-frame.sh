#!/usr/bin/env bash
# Time from launch to the first checklist item on screen, in tmux at 200x50, for a generated
# 5,000-item template: `runsheet FILE` (new run: parse, create the run dir durably, first frame),
# `runsheet resume RUN` (open an existing run), and `less FILE` on the same file, in the same run.
# Usage: bench/first-frame.sh [ROUNDS]   (needs tmux and a release build: cargo build --release)
# With BASELINE=/path/to/an/older/runsheet, that binary is measured too, in the same rounds
# (`new-base`, `resume-base`), so a change is compared on the same machine load.
set -euo pipefail
rounds=${1:-7}
here=$(cd "$(dirname "$0")/.." && pwd)
bin="$here/target/release/runsheet"
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 1; }
work=$(mktemp -d)
sock="rs-ff-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$work/t.md" <<'PY'
import sys
out = ["# First frame 5000", ""]
n = 0
s = 0
while n < 5000:
    s += 1
    out += [f"## {8 + s // 4 % 12:02}:{s % 4 * 15:02} - Phase {s}", ""]
    for k in range(50):
        out.append(f"- [ ] Step {s}.{k}: check svc-{n} is healthy")
        n += 1
    out.append("")
open(sys.argv[1], "w").write("\n".join(out))
PY

tmux -L "$sock" new-session -d -s idle -x 200 -y 50 "sleep 600"
export RUNSHEET_OPERATOR=bench LANG=C.UTF-8
# One run to resume.
"$bin" start "$work/t.md" --data-dir "$work/data" >/dev/null
run=$(ls "$work/data/runs" | head -n1)
base=${BASELINE:-}

measure() { # $1 = label, $2 = command, $3 = text to wait for
  local t0 t1
  t0=$(date +%s%N)
  tmux -L "$sock" new-session -d -s m -x 200 -y 50 "$2"
  until tmux -L "$sock" capture-pane -p -t m 2>/dev/null | grep -q "$3"; do :; done
  t1=$(date +%s%N)
  tmux -L "$sock" kill-session -t m
  echo "$1 $(( (t1 - t0) / 1000 ))"
}

for _ in $(seq "$rounds"); do
  measure less "less $work/t.md" "Step 1.0"
  measure new "$bin $work/t.md --new --data-dir $work/data-new" "Step 1.0"
  measure resume "$bin resume $run --data-dir $work/data" "Step 1.0"
  if [ -n "$base" ]; then
    measure new-base "$base $work/t.md --new --data-dir $work/data-base" "Step 1.0"
    measure resume-base "$base resume $run --data-dir $work/data" "Step 1.0"
  fi
done | python3 -c '
import sys, statistics
d = {}
for line in sys.stdin:
    k, v = line.split()
    d.setdefault(k, []).append(int(v) / 1000)
less = statistics.median(d["less"])
print("%-8s %10s %8s %8s %8s" % ("what", "median ms", "min ms", "max ms", "vs less"))
for k in ("less", "new", "resume", "new-base", "resume-base"):
    if k not in d:
        continue
    v = d[k]
    m = statistics.median(v)
    print(f"{k:<8} {m:>10.1f} {min(v):>8.1f} {max(v):>8.1f} {m / less:>7.2f}x")
'
