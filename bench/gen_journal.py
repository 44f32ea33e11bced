#!/usr/bin/env python3
"""Appends sealed, chained events to a run's journal until it reaches a size (for RSS and speed
measurements of big journals). Usage: gen_journal.py RUN_DIR SIZE_MB

Events alternate tick/untick over the run's items with a note every fourth event, exactly as
runsheet seals them: `hash` = SHA-256 of the line without `,"hash":"…"`, `prev` = previous hash.
An optional third argument caps the number of events appended.
"""
import hashlib, json, os, sys

run_dir, size_mb = sys.argv[1], int(sys.argv[2])
journal = os.path.join(run_dir, "journal.jsonl")
with open(journal, "rb") as f:
    lines = f.read().splitlines()
last = json.loads(lines[-1])
seq, prev = last["seq"], last["hash"]
ids = [l.strip() for l in open(os.path.join(run_dir, "ids.txt"))] if os.path.exists(
    os.path.join(run_dir, "ids.txt")) else []
if not ids:
    sys.exit("write the run's item ids to RUN_DIR/ids.txt first (runsheet status RUN --json)")
target = size_mb * 1024 * 1024
limit = int(sys.argv[3]) if len(sys.argv) > 3 else None
by = {"user": "bench", "host": "localhost", "name": "Bench Operator"}
out = open(journal, "ab", buffering=8 << 20)
size = os.path.getsize(journal)
k = 0
while size < target and (limit is None or k < limit):
    seq += 1
    item = ids[k % len(ids)]
    if k % 4 == 3:
        change = {"type": "note", "item": item, "text": f"checked dashboards, all green ({k})"}
    elif (k // len(ids)) % 2 == 0:
        change = {"type": "tick", "item": item}
    else:
        change = {"type": "untick", "item": item}
    body = json.dumps({"seq": seq, "at": "2026-11-23T21:04:05.123456+01:00", "by": by,
                       "change": change, "prev": prev}, separators=(",", ":"), ensure_ascii=False)
    h = hashlib.sha256(body.encode()).hexdigest()
    line = (body[:-1] + ',"hash":"' + h + '"}\n').encode()
    out.write(line)
    size += len(line)
    prev = h
    k += 1
out.close()
print(f"{journal}: {size} bytes, {seq} events")
