#!/usr/bin/env python3
"""Per-module coverage from a Verilator coverage .dat file (stdlib only).

Usage: coverage_report.py MERGED.dat [coverage.json]
Prints the per-module Markdown table (every instance's points counted), then
the per-block table (a module belongs to the block of rtl/<block>/<module>.sv;
each point of the source counted once, covered when any instance of any
parameterization, e.g. fifo_sync__W37_D2, covered it), and checks line and branch
coverage of every block against 90 %: a block below it must have a line
"<block> <line|branch> <reason>" in sim/coverage_waivers.txt, else the exit code
is 1. With a second argument also writes {"modules": {"<module>": {"line_pct",
"branch_pct", "toggle_pct", ...}}, "blocks": {"<block>": {...}}} there.

Each data line is  C '<\\x01key\\x02value ...>' <count>. The 'page' key is
"v_<type>/<module>" (type: line, toggle, branch, expr, user); a point is
covered when its count is > 0.
"""
import collections
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = 90.0

pts = collections.defaultdict(lambda: [0, 0])  # (module, type) -> [covered, total]
# (module without parameter suffix, type) -> {source point: covered by any instance}
srcpts = collections.defaultdict(lambda: collections.defaultdict(bool))
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
    # the same point of the source, whichever instance ('h') it was counted in
    src = tuple(sorted((k, v) for k, v in fields.items() if k not in ("h", "page")))
    srcpts[(module.split("__")[0], kind)][src] |= int(m.group(2)) > 0

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

# Per block.
block_of = {os.path.basename(f)[:-3]: f.split(os.sep)[-2] for f in glob.glob(os.path.join(ROOT, "rtl", "*", "*.sv"))}
# A block's figure counts each point of its source once: covered when any
# instance of any parameterization covered it (the module rows above count
# every instance's points separately).
bpts = collections.defaultdict(lambda: [0, 0])
for (mod, k), points in srcpts.items():
    b = block_of.get(mod, "?")
    bpts[(b, k)][0] += sum(points.values())
    bpts[(b, k)][1] += len(points)
waivers = {}
wfile = os.path.join(ROOT, "sim", "coverage_waivers.txt")
if os.path.exists(wfile):
    for ln in open(wfile, encoding="utf-8"):
        ln = ln.strip()
        if ln and not ln.startswith("#"):
            b, k, reason = (ln.split(None, 2) + ["", ""])[:3]
            waivers[(b, k)] = reason
blocks = sorted({b for b, _ in bpts})
print()
print("| block | " + " | ".join(kinds) + " | ≥ 90 % line and branch |")
print("|---|" + "---:|" * len(kinds) + "---|")
fail = []
for b in blocks:
    cells, verdict = [], []
    for k in kinds:
        c, t = bpts.get((b, k), (0, 0))
        cells.append(f"{100.0 * c / t:.1f} % ({c}/{t})" if t else "-")
        if k in ("line", "branch") and t and 100.0 * c / t < TARGET:
            if (b, k) in waivers:
                verdict.append(f"{k} waived")
            else:
                verdict.append(f"{k} BELOW")
                fail.append(f"{b} {k}")
    print(f"| {b} | " + " | ".join(cells) + " | " + (", ".join(verdict) or "yes") + " |")
if fail:
    print(f"coverage: below {TARGET:.0f} % without a waiver (sim/coverage_waivers.txt): " + ", ".join(fail))

def json_row(points, name, waived=None):
    row = {}
    for k in kinds:
        c, t = points.get((name, k), (0, 0))
        row[k + "_pct"] = round(100.0 * c / t, 2) if t else None
        row[k + "_points"] = [c, t]
        if waived and (name, k) in waived:
            row[k + "_waiver"] = waived[(name, k)]
    return row


if len(sys.argv) > 2:
    out = {"modules": {mod: json_row(pts, mod) for mod in mods},
           "blocks": {b: json_row(bpts, b, waivers) for b in blocks}}
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)

sys.exit(1 if fail else 0)
