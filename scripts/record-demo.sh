#!/usr/bin/env bash
# Regenerates the README pictures from the real binary: drives `runsheet` in tmux, captures the
# screen with its colours, and writes
#   assets/screenshot.svg  the operator's screen mid-window
#   assets/timeline.svg    the timeline view (`t`)
#   assets/demo.cast       a short terminal recording (asciinema v2; `asciinema play assets/demo.cast`)
# Needs tmux and python3. Usage: scripts/record-demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "tmux is needed" >&2; exit 1; }
cargo build --release --quiet
bin="$PWD/target/release/runsheet"
cols=120 rows=36
work=$(mktemp -d)
session="runsheet-demo-$$"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT
cast="$work/demo.cast"
start=$(date +%s.%N)
printf '{"version": 2, "width": %d, "height": %d, "title": "runsheet: walking a deployment window"}\n' "$cols" "$rows" > "$cast"

frame() { # append the current screen to the cast as one full repaint
  local now t
  now=$(date +%s.%N)
  t=$(python3 -c "print(round($now - $start, 3))")
  tmux capture-pane -e -p -t "$session" | python3 -c '
import json, sys
screen = sys.stdin.read().rstrip("\n").split("\n")
data = "\x1b[2J\x1b[H" + "\r\n".join(screen)
print(json.dumps([float(sys.argv[1]), "o", data]))' "$t" >> "$cast"
}
keys() { tmux send-keys -t "$session" "$@"; sleep 0.6; frame; }
wait_for() { # wait until the screen shows $1
  for _ in $(seq 1 50); do
    tmux capture-pane -p -t "$session" | grep -qF "$1" && return 0
    sleep 0.1
  done
  echo "timed out waiting for: $1" >&2
  tmux capture-pane -p -t "$session" >&2
  exit 1
}

# The shipped template with its clock slots moved to around now, so the picture shows a window in
# progress ("next: … in 12m") rather than one that was due this morning.
python3 - "$work/deployment-window.md" <<'PY'
import datetime, re, sys
text = open("templates/deployment-window.md", encoding="utf-8").read()
now = datetime.datetime.now()
base = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=10)
slots = {}
def shift(m):
    old = m.group(1)
    if old not in slots:
        h, mi = map(int, old.split(":"))
        delta = (h * 60 + mi) - 8 * 60
        slots[old] = (base + datetime.timedelta(minutes=delta)).strftime("%H:%M")
    return "## " + slots[old]
open(sys.argv[1], "w", encoding="utf-8").write(re.sub(r"^## (\d\d:\d\d)", shift, text, flags=re.M))
PY
tmux new-session -d -s "$session" -x "$cols" -y "$rows" \
  "env RUNSHEET_DATA_DIR=$work/data RUNSHEET_OPERATOR='Dana Ops' TERM=xterm-256color LANG=C.UTF-8 $bin $work/deployment-window.md"
wait_for "SERVICE"
frame
for v in payments 2.4.1 CHG-1234; do keys -l "$v"; keys Enter; done
wait_for "Production deployment window"
keys Space; keys Space; keys Space
keys n; keys -l "recorded: app:2.4.0 (sha256:9f2c…)"; keys C-s
keys Space
"$bin" tick latest "restore test passed" --as "Sam Lead" --data-dir "$work/data" >/dev/null
sleep 1.2; frame
keys j
tmux capture-pane -e -p -t "$session" > "$work/main.txt"
keys t
sleep 0.5
tmux capture-pane -e -p -t "$session" > "$work/timeline.txt"
keys Escape
tmux send-keys -t "$session" q   # quits; the session ends with it
sleep 0.5
mkdir -p assets
python3 scripts/ansi2svg.py "$work/main.txt" assets/screenshot.svg --cols "$cols" --rows "$rows" --title "runsheet — deployment window"
python3 scripts/ansi2svg.py "$work/timeline.txt" assets/timeline.svg --cols "$cols" --rows "$rows" --title "runsheet — timeline (t)"
cp "$cast" assets/demo.cast
echo "wrote assets/screenshot.svg assets/timeline.svg assets/demo.cast"
