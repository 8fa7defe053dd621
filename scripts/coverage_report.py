#!/usr/bin/env python3
"""Per-module coverage from a Verilator coverage .dat file (stdlib only).

Usage: coverage_report.py MERGED.dat [coverage.json]
Prints the per-module Markdown table; with a second argument also writes
{"modules": {"<module>": {"line_pct", "branch_pct", "toggle_pct"}}} there.

Each data line is  C '<\\x01key\\x02value ...>' <count>. The 'page' key is
"v_<type>/<module>" (type: line, toggle, branch, expr, user); a point is
covered when its count is > 0.
"""
import collections
import json
import re
import sys

pts = collections.defaultdict(lambda: [0, 0])  # (module, type) -> [covered, total]
for line in open(sys.argv[1], encoding="latin-1"):
    if not line.startswith("C '"):
        continue
    m = re.match(r"C '(.*)' (\d+)\s*$", line)
    if not m:
        continue
    fields = dict(kv.split("\x02", 1) for kv in m.group(1).split("\x01") if "\x02" in kv)
    page = fields.get("page", "")
    if "/" not in page:
        continue
    kind, module = page.split("/", 1)
    kind = kind.replace("v_", "")
    e = pts[(module, kind)]
    e[1] += 1
    e[0] += int(m.group(2)) > 0

mods = sorted({m for m, _ in pts})
kinds = ["line", "toggle", "branch"]
print("| module | " + " | ".join(kinds) + " |")
print("|---|" + "---:|" * len(kinds))
for mod in mods:
    cells = []
    for k in kinds:
        c, t = pts.get((mod, k), (0, 0))
        cells.append(f"{100.0 * c / t:.1f} % ({c}/{t})" if t else "-")
    print(f"| {mod} | " + " | ".join(cells) + " |")

if len(sys.argv) > 2:
    out = {"modules": {}}
    for mod in mods:
        row = {}
        for k in kinds:
            c, t = pts.get((mod, k), (0, 0))
            row[k + "_pct"] = round(100.0 * c / t, 2) if t else None
            row[k + "_points"] = [c, t]
        out["modules"][mod] = row
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
