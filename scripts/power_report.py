#!/usr/bin/env python3
"""Collects scripts/power.sh case results (JSON lines on stdin) into
<reports>/bench/energy.json and energy.md (stdlib only). Keeps the cases of
earlier runs that this run did not redo.
  power_report.py REPORTS"""
import json
import os
import sys

reports = sys.argv[1]
path = os.path.join(reports, "bench", "energy.json")
old = {}
if os.path.exists(path):
    try:
        old = json.load(open(path)).get("cases", {})
    except ValueError:
        old = {}
for line in sys.stdin:
    line = line.strip()
    if line:
        r = json.loads(line)
        old[r["case"]] = r
out = {"node": "OSU 0.18 um (qflow-tech-osu018), 1.8 V, typical corner",
       "method": "Icarus gate-level simulation of the make synth netlist (zero delay: "
                 "glitches not counted) -> per-net activity -> OpenSTA report_power",
       "cases": old, "energy": {}}
e = out["energy"]
for prec in ("int8", "int4", "int2"):
    c = old.get(f"mac_pe_array_{prec}")
    if c and c.get("ops_per_cycle", {}).get("mac"):
        f = c["at_fmax"]
        e.setdefault("pj_per_mac", {})[prec] = round(f["energy_per_cycle_pj"] / c["ops_per_cycle"]["mac"], 4)
cal = old.get("calib_counter")
if cal:
    k = cal["at_100mhz"].get("calibration", {})
    out["calibration"] = k
json.dump(out, open(path, "w"), indent=2)
with open(os.path.join(reports, "bench", "energy.md"), "w") as md:
    md.write("# squish energy (make power)\n\n" + out["method"] + ". Node: " + out["node"] + ".\n\n")
    md.write("| case | clock (MHz) | internal (mW) | switching (mW) | leakage (uW) | total (mW) | pJ/cycle | ops/cycle |\n")
    md.write("|---|---:|---:|---:|---:|---:|---:|---|\n")
    for name, c in sorted(old.items()):
        for tag in ("at_fmax", "at_100mhz"):
            f = c.get(tag, {})
            if "total_w" not in f:
                continue
            md.write(f"| {name} | {f['clock_mhz']:.1f} | {f['internal_w']*1e3:.4f} | {f['switching_w']*1e3:.4f} | "
                     f"{f['leakage_w']*1e6:.4f} | {f['total_w']*1e3:.4f} | {f['energy_per_cycle_pj']:.3f} | "
                     f"{' '.join(f'{k}={v:g}' for k, v in c.get('ops_per_cycle', {}).items())} |\n")
    if e:
        md.write("\n" + json.dumps(e) + "\n")
print(f"power: wrote {path}")
