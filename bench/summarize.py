#!/usr/bin/env python3
"""Prints medians, throughput and ratios from criterion's output (run after `cargo bench`).

Usage: python3 bench/summarize.py [GROUP]   (default group: load)
"""
import json, os, sys

group = sys.argv[1] if len(sys.argv) > 1 else "load"
root = os.path.join(os.path.dirname(__file__), "..", "target", "criterion", group)
rows = {}
for bench in sorted(os.listdir(root)):
    d = os.path.join(root, bench)
    if not os.path.isdir(d) or bench == "report":
        continue
    for param in sorted(os.listdir(d)):
        est = os.path.join(d, param, "new", "estimates.json")
        bm = os.path.join(d, param, "new", "benchmark.json")
        if not os.path.exists(est):
            continue
        median = json.load(open(est))["median"]["point_estimate"]  # ns
        thr = json.load(open(bm)).get("throughput") or {}
        nbytes = thr.get("Bytes")
        rows.setdefault(param, {})[bench] = (median, nbytes)

print(f"{'items':>8} {'bench':>16} {'median':>12} {'MB/s':>8}")
for param in sorted(rows, key=lambda p: int(p) if p.isdigit() else p):
    for bench, (median, nbytes) in sorted(rows[param].items()):
        mbs = f"{nbytes / (median / 1e9) / 1e6:8.1f}" if nbytes else "       -"
        print(f"{param:>8} {bench:>16} {median / 1e6:10.3f}ms {mbs}")
if group == "load":
    for param in sorted(rows, key=int):
        r = rows[param]
        if "runsheet_load" in r and "pulldown_bare" in r:
            print(f"{param:>8} load/bare ratio: {r['runsheet_load'][0] / r['pulldown_bare'][0]:.2f}")
    if "100000" in rows and "10000" in rows:
        print(f"100k/10k load time ratio: {rows['100000']['runsheet_load'][0] / rows['10000']['runsheet_load'][0]:.2f} (linear = 10)")
if group == "report":
    for bench in sorted({b for r in rows.values() for b in r}):
        if "40000" in rows and "10000" in rows and bench in rows["40000"] and bench in rows["10000"]:
            ratio = rows["40000"][bench][0] / rows["10000"][bench][0]
            print(f"{bench:>16} 40k/10k ratio: {ratio:.2f} (linear = 4)")
