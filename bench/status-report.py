#!/usr/bin/env python3
"""`runsheet status` and `runsheet report` end to end, against the number of sections.

Generates checklists of N sections (one task each, every tenth section timed), starts a run of each
with a fixed clock, ticks a few items, then times `status`, `status --json` and
`report --format md|html|json` (the whole command: loading the run and its template included).
Prints the median and the fastest of REPEAT runs per command and size, the largest/smallest ratio
(linear = the size ratio), and, when a second binary is given, new/old.

Usage: python3 bench/status-report.py [NEW_BINARY [OLD_BINARY]] [--sizes 1000,10000,40000] [--repeat 5]
Default NEW_BINARY: target/release/runsheet (build it with `cargo build --release` first).
"""
import os, statistics, subprocess, sys, tempfile, time

args = [a for a in sys.argv[1:] if not a.startswith("--")]
opts = dict(a.split("=", 1) if "=" in a else (a, "") for a in sys.argv[1:] if a.startswith("--"))
sizes = [int(x) for x in opts.get("--sizes", "1000,10000,40000").split(",")]
repeat = int(opts.get("--repeat", "5"))
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
new = args[0] if args else os.path.join(root, "target", "release", "runsheet")
old = args[1] if len(args) > 1 else None
NOW = "2026-12-02T22:00:00+01:00"


def template(n):
    out = ["# Status bench\n"]
    for i in range(n):
        title = f"T+{i // 10} Phase {i}" if i % 10 == 0 else f"Section {i}"
        out.append(f"\n## {title}\n\n- [ ] Step {i}: restart service {i} and check it\n")
    return "".join(out)


def run(binary, data, *cmd):
    env = dict(os.environ, RUNSHEET_DATA_DIR=data, RUNSHEET_OPERATOR="bench", RUNSHEET_NOW=NOW, TZ="UTC")
    t = time.perf_counter()
    p = subprocess.run([binary, *cmd], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"{binary} {' '.join(cmd)} failed ({p.returncode})")
    return elapsed, p.stdout


COMMANDS = [
    ("status", ["status"]),
    ("status --json", ["status", "--json"]),
    ("report md", ["report", "--format", "md"]),
    ("report html", ["report", "--format", "html"]),
    ("report json", ["report", "--format", "json"]),
]


def measure(binary, tmp):
    results = {}
    for n in sizes:
        data = os.path.join(tmp, f"{os.path.basename(binary)}-{id(binary)}-{n}")
        tpl = os.path.join(tmp, f"bench-{n}.md")
        with open(tpl, "w") as f:
            f.write(template(n))
        _, out = run(binary, data, "start", tpl)
        rid = out.decode().strip()
        for k in range(20):
            run(binary, data, "tick", rid, f"Step {k * (n // 20)}:")
        for name, cmd in COMMANDS:
            times = [run(binary, data, *cmd[:1], rid, *cmd[1:])[0] for _ in range(repeat)]
            results[(name, n)] = (statistics.median(times), min(times))
    return results


def show(label, res):
    print(f"\n{label}")
    print(f"{'command':>14} " + " ".join(f"{n:>18,}" for n in sizes) + "   ratio")
    for name, _ in COMMANDS:
        cells = " ".join(f"{res[(name, n)][0] * 1000:9.1f} ({res[(name, n)][1] * 1000:6.1f})" for n in sizes)
        ratio = res[(name, sizes[-1])][0] / res[(name, sizes[0])][0]
        print(f"{name:>14} {cells}   {ratio:5.1f}x (sizes {sizes[-1] // sizes[0]}x)")


with tempfile.TemporaryDirectory() as tmp:
    print(f"median ms (fastest) of {repeat} runs; sizes = sections, one item each; clock fixed at {NOW}")
    new_res = measure(new, tmp)
    show(f"new: {new}", new_res)
    if old:
        old_res = measure(old, tmp)
        show(f"old: {old}", old_res)
        print("\nnew / old (median)")
        for name, _ in COMMANDS:
            print(f"{name:>14} " + " ".join(f"{new_res[(name, n)][0] / old_res[(name, n)][0]:18.3f}" for n in sizes))
