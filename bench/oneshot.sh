#!/usr/bin/env bash
# One template load per fresh process, as `runsheet open` does it (first-touch page faults
# included), beside one bare pulldown-cmark pass, over the load benchmark's generated checklists:
# runs the two interleaved, RUNS times each, and prints the medians and their ratio from that one
# run (this VM's speed moves by up to 30% within the hour: compare only figures of one run). The
# load is measured as `runsheet` does it (pulldown-cmark's parse on a second core for a large file)
# and with the parse on the calling thread ("serial": the work of one core).
# Usage: bench/oneshot.sh [RUNS] [SIZES]   (default 21 runs; sizes 1000,10000,100000)
set -euo pipefail
runs=${1:-21}
sizes=${2:-1000,10000,100000}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
cargo build --release --example load_once >/dev/null 2>&1
bin=${CARGO_TARGET_DIR:-target}/release/examples/load_once
python3 - "$bin" "$runs" "$sizes" <<'PY'
import statistics, subprocess, sys
exe, runs, sizes = sys.argv[1], int(sys.argv[2]), [int(s) for s in sys.argv[3].split(",")]
def once(n, mode):
    out = subprocess.run([exe, str(n), mode], capture_output=True, text=True, check=True).stdout
    # "<bytes> bytes, <n> items, <µs> µs"
    return int(out.rsplit(",", 1)[1].split()[0])
for n in sizes:
    times = {"bare": [], "load": [], "serial": []}
    for _ in range(runs):
        for mode in ("bare", "load", "serial"):
            times[mode].append(once(n, mode))
    bare, load, serial = (statistics.median(times[m]) for m in ("bare", "load", "serial"))
    print(f"{n:>7} items: bare {bare / 1000:8.2f} ms  load {load / 1000:8.2f} ms  load/bare {load / bare:.2f}x"
          f"  serial {serial / 1000:8.2f} ms  serial/bare {serial / bare:.2f}x  (medians of {runs})")
PY
